//! A complete CIS2 sign-in through `cis2-sdk`, against an in-process `cis2-mock-idp`: discovery, JWKS, the
//! authorization request, a virtual-smartcard login, the callback, the token exchange, ID-token validation,
//! userinfo and role resolution. The sdk never touches the network; `cis2-reqwest` is the whole HTTP adapter.
//!
//! Run with: `cargo run -p example-sdk-login`

use cis2_mock_idp::{AuthMethodName, Client, DEFAULT_PASSCODE, MockIdp};
use cis2_reqwest::{HttpClient, HttpSettings};
use cis2_sdk::prelude::*;
use cis2_sdk::{ClientSecret, jwks_from_response, limits};

const CLIENT_ID: &str = "123456789012.apps.supplier";
const SECRET: &str = "example-secret";
const REDIRECT: &str = "http://127.0.0.1:1/auth/callback";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn now() -> UnixTime {
    #[allow(clippy::disallowed_methods)] // the example's one clock read
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    UnixTime::from_secs(secs)
}

fn location(resp: &reqwest::Response) -> Result<String, BoxError> {
    Ok(resp
        .headers()
        .get("location")
        .ok_or("no Location header")?
        .to_str()?
        .to_owned())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let data = tempfile::tempdir()?;
    let mut client = Client::new(
        CLIENT_ID,
        vec![REDIRECT.to_owned()],
        AuthMethodName::ClientSecretPost,
    );
    client.client_secret = Some(SECRET.to_owned());
    let idp = MockIdp::builder()
        .data_dir(data.path())
        .client(client)
        .start()
        .await?;
    println!("mock IdP issuer: {}", idp.issuer());

    // The backend's HTTP transport (cis2-reqwest: no redirects, TLS 1.2+, timeouts, bounded bodies), and a
    // plain client standing in for the browser.
    let backend = HttpClient::new(HttpSettings::default())?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut rng = rand::rngs::OsRng;

    // Configure, discover, fetch keys.
    let config = ClientConfig::new(
        IssuerUrl::new(idp.issuer())?,
        ClientId::new(CLIENT_ID)?,
        RedirectUrl::new(REDIRECT)?,
        ClientAuth::ClientSecretPost(ClientSecret::new(SECRET)),
    );
    let metadata = config.parse_discovery(
        &backend
            .send(config.discovery_request()?, limits::DISCOVERY)
            .await?,
    )?;
    let cis2 = Cis2Client::new(config, metadata)?;
    let jwks = jwks_from_response(&backend.send(cis2.jwks_request()?, limits::JWKS).await?)?;

    // The browser's part: authorize, then the mock's login form (virtual smartcard + passcode).
    let (authorize_url, pending) = cis2.start_login(&LoginOptions::default(), &mut rng, now())?;
    let login_page = http.get(authorize_url.as_str()).send().await?;
    let login_url = url::Url::parse(&idp.base_url())?.join(&location(&login_page)?)?;
    let interaction = login_url
        .query_pairs()
        .find(|(k, _)| k == "interaction")
        .map(|(_, v)| v.into_owned());
    let form = [
        ("interaction", interaction.unwrap_or_default()),
        ("uid", "656005750108".to_owned()),
        ("method", "smartcard".to_owned()),
        ("passcode", DEFAULT_PASSCODE.to_owned()),
        ("action", "login".to_owned()),
    ];
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let done = http
        .post(login_url.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    let callback = url::Url::parse(&location(&done)?)?;

    // The backend's part: check the callback, exchange the code, validate everything.
    let verified =
        cis2.verify_callback(&pending, &Callback::parse(callback.query().unwrap_or(""))?, now())?;
    let tokens = cis2.parse_token_response(
        &backend
            .send(
                cis2.token_request(&pending, &verified, &mut rng, now())?,
                limits::TOKEN,
            )
            .await?,
    )?;
    let id_token = cis2.validate_login(&pending, &tokens, &jwks, now())?;
    let userinfo = match cis2.userinfo_request(&tokens.access_token) {
        Some(req) => Some(cis2.parse_userinfo(
            &backend.send(req?, limits::USERINFO).await?,
            &id_token,
            &jwks,
            now(),
        )?),
        None => None,
    };
    let user = Cis2User::new(id_token, userinfo);
    println!(
        "signed in: sub {} (AAL{}), acr {:?}, amr {:?}",
        user.sub(),
        user.aal().unwrap_or(0),
        user.id_token.acr,
        user.id_token.amr
    );
    for role in user.roles() {
        println!(
            "  role {} {} at {}",
            role.person_roleid,
            role.role_title(),
            role.org_code
        );
    }
    match user.selected_role() {
        RoleSelection::Selected { role, .. } => println!("selected role: {}", role.role_title()),
        other => println!("role selection: {other:?}"),
    }
    idp.shutdown().await;
    Ok(())
}
