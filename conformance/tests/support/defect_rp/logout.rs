//! `POST /logout` (RP logout) and `POST /backchannel-logout` (BCL 1.0 §2.5–2.8).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::state::{Rp, Session, lock, now};
use super::validate::{LEEWAY_SECS, decode_unverified, is_alg_none};
use super::{Defect, HOME_PATH, SESSION_COOKIE, cookie};

/// How old a logout token may be (by `iat`) when it has no `exp`, as the sdk's default.
const LOGOUT_MAX_AGE_SECS: u64 = 300;

/// What a valid logout token names.
#[derive(Debug)]
struct Target {
    sub: Option<String>,
    sid: Option<String>,
    jti: String,
    keep_until: u64,
}

/// `POST /logout`: ends the session (unless `logout_keeps_server_session`) and clears the cookie.
pub(crate) async fn logout(State(rp): State<Arc<Rp>>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, SESSION_COOKIE)
        && !rp.has(Defect::LogoutKeepsServerSession)
    {
        lock(&rp.sessions).remove(&id);
    }
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, HOME_PATH.to_owned()),
            (
                header::SET_COOKIE,
                format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
            ),
        ],
    )
        .into_response()
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn refuse(description: impl Into<String>) -> Response {
    answer(
        StatusCode::BAD_REQUEST,
        json!({"error": "invalid_request", "error_description": description.into()}),
    )
}

/// `POST /backchannel-logout`: form field `logout_token`.
pub(crate) async fn backchannel_logout(State(rp): State<Arc<Rp>>, body: String) -> Response {
    let tokens: Vec<String> = url::form_urlencoded::parse(body.as_bytes())
        .filter(|(k, _)| k == "logout_token")
        .map(|(_, v)| v.into_owned())
        .collect();
    let [token] = tokens.as_slice() else {
        return refuse("exactly one logout_token is required");
    };
    let target = match rp.validate_logout_token(token).await {
        Ok(t) => t,
        Err(e) => return refuse(e),
    };
    {
        let mut seen = lock(&rp.seen_jti);
        let t = now();
        seen.retain(|_, until| *until >= t);
        if seen.contains_key(&target.jti) && !rp.has(Defect::BclReplayAccepted) {
            return refuse("logout token replayed (jti seen before)");
        }
        seen.insert(target.jti.clone(), target.keep_until);
    }
    let ended = rp.end_for(&target);
    answer(StatusCode::OK, json!({"ended_sessions": ended}))
}

impl Rp {
    /// Ends the sessions a logout token names: its `sid`, or every session of its `sub` when it has none.
    fn end_for(&self, t: &Target) -> usize {
        if self.has(Defect::BclIgnoresSid) {
            // The sub, or the sub of the session the sid names.
            let sub = t.sub.clone().or_else(|| {
                let sessions = lock(&self.sessions);
                sessions
                    .values()
                    .find(|s| s.sid.is_some() && s.sid == t.sid)
                    .map(|s| s.sub.clone())
            });
            return self.end_sessions(|s: &Session| sub.as_deref() == Some(s.sub.as_str()));
        }
        match (&t.sid, &t.sub) {
            (Some(sid), _) => self.end_sessions(|s| s.sid.as_deref() == Some(sid)),
            (None, Some(sub)) => self.end_sessions(|s| &s.sub == sub),
            (None, None) => 0,
        }
    }

    async fn validate_logout_token(&self, token: &str) -> Result<Target, String> {
        let (header, claims) = decode_unverified(token)?;
        let t = now();
        if is_alg_none(&header) {
            if self.has(Defect::BclUnsignedAccepted) {
                return self.hand_logout_checks(&claims, t);
            }
            return Err("alg none".into());
        }
        let jwks = self.jwks_for(header.get("kid").and_then(Value::as_str)).await?;
        let lt = self
            .validator()?
            .validate_logout_token(token, &jwks, cis2_sdk::UnixTime::from_secs(t))
            .map_err(|e| format!("{}: {e}", e.code()))?;
        Ok(Target {
            sub: lt.sub,
            sid: lt.sid,
            jti: lt.jti,
            keep_until: lt.replay_window_end.as_secs(),
        })
    }

    /// The claim checks of BCL §2.6, for the unsigned tokens `bcl_unsigned_accepted` lets through.
    fn hand_logout_checks(&self, c: &Map<String, Value>, now: u64) -> Result<Target, String> {
        let s = |n: &str| c.get(n).and_then(Value::as_str).map(str::to_owned);
        if s("iss").as_deref() != Some(self.cfg.issuer.as_str()) {
            return Err("iss is not the issuer".into());
        }
        let me = self.cfg.client_id.as_str();
        let aud_ok = match c.get("aud") {
            Some(Value::String(a)) => a == me,
            Some(Value::Array(a)) => a.iter().all(|v| v.as_str() == Some(me)) && !a.is_empty(),
            _ => false,
        };
        if !aud_ok {
            return Err("aud is not us".into());
        }
        let iat = c.get("iat").and_then(Value::as_u64).ok_or("iat missing")?;
        if iat > now.saturating_add(LEEWAY_SECS)
            || now.saturating_sub(iat) > LOGOUT_MAX_AGE_SECS.saturating_add(LEEWAY_SECS)
        {
            return Err("iat out of range".into());
        }
        let event_ok = c
            .get("events")
            .and_then(Value::as_object)
            .and_then(|e| e.get(cis2_sdk::BACKCHANNEL_LOGOUT_EVENT))
            .is_some_and(Value::is_object);
        if !event_ok {
            return Err("events lacks the back-channel-logout object".into());
        }
        if c.contains_key("nonce") {
            return Err("nonce in a logout token".into());
        }
        let (sub, sid) = (s("sub"), s("sid"));
        if sub.is_none() && sid.is_none() {
            return Err("neither sub nor sid".into());
        }
        let jti = s("jti").ok_or("jti missing")?;
        let keep_until = iat.saturating_add(LOGOUT_MAX_AGE_SECS + 2 * LEEWAY_SECS);
        Ok(Target {
            sub,
            sid,
            jti,
            keep_until,
        })
    }
}
