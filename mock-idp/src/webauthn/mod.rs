//! WebAuthn: security keys, Windows Hello and passkeys through real ceremonies, verified with `webauthn-rs`
//! (wire types from `webauthn-rs-proto`). Credentials are registered on the "manage authenticators" page
//! (after signing in another way) and stored in SQLite; the login page signs in with them.
//!
//! * RP ID: the issuer's host (`[webauthn] rp_id` overrides it). WebAuthn refuses IP addresses as RP IDs, so
//!   browsers need an issuer on a name such as `localhost`.
//! * Allowed origins: the issuer's origin, plus `[webauthn] origins`. No subdomains, no other ports. The
//!   ceremony endpoints answer credentialed CORS for `[webauthn] origins` (see [`crate::cors`]), so a page
//!   on one of them can run the ceremonies against the mock directly.
//! * Ceremony state stays on the server, keyed by a random id, single use, and expires after
//!   `[webauthn] ceremony_timeout_secs` (default 300 s) on the mock's clock (WA-R02, WA-A04, REL-21).
//! * User verification is required in every ceremony (credProtect asks for UV as well).
//! * Assurance (cis2.md §9.1, §9.3 \[I\]): a security key or Windows Hello signs in as
//!   [`AuthMethod::Fido2`] (AAL3, `amr ["FIDO2"]`, satisfies `AAL3_FIDO2`); a passkey as
//!   [`AuthMethod::Passkey`] (AAL2, `amr ["PASSKEY"]`).

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cis2_sdk::{CIS2_REALM_PATH, UnixTime};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    Url, Uuid, Webauthn, WebauthnBuilder, WebauthnError,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use crate::AppState;
use crate::authenticators::AuthMethod;
use crate::config::ConfigError;
use crate::errors::admin_error;
use crate::pages::{esc, page, refusal_page};
use crate::sessions::random_token;

/// `[webauthn]` in TOML, `CIS2_MOCK_WEBAUTHN_*` in the environment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct WebauthnConfig {
    /// The RP ID. Default: the issuer's host (must be a domain name such as `localhost`, not an IP).
    pub rp_id: Option<String>,
    /// Origins accepted besides the issuer's own (e.g. `https://idp.example:8443`); exact matches only. They
    /// also get credentialed CORS on the ceremony endpoints (`{realm}/webauthn/{register,login}/*`).
    pub origins: Vec<String>,
    /// How long a ceremony stays valid (seconds). Default 300 (WebAuthn L3 recommends 300–600).
    pub ceremony_timeout_secs: u64,
}

impl Default for WebauthnConfig {
    fn default() -> Self {
        Self {
            rp_id: None,
            origins: Vec::new(),
            ceremony_timeout_secs: 300,
        }
    }
}

impl WebauthnConfig {
    /// `CIS2_MOCK_WEBAUTHN_RP_ID`, `CIS2_MOCK_WEBAUTHN_ORIGINS` (comma-separated),
    /// `CIS2_MOCK_WEBAUTHN_CEREMONY_TIMEOUT_SECS`. `name` is the variable without `CIS2_MOCK_`.
    pub(crate) fn apply_env(&mut self, key: &str, name: &str, value: &str) -> Result<(), ConfigError> {
        match name {
            "WEBAUTHN_RP_ID" => self.rp_id = Some(value.to_owned()),
            "WEBAUTHN_ORIGINS" => {
                self.origins = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            "WEBAUTHN_CEREMONY_TIMEOUT_SECS" => {
                self.ceremony_timeout_secs = value
                    .parse()
                    .map_err(|_| ConfigError(format!("{key}={value:?} is not a number")))?
            }
            _ => return Err(ConfigError(format!("unknown variable {key}"))),
        }
        Ok(())
    }
}

/// What kind of WebAuthn authenticator a credential is, which decides its assurance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CredentialKind {
    /// A FIDO2 security key or Windows Hello: AAL3.
    SecurityKey,
    /// A passkey: AAL2.
    Passkey,
}

