//! Shared harness: a mock with a temp data dir, a cookie-carrying browser that does not follow redirects,
//! the sdk client as the RP, and helpers to walk the login journey with plain HTTP.

use std::sync::OnceLock;

use cis2_mock_idp::{MockIdp, MockIdpBuilder, RunningMockIdp};
use cis2_sdk::{
    Algorithm, Callback, Cis2Client, ClientAuth, ClientConfig, ClientId, ClientSecret, HttpRequest,
    HttpResponse, IdTokenClaims, IssuerUrl, JwkSet, LoginOptions, PendingLogin, RedirectUrl, SigningKey,
    TokenResponse, UnixTime, UserInfo,
};
use rand::rngs::OsRng;
use serde_json::{Value, json};

pub(crate) const REALM: &str = cis2_sdk::CIS2_REALM_PATH;
pub(crate) const REDIRECT: &str = "http://127.0.0.1:7777/auth/callback";

pub(crate) fn idp_key(name: &str) -> SigningKey {
    let pem = match name {
        "a" => include_str!("../data/idp-a.pem"),
        "b" => include_str!("../data/idp-b.pem"),
        _ => include_str!("../data/idp-c.pem"),
    };
    SigningKey::from_pkcs8_pem(pem, Algorithm::RS256).unwrap()
}

pub(crate) fn idp_pem(name: &str) -> &'static str {
    match name {
        "b" => include_str!("../data/idp-b.pem"),
        _ => include_str!("../data/idp-c.pem"),
    }
}

/// The RP's private_key_jwt key (RS256 unless `alg` says otherwise), loaded once per binary.
pub(crate) fn rp_key() -> SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| SigningKey::from_pkcs8_pem(include_str!("../data/rp-a.pem"), Algorithm::RS256).unwrap())
        .clone()
}

/// A key the mock does not know.
pub(crate) fn other_rp_key() -> SigningKey {
    static K: OnceLock<SigningKey> = OnceLock::new();
    K.get_or_init(|| SigningKey::from_pkcs8_pem(include_str!("../data/rp-b.pem"), Algorithm::RS256).unwrap())
        .clone()
}

pub(crate) struct Harness {
    pub(crate) idp: RunningMockIdp,
    /// Keeps the data directory alive as long as the mock.
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) browser: reqwest::Client,
    pub(crate) http: reqwest::Client,
}

pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub(crate) fn builder() -> MockIdpBuilder {
    MockIdp::builder()
        .signing_key(idp_key("a"))
        .backchannel_retries(3, std::time::Duration::from_millis(50))
}

pub(crate) async fn start() -> Harness {
    start_with(builder()).await
}

pub(crate) async fn start_with(b: MockIdpBuilder) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let idp = b.data_dir(dir.path()).start().await.unwrap();
    Harness {
        idp,
        _dir: dir,
        browser: browser(),
        http: browser(),
    }
}

impl Harness {
    pub(crate) fn admin(&self, path: &str) -> String {
        format!("{}{}", self.idp.admin_url(), path)
    }

    /// `path` under the issuer's realm, on the socket.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}{path}", self.idp.base_url(), self.idp.state().realm_path())
    }

    pub(crate) async fn admin_post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.admin(path))
            .json_body(&body)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn admin_get(&self, path: &str) -> Value {
        self.http
            .get(self.admin(path))
            .send()
            .await
            .unwrap()
            .json_value()
            .await
    }

    /// The discovery document, fetched on the socket.
    pub(crate) async fn discovery(&self) -> Value {
        self.http
            .get(self.idp.discovery_url())
            .send()
            .await
            .unwrap()
            .json_value()
            .await
    }

    pub(crate) async fn now(&self) -> UnixTime {
        UnixTime::from_secs(self.admin_get("/clock").await["now"].as_u64().unwrap())
    }

    pub(crate) async fn advance(&self, secs: i64) {
        let r = self.admin_post("/clock/advance", json!({ "secs": secs })).await;
        assert!(r.status().is_success());
    }

    pub(crate) async fn register(&self, client: Value) {
        let r = self.admin_post("/clients", client).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }

    pub(crate) async fn inject(&self, body: Value) {
        let r = self.admin_post("/faults", body).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }

    /// Sends an sdk request value as a relying party's backend would (through `cis2-reqwest`).
    pub(crate) async fn send(&self, req: HttpRequest) -> HttpResponse {
        cis2_reqwest::HttpClient::new(cis2_reqwest::HttpSettings::default())
            .unwrap()
            .send(req, 1 << 20)
            .await
            .unwrap()
    }

    /// An sdk client for a registered client, with discovery and JWKS fetched from the mock.
    pub(crate) async fn rp(&self, client_id: &str, auth: ClientAuth) -> Rp {
        let config = ClientConfig::new(
            IssuerUrl::new(self.idp.issuer()).unwrap(),
            ClientId::new(client_id).unwrap(),
            RedirectUrl::new(REDIRECT).unwrap(),
            auth,
        );
        let metadata = config
            .parse_discovery(&self.send(config.discovery_request().unwrap()).await)
            .unwrap();
        let client = Cis2Client::new(config, metadata).unwrap();
        let jwks = cis2_sdk::jwks_from_response(&self.send(client.jwks_request().unwrap()).await).unwrap();
        Rp { client, jwks }
    }
}

