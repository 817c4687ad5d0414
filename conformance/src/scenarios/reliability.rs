//! Reliability: a failing token endpoint gives a clear error and no session; a warm JWKS / discovery cache
//! carries the RP through an IdP outage of those endpoints.

use cis2_mock_idp::{Fault, Target};

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
    ]
}
