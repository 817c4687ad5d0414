#![allow(clippy::expect_used, missing_docs)]
//! Full ID-token validation (parse, key selection, RS256 verify, every claim check) with a cached JWKS,
//! beside a bare RSA-2048 PKCS#1 v1.5 verification of the same signature with the same key, in the same run.
//!
//! Run: `cargo bench -p cis2-sdk --features aws-lc --bench validation`
//! Compare with `openssl speed rsa2048` (verify/s) on the same machine.

use std::hint::black_box;

use cis2_sdk::{
    Algorithm, ClientId, Crypto, Environment, IdTokenExpectations, JwkSet, Nonce, SigningKey, TokenValidator,
    UnixTime, ValidationPolicy,
};
use criterion::{Criterion, criterion_group, criterion_main};
use rand_chacha::rand_core::SeedableRng;
use serde_json::{Map, Value, json};
use sha2::Digest;

const NOW: u64 = 1_700_000_000;
const PEM: &str = include_str!("../testdata/rsa-a.pem");

fn token(key: &SigningKey) -> String {
    let iss = Environment::Integration.issuer_str();
    let Value::Object(claims) = json!({
        "sub": "656005750104", "iss": iss, "aud": "969567331415.apps.national", "azp": "969567331415.apps.national",
        "exp": NOW + 600, "iat": NOW - 5, "auth_time": NOW - 20, "nonce": "n-0S6_WzA2Mj", "acr": "AAL3_ANY",
        "amr": ["N3_SMARTCARD"], "sid": "sid-1", "id_assurance_level": "3", "authentication_assurance_level": "3",
        "selected_roleid": "555254240100", "auditTrackingId": "91f694e6-3749-42fd-90b0-c3134b0d98f6-1546391",
        "tokenName": "id_token", "tokenType": "JWTToken", "realm": "/NHSIdentity/Healthcare"
    }) else {
        return String::new();
    };
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([1; 32]);
    key.sign_jwt(Some("JWT"), &Map::new(), &claims, &mut rng)
        .unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let key = SigningKey::from_pkcs8_pem(PEM, Algorithm::RS256)
        .expect("key")
        .with_kid("b/O6OvVv1+y+WgrH5Ui9WTioLt0=");
    let jwks = JwkSet::from_keys([key.public_jwk().expect("jwk")]).expect("jwks");
    let token = token(&key);
    let nonce = Nonce::new("n-0S6_WzA2Mj");
    let now = UnixTime::from_secs(NOW);
    let issuer = Environment::Integration.issuer().expect("issuer");
    let client = ClientId::new("969567331415.apps.national").expect("client");
    let (input, sig_b64) = token.rsplit_once('.').expect("jws");
    let sig = cis2_sdk::b64url_decode(sig_b64).expect("sig");

    let mut g = c.benchmark_group("rs256");
    // The JOSE parsing share of a validation: split, base64url, strict JSON (no signature, no claim checks).
    g.bench_function("parse_only", |b| {
        b.iter(|| cis2_sdk::dangerous::insecure_decode(black_box(&token)).expect("parse"))
    });
    // Baseline 1: bare RustCrypto verify of the same signature (hashing included).
    let private = <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(PEM).expect("pem");
    let public = private.to_public_key();
    g.bench_function("bare_verify_rustcrypto", |b| {
        b.iter(|| {
            let h = sha2::Sha256::digest(black_box(input.as_bytes()));
            public
                .verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &h, black_box(&sig))
                .expect("verify")
        })
    });
    let v = TokenValidator::new(
        issuer.clone(),
        client.clone(),
        ValidationPolicy::new(Crypto::rust_crypto()),
    );
    g.bench_function("full_validation_rustcrypto", |b| {
        b.iter(|| {
            v.validate_id_token(black_box(&token), &jwks, &IdTokenExpectations::new(&nonce), now)
                .expect("valid")
        })
    });

    #[cfg(feature = "aws-lc")]
    {
        use rsa::traits::PublicKeyParts;
        let n = public.n().to_bytes_be();
        let e = public.e().to_bytes_be();
        g.bench_function("bare_verify_aws_lc", |b| {
            b.iter(|| {
                aws_lc_rs::signature::RsaPublicKeyComponents { n: &n[..], e: &e[..] }
                    .verify(
                        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                        black_box(input.as_bytes()),
                        black_box(&sig),
                    )
                    .expect("verify")
            })
        });
        let v = TokenValidator::new(issuer, client, ValidationPolicy::new(Crypto::aws_lc()));
        g.bench_function("full_validation_aws_lc", |b| {
            b.iter(|| {
                v.validate_id_token(black_box(&token), &jwks, &IdTokenExpectations::new(&nonce), now)
                    .expect("valid")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
