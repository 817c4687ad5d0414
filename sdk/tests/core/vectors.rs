//! The stored vectors in `sdk/testdata/` (see its README): each decides as documented.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::assert_err;
use crate::support::*;
use cis2_sdk::*;

const JWKS: &str = include_str!("../../testdata/jwks-cis2.json");
const DISCOVERY: &str = include_str!("../../testdata/discovery-int.json");

fn jwks() -> JwkSet {
    JwkSet::parse(JWKS.as_bytes()).unwrap()
}

fn check(token: &str) -> Result<IdTokenClaims, TokenError> {
    expect_id(&validator(), token.trim(), &jwks())
}

#[test]
fn vector_jwks_has_cis2_style_kids() {
    let set = jwks();
    assert_eq!(set.keys().len(), 2);
    assert!(
        set.keys()
            .iter()
            .all(|k| k.kid().is_some_and(|kid| kid.len() == 28 && kid.ends_with('=')))
    );
}

#[test]
fn vector_good_id_token_validates() {
    let c = check(include_str!("../../testdata/id-token-good.jwt")).unwrap();
    assert_eq!(c.sub, "656005750104");
    assert!(c.iss.contains(":443/"));
}

#[test]
fn vector_tampered_tokens_are_rejected() {
    assert_err!(
        check(include_str!("../../testdata/id-token-bad-signature.jwt")),
        TokenError::InvalidSignature
    );
    assert_err!(
        check(include_str!("../../testdata/id-token-alg-none.jwt")),
        TokenError::Malformed { .. }
    );
    assert_err!(
        check(include_str!("../../testdata/id-token-hs256-public-key.jwt")),
        TokenError::AlgorithmNotAllowed { .. }
    );
    assert_err!(
        check(include_str!("../../testdata/id-token-iss-without-port.jwt")),
        TokenError::IssuerMismatch { .. }
    );
}

#[test]
fn vector_logout_token_validates() {
    let t = include_str!("../../testdata/logout-token-good.jwt").trim();
    let lt = validator().validate_logout_token(t, &jwks(), now()).unwrap();
    assert_eq!(lt.sid.as_deref(), Some("sid-1"));
}

#[test]
fn vector_discovery_document_keeps_the_port() {
    let doc: serde_json::Map<String, serde_json::Value> = serde_json::from_str(DISCOVERY).unwrap();
    let m = ProviderMetadata::from_document(&issuer(), doc, &[Algorithm::RS256]).unwrap();
    assert!(m.token_endpoint.as_str().contains(":443/"));
    assert!(m.raw.contains_key("check_session_iframe"));
}
