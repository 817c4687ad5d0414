//! Faults injected into the next responses for a client, the OIDF way: one fault per test, on an otherwise
//! valid token with a real signature unless the fault is about signatures. Claim faults mutate the claim
//! map just before signing (`crate::signing`); signature faults are applied by [`crate::keys::sign_jwt`];
//! endpoint faults delay a response or replace it with a 5xx (`crate::oidc`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::errors::AdminError;
use crate::keys::SignFaults;

/// What a fault is applied to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Target {
    /// The ID token of the next token response.
    IdToken,
    /// The next userinfo response (JSON or signed).
    Userinfo,
    /// The next logout token sent by back-channel logout.
    LogoutToken,
    /// The token endpoint response as a whole (`slow`, `status`).
    TokenEndpoint,
    /// The userinfo endpoint response as a whole (`slow`, `status`).
    UserinfoEndpoint,
    /// The JWKS endpoint (`slow`, `status`); not client-specific.
    JwksEndpoint,
    /// The discovery endpoint (`slow`, `status`); not client-specific.
    DiscoveryEndpoint,
}

/// Ways a logout token can be malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LogoutMalformation {
    /// No `events` claim.
    MissingEvents,
    /// `events` is an array.
    EventsNotObject,
    /// The back-channel-logout member is a string, not an object.
    EventMemberNotObject,
    /// Neither `sub` nor `sid`.
    NoSubNoSid,
    /// A `nonce` claim (forbidden in logout tokens).
    WithNonce,
    /// No `jti`.
    MissingJti,
    /// `iat` a day in the past.
    StaleIat,
}

/// One fault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// `iss` replaced (default: the issuer with `/wrong` appended).
    WrongIss {
        /// The value to send.
        #[serde(default)]
        value: Option<String>,
    },
    /// `aud` replaced (default: `wrong-client.apps.national`).
    WrongAud {
        /// The value to send (string or array).
        #[serde(default)]
        value: Option<Value>,
    },
    /// A claim removed.
    MissingClaim {
        /// Claim name.
        claim: String,
    },
    /// A claim set to any JSON value (scriptable catch-all).
    SetClaim {
        /// Claim name.
        claim: String,
        /// Value.
        value: Value,
    },
    /// `exp` in the past (`iat` before it).
    Expired,
    /// `iat` (and `exp`) an hour in the future.
    FutureIat,
    /// `nonce` that is not the request's.
    NonceMismatch,
    /// userinfo `sub` differs from the ID token's.
    SubMismatch,
    /// A real RS256 signature with one bit flipped.
    BadSignature,
    /// `alg: none`, empty signature.
    AlgNone,
    /// `alg: HS256`, HMAC keyed with the mock's public key PEM (key confusion).
    Hs256PublicKey,
    /// No `kid` in the header.
    KidAbsent,
    /// A `kid` the JWKS does not contain (signature still by the real key).
    KidUnknown,
    /// Signed (with its own `kid`) by the key the mock most recently rotated out, whether or not the JWKS
    /// still publishes it: after a rotation with no grace period, a key the IdP has removed. Signing fails
    /// (the token endpoint answers 500) when no key was ever rotated out.
    RemovedKey,
    /// A malformed logout token.
    MalformedLogoutToken {
        /// How.
        variant: LogoutMalformation,
    },
    /// Delay the response.
    Slow {
        /// Milliseconds.
        delay_ms: u64,
    },
    /// Answer with this status (5xx) instead of the real response.
    Status {
        /// HTTP status, 500-599.
        status: u16,
    },
}

impl Fault {
    /// The target used when an injection names none.
    pub fn default_target(&self) -> Target {
        match self {
            Fault::SubMismatch => Target::Userinfo,
            Fault::MalformedLogoutToken { .. } => Target::LogoutToken,
            Fault::Slow { .. } | Fault::Status { .. } => Target::TokenEndpoint,
            _ => Target::IdToken,
        }
    }
}

