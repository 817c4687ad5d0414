//! Authenticators a test user can sign in with, their assurance levels, `amr` values and which `acr_values`
//! each can satisfy (cis2.md §9). The WebAuthn methods (security key / Windows Hello, passkeys) are performed
//! by the ceremony module (`webauthn.rs`); the iPad app and NHSmail are virtual authenticators on the login
//! form. A value that names a method (`AAL3_FIDO2`, `AAL3_IOS`, …) is met only by that method.

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
    /// The NHS CIS2 iPad app (AAL3, cis2.md §9.1): the virtual iPad approves the sign-in (biometric check).
    Ios,
    /// The AAL3 passkey (the NHS app in private beta, cis2.md §9.1), through WebAuthn.
    PasskeyAal3,
    /// A passkey (AAL2, cis2.md §9.1), through WebAuthn.
    Passkey,
    /// Username, password and a 6-digit TOTP code (AAL2).
    Totp,
    /// NHSmail-federated sign-in (AAL2, cis2.md §9.1): the virtual NHSmail account's password.
    Nhsmail,
    /// Username and password (AAL1).
    Password,
}

impl AuthMethod {
    /// Every method, strongest first.
    pub const ALL: [AuthMethod; 8] = [
        AuthMethod::Smartcard,
        AuthMethod::Fido2,
        AuthMethod::Ios,
        AuthMethod::PasskeyAal3,
        AuthMethod::Passkey,
        AuthMethod::Totp,
        AuthMethod::Nhsmail,
        AuthMethod::Password,
    ];

    /// The form value (`smartcard`, `fido2`, `ios`, `passkey_aal3`, `passkey`, `totp`, `nhsmail`, `password`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Smartcard => "smartcard",
            AuthMethod::Fido2 => "fido2",
            AuthMethod::Ios => "ios",
            AuthMethod::PasskeyAal3 => "passkey_aal3",
            AuthMethod::Passkey => "passkey",
            AuthMethod::Totp => "totp",
            AuthMethod::Nhsmail => "nhsmail",
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
            AuthMethod::Ios => "NHS CIS2 iPad app (AAL3)",
            AuthMethod::PasskeyAal3 => "AAL3 passkey (AAL3)",
            AuthMethod::Passkey => "Passkey (AAL2)",
            AuthMethod::Totp => "Username, password and authenticator app code (AAL2)",
            AuthMethod::Nhsmail => "NHSmail (AAL2)",
            AuthMethod::Password => "Username and password (AAL1)",
        }
    }

    /// The authentication assurance level the method reaches.
    pub fn aal(self) -> u8 {
        match self {
            AuthMethod::Smartcard | AuthMethod::Fido2 | AuthMethod::Ios | AuthMethod::PasskeyAal3 => 3,
            AuthMethod::Totp | AuthMethod::Passkey | AuthMethod::Nhsmail => 2,
            AuthMethod::Password => 1,
        }
    }

    /// Whether the login page can perform this method today (all of them; the WebAuthn ones need JavaScript).
    pub fn available(self) -> bool {
        true
    }

    /// Whether this is a WebAuthn method (performed by the browser's ceremony, not the plain form).
    pub fn is_webauthn(self) -> bool {
        matches!(
            self,
            AuthMethod::Fido2 | AuthMethod::Passkey | AuthMethod::PasskeyAal3
        )
    }

    /// The `amr` claim (cis2.md §9.3: `N3_SMARTCARD` confirmed; the others follow the ACR suffixes, \[I\]:
    /// `FIDO2`, `IOS`, `CIS2_SMARTCARD`, `TOTP`, `NHSMAIL`, `USERPASS`; either passkey reports `PASSKEY`, our
    /// choice: CIS2 publishes no value for it).
    pub fn amr(self, mode: CardMode) -> Vec<String> {
        let v = match (self, mode) {
            (AuthMethod::Smartcard, CardMode::IdentityAgent) => "N3_SMARTCARD",
            (AuthMethod::Smartcard, CardMode::SmartcardConnect) => "CIS2_SMARTCARD",
            (AuthMethod::Fido2, _) => "FIDO2",
            (AuthMethod::Ios, _) => "IOS",
            (AuthMethod::Passkey | AuthMethod::PasskeyAal3, _) => "PASSKEY",
            (AuthMethod::Totp, _) => "TOTP",
            (AuthMethod::Nhsmail, _) => "NHSMAIL",
            (AuthMethod::Password, _) => "USERPASS",
        };
        vec![v.to_owned()]
    }

    /// Whether this method satisfies one ACR value under `rules`.
    pub fn satisfies(self, acr: &str, rules: AcrRules) -> bool {
        let mode = rules.card_mode;
        match acr {
            // Values that name an authenticator: only that method answers them (provider behaviour).
            "AAL3_SMARTCARD" => self == AuthMethod::Smartcard,
            "AAL3_N3_SMARTCARD" => self == AuthMethod::Smartcard && mode == CardMode::IdentityAgent,
            "AAL3_CIS2_SMARTCARD" => self == AuthMethod::Smartcard && mode == CardMode::SmartcardConnect,
            "AAL3_FIDO2" => self == AuthMethod::Fido2,
            "AAL3_IOS" => self == AuthMethod::Ios,
            "AAL2_TOTP" => self == AuthMethod::Totp,
            "AAL2_NHSMAIL" => self == AuthMethod::Nhsmail,
            "AAL1_USERPASS" => self == AuthMethod::Password,
            "AAL2_ANY" if rules.aal2_any == Aal2Any::Aal2Only => self.aal() == 2,
            // Level-only values: the level each guarantees is the sdk's rule (`cis2_sdk::acr`).
            _ => cis2_sdk::acr::acr_level(acr).is_some_and(|level| self.aal() >= level),
        }
    }

    /// Whether this method satisfies any of the requested values.
    pub fn satisfies_any(self, requested: &[String], rules: AcrRules) -> bool {
        requested.iter().any(|a| self.satisfies(a, rules))
    }

    /// The `acr` to put in the token: the first requested value this method satisfies, or `None` when it
    /// satisfies none (the login must be refused).
    pub fn acr_for(self, requested: &[String], rules: AcrRules) -> Option<String> {
        requested.iter().find(|a| self.satisfies(a, rules)).cloned()
    }
}

