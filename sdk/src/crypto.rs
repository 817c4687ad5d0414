//! Signature verification and signing behind one explicit provider value.
//!
//! The provider is passed in ([`Crypto`]), never picked by Cargo feature unification: enabling `aws-lc` adds
//! [`Crypto::aws_lc`] and changes nothing for code that does not call it.

use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::error::TokenError;
use crate::jose::Algorithm;
use crate::key_material::PublicKeyMaterial;

/// Which implementation verifies signatures. Cheap to copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crypto(Backend);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    #[cfg(feature = "rust-crypto")]
    RustCrypto,
    #[cfg(feature = "aws-lc")]
    AwsLc,
}

impl Crypto {
    /// Pure-Rust RustCrypto (`rsa`, `p256`): works everywhere, including wasm32.
    #[cfg(feature = "rust-crypto")]
    pub const fn rust_crypto() -> Self {
        Crypto(Backend::RustCrypto)
    }

    /// aws-lc-rs: a faster native verifier for servers.
    #[cfg(feature = "aws-lc")]
    pub const fn aws_lc() -> Self {
        Crypto(Backend::AwsLc)
    }

    /// Verifies `signature` over `input` with a JWK's `material` (prepared as `prepared`) under `alg`. Key
    /// eligibility was settled by key selection.
    pub(crate) fn verify(
        self,
        alg: Algorithm,
        prepared: &PreparedKeys,
        material: &PublicKeyMaterial,
        input: &[u8],
        signature: &[u8],
    ) -> Result<(), TokenError> {
        let _ = material; // Only the aws-lc fallback reads the raw material.
        match self.0 {
            #[cfg(feature = "rust-crypto")]
            Backend::RustCrypto => rust_crypto_verify(alg, &prepared.rust_crypto, input, signature),
            #[cfg(feature = "aws-lc")]
            Backend::AwsLc => match prepared.aws_lc.get(alg) {
                Some(parsed) => parsed
                    .verify_sig(input, signature)
                    .map_err(|_| TokenError::InvalidSignature),
                None => aws_lc_verify(alg, material, input, signature),
            },
        }
    }
}

/// A JWK's key prepared for each enabled backend, once, when the JWKS is parsed.
#[derive(Clone, Debug)]
pub(crate) struct PreparedKeys {
    #[cfg(feature = "rust-crypto")]
    rust_crypto: PreparedKey,
    #[cfg(feature = "aws-lc")]
    aws_lc: AwsLcKeys,
}

impl PreparedKeys {
    /// Prepares `material` (restricted to `alg` when the JWK names one); `Err` with the reason when the key is
    /// unusable.
    pub(crate) fn new(material: &PublicKeyMaterial, alg: Option<Algorithm>) -> Result<Self, String> {
        let _ = alg; // Only aws-lc prepares per algorithm.
        Ok(Self {
            #[cfg(feature = "rust-crypto")]
            rust_crypto: PreparedKey::new(material)?,
            #[cfg(feature = "aws-lc")]
            aws_lc: AwsLcKeys::new(material, alg),
        })
    }
}

#[cfg(feature = "rust-crypto")]
impl Default for Crypto {
    fn default() -> Self {
        Crypto::rust_crypto()
    }
}

/// A hash of `data` with the digest `alg` uses.
pub(crate) fn digest(alg: Algorithm, data: &[u8]) -> Vec<u8> {
    match alg.hash_len() {
        48 => Sha384::digest(data).to_vec(),
        64 => Sha512::digest(data).to_vec(),
        _ => Sha256::digest(data).to_vec(),
    }
}

/// Key material decoded once, when the JWKS is parsed, so validation does no big-number parsing.
#[cfg(feature = "rust-crypto")]
#[derive(Clone, Debug)]
pub(crate) enum PreparedKey {
    Rsa(rsa::RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
}

#[cfg(feature = "rust-crypto")]
impl PreparedKey {
    pub(crate) fn new(material: &PublicKeyMaterial) -> Result<Self, String> {
        match material {
            PublicKeyMaterial::Rsa { n, e } => {
                let key = rsa::RsaPublicKey::new_with_max_size(
                    rsa::BigUint::from_bytes_be(n),
                    rsa::BigUint::from_bytes_be(e),
                    crate::key_material::MAX_RSA_BITS,
                )
                .map_err(|e| format!("RSA key is not valid: {e}"))?;
                Ok(PreparedKey::Rsa(key))
            }
            PublicKeyMaterial::P256 { x, y } => {
                let coord = |c: &[u8]| -> Result<p256::FieldBytes, String> {
                    let a: [u8; 32] = c
                        .try_into()
                        .map_err(|_| "P-256 coordinates must be 32 bytes".to_owned())?;
                    Ok(a.into())
                };
                let point = p256::EncodedPoint::from_affine_coordinates(&coord(x)?, &coord(y)?, false);
                let key = p256::ecdsa::VerifyingKey::from_encoded_point(&point)
                    .map_err(|_| "EC point is not on P-256".to_owned())?;
                Ok(PreparedKey::P256(key))
            }
        }
    }
}

#[cfg(feature = "rust-crypto")]
fn rust_crypto_verify(
    alg: Algorithm,
    key: &PreparedKey,
    input: &[u8],
    signature: &[u8],
) -> Result<(), TokenError> {
    use rsa::{Pkcs1v15Sign, Pss};
    let hashed = digest(alg, input);
    let ok = match (key, alg) {
        (PreparedKey::Rsa(k), Algorithm::RS256) => k
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, signature)
            .is_ok(),
        (PreparedKey::Rsa(k), Algorithm::RS384) => k
            .verify(Pkcs1v15Sign::new::<Sha384>(), &hashed, signature)
            .is_ok(),
        (PreparedKey::Rsa(k), Algorithm::RS512) => k
            .verify(Pkcs1v15Sign::new::<Sha512>(), &hashed, signature)
            .is_ok(),
        (PreparedKey::Rsa(k), Algorithm::PS256) => k.verify(Pss::new::<Sha256>(), &hashed, signature).is_ok(),
        (PreparedKey::Rsa(k), Algorithm::PS384) => k.verify(Pss::new::<Sha384>(), &hashed, signature).is_ok(),
        (PreparedKey::Rsa(k), Algorithm::PS512) => k.verify(Pss::new::<Sha512>(), &hashed, signature).is_ok(),
        (PreparedKey::P256(k), Algorithm::ES256) => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            // JWS ES256 signatures are the 64-byte R || S, never DER (RFC 7518 §3.4).
            signature.len() == 64
                && p256::ecdsa::Signature::from_slice(signature)
                    .is_ok_and(|s| k.verify_prehash(&hashed, &s).is_ok())
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(TokenError::InvalidSignature)
    }
}

