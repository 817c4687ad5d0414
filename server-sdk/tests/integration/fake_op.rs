//! A small in-test OpenID provider with CIS2-style claims. It issues what the sdk validates (signing with
//! `cis2_sdk::SigningKey`) and checks the RP's client assertion with the sdk's own
//! `TokenValidator::validate_client_assertion`, fetching the RP's `/jwks`. The lead replaces it with
//! cis2-mock-idp for the mock-based tests; the harness only needs `issuer()`, `client_id()`, a way to choose the
//! next user, and signed logout tokens.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cis2_sdk::{
    Algorithm, CIS2_REALM_PATH, Crypto, IssuerUrl, JwkSet, SigningKey, TokenValidator, ValidationPolicy,
};
use cis2_server::{Clock, ManualClock};
use serde_json::{Map, Value, json};

pub const CLIENT_ID: &str = "969567331415.apps.national";

/// Who signs in next.
#[derive(Clone, Debug)]
pub struct UserSpec {
    pub sub: String,
    pub sid: String,
    pub selected_roleid: Option<String>,
}

impl UserSpec {
    pub fn new(sub: &str, sid: &str) -> Self {
        Self {
            sub: sub.into(),
            sid: sid.into(),
            selected_roleid: Some("R1".into()),
        }
    }
}

#[derive(Debug)]
struct Grant {
    nonce: String,
    challenge: String,
    redirect_uri: String,
    user: UserSpec,
    acr: String,
}

#[derive(Debug)]
pub struct OpState {
    pub issuer: String,
    pub clock: ManualClock,
    /// Published keys.
    pub published: Mutex<Vec<SigningKey>>,
    /// The key that signs.
    pub signing: Mutex<SigningKey>,
    pub jwks_down: AtomicBool,
    pub jwks_fetches: AtomicUsize,
    pub token_requests: AtomicUsize,
    pub rp_jwks_url: Mutex<Option<String>>,
    pub next_user: Mutex<UserSpec>,
    pub authorize_error: Mutex<Option<String>>,
    pub authorize_requests: Mutex<Vec<HashMap<String, String>>>,
    pub assertion_jtis: Mutex<Vec<String>>,
    pub assertion_kids: Mutex<Vec<String>>,
    pub verifiers: Mutex<Vec<String>>,
    pub access_tokens: Mutex<HashMap<String, UserSpec>>,
    codes: Mutex<HashMap<String, Grant>>,
    counter: AtomicUsize,
}

#[derive(Clone, Debug)]
pub struct FakeOp(pub Arc<OpState>);

pub fn key(name: &str) -> SigningKey {
    let pem = match name {
        "op1" => include_str!("keys/op1.pem"),
        "op2" => include_str!("keys/op2.pem"),
        "op3" => include_str!("keys/op3.pem"),
        "rp1" => include_str!("keys/rp1.pem"),
        _ => include_str!("keys/rp2.pem"),
    };
    SigningKey::from_pkcs8_pem(pem, Algorithm::RS256).unwrap()
}

fn b64(v: &Value) -> String {
    cis2_sdk::b64url_encode(serde_json::to_vec(v).unwrap())
}

impl FakeOp {
    pub async fn start(clock: ManualClock) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let k = key("op1");
        let state = Arc::new(OpState {
            issuer: format!("{base}{CIS2_REALM_PATH}"),
            clock,
            published: Mutex::new(vec![k.clone()]),
            signing: Mutex::new(k),
            jwks_down: AtomicBool::new(false),
            jwks_fetches: AtomicUsize::new(0),
            token_requests: AtomicUsize::new(0),
            rp_jwks_url: Mutex::new(None),
            next_user: Mutex::new(UserSpec::new("555000000001", "sid-1")),
            authorize_error: Mutex::new(None),
            authorize_requests: Mutex::new(Vec::new()),
            assertion_jtis: Mutex::new(Vec::new()),
            assertion_kids: Mutex::new(Vec::new()),
            verifiers: Mutex::new(Vec::new()),
            access_tokens: Mutex::new(HashMap::new()),
            codes: Mutex::new(HashMap::new()),
            counter: AtomicUsize::new(0),
        });
        let p = CIS2_REALM_PATH;
        let app = Router::new()
            .route(&format!("{p}/.well-known/openid-configuration"), get(discovery))
            .route(&format!("{p}/authorize"), get(authorize))
            .route(&format!("{p}/access_token"), post(token))
            .route(&format!("{p}/userinfo"), get(userinfo))
            .route(&format!("{p}/connect/jwk_uri"), get(jwks))
            .route(&format!("{p}/connect/endSession"), get(|| async { "signed out" }))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeOp(state)
    }

    pub fn issuer(&self) -> IssuerUrl {
        IssuerUrl::new(self.0.issuer.clone()).unwrap()
    }

    pub fn set_next_user(&self, user: UserSpec) {
        *self.0.next_user.lock().unwrap() = user;
    }

    pub fn set_rp_jwks(&self, url: String) {
        *self.0.rp_jwks_url.lock().unwrap() = Some(url);
    }

    /// Publishes `k` and signs with it from now on (OP signing-key rotation).
    pub fn rotate_to(&self, k: SigningKey) {
        self.0.published.lock().unwrap().push(k.clone());
        *self.0.signing.lock().unwrap() = k;
    }

    fn next_id(&self) -> String {
        format!("{}-{}", self.0.counter.fetch_add(1, Ordering::SeqCst), rand_hex())
    }

    /// Standard CIS2-style logout-token claims (no `exp`, as CIS2 sends).
    pub fn logout_claims(&self, sub: Option<&str>, sid: Option<&str>) -> Map<String, Value> {
        let mut c = cis2_sdk::LogoutTokenClaims::new(
            self.0.issuer.clone(),
            CLIENT_ID,
            self.0.clock.now(),
            self.next_id(),
        );
        c.sub = sub.map(Into::into);
        c.sid = sid.map(Into::into);
        c.to_claims()
    }

    /// Signs claims as a logout token with the current key.
    pub fn sign(&self, claims: &Map<String, Value>) -> String {
        let k = self.0.signing.lock().unwrap().clone();
        k.sign_jwt(Some("logout+jwt"), &Map::new(), claims, &mut rand::rngs::OsRng)
            .unwrap()
    }

    pub fn logout_token(&self, sub: Option<&str>, sid: Option<&str>) -> String {
        self.sign(&self.logout_claims(sub, sid))
    }

    /// An unsigned (`alg: none`) token.
    pub fn unsigned(&self, claims: &Map<String, Value>) -> String {
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "typ": "logout+jwt"})),
            b64(&Value::Object(claims.clone()))
        )
    }
}

