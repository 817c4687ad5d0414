//! JWKS parsing and key selection (CS-03..06, CS-52, JWT-17, JWT-18, JWKS-04, CS-59).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::assert_err;
use crate::support::*;
use cis2_sdk::*;
use serde_json::{Value, json};

fn no_kid(key: &SigningKey) -> serde_json::Map<String, Value> {
    let mut j = public_json(key);
    j.remove("kid");
    j
}

#[test]
fn cis2_style_kids_are_opaque_strings() {
    let set = jwks_a();
    assert_eq!(
        set.select(Algorithm::RS256, Some(KID_A)).unwrap().kid(),
        Some(KID_A)
    );
    assert!(KID_A.contains('/') && KID_A.contains('+') && KID_A.ends_with('='));
    assert_err!(
        set.select(Algorithm::RS256, Some("b_O6OvVv1-y-WgrH5Ui9WTioLt0")),
        TokenError::NoMatchingKey { .. }
    );
}

#[test]
fn cs_03_kid_absent_single_key_is_accepted() {
    let set = jwks_from(json!({"keys": [no_kid(&key_a())]}));
    let token = sign_with_header(&key_a(), json!({}), &id_claims());
    // The signer always writes a kid; strip it to model the OIDF case.
    let (h, rest) = token.split_once('.').unwrap();
    let mut header: serde_json::Map<String, Value> =
        serde_json::from_slice(&b64url_decode(h).unwrap()).unwrap();
    header.remove("kid");
    let unsigned = format!(
        "{}.{}",
        b64url_encode(Value::Object(header).to_string()),
        rest.rsplit_once('.').unwrap().0
    );
    let sig = key_a().sign(unsigned.as_bytes(), &mut rng()).unwrap();
    let token = format!("{unsigned}.{}", b64url_encode(sig));
    assert!(expect_id(&validator(), &token, &set).is_ok());
}