/// aws-lc keys parsed once per JWK for its `alg` (RS256 when the JWK names none): verification then skips
/// building the `EVP_PKEY` each time. Other algorithms fall back to parsing per call.
#[cfg(feature = "aws-lc")]
#[derive(Clone, Default)]
pub(crate) struct AwsLcKeys(Vec<(Algorithm, std::sync::Arc<aws_lc_rs::signature::ParsedPublicKey>)>);

#[cfg(feature = "aws-lc")]
impl std::fmt::Debug for AwsLcKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(a, _)| a)).finish()
    }
}

#[cfg(feature = "aws-lc")]
impl AwsLcKeys {
    pub(crate) fn new(material: &PublicKeyMaterial, alg: Option<Algorithm>) -> Self {
        use aws_lc_rs::signature as s;
        let PublicKeyMaterial::Rsa { n, e } = material else {
            return Self::default();
        };
        let alg = alg.unwrap_or(Algorithm::RS256);
        let params: &'static s::RsaParameters = match alg {
            Algorithm::RS256 => &s::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &s::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &s::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::PS256 => &s::RSA_PSS_2048_8192_SHA256,
            Algorithm::PS384 => &s::RSA_PSS_2048_8192_SHA384,
            Algorithm::PS512 => &s::RSA_PSS_2048_8192_SHA512,
            Algorithm::ES256 => return Self::default(),
        };
        match (s::RsaPublicKeyComponents {
            n: n.as_slice(),
            e: e.as_slice(),
        })
        .to_parsed_public_key(params)
        {
            Ok(k) => Self(vec![(alg, std::sync::Arc::new(k))]),
            Err(_) => Self::default(),
        }
    }

    fn get(&self, alg: Algorithm) -> Option<&aws_lc_rs::signature::ParsedPublicKey> {
        self.0.iter().find(|(a, _)| *a == alg).map(|(_, k)| k.as_ref())
    }
}

#[cfg(feature = "aws-lc")]
fn aws_lc_verify(
    alg: Algorithm,
    key: &PublicKeyMaterial,
    input: &[u8],
    sig: &[u8],
) -> Result<(), TokenError> {
    use aws_lc_rs::signature as s;
    let ok = match key {
        PublicKeyMaterial::Rsa { n, e } => {
            let params: &s::RsaParameters = match alg {
                Algorithm::RS256 => &s::RSA_PKCS1_2048_8192_SHA256,
                Algorithm::RS384 => &s::RSA_PKCS1_2048_8192_SHA384,
                Algorithm::RS512 => &s::RSA_PKCS1_2048_8192_SHA512,
                Algorithm::PS256 => &s::RSA_PSS_2048_8192_SHA256,
                Algorithm::PS384 => &s::RSA_PSS_2048_8192_SHA384,
                Algorithm::PS512 => &s::RSA_PSS_2048_8192_SHA512,
                Algorithm::ES256 => return Err(TokenError::InvalidSignature),
            };
            s::RsaPublicKeyComponents {
                n: n.as_slice(),
                e: e.as_slice(),
            }
            .verify(params, input, sig)
            .is_ok()
        }
        PublicKeyMaterial::P256 { x, y } if alg == Algorithm::ES256 => {
            let mut point = Vec::with_capacity(65);
            point.push(4);
            point.extend_from_slice(x);
            point.extend_from_slice(y);
            s::UnparsedPublicKey::new(&s::ECDSA_P256_SHA256_FIXED, point)
                .verify(input, sig)
                .is_ok()
        }
        PublicKeyMaterial::P256 { .. } => false,
    };
    if ok {
        Ok(())
    } else {
        Err(TokenError::InvalidSignature)
    }
}