/// Small helpers so tests read well without reqwest's `json` feature.
pub(crate) trait JsonExt {
    fn json_body(self, v: &Value) -> Self;
}

impl JsonExt for reqwest::RequestBuilder {
    fn json_body(self, v: &Value) -> Self {
        self.header("content-type", "application/json")
            .body(v.to_string())
    }
}

pub(crate) trait JsonResp {
    async fn json_value(self) -> Value;
}

impl JsonResp for reqwest::Response {
    async fn json_value(self) -> Value {
        let text = self.text().await.unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

pub(crate) fn secret_client(id: &str, method: &str) -> Value {
    json!({
        "client_id": id,
        "client_name": format!("Test {id}"),
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": method,
        "client_secret": "s3cret",
    })
}

pub(crate) fn pkjwt_client(id: &str) -> Value {
    let jwks = JwkSet::from_keys([rp_key().public_jwk().unwrap()])
        .unwrap()
        .to_json();
    json!({
        "client_id": id,
        "client_name": format!("Test {id}"),
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": jwks,
        "jwks_uri_signing_algorithm": "RS256",
        "require_pkce": true,
    })
}

pub(crate) fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    url::form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Credentials for a method, for seeded users.
pub(crate) fn credentials(method: &str, now: UnixTime) -> Vec<(&'static str, String)> {
    let mut f = vec![("method", method.to_owned())];
    match method {
        "smartcard" => f.push(("passcode", cis2_mock_idp::DEFAULT_PASSCODE.into())),
        "totp" => {
            f.push(("password", cis2_mock_idp::DEFAULT_PASSWORD.into()));
            f.push((
                "totp",
                cis2_mock_idp::totp(cis2_mock_idp::DEFAULT_TOTP_SECRET, now),
            ));
        }
        "ios" => f.push(("ios_approval", "approved".into())),
        "nhsmail" => f.push(("nhsmail_password", cis2_mock_idp::DEFAULT_PASSWORD.into())),
        _ => f.push(("password", cis2_mock_idp::DEFAULT_PASSWORD.into())),
    }
    f
}

/// GET an authorize URL in `browser`; if the login page comes, sign in as `uid` with `method`. Returns the
/// last response (a 302 to the client or to role selection, or a page).
pub(crate) async fn authorize_and_login(
    h: &Harness,
    browser: &reqwest::Client,
    url: &str,
    uid: &str,
    method: &str,
) -> reqwest::Response {
    let r = browser.get(url).send().await.unwrap();
    let loc = location(&r);
    if !loc.starts_with(&format!("{}/login", h.idp.state().realm_path())) {
        return r;
    }
    let interaction = query_param(&loc, "interaction").unwrap();
    let page = browser
        .get(format!("{}{loc}", h.idp.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let mut form = vec![("interaction", interaction), ("uid", uid.to_owned())];
    form.extend(credentials(method, h.now().await));
    post_form(browser, &h.url("/login"), &form).await
}

pub(crate) async fn post_form(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, String)],
) -> reqwest::Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
        .finish();
    http.post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

pub(crate) struct Rp {
    pub(crate) client: Cis2Client,
    pub(crate) jwks: JwkSet,
}

pub(crate) struct Login {
    pub(crate) pending: PendingLogin,
    pub(crate) callback: String,
}

pub(crate) struct Done {
    pub(crate) tokens: TokenResponse,
    pub(crate) id_token: Result<IdTokenClaims, cis2_sdk::Error>,
}

impl Rp {
    /// Starts a login and walks it to the callback (role selection: the first role offered).
    pub(crate) async fn login(
        &self,
        h: &Harness,
        browser: &reqwest::Client,
        opts: &LoginOptions,
        uid: &str,
        method: &str,
    ) -> Login {
        let (url, pending) = self.client.start_login(opts, &mut OsRng, h.now().await).unwrap();
        let r = authorize_and_login(h, browser, url.as_str(), uid, method).await;
        let mut loc = location(&r);
        assert!(
            !loc.is_empty(),
            "no redirect: {} {}",
            r.status(),
            r.text().await.unwrap()
        );
        if loc.starts_with(&format!("{}/select-role", h.idp.state().realm_path())) {
            let interaction = query_param(&loc, "interaction").unwrap();
            let page = browser
                .get(format!("{}{loc}", h.idp.base_url()))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            // The first radio's value (`name="role" type="radio" value="…"`).
            let role = page
                .split("name=\"role\"")
                .nth(1)
                .and_then(|rest| rest.split("value=\"").nth(1))
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_owned();
            let r = post_form(
                browser,
                &h.url("/select-role"),
                &[("interaction", interaction), ("role", role)],
            )
            .await;
            loc = location(&r);
        }
        assert!(loc.starts_with(REDIRECT), "unexpected redirect {loc}");
        Login {
            pending,
            callback: loc.split_once('?').unwrap().1.to_owned(),
        }
    }

    /// Exchanges the code and validates the ID token (the result is kept, not unwrapped).
    pub(crate) async fn finish(&self, h: &Harness, login: &Login) -> Result<Done, cis2_sdk::Error> {
        let now = h.now().await;
        let cb = Callback::parse(&login.callback)?;
        let verified = self.client.verify_callback(&login.pending, &cb, now)?;
        let req = self
            .client
            .token_request(&login.pending, &verified, &mut OsRng, now)?;
        let tokens = self.client.parse_token_response(&h.send(req).await)?;
        let id_token = self
            .client
            .validate_login(&login.pending, &tokens, &self.jwks, now);
        Ok(Done { tokens, id_token })
    }

    pub(crate) async fn userinfo(&self, h: &Harness, done: &Done) -> Result<UserInfo, cis2_sdk::Error> {
        let req = self
            .client
            .userinfo_request(&done.tokens.access_token)
            .unwrap()
            .unwrap();
        let resp = h.send(req).await;
        let id = done.id_token.as_ref().unwrap();
        self.client.parse_userinfo(&resp, id, &self.jwks, h.now().await)
    }

    /// A full login as `uid` with `method`, ID token validated.
    pub(crate) async fn full(
        &self,
        h: &Harness,
        opts: &LoginOptions,
        uid: &str,
        method: &str,
    ) -> (Done, IdTokenClaims) {
        let login = self.login(h, &h.browser, opts, uid, method).await;
        let done = self.finish(h, &login).await.unwrap();
        let claims = done.id_token.as_ref().unwrap().clone();
        (done, claims)
    }
}

pub(crate) fn pkjwt_auth() -> ClientAuth {
    ClientAuth::PrivateKeyJwt(rp_key())
}

pub(crate) fn post_auth() -> ClientAuth {
    ClientAuth::ClientSecretPost(ClientSecret::new("s3cret"))
}

pub(crate) fn basic_auth() -> ClientAuth {
    ClientAuth::ClientSecretBasic(ClientSecret::new("s3cret"))
}

/// A token-endpoint form POST.
pub(crate) async fn token_post(h: &Harness, form: &[(&str, String)]) -> reqwest::Response {
    post_form(&h.http, &h.url("/access_token"), form).await
}

pub(crate) async fn oauth_error(r: reqwest::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let v = r.json_value().await;
    (status, v["error"].as_str().unwrap_or_default().to_owned())
}

/// A token request with a client assertion and a code that does not exist (`invalid_grant` means the client
/// authenticated): (status, error, error_description).
pub(crate) async fn assertion_post(h: &Harness, client_id: &str, a: &str) -> (u16, String, String) {
    let f = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", "no-such-code".into()),
        ("redirect_uri", REDIRECT.into()),
        ("client_id", client_id.to_owned()),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
        ),
        ("client_assertion", a.to_owned()),
    ];
    let r = token_post(h, &f).await;
    let status = r.status().as_u16();
    let v = r.json_value().await;
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    (status, s("error"), s("error_description"))
}

/// The token error code of an sdk error.
pub(crate) fn token_code(e: &cis2_sdk::Error) -> &'static str {
    e.token_error().map(|t| t.code()).unwrap_or_else(|| e.code())
}
