//! The CIS2 claims model: ID-token claims, userinfo, national RBAC roles, organisations, assurance levels and
//! selected-role resolution. Shape quirks (levels as string or integer, one object or an array) are absorbed
//! here, once, on parsing; the mock IdP serialises the same types.

mod assurance;
mod id_token;
mod roles;
mod user;
mod userinfo;

pub use self::assurance::AssuranceLevel;
// For the token checks, which only the crypto builds have.
#[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
pub(crate) use self::assurance::assurance_level;
pub use self::id_token::IdTokenClaims;
pub use self::roles::{NrbacRole, Organisation, RoleCode, grants_activity, role_title};
pub use self::user::{Cis2User, RoleSelection};
pub use self::userinfo::{PROFESSIONAL_ID_CLAIMS, UserInfo};

#[cfg(test)]
mod tests;