impl CredentialKind {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "security_key" | "fido2" => Some(Self::SecurityKey),
            "passkey" => Some(Self::Passkey),
            _ => None,
        }
    }

    pub(crate) fn method(self) -> AuthMethod {
        match self {
            Self::SecurityKey => AuthMethod::Fido2,
            Self::Passkey => AuthMethod::Passkey,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::SecurityKey => "Security key or Windows Hello",
            Self::Passkey => "Passkey",
        }
    }
}

/// A registered credential as stored in SQLite (`webauthn_credentials.doc`).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredCredential {
    credential_id: String,
    uid: String,
    kind: CredentialKind,
    name: String,
    created_at: u64,
    #[serde(default)]
    last_used_at: Option<u64>,
    passkey: Passkey,
}

impl StoredCredential {
    /// The public view (admin API, manage page): never the key material.
    fn view(&self) -> Value {
        let m = self.kind.method();
        json!({
            "credential_id": self.credential_id,
            "uid": self.uid,
            "kind": self.kind,
            "name": self.name,
            "created_at": self.created_at,
            "last_used_at": self.last_used_at,
            "aal": m.aal(),
            "amr": m.amr(crate::cards::CardMode::IdentityAgent),
        })
    }
}

/// A ceremony in progress (kept in memory, in [`crate::sessions::Sessions`]).
#[derive(Debug)]
pub(crate) struct Ceremony {
    created: UnixTime,
    uid: String,
    kind: CredentialKind,
    state: CeremonyState,
}

#[derive(Debug)]
enum CeremonyState {
    Register {
        state: Box<PasskeyRegistration>,
        name: String,
    },
    Login {
        state: Box<PasskeyAuthentication>,
        interaction: String,
    },
}

/// The JSON errors of the ceremony endpoints: `{"error","error_description"}` with a 4xx status.
fn error(status: StatusCode, code: &str, description: impl Into<String>) -> Response {
    no_store(admin_error(status, code, description))
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn internal(e: impl std::fmt::Display) -> Response {
    no_store(crate::errors::internal(e))
}

/// The `webauthn-rs` verifier for this mock.
fn verifier(st: &AppState) -> Result<Webauthn, Response> {
    let cfg = &st.0.config.webauthn;
    let issuer = Url::parse(st.issuer()).map_err(|e| internal(format!("issuer: {e}")))?;
    let origin = Url::parse(&issuer.origin().ascii_serialization())
        .map_err(|e| internal(format!("issuer origin: {e}")))?;
    let rp_id = match &cfg.rp_id {
        Some(id) => id.clone(),
        None => issuer.host_str().unwrap_or_default().to_owned(),
    };
    let mut b = WebauthnBuilder::new(&rp_id, &origin)
        .map_err(|e| {
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "webauthn_unavailable",
                format!(
                    "WebAuthn needs an issuer on a domain name (RP ID {rp_id:?} does not fit origin {origin}): {e:?}"
                ),
            )
        })?
        .rp_name("NHS Care Identity Service (mock)")
        .timeout(Duration::from_secs(cfg.ceremony_timeout_secs));
    let extra: Vec<Url> = cfg.origins.iter().filter_map(|o| Url::parse(o).ok()).collect();
    for o in &extra {
        b = b.append_allowed_origin(o);
    }
    b.build().map_err(|e| internal(format!("webauthn: {e:?}")))
}

