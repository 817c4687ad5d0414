//! Reliability: a failing or slow token endpoint gives a clear error and no session; a warm JWKS /
//! discovery cache carries the RP through an IdP outage of those endpoints and an IdP restart.

use std::time::Duration;

use tokio::time::Instant;

use cis2_mock_idp::{Fault, ObservedEndpoint, Target};

use crate::agent::Credentials;
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Outcome, Scenario};
use crate::verdict::{Case, refuses};

const G: &str = "reliability";

/// The RP signed a user in (warming its caches); `target` then fails for every request; a second sign-in
/// must still work.
async fn warm_cache(ctx: Ctx, target: Target, what: &'static str) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let armed = ctx
            .idp
            .arm_global(Fault::Status { status: 503 }, target)
            .map_err(|e| Outcome::Error(e.to_string()))?;
        ctx.rec
            .step("suite", format!("armed: the {what} answers 503 to every request"));
        let b = ctx.browser()?;
        let j = ctx.sign_in(&b, &uid, Start::SignIn, Credentials::Smartcard).await;
        let p = match j {
            Ok(_) => ctx.probe(&b).await,
            Err(e) => Err(e),
        };
        ctx.idp.disarm(armed.id);
        let p = p?;
        ctx.rec
            .decided_by(format!("probe after the outage began: {}", p.seen));
        Ok::<_, Outcome>(if p.signed_in {
            Outcome::Pass(format!(
                "with the {what} down, the RP signed the user in from its cache"
            ))
        } else {
            Outcome::Fail(format!(
                "with the {what} down, the RP could not sign anyone in although it had fetched it a moment before; cache it (CIS2 keys rotate rarely) and keep serving the cached copy during an outage"
            ))
        })
    };
    run.await.unwrap_or_else(|o| o)
}

/// The token endpoint answers `ctx.timeout` + 2 s late: longer than a sane RP timeout (the suite's own
/// bound on an answer), yet bounded. The browser waits the delay plus the suite's timeout for the callback.
async fn slow_token_endpoint(ctx: Ctx) -> Outcome {
    let run = async {
        let delay = ctx.timeout + Duration::from_secs(2);
        let uid = ctx.user(UserShape::OneRole)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        let armed = ctx
            .idp
            .arm(Fault::Slow { delay_ms }, Some(Target::TokenEndpoint), &uid)
            .map_err(|e| Outcome::Error(e.to_string()))?;
        ctx.rec.step(
            "suite",
            format!(
                "armed: the token endpoint answers {} s late (the suite's timeout + 2 s)",
                delay.as_secs()
            ),
        );
        let patient = crate::agent::Browser::trusting("browser S", delay + ctx.timeout, ctx.idp.ca_pem())
            .map_err(|e| Outcome::Error(e.to_string()))?;
        let seq = ctx.idp.seq();
        let t0 = Instant::now();
        let j = ctx
            .sign_in(&patient, &uid, Start::SignIn, Credentials::Smartcard)
            .await;
        let took = t0.elapsed();
        let j = match j {
            Ok(j) => j,
            Err(Outcome::Error(e)) => {
                ctx.rec.decided_by(format!(
                    "the callback got no answer within {} s",
                    (delay + ctx.timeout).as_secs()
                ));
                return Ok(Outcome::Fail(format!(
                    "the RP did not answer the callback while the token endpoint was slow ({e}); bound the token request with a timeout and show a restart-login page"
                )));
            }
            Err(o) => return Err(o),
        };
        if !ctx.idp.fault_used(armed.id) {
            return Err(Outcome::Error(
                "the RP never called the token endpoint after the callback".into(),
            ));
        }
        let exchanges = ctx
            .idp
            .observed_for(seq, &uid)
            .into_iter()
            .filter(|o| o.endpoint == ObservedEndpoint::Token)
            .count();
        ctx.rec.step(
            "suite",
            format!(
                "the journey took {:.1} s (callback answered {}); token requests: {exchanges}",
                took.as_secs_f64(),
                j.callback_status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "nothing".into())
            ),
        );
        let p = ctx.probe(&patient).await?;
        ctx.rec.decided_by(format!("probe: {}", p.seen));
        if exchanges > 1 {
            ctx.rec.decided_by(format!(
                "idp: {exchanges} token requests for one authorization code"
            ));
            return Ok(Outcome::Fail(format!(
                "the RP sent the token request {exchanges} times for one sign-in: an authorization code is single-use, so never retry the same code blindly; show a restart-login page instead"
            )));
        }
        if took < delay {
            ctx.rec.decided_by(format!(
                "the RP answered after {:.1} s, before the token endpoint did ({} s)",
                took.as_secs_f64(),
                delay.as_secs()
            ));
            return Ok(if p.signed_in {
                Outcome::Fail("the RP signed the user in without the token endpoint's answer".into())
            } else {
                Outcome::Pass(format!(
                    "the RP gave up on the slow token endpoint after {:.1} s and did not sign the user in",
                    took.as_secs_f64()
                ))
            });
        }
        ctx.rec.decided_by(format!(
            "the RP waited {:.1} s, until the token endpoint answered",
            took.as_secs_f64()
        ));
        Ok(Outcome::Fail(format!(
            "the RP waited {:.1} s for the token endpoint (signed in afterwards: {}); bound the token request by about {} s and show a restart-login page, so users are not left waiting",
            took.as_secs_f64(),
            p.signed_in,
            ctx.timeout.as_secs()
        )))
    };
    run.await.unwrap_or_else(|o| o)
}

