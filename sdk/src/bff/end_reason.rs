//! Why a session ended: the strings `/events`, `/session` and the browser's tab messages carry.

/// Why a session ended. The wire form is the snake_case string of [`EndReason::as_str`]; a receiver that
/// meets a string it does not know passes it on unchanged rather than failing (newer backends may add reasons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EndReason {
    /// `signed_out`: the user signed out (local logout, optionally with CIS2 end-session), or the session is
    /// simply gone.
    SignedOut,
    /// `backchannel_logout`: CIS2 ended the session (sign-out elsewhere; smartcard removal under the
    /// Identity Agent).
    BackchannelLogout,
    /// `idle_timeout`: no activity for the backend's idle timeout.
    IdleTimeout,
    /// `expired`: the absolute session lifetime has passed.
    Expired,
    /// `smartcard_removed`: the smartcard bridge reported the card's removal (browser only; the backend never
    /// sends it).
    SmartcardRemoved,
}

impl EndReason {
    /// Every reason, in the contract's order.
    pub const ALL: [EndReason; 5] = [
        EndReason::SignedOut,
        EndReason::BackchannelLogout,
        EndReason::SmartcardRemoved,
        EndReason::IdleTimeout,
        EndReason::Expired,
    ];

    /// The wire string (`"backchannel_logout"`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            EndReason::SignedOut => "signed_out",
            EndReason::BackchannelLogout => "backchannel_logout",
            EndReason::IdleTimeout => "idle_timeout",
            EndReason::Expired => "expired",
            EndReason::SmartcardRemoved => "smartcard_removed",
        }
    }

    /// The reason a wire string names; `None` for a string this version does not know.
    pub fn parse(s: &str) -> Option<EndReason> {
        EndReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The timeout a session's deadlines show as passed at `now`: [`Expired`](Self::Expired) once the absolute
    /// deadline is reached, else [`IdleTimeout`](Self::IdleTimeout) once the idle deadline is; `None` while
    /// both are ahead. The backend uses it to end sessions and the browser to explain a session that vanished
    /// while its event stream was down. Any time type works ([`UnixTime`](crate::UnixTime) on the backend,
    /// JS numbers of seconds in the browser); a time that does not compare (NaN) has not passed.
    pub fn from_deadlines<T: PartialOrd>(
        now: T,
        expires_at: Option<T>,
        idle_expires_at: Option<T>,
    ) -> Option<EndReason> {
        if expires_at.is_some_and(|t| now >= t) {
            Some(EndReason::Expired)
        } else if idle_expires_at.is_some_and(|t| now >= t) {
            Some(EndReason::IdleTimeout)
        } else {
            None
        }
    }
}

impl std::fmt::Display for EndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for EndReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for EndReason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        EndReason::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown end reason {s:?}")))
    }
}
