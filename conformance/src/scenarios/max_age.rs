//! `max_age` (catalogue IDT-11, OpenID Connect Core §3.1.3.7): when the RP sends `max_age`, an ID token whose
//! `auth_time` is older than that, or absent, must be refused. Applies when the RP claims `features.max_age`;
//! the `max_age` judged is the one its authorization request really carried.

use cis2_mock_idp::Fault;
use serde_json::json;

use crate::agent::Credentials;
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Feature, Outcome, Scenario};

const G: &str = "id-token";

/// Beyond any clock leeway an RP may allow (OpenID Connect libraries allow at most a few minutes).
const PAST_LEEWAY_SECS: i64 = 600;

/// The control sign-in from `rp.max_age_url`; returns the `max_age` its authorization request carried.
async fn control_max_age(ctx: &Ctx, uid: &str) -> Result<i64, Outcome> {
    let b = ctx.browser()?;
    ctx.rec.step(
        "suite",
        format!("control: a clean sign-in in {} from the max_age URL", b.label()),
    );
    let j = ctx
        .sign_in(&b, uid, Start::MaxAge, Credentials::Smartcard)
        .await?;
    let sent = j
        .authorize_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "max_age")
                .map(|(_, v)| v.into_owned())
        });
    let Some(max_age) = sent.as_deref().and_then(|v| v.parse::<i64>().ok()) else {
        return Err(Outcome::Error(format!(
            "rp.toml claims features.max_age, but the authorization request carried {}. Fix: set rp.max_age_url to a URL that starts a sign-in with max_age, or turn features.max_age off",
            sent.map_or_else(|| "no max_age".to_owned(), |v| format!("max_age={v:?}"))
        )));
    };
    let p = ctx.probe(&b).await?;
    if !p.signed_in {
        return Err(Outcome::Error(format!(
            "control sign-in with max_age={max_age} and a fresh auth_time did not sign in (probe: {}). Fix the RP or rp.max_age_url first",
            p.seen
        )));
    }
    ctx.rec.decided_by(format!(
        "control: a clean sign-in with max_age={max_age} works ({})",
        p.seen
    ));
    Ok(max_age)
}

/// Arms `fault(max_age)` on the next ID token and signs in from the max_age URL: the RP must refuse it.
async fn refused(ctx: Ctx, fault: fn(&Ctx, i64) -> (Fault, String)) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        let max_age = control_max_age(&ctx, &uid).await?;
        let (fault, what) = fault(&ctx, max_age);
        let armed = ctx
            .idp
            .arm(fault, None, &uid)
            .map_err(|e| Outcome::Error(e.to_string()))?;
        ctx.rec.step("suite", format!("armed: {what}"));
        let b = ctx.browser()?;
        ctx.sign_in(&b, &uid, Start::MaxAge, Credentials::Smartcard)
            .await?;
        if !ctx.idp.fault_used(armed.id) {
            return Err(Outcome::Error(
                "the faulty ID token was never sent: the RP did not redeem the code".into(),
            ));
        }
        ctx.rec.decided_by("idp: the faulty ID token went out");
        let p = ctx.probe(&b).await?;
        Ok::<_, Outcome>(if p.signed_in {
            ctx.rec.decided_by(format!("probe: signed in ({})", p.seen));
            Outcome::Fail(format!(
                "the RP sent max_age={max_age} and then signed the user in with {what}. Check auth_time against max_age (OpenID Connect Core §3.1.3.7): require it, and refuse it when it is older than max_age allows"
            ))
        } else {
            ctx.rec.decided_by(format!("probe: not signed in ({})", p.seen));
            Outcome::Pass(format!("with max_age={max_age} the RP refused {what}"))
        })
    };
    run.await.unwrap_or_else(|o| o)
}

fn stale(ctx: &Ctx, max_age: i64) -> (Fault, String) {
    let age = max_age.saturating_add(PAST_LEEWAY_SECS);
    let at = super::id_token::now(ctx).saturating_sub(age);
    (
        Fault::SetClaim {
            claim: "auth_time".into(),
            value: json!(at),
        },
        format!("an ID token whose auth_time is {age} s old"),
    )
}

fn missing(_: &Ctx, _: i64) -> (Fault, String) {
    (
        Fault::MissingClaim {
            claim: "auth_time".into(),
        },
        "an ID token without auth_time".into(),
    )
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        Scenario::new(
            G,
            "max-age-stale-auth-time",
            "max_age sent; auth_time older than it",
            "when the RP sends max_age, a sign-in older than max_age is refused",
            &["IDT-11"],
            |ctx| refused(ctx, stale),
        )
        .needs(Feature::MaxAge),
        Scenario::new(
            G,
            "max-age-missing-auth-time",
            "max_age sent; no auth_time",
            "when the RP sends max_age, a token without auth_time is refused",
            &["IDT-11"],
            |ctx| refused(ctx, missing),
        )
        .needs(Feature::MaxAge),
    ]
}
