//! A CIS1 sign-in, shared by GAS `authvalidate` and the virtual Identity Agent
//! ([`AppState::start_cis1_session`](crate::AppState::start_cis1_session)): the card checks (series, card
//! mode), then a new CIS1 session under the cap.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};

use crate::cards::{CardMode, SeriesRefusal, VirtualCard, check_series};
use crate::cis1_sessions::{Cis1Session, new_ticket};
use crate::state::{AppState, lock};
use crate::users::User;

/// Why a CIS1 sign-in or role selection was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Cis1Error {
    /// No such user.
    #[error("no such user")]
    UnknownUser,
    /// No such virtual card (GAS: the `response` names a card the mock does not have).
    #[error("no such smartcard")]
    UnknownCard,
    /// The card's signature over the challenge does not verify (or the `uid` is not the card's).
    #[error("the smartcard's signature over the challenge does not verify")]
    BadCardSignature,
    /// The challenge was not issued by `authactivate`, was used already, or is too old.
    #[error("the challenge is unknown, used already or expired; call authactivate again")]
    BadChallenge,
    /// The passcode (PIN) is wrong (the virtual Identity Agent).
    #[error("wrong passcode")]
    WrongPasscode,
    /// The card's series cannot authenticate under the card mode.
    #[error("{}", .refusal.describe(*.series))]
    CardRefused {
        /// Why.
        refusal: SeriesRefusal,
        /// The card's series.
        series: u8,
    },
    /// The card mode is Smartcard Connect, which does not talk to CIS1 (`[cis1] gas_under_smartcard_connect`).
    #[error("NHS Smartcard Connect works only with CIS2 Authentication, not CIS1")]
    SmartcardConnect,
    /// The role is not one of the user's.
    #[error("the role is not one of the user's role profiles")]
    UnknownRole,
    /// No live CIS1 session has this ticket.
    #[error("no live CIS1 session has this ticket")]
    NoSession,
}

impl Cis1Error {
    /// A short machine-readable code (GAS answers carry it as `gpPARAM name="error_code"`).
    pub fn code(&self) -> &'static str {
        match self {
            Cis1Error::UnknownUser => "unknown_user",
            Cis1Error::UnknownCard => "unknown_card",
            Cis1Error::BadCardSignature => "bad_card_signature",
            Cis1Error::BadChallenge => "bad_challenge",
            Cis1Error::WrongPasscode => "wrong_passcode",
            Cis1Error::CardRefused { refusal, .. } => refusal.code(),
            Cis1Error::SmartcardConnect => "smartcard_connect_no_cis1",
            Cis1Error::UnknownRole => "unknown_role",
            Cis1Error::NoSession => "no_session",
        }
    }

    /// The HTTP status GAS answers with.
    pub fn status(&self) -> u16 {
        self.http_status().as_u16()
    }

    pub(crate) fn http_status(&self) -> StatusCode {
        match self {
            Cis1Error::UnknownCard
            | Cis1Error::BadCardSignature
            | Cis1Error::BadChallenge
            | Cis1Error::WrongPasscode
            | Cis1Error::UnknownUser => StatusCode::UNAUTHORIZED,
            Cis1Error::CardRefused { .. } | Cis1Error::SmartcardConnect => StatusCode::FORBIDDEN,
            Cis1Error::UnknownRole => StatusCode::BAD_REQUEST,
            Cis1Error::NoSession => StatusCode::NOT_FOUND,
        }
    }
}

/// What the Identity Agent told about itself.
#[derive(Clone, Debug, Default)]
pub(crate) struct Agent {
    pub(crate) client_ip: Option<String>,
    pub(crate) device_id: Option<String>,
    pub(crate) user_agent: Option<String>,
    pub(crate) analytics: Option<serde_json::Value>,
}

/// The most of a header value kept on a session.
const HEADER_MAX: usize = 2048;

impl Agent {
    /// Reads `User-Agent`, `Analytics` (JSON, else kept as text) and `device_id=<id>,ClientIP=<ip>`.
    pub(crate) fn from_request(headers: &HeaderMap, device: Option<&str>) -> Self {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(HEADER_MAX).collect::<String>())
        };
        let analytics = header("analytics")
            .map(|a| serde_json::from_str::<serde_json::Value>(&a).unwrap_or(serde_json::Value::String(a)));
        let (device_id, client_ip) = match device {
            Some(d) => {
                let mut parts = d.splitn(2, ",ClientIP=");
                let id = parts.next().map(str::trim).filter(|s| !s.is_empty());
                let ip = parts
                    .next()
                    .map(str::trim)
                    .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok());
                (id.map(|s| s.chars().take(256).collect()), ip.map(str::to_owned))
            }
            None => (None, None),
        };
        Agent {
            client_ip,
            device_id,
            user_agent: header("user-agent"),
            analytics,
        }
    }
}

/// Whether `card` may sign in to CIS1 under the current card mode.
pub(crate) fn check_card(st: &AppState, card: &VirtualCard) -> Result<(), Cis1Error> {
    let mode = lock(&st.0.cards).mode();
    if mode == CardMode::SmartcardConnect && !st.0.config.cis1.gas_under_smartcard_connect {
        return Err(Cis1Error::SmartcardConnect);
    }
    check_series(card.series, mode).map_err(|refusal| Cis1Error::CardRefused {
        refusal,
        series: card.series,
    })
}

/// Opens a CIS1 session for `user` signed in with `card` (inserting it into the reader), with `role` (or the
/// user's first role) as the session role.
pub(crate) fn open_session(
    st: &AppState,
    card: &VirtualCard,
    user: &User,
    role: Option<&str>,
    agent: Agent,
) -> Result<Cis1Session, Cis1Error> {
    let selected = match role {
        Some(r) => Some(user.role(r).ok_or(Cis1Error::UnknownRole)?.person_roleid.clone()),
        None => user.roles.first().map(|r| r.person_roleid.clone()),
    };
    lock(&st.0.cards).insert(&card.serial);
    let now = st.0.clock.now();
    let cfg = &st.0.config.cis1;
    let session = Cis1Session {
        ticket: new_ticket(),
        uid: user.uid.clone(),
        card_serial: card.serial.clone(),
        selected_roleid: selected,
        ssb_mode: cfg.ssb_mode,
        auth_time: now,
        expires_at: now.saturating_add(Duration::from_secs(cfg.session_time_minutes.saturating_mul(60))),
        client_ip: agent.client_ip.unwrap_or_else(|| "127.0.0.1".into()),
        device_id: agent.device_id,
        user_agent: agent.user_agent,
        analytics: agent.analytics,
        seq: 0,
    };
    let evicted = lock(&st.0.cis1).insert(session.clone(), cfg.max_sessions);
    for t in evicted {
        tracing::info!(ticket = %t, "CIS1 session evicted (max_sessions)");
    }
    tracing::info!(uid = %user.uid, serial = %card.serial, "CIS1 session started");
    Ok(session)
}

/// The scheme and authority of the issuer (`https://host:443`), byte for byte: GAS and the SSB live at the
/// root of the mock's origin.
pub(crate) fn origin(st: &AppState) -> &str {
    let issuer = st.issuer();
    let after = issuer.find("://").map_or(0, |i| i + 3);
    match issuer[after..].find('/') {
        Some(i) => &issuer[..after + i],
        None => issuer,
    }
}
