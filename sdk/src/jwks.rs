//! JSON Web Keys: parsing, eligibility (`use`, `key_ops`, `alg`, size) and selection by `kid`.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{ProviderError, TokenError};
use crate::jose::{Algorithm, b64url_decode, b64url_encode};
use crate::key_material::{MAX_RSA_BITS, MIN_RSA_BITS, PublicKeyMaterial};

const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// One usable public key from a JWKS.
#[derive(Clone, Debug)]
pub struct Jwk {
    kid: Option<String>,
    alg: Option<Algorithm>,
    material: PublicKeyMaterial,
    /// Prepared once, when the JWKS is parsed, so validation does no big-number parsing.
    #[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
    pub(crate) prepared: crate::crypto::PreparedKeys,
    raw: Map<String, Value>,
}

impl Jwk {
    /// The `kid`, an opaque string.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The `alg` the key is restricted to, if any.
    pub fn alg(&self) -> Option<Algorithm> {
        self.alg
    }

    /// The key material.
    pub fn material(&self) -> &PublicKeyMaterial {
        &self.material
    }

    /// The key as published (public members only).
    pub fn to_json(&self) -> Value {
        Value::Object(self.raw.clone())
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url: the `kid` CIS2 RPs use for client-assertion keys.
    pub fn thumbprint(&self) -> String {
        thumbprint(&self.material)
    }

    /// Builds a JWK for publishing from key material (what the RP's own JWKS endpoint and the mock IdP serve).
    pub fn from_material(
        material: PublicKeyMaterial,
        kid: Option<String>,
        alg: Option<Algorithm>,
    ) -> Result<Self, ProviderError> {
        let mut raw = Map::new();
        match &material {
            PublicKeyMaterial::Rsa { n, e } => {
                raw.insert("kty".into(), "RSA".into());
                raw.insert("n".into(), b64url_encode(n).into());
                raw.insert("e".into(), b64url_encode(e).into());
            }
            PublicKeyMaterial::P256 { x, y } => {
                raw.insert("kty".into(), "EC".into());
                raw.insert("crv".into(), "P-256".into());
                raw.insert("x".into(), b64url_encode(x).into());
                raw.insert("y".into(), b64url_encode(y).into());
            }
        }
        raw.insert("use".into(), "sig".into());
        if let Some(k) = &kid {
            raw.insert("kid".into(), k.clone().into());
        }
        if let Some(a) = alg {
            raw.insert("alg".into(), a.as_str().into());
        }
        match parse_key(&raw)? {
            KeyOutcome::Usable(k) => Ok(*k),
            KeyOutcome::Skipped(reason) => Err(ProviderError::Malformed {
                document: "jwk",
                reason: reason.to_owned(),
            }),
            KeyOutcome::Rejected { reason, .. } => Err(ProviderError::Malformed {
                document: "jwk",
                reason,
            }),
        }
    }

    /// Whether this key may verify a signature made with `alg` (RFC 7517 §4.2–4.4, RFC 7518).
    fn eligible_for(&self, alg: Algorithm) -> bool {
        let family_ok = match (&self.material, alg) {
            (PublicKeyMaterial::Rsa { .. }, a) => a.key_type() == "RSA",
            (PublicKeyMaterial::P256 { .. }, Algorithm::ES256) => true,
            (PublicKeyMaterial::P256 { .. }, _) => false,
        };
        family_ok && self.alg.is_none_or(|a| a == alg)
    }
}

/// Computes the RFC 7638 thumbprint of key material.
pub(crate) fn thumbprint(material: &PublicKeyMaterial) -> String {
    // Members in lexicographic order, no whitespace (RFC 7638 §3.2).
    let canonical = match material {
        PublicKeyMaterial::Rsa { n, e } => {
            format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                b64url_encode(e),
                b64url_encode(n)
            )
        }
        PublicKeyMaterial::P256 { x, y } => format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            b64url_encode(x),
            b64url_encode(y)
        ),
    };
    b64url_encode(Sha256::digest(canonical.as_bytes()))
}

/// A key that was in the document but may not be used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedKey {
    /// Its `kid`.
    pub kid: Option<String>,
    /// Why it is not usable.
    pub reason: String,
}

/// A parsed JSON Web Key Set: the usable signing keys, plus the keys that were refused and why.
#[derive(Clone, Debug, Default)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    rejected: Vec<RejectedKey>,
}