/// An injection request (`POST /admin/api/faults`).
#[derive(Clone, Debug, Deserialize)]
#[non_exhaustive]
pub struct InjectRequest {
    /// The client whose responses get the fault; `None` for every client.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The user whose responses get the fault (the user of the code or access token, the logout token's
    /// `sub`); `None` for every user. Not for the JWKS and discovery endpoints, which serve no user.
    #[serde(default)]
    pub uid: Option<String>,
    /// What to mutate; default per fault kind.
    #[serde(default)]
    pub target: Option<Target>,
    /// The fault.
    pub fault: Fault,
    /// How many responses get it (default 1); 0 means until deleted.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl InjectRequest {
    /// One use of `fault`, for every client, on its default target.
    pub fn new(fault: Fault) -> Self {
        Self {
            client_id: None,
            uid: None,
            target: None,
            fault,
            times: 1,
        }
    }

    /// Only for this client.
    pub fn for_client(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Only for responses about this user (see [`InjectRequest::uid`]).
    pub fn for_user(mut self, uid: impl Into<String>) -> Self {
        self.uid = Some(uid.into());
        self
    }

    /// On this target.
    pub fn target(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }

    /// For `times` responses (0: until removed).
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }
}

/// An armed fault.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Injected {
    /// Id, for `DELETE /admin/api/faults/{id}`.
    pub id: u64,
    /// Client, or `None` for all.
    pub client_id: Option<String>,
    /// User, or `None` for all.
    pub uid: Option<String>,
    /// Target.
    pub target: Target,
    /// Fault.
    pub fault: Fault,
    /// Remaining uses; `None` until deleted.
    pub remaining: Option<u32>,
}

/// The armed faults.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    next_id: u64,
    armed: Vec<Injected>,
}

impl Faults {
    pub(crate) fn inject(&mut self, req: InjectRequest) -> Result<Injected, AdminError> {
        let target = req.target.unwrap_or_else(|| req.fault.default_target());
        let endpoint = matches!(
            target,
            Target::TokenEndpoint
                | Target::UserinfoEndpoint
                | Target::JwksEndpoint
                | Target::DiscoveryEndpoint
        );
        let endpoint_fault = matches!(req.fault, Fault::Slow { .. } | Fault::Status { .. });
        if endpoint != endpoint_fault {
            return Err(AdminError::InvalidRequest(
                "slow/status faults go with *_endpoint targets, the others with token targets".into(),
            ));
        }
        if let Fault::Status { status } = req.fault
            && !(500..=599).contains(&status)
        {
            return Err(AdminError::InvalidRequest("status must be 500-599".into()));
        }
        if req.uid.is_some() && matches!(target, Target::JwksEndpoint | Target::DiscoveryEndpoint) {
            return Err(AdminError::InvalidRequest(
                "jwks_endpoint and discovery_endpoint faults cannot be scoped to a user".into(),
            ));
        }
        self.next_id += 1;
        let inj = Injected {
            id: self.next_id,
            client_id: req.client_id,
            uid: req.uid,
            target,
            fault: req.fault,
            remaining: (req.times > 0).then_some(req.times),
        };
        self.armed.push(inj.clone());
        Ok(inj)
    }

    pub(crate) fn list(&self) -> Vec<Injected> {
        self.armed.clone()
    }

    pub(crate) fn remove(&mut self, id: u64) -> bool {
        let before = self.armed.len();
        self.armed.retain(|f| f.id != id);
        before != self.armed.len()
    }

    pub(crate) fn clear(&mut self) {
        self.armed.clear();
    }

