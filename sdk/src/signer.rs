//! Signing keys: private_key_jwt client assertions for RPs, and token signing for the mock IdP.

use rand_core::CryptoRngCore;
use serde_json::{Map, Value};
use sha2::{Sha256, Sha384, Sha512};

use crate::crypto::digest;
use crate::error::ConfigError;
use crate::jose::{Algorithm, b64url_encode};
use crate::jwks::Jwk;
use crate::key_material::{MIN_RSA_BITS, PublicKeyMaterial};

/// A private signing key with its algorithm and `kid` (the RFC 7638 thumbprint unless set otherwise).
///
/// `Debug` never prints key material.
#[derive(Clone)]
pub struct SigningKey {
    alg: Algorithm,
    kid: String,
    inner: Inner,
    #[cfg(feature = "aws-lc")]
    aws_lc: Option<std::sync::Arc<aws_lc_rs::signature::RsaKeyPair>>,
}

#[derive(Clone)]
enum Inner {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn key_err(e: impl std::fmt::Display) -> ConfigError {
    ConfigError::InvalidKey {
        reason: e.to_string(),
    }
}

impl SigningKey {
    /// Generates an RSA key (2048 bits or more) for an RS*/PS* algorithm.
    pub fn generate_rsa(
        alg: Algorithm,
        bits: usize,
        rng: &mut impl CryptoRngCore,
    ) -> Result<Self, ConfigError> {
        if alg.key_type() != "RSA" || bits < MIN_RSA_BITS {
            return Err(ConfigError::InvalidKey {
                reason: format!("{alg} with a {bits}-bit RSA key"),
            });
        }
        let key = rsa::RsaPrivateKey::new(rng, bits).map_err(key_err)?;
        Ok(Self::from_inner(alg, Inner::Rsa(Box::new(key))))
    }

    /// Generates a P-256 key for ES256.
    pub fn generate_p256(rng: &mut impl CryptoRngCore) -> Self {
        Self::from_inner(
            Algorithm::ES256,
            Inner::P256(p256::ecdsa::SigningKey::random(rng)),
        )
    }

    /// Loads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`) for `alg`.
    pub fn from_pkcs8_pem(pem: &str, alg: Algorithm) -> Result<Self, ConfigError> {
        use rsa::pkcs8::DecodePrivateKey;
        let inner = match alg {
            Algorithm::ES256 => Inner::P256(p256::ecdsa::SigningKey::from_pkcs8_pem(pem).map_err(key_err)?),
            _ => {
                let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(key_err)?;
                key.validate().map_err(key_err)?;
                if rsa::traits::PublicKeyParts::n(&key).bits() < MIN_RSA_BITS {
                    return Err(ConfigError::InvalidKey {
                        reason: "RSA key under 2048 bits".into(),
                    });
                }
                Inner::Rsa(Box::new(key))
            }
        };
        Ok(Self::from_inner(alg, inner))
    }

