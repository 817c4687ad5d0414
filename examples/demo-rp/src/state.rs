//! The app state: the kit plus the demo's own settings.

use axum::extract::FromRef;
use cis2_server::Cis2Auth;

use crate::assets::Assets;
use crate::dual_run::DualRun;

/// The app state: the kit plus the demo's own settings.
#[derive(Clone, Debug)]
pub struct AppState {
    pub(crate) auth: Cis2Auth,
    pub(crate) assets: Assets,
    /// The provider, for the footer.
    pub(crate) provider: String,
    /// The demo's origin (`public_url`), for same-origin checks.
    pub(crate) public_url: String,
    /// Dual-run with CIS1, when on.
    pub(crate) dual_run: Option<DualRun>,
}

impl FromRef<AppState> for Cis2Auth {
    fn from_ref(s: &AppState) -> Self {
        s.auth.clone()
    }
}

impl FromRef<AppState> for Assets {
    fn from_ref(s: &AppState) -> Self {
        s.assets.clone()
    }
}
