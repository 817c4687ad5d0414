//! The RP's clock: real time plus an offset the tests set through `PUT /harness/rp-clock`, so a session's idle
//! and absolute timeouts can pass in a moment. It is a `cis2_mock_idp::Clock` of its own (the project's one
//! offset clock), not the mock's: moving the mock's time too would also end its SSO sessions and post
//! back-channel logouts, which would race the reason under test.

use cis2_server::{Clock, UnixTime};

/// The RP side of an offset clock; clones share the offset.
#[derive(Clone, Debug, Default)]
pub(crate) struct RpClock(pub(crate) cis2_mock_idp::Clock);

impl Clock for RpClock {
    fn now(&self) -> UnixTime {
        self.0.now()
    }
}
