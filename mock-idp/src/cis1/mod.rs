//! CIS1 emulated on the same users, roles and virtual cards as CIS2 (cis2.md §14): GAS (`gas`, the
//! `gpOBJECT` wire format in `gpobject`, the virtual card's answer in `card`), the SSB role assertion
//! (`saml`), the sign-in both share (`signin`) and the `AppState` surface (`control`). `docs/cis1.md` has
//! the wire examples and the choices made where §14 is not sure.

pub(crate) mod card;
pub(crate) mod control;
mod gas;
mod gpobject;
mod saml;
pub(crate) mod signin;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;

/// The largest GAS request body read (16 KiB; an Identity Agent's is under 4 KiB). Larger: `413`.
const GAS_BODY_LIMIT: usize = 16 * 1024;

/// GAS and SSB routes, at the root of the mock's origin as on the real hosts.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/authactivate", post(gas::activate))
        .route("/login/authvalidate", post(gas::validate))
        .route("/login/authlogout", post(gas::logout).get(gas::logout))
        .route("/saml/RoleSelectionGP.jsp", get(gas::role_selection))
        .route("/saml/RoleAssertion", get(saml::role_assertion))
        .layer(DefaultBodyLimit::max(GAS_BODY_LIMIT))
}
