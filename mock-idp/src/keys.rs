//! The mock's signing keys: CIS2-style `kid`s, the published JWKS (with rotated-out keys kept for a grace
//! period), and [`sign_jwt`], the one function every token goes through (so a faster RSA backend can be
//! swapped in here alone). Signature-level faults (`alg: none`, HS256 keyed with the public key, `kid`
//! absent or unknown, a broken signature) are applied here too.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cis2_sdk::{Algorithm, JwkSet, SigningKey, UnixTime, b64url_encode};
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};
use sha2::Sha256;

use crate::store::StoredKey;

/// A CIS2-style `kid`: standard base64 (with `/`, `+`, `=`) of SHA-1 over the RFC 7638 thumbprint: 28
/// characters like `b/O6OvVv1+y+WgrH5Ui9WTioLt0=` (cis2.md §7).
pub fn cis2_kid(thumbprint: &str) -> String {
    STANDARD.encode(Sha1::digest(thumbprint.as_bytes()))
}

/// Gives a key its CIS2-style `kid`.
pub(crate) fn with_cis2_kid(key: SigningKey) -> Result<SigningKey, String> {
    let thumb = key.public_jwk().map_err(|e| e.to_string())?.thumbprint();
    Ok(key.with_kid(cis2_kid(&thumb)))
}

/// Generates a fresh RS256 2048-bit key with a CIS2-style `kid`. aws-lc generates it (tens of milliseconds
/// rather than RustCrypto's hundreds, which made a first start slow); it is then loaded like a stored key.
pub(crate) fn generate_key() -> Result<SigningKey, String> {
    use aws_lc_rs::encoding::AsDer;
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
    let pair =
        aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).map_err(|e| e.to_string())?;
    let der = pair.as_der().map_err(|e| e.to_string())?;
    let pem = rsa::RsaPrivateKey::from_pkcs8_der(der.as_ref())
        .map_err(|e| e.to_string())?
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    let key = SigningKey::from_pkcs8_pem(&pem, Algorithm::RS256).map_err(|e| e.to_string())?;
    with_cis2_kid(key)
}

/// [`generate_key`] on a blocking thread.
pub(crate) async fn generate_key_async() -> Result<SigningKey, String> {
    tokio::task::spawn_blocking(generate_key)
        .await
        .map_err(|e| e.to_string())?
}

/// One key with what faults need.
#[derive(Clone, Debug)]
pub(crate) struct KeyEntry {
    pub(crate) key: SigningKey,
    /// SPKI PEM of the public key (the HMAC secret of the HS256 key-confusion fault).
    pub(crate) public_pem: String,
    pub(crate) created_at: UnixTime,
    pub(crate) retired_until: Option<UnixTime>,
}

impl KeyEntry {
    pub(crate) fn new(key: SigningKey, created_at: UnixTime) -> Result<Self, String> {
        use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
        // aws-lc signs (several times faster for RSA); the RustCrypto key stays inside for PEM persistence.
        let key = key
            .with_crypto(cis2_sdk::Crypto::aws_lc())
            .map_err(|e| e.to_string())?;
        let pem = key.to_pkcs8_pem().map_err(|e| e.to_string())?;
        let public_pem = rsa::RsaPrivateKey::from_pkcs8_pem(&pem)
            .map_err(|e| e.to_string())?
            .to_public_key()
            .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
            .map_err(|e| e.to_string())?;
        Ok(Self {
            key,
            public_pem,
            created_at,
            retired_until: None,
        })
    }

    pub(crate) fn from_stored(s: &StoredKey) -> Result<Self, String> {
        let alg = Algorithm::from_name(&s.alg).ok_or_else(|| format!("stored key alg {:?}", s.alg))?;
        let key = SigningKey::from_pkcs8_pem(&s.pem, alg)
            .map_err(|e| e.to_string())?
            .with_kid(s.kid.clone());
        let mut e = Self::new(key, UnixTime::from_secs(s.created_at))?;
        e.retired_until = s.retired_until.map(UnixTime::from_secs);
        Ok(e)
    }

    pub(crate) fn to_stored(&self) -> Result<StoredKey, String> {
        Ok(StoredKey {
            kid: self.key.kid().to_owned(),
            alg: self.key.alg().as_str().to_owned(),
            pem: self.key.to_pkcs8_pem().map_err(|e| e.to_string())?,
            created_at: self.created_at.as_secs(),
            retired_until: self.retired_until.map(UnixTime::as_secs),
        })
    }
}

/// The active key and the rotated-out keys still in their grace period.
#[derive(Debug)]
pub(crate) struct KeyRing {
    pub(crate) active: std::sync::Arc<KeyEntry>,
    pub(crate) retired: Vec<std::sync::Arc<KeyEntry>>,
}

impl KeyRing {
    /// Keys to publish at `now`: the active one first, then retired ones still in grace.
    pub(crate) fn published(&self, now: UnixTime) -> Vec<&KeyEntry> {
        std::iter::once(&*self.active)
            .chain(
                self.retired
                    .iter()
                    .map(|k| &**k)
                    .filter(|k| k.retired_until.is_some_and(|u| u > now)),
            )
            .collect()
    }