/// A stable WebAuthn user handle for a test user: the first 16 bytes of SHA-256(uid).
fn user_handle(uid: &str) -> Uuid {
    use sha2::Digest as _;
    let h = sha2::Sha256::digest(uid.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    Uuid::from_bytes(b)
}

fn stored(st: &AppState) -> Result<Vec<StoredCredential>, Response> {
    let docs = st.0.store.credentials().map_err(internal)?;
    Ok(docs
        .into_iter()
        .filter_map(|d| serde_json::from_value(d).ok())
        .collect())
}

fn credentials_of(st: &AppState, uid: &str) -> Result<Vec<StoredCredential>, Response> {
    Ok(stored(st)?.into_iter().filter(|c| c.uid == uid).collect())
}

fn save(st: &AppState, c: &StoredCredential) -> Result<(), Response> {
    let doc = serde_json::to_value(c).map_err(internal)?;
    st.0.store
        .put_credential(&c.credential_id, &c.uid, &doc)
        .map_err(internal)
}

/// Puts a ceremony away (pruning expired ones) and returns its id.
fn stash(st: &AppState, c: Ceremony) -> String {
    let id = random_token(24);
    let now = st.0.clock.now();
    let ttl = Duration::from_secs(st.0.config.webauthn.ceremony_timeout_secs);
    let mut s = crate::lock(&st.0.sessions);
    s.webauthn
        .retain(|_, c| now.duration_since(c.created) <= ttl.saturating_mul(2));
    s.webauthn.insert(id.clone(), c);
    id
}

/// Takes a ceremony out (single use: it is gone whatever happens next) and checks its age.
fn take(st: &AppState, id: &str) -> Result<Ceremony, Response> {
    let c = crate::lock(&st.0.sessions).webauthn.remove(id);
    let Some(c) = c else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "unknown_ceremony",
            "no such WebAuthn ceremony: it never existed, was already used, or was started elsewhere",
        ));
    };
    let ttl = Duration::from_secs(st.0.config.webauthn.ceremony_timeout_secs);
    if st.0.clock.now().duration_since(c.created) > ttl {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "ceremony_expired",
            format!(
                "the WebAuthn ceremony is older than {} seconds; start again",
                ttl.as_secs()
            ),
        ));
    }
    Ok(c)
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| error(StatusCode::BAD_REQUEST, "invalid_request", e.to_string()))
}

fn verification_failed(e: &WebauthnError) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "verification_failed",
        format!("WebAuthn verification failed: {e:?}"),
    )
}

fn with_ceremony(id: &str, options: impl Serialize) -> Response {
    let mut v = serde_json::to_value(options).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("ceremony".to_owned(), Value::String(id.to_owned()));
    }
    no_store(Json(v).into_response())
}

/// The signed-in user behind the SSO cookie.
fn signed_in_uid(st: &AppState, headers: &HeaderMap) -> Option<String> {
    let cookie = crate::authorize::session_cookie(headers)?;
    let now = st.0.clock.now();
    crate::lock(&st.0.sessions)
        .by_cookie(&cookie, now)
        .map(|s| s.uid.clone())
}

#[derive(Deserialize)]
struct RegisterStart {
    kind: String,
    #[serde(default)]
    name: String,
}