enum KeyOutcome {
    Usable(Box<Jwk>),
    /// Not a signing key we use (other key types, `use: enc`, no `verify` op): silently left out.
    Skipped(&'static str),
    /// A signing key we refuse (too small, bad encoding): kept in `rejected` so errors can say why.
    Rejected {
        kid: Option<String>,
        reason: String,
    },
}

fn str_member<'a>(raw: &'a Map<String, Value>, name: &'static str) -> Result<Option<&'a str>, ProviderError> {
    match raw.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ProviderError::Malformed {
            document: "jwks",
            reason: format!("{name} is not a string"),
        }),
    }
}

fn parse_key(raw: &Map<String, Value>) -> Result<KeyOutcome, ProviderError> {
    let malformed = |reason: String| ProviderError::Malformed {
        document: "jwks",
        reason,
    };
    let kty = str_member(raw, "kty")?.ok_or_else(|| malformed("a key has no kty".into()))?;
    if let Some(m) = PRIVATE_MEMBERS.iter().find(|m| raw.contains_key(**m)) {
        return Err(malformed(format!("a key carries the private member {m:?}")));
    }
    let kid = str_member(raw, "kid")?.map(str::to_owned);
    if let Some(u) = str_member(raw, "use")?
        && u != "sig"
    {
        return Ok(KeyOutcome::Skipped("use is not sig"));
    }
    match raw.get("key_ops") {
        None => {}
        Some(Value::Array(ops)) if !ops.iter().any(|o| o == "verify") => {
            return Ok(KeyOutcome::Skipped("key_ops lacks verify"));
        }
        Some(Value::Array(_)) => {}
        Some(_) => return Err(malformed("key_ops is not an array".into())),
    }
    let alg = match str_member(raw, "alg")? {
        None => None,
        Some(a) => match Algorithm::from_name(a) {
            Some(a) => Some(a),
            None => return Ok(KeyOutcome::Skipped("alg is not one we verify")),
        },
    };
    let b64 = |name: &'static str| -> Result<Option<Vec<u8>>, ProviderError> {
        str_member(raw, name)?
            .map(|v| b64url_decode(v).map_err(|e| malformed(format!("{name} is not base64url: {e}"))))
            .transpose()
    };
    let material = match kty {
        "RSA" => {
            let (Some(n), Some(e)) = (b64("n")?, b64("e")?) else {
                return Err(malformed("an RSA key lacks n or e".into()));
            };
            let n: Vec<u8> = n.into_iter().skip_while(|b| *b == 0).collect();
            let e: Vec<u8> = e.into_iter().skip_while(|b| *b == 0).collect();
            let bits = n.first().map_or(0, |b| {
                let whole_bytes = n.len().saturating_sub(1).saturating_mul(8);
                whole_bytes.saturating_add(8usize.saturating_sub(b.leading_zeros() as usize))
            });
            if bits < MIN_RSA_BITS {
                return Ok(KeyOutcome::Rejected {
                    kid,
                    reason: format!("RSA modulus of {bits} bits is under {MIN_RSA_BITS}"),
                });
            }
            if bits > MAX_RSA_BITS {
                return Ok(KeyOutcome::Rejected {
                    kid,
                    reason: format!("RSA modulus of {bits} bits is over {MAX_RSA_BITS}"),
                });
            }
            let e_ok = e.len() <= 4 && e.last().is_some_and(|b| b & 1 == 1) && e != [1];
            if !e_ok {
                return Ok(KeyOutcome::Rejected {
                    kid,
                    reason: "RSA exponent is not an odd value above 1 that fits 32 bits".into(),
                });
            }
            PublicKeyMaterial::Rsa { n, e }
        }
        "EC" => {
            if str_member(raw, "crv")? != Some("P-256") {
                return Ok(KeyOutcome::Skipped("EC curve is not P-256"));
            }
            let (Some(x), Some(y)) = (b64("x")?, b64("y")?) else {
                return Err(malformed("an EC key lacks x or y".into()));
            };
            if x.len() != 32 || y.len() != 32 {
                return Ok(KeyOutcome::Rejected {
                    kid,
                    reason: "P-256 coordinates must be 32 bytes".into(),
                });
            }
            PublicKeyMaterial::P256 { x, y }
        }
        // Symmetric keys never verify provider tokens (RFC 8725 §3.1); other types are not ones we use.
        _ => return Ok(KeyOutcome::Skipped("key type not used")),
    };
    #[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
    let prepared = match crate::crypto::PreparedKeys::new(&material, alg) {
        Ok(p) => p,
        Err(reason) => return Ok(KeyOutcome::Rejected { kid, reason }),
    };
    Ok(KeyOutcome::Usable(Box::new(Jwk {
        kid,
        alg,
        material,
        #[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
        prepared,
        raw: raw.clone(),
    })))
}

