//! The cis2-kit demo relying party as a library, so its integration test can run it in-process. The binary
//! (`src/main.rs`) loads [`Config`], binds and calls [`app`].

mod assets;
pub mod config;
mod dual_run;
mod error;
mod pages;
mod state;

use std::path::Path;

use axum::routing::get;
use axum::{Json, Router};
use cis2_server::{
    Algorithm, AuthRejection, Cis1Settings, Cis2Auth, Cis2Session, Environment, IssuerUrl, RequireAal3,
    SessionStore, SigningKey,
};
use serde_json::{Value, json};

pub use config::{AuthMethod, Config, DEMO_CLIENT_ID, MOCK_ISSUER};
pub use error::Error;
use state::AppState;

/// The private_key_jwt key: the configured PEM, or `data_dir/rp-key.pem`, generated on first use.
pub fn load_or_create_key(config: &Config) -> Result<SigningKey, Error> {
    let alg = Algorithm::from_name(&config.signing_alg)
        .ok_or_else(|| Error::Config(format!("signing_alg: unknown algorithm {:?}", config.signing_alg)))?;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| Error::Io { path, source }
    };
    if let Some(path) = &config.private_key_pem {
        let pem = std::fs::read_to_string(path).map_err(io(path))?;
        return SigningKey::from_pkcs8_pem(&pem, alg)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())));
    }
    let path = config.data_dir.join("rp-key.pem");
    if path.is_file() {
        let pem = std::fs::read_to_string(&path).map_err(io(&path))?;
        return SigningKey::from_pkcs8_pem(&pem, alg)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())));
    }
    let mut rng = rand::rngs::OsRng;
    let key = if alg == Algorithm::ES256 {
        SigningKey::generate_p256(&mut rng)
    } else {
        SigningKey::generate_rsa(alg, 2048, &mut rng).map_err(|e| Error::Config(e.to_string()))?
    };
    let pem = key.to_pkcs8_pem().map_err(|e| Error::Config(e.to_string()))?;
    std::fs::create_dir_all(&config.data_dir).map_err(io(&config.data_dir))?;
    write_private(&path, &pem).map_err(io(&path))?;
    tracing::info!(path = %path.display(), kid = key.kid(), "generated the demo's private_key_jwt key");
    Ok(key)
}

fn write_private(path: &Path, pem: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(pem.as_bytes())
}

/// Registers (or updates) the demo's client at the mock IdP's admin API: private_key_jwt with `jwks_uri` =
/// the demo's `/auth/jwks` (or client_secret_post), its redirect URI added to those already registered (so
/// several instances can share one client), and the back-channel logout URI.
pub async fn register_with_mock(config: &Config, port: u16) -> Result<(), Error> {
    let admin = config.mock_admin_url()?;
    let public = config.public_url(port);
    let url = format!("{admin}/clients/{}", config.client_id);
    let fail = |reason: String| Error::Register {
        url: url.clone(),
        reason,
    };
    let mut http = reqwest::Client::builder();
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path).map_err(|e| fail(format!("ca_file {}: {e}", path.display())))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| fail(format!("ca_file {}: {e}", path.display())))?;
        http = http.tls_certs_merge(certs);
    }
    let http = http.build().map_err(|e| fail(e.to_string()))?;
    let existing: Option<Value> = match http.get(&url).send().await {
        Ok(r) if r.status().is_success() => r.json().await.ok(),
        Ok(_) => None,
        Err(e) => return Err(fail(format!("{e} (is cis2-mock-idp running?)"))),
    };
    let merged = |member: &str, add: String| -> Vec<String> {
        let mut list: Vec<String> = existing
            .as_ref()
            .and_then(|c| c.get(member))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        if !list.contains(&add) {
            list.push(add);
        }
        list
    };
    let mut body = json!({
        "client_id": config.client_id,
        "client_name": "cis2-kit demo relying party",
        "redirect_uris": merged("redirect_uris", config.redirect_uri(port)),
        "post_logout_redirect_uris": merged("post_logout_redirect_uris", format!("{public}/")),
        "backchannel_logout_uri": config
            .backchannel_logout_uri
            .clone()
            .unwrap_or_else(|| format!("{public}/auth/backchannel-logout")),
    });
    match config.auth_method {
        AuthMethod::PrivateKeyJwt => {
            body["token_endpoint_auth_method"] = json!("private_key_jwt");
            body["jwks_uri"] = json!(format!("{public}/auth/jwks"));
            body["jwks_uri_signing_algorithm"] = json!(config.signing_alg);
        }
        AuthMethod::ClientSecret => {
            body["token_endpoint_auth_method"] = json!("client_secret_post");
            body["client_secret"] = json!(config.client_secret);
        }
    }
    let resp = http
        .put(&url)
        .json(&body)
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        return Err(fail(format!("{status}: {text}")));
    }
    tracing::info!(client_id = %config.client_id, admin = %admin, "registered the demo at the mock IdP");
    Ok(())
}

