//! The code flow end to end: the happy path, and the callback's defences (state checked and bound to the
//! browser that started the sign-in, errors and unsolicited callbacks handled).

use crate::agent::Credentials;
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Outcome, Scenario};

const G: &str = "code-flow";

async fn happy(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::TwoRoles)?;
        let kids = ctx.idp.state().published_kids();
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        ctx.rec
            .decided_by(format!("the IdP signs with CIS2-style kids {kids:?}"));
        Ok::<_, Outcome>(Outcome::Pass(
            "a CIS2 sign-in (RS256, CIS2-style kid, CIS2 claims) signs the user in".into(),
        ))
    };
    run.await.unwrap_or_else(|o| o)
}

/// Signs `uid` in up to the callback in a fresh browser; returns the browser and the callback URL.
async fn to_callback(ctx: &Ctx, uid: &str) -> Result<(crate::agent::Browser, String), Outcome> {
    let b = ctx.browser()?;
    let j = ctx
        .sign_in_with(&b, uid, Start::SignIn, Credentials::Smartcard, None, true)
        .await?;
    let cb = j.callback_url.ok_or_else(|| {
        Outcome::Error("the IdP did not send the browser back to a registered redirect URI".into())
    })?;
    Ok((b, cb))
}

/// The callback URL with its `state` changed (`None`: removed).
fn with_state(cb: &str, state: Option<&str>) -> String {
    let Ok(mut u) = url::Url::parse(cb) else {
        return cb.to_owned();
    };
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| k != "state")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    {
        let mut q = u.query_pairs_mut();
        q.clear().extend_pairs(pairs);
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    u.to_string()
}

/// A callback the browser opens must not sign it in.
async fn must_not_sign_in(
    ctx: &Ctx,
    b: &crate::agent::Browser,
    url: &str,
    what: &str,
) -> Result<Outcome, Outcome> {
    ctx.rec.step("suite", format!("{} opens {what}", b.label()));
    let page = b
        .navigate(url, &ctx.rec)
        .await
        .map_err(|e| Outcome::Error(format!("the RP did not answer the callback: {e}")))?;
    let p = ctx.probe(b).await?;
    if p.signed_in {
        ctx.rec.decided_by(format!("probe: signed in ({})", p.seen));
        return Ok(Outcome::Fail(format!("the RP signed the browser in from {what}")));
    }
    ctx.rec.decided_by(format!("probe: not signed in ({})", p.seen));
    if page.status.is_server_error() {
        ctx.rec.decided_by(format!("the RP answered {}", page.status));
        return Ok(Outcome::Fail(format!(
            "the RP refused {what} but with a server error ({}); answer with a clear 4xx page",
            page.status
        )));
    }
    Ok(Outcome::Pass(format!("the RP refused {what}")))
}

async fn tampered(ctx: Ctx, state: Option<&'static str>, what: &'static str) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let (b, cb) = to_callback(&ctx, &uid).await?;
        must_not_sign_in(&ctx, &b, &with_state(&cb, state), what).await
    };
    run.await.unwrap_or_else(|o| o)
}

async fn other_browser(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let (_, cb) = to_callback(&ctx, &uid).await?;
        let attacker_victim = ctx.browser()?;
        must_not_sign_in(
            &ctx,
            &attacker_victim,
            &cb,
            "a callback URL from a sign-in another browser started (login CSRF / session fixation)",
        )
        .await
    };
    run.await.unwrap_or_else(|o| o)
}

async fn cancelled(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let b = ctx.browser()?;
        let j = ctx.sign_in(&b, &uid, Start::SignIn, Credentials::Cancel).await?;
        let p = ctx.probe(&b).await?;
        let status = j.callback_status.unwrap_or(0);
        ctx.rec.decided_by(format!(
            "callback with error=access_denied answered {status}; probe: {}",
            p.seen
        ));
        Ok::<_, Outcome>(if p.signed_in {
            Outcome::Fail("the RP signed the browser in although the IdP answered error=access_denied".into())
        } else if (500..600).contains(&status) {
            Outcome::Fail(format!(
                "the RP answered {status} to error=access_denied; show the user a clear page instead"
            ))
        } else {
            Outcome::Pass("the RP handled error=access_denied without signing in or failing".into())
        })
    };
    run.await.unwrap_or_else(|o| o)
}

async fn unsolicited(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let b = ctx.browser()?;
        let url = format!(
            "{}?code=Zm9yZ2VkLWNvZGU&state=Zm9yZ2VkLXN0YXRlLXRoYXQtbm8tb25lLXNlbnQ",
            ctx.cfg.rp.redirect_uris.first().map(String::as_str).unwrap_or("")
        );
        let seq = ctx.idp.seq();
        let out = must_not_sign_in(
            &ctx,
            &b,
            &url,
            "an unsolicited callback with a forged code and state",
        )
        .await?;
        let tokens = ctx
            .idp
            .state()
            .observed_since(seq)
            .into_iter()
            .filter(|o| o.endpoint == cis2_mock_idp::ObservedEndpoint::Token && o.status == 400)
            .count();
        if tokens > 0 && matches!(out, Outcome::Pass(_)) {
            ctx.rec.decided_by("idp: the RP tried to redeem the forged code");
            return Ok(Outcome::Fail(
                "the RP tried to redeem a code from a callback it never asked for; check state before the token request".into(),
            ));
        }
        Ok(out)
    };
    run.await.unwrap_or_else(|o| o)
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        Scenario::new(
            G,
            "happy-path",
            "a clean CIS2 sign-in",
            "the RP completes the CIS2 code flow (RS256, CIS2 kids and claims)",
            &["CS-01", "CS-02"],
            happy,
        ),
        Scenario::new(
            G,
            "state-tampered",
            "the callback's state is changed",
            "state is compared with the one the RP sent",
            &["CS-46", "FLOW-04"],
            |ctx| {
                tampered(
                    ctx,
                    Some("dGFtcGVyZWQtc3RhdGUtdmFsdWUtMTIzNDU2Nzg5MA"),
                    "a callback whose state was changed",
                )
            },
        ),
        Scenario::new(
            G,
            "state-missing",
            "the callback has no state",
            "a callback without state is refused",
            &["CS-47", "FLOW-01"],
            |ctx| tampered(ctx, None, "a callback without state"),
        ),
        Scenario::new(
            G,
            "state-other-browser",
            "a callback opened in another browser",
            "the pending sign-in is bound to the browser that started it",
            &["FLOW-01", "FLOW-13", "FLOW-05"],
            other_browser,
        ),
        Scenario::new(
            G,
            "error-response",
            "the person cancels at the IdP",
            "error=access_denied is handled without signing in or a 5xx",
            &["FLOW-16"],
            cancelled,
        ),
        Scenario::new(
            G,
            "unsolicited-callback",
            "a callback nobody asked for",
            "a forged callback is refused before any token request",
            &["FLOW-04", "FLOW-05"],
            unsolicited,
        )
        .exclusive(),
    ]
}
