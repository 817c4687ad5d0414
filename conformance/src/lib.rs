//! # cis2-conformance
//!
//! The CIS2 conformance suite for relying parties (RPs) written in any language: it embeds `cis2-mock-idp`,
//! registers the RP as a client, drives it through scenarios with a cookie-jar user agent, and proves each
//! verdict with evidence: a control sign-in that works, then the faulty journey's probe result and the
//! IdP's own log of what the RP called. Reports: a self-contained HTML evidence pack, JUnit XML, JSON.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let cfg = cis2_conformance::RpConfig::load("rp.toml".as_ref())?;
//! let suite = cis2_conformance::Suite::start(cfg, None).await?;
//! println!("point the RP's issuer at {}", suite.issuer());
//! let report = suite.run(&cis2_conformance::RunOptions::default(), &cis2_conformance::Quiet).await;
//! assert_eq!(report.totals.required_not_passed, 0);
//! # Ok(()) }
//! ```

pub mod agent;
pub mod cli;
pub mod config;
pub mod ctx;
pub mod evidence;
pub mod idp;
pub mod migrate;
pub mod model;
pub mod outcome;
pub mod probe;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod scenarios;
pub mod verdict;

use std::sync::Arc;

pub use config::{ConfigError, RpConfig};
pub use idp::{Idp, IdpError};
pub use model::{RunReport, ScenarioResult, Verdict};
pub use runner::{Progress, Quiet, RunOptions};
pub use scenario::{Outcome, Scenario};

/// A started suite: the embedded IdP with the RP's client registered.
#[derive(Debug)]
pub struct Suite {
    idp: Arc<Idp>,
    cfg: Arc<RpConfig>,
}

impl Suite {
    /// Starts the IdP on `[idp] port` and registers the RP. `signing_key`: a fixed IdP key (tests), else
    /// one is generated.
    pub async fn start(cfg: RpConfig, signing_key: Option<cis2_sdk::SigningKey>) -> Result<Self, IdpError> {
        let idp = Idp::start(&cfg, signing_key).await?;
        Ok(Self {
            idp: Arc::new(idp),
            cfg: Arc::new(cfg),
        })
    }

    /// The issuer the RP must be configured with, byte for byte.
    pub fn issuer(&self) -> &str {
        self.idp.issuer()
    }

    /// Describes the RP anew (same client id): registers the new redirect and logout URIs and uses the new
    /// configuration from the next run. For harnesses that must know the issuer before the RP can start.
    pub fn set_rp(&mut self, cfg: RpConfig) -> Result<(), IdpError> {
        if cfg.client.client_id != self.idp.client_id() {
            return Err(IdpError::Register(format!(
                "client.client_id must stay {:?} for this suite",
                self.idp.client_id()
            )));
        }
        self.idp.register(&cfg)?;
        self.cfg = Arc::new(cfg);
        Ok(())
    }

    /// The embedded IdP.
    pub fn idp(&self) -> &Idp {
        &self.idp
    }

    /// Runs every applicable scenario.
    pub async fn run(&self, opts: &RunOptions, progress: &dyn Progress) -> RunReport {
        runner::run(
            scenarios::all(),
            Arc::clone(&self.idp),
            Arc::clone(&self.cfg),
            opts,
            progress,
        )
        .await
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            only: Vec::new(),
            concurrency: 8,
            timeout: std::time::Duration::from_secs(10),
            browser: false,
        }
    }
}
