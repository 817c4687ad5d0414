//! Authenticators a test user can sign in with, their assurance levels, `amr` values and which `acr_values`
//! each can satisfy (cis2.md §9). The WebAuthn methods (security key / Windows Hello, passkey) are performed
//! by the ceremony module (`webauthn.rs`).

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha1::Sha1;

use crate::cards::CardMode;

/// How the user proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuthMethod {
    /// Virtual smartcard and passcode (AAL3).
    Smartcard,
    /// A FIDO2 security key or Windows Hello (AAL3), through WebAuthn.
    Fido2,
    /// A passkey (AAL2, cis2.md §9.1), through WebAuthn.
    Passkey,
    /// Username, password and a 6-digit TOTP code (AAL2).
    Totp,
    /// Username and password (AAL1).
    Password,
}

impl AuthMethod {
    /// Every method, strongest first.
    pub const ALL: [AuthMethod; 5] = [
        AuthMethod::Smartcard,
        AuthMethod::Fido2,
        AuthMethod::Passkey,
        AuthMethod::Totp,
        AuthMethod::Password,
    ];

    /// The form value (`smartcard`, `fido2`, `passkey`, `totp`, `password`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Smartcard => "smartcard",
            AuthMethod::Fido2 => "fido2",
            AuthMethod::Passkey => "passkey",
            AuthMethod::Totp => "totp",
            AuthMethod::Password => "password",
        }
    }

    /// Parses a form value.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// A label for the login page.
    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::Smartcard => "Smartcard and passcode (AAL3)",
            AuthMethod::Fido2 => "Security key or Windows Hello (AAL3)",
            AuthMethod::Passkey => "Passkey (AAL2)",
            AuthMethod::Totp => "Username, password and authenticator app code (AAL2)",
            AuthMethod::Password => "Username and password (AAL1)",
        }
    }

    /// The authentication assurance level the method reaches.
    pub fn aal(self) -> u8 {
        match self {
            AuthMethod::Smartcard | AuthMethod::Fido2 => 3,
            AuthMethod::Totp | AuthMethod::Passkey => 2,
            AuthMethod::Password => 1,
        }
    }

    /// Whether the login page can perform this method today (all of them; the WebAuthn ones need JavaScript).
    pub fn available(self) -> bool {
        true
    }

    /// Whether this is a WebAuthn method (performed by the browser's ceremony, not the plain form).
    pub fn is_webauthn(self) -> bool {
        matches!(self, AuthMethod::Fido2 | AuthMethod::Passkey)
    }

    /// The `amr` claim (cis2.md §9.3: `N3_SMARTCARD` confirmed; the others follow the ACR suffixes, \[I\];
    /// a passkey reports `PASSKEY`, our choice: CIS2 publishes no value for it).
    pub fn amr(self, mode: CardMode) -> Vec<String> {
        let v = match (self, mode) {
            (AuthMethod::Smartcard, CardMode::IdentityAgent) => "N3_SMARTCARD",
            (AuthMethod::Smartcard, CardMode::SmartcardConnect) => "CIS2_SMARTCARD",
            (AuthMethod::Fido2, _) => "FIDO2",
            (AuthMethod::Passkey, _) => "PASSKEY",
            (AuthMethod::Totp, _) => "TOTP",
            (AuthMethod::Password, _) => "USERPASS",
        };
        vec![v.to_owned()]
    }

    /// Whether this method satisfies one ACR value.
    pub fn satisfies(self, acr: &str, mode: CardMode) -> bool {
        match acr {
            // Values that name an authenticator: provider behaviour, decided here.
            "AAL3_SMARTCARD" => self == AuthMethod::Smartcard,
            "AAL3_N3_SMARTCARD" => self == AuthMethod::Smartcard && mode == CardMode::IdentityAgent,
            "AAL3_CIS2_SMARTCARD" => self == AuthMethod::Smartcard && mode == CardMode::SmartcardConnect,
            "AAL3_FIDO2" => self == AuthMethod::Fido2,
            "AAL2_TOTP" => self == AuthMethod::Totp,
            // Authenticators the mock does not offer.
            "AAL3_IOS" | "AAL2_NHSMAIL" => false,
            // Level-only values: the level each guarantees is the sdk's rule (`cis2_sdk::acr`).
            _ => cis2_sdk::acr::acr_level(acr).is_some_and(|level| self.aal() >= level),
        }
    }

    /// The `acr` to put in the token: the first requested value this method satisfies, or `None` when it
    /// satisfies none (the login must be refused).
    pub fn acr_for(self, requested: &[String], mode: CardMode) -> Option<String> {
        requested.iter().find(|a| self.satisfies(a, mode)).cloned()
    }
}

