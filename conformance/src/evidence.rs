//! What a scenario saw, as it happened: steps, decoded tokens and the evidence that decided.

use std::sync::{Arc, Mutex};
use tokio::time::Instant;

use crate::model::{DecodedToken, Step};

/// Collects one scenario's evidence; clones share it.
#[derive(Clone, Debug)]
pub struct Recorder(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    started: Instant,
    log: Mutex<Log>,
}

#[derive(Debug, Default)]
struct Log {
    steps: Vec<Step>,
    tokens: Vec<DecodedToken>,
    decided_by: Vec<String>,
}

/// Everything recorded.
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    pub(crate) steps: Vec<Step>,
    pub(crate) tokens: Vec<DecodedToken>,
    pub(crate) decided_by: Vec<String>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// Starts the clock.
    pub fn new() -> Self {
        Self(Arc::new(Inner {
            started: Instant::now(),
            log: Mutex::new(Log::default()),
        }))
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.0.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Milliseconds since the scenario started.
    pub fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.0.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Something happened.
    pub fn step(&self, actor: &str, what: impl Into<String>) {
        let at_ms = self.elapsed_ms();
        self.log().steps.push(Step {
            at_ms,
            actor: actor.to_owned(),
            what: what.into(),
        });
    }

    /// A piece of evidence the verdict rests on.
    pub fn decided_by(&self, what: impl Into<String>) {
        self.log().decided_by.push(what.into());
    }

    /// A token the IdP issued (decoded without verification, for the reader).
    pub fn token(&self, label: &str, jwt: &str) {
        let (header, claims) = match cis2_sdk::dangerous::insecure_decode(jwt) {
            Ok((h, c)) => (serde_json::Value::Object(h.raw), serde_json::Value::Object(c)),
            Err(e) => (
                serde_json::Value::Null,
                serde_json::json!({ "undecodable": e.to_string() }),
            ),
        };
        self.log().tokens.push(DecodedToken {
            label: label.to_owned(),
            header,
            claims,
        });
    }

    pub(crate) fn take(&self) -> Recorded {
        let mut l = self.log();
        Recorded {
            steps: std::mem::take(&mut l.steps),
            tokens: std::mem::take(&mut l.tokens),
            decided_by: std::mem::take(&mut l.decided_by),
        }
    }
}
