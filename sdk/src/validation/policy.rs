//! [`ValidationPolicy`]: the settings every token check reads, strict by default.

use std::time::Duration;

use crate::crypto::Crypto;
use crate::jose::Algorithm;

/// How `exp` on logout tokens is treated (catalogue BCL-02).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogoutExpPolicy {
    /// Honour `exp` when present; without it, `iat` must fall within the logout-token age (CIS2 sends no `exp`).
    #[default]
    HonourWhenPresent,
    /// `exp` is required (BCL 1.0 final).
    Required,
}

/// Settings for every token check. Defaults are strict; each is documented in `docs/src/security-defaults.md`.
#[derive(Clone, Debug)]
pub struct ValidationPolicy {
    pub(super) algorithms: Vec<Algorithm>,
    pub(super) leeway: Duration,
    pub(super) max_token_bytes: usize,
    pub(super) id_token_max_age: Duration,
    pub(super) logout_token_max_age: Duration,
    pub(super) logout_exp: LogoutExpPolicy,
    pub(super) trusted_audiences: Vec<String>,
    pub(super) min_id_assurance_level: u8,
    pub(super) crypto: Crypto,
}

impl ValidationPolicy {
    /// The default clock leeway: 30 s (catalogue IDT-01: at most 60 s).
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

    /// RS256 only, 30 s leeway, 64 KiB tokens, ID tokens issued within 10 min, logout tokens within 5 min,
    /// `exp` on logout tokens honoured when present, no extra audiences, `id_assurance_level` ≥ 3.
    pub fn new(crypto: Crypto) -> Self {
        Self {
            algorithms: vec![Algorithm::RS256],
            leeway: Self::DEFAULT_LEEWAY,
            max_token_bytes: 64 * 1024,
            id_token_max_age: Duration::from_secs(600),
            logout_token_max_age: Duration::from_secs(300),
            logout_exp: LogoutExpPolicy::default(),
            trusted_audiences: Vec::new(),
            min_id_assurance_level: 3,
            crypto,
        }
    }

    /// The algorithms tokens may be signed with (local configuration; a header never chooses). At least one.
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        let algs: Vec<_> = algs.into_iter().collect();
        if !algs.is_empty() {
            self.algorithms = algs;
        }
        self
    }

    /// Clock leeway for `exp`, `iat`, `nbf` and `auth_time`; capped at 5 minutes.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway.min(Duration::from_secs(300));
        self
    }

    /// The largest token accepted, in bytes.
    pub fn max_token_bytes(mut self, n: usize) -> Self {
        self.max_token_bytes = n;
        self
    }

    /// How old (by `iat`) an ID token may be when it arrives.
    pub fn id_token_max_age(mut self, d: Duration) -> Self {
        self.id_token_max_age = d;
        self
    }

    /// How old (by `iat`) a logout token may be when it arrives (default 300 s).
    pub fn logout_token_max_age(mut self, d: Duration) -> Self {
        self.logout_token_max_age = d;
        self
    }

    /// How `exp` on logout tokens is treated.
    pub fn logout_exp(mut self, p: LogoutExpPolicy) -> Self {
        self.logout_exp = p;
        self
    }

    /// Audiences besides our client id that a token may also name. Empty by default: any other audience is
    /// refused (OIDC Core §3.1.3.7 item 3).
    pub fn trusted_audiences(mut self, auds: impl IntoIterator<Item = String>) -> Self {
        self.trusted_audiences = auds.into_iter().collect();
        self
    }

    /// The lowest `id_assurance_level` accepted (default 3, as NHS RPs require).
    pub fn min_id_assurance_level(mut self, level: u8) -> Self {
        self.min_id_assurance_level = level;
        self
    }

    /// The configured algorithms.
    pub fn allowed_algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }

    /// The configured leeway.
    pub fn clock_leeway(&self) -> Duration {
        self.leeway
    }
}
