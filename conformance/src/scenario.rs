//! What a scenario is: an id, what it proves, the catalogue ids it covers, what the RP must claim for it
//! to apply, and the journey that decides it.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::config::RpConfig;
use crate::ctx::Ctx;
pub use crate::outcome::Outcome;

/// A feature an RP claims in `[features]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Back-channel logout.
    BackchannelLogout,
    /// Role selection.
    RoleSelection,
    /// Step-up to AAL3.
    StepUp,
    /// CIS2 end-session.
    EndSession,
    /// Local sign-out (a `rp.sign_out` action).
    SignOut,
    /// Signed userinfo.
    SignedUserinfo,
    /// Plain JSON userinfo: the RP does not claim signed userinfo.
    PlainUserinfo,
    /// The probe shows the selected role (`probe.role_json_pointer`).
    RoleVisible,
    /// The RP sends `max_age` (`features.max_age`).
    MaxAge,
    /// The suite's IdP serves HTTPS (`idp.tls`), so the RP's back channel to it is TLS.
    IdpTls,
}

impl Feature {
    /// Whether `cfg` claims it.
    pub fn claimed(self, cfg: &RpConfig) -> bool {
        let f = &cfg.features;
        match self {
            Feature::BackchannelLogout => f.backchannel_logout,
            Feature::RoleSelection => f.role_selection,
            Feature::StepUp => f.step_up,
            Feature::EndSession => f.end_session,
            Feature::SignOut => cfg.rp.sign_out.is_some(),
            Feature::SignedUserinfo => f.signed_userinfo,
            Feature::PlainUserinfo => !f.signed_userinfo,
            Feature::RoleVisible => cfg.probe.role_json_pointer.is_some(),
            Feature::MaxAge => f.max_age,
            Feature::IdpTls => cfg.idp.tls,
        }
    }

    /// The `rp.toml` switch, for "skipped because" lines.
    pub fn name(self) -> &'static str {
        match self {
            Feature::BackchannelLogout => "features.backchannel_logout",
            Feature::RoleSelection => "features.role_selection",
            Feature::StepUp => "features.step_up",
            Feature::EndSession => "features.end_session",
            Feature::SignOut => "rp.sign_out",
            Feature::SignedUserinfo => "features.signed_userinfo",
            Feature::PlainUserinfo => "features.signed_userinfo = false",
            Feature::RoleVisible => "probe.role_json_pointer",
            Feature::MaxAge => "features.max_age",
            Feature::IdpTls => "idp.tls",
        }
    }
}

/// The journey that decides a scenario.
pub type Run = Arc<dyn Fn(Ctx) -> BoxFuture<'static, Outcome> + Send + Sync>;

/// One scenario.
#[derive(Clone)]
pub struct Scenario {
    /// Stable id (`group.name`).
    pub id: String,
    /// Group.
    pub group: &'static str,
    /// One line: what happens.
    pub title: String,
    /// What a pass proves.
    pub proves: String,
    /// Conformance-catalogue ids.
    pub catalogue: Vec<&'static str>,
    /// Features the RP must claim for it to apply.
    pub needs: Vec<Feature>,
    /// Whether the run fails when it does not pass (false: advisory, e.g. a kit-policy choice).
    pub required: bool,
    /// Changes IdP-wide state (signing keys, the JWKS endpoint): runs alone, before the others.
    pub exclusive: bool,
    /// Applies only when the suite's issuer carries an explicit default port (`https://host:443/...`,
    /// `[idp] tls = true` with port 443 bound).
    pub needs_explicit_default_port: bool,
    /// The journey.
    pub run: Run,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Scenario {
    /// A required, parallel scenario.
    pub fn new<F, Fut>(
        group: &'static str,
        name: &str,
        title: impl Into<String>,
        proves: impl Into<String>,
        catalogue: &[&'static str],
        run: F,
    ) -> Self
    where
        F: Fn(Ctx) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Outcome> + Send + 'static,
    {
        Self {
            id: format!("{group}.{name}"),
            group,
            title: title.into(),
            proves: proves.into(),
            catalogue: catalogue.to_vec(),
            needs: Vec::new(),
            required: true,
            exclusive: false,
            needs_explicit_default_port: false,
            run: Arc::new(move |ctx| Box::pin(run(ctx))),
        }
    }

    /// Applies only when the RP claims `f`.
    pub fn needs(mut self, f: Feature) -> Self {
        self.needs.push(f);
        self
    }

    /// Advisory: reported, but does not fail the run.
    pub fn advisory(mut self) -> Self {
        self.required = false;
        self
    }

    /// Applies only when the issuer carries an explicit default port (`:443`).
    pub fn only_with_explicit_default_port(mut self) -> Self {
        self.needs_explicit_default_port = true;
        self
    }

    /// Runs alone (IdP-wide state).
    pub fn exclusive(mut self) -> Self {
        self.exclusive = true;
        self
    }

    /// Why a scenario needing `f` is skipped when the RP does not claim it.
    pub fn skip_reason(f: Feature) -> String {
        match f {
            Feature::PlainUserinfo => "the RP claims signed userinfo (features.signed_userinfo = true), so the IdP never sends it plain JSON".into(),
            Feature::IdpTls => "the suite's IdP does not serve TLS (set [idp] tls = true and make the RP trust the suite's CA)".into(),
            f => format!("the RP does not claim this feature ({} is off)", f.name()),
        }
    }

    /// The first feature `cfg` lacks, if any.
    pub fn missing_feature(&self, cfg: &RpConfig) -> Option<Feature> {
        self.needs.iter().copied().find(|f| !f.claimed(cfg))
    }
}

/// Whether `issuer` writes out its scheme's default port (`https://host:443/…`, `http://host:80/…`), which
/// URL libraries drop when they normalise.
pub fn has_explicit_default_port(issuer: &str) -> bool {
    let Some((scheme, rest)) = issuer.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return false,
    };
    authority
        .rsplit_once(':')
        .is_some_and(|(host, port)| port == default && !host.is_empty() && !host.ends_with('['))
}

#[cfg(test)]
mod tests {
    use super::has_explicit_default_port;

    #[test]
    fn explicit_default_ports() {
        assert!(has_explicit_default_port("https://localhost:443/openam"));
        assert!(has_explicit_default_port("https://[::1]:443/x"));
        assert!(has_explicit_default_port("http://idp:80/x"));
        assert!(!has_explicit_default_port("https://localhost/openam"));
        assert!(!has_explicit_default_port("https://localhost:8443/openam"));
        assert!(!has_explicit_default_port("http://localhost:443/x"));
        assert!(!has_explicit_default_port("https://[::1]/x"));
    }
}
