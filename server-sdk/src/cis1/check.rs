//! Checking a CIS1 ticket with the SSB (the sdk builds the request and makes every check; this adapts HTTP),
//! re-checking a CIS1 session on use, and the cut-over switch at run time.

use cis2_sdk::Cis2User;
use cis2_sdk::cis1::{
    AssertionExpectations, Cis1Error, MAX_DOCUMENT_BYTES, SsoTicket, parse_role_assertion_response,
    role_assertion_request,
};

use super::settings::{Cis1Runtime, Cutover};
use crate::auth::Cis2Auth;
use crate::error::Error;
use crate::store::{EndReason, SessionRecord};

const SSB: &str = "SSB RoleAssertion";

/// What the SSB said about a ticket.
#[derive(Debug)]
pub(crate) enum Cis1Outcome {
    /// `samlp:Success` and every check passed: the user in the CIS2 model.
    Valid(Box<Cis2User>),
    /// The ticket is not (or no longer) good: unknown, logged out, card removed, expired, or the assertion
    /// failed a check. The code is the sdk's (`cis1.check.status`, …).
    Refused(&'static str),
}

impl Cis2Auth {
    /// Fetches the RoleAssertion for `ticket` and lets the sdk check it, for `uid` (a re-check) or for whoever
    /// the assertion names (a first sign-in). `Err` when the SSB cannot be asked or answers unusably (5xx,
    /// a document that does not parse): nothing is decided then.
    pub(crate) async fn check_cis1_ticket(
        &self,
        rt: &Cis1Runtime,
        ticket: &SsoTicket,
        uid: Option<&str>,
    ) -> Result<Cis1Outcome, Error> {
        let s = &rt.settings;
        let req = role_assertion_request(&s.ssb_base_url, ticket)
            .map_err(|e| Error::Config(format!("CIS1: {e}")))?;
        let resp = self.0.http.send(req, SSB, MAX_DOCUMENT_BYTES).await?;
        let parsed = match parse_role_assertion_response(&resp) {
            Ok(p) => p,
            Err(Cis1Error::HttpStatus(status)) if (400..500).contains(&status) => {
                return Ok(Cis1Outcome::Refused("cis1.http_status"));
            }
            Err(e) => {
                return Err(Error::Transport {
                    what: SSB,
                    reason: format!("unusable answer ({}): {e}", e.code()),
                });
            }
        };
        let subject = parsed.assertion.as_ref().map(|a| a.subject_uid.as_str());
        let Some(uid) = uid.or(subject) else {
            return Ok(Cis1Outcome::Refused("cis1.check.status"));
        };
        let expected = AssertionExpectations::new(uid, self.now()).leeway(s.leeway);
        match parsed.check(&expected) {
            Ok(assertion) => Ok(Cis1Outcome::Valid(Box::new(assertion.to_user(&s.mapping)))),
            Err(e) => Ok(Cis1Outcome::Refused(e.code())),
        }
    }

    /// Re-checks a CIS1 session whose last check is older than `recheck_every`: on success the record's user
    /// (roles, selected role) is refreshed and stored; on a refusal the session must end (the returned
    /// reason). A session the kit cannot re-check (CIS1 no longer configured) ends with `signed_out`.
    pub(crate) async fn recheck_cis1(&self, rec: &mut SessionRecord) -> Result<Option<EndReason>, Error> {
        let (Some(rt), Some(link)) = (self.0.cis1.as_ref(), rec.cis1.as_ref()) else {
            tracing::warn!(path = "cis1", uid = %rec.sub, "CIS1 session without CIS1 configured: ended");
            return Ok(Some(EndReason::SignedOut));
        };
        let now = self.now();
        if now.duration_since(link.checked_at) < rt.settings.recheck_every {
            return Ok(None);
        }
        let ticket = link.ticket.clone();
        match self.check_cis1_ticket(rt, &ticket, Some(&rec.sub)).await? {
            Cis1Outcome::Valid(user) => {
                rec.aal = user.aal();
                rec.acr.clone_from(&user.id_token.acr);
                rec.user = *user;
                if let Some(link) = rec.cis1.as_mut() {
                    link.checked_at = now;
                }
                if !self.0.store.backend().touch_session(rec, now).await? {
                    let reason = self.0.store.backend().tombstone(&rec.key, now).await?;
                    return Ok(Some(reason.unwrap_or(EndReason::SignedOut)));
                }
                tracing::debug!(path = "cis1", uid = %rec.sub, "CIS1 session re-checked");
                Ok(None)
            }
            Cis1Outcome::Refused(code) => {
                tracing::info!(
                    target: "cis2_server::sign_in",
                    path = "cis1",
                    uid = %rec.sub,
                    code,
                    "CIS1 session ended: the SSB no longer vouches for its ticket"
                );
                Ok(Some(EndReason::BackchannelLogout))
            }
        }
    }

    /// The cut-over switch now; `None` when CIS1 is not configured.
    pub fn cutover(&self) -> Option<Cutover> {
        self.0.cis1.as_ref().map(Cis1Runtime::cutover)
    }

    /// Changes the cut-over switch on this instance, effective for the next CIS1 sign-in (sessions already
    /// signed in with CIS1 run on until they end). Refused when CIS1 is not configured.
    pub fn set_cutover(&self, cutover: Cutover) -> Result<(), Error> {
        let rt = self
            .0
            .cis1
            .as_ref()
            .ok_or_else(|| Error::Config("CIS1 is not configured (Cis2AuthBuilder::cis1)".into()))?;
        tracing::info!(target: "cis2_server::sign_in", cutover = ?cutover, "CIS2 cut-over changed");
        rt.set_cutover(cutover);
        Ok(())
    }
}
