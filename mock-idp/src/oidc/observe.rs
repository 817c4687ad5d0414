//! What a protocol handler learned about the request (client, user) for its observation-log entry, which
//! the handler's wrapper records once the response is ready, whichever way the handler returned.

use axum::response::Response;

use crate::observed::ObservedEndpoint;
use crate::state::AppState;

/// The client and user of a request, as far as the handler got.
#[derive(Debug, Default)]
pub(super) struct Seen {
    pub(super) client_id: Option<String>,
    pub(super) uid: Option<String>,
    /// The signed token the response carries (ID token, signed userinfo).
    pub(super) token: Option<String>,
}

impl Seen {
    /// Records the request with the response's status.
    pub(super) fn record(&self, st: &AppState, endpoint: ObservedEndpoint, resp: &Response) {
        st.observe_token(
            endpoint,
            self.client_id.as_deref(),
            self.uid.as_deref(),
            resp.status().as_u16(),
            None,
            self.token.as_deref(),
        );
    }
}