impl JwkSet {
    /// Parses a JWKS document (RFC 7517 §5). The whole document is refused when it is not a JSON object with a
    /// `keys` array, when a key has no `kty` or carries private members, or when two keys share `kid`, key type
    /// and `alg`. Keys of other types or uses are left out; weak keys are kept aside in [`Self::rejected`].
    pub fn parse(bytes: &[u8]) -> Result<Self, ProviderError> {
        let doc = crate::json::parse_object(bytes).map_err(|reason| ProviderError::Malformed {
            document: "jwks",
            reason,
        })?;
        Self::from_document(&doc)
    }

    /// As [`Self::parse`], from a parsed document.
    pub fn from_document(doc: &Map<String, Value>) -> Result<Self, ProviderError> {
        let Some(Value::Array(keys)) = doc.get("keys") else {
            return Err(ProviderError::Malformed {
                document: "jwks",
                reason: "keys is not an array".into(),
            });
        };
        let mut set = JwkSet::default();
        for key in keys {
            let Value::Object(raw) = key else {
                return Err(ProviderError::Malformed {
                    document: "jwks",
                    reason: "a key is not an object".into(),
                });
            };
            match parse_key(raw)? {
                KeyOutcome::Usable(k) => set.push(*k)?,
                KeyOutcome::Skipped(_) => {}
                KeyOutcome::Rejected { kid, reason } => set.rejected.push(RejectedKey { kid, reason }),
            }
        }
        Ok(set)
    }

    /// A set from keys built in code (the mock IdP's and the RP's own keys).
    pub fn from_keys(keys: impl IntoIterator<Item = Jwk>) -> Result<Self, ProviderError> {
        let mut set = JwkSet::default();
        for k in keys {
            set.push(k)?;
        }
        Ok(set)
    }

    fn push(&mut self, key: Jwk) -> Result<(), ProviderError> {
        let clash = self.keys.iter().any(|k| {
            k.kid.is_some()
                && k.kid == key.kid
                && std::mem::discriminant(&k.material) == std::mem::discriminant(&key.material)
                && k.alg == key.alg
        });
        if clash {
            return Err(ProviderError::Malformed {
                document: "jwks",
                reason: format!(
                    "two keys share kid {:?}, key type and alg",
                    key.kid.as_deref().unwrap_or_default()
                ),
            });
        }
        self.keys.push(key);
        Ok(())
    }

    /// The usable keys.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// Keys present in the document but refused (e.g. RSA under 2048 bits), with reasons.
    pub fn rejected(&self) -> &[RejectedKey] {
        &self.rejected
    }

    /// Whether a key with this `kid` is known (usable or rejected): an unknown `kid` warrants one refetch.
    pub fn knows_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
            || self.rejected.iter().any(|k| k.kid.as_deref() == Some(kid))
    }

    /// The public JWKS document (`{"keys":[…]}`).
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "keys": self.keys.iter().map(Jwk::to_json).collect::<Vec<_>>() })
    }

    /// Selects the one key that may verify a token with this header `alg` and `kid`. Refuses when none fits,
    /// when the only match was refused (weak key), and when more than one fits (ambiguous selection).
    pub fn select(&self, alg: Algorithm, kid: Option<&str>) -> Result<&Jwk, TokenError> {
        let mut candidates = self
            .keys
            .iter()
            .filter(|k| k.eligible_for(alg) && kid.is_none_or(|kid| k.kid.as_deref() == Some(kid)));
        let Some(first) = candidates.next() else {
            if let Some(r) = kid.and_then(|kid| self.rejected.iter().find(|r| r.kid.as_deref() == Some(kid)))
            {
                return Err(TokenError::KeyRejected {
                    kid: r.kid.clone(),
                    reason: r.reason.clone(),
                });
            }
            return Err(TokenError::NoMatchingKey {
                kid: kid.map(str::to_owned),
                alg: alg.as_str().to_owned(),
            });
        };
        let extra = candidates.count();
        if extra > 0 {
            return Err(TokenError::AmbiguousKey {
                kid: kid.map(str::to_owned),
                candidates: extra.saturating_add(1),
            });
        }
        Ok(first)
    }
}