/// `POST {realm}/webauthn/register/start` (SSO cookie required).
pub(crate) async fn register_start(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    flatten((|| {
        let req: RegisterStart = parse_json(&body)?;
        let Some(uid) = signed_in_uid(&st, &headers) else {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "login_required",
                "sign in before registering an authenticator",
            ));
        };
        let Some(kind) = CredentialKind::parse(&req.kind) else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "kind must be security_key or passkey",
            ));
        };
        let Some(user) = st.user(&uid) else {
            return Err(error(StatusCode::UNAUTHORIZED, "login_required", "unknown user"));
        };
        if !user.has(kind.method()) {
            return Err(error(
                StatusCode::FORBIDDEN,
                "not_allowed",
                format!("{} may not use a {}", user.name(), kind.label()),
            ));
        }
        let wa = verifier(&st)?;
        // The user's credentials go to the browser as `excludeCredentials`. The server-side check is ours
        // (after verification, against every stored credential id: WA-R16), so that a re-registration is a
        // clear 409 (webauthn-rs reports an excluded credential as `CredentialAlteredAlgFromRequest`).
        let exclude = credentials_of(&st, &uid)?
            .iter()
            .map(|c| webauthn_rs_proto::PublicKeyCredentialDescriptor {
                type_: "public-key".to_owned(),
                id: c.passkey.cred_id().to_vec(),
                transports: None,
            })
            .collect::<Vec<_>>();
        let display = user.name();
        let (mut ccr, state) = wa
            .start_passkey_registration(user_handle(&uid), &uid, &display, None)
            .map_err(|e| internal(format!("webauthn: {e:?}")))?;
        if !exclude.is_empty() {
            ccr.public_key.exclude_credentials = Some(exclude);
        }
        if kind == CredentialKind::Passkey
            && let Some(sel) = ccr.public_key.authenticator_selection.as_mut()
        {
            // A passkey is a discoverable credential; the verification does not depend on this hint.
            sel.resident_key = Some(ResidentKeyRequirement::Required);
            sel.require_resident_key = true;
        }
        let name = if req.name.trim().is_empty() {
            kind.label().to_owned()
        } else {
            req.name.trim().chars().take(64).collect()
        };
        let id = stash(
            &st,
            Ceremony {
                created: st.0.clock.now(),
                uid,
                kind,
                state: CeremonyState::Register {
                    state: Box::new(state),
                    name,
                },
            },
        );
        Ok(with_ceremony(&id, ccr))
    })())
}

#[derive(Deserialize)]
struct RegisterFinish {
    ceremony: String,
    credential: RegisterPublicKeyCredential,
}

/// `POST {realm}/webauthn/register/finish`.
pub(crate) async fn register_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    flatten((|| {
        let req: RegisterFinish = parse_json(&body)?;
        let c = take(&st, &req.ceremony)?;
        let CeremonyState::Register { state, name } = c.state else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unknown_ceremony",
                "this ceremony is not a registration",
            ));
        };
        if signed_in_uid(&st, &headers).as_deref() != Some(c.uid.as_str()) {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "login_required",
                "the ceremony belongs to another session",
            ));
        }
        let wa = verifier(&st)?;
        let passkey = wa
            .finish_passkey_registration(&req.credential, &state)
            .map_err(|e| verification_failed(&e))?;
        let credential_id = cis2_sdk::b64url_encode(passkey.cred_id().as_slice());
        if stored(&st)?.iter().any(|s| s.credential_id == credential_id) {
            return Err(error(
                StatusCode::CONFLICT,
                "credential_exists",
                "this credential is already registered",
            ));
        }
        let cred = StoredCredential {
            credential_id,
            uid: c.uid,
            kind: c.kind,
            name,
            created_at: st.0.clock.now().as_secs(),
            last_used_at: None,
            passkey,
        };
        save(&st, &cred)?;
        tracing::info!(uid = %cred.uid, kind = ?cred.kind, "WebAuthn credential registered");
        Ok(no_store((StatusCode::CREATED, Json(cred.view())).into_response()))
    })())
}

#[derive(Deserialize)]
struct LoginStart {
    interaction: String,
    uid: String,
    kind: String,
}

fn refusal_url(interaction: &str, kind: CredentialKind) -> String {
    crate::errors::append_query(
        &format!("{CIS2_REALM_PATH}/webauthn/refused"),
        &[("interaction", interaction), ("method", kind.method().as_str())],
    )
}

/// 403 `insufficient_assurance`, with `refusal_url`: the refusal page for the browser to show.
fn refusal(interaction: &str, kind: CredentialKind, description: String) -> Response {
    no_store(
        (
            StatusCode::FORBIDDEN,
            Json(json!({
                "error": "insufficient_assurance",
                "error_description": description,
                "refusal_url": refusal_url(interaction, kind),
            })),
        )
            .into_response(),
    )
}