fn rand_hex() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn discovery(State(s): State<Arc<OpState>>) -> Json<Value> {
    let i = &s.issuer;
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/access_token"),
        "userinfo_endpoint": format!("{i}/userinfo"),
        "jwks_uri": format!("{i}/connect/jwk_uri"),
        "end_session_endpoint": format!("{i}/connect/endSession"),
        "response_types_supported": ["code"],
        "id_token_signing_alg_values_supported": ["RS256", "RS512"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": ["AAL3_ANY", "AAL2_OR_AAL3_ANY", "AAL2_ANY"],
        "backchannel_logout_supported": true,
    }))
}

async fn jwks(State(s): State<Arc<OpState>>) -> Response {
    s.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    if s.jwks_down.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "down").into_response();
    }
    let keys: Vec<_> = s
        .published
        .lock()
        .unwrap()
        .iter()
        .map(|k| k.public_jwk().unwrap())
        .collect();
    Json(JwkSet::from_keys(keys).unwrap().to_json()).into_response()
}

async fn authorize(State(s): State<Arc<OpState>>, Query(q): Query<HashMap<String, String>>) -> Response {
    s.authorize_requests.lock().unwrap().push(q.clone());
    let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
    let state = q.get("state").cloned().unwrap_or_default();
    if let Some(err) = s.authorize_error.lock().unwrap().clone() {
        let sep = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("error", &err)
            .append_pair("state", &state)
            .finish();
        return (
            StatusCode::FOUND,
            [(header::LOCATION, format!("{redirect}?{sep}"))],
        )
            .into_response();
    }
    assert_eq!(q.get("client_id").map(String::as_str), Some(CLIENT_ID));
    assert_eq!(q.get("code_challenge_method").map(String::as_str), Some("S256"));
    let code = format!("code-{}", rand_hex());
    let acr = q
        .get("acr_values")
        .and_then(|a| a.split(' ').next())
        .unwrap_or("AAL3_ANY")
        .to_owned();
    s.codes.lock().unwrap().insert(
        code.clone(),
        Grant {
            nonce: q.get("nonce").cloned().unwrap_or_default(),
            challenge: q.get("code_challenge").cloned().unwrap_or_default(),
            redirect_uri: redirect.clone(),
            user: s.next_user.lock().unwrap().clone(),
            acr,
        },
    );
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code)
        .append_pair("state", &state)
        .finish();
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("{redirect}?{query}"))],
    )
        .into_response()
}

fn oauth_err(status: StatusCode, code: &str, why: impl std::fmt::Display) -> Response {
    (
        status,
        Json(json!({"error": code, "error_description": why.to_string()})),
    )
        .into_response()
}

