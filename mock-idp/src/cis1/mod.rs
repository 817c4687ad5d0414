//! CIS1 emulated on the same users, roles and virtual cards as CIS2 (cis2.md §14): GAS (`gas`, the
//! `gpOBJECT` wire format in `gpobject`, the virtual card's answer in `card`), the SSB role assertion
//! (`saml`), the sign-in both share (`signin`) and the `AppState` surface (`control`). `docs/cis1.md` has
//! the wire examples and the choices made where §14 is not sure. The virtual Identity Agent's Ticket API
//! and its single sign-on into CIS2 are `agent`.

pub(crate) mod agent;
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

/// GAS and SSB routes, at the root of the mock's origin as on the real hosts, and the virtual Identity
/// Agent's Ticket API (`/ia/…`).
pub(crate) fn routes(st: &AppState) -> Router<AppState> {
    let no_auth = Router::new()
        .route("/ia/getTicketNoAuth", get(agent::get_ticket_no_auth))
        .layer(axum::middleware::from_fn_with_state(
            st.clone(),
            crate::bridge::cors::cors,
        ));
    Router::new()
        .merge(no_auth)
        .route(agent::GET_TICKET, get(agent::get_ticket).post(agent::post_ticket))
        .route("/login/authactivate", post(gas::activate))
        .route("/login/authvalidate", post(gas::validate))
        .route("/login/authlogout", post(gas::logout).get(gas::logout))
        .route("/saml/RoleSelectionGP.jsp", get(gas::role_selection))
        .route("/saml/RoleAssertion", get(saml::role_assertion))
        .layer(DefaultBodyLimit::max(GAS_BODY_LIMIT))
}