/// `POST {realm}/webauthn/login/start`.
pub(crate) async fn login_start(State(st): State<AppState>, body: axum::body::Bytes) -> Response {
    flatten((|| {
        let req: LoginStart = parse_json(&body)?;
        let Some(kind) = CredentialKind::parse(&req.kind) else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "kind must be security_key or passkey",
            ));
        };
        let acr_values = crate::lock(&st.0.sessions)
            .interactions
            .get(&req.interaction)
            .map(|i| i.req.acr_values.clone());
        let Some(acr_values) = acr_values else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "interaction_expired",
                "this sign-in request is unknown or has expired",
            ));
        };
        let Some(user) = crate::login::user_by_login(&st, &req.uid) else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unknown_user",
                "choose a test user",
            ));
        };
        let method = kind.method();
        let mode = crate::lock(&st.0.cards).mode();
        if !user.has(method) || method.acr_for(&acr_values, mode).is_none() {
            return Err(refusal(
                &req.interaction,
                kind,
                format!(
                    "{} cannot be used for this sign-in (requested: {})",
                    kind.label(),
                    acr_values.join(" or ")
                ),
            ));
        }
        let creds: Vec<Passkey> = credentials_of(&st, &user.uid)?
            .into_iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.passkey)
            .collect();
        if creds.is_empty() {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "no_credentials",
                format!(
                    "{} has no registered {}; register one on the manage authenticators page",
                    user.name(),
                    kind.label().to_lowercase()
                ),
            ));
        }
        let wa = verifier(&st)?;
        let (rcr, state) = wa
            .start_passkey_authentication(&creds)
            .map_err(|e| internal(format!("webauthn: {e:?}")))?;
        let id = stash(
            &st,
            Ceremony {
                created: st.0.clock.now(),
                uid: user.uid.clone(),
                kind,
                state: CeremonyState::Login {
                    state: Box::new(state),
                    interaction: req.interaction.clone(),
                },
            },
        );
        Ok(with_ceremony(&id, rcr))
    })())
}

#[derive(Deserialize)]
struct LoginFinish {
    ceremony: String,
    credential: PublicKeyCredential,
}

/// `POST {realm}/webauthn/login/finish`: on success the SSO cookie is set and the body is
/// `{"redirect": "<where the browser goes next>"}`.
pub(crate) async fn login_finish(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    flatten((|| {
        let req: LoginFinish = parse_json(&body)?;
        let c = take(&st, &req.ceremony)?;
        let CeremonyState::Login { state, interaction } = c.state else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unknown_ceremony",
                "this ceremony is not a sign-in",
            ));
        };
        let credential_id = cis2_sdk::b64url_encode(&req.credential.raw_id);
        let Some(mut cred) = credentials_of(&st, &c.uid)?
            .into_iter()
            .find(|s| s.credential_id == credential_id && s.kind == c.kind)
        else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unknown_credential",
                "this credential is not registered for the user",
            ));
        };
        let wa = verifier(&st)?;
        let result = wa
            .finish_passkey_authentication(&req.credential, &state)
            .map_err(|e| verification_failed(&e))?;
        if !result.user_verified() {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "verification_failed",
                "user verification is required",
            ));
        }
        // Only now, after every check, does the stored credential change (WA-A14).
        cred.passkey.update_credential(&result);
        cred.last_used_at = Some(st.0.clock.now().as_secs());
        save(&st, &cred)?;
        let Some(i) = crate::lock(&st.0.sessions)
            .interactions
            .get(&interaction)
            .cloned()
        else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "interaction_expired",
                "this sign-in request is unknown or has expired",
            ));
        };
        let Some(user) = st.user(&c.uid) else {
            return Err(error(StatusCode::BAD_REQUEST, "unknown_user", "the user is gone"));
        };
        let resp = crate::login::sign_in(&st, &headers, &interaction, &i, &user, c.kind.method());
        Ok(redirect_as_json(resp, &interaction, c.kind))
    })())
}

