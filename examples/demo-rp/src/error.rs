//! Why the demo could not start.

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is missing or wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// The kit refused the settings or could not discover the provider.
    #[error(transparent)]
    Kit(#[from] cis2_server::Error),
    /// The Redis store could not be reached.
    #[error("session store: {0}")]
    Store(#[from] cis2_server::StoreError),
    /// Registering at the mock IdP failed.
    #[error("registering at the mock IdP ({url}): {reason}")]
    Register {
        /// The admin URL used.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Reading or writing the key file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}
