//! [`Claims`]: typed reads from a token payload, where a claim of the wrong type is an error.

use serde_json::{Map, Value};

use crate::error::TokenError;
use crate::time::UnixTime;

/// Reads typed claims from a payload; a claim of the wrong type is an error, never "absent".
pub(super) struct Claims<'a>(pub(super) &'a Map<String, Value>);

impl<'a> Claims<'a> {
    /// A string claim, `None` when absent.
    pub(super) fn string(&self, name: &'static str) -> Result<Option<&'a str>, TokenError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(TokenError::InvalidClaim {
                claim: name,
                expected: "a string",
            }),
        }
    }

    /// A string claim that must be present and non-empty.
    pub(super) fn required_string(&self, name: &'static str) -> Result<&'a str, TokenError> {
        match self.string(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(TokenError::InvalidClaim {
                claim: name,
                expected: "a non-empty string",
            }),
            None => Err(TokenError::MissingClaim { claim: name }),
        }
    }

    /// A NumericDate ([`UnixTime::from_numeric_date`]): fractions are floored; strings, negatives, `null` and
    /// out-of-range numbers are refused.
    pub(super) fn time(&self, name: &'static str) -> Result<Option<UnixTime>, TokenError> {
        match self.0.get(name) {
            None => Ok(None),
            Some(v) => UnixTime::from_numeric_date(v)
                .map(Some)
                .ok_or(TokenError::InvalidClaim {
                    claim: name,
                    expected: "a non-negative NumericDate",
                }),
        }
    }

    /// A NumericDate that must be present.
    pub(super) fn required_time(&self, name: &'static str) -> Result<UnixTime, TokenError> {
        self.time(name)?.ok_or(TokenError::MissingClaim { claim: name })
    }

    /// `aud` as a string or a non-empty array of strings.
    pub(super) fn audiences(&self) -> Result<Vec<&'a str>, TokenError> {
        const EXPECTED: &str = "a string or a non-empty array of strings";
        match self.0.get("aud") {
            None => Err(TokenError::MissingClaim { claim: "aud" }),
            Some(Value::String(s)) => Ok(vec![s.as_str()]),
            Some(Value::Array(items)) if !items.is_empty() => items
                .iter()
                .map(|v| {
                    v.as_str().ok_or(TokenError::InvalidClaim {
                        claim: "aud",
                        expected: EXPECTED,
                    })
                })
                .collect(),
            Some(_) => Err(TokenError::InvalidClaim {
                claim: "aud",
                expected: EXPECTED,
            }),
        }
    }
}