/// Turns the journey's 302 into `{"redirect": …}` (keeping `Set-Cookie`); a refusal into a 403 JSON error.
fn redirect_as_json(resp: Response, interaction: &str, kind: CredentialKind) -> Response {
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match (resp.status(), location) {
        (StatusCode::FOUND, Some(loc)) => {
            let mut out = no_store(Json(json!({ "redirect": loc })).into_response());
            for c in resp.headers().get_all(header::SET_COOKIE) {
                out.headers_mut().append(header::SET_COOKIE, c.clone());
            }
            out
        }
        (StatusCode::FORBIDDEN, _) => refusal(
            interaction,
            kind,
            "this authenticator cannot be used for this sign-in".to_owned(),
        ),
        _ => error(
            StatusCode::BAD_REQUEST,
            "interaction_expired",
            "this sign-in request is unknown or has expired",
        ),
    }
}

/// `GET {realm}/webauthn/refused?interaction=…&method=…`: the refusal page the script navigates to.
pub(crate) async fn refused(Query(q): Query<HashMap<String, String>>) -> Response {
    let interaction = q.get("interaction").map(String::as_str).unwrap_or("");
    let method = q
        .get("method")
        .and_then(|m| AuthMethod::parse(m))
        .unwrap_or(AuthMethod::Passkey);
    refusal_page(
        &format!("{CIS2_REALM_PATH}/login"),
        interaction,
        &format!(
            "The service asked for a higher level of assurance than {} (AAL{}) provides, or you do not have one. Choose another way to sign in.",
            method.label(),
            method.aal()
        ),
    )
}

fn flatten(r: Result<Response, Response>) -> Response {
    r.unwrap_or_else(|e| e)
}

fn manage_path() -> String {
    format!("{CIS2_REALM_PATH}/manage-authenticators")
}

/// `GET {realm}/manage-authenticators`: the signed-in user's WebAuthn credentials and a registration form.
pub(crate) async fn manage_get(State(st): State<AppState>, headers: HeaderMap) -> Response {
    render_manage(&st, &headers, None)
}

