//! The seeded defects: each one a bug real relying parties have shipped, each relaxing exactly one check.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One seeded defect. The correct RP refuses what the defect makes it accept (or, for the JWKS-cache
/// defects, fails where the correct RP copes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Defect {
    /// The ID token's `nonce` is never compared with the one sent.
    NonceNotChecked,
    /// An ID token with `alg: none` is decoded and used without any signature check.
    AlgNoneAccepted,
    /// The ID token's signature is not verified (a bad signature passes).
    SignatureNotVerified,
    /// `exp` (and the token's age) are ignored.
    ExpIgnored,
    /// `aud` and `azp` are not checked.
    AnyAudAccepted,
    /// `iss` is compared after parsing both sides as URLs (scheme and host case, dot segments, default
    /// ports are normalised away), not byte for byte.
    IssuerNormalised,
    /// The JWKS is fetched once and never again, even when a token names an unknown `kid` (key rotation).
    NoRefetchOnUnknownKid,
    /// A refetched JWKS is merged into the cached keys instead of replacing them, so a key the IdP removed
    /// still verifies tokens.
    JwksMergedOnRefetch,
    /// The JWKS is fetched again for every ID token and every logout token (no cache).
    RefetchEveryToken,
    /// `auth_time` is not checked after `prompt=login`.
    StaleAuthTimeAccepted,
    /// `max_age` is sent, but `auth_time` is not compared with it (nor required).
    MaxAgeIgnored,
    /// A step-up (AAL3 asked for) is validated against the ordinary sign-in's floor, and the session then
    /// records the AAL3 it asked for instead of what the token says.
    Aal2AcceptedForStepUp,
    /// Back-channel logout ends every session of the `sub`, not only the one whose `sid` was named.
    BclIgnoresSid,
    /// A logout token's `jti` is not remembered: the same token is accepted again.
    BclReplayAccepted,
    /// A logout token with `alg: none` is accepted.
    BclUnsignedAccepted,
    /// `POST /logout` clears the cookie only; the server-side session stays valid.
    LogoutKeepsServerSession,
    /// The pending sign-in is found by `state` alone; the browser-binding cookie is not checked.
    StateNotBound,
    /// The role is the first entry of `nhsid_nrbac_roles`; `selected_roleid` is ignored.
    RoleFromFirstProfile,
    /// The userinfo `sub` is not compared with the ID token's.
    UserinfoSubNotCompared,
    /// An ID token without `iat` is accepted.
    IatMissingAccepted,
}

impl Defect {
    /// Every defect, in declaration order.
    pub(crate) const ALL: [Defect; 20] = [
        Defect::NonceNotChecked,
        Defect::AlgNoneAccepted,
        Defect::SignatureNotVerified,
        Defect::ExpIgnored,
        Defect::AnyAudAccepted,
        Defect::IssuerNormalised,
        Defect::NoRefetchOnUnknownKid,
        Defect::JwksMergedOnRefetch,
        Defect::RefetchEveryToken,
        Defect::StaleAuthTimeAccepted,
        Defect::MaxAgeIgnored,
        Defect::Aal2AcceptedForStepUp,
        Defect::BclIgnoresSid,
        Defect::BclReplayAccepted,
        Defect::BclUnsignedAccepted,
        Defect::LogoutKeepsServerSession,
        Defect::StateNotBound,
        Defect::RoleFromFirstProfile,
        Defect::UserinfoSubNotCompared,
        Defect::IatMissingAccepted,
    ];

    /// The snake_case name (as in serde and configuration files).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Defect::NonceNotChecked => "nonce_not_checked",
            Defect::AlgNoneAccepted => "alg_none_accepted",
            Defect::SignatureNotVerified => "signature_not_verified",
            Defect::ExpIgnored => "exp_ignored",
            Defect::AnyAudAccepted => "any_aud_accepted",
            Defect::IssuerNormalised => "issuer_normalised",
            Defect::NoRefetchOnUnknownKid => "no_refetch_on_unknown_kid",
            Defect::JwksMergedOnRefetch => "jwks_merged_on_refetch",
            Defect::RefetchEveryToken => "refetch_every_token",
            Defect::StaleAuthTimeAccepted => "stale_auth_time_accepted",
            Defect::MaxAgeIgnored => "max_age_ignored",
            Defect::Aal2AcceptedForStepUp => "aal2_accepted_for_step_up",
            Defect::BclIgnoresSid => "bcl_ignores_sid",
            Defect::BclReplayAccepted => "bcl_replay_accepted",
            Defect::BclUnsignedAccepted => "bcl_unsigned_accepted",
            Defect::LogoutKeepsServerSession => "logout_keeps_server_session",
            Defect::StateNotBound => "state_not_bound",
            Defect::RoleFromFirstProfile => "role_from_first_profile",
            Defect::UserinfoSubNotCompared => "userinfo_sub_not_compared",
            Defect::IatMissingAccepted => "iat_missing_accepted",
        }
    }
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Defect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Defect::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("unknown defect {s:?}"))
    }
}
