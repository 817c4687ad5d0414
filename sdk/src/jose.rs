//! Compact JWS parsing and the JOSE header rules. Only the compact serialization is accepted.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::error::TokenError;
use crate::json;

/// Signature algorithms the sdk can verify. Which ones a validator accepts is local configuration; a token's
/// header never chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256: CIS2's default.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512 (registered by some CIS2 RPs for client assertions).
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA P-256 with SHA-256.
    ES256,
}

impl Algorithm {
    /// Every algorithm the sdk supports.
    pub const ALL: [Algorithm; 7] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
    ];

    /// The JWA name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
        }
    }

    /// Parses a JWA name exactly (case-sensitive, RFC 7515 §4.1.1).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The JWK key type this algorithm needs.
    pub const fn key_type(self) -> &'static str {
        match self {
            Algorithm::ES256 => "EC",
            _ => "RSA",
        }
    }

    /// The hash length in bytes, for `at_hash` (OIDC Core §3.1.3.6).
    pub(crate) const fn hash_len(self) -> usize {
        match self {
            Algorithm::RS256 | Algorithm::PS256 | Algorithm::ES256 => 32,
            Algorithm::RS384 | Algorithm::PS384 => 48,
            Algorithm::RS512 | Algorithm::PS512 => 64,
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Algorithm {
    type Err = crate::error::ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| crate::error::ConfigError::Algorithm {
            reason: format!("{s:?} is not a supported algorithm"),
        })
    }
}

/// The parsed JOSE header of a compact JWS.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Header {
    /// `alg`, as the header wrote it.
    pub alg: String,
    /// `kid`, an opaque string (CIS2 kids contain `/`, `+`, `=`).
    pub kid: Option<String>,
    /// `typ`.
    pub typ: Option<String>,
    /// The whole header.
    pub raw: Map<String, Value>,
}

/// A compact JWS split into its parts, not yet verified.
#[derive(Debug)]
pub(crate) struct CompactJws<'a> {
    pub(crate) header: Header,
    pub(crate) payload: Map<String, Value>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`.
    pub(crate) signing_input: &'a [u8],
    pub(crate) signature: Vec<u8>,
}

fn malformed(reason: impl Into<String>) -> TokenError {
    TokenError::Malformed {
        reason: reason.into(),
    }
}

/// Strict base64url without padding (RFC 7515 §2): padding, `+`, `/`, whitespace and non-canonical trailing
/// bits are refused.
pub fn b64url_decode(s: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD.decode(s).map_err(|e| e.to_string())
}

/// Base64url without padding.
pub fn b64url_encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Header members that are refused outright: keys or key locations supplied by the token itself (RFC 8725
/// §3.10), critical extensions we do not implement, unencoded payloads (RFC 7797), nested JWTs and JWE.
const REFUSED_HEADERS: [&str; 7] = ["crit", "jku", "jwk", "x5u", "x5c", "enc", "zip"];

/// Splits and decodes a compact JWS, applying size limits and the header rules. Does not verify anything
/// cryptographic.
pub(crate) fn parse_compact(token: &str, max_len: usize) -> Result<CompactJws<'_>, TokenError> {
    if token.len() > max_len {
        return Err(TokenError::TooLarge {
            limit: max_len,
            actual: token.len(),
        });
    }
    if token.starts_with('{') {
        return Err(malformed("JSON serialization is not accepted; compact only"));
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        let n = token.split('.').count();
        return Err(malformed(format!("{n} segments; a compact JWS has 3")));
    };
    if h.is_empty() {
        return Err(malformed("empty header"));
    }
    if s.is_empty() {
        return Err(malformed("empty signature"));
    }
    let header_bytes = b64url_decode(h).map_err(|e| malformed(format!("header is not base64url: {e}")))?;
    let raw = json::parse_object(&header_bytes).map_err(|e| malformed(format!("header: {e}")))?;
    let header = check_header(raw)?;
    let payload_bytes = b64url_decode(p).map_err(|e| malformed(format!("payload is not base64url: {e}")))?;
    let payload = json::parse_object(&payload_bytes).map_err(|e| malformed(format!("payload: {e}")))?;
    let signature = b64url_decode(s).map_err(|e| malformed(format!("signature is not base64url: {e}")))?;
    let signing_input = token
        .as_bytes()
        .get(..h.len().saturating_add(1).saturating_add(p.len()))
        .ok_or_else(|| malformed("truncated"))?;
    Ok(CompactJws {
        header,
        payload,
        signing_input,
        signature,
    })
}

fn check_header(raw: Map<String, Value>) -> Result<Header, TokenError> {
    let alg = match raw.get("alg") {
        Some(Value::String(a)) => a.clone(),
        Some(_) => return Err(malformed("header alg is not a string")),
        None => return Err(malformed("header has no alg")),
    };
    for member in REFUSED_HEADERS {
        if raw.contains_key(member) {
            return Err(TokenError::UnsupportedHeader {
                member: member.to_owned(),
            });
        }
    }
    match raw.get("b64") {
        None | Some(Value::Bool(true)) => {}
        Some(_) => {
            return Err(TokenError::UnsupportedHeader {
                member: "b64".to_owned(),
            });
        }
    }
    match raw.get("cty") {
        Some(Value::String(c))
            if c.eq_ignore_ascii_case("JWT") || c.eq_ignore_ascii_case("application/jwt") =>
        {
            return Err(TokenError::UnsupportedHeader {
                member: "cty".to_owned(),
            });
        }
        Some(Value::String(_)) | None => {}
        Some(_) => return Err(malformed("header cty is not a string")),
    }
    let kid = match raw.get("kid") {
        Some(Value::String(k)) => Some(k.clone()),
        None => None,
        Some(_) => return Err(malformed("header kid is not a string")),
    };
    let typ = match raw.get("typ") {
        Some(Value::String(t)) => Some(t.clone()),
        None => None,
        Some(_) => return Err(malformed("header typ is not a string")),
    };
    Ok(Header { alg, kid, typ, raw })
}

/// Normalises a `typ` media type for comparison (RFC 7515 §4.1.9: case-insensitive, `application/` optional).
pub(crate) fn typ_media_type(typ: &str) -> String {
    let t = typ.to_ascii_lowercase();
    match t.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => t,
    }
}