/// The RP signed a user in; the IdP restarts (same port, issuer, keys and users); the RP's session stays
/// and a new sign-in works.
async fn idp_restart(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        let before = ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        ctx.idp
            .restart()
            .await
            .map_err(|e| Outcome::Error(e.to_string()))?;
        ctx.rec.step(
            "suite",
            "the IdP restarted: same port, issuer, signing key, users and clients; its own sessions are gone",
        );
        let kept = ctx.probe(&before).await?;
        ctx.rec.decided_by(format!(
            "probe in the browser signed in before the restart: {}",
            kept.seen
        ));
        let b = ctx.browser()?;
        let j = ctx
            .sign_in(&b, &uid, Start::SignIn, Credentials::Smartcard)
            .await?;
        let p = ctx.probe(&b).await?;
        ctx.rec
            .decided_by(format!("probe after a sign-in after the restart: {}", p.seen));
        Ok::<_, Outcome>(if !p.signed_in {
            Outcome::Fail(format!(
                "after the IdP restarted (same issuer, same keys) the RP could not sign the user in (callback answered {}); open a new connection when the old one is gone and keep using the discovery document and keys it has",
                j.callback_status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "nothing".into())
            ))
        } else if !kept.signed_in {
            Outcome::Fail(
                "the IdP's restart ended the RP's own session: the RP's sessions must not depend on the IdP staying up (only a back-channel logout ends them)".into(),
            )
        } else {
            Outcome::Pass("after the IdP restarted, the RP's session stayed and a new sign-in worked".into())
        })
    };
    run.await.unwrap_or_else(|o| o)
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        Scenario::new(
            G,
            "token-endpoint-5xx",
            "the token endpoint answers 503",
            "a failed token request gives an error and no session",
            &["REL-06"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(Fault::Status { status: 503 }, "a 503 from the token endpoint")
                        .target(Target::TokenEndpoint),
                )
            },
        ),
        Scenario::new(
            G,
            "token-endpoint-500",
            "the token endpoint answers 500",
            "a failed token request gives an error and no session",
            &["REL-06"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(Fault::Status { status: 500 }, "a 500 from the token endpoint")
                        .target(Target::TokenEndpoint),
                )
            },
        ),
        Scenario::new(
            G,
            "token-endpoint-slow",
            "the token endpoint answers 2 s after the suite's timeout",
            "the token request has a bounded timeout (kit policy: no longer than the suite's timeout, default 10 s): the RP answers the callback before the slow answer arrives, with an error and no session, and never retries the single-use code",
            &["REL-06"],
            slow_token_endpoint,
        )
        .advisory(),
        Scenario::new(
            G,
            "jwks-down-warm-cache",
            "the JWKS endpoint fails after a sign-in",
            "a warm JWKS cache survives a JWKS outage",
            &["REL-01"],
            |ctx| warm_cache(ctx, Target::JwksEndpoint, "JWKS endpoint"),
        )
        .exclusive(),
        Scenario::new(
            G,
            "discovery-down-warm-cache",
            "discovery fails after a sign-in",
            "discovery is cached, not fetched on every sign-in",
            &["REL-05"],
            |ctx| warm_cache(ctx, Target::DiscoveryEndpoint, "discovery endpoint"),
        )
        .exclusive(),
        Scenario::new(
            G,
            "idp-restart",
            "the IdP restarts between two sign-ins",
            "an IdP restart (same issuer and keys, new connections) neither ends the RP's sessions nor stops new sign-ins",
            &["REL-01", "REL-05"],
            idp_restart,
        )
        .exclusive(),
    ]
}
