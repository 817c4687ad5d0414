//! CIS1 state held by `AppState`: live CIS1 (SSO) sessions keyed by their OpenAM-style ticket, the GAS
//! challenges waiting for an answer, and the key GAS signs its challenges with. In memory only, like the CIS2
//! sessions; capped (`[cis1] max_sessions`), the oldest going first. The GAS/SSB handlers are `crate::cis1`.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use cis2_sdk::UnixTime;
use rand::RngCore as _;
use rand::rngs::OsRng;
use serde::Serialize;

use crate::sessions::make_room;

/// A CIS1 session: what the Identity Agent holds after `authvalidate`, and what `RoleAssertion` reports while
/// it lives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Cis1Session {
    /// The SSO ticket (OpenAM token id, e.g. `AQIC5wM2LY4Sfc…=@AAJTSQACMDE=#`): contains `+`, `/`, `=`, `@`
    /// and `#`, so URL-encode it in a query string.
    pub ticket: String,
    /// The user (`uid`).
    pub uid: String,
    /// The virtual card that signed in; removing it ends the session.
    pub card_serial: String,
    /// The session role (`ssbSessionRoleUid`): a `person_roleid` of the user. The first role until
    /// `RoleSelectionGP.jsp` picks one; `None` for a user without roles.
    pub selected_roleid: Option<String>,
    /// `ssbMode`: `0` live, `1` training.
    pub ssb_mode: u8,
    /// When the user signed in (`AuthenticationInstant`).
    pub auth_time: UnixTime,
    /// When the session ends by itself (`sso_session_time` after sign-in).
    pub expires_at: UnixTime,
    /// The client address the Identity Agent reported (`device_id=<id>,ClientIP=<ip>`), else `127.0.0.1`.
    pub client_ip: String,
    /// The device id the Identity Agent reported.
    pub device_id: Option<String>,
    /// The Identity Agent's `User-Agent` (e.g. `Mozilla/4.0(compatible;IE;GACv10. 0. 0. 1)`).
    pub user_agent: Option<String>,
    /// The Identity Agent's `Analytics` header: JSON when it parses, else the text.
    pub analytics: Option<serde_json::Value>,
    /// Creation order, to evict the oldest first.
    #[serde(skip)]
    pub(crate) seq: u64,
}

/// A GAS challenge waiting for `authvalidate` (single use).
#[derive(Clone, Debug)]
pub(crate) struct Challenge {
    pub(crate) created: UnixTime,
    pub(crate) seq: u64,
}

/// All CIS1 state.
#[derive(Debug)]
pub(crate) struct Cis1State {
    pub(crate) sessions: HashMap<String, Cis1Session>,
    pub(crate) challenges: HashMap<String, Challenge>,
    /// The virtual Identity Agents: agent id (the `cis2_mock_ia` cookie of the browser it stands beside) →
    /// the ticket of the CIS1 session it holds (live or not; looked up through `sessions`).
    pub(crate) agents: HashMap<String, AgentTicket>,
    /// The key of the HMAC-SHA256 that is GAS's "server signature" over a challenge.
    pub(crate) server_key: [u8; 32],
    seq: u64,
}

/// What one virtual Identity Agent holds.
#[derive(Clone, Debug)]
pub(crate) struct AgentTicket {
    pub(crate) ticket: String,
    pub(crate) seq: u64,
}

impl Default for Cis1State {
    fn default() -> Self {
        let mut server_key = [0u8; 32];
        OsRng.fill_bytes(&mut server_key);
        Self {
            sessions: HashMap::new(),
            challenges: HashMap::new(),
            agents: HashMap::new(),
            server_key,
            seq: 0,
        }
    }
}

impl Cis1State {
    /// A creation number, increasing.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// The live session behind a ticket.
    pub(crate) fn live(&self, ticket: &str, now: UnixTime) -> Option<&Cis1Session> {
        self.sessions.get(ticket).filter(|s| s.expires_at > now)
    }

    /// Stores a session, first evicting the oldest ones over `cap`; returns the tickets evicted.
    pub(crate) fn insert(&mut self, mut s: Cis1Session, cap: usize) -> Vec<String> {
        s.seq = self.next_seq();
        let evicted = make_room(&mut self.sessions, cap, |s| s.seq);
        self.sessions.insert(s.ticket.clone(), s);
        evicted.into_iter().map(|s| s.ticket).collect()
    }

