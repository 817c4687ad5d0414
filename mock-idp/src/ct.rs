//! Constant-time comparison of secrets the mock checks (passcodes, passwords, TOTP codes, PKCE verifiers,
//! cookies), so the time an answer takes says nothing about how much of a guess was right.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Whether `a` and `b` are equal, in time that depends on neither: both are hashed (SHA-256) first, so their
/// lengths do not show either.
pub(crate) fn same(a: &str, b: &str) -> bool {
    let da = Sha256::digest(a.as_bytes());
    let db = Sha256::digest(b.as_bytes());
    da.ct_eq(&db).into()
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn equal_and_not() {
        assert!(same("123456", "123456"));
        assert!(!same("123456", "123457"));
        assert!(!same("123456", "1234567"));
        assert!(same("", ""));
    }
}