/// What `AAL2_ANY` means. cis2.md §9.2 describes it as "AAL2 only" (\[C\] name, \[I\] meaning); the mock
/// has always treated it as "at least AAL2", like `AAL2_OR_AAL3_ANY`. Switch with `aal2_any` in the
/// configuration or `PUT /admin/api/acr`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Aal2Any {
    /// Any authenticator at AAL2 or above answers `AAL2_ANY` (the default).
    #[default]
    AtLeastAal2,
    /// Only an AAL2 authenticator (TOTP, passkey, NHSmail) answers `AAL2_ANY`; AAL3 ones are refused.
    Aal2Only,
}

impl Aal2Any {
    /// Parses `at_least_aal2` or `aal2_only`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "at_least_aal2" => Some(Self::AtLeastAal2),
            "aal2_only" => Some(Self::Aal2Only),
            _ => None,
        }
    }
}

/// The switches that decide which method answers which ACR value: the smartcard middleware emulated (for
/// `AAL3_N3_SMARTCARD` / `AAL3_CIS2_SMARTCARD`) and the meaning of `AAL2_ANY`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AcrRules {
    /// The emulated smartcard middleware.
    pub card_mode: CardMode,
    /// The meaning of `AAL2_ANY`.
    pub aal2_any: Aal2Any,
}