    /// The JWKS document.
    pub(crate) fn jwks(&self, now: UnixTime) -> Value {
        let jwks: Vec<_> = self
            .published(now)
            .iter()
            .filter_map(|k| k.key.public_jwk().ok())
            .collect();
        match JwkSet::from_keys(jwks) {
            Ok(set) => set.to_json(),
            Err(_) => serde_json::json!({ "keys": [] }),
        }
    }

    /// The key that signs a token with `faults`: the active one, or with `removed_key` the key most recently
    /// rotated out (published or not).
    pub(crate) fn signer(&self, faults: &SignFaults) -> Result<std::sync::Arc<KeyEntry>, String> {
        if faults.removed_key {
            self.retired
                .last()
                .cloned()
                .ok_or_else(|| "removed_key: no key has been rotated out".to_owned())
        } else {
            Ok(self.active.clone())
        }
    }

    /// Makes `new` active; the old active key stays published until `now + grace`.
    pub(crate) fn rotate(&mut self, new: KeyEntry, now: UnixTime, grace: std::time::Duration) {
        let old = std::mem::replace(&mut self.active, std::sync::Arc::new(new));
        let mut old = std::sync::Arc::unwrap_or_clone(old);
        old.retired_until = Some(now.saturating_add(grace));
        let old = std::sync::Arc::new(old);
        self.retired.retain(|k| k.retired_until.is_some_and(|u| u > now));
        self.retired.push(old);
    }
}

/// Header and signature mutations for one token (each is one fault of the admin API).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SignFaults {
    pub(crate) alg_none: bool,
    pub(crate) hs256_public_key: bool,
    pub(crate) kid_absent: bool,
    pub(crate) kid_unknown: bool,
    pub(crate) bad_signature: bool,
    /// Sign with the newest rotated-out key instead of the active one ([`KeyRing::signer`]).
    pub(crate) removed_key: bool,
}

/// Signs `claims` as a compact JWS with `entry` (header `{alg, kid, typ}`), applying signature faults.
/// Every token the mock issues goes through here.
pub(crate) fn sign_jwt(
    entry: &KeyEntry,
    typ: Option<&str>,
    claims: &Map<String, Value>,
    faults: &SignFaults,
) -> Result<String, String> {
    let alg = if faults.alg_none {
        "none"
    } else if faults.hs256_public_key {
        "HS256"
    } else {
        entry.key.alg().as_str()
    };
    let mut header = Map::new();
    header.insert("alg".into(), alg.into());
    if faults.kid_unknown {
        header.insert("kid".into(), cis2_kid("unknown-key").into());
    } else if !faults.kid_absent {
        header.insert("kid".into(), entry.key.kid().into());
    }
    if let Some(t) = typ {
        header.insert("typ".into(), t.into());
    }
    let h = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    let p = serde_json::to_vec(claims).map_err(|e| e.to_string())?;
    let input = format!("{}.{}", b64url_encode(h), b64url_encode(p));
    let mut sig = if faults.alg_none {
        Vec::new()
    } else if faults.hs256_public_key {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(entry.public_pem.as_bytes()).map_err(|e| e.to_string())?;
        mac.update(input.as_bytes());
        mac.finalize().into_bytes().to_vec()
    } else {
        entry
            .key
            .sign(input.as_bytes(), &mut OsRng)
            .map_err(|e| e.to_string())?
    };
    if faults.bad_signature
        && let Some(b) = sig.get_mut(10)
    {
        *b ^= 0x01;
    }
    Ok(format!("{input}.{}", b64url_encode(sig)))
}

#[cfg(test)]
mod tests {
    /// Keys in the ring sign with aws-lc; RS256 (PKCS#1 v1.5) is deterministic, so the token must be byte for
    /// byte the one RustCrypto produces, and it must verify against the published JWK.
    #[test]
    fn aws_lc_signing_matches_rust_crypto_and_verifies() {
        use cis2_sdk::{Algorithm, SigningKey, UnixTime};
        use rsa::pkcs1v15::{Signature, VerifyingKey};
        use rsa::signature::Verifier;
        use serde_json::json;

        let pem = include_str!("../tests/data/idp-a.pem");
        let plain = SigningKey::from_pkcs8_pem(pem, Algorithm::RS256).unwrap();
        let entry = super::KeyEntry::new(plain.clone(), UnixTime::from_secs(0)).unwrap();
        let claims = json!({"iss": "https://idp.example", "sub": "656005750108", "iat": 1})
            .as_object()
            .unwrap()
            .clone();
        let fast = super::sign_jwt(&entry, Some("JWT"), &claims, &Default::default()).unwrap();
        let slow = super::sign_jwt(
            &super::KeyEntry {
                key: plain,
                ..entry.clone()
            },
            Some("JWT"),
            &claims,
            &Default::default(),
        )
        .unwrap();
        assert_eq!(fast, slow);
        let (input, sig) = fast.rsplit_once('.').unwrap();
        let public = {
            use rsa::pkcs8::DecodePublicKey;
            rsa::RsaPublicKey::from_public_key_pem(&entry.public_pem).unwrap()
        };
        let sig = Signature::try_from(cis2_sdk::b64url_decode(sig).unwrap().as_slice()).unwrap();
        VerifyingKey::<sha2::Sha256>::new(public)
            .verify(input.as_bytes(), &sig)
            .unwrap();
    }

    #[test]
    fn kid_shape() {
        let kid = super::cis2_kid("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
        assert_eq!(kid.len(), 28);
        assert!(kid.ends_with('='));
    }
}
