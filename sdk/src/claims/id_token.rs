//! [`IdTokenClaims`]: the claims of a validated CIS2 ID token.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::claims::assurance::{AssuranceLevel, assurance_level};
use crate::time::UnixTime;

/// `aud` as a string or an array of strings.
fn string_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(vec![s]),
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(serde::de::Error::custom("aud members must be strings")),
            })
            .collect(),
        _ => Err(serde::de::Error::custom(
            "aud must be a string or an array of strings",
        )),
    }
}

/// `aud` written back as it came: one string for one audience, else an array.
fn aud_as_sent<S: Serializer>(aud: &[String], s: S) -> Result<S::Ok, S::Error> {
    match aud {
        [one] => s.serialize_str(one),
        many => many.serialize(s),
    }
}

/// The claims of a validated CIS2 ID token (OIDC Core §2 plus CIS2's own, cis2.md §8.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// Issuer, exactly as the token wrote it.
    pub iss: String,
    /// Subject: the user's 12-digit CIS UUID.
    pub sub: String,
    /// Audiences.
    #[serde(deserialize_with = "string_or_many", serialize_with = "aud_as_sent")]
    pub aud: Vec<String>,
    /// Authorized party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// Expiry.
    pub exp: UnixTime,
    /// Issued at.
    pub iat: UnixTime,
    /// When the user last authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<UnixTime>,
    /// The login's nonce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Authentication context class (`AAL3_ANY`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
    /// Authentication methods (`["N3_SMARTCARD"]`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
    /// The CIS2 session id, for back-channel logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Identity assurance level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_assurance_level: Option<AssuranceLevel>,
    /// Authentication assurance level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_assurance_level: Option<AssuranceLevel>,
    /// The role profile chosen at sign-in (with the `selectedrole` scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_roleid: Option<String>,
    /// `at_hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    /// Claims not modelled above (ForgeRock's `auditTrackingId`, `tokenName`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl IdTokenClaims {
    /// Claims with the required members set and every optional one empty (what a provider or a test fills in).
    pub fn new(iss: String, sub: String, aud: Vec<String>, exp: UnixTime, iat: UnixTime) -> Self {
        Self {
            iss,
            sub,
            aud,
            azp: None,
            exp,
            iat,
            auth_time: None,
            nonce: None,
            acr: None,
            amr: Vec::new(),
            sid: None,
            id_assurance_level: None,
            authentication_assurance_level: None,
            selected_roleid: None,
            at_hash: None,
            extra: Map::new(),
        }
    }

    /// Builds the claims from a payload whose registered claims [`crate::TokenValidator`] already checked, moving
    /// values out instead of re-walking them through serde (`#[serde(flatten)]` buffers everything; this is the
    /// hot path of every sign-in).
    pub(crate) fn from_checked_map(mut m: Map<String, Value>) -> Result<Self, crate::error::TokenError> {
        use crate::error::TokenError;
        fn string(m: &mut Map<String, Value>, k: &'static str) -> Result<Option<String>, TokenError> {
            match m.remove(k) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(TokenError::InvalidClaim {
                    claim: k,
                    expected: "a string",
                }),
            }
        }
        fn time(m: &mut Map<String, Value>, k: &'static str) -> Result<Option<UnixTime>, TokenError> {
            match m.remove(k) {
                None => Ok(None),
                Some(v) => UnixTime::from_numeric_date(&v)
                    .map(Some)
                    .ok_or(TokenError::InvalidClaim {
                        claim: k,
                        expected: "a non-negative NumericDate",
                    }),
            }
        }
        fn level(m: &mut Map<String, Value>, k: &'static str) -> Result<Option<AssuranceLevel>, TokenError> {
            match m.remove(k) {
                None => Ok(None),
                Some(v) => {
                    assurance_level(&v)
                        .map(|l| Some(AssuranceLevel(l)))
                        .ok_or(TokenError::InvalidClaim {
                            claim: k,
                            expected: "an assurance level 1-3",
                        })
                }
            }
        }
        let missing = |claim| TokenError::MissingClaim { claim };
        let aud = match m.remove("aud") {
            Some(Value::String(s)) => vec![s],
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(TokenError::InvalidClaim {
                        claim: "aud",
                        expected: "strings",
                    }),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(missing("aud")),
        };
        let amr = match m.remove("amr") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(TokenError::InvalidClaim {
                        claim: "amr",
                        expected: "an array of strings",
                    }),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(TokenError::InvalidClaim {
                    claim: "amr",
                    expected: "an array of strings",
                });
            }
        };
        Ok(Self {
            iss: string(&mut m, "iss")?.ok_or(missing("iss"))?,
            sub: string(&mut m, "sub")?.ok_or(missing("sub"))?,
            aud,
            azp: string(&mut m, "azp")?,
            exp: time(&mut m, "exp")?.ok_or(missing("exp"))?,
            iat: time(&mut m, "iat")?.ok_or(missing("iat"))?,
            auth_time: time(&mut m, "auth_time")?,
            nonce: string(&mut m, "nonce")?,
            acr: string(&mut m, "acr")?,
            amr,
            sid: string(&mut m, "sid")?,
            id_assurance_level: level(&mut m, "id_assurance_level")?,
            authentication_assurance_level: level(&mut m, "authentication_assurance_level")?,
            selected_roleid: string(&mut m, "selected_roleid")?,
            at_hash: string(&mut m, "at_hash")?,
            extra: m,
        })
    }
}