fn render_manage(st: &AppState, headers: &HeaderMap, notice: Option<&str>) -> Response {
    let Some(user) = signed_in_uid(st, headers).and_then(|u| st.user(&u)) else {
        return page(
            StatusCode::UNAUTHORIZED,
            "Sign in to manage your authenticators",
            "<p class=\"nhsuk-body\" id=\"not-signed-in\">You need to sign in to a service with the Care \
             Identity Service first (for example with your smartcard, or username and password), then come back \
             to this page.</p>",
        );
    };
    let creds = credentials_of(st, &user.uid).unwrap_or_default();
    let mut body = String::new();
    if let Some(n) = notice {
        body.push_str(&format!(
            "<div class=\"nhsuk-inset-text\" id=\"notice\"><p>{}</p></div>",
            esc(n)
        ));
    }
    if verifier(st).is_err() {
        body.push_str(
            "<div class=\"nhsuk-warning-callout\" id=\"webauthn-unavailable\"><h3 class=\"nhsuk-warning-callout__label\">\
             Important</h3><p>WebAuthn needs the mock's issuer on a domain name (for example \
             <code>http://localhost:9000/…</code>): browsers refuse IP addresses as relying party IDs.</p></div>",
        );
    }
    body.push_str(&format!(
        "<p class=\"nhsuk-body-l\">Signed in as <strong id=\"signed-in-user\">{}</strong> (UID {}).</p>",
        esc(&user.name()),
        esc(&user.uid)
    ));
    body.push_str("<h2 class=\"nhsuk-heading-m\">Your security keys and passkeys</h2>");
    if creds.is_empty() {
        body.push_str("<p class=\"nhsuk-body\" id=\"no-credentials\">You have not registered any yet.</p>");
    } else {
        body.push_str(
            "<table class=\"nhsuk-table\" id=\"credentials\"><thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">\
             <th class=\"nhsuk-table__header\">Name</th><th class=\"nhsuk-table__header\">Type</th>\
             <th class=\"nhsuk-table__header\">Assurance</th><th class=\"nhsuk-table__header\"></th></tr></thead>\
             <tbody class=\"nhsuk-table__body\">",
        );
        for c in &creds {
            body.push_str(&format!(
                "<tr class=\"nhsuk-table__row credential\" data-credential-id=\"{id}\"><td class=\"nhsuk-table__cell\">{}</td>\
                 <td class=\"nhsuk-table__cell\">{}</td><td class=\"nhsuk-table__cell\">AAL{}</td>\
                 <td class=\"nhsuk-table__cell\"><form method=\"post\" action=\"{}/delete\">\
                 <input type=\"hidden\" name=\"credential_id\" value=\"{id}\">\
                 <button class=\"nhsuk-button nhsuk-button--secondary nhsuk-button--small\" type=\"submit\">Remove</button>\
                 </form></td></tr>",
                esc(&c.name),
                esc(c.kind.label()),
                c.kind.method().aal(),
                esc(&manage_path()),
                id = esc(&c.credential_id),
            ));
        }
        body.push_str("</tbody></table>");
    }
    body.push_str(&format!(
        "<h2 class=\"nhsuk-heading-m\">Add a security key, Windows Hello or passkey</h2>\
         <div class=\"nhsuk-error-summary\" id=\"webauthn-error\" role=\"alert\" tabindex=\"-1\" hidden>\
         <h2 class=\"nhsuk-error-summary__title\">There is a problem</h2>\
         <div class=\"nhsuk-error-summary__body\"><p id=\"webauthn-error-text\"></p></div></div>\
         <form id=\"register-form\" data-webauthn-register=\"{realm}/webauthn/register\" novalidate>\
         <div class=\"nhsuk-form-group\"><label class=\"nhsuk-label\" for=\"credential-name\">Name (so you can tell them apart)</label>\
         <input class=\"nhsuk-input nhsuk-input--width-20\" id=\"credential-name\" name=\"name\" type=\"text\" maxlength=\"64\"></div>\
         <div class=\"nhsuk-form-group\"><fieldset class=\"nhsuk-fieldset\"><legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">Type</legend>\
         <div class=\"nhsuk-radios\">\
         <div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" id=\"kind-security-key\" name=\"kind\" type=\"radio\" value=\"security_key\" checked>\
         <label class=\"nhsuk-label nhsuk-radios__label\" for=\"kind-security-key\">Security key or Windows Hello (AAL3)</label></div>\
         <div class=\"nhsuk-radios__item\"><input class=\"nhsuk-radios__input\" id=\"kind-passkey\" name=\"kind\" type=\"radio\" value=\"passkey\">\
         <label class=\"nhsuk-label nhsuk-radios__label\" for=\"kind-passkey\">Passkey (AAL2)</label></div>\
         </div></fieldset></div>\
         <noscript><p class=\"nhsuk-body\">Registering an authenticator needs JavaScript.</p></noscript>\
         <button class=\"nhsuk-button\" type=\"submit\" id=\"register\">Register</button></form>\
         <p class=\"nhsuk-body\"><a class=\"nhsuk-link\" href=\"{realm}/connect/endSession\" id=\"sign-out\">Sign out</a></p>",
        realm = CIS2_REALM_PATH
    ));
    page(StatusCode::OK, "Manage your authenticators", &body)
}

/// `POST {realm}/manage-authenticators/delete` (form: `credential_id`), no JavaScript needed.
pub(crate) async fn manage_delete(
    State(st): State<AppState>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let Some(uid) = signed_in_uid(&st, &headers) else {
        return render_manage(&st, &headers, None);
    };
    let id = f.get("credential_id").map(String::as_str).unwrap_or("");
    let owned = credentials_of(&st, &uid)
        .unwrap_or_default()
        .iter()
        .any(|c| c.credential_id == id);
    let notice = if owned && st.0.store.delete_credential(id).unwrap_or(false) {
        "The authenticator was removed."
    } else {
        "No such authenticator."
    };
    render_manage(&st, &headers, Some(notice))
}

