//! What CIS2 really sends that a strict-but-naive RP may refuse: assurance levels as integers or strings,
//! `aud` as an array, a role list that is one object, users with no roles, fractional NumericDates,
//! claims the RP does not know.

use cis2_mock_idp::{Fault, Target};
use serde_json::{Value, json};

use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Outcome, Scenario};
use crate::verdict::{Case, accepts};

const G: &str = "cis2-shapes";

fn accept(
    name: &str,
    title: &str,
    proves: &str,
    catalogue: &[&'static str],
    case: impl Fn(&Ctx) -> Case + Send + Sync + 'static,
) -> Scenario {
    let case = std::sync::Arc::new(case);
    Scenario::new(G, name, title, proves, catalogue, move |ctx| {
        let case = case(&ctx);
        accepts(ctx, case)
    })
}

fn set(claim: &str, value: Value) -> Fault {
    Fault::SetClaim {
        claim: claim.into(),
        value,
    }
}

fn first_role(ctx: &Ctx, uid: &str) -> Value {
    ctx.idp
        .state()
        .user(uid)
        .and_then(|u| u.roles.first().and_then(|r| serde_json::to_value(r).ok()))
        .unwrap_or(Value::Null)
}

async fn no_roles(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::NoRoles)?;
        let b = ctx.browser()?;
        let j = ctx
            .sign_in(&b, &uid, Start::SignIn, crate::agent::Credentials::Smartcard)
            .await?;
        let p = ctx.probe(&b).await?;
        let status = j.callback_status.unwrap_or(0);
        ctx.rec
            .decided_by(format!("callback answered {status}; probe: {}", p.seen));
        Ok::<_, Outcome>(
            if p.signed_in || (400..500).contains(&status) || j.last.status.is_success() {
                Outcome::Pass("the RP handled a user with no roles (signed in, or showed its own page) without a server error".into())
            } else {
                Outcome::Fail(format!(
                    "the RP answered {status} to a user with no roles; CIS2 has such users — show a \"no suitable role\" page, never a server error"
                ))
            },
        )
    };
    run.await.unwrap_or_else(|o| o)
}

async fn single_role_object(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        let role = first_role(&ctx, &uid);
        let case = Case::new(
            set("nhsid_nrbac_roles", role),
            "a userinfo response whose nhsid_nrbac_roles is one object, not an array",
        )
        .target(Target::Userinfo)
        .shape(UserShape::OneRole);
        Ok::<_, Outcome>(crate::verdict::accepts_for(&ctx, &uid, &case).await)
    };
    run.await.unwrap_or_else(|o| o)
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        accept(
            "aud-array",
            "aud is an array holding the client id",
            "aud may be an array",
            &["CS-42"],
            |ctx| {
                Case::new(
                    Fault::WrongAud {
                        value: Some(json!([ctx.idp.client_id()])),
                    },
                    "an ID token whose aud is an array holding the client id",
                )
            },
        ),
        accept(
            "ial-integer",
            "id_assurance_level is the integer 3",
            "assurance levels may be integers",
            &[],
            |_| {
                Case::new(
                    set("id_assurance_level", json!(3)),
                    "an ID token whose id_assurance_level is the integer 3",
                )
            },
        ),
        accept(
            "ial-string",
            "id_assurance_level is the string \"3\"",
            "assurance levels may be strings",
            &[],
            |_| {
                Case::new(
                    set("id_assurance_level", json!("3")),
                    "an ID token whose id_assurance_level is the string \"3\"",
                )
            },
        ),
        accept(
            "aal-integer",
            "authentication_assurance_level is the integer 3",
            "assurance levels may be integers",
            &[],
            |_| {
                Case::new(
                    set("authentication_assurance_level", json!(3)),
                    "an ID token whose authentication_assurance_level is the integer 3",
                )
            },
        ),
        accept(
            "iat-fractional",
            "iat is a fractional NumericDate",
            "NumericDate may carry a fraction (RFC 7519)",
            &["IDT-04"],
            |ctx| {
                let now = super::id_token::now(ctx);
                Case::new(
                    set("iat", json!(now as f64 - 0.5)),
                    "an ID token whose iat has a fraction of a second",
                )
            },
        ),
        accept(
            "unknown-claim",
            "an extra claim the RP does not know",
            "unknown claims are ignored",
            &[],
            |_| {
                Case::new(
                    set("x_cis2_future_claim", json!({"nested": [1, "two"]})),
                    "an ID token with an unknown extra claim",
                )
            },
        ),
        Scenario::new(
            G,
            "single-role-object",
            "nhsid_nrbac_roles is one object",
            "one-element lists may come as a bare object (seen from CIS2)",
            &[],
            single_role_object,
        ),
        Scenario::new(
            G,
            "no-roles",
            "a user with no roles",
            "a valid CIS2 user without roles gets a page, not a crash",
            &[],
            no_roles,
        ),
    ]
}
