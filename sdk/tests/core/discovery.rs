//! Provider metadata checks (Discovery §4.3; catalogue CS-08, FLOW-14, REL-04).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::support::*;
use cis2_sdk::*;
use serde_json::{Map, Value, json};

const DISCOVERY: &str = include_str!("../../testdata/discovery-int.json");

fn doc() -> Map<String, Value> {
    serde_json::from_str(DISCOVERY).unwrap()
}

fn response(body: Vec<u8>, status: u16, ct: &str) -> HttpResponse {
    http_types::Response::builder()
        .status(status)
        .header("content-type", ct)
        .body(body)
        .unwrap()
}

fn parse(d: Map<String, Value>) -> Result<ProviderMetadata, Error> {
    ProviderMetadata::from_response(
        &issuer(),
        &response(Value::Object(d).to_string().into_bytes(), 200, "application/json"),
        &[Algorithm::RS256],
    )
}

fn kind(r: Result<ProviderMetadata, Error>) -> ErrorKind {
    r.map(|_| ()).unwrap_err().into_kind()
}

#[test]
fn cis2_discovery_parses_and_keeps_everything() {
    let m = parse(doc()).unwrap();
    assert_eq!(m.issuer, issuer());
    assert_eq!(
        m.token_endpoint.as_str(),
        "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare/access_token"
    );
    assert!(m.backchannel_logout_supported);
    assert!(m.acr_values_supported.contains(&"AAL3_ANY".to_owned()));
    assert_eq!(m.raw["subject_types_supported"], json!(["public"]));
}

#[test]
fn discovery_request_targets_the_well_known_path() {
    let req = discovery_request(&issuer()).unwrap();
    assert_eq!(req.method(), "GET");
    assert_eq!(
        req.uri().to_string(),
        "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare/.well-known/openid-configuration"
    );
}

#[test]
fn cs_08_issuer_mismatch_is_refused() {
    let mut d = doc();
    let bad = format!("{}INVALID", issuer());
    d.insert("issuer".into(), json!(bad));
    match kind(parse(d)) {
        ErrorKind::Provider(ProviderError::IssuerMismatch { expected, actual }) => {
            assert_eq!(expected, issuer().as_str());
            assert_eq!(actual, bad);
        }
        other => panic!("{other:?}"),
    }
    // The `:443` matters both ways.
    let mut d = doc();
    d.insert("issuer".into(), json!(issuer().as_str().replacen(":443", "", 1)));
    assert!(matches!(
        kind(parse(d)),
        ErrorKind::Provider(ProviderError::IssuerMismatch { .. })
    ));
}

#[test]
fn required_members_must_be_present() {
    for member in ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"] {
        let mut d = doc();
        d.remove(member);
        assert!(
            matches!(
                kind(parse(d)),
                ErrorKind::Provider(ProviderError::MissingMember { .. })
            ),
            "{member}"
        );
    }
    let mut d = doc();
    d.remove("userinfo_endpoint");
    assert!(parse(d).unwrap().userinfo_endpoint.is_none());
}

#[test]
fn flow_14_endpoints_must_stay_on_the_issuer_origin_and_https() {
    for (member, value) in [
        ("token_endpoint", "https://evil.example/access_token"),
        (
            "token_endpoint",
            "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:8443/x",
        ),
        (
            "jwks_uri",
            "http://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk/connect/jwk_uri",
        ),
        ("authorization_endpoint", "not a url"),
    ] {
        let mut d = doc();
        d.insert(member.into(), json!(value));
        assert!(
            matches!(
                kind(parse(d)),
                ErrorKind::Provider(ProviderError::BadEndpoint { .. })
            ),
            "{member}={value}"
        );
    }
}

