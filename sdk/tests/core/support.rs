//! Shared test support: keys from `testdata/`, a token minter with one-fault mutations, fixed time.

use cis2_sdk::*;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use serde_json::{Map, Value, json};

pub const NOW: u64 = 1_700_000_000;
pub const CLIENT_ID: &str = "969567331415.apps.national";
/// CIS2-style kids: standard base64 with `/`, `+` and `=`.
pub const KID_A: &str = "b/O6OvVv1+y+WgrH5Ui9WTioLt0=";
pub const KID_B: &str = "x+Q2mZ/9k3lHq1r0Vb7n8cZ5aWs=";
pub const KID_EC: &str = "ec/P256+decoy=";
pub const KID_WEAK: &str = "weak/1024+key=";

pub const RSA_A: &str = include_str!("../../testdata/rsa-a.pem");
pub const RSA_B: &str = include_str!("../../testdata/rsa-b.pem");
pub const RSA_WEAK: &str = include_str!("../../testdata/rsa-1024-weak.pem");
pub const EC: &str = include_str!("../../testdata/ec-p256.pem");

pub fn now() -> UnixTime {
    UnixTime::from_secs(NOW)
}

pub fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(7)
}

pub fn issuer() -> IssuerUrl {
    Environment::Integration.issuer().unwrap()
}

pub fn client_id() -> ClientId {
    ClientId::new(CLIENT_ID).unwrap()
}

pub fn key_a() -> SigningKey {
    SigningKey::from_pkcs8_pem(RSA_A, Algorithm::RS256)
        .unwrap()
        .with_kid(KID_A)
}

pub fn key_b() -> SigningKey {
    SigningKey::from_pkcs8_pem(RSA_B, Algorithm::RS256)
        .unwrap()
        .with_kid(KID_B)
}

pub fn key_ec() -> SigningKey {
    SigningKey::from_pkcs8_pem(EC, Algorithm::ES256)
        .unwrap()
        .with_kid(KID_EC)
}

/// A JWKS holding key A (as CIS2 publishes: `use: sig`, `alg: RS256`, CIS2-style kid).
pub fn jwks_a() -> JwkSet {
    JwkSet::from_keys([key_a().public_jwk().unwrap()]).unwrap()
}

pub fn jwks_from(value: Value) -> JwkSet {
    JwkSet::parse(value.to_string().as_bytes()).unwrap()
}

pub fn public_json(key: &SigningKey) -> Map<String, Value> {
    match key.public_jwk().unwrap().to_json() {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

pub fn nonce() -> Nonce {
    Nonce::new("n-0S6_WzA2Mj")
}

pub fn validator() -> TokenValidator {
    TokenValidator::new(issuer(), client_id(), ValidationPolicy::new(Crypto::default()))
}

/// CIS2-shaped ID-token claims (cis2.md §8.2) issued at `NOW`.
pub fn id_claims() -> Map<String, Value> {
    let m = json!({
        "at_hash": "unused-unless-access-token-given",
        "sub": "656005750104",
        "auditTrackingId": "91f694e6-3749-42fd-90b0-c3134b0d98f6-1546391",
        "amr": ["N3_SMARTCARD"],
        "iss": issuer().as_str(),
        "tokenName": "id_token",
        "aud": CLIENT_ID,
        "acr": "AAL3_ANY",
        "org.forgerock.openidconnect.ops": "-I45NjmMDdMa-aNF2sr9hC7qEGQ",
        "azp": CLIENT_ID,
        "auth_time": NOW - 20,
        "realm": "/NHSIdentity/Healthcare",
        "exp": NOW + 600,
        "tokenType": "JWTToken",
        "iat": NOW - 5,
        "nonce": "n-0S6_WzA2Mj",
        "sid": "sid-1",
        "id_assurance_level": "3",
        "authentication_assurance_level": "3",
        "selected_roleid": "555254240100"
    });
    let Value::Object(mut m) = m else { unreachable!() };
    m.remove("at_hash");
    m
}

/// CIS2-shaped logout-token claims (cis2.md §10.2: no `exp`).
pub fn logout_claims() -> Map<String, Value> {
    let Value::Object(m) = json!({
        "iss": issuer().as_str(),
        "aud": CLIENT_ID,
        "sub": "656005750104",
        "sid": "sid-1",
        "iat": NOW - 2,
        "jti": "6c0b1b2e-3f5e-4c39-9c2a-7d1f3f4a0b11",
        "events": { "http://schemas.openid.net/event/backchannel-logout": {} }
    }) else {
        unreachable!()
    };
    m
}

pub fn sign(key: &SigningKey, typ: Option<&str>, claims: &Map<String, Value>) -> String {
    key.sign_jwt(typ, &Map::new(), claims, &mut rng()).unwrap()
}

pub fn sign_with_header(key: &SigningKey, header: Value, claims: &Map<String, Value>) -> String {
    let Value::Object(h) = header else { unreachable!() };
    key.sign_jwt(None, &h, claims, &mut rng()).unwrap()
}

/// A compact JWS with an arbitrary header and signature bytes (for `alg: none` and friends).
pub fn raw_jws(header: Value, claims: &Map<String, Value>, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64url_encode(header.to_string()),
        b64url_encode(Value::Object(claims.clone()).to_string()),
        b64url_encode(signature)
    )
}

/// HMAC-SHA256 keyed with `key` (algorithm-confusion attacks key it with the RSA public key).
pub fn hs256(header: Value, claims: &Map<String, Value>, key: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let input = format!(
        "{}.{}",
        b64url_encode(header.to_string()),
        b64url_encode(Value::Object(claims.clone()).to_string())
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64url_encode(mac.finalize().into_bytes()))
}

/// XORs every signature byte with 0x5A (OIDF `AbstractInvalidateJwsSignature`).
pub fn flip_signature(token: &str) -> String {
    let (input, sig) = token.rsplit_once('.').unwrap();
    let bytes: Vec<u8> = b64url_decode(sig)
        .unwrap()
        .into_iter()
        .map(|b| b ^ 0x5A)
        .collect();
    format!("{input}.{}", b64url_encode(bytes))
}

pub fn with(mut m: Map<String, Value>, k: &str, v: Value) -> Map<String, Value> {
    m.insert(k.into(), v);
    m
}

pub fn without(mut m: Map<String, Value>, k: &str) -> Map<String, Value> {
    m.remove(k);
    m
}

pub fn expect_id(v: &TokenValidator, token: &str, jwks: &JwkSet) -> Result<IdTokenClaims, TokenError> {
    let n = nonce();
    v.validate_id_token(token, jwks, &IdTokenExpectations::new(&n), now())
}

pub fn id_token_with(claims: Map<String, Value>) -> Result<IdTokenClaims, TokenError> {
    expect_id(&validator(), &sign(&key_a(), Some("JWT"), &claims), &jwks_a())
}

pub fn logout_with(claims: Map<String, Value>) -> Result<LogoutToken, TokenError> {
    validator().validate_logout_token(&sign(&key_a(), Some("logout+jwt"), &claims), &jwks_a(), now())
}

/// Asserts that a result is an error matching a pattern, printing the actual value otherwise.
#[macro_export]
macro_rules! assert_err {
    ($res:expr, $pat:pat) => {
        match $res {
            Err(e) => assert!(matches!(e, $pat), "unexpected error: {e:?}"),
            Ok(v) => panic!("expected an error, got Ok({v:?})"),
        }
    };
}
