//! JOSE / JWT attack classes (RFC 8725; catalogue JWT-*, CS-15..18, CS-43..45).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use crate::assert_err;
use crate::support::*;
use cis2_sdk::*;
use serde_json::json;

fn check(token: &str) -> Result<IdTokenClaims, TokenError> {
    expect_id(&validator(), token, &jwks_a())
}

#[test]
fn cs_15_cs_43_jwt_01_alg_none_family_is_rejected() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        for sig in [&b""[..], &b"x"[..]] {
            let t = raw_jws(json!({"alg": alg, "kid": KID_A}), &id_claims(), sig);
            let r = check(&t);
            assert!(
                matches!(r, Err(TokenError::AlgorithmNotAllowed { ref actual, .. }) if actual == alg)
                    || matches!(r, Err(TokenError::Malformed { .. })),
                "{alg}: {r:?}"
            );
        }
    }
    // With a signature segment the refusal is specifically the algorithm.
    match check(&raw_jws(json!({"alg": "none"}), &id_claims(), b"sig")) {
        Err(TokenError::AlgorithmNotAllowed { allowed, actual }) => {
            assert_eq!(allowed, vec!["RS256"]);
            assert_eq!(actual, "none");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cs_18_jwt_02_hmac_keyed_with_the_public_key_is_rejected() {
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    let private = <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(RSA_A).unwrap();
    let public = private.to_public_key();
    let pem = public.to_public_key_pem(LineEnding::LF).unwrap();
    let der = public.to_public_key_der().unwrap();
    let jwk = serde_json::to_vec(&public_json(&key_a())).unwrap();
    for alg in ["HS256", "HS384", "HS512"] {
        for key in [pem.as_bytes(), der.as_bytes(), &jwk[..]] {
            let t = hs256(json!({"alg": alg, "kid": KID_A, "typ": "JWT"}), &id_claims(), key);
            assert_err!(check(&t), TokenError::AlgorithmNotAllowed { .. });
        }
    }
    // CS-18: HS256 keyed with a client secret is refused the same way.
    assert_err!(
        check(&hs256(json!({"alg": "HS256"}), &id_claims(), b"client-secret")),
        TokenError::AlgorithmNotAllowed { .. }
    );
}

#[test]
fn cs_16_cs_45_invalid_rs256_signature_is_rejected() {
    let good = sign(&key_a(), None, &id_claims());
    assert_err!(check(&flip_signature(&good)), TokenError::InvalidSignature);
    // Signed by another key that claims A's kid.
    let forged = sign(&key_b().with_kid(KID_A), None, &id_claims());
    assert_err!(check(&forged), TokenError::InvalidSignature);
    // Payload swapped under a valid signature.
    let other = sign(&key_a(), None, &with(id_claims(), "sub", json!("attacker")));
    let (h, _) = good.split_once('.').unwrap();
    let (_, rest) = other.split_once('.').unwrap();
    let (p, _) = rest.split_once('.').unwrap();
    let (_, s) = good.rsplit_once('.').unwrap();
    assert_err!(check(&format!("{h}.{p}.{s}")), TokenError::InvalidSignature);
}

#[test]
fn cs_17_invalid_es256_signature_is_rejected_when_es256_is_configured() {
    let policy = ValidationPolicy::new(Crypto::default()).algorithms([Algorithm::ES256]);
    let v = TokenValidator::new(issuer(), client_id(), policy);
    let jwks = JwkSet::from_keys([key_ec().public_jwk().unwrap()]).unwrap();
    let good = sign(&key_ec(), None, &id_claims());
    assert!(expect_id(&v, &good, &jwks).is_ok());
    assert_err!(
        expect_id(&v, &flip_signature(&good), &jwks),
        TokenError::InvalidSignature
    );
    // JWT-22/CVE-2022-21449: an all-zero signature never verifies.
    let (input, _) = good.rsplit_once('.').unwrap();
    assert_err!(
        expect_id(&v, &format!("{input}.{}", b64url_encode([0u8; 64])), &jwks),
        TokenError::InvalidSignature
    );
    // DER-encoded signatures are not JWS ES256 signatures.
    let der = p256::ecdsa::Signature::from_slice(&b64url_decode(good.rsplit_once('.').unwrap().1).unwrap())
        .unwrap()
        .to_der();
    assert_err!(
        expect_id(&v, &format!("{input}.{}", b64url_encode(der.as_bytes())), &jwks),
        TokenError::InvalidSignature
    );
}

#[test]
fn cs_44_alternate_algorithm_is_rejected() {
    // PS256 is what this RP registered; the token arrives RS256.
    let policy = ValidationPolicy::new(Crypto::default()).algorithms([Algorithm::PS256]);
    let v = TokenValidator::new(issuer(), client_id(), policy);
    let mut jwk = public_json(&key_a());
    jwk.remove("alg");
    let jwks = jwks_from(json!({"keys": [jwk]}));
    assert_err!(
        expect_id(&v, &sign(&key_a(), None, &id_claims()), &jwks),
        TokenError::AlgorithmNotAllowed { .. }
    );
    let ps = SigningKey::from_pkcs8_pem(RSA_A, Algorithm::PS256)
        .unwrap()
        .with_kid(KID_A);
    assert!(expect_id(&v, &sign(&ps, None, &id_claims()), &jwks).is_ok());
}

#[test]
fn jwt_03_alg_and_key_family_mismatch_is_rejected() {
    // RS256 header naming the EC key's kid.
    let policy = ValidationPolicy::new(Crypto::default()).algorithms([
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::PS256,
    ]);
    let v = TokenValidator::new(issuer(), client_id(), policy);
    let jwks = JwkSet::from_keys([key_a().public_jwk().unwrap(), key_ec().public_jwk().unwrap()]).unwrap();
    let rs_with_ec_kid = sign(&key_a().with_kid(KID_EC), None, &id_claims());
    assert_err!(
        expect_id(&v, &rs_with_ec_kid, &jwks),
        TokenError::NoMatchingKey { .. }
    );
    let es_with_rsa_kid = sign(&key_ec().with_kid(KID_A), None, &id_claims());
    assert_err!(
        expect_id(&v, &es_with_rsa_kid, &jwks),
        TokenError::NoMatchingKey { .. }
    );
    // PS256 signed with A while A's JWK says alg RS256.
    let ps = SigningKey::from_pkcs8_pem(RSA_A, Algorithm::PS256)
        .unwrap()
        .with_kid(KID_A);
    assert_err!(
        expect_id(&v, &sign(&ps, None, &id_claims()), &jwks),
        TokenError::NoMatchingKey { .. }
    );
}

#[test]
fn jwt_04_05_06_token_supplied_keys_are_refused() {
    let attacker = key_b();
    let jwk = serde_json::Value::Object(public_json(&attacker));
    for (member, value) in [
        ("jwk", jwk),
        ("jku", json!("https://attacker.example/jwks")),
        ("jku", json!("http://169.254.169.254/latest/meta-data")),
        ("x5u", json!("http://localhost/cert.pem")),
        ("x5c", json!(["MIIBszCCAVmgAwIBAgIUB"])),
    ] {
        let t = sign_with_header(&attacker, json!({ member: value }), &id_claims());
        match check(&t) {
            Err(TokenError::UnsupportedHeader { member: m }) => assert_eq!(m, member),
            other => panic!("{member}: {other:?}"),
        }
    }
}

#[test]
fn jwt_09_unencoded_payload_is_rejected() {
    let t = sign_with_header(&key_a(), json!({"b64": false, "crit": ["b64"]}), &id_claims());
    assert_err!(check(&t), TokenError::UnsupportedHeader { .. });
    let t = sign_with_header(&key_a(), json!({"b64": false}), &id_claims());
    assert_err!(check(&t), TokenError::UnsupportedHeader { .. });
    let t = sign_with_header(&key_a(), json!({"crit": ["exp"]}), &id_claims());
    assert_err!(check(&t), TokenError::UnsupportedHeader { .. });
}

#[test]
fn jwt_10_nested_jwt_is_rejected() {
    let t = sign_with_header(&key_a(), json!({"cty": "JWT"}), &id_claims());
    assert_err!(check(&t), TokenError::UnsupportedHeader { .. });
}

#[test]
fn jwt_11_jwe_is_rejected() {
    let jwe = format!(
        "{}.a.b.c.d",
        b64url_encode(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)
    );
    assert_err!(check(&jwe), TokenError::Malformed { .. });
    let t = sign_with_header(&key_a(), json!({"enc": "A256GCM"}), &id_claims());
    assert_err!(check(&t), TokenError::UnsupportedHeader { .. });
}

#[test]
fn jwt_22_structure_is_compact_only() {
    let good = sign(&key_a(), None, &id_claims());
    let parts: Vec<&str> = good.split('.').collect();
    let cases = [
        format!("{}.{}", parts[0], parts[1]),
        format!("{good}.x"),
        format!(".{}.{}", parts[1], parts[2]),
        format!("{}.{}.", parts[0], parts[1]),
        format!(
            r#"{{"payload":"{}","signatures":[{{"protected":"{}","signature":"{}"}}]}}"#,
            parts[1], parts[0], parts[2]
        ),
        format!("{}={}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}", parts[0].replace('-', "+"), parts[1], parts[2]) + "+",
        format!("{} .{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}", b64url_encode("[]"), parts[1], parts[2]),
        format!(
            "{}.{}.{}",
            b64url_encode(r#"{"alg":"RS256","alg":"none"}"#),
            parts[1],
            parts[2]
        ),
        format!(
            "{}.{}.{}",
            parts[0],
            b64url_encode(r#"{"sub":"a","sub":"b"}"#),
            parts[2]
        ),
    ];
    for c in cases {
        assert_err!(check(&c), TokenError::Malformed { .. });
    }
}

#[test]
fn alg_is_case_sensitive_and_pinned() {
    let t = sign_with_header(&key_a(), json!({"alg": "rs256"}), &id_claims());
    assert_err!(check(&t), TokenError::AlgorithmNotAllowed { .. });
    let ps = SigningKey::from_pkcs8_pem(RSA_A, Algorithm::PS256)
        .unwrap()
        .with_kid(KID_A);
    assert_err!(
        check(&sign(&ps, None, &id_claims())),
        TokenError::AlgorithmNotAllowed { .. }
    );
}

#[test]
fn every_supported_algorithm_verifies_when_configured() {
    for alg in Algorithm::ALL {
        let key = if alg == Algorithm::ES256 {
            key_ec()
        } else {
            SigningKey::from_pkcs8_pem(RSA_A, alg).unwrap().with_kid(KID_A)
        };
        let v = TokenValidator::new(
            issuer(),
            client_id(),
            ValidationPolicy::new(Crypto::default()).algorithms([alg]),
        );
        let jwks = JwkSet::from_keys([key.public_jwk().unwrap()]).unwrap();
        let t = sign(&key, None, &id_claims());
        assert!(expect_id(&v, &t, &jwks).is_ok(), "{alg}");
        assert_err!(
            expect_id(&v, &flip_signature(&t), &jwks),
            TokenError::InvalidSignature
        );
    }
}

/// FUZ-05 in miniature: the aws-lc backend reaches the same decision as RustCrypto on valid and tampered
/// tokens for every algorithm, with and without an `alg` on the JWK (prepared and per-call key paths).
#[cfg(feature = "aws-lc")]
#[test]
fn aws_lc_backend_decides_like_rust_crypto() {
    for alg in Algorithm::ALL {
        let key = if alg == Algorithm::ES256 {
            key_ec()
        } else {
            SigningKey::from_pkcs8_pem(RSA_A, alg).unwrap().with_kid(KID_A)
        };
        let mut bare = public_json(&key);
        bare.remove("alg");
        for jwks in [
            JwkSet::from_keys([key.public_jwk().unwrap()]).unwrap(),
            jwks_from(json!({"keys": [bare]})),
        ] {
            let t = sign(&key, None, &id_claims());
            for token in [
                t.clone(),
                flip_signature(&t),
                sign(&key_b().with_kid(KID_A), None, &id_claims()),
            ] {
                let decide = |crypto| {
                    let v = TokenValidator::new(
                        issuer(),
                        client_id(),
                        ValidationPolicy::new(crypto).algorithms([alg]),
                    );
                    expect_id(&v, &token, &jwks).map(|c| c.sub)
                };
                assert_eq!(decide(Crypto::rust_crypto()), decide(Crypto::aws_lc()), "{alg}");
            }
        }
    }
}

/// The aws-lc signer produces the same RS* signatures as RustCrypto (PKCS#1 v1.5 is deterministic) and PS*
/// signatures that verify.
#[cfg(feature = "aws-lc")]
#[test]
fn aws_lc_signer_matches_rust_crypto() {
    for alg in [Algorithm::RS256, Algorithm::RS512, Algorithm::PS256] {
        let rc = SigningKey::from_pkcs8_pem(RSA_A, alg).unwrap().with_kid(KID_A);
        let fast = rc.clone().with_crypto(Crypto::aws_lc()).unwrap();
        let (a, b) = (sign(&rc, None, &id_claims()), sign(&fast, None, &id_claims()));
        if alg != Algorithm::PS256 {
            assert_eq!(a, b, "{alg}");
        }
        let v = TokenValidator::new(
            issuer(),
            client_id(),
            ValidationPolicy::new(Crypto::default()).algorithms([alg]),
        );
        let jwks = JwkSet::from_keys([rc.public_jwk().unwrap()]).unwrap();
        assert!(expect_id(&v, &b, &jwks).is_ok(), "{alg}");
    }
}