#[test]
fn provider_must_offer_code_and_our_algorithm() {
    let mut d = doc();
    d.insert("response_types_supported".into(), json!(["id_token"]));
    assert!(matches!(
        kind(parse(d)),
        ErrorKind::Provider(ProviderError::Unsupported { .. })
    ));
    let mut d = doc();
    d.insert("id_token_signing_alg_values_supported".into(), json!(["HS256"]));
    assert!(matches!(
        kind(parse(d)),
        ErrorKind::Provider(ProviderError::Unsupported { .. })
    ));
    let mut d = doc();
    d.insert("scopes_supported".into(), json!("openid"));
    assert!(matches!(
        kind(parse(d)),
        ErrorKind::Provider(ProviderError::Malformed { .. })
    ));
}

#[test]
fn rel_04_bad_responses_are_refused() {
    let body = Value::Object(doc()).to_string().into_bytes();
    let r = |resp| {
        ProviderMetadata::from_response(&issuer(), &resp, &[Algorithm::RS256])
            .map(|_| ())
            .unwrap_err()
            .into_kind()
    };
    assert!(matches!(
        r(response(body.clone(), 500, "application/json")),
        ErrorKind::Http(HttpError::UnexpectedStatus { status: 500, .. })
    ));
    assert!(matches!(
        r(response(b"<html/>".to_vec(), 200, "text/html")),
        ErrorKind::Http(HttpError::UnexpectedContentType { .. })
    ));
    assert!(matches!(
        r(response(vec![b' '; 10 * 1024 * 1024], 200, "application/json")),
        ErrorKind::Http(HttpError::BodyTooLarge { .. })
    ));
    assert!(matches!(
        r(response(b"{".to_vec(), 200, "application/json")),
        ErrorKind::Provider(ProviderError::Malformed { .. })
    ));
    assert!(
        ProviderMetadata::from_response(
            &issuer(),
            &response(body, 200, "application/json; charset=utf-8"),
            &[Algorithm::RS256]
        )
        .is_ok()
    );
}

#[test]
fn jwks_response_is_checked() {
    let ok = response(
        jwks_a().to_json().to_string().into_bytes(),
        200,
        "application/json",
    );
    assert_eq!(jwks_from_response(&ok).unwrap().keys().len(), 1);
    let empty = response(br#"{"keys":[]}"#.to_vec(), 200, "application/jwk-set+json");
    assert!(matches!(
        jwks_from_response(&empty).unwrap_err().into_kind(),
        ErrorKind::Provider(ProviderError::NoUsableKeys { .. })
    ));
    let err = response(b"oops".to_vec(), 503, "text/plain");
    assert_eq!(
        jwks_from_response(&err).unwrap_err().code(),
        "http.unexpected_status"
    );
}

#[test]
fn dangerous_http_issuer_allows_http_endpoints_on_its_own_origin_only() {
    assert!(IssuerUrl::new("http://mock-idp:9000/realm").is_err());
    let iss = dangerous::http_issuer_url("http://mock-idp:9000/realm").unwrap();
    let mut d = Map::new();
    d.insert("issuer".into(), json!(iss.as_str()));
    for (m, p) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/access_token"),
        ("jwks_uri", "/connect/jwk_uri"),
    ] {
        d.insert(m.into(), json!(format!("{iss}{p}")));
    }
    assert!(ProviderMetadata::from_document(&iss, d.clone(), &[Algorithm::RS256]).is_ok());
    d.insert(
        "jwks_uri".into(),
        json!("http://elsewhere:9000/realm/connect/jwk_uri"),
    );
    assert!(matches!(
        ProviderMetadata::from_document(&iss, d, &[Algorithm::RS256]),
        Err(ProviderError::BadEndpoint {
            member: "jwks_uri",
            ..
        })
    ));
}

#[test]
fn provider_side_helpers() {
    let c = IdTokenClaims::new(
        "i".into(),
        "s".into(),
        vec!["a".into()],
        UnixTime::from_secs(2),
        UnixTime::from_secs(1),
    );
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v, json!({"iss": "i", "sub": "s", "aud": "a", "exp": 2, "iat": 1}));
    assert!(
        key_a()
            .public_key_pem()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    assert!(
        key_ec()
            .public_key_pem()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
}
