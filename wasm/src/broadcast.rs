//! Cross-tab messages over `BroadcastChannel` (default name `cis2-session`). Only session facts travel here:
//! that a session ended and why, that the user was active, and new deadlines after a refresh. Never a token or
//! a user's details.
//!
//! Message shape: `{"cis2": 1, "type": "session_ended", "reason": "signed_out"}`,
//! `{"cis2": 1, "type": "activity", "at": <ms since epoch>}`,
//! `{"cis2": 1, "type": "session_refreshed", "idleExpiresAt": <unix s>, "expiresAt": <unix s>}`.

use js_sys::Object;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::events::{Reason, parse_reason};
use crate::js::{get, get_f64, get_string, set, set_str};

/// The default channel name.
pub(crate) const DEFAULT_CHANNEL: &str = "cis2-session";

/// A message between tabs.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TabMessage {
    /// The session ended in another tab (or that tab heard it first).
    SessionEnded(Reason),
    /// The user did something in another tab (ms since the epoch).
    Activity { at_ms: f64 },
    /// Another tab refreshed the session; these are the new deadlines (Unix seconds).
    Refreshed {
        idle_expires_at: Option<f64>,
        expires_at: Option<f64>,
    },
}

impl TabMessage {
    pub(crate) fn to_js(&self) -> JsValue {
        let o = Object::new();
        set(&o, "cis2", &JsValue::from(1));
        match self {
            TabMessage::SessionEnded(r) => {
                set_str(&o, "type", "session_ended");
                set_str(&o, "reason", r);
            }
            TabMessage::Activity { at_ms } => {
                set_str(&o, "type", "activity");
                set(&o, "at", &JsValue::from_f64(*at_ms));
            }
            TabMessage::Refreshed {
                idle_expires_at,
                expires_at,
            } => {
                set_str(&o, "type", "session_refreshed");
                set(&o, "idleExpiresAt", &crate::js::opt_num(*idle_expires_at));
                set(&o, "expiresAt", &crate::js::opt_num(*expires_at));
            }
        }
        o.into()
    }

    /// Reads a message; anything else on the channel (another library, a newer version) is ignored.
    pub(crate) fn from_js(v: &JsValue) -> Option<TabMessage> {
        if get(v, "cis2").as_f64() != Some(1.0) {
            return None;
        }
        match get_string(v, "type")?.as_str() {
            "session_ended" => Some(TabMessage::SessionEnded(parse_reason(&get_string(v, "reason")?)?)),
            "activity" => Some(TabMessage::Activity {
                at_ms: get_f64(v, "at")?,
            }),
            "session_refreshed" => Some(TabMessage::Refreshed {
                idle_expires_at: get_f64(v, "idleExpiresAt"),
                expires_at: get_f64(v, "expiresAt"),
            }),
            _ => None,
        }
    }
}

/// An open channel with its listener; closed on drop.
#[derive(Debug)]
pub(crate) struct TabChannel {
    channel: BroadcastChannel,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl TabChannel {
    /// Opens `name`; `on_message` gets every well-formed message from other tabs.
    pub(crate) fn open(
        name: &str,
        mut on_message: impl FnMut(TabMessage) + 'static,
    ) -> Result<TabChannel, JsValue> {
        let channel = BroadcastChannel::new(name)?;
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(m) = TabMessage::from_js(&get(&e, "data")) {
                on_message(m);
            }
        });
        set(&channel, "onmessage", listener.as_ref());
        Ok(TabChannel {
            channel,
            _on_message: listener,
        })
    }

    /// Posts to the other tabs (a closed or failing channel is ignored: cross-tab news is best effort).
    pub(crate) fn post(&self, m: &TabMessage) {
        let _ = self.channel.post_message(&m.to_js());
    }
}

impl Drop for TabChannel {
    fn drop(&mut self) {
        set(&self.channel, "onmessage", &JsValue::NULL);
        crate::js::target(&self.channel).close();
    }
}
