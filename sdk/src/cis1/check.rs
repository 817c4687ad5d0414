//! [`RoleAssertion::check`]: status, Conditions window, subject and selected role.

use std::time::Duration;

use super::error::{AssertionCheckError, Cis1Error};
use super::saml::{RoleAssertion, SsbAssertion, parse_role_assertion};
use crate::http::HttpResponse;
use crate::time::UnixTime;

/// What a RoleAssertion must show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssertionExpectations<'a> {
    /// The uid the session or card says the user is.
    pub uid: &'a str,
    /// The current time.
    pub now: UnixTime,
    /// Clock skew allowed on both ends of the Conditions window.
    pub leeway: Duration,
}

impl<'a> AssertionExpectations<'a> {
    /// Expect `uid` at `now`, with [`Self::DEFAULT_LEEWAY`].
    pub fn new(uid: &'a str, now: UnixTime) -> Self {
        Self {
            uid,
            now,
            leeway: Self::DEFAULT_LEEWAY,
        }
    }

    /// The default leeway: 30 seconds (the SSB's window is only four minutes wide).
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

    /// Sets the leeway.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }
}

impl RoleAssertion {
    /// Checks, in this order: status `samlp:Success` (by namespace URI); `now` within
    /// `[NotBefore − leeway, NotOnOrAfter + leeway)`; the subject's uid equals `expected.uid`;
    /// `ssbSessionRoleUid` is the `uniqueIdentifier` of one of the job-role blocks.
    pub fn check(&self, expected: &AssertionExpectations<'_>) -> Result<&SsbAssertion, AssertionCheckError> {
        let assertion = match (&self.assertion, self.status.is_success()) {
            (Some(a), true) => a,
            _ => {
                return Err(AssertionCheckError::Status {
                    actual: self.status.value.clone(),
                });
            }
        };
        let leeway_secs = expected.leeway.as_secs();
        if expected.now.saturating_add(expected.leeway) < assertion.not_before {
            return Err(AssertionCheckError::NotYetValid {
                not_before: assertion.not_before,
                now: expected.now,
                leeway_secs,
            });
        }
        if expected.now.saturating_sub(expected.leeway) >= assertion.not_on_or_after {
            return Err(AssertionCheckError::Expired {
                not_on_or_after: assertion.not_on_or_after,
                now: expected.now,
                leeway_secs,
            });
        }
        if assertion.subject_uid != expected.uid {
            return Err(AssertionCheckError::SubjectMismatch {
                expected: expected.uid.to_owned(),
                actual: assertion.subject_uid.clone(),
            });
        }
        let selected = &assertion.person.ssb_session_role_uid;
        if !assertion.roles.iter().any(|r| r.unique_identifier() == selected) {
            return Err(AssertionCheckError::UnknownSelectedRole {
                selected: selected.clone(),
                roles: assertion
                    .roles
                    .iter()
                    .map(|r| r.unique_identifier().to_owned())
                    .collect(),
            });
        }
        Ok(assertion)
    }
}

/// Reads the SSB's answer to [`super::role_assertion_request`]: status 200, then [`parse_role_assertion`]. A
/// non-success SAML status parses (its [`RoleAssertion::check`] fails with [`AssertionCheckError::Status`]).
pub fn parse_role_assertion_response(response: &HttpResponse) -> Result<RoleAssertion, Cis1Error> {
    if response.status() != http::StatusCode::OK {
        return Err(Cis1Error::HttpStatus(response.status().as_u16()));
    }
    parse_role_assertion(response.body())
}

/// Parses and checks a RoleAssertion body in one step, returning the checked assertion.
pub fn validate_role_assertion(
    body: &[u8],
    expected: &AssertionExpectations<'_>,
) -> Result<SsbAssertion, Cis1Error> {
    let parsed = parse_role_assertion(body)?;
    parsed.check(expected)?;
    parsed
        .assertion
        .ok_or(Cis1Error::MissingElement("saml:Assertion"))
}