impl AcrRules {
    /// Rules for this card mode and `AAL2_ANY` meaning.
    pub fn new(card_mode: CardMode, aal2_any: Aal2Any) -> Self {
        Self { card_mode, aal2_any }
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
        let m = AcrRules::new(CardMode::IdentityAgent, Aal2Any::AtLeastAal2);
        assert!(!AuthMethod::Totp.satisfies("AAL3_ANY", m));
        assert!(AuthMethod::Totp.satisfies("AAL2_OR_AAL3_ANY", m));
        assert_eq!(
            AuthMethod::Smartcard.acr_for(&default_acr_values(), m).as_deref(),
            Some("AAL3_ANY")
        );
        assert!(AuthMethod::Smartcard.satisfies("AAL3_N3_SMARTCARD", m));
        let connect = AcrRules::new(CardMode::SmartcardConnect, Aal2Any::AtLeastAal2);
        assert!(!AuthMethod::Smartcard.satisfies("AAL3_N3_SMARTCARD", connect));
    }

    #[test]
    fn named_methods_answer_only_their_own_value() {
        let r = AcrRules::default();
        let named = [
            ("AAL3_FIDO2", AuthMethod::Fido2),
            ("AAL3_IOS", AuthMethod::Ios),
            ("AAL2_TOTP", AuthMethod::Totp),
            ("AAL2_NHSMAIL", AuthMethod::Nhsmail),
            ("AAL1_USERPASS", AuthMethod::Password),
            ("AAL3_SMARTCARD", AuthMethod::Smartcard),
        ];
        for (acr, only) in named {
            for m in AuthMethod::ALL {
                assert_eq!(m.satisfies(acr, r), m == only, "{acr} / {m:?}");
            }
        }
        assert!(AuthMethod::PasskeyAal3.satisfies("AAL3_ANY", r));
        assert!(AuthMethod::Ios.satisfies("AAL3_ANY", r));
        assert!(AuthMethod::Nhsmail.satisfies("AAL2_OR_AAL3_ANY", r));
        assert!(!AuthMethod::Nhsmail.satisfies("AAL3_ANY", r));
        assert_eq!(AuthMethod::Ios.amr(CardMode::IdentityAgent), ["IOS"]);
        assert_eq!(AuthMethod::Nhsmail.amr(CardMode::IdentityAgent), ["NHSMAIL"]);
        assert_eq!(AuthMethod::PasskeyAal3.amr(CardMode::IdentityAgent), ["PASSKEY"]);
    }

    #[test]
    fn aal2_any_is_switchable() {
        let at_least = AcrRules::new(CardMode::IdentityAgent, Aal2Any::AtLeastAal2);
        let only = AcrRules::new(CardMode::IdentityAgent, Aal2Any::Aal2Only);
        assert!(AuthMethod::Smartcard.satisfies("AAL2_ANY", at_least));
        assert!(!AuthMethod::Smartcard.satisfies("AAL2_ANY", only));
        assert!(AuthMethod::Totp.satisfies("AAL2_ANY", only));
        assert!(!AuthMethod::Password.satisfies("AAL2_ANY", only));
        assert_eq!(Aal2Any::parse("aal2_only"), Some(Aal2Any::Aal2Only));
        assert_eq!(Aal2Any::parse("nope"), None);
    }

    #[test]
    fn webauthn_assurance() {
        let m = AcrRules::default();
        assert_eq!(AuthMethod::Fido2.aal(), 3);
        assert_eq!(AuthMethod::Fido2.amr(m.card_mode), vec!["FIDO2".to_owned()]);
        assert!(AuthMethod::Fido2.satisfies("AAL3_ANY", m));
        assert!(AuthMethod::Fido2.satisfies("AAL3_FIDO2", m));
        assert_eq!(AuthMethod::Passkey.aal(), 2);
        assert_eq!(AuthMethod::Passkey.amr(m.card_mode), vec!["PASSKEY".to_owned()]);
        assert!(!AuthMethod::Passkey.satisfies("AAL3_ANY", m));
        assert!(!AuthMethod::Passkey.satisfies("AAL3_FIDO2", m));
        assert!(AuthMethod::Passkey.satisfies("AAL2_OR_AAL3_ANY", m));
        assert_eq!(AuthMethod::parse("passkey"), Some(AuthMethod::Passkey));
    }
}
