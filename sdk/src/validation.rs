//! The one JWT validation path. ID tokens, logout tokens, signed userinfo and (for the mock IdP) client
//! assertions all pass through [`TokenValidator::verify`] and the same claim helpers; only the per-kind rules
//! differ.

mod client_assertion;
mod id_token;
mod logout;
mod policy;
mod reader;
mod userinfo;
mod validator;

pub use self::client_assertion::{AssertionKey, ClientAssertion};
pub use self::id_token::IdTokenExpectations;
pub use self::logout::LogoutToken;
pub use self::policy::{LogoutExpPolicy, ValidationPolicy};
// For `Cis2Client`, which only the rust-crypto build has.
#[cfg(feature = "rust-crypto")]
pub(crate) use self::userinfo::userinfo_from_map;
pub use self::validator::TokenValidator;
