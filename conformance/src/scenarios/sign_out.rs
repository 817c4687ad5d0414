//! Sign-out: the RP ends its own session server-side (a copied cookie is dead afterwards) and, when it
//! claims end-session, sends the browser to CIS2's end-session endpoint with `id_token_hint`.

use cis2_mock_idp::ObservedEndpoint;
use reqwest::Method;

use crate::agent::{Browser, Credentials};
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Feature, Outcome, Scenario};

const G: &str = "sign-out";

async fn sign_out(ctx: &Ctx, b: &Browser) -> Result<(), Outcome> {
    let a = ctx
        .cfg
        .rp
        .sign_out
        .clone()
        .ok_or_else(|| Outcome::Error("rp.sign_out is not set".into()))?;
    let method = if a.method == "POST" {
        Method::POST
    } else {
        Method::GET
    };
    let form: Option<&[(&str, &str)]> = if method == Method::POST { Some(&[]) } else { None };
    let page = b
        .request(method, &a.url, form, &ctx.rec)
        .await
        .map_err(|e| Outcome::Error(format!("sign-out got no answer: {e}")))?;
    b.follow(page, &ctx.rec)
        .await
        .map_err(|e| Outcome::Error(format!("sign-out redirects broke off: {e}")))?;
    Ok(())
}

async fn local(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        let a = ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        sign_out(&ctx, &a).await?;
        let p = ctx.probe(&a).await?;
        ctx.rec.decided_by(format!("probe after sign-out: {}", p.seen));
        Ok::<_, Outcome>(if p.signed_in {
            Outcome::Fail("after sign-out the browser is still signed in".into())
        } else {
            Outcome::Pass("sign-out ends the session in the browser".into())
        })
    };
    run.await.unwrap_or_else(|o| o)
}

async fn server_side(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        let a = ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let probe_url = ctx.cfg.probe.url.clone();
        let cookies = a.cookies_for(&probe_url).unwrap_or_default();
        sign_out(&ctx, &a).await?;
        let copy = ctx.browser()?;
        copy.set_cookies(&probe_url, &cookies);
        ctx.rec.step(
            "suite",
            format!(
                "{} gets the cookies browser A held before signing out",
                copy.label()
            ),
        );
        let p = ctx.probe(&copy).await?;
        ctx.rec
            .decided_by(format!("probe with the pre-sign-out cookies: {}", p.seen));
        Ok::<_, Outcome>(if p.signed_in {
            Outcome::Fail("sign-out cleared the cookie but the session lives on at the server: anyone holding the old cookie is still signed in. End the session server-side".into())
        } else {
            Outcome::Pass("sign-out ends the session at the server, not only the cookie".into())
        })
    };
    run.await.unwrap_or_else(|o| o)
}

async fn end_session(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        let a = ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let seq = ctx.idp.seq();
        sign_out(&ctx, &a).await?;
        let seen = ctx
            .idp
            .observed_for(seq, &uid)
            .into_iter()
            .find(|o| o.endpoint == ObservedEndpoint::EndSession);
        Ok::<_, Outcome>(match seen {
            Some(o) => {
                ctx.rec.decided_by(format!(
                    "idp: end-session request identifying the user (status {})",
                    o.status
                ));
                Outcome::Pass(
                    "sign-out sends the browser to CIS2 end-session with an id_token_hint for the user"
                        .into(),
                )
            }
            None => {
                ctx.rec
                    .decided_by("idp: no end-session request identifying this user");
                Outcome::Fail("the RP claims end-session, but sign-out did not reach CIS2's end-session endpoint with a valid id_token_hint".into())
            }
        })
    };
    run.await.unwrap_or_else(|o| o)
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        Scenario::new(
            G,
            "local",
            "the person signs out",
            "sign-out ends the session",
            &["CS-33"],
            local,
        )
        .needs(Feature::SignOut),
        Scenario::new(
            G,
            "server-side",
            "the old cookie after sign-out",
            "the session ends at the server, not only in the cookie",
            &["FLOW-13"],
            server_side,
        )
        .needs(Feature::SignOut),
        Scenario::new(
            G,
            "end-session",
            "sign-out reaches CIS2 end-session",
            "RP-initiated logout with id_token_hint",
            &["CS-33"],
            end_session,
        )
        .needs(Feature::EndSession),
    ]
}
