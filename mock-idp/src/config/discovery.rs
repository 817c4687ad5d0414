//! `[discovery]`: per-instance overrides of the discovery document. Several of its members are inferred
//! (cis2.md §3 is a reconstruction, not a copy of a live document), so each can be changed: at start-up here,
//! at run time through `PUT /admin/api/discovery`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::ConfigError;

/// `[discovery]` in TOML (`[discovery.set]` for the members), the body of `PUT /admin/api/discovery`.
///
/// ```toml
/// [discovery]
/// remove = ["code_challenge_methods_supported"]
/// [discovery.set]
/// token_endpoint_auth_methods_supported = ["client_secret_post", "private_key_jwt"]
/// check_session_iframe = "{issuer}/connect/checkSession"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DiscoveryOverrides {
    /// Members added or replaced, any JSON value; `{issuer}` inside a string becomes the issuer. A JSON
    /// `null` (admin API only; TOML has none) removes the member.
    pub set: Map<String, Value>,
    /// Members removed from the document.
    pub remove: Vec<String>,
}

impl DiscoveryOverrides {
    /// Refuses overrides that would make the document lie about the instance itself: `issuer` is the
    /// `issuer` setting, byte for byte, and cannot be set or removed here.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.set.contains_key("issuer") || self.remove.iter().any(|m| m == "issuer") {
            return Err(ConfigError(
                "discovery: `issuer` cannot be overridden (set the `issuer` setting instead)".into(),
            ));
        }
        Ok(())
    }

    /// Applies the overrides to `doc` (the mock's own document for `issuer`).
    pub fn apply(&self, doc: &mut Map<String, Value>, issuer: &str) {
        for m in &self.remove {
            doc.remove(m);
        }
        for (k, v) in &self.set {
            match v {
                Value::Null => {
                    doc.remove(k);
                }
                v => {
                    doc.insert(k.clone(), expand(v, issuer));
                }
            }
        }
    }
}

/// `{issuer}` in every string of `v` replaced by `issuer`.
fn expand(v: &Value, issuer: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("{issuer}", issuer)),
        Value::Array(a) => Value::Array(a.iter().map(|x| expand(x, issuer)).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), expand(x, issuer))).collect()),
        other => other.clone(),
    }
}