    /// Takes the faults armed for `client_id` (or for every client) and `uid` (or for every user) on
    /// `target`, using one of each. A fault scoped to a user matches only a response about that user (`uid`
    /// `None`, a response about no known user, matches unscoped faults only).
    pub(crate) fn take(&mut self, client_id: Option<&str>, uid: Option<&str>, target: Target) -> Vec<Fault> {
        let mut out = Vec::new();
        for f in &mut self.armed {
            let client_ok =
                f.client_id.is_none() || client_id.is_none() || f.client_id.as_deref() == client_id;
            let uid_ok = f.uid.is_none() || f.uid.as_deref() == uid;
            if f.target == target && client_ok && uid_ok && f.remaining != Some(0) {
                out.push(f.fault.clone());
                if let Some(n) = &mut f.remaining {
                    *n -= 1;
                }
            }
        }
        self.armed.retain(|f| f.remaining != Some(0));
        out
    }
}

/// What claim faults need to know.
pub(crate) struct FaultContext<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) now: u64,
}

/// Applies claim faults to `claims`; returns the signature faults for [`crate::keys::sign_jwt`].
pub(crate) fn apply(faults: &[Fault], claims: &mut Map<String, Value>, ctx: &FaultContext<'_>) -> SignFaults {
    let mut sign = SignFaults::default();
    for f in faults {
        match f {
            Fault::WrongIss { value } => {
                let v = value.clone().unwrap_or_else(|| format!("{}/wrong", ctx.issuer));
                claims.insert("iss".into(), v.into());
            }
            Fault::WrongAud { value } => {
                let v = value
                    .clone()
                    .unwrap_or_else(|| "wrong-client.apps.national".into());
                claims.insert("aud".into(), v);
            }
            Fault::MissingClaim { claim } => {
                claims.remove(claim);
            }
            Fault::SetClaim { claim, value } => {
                claims.insert(claim.clone(), value.clone());
            }
            Fault::Expired => {
                claims.insert("iat".into(), ctx.now.saturating_sub(1200).into());
                claims.insert("exp".into(), ctx.now.saturating_sub(600).into());
                if claims.contains_key("auth_time") {
                    claims.insert("auth_time".into(), ctx.now.saturating_sub(1200).into());
                }
            }
            Fault::FutureIat => {
                claims.insert("iat".into(), ctx.now.saturating_add(3600).into());
                claims.insert("exp".into(), ctx.now.saturating_add(7200).into());
            }
            Fault::NonceMismatch => {
                claims.insert("nonce".into(), "not-the-nonce-you-sent".into());
            }
            Fault::SubMismatch => {
                claims.insert("sub".into(), "000000000000".into());
            }
            Fault::BadSignature => sign.bad_signature = true,
            Fault::AlgNone => sign.alg_none = true,
            Fault::Hs256PublicKey => sign.hs256_public_key = true,
            Fault::KidAbsent => sign.kid_absent = true,
            Fault::KidUnknown => sign.kid_unknown = true,
            Fault::RemovedKey => sign.removed_key = true,
            Fault::MalformedLogoutToken { variant } => match variant {
                LogoutMalformation::MissingEvents => {
                    claims.remove("events");
                }
                LogoutMalformation::EventsNotObject => {
                    claims.insert(
                        "events".into(),
                        serde_json::json!([cis2_sdk::BACKCHANNEL_LOGOUT_EVENT]),
                    );
                }
                LogoutMalformation::EventMemberNotObject => {
                    claims.insert(
                        "events".into(),
                        serde_json::json!({ cis2_sdk::BACKCHANNEL_LOGOUT_EVENT: "yes" }),
                    );
                }
                LogoutMalformation::NoSubNoSid => {
                    claims.remove("sub");
                    claims.remove("sid");
                }
                LogoutMalformation::WithNonce => {
                    claims.insert("nonce".into(), "n-0S6_WzA2Mj".into());
                }
                LogoutMalformation::MissingJti => {
                    claims.remove("jti");
                }
                LogoutMalformation::StaleIat => {
                    claims.insert("iat".into(), ctx.now.saturating_sub(86_400).into());
                }
            },
            Fault::Slow { .. } | Fault::Status { .. } => {}
        }
    }
    sign
}
