//! A scenario's context: the IdP, the RP's configuration, the evidence recorder, fresh browsers and users,
//! and the journeys every scenario is made of (a sign-in, the probe, a control sign-in).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::agent::chromium::Chromium;
use crate::agent::{Browser, Credentials, Journey, SignIn};
use crate::config::RpConfig;
use crate::evidence::Recorder;
use crate::idp::{Idp, UserShape};
use crate::outcome::Outcome;
use crate::probe::{ProbeResult, probe};

/// Where a sign-in starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// `rp.start_url`.
    SignIn,
    /// `rp.step_up_url`.
    StepUp,
    /// `rp.change_role_url`.
    ChangeRole,
    /// `rp.max_age_url`, else `rp.start_url`: a sign-in that sends `max_age`.
    MaxAge,
}

/// One scenario's view of the run.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The IdP.
    pub idp: Arc<Idp>,
    /// The RP under test.
    pub cfg: Arc<RpConfig>,
    /// This scenario's evidence.
    pub rec: Recorder,
    /// The bound on every wait.
    pub timeout: Duration,
    browsers: Arc<AtomicUsize>,
    chromium: Option<Arc<Chromium>>,
}

/// Shorthand: a step that failed for a reason outside the RP's verdict becomes an `Error` outcome.
pub type Step<T> = Result<T, Outcome>;

fn err(e: impl std::fmt::Display) -> Outcome {
    Outcome::Error(e.to_string())
}

impl Ctx {
    pub(crate) fn new(
        idp: Arc<Idp>,
        cfg: Arc<RpConfig>,
        timeout: Duration,
        chromium: Option<Arc<Chromium>>,
    ) -> Self {
        Self {
            idp,
            cfg,
            rec: Recorder::new(),
            timeout,
            browsers: Arc::new(AtomicUsize::new(0)),
            chromium,
        }
    }

    /// A fresh browser (`browser A`, `browser B`, ...). In browser mode (`run --browser`) its sign-ins run
    /// in a headless Chromium of their own.
    pub fn browser(&self) -> Step<Browser> {
        let n = self.browsers.fetch_add(1, Ordering::Relaxed);
        let letter = char::from(b'A' + u8::try_from(n % 26).unwrap_or(0));
        let b =
            Browser::trusting(format!("browser {letter}"), self.timeout, self.idp.ca_pem()).map_err(err)?;
        Ok(match &self.chromium {
            Some(c) => b.with_chromium(Arc::clone(c)),
            None => b,
        })
    }

    /// A fresh user.
    pub fn user(&self, shape: UserShape) -> Step<String> {
        let uid = self.idp.new_user(shape).map_err(err)?;
        self.rec.step("suite", format!("new test user {uid} ({shape:?})"));
        Ok(uid)
    }

    fn start_url(&self, start: Start) -> Step<&str> {
        let rp = &self.cfg.rp;
        match start {
            Start::SignIn => Some(rp.start_url.as_str()),
            Start::StepUp => rp.step_up_url.as_deref(),
            Start::ChangeRole => rp.change_role_url.as_deref(),
            Start::MaxAge => Some(rp.max_age_url.as_deref().unwrap_or(&rp.start_url)),
        }
        .ok_or_else(|| Outcome::Error(format!("rp.toml has no URL for {start:?}")))
    }

    /// Signs `uid` in, in `b`, from `start`.
    pub async fn sign_in(&self, b: &Browser, uid: &str, start: Start, creds: Credentials) -> Step<Journey> {
        self.sign_in_with(b, uid, start, creds, None, false).await
    }

    /// [`Ctx::sign_in`] with a role to pick and the option to stop at the callback.
    pub async fn sign_in_with(
        &self,
        b: &Browser,
        uid: &str,
        start: Start,
        creds: Credentials,
        role: Option<&str>,
        stop_at_callback: bool,
    ) -> Step<Journey> {
        let s = SignIn {
            start_url: self.start_url(start)?,
            uid,
            credentials: creds,
            role,
            redirect_uris: &self.cfg.rp.redirect_uris,
            stop_at_callback,
        };
        let seq = self.idp.seq();
        let j = b.sign_in(&s, &self.idp.forms(), &self.rec).await;
        self.record_tokens(seq, uid, b.label());
        let j = j.map_err(|e| {
            Outcome::Error(format!(
                "the sign-in journey broke off: {e}. Fix: check that rp.start_url starts a sign-in and the RP is running"
            ))
        })?;
        if !j.reached_idp {
            return Err(Outcome::Error(format!(
                "{} did not send the browser to the suite's IdP (last answer: {} at {}). Fix: point the RP's issuer at {}",
                s.start_url,
                j.last.status,
                j.last.url,
                self.idp.issuer()
            )));
        }
        Ok(j)
    }

    /// Puts the tokens the IdP issued to `uid` since `seq` into the evidence, decoded.
    pub fn record_tokens(&self, seq: u64, uid: &str, browser: &str) {
        for o in self.idp.observed_for(seq, uid) {
            if let Some(t) = &o.token {
                let what = match o.endpoint {
                    cis2_mock_idp::ObservedEndpoint::Token => "id_token",
                    cis2_mock_idp::ObservedEndpoint::Userinfo => "signed userinfo",
                    _ => "token",
                };
                self.rec.token(&format!("{what} ({browser})"), t);
            }
        }
    }

    /// The probe, in `b`.
    pub async fn probe(&self, b: &Browser) -> Step<ProbeResult> {
        probe(b, &self.cfg.probe, &self.rec)
            .await
            .map_err(|e| Outcome::Error(format!("the probe got no answer: {e}. Fix: check probe.url")))
    }

    /// The control journey: a clean sign-in of `uid` in a fresh browser that must end signed in. Proves the
    /// RP and rp.toml work before a fault is judged.
    pub async fn control(&self, uid: &str, start: Start, creds: Credentials) -> Step<Browser> {
        let b = self.browser()?;
        self.rec
            .step("suite", format!("control: a clean sign-in in {}", b.label()));
        let j = self.sign_in(&b, uid, start, creds).await?;
        let p = self.probe(&b).await?;
        if !p.signed_in {
            return Err(Outcome::Error(format!(
                "control sign-in without any fault did not sign in (callback answered {}, probe: {}). Fix the RP or rp.toml first (probe rule, redirect URIs, client credentials)",
                j.callback_status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "nothing".into()),
                p.seen
            )));
        }
        self.rec
            .decided_by(format!("control: a clean sign-in works ({})", p.seen));
        Ok(b)
    }
}
