//! HS256 (HMAC-SHA-256, RFC 7518 §3.2) for `client_secret_jwt` (RFC 7523 §2.2, OIDC Core §9): the client
//! signs its assertion with the client secret and the token endpoint checks it with the same secret. Only
//! client assertions use it; ID tokens, logout tokens and userinfo are never accepted with a shared key.

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::error::ConfigError;
use crate::jose::b64url_encode;

/// The JWA name.
pub(crate) const HS256: &str = "HS256";

fn mac(secret: &[u8]) -> Result<Hmac<Sha256>, ConfigError> {
    // HMAC takes keys of any length; the error exists only in the trait's signature.
    Hmac::<Sha256>::new_from_slice(secret).map_err(|e| ConfigError::InvalidKey {
        reason: format!("HS256 key: {e}"),
    })
}

/// A compact JWS `{"alg":"HS256","typ":"JWT"}` over `claims`, keyed with `secret`.
pub(crate) fn sign(secret: &[u8], claims: &Map<String, Value>) -> Result<String, ConfigError> {
    let mut header = Map::new();
    header.insert("alg".into(), HS256.into());
    header.insert("typ".into(), "JWT".into());
    let enc = |m: &Map<String, Value>| {
        serde_json::to_vec(m).map_err(|e| ConfigError::InvalidKey {
            reason: e.to_string(),
        })
    };
    let input = format!("{}.{}", b64url_encode(enc(&header)?), b64url_encode(enc(claims)?));
    let mut m = mac(secret)?;
    m.update(input.as_bytes());
    let sig = m.finalize().into_bytes();
    Ok(format!("{input}.{}", b64url_encode(sig)))
}

/// Whether `signature` is the HS256 MAC of `signing_input` under `secret` (compared in constant time).
pub(crate) fn verify(secret: &[u8], signing_input: &[u8], signature: &[u8]) -> bool {
    match mac(secret) {
        Ok(mut m) => {
            m.update(signing_input);
            m.verify_slice(signature).is_ok()
        }
        Err(_) => false,
    }
}
