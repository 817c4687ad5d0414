//! The client's settings and state, shared by `Cis2Browser` and its callbacks.

use std::cell::RefCell;

use js_sys::Function;

use crate::broadcast::TabChannel;
use crate::clock::Timer;
use crate::events::{Backoff, EventStream};
use crate::idle::ActivityListener;
use crate::session::SessionTimes;
use crate::text::cat;

/// The constructor's options, fixed for the client's life.
#[derive(Debug)]
pub(super) struct Config {
    /// The backend route prefix, without a trailing slash.
    pub(super) base: String,
    /// Seconds of warning before the idle timeout.
    pub(super) idle_warning_secs: f64,
    /// Default ports for `discoverBridge`.
    pub(super) bridge_ports: Option<Vec<u16>>,
    /// Whether user activity is tracked for the idle warning.
    pub(super) track_activity: bool,
    /// Whether to open the backend's event stream.
    pub(super) events: bool,
    /// Event-stream reconnect backoff.
    pub(super) backoff: Backoff,
}

/// What the client knows and holds, behind the `RefCell`.
#[derive(Debug, Default)]
pub(super) struct State {
    /// `onSessionEnded` callbacks, by subscription id.
    pub(super) ended_listeners: Vec<(u32, Function)>,
    /// `onIdleWarning` callbacks, by subscription id.
    pub(super) idle_listeners: Vec<(u32, Function)>,
    /// The last subscription id handed out.
    pub(super) next_id: u32,
    /// Between `start()` and `stop()`.
    pub(super) running: bool,
    /// The session end has been announced (listeners called once).
    pub(super) ended: bool,
    /// The live session's expiry times, when one is known.
    pub(super) times: Option<SessionTimes>,
    /// The live session's user (`sub`, the CIS2 UID), when one is known: `watchSmartcard` compares card uids.
    pub(super) sub: Option<String>,
    /// Server clock minus local clock, from the last `/session` response.
    pub(super) skew_ms: f64,
    /// The open event stream.
    pub(super) stream: Option<EventStream>,
    /// Whether the event stream has reported itself open.
    pub(super) stream_open: bool,
    /// Failed reconnects in a row, for the backoff.
    pub(super) reconnect_attempt: u32,
    /// The pending event-stream reconnect.
    pub(super) reconnect_timer: Option<Timer>,
    /// The cross-tab channel, when the browser has `BroadcastChannel`.
    pub(super) channel: Option<TabChannel>,
    /// The user-activity listener, while tracking.
    pub(super) activity: Option<ActivityListener>,
    /// The pending idle warning (or, after it, the post-deadline check).
    pub(super) idle_timer: Option<Timer>,
    /// The idle warning has fired since the last refresh.
    pub(super) warned: bool,
    /// The latest user activity in any tab (local ms).
    pub(super) last_activity_ms: f64,
    /// When the session was last read or refreshed (local ms).
    pub(super) last_refresh_ms: f64,
    /// When this tab last told the others about activity (local ms).
    pub(super) last_activity_broadcast_ms: f64,
}

/// The client itself. Callbacks hold it weakly: once `Cis2Browser` is dropped they do nothing.
#[derive(Debug)]
pub(super) struct Inner {
    /// Settings from the constructor.
    pub(super) config: Config,
    /// Everything that changes.
    pub(super) state: RefCell<State>,
}

impl Inner {
    /// `{baseUrl}{route}`.
    pub(super) fn url(&self, route: &str) -> String {
        cat(&[&self.config.base, route])
    }
}
