//! Public key material as a JWK carries it, and the RSA size bounds: shared by JWKS parsing and the
//! verifiers.

/// The smallest RSA modulus accepted, in bits (RFC 7518 §3.3; ASVS V11).
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus accepted, in bits (bounds verification cost).
pub(crate) const MAX_RSA_BITS: usize = 8192;
/// Public key material decoded from a JWK.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum PublicKeyMaterial {
    /// An RSA key: big-endian modulus (no leading zeros) and exponent.
    Rsa {
        /// Modulus.
        n: Vec<u8>,
        /// Public exponent.
        e: Vec<u8>,
    },
    /// A P-256 key: affine coordinates, 32 bytes each.
    P256 {
        /// x coordinate.
        x: Vec<u8>,
        /// y coordinate.
        y: Vec<u8>,
    },
}
