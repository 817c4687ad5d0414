//! Step-up to AAL3: an AAL3 sign-in opens the AAL3 page; a token below AAL3, or with a stale auth_time
//! after `prompt=login`, does not.

use serde_json::{Value, json};

use cis2_mock_idp::Fault;

use crate::agent::{Browser, Credentials};
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Feature, Outcome, Scenario};

const G: &str = "step-up";

async fn aal3_page(ctx: &Ctx, b: &Browser) -> Result<bool, Outcome> {
    let url = ctx
        .cfg
        .probe
        .aal3_url
        .clone()
        .ok_or_else(|| Outcome::Error("probe.aal3_url is not set".into()))?;
    let page = b
        .request(reqwest::Method::GET, &url, None, &ctx.rec)
        .await
        .map_err(|e| Outcome::Error(format!("the AAL3 page got no answer: {e}")))?;
    ctx.rec
        .decided_by(format!("{}: AAL3 page answered {}", b.label(), page.status));
    Ok(page.status.is_success())
}

async fn granted(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        let b = ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        ctx.sign_in(&b, &uid, Start::StepUp, Credentials::Smartcard)
            .await?;
        Ok::<_, Outcome>(if aal3_page(&ctx, &b).await? {
            Outcome::Pass("an AAL3 step-up opens the AAL3 page".into())
        } else {
            Outcome::Fail("after an AAL3 smartcard step-up the AAL3 page is still refused".into())
        })
    };
    run.await.unwrap_or_else(|o| o)
}

fn set(claim: &str, value: Value) -> Fault {
    Fault::SetClaim {
        claim: claim.into(),
        value,
    }
}

async fn refused(ctx: Ctx, fault: Fault, what: &'static str) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        let control = ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        ctx.sign_in(&control, &uid, Start::StepUp, Credentials::Smartcard)
            .await?;
        if !aal3_page(&ctx, &control).await? {
            return Err(Outcome::Error("a clean AAL3 step-up does not open the AAL3 page; fix probe.aal3_url or rp.step_up_url first".into()));
        }
        let b = ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let armed = ctx
            .idp
            .arm(fault, None, &uid)
            .map_err(|e| Outcome::Error(e.to_string()))?;
        ctx.rec.step("suite", format!("armed: {what}"));
        ctx.sign_in(&b, &uid, Start::StepUp, Credentials::Smartcard)
            .await?;
        if !ctx.idp.fault_used(armed.id) {
            return Err(Outcome::Error(
                "the step-up never fetched the faulty ID token".into(),
            ));
        }
        Ok(if aal3_page(&ctx, &b).await? {
            Outcome::Fail(format!(
                "the AAL3 page opened after {what}; check the token's acr/level and auth_time, not the request (OpenID Connect libraries send acr_values and prompt=login but do not check the answer for you)"
            ))
        } else {
            Outcome::Pass(format!("{what} does not open the AAL3 page"))
        })
    };
    run.await.unwrap_or_else(|o| o)
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        Scenario::new(
            G,
            "aal3-granted",
            "a smartcard step-up",
            "an AAL3 sign-in opens AAL3 functions",
            &[],
            granted,
        )
        .needs(Feature::StepUp),
        Scenario::new(
            G,
            "acr-aal2",
            "step-up answered with acr AAL2",
            "AAL3 functions need an AAL3 token, whatever was requested",
            &["IDT-10"],
            |ctx| {
                refused(
                    ctx,
                    set("acr", json!("AAL2_OR_AAL3_ANY")),
                    "a step-up answered with an AAL2 acr",
                )
            },
        )
        .needs(Feature::StepUp),
        Scenario::new(
            G,
            "level-2",
            "step-up answered with authentication_assurance_level 2",
            "the level in the token decides",
            &["IDT-10"],
            |ctx| {
                refused(
                    ctx,
                    set("authentication_assurance_level", json!("2")),
                    "a step-up answered with authentication_assurance_level 2",
                )
            },
        )
        .needs(Feature::StepUp),
        Scenario::new(
            G,
            "stale-auth-time",
            "step-up answered with an old auth_time",
            "after prompt=login, auth_time must be fresh",
            &["IDT-11"],
            |ctx: Ctx| {
                let old = super::id_token::now(&ctx) - 3600;
                refused(
                    ctx,
                    set("auth_time", json!(old)),
                    "a step-up answered with an hour-old auth_time",
                )
            },
        )
        .needs(Feature::StepUp),
        Scenario::new(
            G,
            "missing-auth-time",
            "step-up answered without auth_time",
            "after prompt=login, a token without auth_time cannot show a fresh sign-in",
            &["IDT-11"],
            |ctx: Ctx| {
                refused(
                    ctx,
                    Fault::MissingClaim {
                        claim: "auth_time".into(),
                    },
                    "a step-up answered with no auth_time",
                )
            },
        )
        .needs(Feature::StepUp),
    ]
}
