//! Regenerates the token vectors in `sdk/testdata/` from the PEM keys there.
//!
//! Run with: `cargo run -p cis2-sdk --example gen_testdata` (from the workspace root).
//! RSA PKCS#1 v1.5 signatures are deterministic, so the output is stable.

use rand_chacha::rand_core::SeedableRng;

use cis2_sdk::{Algorithm, Environment, JwkSet, SigningKey, b64url_encode};
use serde_json::{Map, Value, json};

const NOW: u64 = 1_700_000_000;
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata");

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let read = |f: &str| std::fs::read_to_string(format!("{DIR}/{f}"));
    let a = SigningKey::from_pkcs8_pem(&read("rsa-a.pem")?, Algorithm::RS256)?
        .with_kid("b/O6OvVv1+y+WgrH5Ui9WTioLt0=");
    let b = SigningKey::from_pkcs8_pem(&read("rsa-b.pem")?, Algorithm::RS256)?
        .with_kid("x+Q2mZ/9k3lHq1r0Vb7n8cZ5aWs=");
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);

    let jwks = JwkSet::from_keys([a.public_jwk()?, b.public_jwk()?])?.to_json();
    let write = |f: &str, s: &str| std::fs::write(format!("{DIR}/{f}"), s);
    write("jwks-cis2.json", &serde_json::to_string_pretty(&jwks)?)?;

    let iss = Environment::Integration.issuer_str();
    let claims = obj(json!({
        "sub": "656005750104", "iss": iss, "aud": "969567331415.apps.national", "azp": "969567331415.apps.national",
        "exp": NOW + 600, "iat": NOW - 5, "auth_time": NOW - 20, "nonce": "n-0S6_WzA2Mj",
        "acr": "AAL3_ANY", "amr": ["N3_SMARTCARD"], "sid": "sid-1", "id_assurance_level": "3",
        "authentication_assurance_level": "3", "selected_roleid": "555254240100",
        "auditTrackingId": "91f694e6-3749-42fd-90b0-c3134b0d98f6-1546391", "tokenName": "id_token",
        "tokenType": "JWTToken", "realm": "/NHSIdentity/Healthcare"
    }));
    let good = a.sign_jwt(Some("JWT"), &Map::new(), &claims, &mut rng)?;
    write("id-token-good.jwt", &good)?;

    let (input, sig) = good.rsplit_once('.').ok_or("no signature")?;
    let flipped: Vec<u8> = cis2_sdk::b64url_decode(sig)?
        .into_iter()
        .map(|x| x ^ 0x5A)
        .collect();
    write(
        "id-token-bad-signature.jwt",
        &format!("{input}.{}", b64url_encode(flipped)),
    )?;

    let mut no_port = claims.clone();
    no_port.insert("iss".into(), iss.replacen(":443", "", 1).into());
    write(
        "id-token-iss-without-port.jwt",
        &a.sign_jwt(Some("JWT"), &Map::new(), &no_port, &mut rng)?,
    )?;

    let body = b64url_encode(Value::Object(claims.clone()).to_string());
    let none_header = b64url_encode(r#"{"alg":"none","typ":"JWT"}"#);
    write("id-token-alg-none.jwt", &format!("{none_header}.{body}."))?;

    use hmac::{Hmac, Mac};
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};
    let public_pem = rsa::RsaPrivateKey::from_pkcs8_pem(&read("rsa-a.pem")?)
        .map_err(|e| e.to_string())?
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    let hs_header = b64url_encode(r#"{"alg":"HS256","kid":"b/O6OvVv1+y+WgrH5Ui9WTioLt0=","typ":"JWT"}"#);
    let hs_input = format!("{hs_header}.{body}");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(public_pem.as_bytes()).map_err(|e| e.to_string())?;
    mac.update(hs_input.as_bytes());
    write(
        "id-token-hs256-public-key.jwt",
        &format!("{hs_input}.{}", b64url_encode(mac.finalize().into_bytes())),
    )?;

    let logout = obj(json!({
        "iss": iss, "aud": "969567331415.apps.national", "sub": "656005750104", "sid": "sid-1", "iat": NOW - 2,
        "jti": "6c0b1b2e-3f5e-4c39-9c2a-7d1f3f4a0b11",
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}}
    }));
    write(
        "logout-token-good.jwt",
        &a.sign_jwt(Some("logout+jwt"), &Map::new(), &logout, &mut rng)?,
    )?;
    println!("wrote vectors to {DIR}");
    Ok(())
}