async fn token(State(s): State<Arc<OpState>>, Form(f): Form<HashMap<String, String>>) -> Response {
    s.token_requests.fetch_add(1, Ordering::SeqCst);
    let now = s.clock.now();
    if f.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return oauth_err(StatusCode::BAD_REQUEST, "unsupported_grant_type", "grant");
    }
    // private_key_jwt, checked with the sdk's own client-assertion validator against the RP's JWKS.
    if f.get("client_assertion_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    {
        return oauth_err(StatusCode::UNAUTHORIZED, "invalid_client", "no client assertion");
    }
    let assertion = f.get("client_assertion").cloned().unwrap_or_default();
    let Some(rp_jwks) = s.rp_jwks_url.lock().unwrap().clone() else {
        return oauth_err(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "no RP JWKS registered",
        );
    };
    let body = reqwest::get(&rp_jwks).await.unwrap().bytes().await.unwrap();
    let client_jwks = match JwkSet::parse(&body) {
        Ok(j) => j,
        Err(e) => return oauth_err(StatusCode::UNAUTHORIZED, "invalid_client", e),
    };
    let validator = TokenValidator::new(
        IssuerUrl::new(s.issuer.clone()).unwrap(),
        cis2_sdk::ClientId::new(CLIENT_ID).unwrap(),
        ValidationPolicy::new(Crypto::default()),
    );
    let token_endpoint = format!("{}/access_token", s.issuer);
    let checked = match validator.validate_client_assertion(
        &assertion,
        &client_jwks,
        &[Algorithm::RS256, Algorithm::RS512],
        &token_endpoint,
        Duration::from_secs(300),
        now,
    ) {
        Ok(c) => c,
        Err(e) => return oauth_err(StatusCode::UNAUTHORIZED, "invalid_client", e),
    };
    {
        let mut jtis = s.assertion_jtis.lock().unwrap();
        if jtis.contains(&checked.jti) {
            return oauth_err(StatusCode::UNAUTHORIZED, "invalid_client", "assertion jti reused");
        }
        jtis.push(checked.jti);
    }
    let (header, _) = cis2_sdk::dangerous::insecure_decode(&assertion).unwrap();
    s.assertion_kids
        .lock()
        .unwrap()
        .push(header.kid.unwrap_or_default());

    let code = f.get("code").cloned().unwrap_or_default();
    let Some(grant) = s.codes.lock().unwrap().remove(&code) else {
        return oauth_err(StatusCode::BAD_REQUEST, "invalid_grant", "unknown code");
    };
    if f.get("redirect_uri") != Some(&grant.redirect_uri) {
        return oauth_err(StatusCode::BAD_REQUEST, "invalid_grant", "redirect_uri");
    }
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    if cis2_sdk::pkce_challenge(&verifier) != grant.challenge {
        return oauth_err(StatusCode::BAD_REQUEST, "invalid_grant", "PKCE");
    }
    s.verifiers.lock().unwrap().push(verifier);
    let aal = cis2_sdk::acr::acr_level(&grant.acr).unwrap_or(3);
    let access = format!("at-{}", rand_hex());
    let mut c = Map::new();
    c.insert("iss".into(), s.issuer.clone().into());
    c.insert("sub".into(), grant.user.sub.clone().into());
    c.insert("aud".into(), CLIENT_ID.into());
    c.insert("exp".into(), (now.as_secs() + 300).into());
    c.insert("iat".into(), now.as_secs().into());
    c.insert("auth_time".into(), now.as_secs().into());
    c.insert("nonce".into(), grant.nonce.into());
    c.insert("acr".into(), grant.acr.into());
    c.insert("amr".into(), json!(["SCAL"]));
    c.insert("sid".into(), grant.user.sid.clone().into());
    c.insert("id_assurance_level".into(), "3".into());
    c.insert("authentication_assurance_level".into(), aal.to_string().into());
    if let Some(r) = &grant.user.selected_roleid {
        c.insert("selected_roleid".into(), r.clone().into());
    }
    let k = s.signing.lock().unwrap().clone();
    let id_token = k
        .sign_jwt(Some("JWT"), &Map::new(), &c, &mut rand::rngs::OsRng)
        .unwrap();
    s.access_tokens.lock().unwrap().insert(access.clone(), grant.user);
    Json(json!({"access_token": access, "token_type": "Bearer", "id_token": id_token, "expires_in": 300}))
        .into_response()
}

async fn userinfo(State(s): State<Arc<OpState>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let Some(user) = s.access_tokens.lock().unwrap().get(token).cloned() else {
        return oauth_err(StatusCode::UNAUTHORIZED, "invalid_token", "unknown token");
    };
    Json(json!({
        "sub": user.sub,
        "nhsid_useruid": user.sub,
        "name": "Dr Test User",
        "selected_roleid": user.selected_roleid,
        "nhsid_nrbac_roles": [
            {"person_roleid": "R1", "org_code": "RXX", "role_code": "S8000:G8000:R8000",
             "role_name": "\"Clinical\":\"Clinical Provision\":\"Clinical Practitioner Access Role\"",
             "activity_codes": ["B0420", "B0570"]},
            {"person_roleid": "R2", "org_code": "RYY", "role_code": "S8000:G8001:R8001",
             "role_name": "\"Admin\":\"Admin\":\"Receptionist\"", "activity_codes": ["B0001"]}
        ],
        "nhsid_user_orgs": [{"org_code": "RXX", "org_name": "Test Trust"}, {"org_code": "RYY", "org_name": "Other Trust"}],
    }))
    .into_response()
}
