//! Shared fixtures for the fuzz targets: the sdk's stored test vectors (`sdk/testdata`, public test keys), so
//! a target reaches the checks behind signature verification with a validator that accepts the good vector.

use cis2_sdk::{
    Algorithm, ClientId, Crypto, Environment, JwkSet, Nonce, SigningKey, TokenValidator, UnixTime,
    ValidationPolicy,
};

/// `now` at which the stored good ID token is valid.
pub const NOW: u64 = 1_700_000_000;
/// The client the stored vectors are issued to.
pub const CLIENT_ID: &str = "969567331415.apps.national";
/// The nonce of the stored good ID token.
pub const NONCE: &str = "n-0S6_WzA2Mj";

const JWKS: &str = include_str!("../../sdk/testdata/jwks-cis2.json");
const EC: &str = include_str!("../../sdk/testdata/ec-p256.pem");

/// The JWKS of the stored vectors (RSA keys A and B, CIS2-style kids).
pub fn jwks() -> JwkSet {
    JwkSet::parse(JWKS.as_bytes()).expect("stored JWKS parses")
}

/// A P-256 key (fast to sign with) and a JWKS holding keys A, B and it.
pub fn ec_key_and_jwks() -> (SigningKey, JwkSet) {
    let key = SigningKey::from_pkcs8_pem(EC, Algorithm::ES256)
        .expect("stored EC key parses")
        .with_kid("ec/P256+fuzz=");
    let mut keys = jwks().keys().to_vec();
    keys.push(key.public_jwk().expect("public JWK"));
    (key, JwkSet::from_keys(keys).expect("JWKS from keys"))
}

/// The validator the stored vectors were made for (CIS2 INT issuer with `:443`), allowing `algs`.
pub fn validator(algs: &[Algorithm]) -> TokenValidator {
    let issuer = Environment::Integration.issuer().expect("INT issuer");
    let client = ClientId::new(CLIENT_ID).expect("client id");
    TokenValidator::new(
        issuer,
        client,
        ValidationPolicy::new(Crypto::default()).algorithms(algs.iter().copied()),
    )
}

/// The stored good token's nonce.
pub fn nonce() -> Nonce {
    Nonce::new(NONCE)
}

/// The fixed `now`.
pub fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}
