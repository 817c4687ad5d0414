//! The configuration error, shared by every section's loader.

/// A configuration that could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}