/// Cross-origin callers get `POST` only; no Private Network Access (the issuer is no more private than they).
const CORS: crate::cors::Policy = crate::cors::Policy {
    methods: "POST, OPTIONS",
    private_network: false,
};

/// CORS for `[webauthn] origins` (exact matches); the issuer's own origin is same-origin and needs none.
async fn cors(
    State(st): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let extra = &st.0.config.webauthn.origins;
    let origin = crate::cors::allowed_origin(&req, |o| extra.iter().any(|x| x == o));
    crate::cors::respond(req, next, origin, CORS).await
}

/// The ceremony endpoints (`{realm}/webauthn/{register,login}/{start,finish}`), with CORS.
pub(crate) fn ceremony_routes(st: &AppState) -> axum::Router<AppState> {
    let r = |p: &str| format!("{CIS2_REALM_PATH}/webauthn{p}");
    axum::Router::new()
        .route(&r("/register/start"), axum::routing::post(register_start))
        .route(&r("/register/finish"), axum::routing::post(register_finish))
        .route(&r("/login/start"), axum::routing::post(login_start))
        .route(&r("/login/finish"), axum::routing::post(login_finish))
        .layer(axum::middleware::from_fn_with_state(st.clone(), cors))
}

/// Admin routes (merged into `/admin/api`): `GET /users/{uid}/webauthn-credentials`,
/// `DELETE /users/{uid}/webauthn-credentials/{credential_id}`.
pub(crate) fn admin_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/users/{uid}/webauthn-credentials",
            axum::routing::get(admin_list).delete(admin_delete_all),
        )
        .route(
            "/users/{uid}/webauthn-credentials/{credential_id}",
            axum::routing::delete(admin_delete),
        )
}

async fn admin_list(State(st): State<AppState>, Path(uid): Path<String>) -> Response {
    if st.user(&uid).is_none() {
        return admin_error(StatusCode::NOT_FOUND, "not_found", "no such user");
    }
    match credentials_of(&st, &uid) {
        Ok(c) => Json(c.iter().map(StoredCredential::view).collect::<Vec<_>>()).into_response(),
        Err(e) => e,
    }
}

async fn admin_delete(
    State(st): State<AppState>,
    Path((uid, credential_id)): Path<(String, String)>,
) -> Response {
    let owned = match credentials_of(&st, &uid) {
        Ok(c) => c.iter().any(|c| c.credential_id == credential_id),
        Err(e) => return e,
    };
    if !owned {
        return admin_error(StatusCode::NOT_FOUND, "not_found", "no such credential");
    }
    match st.0.store.delete_credential(&credential_id) {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => crate::errors::internal(e),
    }
}

async fn admin_delete_all(State(st): State<AppState>, Path(uid): Path<String>) -> Response {
    if st.user(&uid).is_none() {
        return admin_error(StatusCode::NOT_FOUND, "not_found", "no such user");
    }
    let creds = match credentials_of(&st, &uid) {
        Ok(c) => c,
        Err(e) => return e,
    };
    for c in &creds {
        if let Err(e) = st.0.store.delete_credential(&c.credential_id) {
            return crate::errors::internal(e);
        }
    }
    Json(json!({ "deleted": creds.len() })).into_response()
}

/// The admin page's section: every registered WebAuthn credential (no key material).
pub(crate) fn admin_section(st: &AppState) -> String {
    let mut s = String::from(
        "<h2>WebAuthn credentials</h2><table><tr><th>user</th><th>name</th><th>kind</th><th>AAL</th><th>credential_id</th></tr>",
    );
    for c in stored(st).unwrap_or_default() {
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&c.uid),
            esc(&c.name),
            esc(c.kind.label()),
            c.kind.method().aal(),
            esc(&c.credential_id)
        ));
    }
    s.push_str("</table>");
    s
}