/// Builds the demo app for a server listening on `port`: registers at the mock when configured, builds the
/// kit (discovery), and returns the router.
pub async fn app(config: &Config, port: u16) -> Result<Router, Error> {
    let key = match config.auth_method {
        AuthMethod::PrivateKeyJwt => Some(load_or_create_key(config)?),
        AuthMethod::ClientSecret => None,
    };
    if config.registers_with_mock() {
        register_with_mock(config, port).await?;
    }
    let mut builder = match config.environment.as_deref() {
        Some("integration" | "int") => Cis2Auth::builder(Environment::Integration),
        Some("production" | "live") => Cis2Auth::builder(Environment::Live),
        Some(other) => {
            return Err(Error::Config(format!(
                "CIS2_ENV: expected integration or production, got {other:?}"
            )));
        }
        None => Cis2Auth::builder(
            IssuerUrl::new(config.issuer.clone()).map_err(|e| Error::Config(format!("issuer: {e}")))?,
        ),
    }
    .client_id(config.client_id.clone())
    .redirect_uri(config.redirect_uri(port))
    // The floor is AAL2: the demo offers an authenticator-app sign-in and steps up to AAL3 for `/sensitive`.
    // Its buttons ask for AAL3 unless they say otherwise; a page may only raise the floor, never lower it.
    .login_options(cis2_server::LoginOptions::default().acr_values(["AAL2_OR_AAL3_ANY"]));
    builder = match key {
        Some(k) => builder.private_key_jwt(k),
        None => builder.client_secret(config.client_secret.clone().ok_or_else(|| {
            Error::Config("client_secret is required for auth_method client_secret".into())
        })?),
    };
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("ca_file {}: {e}", path.display())))?;
        builder = builder.extra_root_certificate_pem(pem);
    }
    if let Some(redis) = &config.redis_url {
        let store = match &config.redis_prefix {
            Some(prefix) => SessionStore::redis_with_prefix(redis, prefix).await?,
            None => SessionStore::redis(redis).await?,
        };
        builder = builder.session_store(store);
    }
    let public_url = config.public_url(port);
    let dual_run = if config.dual_run {
        builder = builder.cis1(
            Cis1Settings::new(config.ssb_url()?)
                .recheck_every(std::time::Duration::from_secs(config.cis1_recheck_secs)),
        );
        Some(dual_run::DualRun::new(&config.identity_agent_url()?, &public_url))
    } else {
        None
    };
    let auth = builder
        .events_check_interval(std::time::Duration::from_secs(5))
        .build()
        .await?;
    let provider = match config.environment.as_deref() {
        Some(env) => format!("CIS2 ({env})"),
        None => config.issuer.clone(),
    };
    Ok(router(AppState {
        auth,
        assets: assets::Assets::new(config),
        provider,
        public_url,
        dual_run,
    }))
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/sensitive", get(sensitive))
        .route("/api/me", get(me))
        .route("/static/app.js", get(assets::app_js))
        .route("/static/app.css", get(assets::app_css))
        .route("/static/cis1.js", get(assets::cis1_js))
        .route("/dual-run/cutover", axum::routing::post(set_cutover))
        .route("/assets/{*path}", get(assets::nhsuk))
        .route("/pkg/{*path}", get(assets::pkg))
        .nest("/auth", state.auth.router())
        .with_state(state)
}

/// `/`: signed out, the sign-in buttons; signed in, the user, roles, organisations and actions.
async fn home(
    axum::extract::State(state): axum::extract::State<AppState>,
    session: Result<Cis2Session, AuthRejection>,
) -> axum::response::Response {
    pages::home(&state, session.ok().as_ref())
}

/// `/dual-run/cutover`: the cut-over form ([`dual_run::set_cutover`]).
async fn set_cutover(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
    axum::Form(f): axum::Form<dual_run::CutoverForm>,
) -> axum::response::Response {
    dual_run::set_cutover(
        state.dual_run.as_ref(),
        &state.auth,
        &state.public_url,
        &headers,
        f,
    )
}

/// `/sensitive`: needs an AAL3 sign-in; a navigation at AAL2 is sent to step up.
async fn sensitive(
    axum::extract::State(state): axum::extract::State<AppState>,
    RequireAal3(session): RequireAal3,
) -> axum::response::Response {
    pages::sensitive(&state, &session)
}

/// `/api/me`: the signed-in user as JSON (401 `login_required` otherwise).
async fn me(session: Cis2Session) -> Json<Value> {
    let selected = match session.selected_role() {
        cis2_server::cis2_sdk::RoleSelection::Selected { role, .. } => Some(role.person_roleid.clone()),
        _ => None,
    };
    Json(json!({
        "sub": session.sub(),
        "name": session.user().name(),
        "aal": session.aal(),
        "roles": session.roles().iter().map(|r| json!({
            "person_roleid": r.person_roleid,
            "org_code": r.org_code,
            "role_name": r.role_name,
        })).collect::<Vec<_>>(),
        "selected_role": selected,
        "path": match session.path() {
            cis2_server::SignInPath::Cis1 => "cis1",
            _ => "cis2",
        },
    }))
}
