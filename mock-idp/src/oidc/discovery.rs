//! Discovery (the reconstruction of cis2.md §3, every URL built from the issuer string) and the JWKS.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::endpoint_fault::endpoint_fault;
use crate::faults::Target;
use crate::observed::ObservedEndpoint;
use crate::pages::index_page;
use crate::state::{AppState, read};

/// Scopes the mock knows (cis2.md §8.1).
pub(crate) const SCOPES_SUPPORTED: [&str; 10] = [
    "openid",
    "profile",
    "email",
    "nhsperson",
    "associatedorgs",
    "nationalrbacaccess",
    "professionalmemberships",
    "organisationalmemberships",
    "selectedrole",
    "changedrole",
];

/// Endpoint names and URLs, for the banner and the start page.
pub(crate) fn endpoint_list(st: &AppState) -> Vec<(&'static str, String)> {
    vec![
        ("discovery:", st.endpoint("/.well-known/openid-configuration")),
        ("authorize:", st.endpoint("/authorize")),
        ("token:", st.endpoint("/access_token")),
        ("userinfo:", st.endpoint("/userinfo")),
        ("jwks:", st.endpoint("/connect/jwk_uri")),
        ("end session:", st.endpoint("/connect/endSession")),
        ("introspection:", st.endpoint("/introspect")),
        ("revocation:", st.endpoint("/token/revoke")),
    ]
}

/// The discovery document: the mock's reconstruction of cis2.md §3, then the instance's overrides
/// (`[discovery]`, `PUT /admin/api/discovery`). `check_session_iframe` ([I] a ForgeRock default no CIS2
/// source shows) is not advertised, as the mock serves no check-session page; an override can add it back.
pub(crate) fn document(st: &AppState) -> serde_json::Value {
    let mut doc = base_document(st);
    if let serde_json::Value::Object(m) = &mut doc {
        read(&st.0.discovery).apply(m, st.issuer());
    }
    doc
}

/// The document before overrides.
fn base_document(st: &AppState) -> serde_json::Value {
    let acr: Vec<&str> = cis2_sdk::acr::ACR_VALUES.iter().map(|(a, _)| *a).collect();
    json!({
        "issuer": st.issuer(),
        "authorization_endpoint": st.endpoint("/authorize"),
        "token_endpoint": st.endpoint("/access_token"),
        "userinfo_endpoint": st.endpoint("/userinfo"),
        "jwks_uri": st.endpoint("/connect/jwk_uri"),
        "end_session_endpoint": st.endpoint("/connect/endSession"),
        "introspection_endpoint": st.endpoint("/introspect"),
        "revocation_endpoint": st.endpoint("/token/revoke"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported":
            ["PS384","ES384","RS384","HS256","HS512","ES256","RS256","HS384","ES512","PS256","PS512","RS512"],
        "userinfo_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported":
            ["client_secret_post","client_secret_basic","client_secret_jwt","private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported":
            ["RS256","RS384","RS512","PS256","PS384","PS512","ES256","HS256"],
        "scopes_supported": SCOPES_SUPPORTED,
        "acr_values_supported": acr,
        "claims_supported": ["iss","sub","aud","azp","exp","iat","auth_time","nonce","acr","amr","sid",
            "id_assurance_level","authentication_assurance_level","selected_roleid","name","given_name",
            "family_name","uid","email","nhsid_useruid","idassurancelevel","nhsid_nrbac_roles","nhsid_user_orgs",
            "nhsid_org_roles","nhsid_org_memberships"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "code_challenge_methods_supported": ["plain","S256"],
    })
}

/// `GET /.well-known/openid-configuration`.
pub(crate) async fn discovery(State(st): State<AppState>) -> Response {
    let resp = match endpoint_fault(&st, None, None, Target::DiscoveryEndpoint).await {
        Some(r) => r,
        None => Json(document(&st)).into_response(),
    };
    st.observe(
        ObservedEndpoint::Discovery,
        None,
        None,
        resp.status().as_u16(),
        None,
    );
    resp
}

/// `GET /connect/jwk_uri`.
pub(crate) async fn jwks(State(st): State<AppState>) -> Response {
    let resp = match endpoint_fault(&st, None, None, Target::JwksEndpoint).await {
        Some(r) => r,
        None => {
            let doc = read(&st.0.keys).jwks(st.0.clock.now());
            ([(header::CONTENT_TYPE, "application/json")], Json(doc)).into_response()
        }
    };
    st.observe(ObservedEndpoint::Jwks, None, None, resp.status().as_u16(), None);
    resp
}

/// `GET /`: issuer, endpoints and test users.
pub(crate) async fn index(State(st): State<AppState>) -> Response {
    index_page(st.issuer(), &endpoint_list(&st), &st.users())
}