/// The `acr_values` used when a request sends none: CIS2 behaves as AAL3-only (cis2.md §5).
pub fn default_acr_values() -> Vec<String> {
    vec!["AAL3_ANY".to_owned()]
}

/// RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits) over the secret's bytes. Scripts call this to log in
/// with the TOTP method; pass the mock's clock time (`GET /admin/api/clock`).
pub fn totp(secret: &str, now: cis2_sdk::UnixTime) -> String {
    totp_at_step(secret, now.as_secs() / 30)
}

fn totp_at_step(secret: &str, step: u64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h.last().copied().unwrap_or(0) & 0x0f);
    let bytes: [u8; 4] = match h.get(offset..offset + 4).and_then(|s| s.try_into().ok()) {
        Some(b) => b,
        None => return String::new(),
    };
    let bin = u32::from_be_bytes(bytes) & 0x7fff_ffff;
    format!("{:06}", bin % 1_000_000)
}

/// Checks a TOTP code, allowing one step either side, and returns the time step it belongs to (the caller
/// refuses a step at or before the last one it accepted: each code is single use). Compared in constant time.
pub(crate) fn verify_totp(secret: &str, code: &str, now: cis2_sdk::UnixTime) -> Option<u64> {
    let step = now.as_secs() / 30;
    let code = code.trim();
    let mut matched = None;
    for s in [step.saturating_sub(1), step, step.saturating_add(1)] {
        let expected = totp_at_step(secret, s);
        if !expected.is_empty() && crate::ct::same(&expected, code) {
            matched = Some(s);
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector() {
        // RFC 6238 Appendix B, SHA-1, T = 59 s: 94287082 (8 digits) → last 6 digits 287082.
        assert_eq!(
            totp("12345678901234567890", cis2_sdk::UnixTime::from_secs(59)),
            "287082"
        );
    }

    #[test]
    fn acr_matching() {
        let m = CardMode::IdentityAgent;
        assert!(!AuthMethod::Totp.satisfies("AAL3_ANY", m));
        assert!(AuthMethod::Totp.satisfies("AAL2_OR_AAL3_ANY", m));
        assert_eq!(
            AuthMethod::Smartcard.acr_for(&default_acr_values(), m).as_deref(),
            Some("AAL3_ANY")
        );
        assert!(AuthMethod::Smartcard.satisfies("AAL3_N3_SMARTCARD", m));
        assert!(!AuthMethod::Smartcard.satisfies("AAL3_N3_SMARTCARD", CardMode::SmartcardConnect));
    }

    #[test]
    fn webauthn_assurance() {
        let m = CardMode::IdentityAgent;
        assert_eq!(AuthMethod::Fido2.aal(), 3);
        assert_eq!(AuthMethod::Fido2.amr(m), vec!["FIDO2".to_owned()]);
        assert!(AuthMethod::Fido2.satisfies("AAL3_ANY", m));
        assert!(AuthMethod::Fido2.satisfies("AAL3_FIDO2", m));
        assert_eq!(AuthMethod::Passkey.aal(), 2);
        assert_eq!(AuthMethod::Passkey.amr(m), vec!["PASSKEY".to_owned()]);
        assert!(!AuthMethod::Passkey.satisfies("AAL3_ANY", m));
        assert!(!AuthMethod::Passkey.satisfies("AAL3_FIDO2", m));
        assert!(AuthMethod::Passkey.satisfies("AAL2_OR_AAL3_ANY", m));
        assert_eq!(AuthMethod::parse("passkey"), Some(AuthMethod::Passkey));
    }
}
