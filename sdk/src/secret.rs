//! Newtypes for protocol values, and secrets that cannot leak through `Debug`.

use subtle::ConstantTimeEq;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// `Debug` prints `[redacted]`; there is no `Display` and no `PartialEq`: compare with
        /// [`Self::ct_eq`], which runs in constant time.
        #[derive(Clone, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret value.
            ///
            /// # Security
            /// Do not log it or send it anywhere but where the protocol says.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// Constant-time comparison with a candidate value.
            pub fn ct_eq(&self, other: &str) -> bool {
                self.0.len() == other.len() && bool::from(self.0.as_bytes().ct_eq(other.as_bytes()))
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// A client secret for `client_secret_post` / `client_secret_basic`.
    ClientSecret
);
secret_type!(
    /// The OpenID Connect `nonce` of one login.
    Nonce
);
secret_type!(
    /// The OAuth `state` of one login (CSRF protection).
    CsrfState
);
secret_type!(
    /// The PKCE `code_verifier` of one login.
    PkceVerifier
);
secret_type!(
    /// An authorization code from the callback.
    AuthorizationCode
);
secret_type!(
    /// An OAuth access token.
    AccessToken
);
secret_type!(
    /// An OAuth refresh token.
    RefreshToken
);
secret_type!(
    /// A compact-serialised ID token, kept for `id_token_hint` at end-session.
    IdToken
);

#[cfg(test)]
mod tests;
