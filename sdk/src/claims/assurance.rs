//! [`AssuranceLevel`]: NIST SP 800-63 levels as CIS2 sends them, a string or an integer.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A NIST SP 800-63 assurance level as CIS2 sends it: `"3"` or `3` (cis2.md §8.3). Serialised as a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssuranceLevel(pub u8);

impl Serialize for AssuranceLevel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl AssuranceLevel {
    /// A level from an integer: 1, 2 or 3 only.
    pub fn new(level: u8) -> Option<Self> {
        (1..=3).contains(&level).then_some(Self(level))
    }

    /// A level from CIS2's string form: exactly `"1"`, `"2"` or `"3"`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "1" | "2" | "3" => s.parse().ok().and_then(Self::new),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for AssuranceLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .and_then(AssuranceLevel::new)
                .ok_or_else(|| serde::de::Error::custom("assurance level must be 1, 2 or 3")),
            Value::String(s) => AssuranceLevel::parse(&s)
                .ok_or_else(|| serde::de::Error::custom("assurance level must be \"1\", \"2\" or \"3\"")),
            _ => Err(serde::de::Error::custom(
                "assurance level must be a string or an integer",
            )),
        }
    }
}

/// Parses an assurance level from a claim value (string or integer); `None` when it is neither.
pub(crate) fn assurance_level(v: &Value) -> Option<u8> {
    AssuranceLevel::deserialize(v).ok().map(|l| l.0)
}
