//! Every scenario, by group (one file each). The list is the source of the docs' scenario table
//! (`cis2-conformance list --markdown`), so the two cannot drift.

mod auth_request;
mod backchannel;
mod cis2_shapes;
mod code_flow;
mod id_token;
mod jwks;
mod max_age;
mod reliability;
mod roles;
mod sign_out;
mod step_up;
mod transport;
mod userinfo;

use crate::scenario::Scenario;

/// All scenarios, in report order.
pub fn all() -> Vec<Scenario> {
    let mut v = Vec::new();
    v.extend(code_flow::all());
    v.extend(auth_request::all());
    v.extend(id_token::all());
    v.extend(max_age::all());
    v.extend(cis2_shapes::all());
    v.extend(userinfo::all());
    v.extend(roles::all());
    v.extend(step_up::all());
    v.extend(backchannel::all());
    v.extend(sign_out::all());
    v.extend(jwks::all());
    v.extend(reliability::all());
    v.extend(transport::all());
    v
}