    /// Points a virtual Identity Agent at a ticket (evicting the oldest agents over `cap`).
    pub(crate) fn set_agent(&mut self, agent: &str, ticket: String, cap: usize) {
        let seq = self.next_seq();
        if !self.agents.contains_key(agent) {
            make_room(&mut self.agents, cap, |a| a.seq);
        }
        self.agents.insert(agent.to_owned(), AgentTicket { ticket, seq });
    }

    /// The live session a virtual Identity Agent holds.
    pub(crate) fn agent_session(&self, agent: &str, now: UnixTime) -> Option<&Cis1Session> {
        let a = self.agents.get(agent)?;
        self.live(&a.ticket, now)
    }

    /// Ends the sessions a card signed in; returns their tickets.
    pub(crate) fn end_card(&mut self, serial: &str) -> Vec<String> {
        let tickets: Vec<String> = self
            .sessions
            .values()
            .filter(|s| s.card_serial == serial)
            .map(|s| s.ticket.clone())
            .collect();
        for t in &tickets {
            self.sessions.remove(t);
        }
        tickets
    }

    /// Records a new challenge (evicting the oldest over `cap`).
    pub(crate) fn add_challenge(&mut self, challenge: String, now: UnixTime, cap: usize) {
        let seq = self.next_seq();
        make_room(&mut self.challenges, cap, |c| c.seq);
        self.challenges.insert(challenge, Challenge { created: now, seq });
    }

    /// Uses up a challenge: true when it was issued and is younger than `lifetime`.
    pub(crate) fn take_challenge(&mut self, challenge: &str, now: UnixTime, lifetime: Duration) -> bool {
        self.challenges
            .remove(challenge)
            .is_some_and(|c| now.duration_since(c.created) < lifetime)
    }

    /// Drops expired sessions and stale challenges; returns the tickets of the sessions dropped.
    pub(crate) fn prune(&mut self, now: UnixTime, challenge_lifetime: Duration) -> Vec<String> {
        self.challenges
            .retain(|_, c| now.duration_since(c.created) < challenge_lifetime);
        let expired: Vec<String> = self
            .sessions
            .values()
            .filter(|s| s.expires_at <= now)
            .map(|s| s.ticket.clone())
            .collect();
        for t in &expired {
            self.sessions.remove(t);
        }
        expired
    }
}

/// A fresh SSO ticket shaped like an OpenAM token id (`AQIC5wM2LY4Sfc<base64>=@AAJTSQACMDE=#`, cis2.md
/// §14.3): 24 random bytes in the middle, with a `+` and a `/` always present so every ticket exercises a
/// client's URL encoding.
pub(crate) fn new_ticket() -> String {
    let mut b = [0u8; 24];
    OsRng.fill_bytes(&mut b);
    let mut mid: Vec<u8> = base64::engine::general_purpose::STANDARD.encode(b).into_bytes();
    // 24 bytes encode to 32 characters without padding; put a '+' and a '/' at fixed places.
    mid[7] = b'+';
    mid[19] = b'/';
    let mid = String::from_utf8(mid).unwrap_or_default();
    format!("AQIC5wM2LY4Sfc{mid}=@AAJTSQACMDE=#")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_have_every_awkward_character() {
        for _ in 0..50 {
            let t = new_ticket();
            for c in ['+', '/', '=', '@', '#'] {
                assert!(t.contains(c), "{t}");
            }
            assert!(t.starts_with("AQIC5wM2LY4Sfc") && t.ends_with("=@AAJTSQACMDE=#"));
        }
        assert_ne!(new_ticket(), new_ticket());
    }

    #[test]
    fn challenges_are_single_use_and_expire() {
        let mut s = Cis1State::default();
        let t0 = UnixTime::from_secs(1000);
        s.add_challenge("c1".into(), t0, 10);
        assert!(s.take_challenge("c1", t0, Duration::from_secs(120)));
        assert!(!s.take_challenge("c1", t0, Duration::from_secs(120)));
        s.add_challenge("c2".into(), t0, 10);
        assert!(!s.take_challenge("c2", UnixTime::from_secs(1200), Duration::from_secs(120)));
    }
}