    /// The key as PKCS#8 PEM, for persisting (the mock IdP stores its keys).
    ///
    /// # Security
    /// This is the private key.
    pub fn to_pkcs8_pem(&self) -> Result<String, ConfigError> {
        use rsa::pkcs8::EncodePrivateKey;
        let pem = match &self.inner {
            Inner::Rsa(k) => k.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).map_err(key_err)?,
            Inner::P256(k) => k.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).map_err(key_err)?,
        };
        Ok(pem.to_string())
    }

    /// The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn public_key_pem(&self) -> Result<String, ConfigError> {
        use rsa::pkcs8::{EncodePublicKey, LineEnding};
        match &self.inner {
            Inner::Rsa(k) => k
                .to_public_key()
                .to_public_key_pem(LineEnding::LF)
                .map_err(key_err),
            Inner::P256(k) => k
                .verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .map_err(key_err),
        }
    }

    fn from_inner(alg: Algorithm, inner: Inner) -> Self {
        let kid = crate::jwks::thumbprint(&material(&inner));
        Self {
            alg,
            kid,
            inner,
            #[cfg(feature = "aws-lc")]
            aws_lc: None,
        }
    }

    /// Chooses the implementation that signs: [`crate::Crypto::rust_crypto`] (the default) or
    /// [`crate::Crypto::aws_lc`], several times faster for RSA (the mock IdP signs every ID token with it).
    /// aws-lc blinds RSA with its own randomness; the output of RS* signatures is the same either way.
    pub fn with_crypto(self, crypto: crate::crypto::Crypto) -> Result<Self, ConfigError> {
        #[cfg(feature = "aws-lc")]
        if crypto == crate::crypto::Crypto::aws_lc() {
            use rsa::pkcs8::EncodePrivateKey;
            let mut me = self;
            if let Inner::Rsa(k) = &me.inner {
                let der = k.to_pkcs8_der().map_err(key_err)?;
                let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(key_err)?;
                me.aws_lc = Some(std::sync::Arc::new(pair));
            }
            return Ok(me);
        }
        let _ = crypto;
        Ok(self)
    }

    /// Replaces the `kid` (the mock IdP issues CIS2-style kids with `/`, `+` and `=`).
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = kid.into();
        self
    }

    /// The `kid` sent in headers.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The signing algorithm.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The public JWK to publish (`use: sig`, `alg`, `kid`).
    pub fn public_jwk(&self) -> Result<Jwk, ConfigError> {
        Jwk::from_material(material(&self.inner), Some(self.kid.clone()), Some(self.alg)).map_err(key_err)
    }

    /// Signs `input` (the JWS signing input) and returns the raw signature.
    pub fn sign(&self, input: &[u8], rng: &mut impl CryptoRngCore) -> Result<Vec<u8>, ConfigError> {
        use rsa::{Pkcs1v15Sign, Pss};
        #[cfg(feature = "aws-lc")]
        if let Some(pair) = &self.aws_lc {
            use aws_lc_rs::signature as s;
            let padding: &'static dyn s::RsaEncoding = match self.alg {
                Algorithm::RS256 => &s::RSA_PKCS1_SHA256,
                Algorithm::RS384 => &s::RSA_PKCS1_SHA384,
                Algorithm::RS512 => &s::RSA_PKCS1_SHA512,
                Algorithm::PS256 => &s::RSA_PSS_SHA256,
                Algorithm::PS384 => &s::RSA_PSS_SHA384,
                Algorithm::PS512 => &s::RSA_PSS_SHA512,
                Algorithm::ES256 => {
                    return Err(ConfigError::Algorithm {
                        reason: "ES256 with an RSA key".into(),
                    });
                }
            };
            let mut sig = vec![0u8; pair.public_modulus_len()];
            pair.sign(padding, &aws_lc_rs::rand::SystemRandom::new(), input, &mut sig)
                .map_err(key_err)?;
            return Ok(sig);
        }
        let hashed = digest(self.alg, input);
        match (&self.inner, self.alg) {
            (Inner::Rsa(k), Algorithm::RS256) => k.sign_with_rng(rng, Pkcs1v15Sign::new::<Sha256>(), &hashed),
            (Inner::Rsa(k), Algorithm::RS384) => k.sign_with_rng(rng, Pkcs1v15Sign::new::<Sha384>(), &hashed),
            (Inner::Rsa(k), Algorithm::RS512) => k.sign_with_rng(rng, Pkcs1v15Sign::new::<Sha512>(), &hashed),
            (Inner::Rsa(k), Algorithm::PS256) => k.sign_with_rng(rng, Pss::new::<Sha256>(), &hashed),
            (Inner::Rsa(k), Algorithm::PS384) => k.sign_with_rng(rng, Pss::new::<Sha384>(), &hashed),
            (Inner::Rsa(k), Algorithm::PS512) => k.sign_with_rng(rng, Pss::new::<Sha512>(), &hashed),
            (Inner::P256(k), Algorithm::ES256) => {
                use p256::ecdsa::signature::hazmat::PrehashSigner;
                let sig: p256::ecdsa::Signature = k.sign_prehash(&hashed).map_err(key_err)?;
                Ok(sig.to_bytes().to_vec())
            }
            _ => {
                return Err(ConfigError::Algorithm {
                    reason: format!("{} cannot sign with this key", self.alg),
                });
            }
        }
        .map_err(key_err)
    }

    /// Signs a JWT: header `{alg, kid, typ}` plus `extra_header`, then the claims. Returns the compact JWS.
    pub fn sign_jwt(
        &self,
        typ: Option<&str>,
        extra_header: &Map<String, Value>,
        claims: &Map<String, Value>,
        rng: &mut impl CryptoRngCore,
    ) -> Result<String, ConfigError> {
        let mut header = Map::new();
        header.insert("alg".into(), self.alg.as_str().into());
        header.insert("kid".into(), self.kid.clone().into());
        if let Some(t) = typ {
            header.insert("typ".into(), t.into());
        }
        for (k, v) in extra_header {
            header.insert(k.clone(), v.clone());
        }
        let h = serde_json::to_vec(&header).map_err(key_err)?;
        let p = serde_json::to_vec(claims).map_err(key_err)?;
        let input = format!("{}.{}", b64url_encode(h), b64url_encode(p));
        let sig = self.sign(input.as_bytes(), rng)?;
        Ok(format!("{input}.{}", b64url_encode(sig)))
    }
}

fn material(inner: &Inner) -> PublicKeyMaterial {
    use rsa::traits::PublicKeyParts;
    match inner {
        Inner::Rsa(k) => PublicKeyMaterial::Rsa {
            n: k.n().to_bytes_be(),
            e: k.e().to_bytes_be(),
        },
        Inner::P256(k) => {
            let point = k.verifying_key().to_encoded_point(false);
            PublicKeyMaterial::P256 {
                x: point.x().map(|x| x.to_vec()).unwrap_or_default(),
                y: point.y().map(|y| y.to_vec()).unwrap_or_default(),
            }
        }
    }
}