#[test]
fn cs_04_kid_absent_multiple_keys_is_ambiguous() {
    let set = jwks_from(json!({"keys": [no_kid(&key_a()), no_kid(&key_b())]}));
    match set.select(Algorithm::RS256, None) {
        Err(TokenError::AmbiguousKey {
            kid: None,
            candidates: 2,
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn cs_05_cs_06_unknown_kid_names_the_kid_for_one_refetch() {
    // Keys rotated to B: a cached set holding only A fails with the kid to refetch for.
    let token = sign(&key_b(), None, &id_claims());
    match expect_id(&validator(), &token, &jwks_a()) {
        Err(TokenError::NoMatchingKey { kid, alg }) => {
            assert_eq!(kid.as_deref(), Some(KID_B));
            assert_eq!(alg, "RS256");
            assert!(!jwks_a().knows_kid(KID_B));
        }
        other => panic!("{other:?}"),
    }
    let refreshed =
        JwkSet::from_keys([key_a().public_jwk().unwrap(), key_b().public_jwk().unwrap()]).unwrap();
    assert!(expect_id(&validator(), &token, &refreshed).is_ok());
}

#[test]
fn cs_52_decoy_keys_sharing_a_kid_are_told_apart_by_type_and_alg() {
    let mut ps_decoy = public_json(&key_b());
    ps_decoy.insert("kid".into(), json!(KID_A));
    ps_decoy.insert("alg".into(), json!("PS256"));
    let mut ec_decoy = public_json(&key_ec());
    ec_decoy.insert("kid".into(), json!(KID_A));
    let okp_decoy = json!({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": KID_A, "alg": "EdDSA"});
    let set = jwks_from(json!({"keys": [ps_decoy, ec_decoy, okp_decoy, public_json(&key_a())]}));
    assert!(expect_id(&validator(), &sign(&key_a(), None, &id_claims()), &set).is_ok());
}

#[test]
fn jwt_17_rsa_keys_under_2048_bits_are_refused() {
    let weak = <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(RSA_WEAK).unwrap();
    use rsa::traits::PublicKeyParts;
    let jwk = json!({"kty": "RSA", "kid": KID_WEAK, "use": "sig", "alg": "RS256",
        "n": b64url_encode(weak.n().to_bytes_be()), "e": b64url_encode(weak.e().to_bytes_be())});
    let set = jwks_from(json!({"keys": [jwk]}));
    assert!(set.keys().is_empty());
    assert_eq!(set.rejected()[0].kid.as_deref(), Some(KID_WEAK));
    // A token signed by the weak key is refused, naming the reason.
    let header = json!({"alg": "RS256", "kid": KID_WEAK});
    let input = format!(
        "{}.{}",
        b64url_encode(header.to_string()),
        b64url_encode(Value::Object(id_claims()).to_string())
    );
    use sha2::Digest;
    let sig = weak
        .sign(
            rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            &sha2::Sha256::digest(input.as_bytes()),
        )
        .unwrap();
    let token = format!("{input}.{}", b64url_encode(sig));
    match expect_id(&validator(), &token, &set) {
        Err(TokenError::KeyRejected { kid, reason }) => {
            assert_eq!(kid.as_deref(), Some(KID_WEAK));
            assert!(reason.contains("1024 bits"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn jwt_18_key_usage_restrictions_are_honoured() {
    let token = sign(&key_a(), None, &id_claims());
    for (member, value) in [
        ("use", json!("enc")),
        ("key_ops", json!(["encrypt"])),
        ("key_ops", json!([])),
        ("alg", json!("RS512")),
    ] {
        let mut jwk = public_json(&key_a());
        jwk.insert(member.into(), value.clone());
        let set = jwks_from(json!({"keys": [jwk]}));
        assert_err!(
            expect_id(&validator(), &token, &set),
            TokenError::NoMatchingKey { .. }
        );
    }
    let mut jwk = public_json(&key_a());
    jwk.insert("key_ops".into(), json!(["verify"]));
    assert!(expect_id(&validator(), &token, &jwks_from(json!({"keys": [jwk]}))).is_ok());
}

#[test]
fn jwks_04_malformed_documents_are_refused_whole() {
    let a = Value::Object(public_json(&key_a()));
    let mut with_d = public_json(&key_a());
    with_d.insert("d".into(), json!("AQAB"));
    let mut no_kty = public_json(&key_a());
    no_kty.remove("kty");
    let cases: Vec<Vec<u8>> = vec![
        b"<html>nope</html>".to_vec(),
        br#"{"keys": {}}"#.to_vec(),
        br#"{"keys": [1]}"#.to_vec(),
        br#"[]"#.to_vec(),
        json!({"keys": [no_kty]}).to_string().into_bytes(),
        json!({"keys": [with_d]}).to_string().into_bytes(),
        json!({"keys": [a.clone(), a.clone()]}).to_string().into_bytes(),
        json!({"keys": [{"kty": "RSA", "n": "!!", "e": "AQAB"}]})
            .to_string()
            .into_bytes(),
        format!(r#"{{"keys":[{a}],"keys":[]}}"#).into_bytes(),
    ];
    for c in cases {
        assert!(JwkSet::parse(&c).is_err(), "{}", String::from_utf8_lossy(&c));
    }
    // A symmetric key in a public JWKS is a leaked secret: refused; and never used to verify.
    assert!(
        JwkSet::parse(
            json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})
                .to_string()
                .as_bytes()
        )
        .is_err()
    );
    let set = jwks_from(
        json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}),
    );
    assert!(set.keys().is_empty());
}

#[test]
fn rfc_7638_thumbprint_matches_the_rfc_example() {
    let jwk = json!({"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29",
        "n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"});
    let set = jwks_from(json!({"keys": [jwk]}));
    assert_eq!(
        set.keys()[0].thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

#[test]
fn cs_59_published_rp_keys_are_public_distinct_and_strong() {
    let a = SigningKey::from_pkcs8_pem(RSA_A, Algorithm::RS512).unwrap();
    let b = SigningKey::from_pkcs8_pem(RSA_B, Algorithm::RS512).unwrap();
    assert_ne!(a.kid(), b.kid());
    assert_eq!(a.kid(), a.public_jwk().unwrap().thumbprint());
    let doc = JwkSet::from_keys([a.public_jwk().unwrap(), b.public_jwk().unwrap()])
        .unwrap()
        .to_json();
    for k in doc["keys"].as_array().unwrap() {
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(k.get(private).is_none());
        }
        assert_eq!(k["alg"], "RS512");
        assert_eq!(k["use"], "sig");
        assert!(b64url_decode(k["n"].as_str().unwrap()).unwrap().len() >= 256);
    }
    assert!(format!("{a:?}").contains("kid") && !format!("{a:?}").contains("PRIVATE"));
}
