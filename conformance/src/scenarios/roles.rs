//! CIS2 roles: the RP uses the role the person selected (`selected_roleid` resolved in
//! `nhsid_nrbac_roles`), refuses a selection that matches none, and checks `auth_time` after the
//! `prompt=login` a role change sends.

use serde_json::json;

use cis2_mock_idp::Fault;

use crate::agent::Credentials;
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Feature, Outcome, Scenario};
use crate::verdict::{Case, refuses};

const G: &str = "roles";

async fn selected_role(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::TwoRoles)?;
        let second = ctx
            .idp
            .state()
            .user(&uid)
            .and_then(|u| u.roles.get(1).map(|r| r.person_roleid.clone()))
            .ok_or_else(|| Outcome::Error("the test user has no second role".into()))?;
        let b = ctx.browser()?;
        ctx.sign_in_with(
            &b,
            &uid,
            Start::ChangeRole,
            Credentials::Smartcard,
            Some(&second),
            false,
        )
        .await?;
        let ptr = ctx.cfg.probe.role_json_pointer.clone().unwrap_or_default();
        let page = b
            .request(reqwest::Method::GET, &ctx.cfg.probe.url, None, &ctx.rec)
            .await
            .map_err(|e| Outcome::Error(e.to_string()))?;
        let shown = serde_json::from_str::<serde_json::Value>(&page.body)
            .ok()
            .and_then(|v| v.pointer(&ptr).cloned());
        ctx.rec.decided_by(format!(
            "the person chose role {second}; the RP shows {ptr} = {}",
            shown
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_else(|| "nothing".into())
        ));
        Ok::<_, Outcome>(match shown {
            Some(serde_json::Value::String(s)) if s == second => {
                Outcome::Pass("the RP uses the role the person selected".into())
            }
            Some(v) => Outcome::Fail(format!(
                "the person selected role {second} but the RP uses {v}; resolve selected_roleid in nhsid_nrbac_roles"
            )),
            None => Outcome::Fail(format!(
                "the RP shows no role at {ptr} after the person selected {second}; ask for the selectedrole scope (without it CIS2 never offers the person a choice of role) and resolve selected_roleid in nhsid_nrbac_roles"
            )),
        })
    };
    run.await.unwrap_or_else(|o| o)
}

/// The role the probe shows in `b` (`None`: not signed in or no role shown).
async fn shown_role(
    ctx: &Ctx,
    b: &crate::agent::Browser,
) -> Result<(bool, Option<serde_json::Value>), Outcome> {
    let ptr = ctx.cfg.probe.role_json_pointer.clone().unwrap_or_default();
    let p = ctx.probe(b).await?;
    if !p.signed_in {
        return Ok((false, None));
    }
    let page = b
        .request(reqwest::Method::GET, &ctx.cfg.probe.url, None, &ctx.rec)
        .await
        .map_err(|e| Outcome::Error(e.to_string()))?;
    let shown = serde_json::from_str::<serde_json::Value>(&page.body)
        .ok()
        .and_then(|v| v.pointer(&ptr).cloned())
        .filter(|v| !v.is_null());
    Ok((true, shown))
}

async fn unknown_role(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::TwoRoles)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let armed = ctx
            .idp
            .arm(
                Fault::SetClaim {
                    claim: "selected_roleid".into(),
                    value: json!("000000000000"),
                },
                None,
                &uid,
            )
            .map_err(|e| Outcome::Error(e.to_string()))?;
        ctx.rec.step(
            "suite",
            "armed: an ID token whose selected_roleid is none of the user's roles",
        );
        let b = ctx.browser()?;
        ctx.sign_in(&b, &uid, Start::ChangeRole, Credentials::Smartcard)
            .await?;
        if !ctx.idp.fault_used(armed.id) {
            return Err(Outcome::Error("the faulty ID token was never sent".into()));
        }
        let (signed_in, shown) = shown_role(&ctx, &b).await?;
        ctx.rec.decided_by(format!(
            "signed in: {signed_in}; role shown: {}",
            shown
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_else(|| "none".into())
        ));
        Ok::<_, Outcome>(match shown {
            Some(v) => Outcome::Fail(format!(
                "selected_roleid matched none of the user's roles, yet the RP uses role {v}; look selected_roleid up in nhsid_nrbac_roles and show a \"no suitable role\" page when it matches none"
            )),
            None => Outcome::Pass("an unresolvable role selection gives no role".into()),
        })
    };
    run.await.unwrap_or_else(|o| o)
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        Scenario::new(
            G,
            "selected-role-used",
            "the person selects their second role",
            "the session carries the selected role, not the first one listed",
            &[],
            selected_role,
        )
        .needs(Feature::RoleSelection)
        .needs(Feature::RoleVisible),
        Scenario::new(
            G,
            "selected-role-unknown",
            "selected_roleid matches none of the roles",
            "an unresolvable selection never becomes some other role (show \"no suitable role\")",
            &[],
            unknown_role,
        )
        .needs(Feature::RoleSelection)
        .needs(Feature::RoleVisible),
        Scenario::new(
            G,
            "stale-auth-time",
            "a role change answered with an old auth_time",
            "after prompt=login, auth_time must be fresh",
            &["IDT-11"],
            |ctx: Ctx| {
                let old = super::id_token::now(&ctx) - 3600;
                refuses(
                    ctx,
                    Case::new(
                        Fault::SetClaim {
                            claim: "auth_time".into(),
                            value: json!(old),
                        },
                        "an ID token with an hour-old auth_time after prompt=login",
                    )
                    .start(Start::ChangeRole)
                    .hint("After prompt=login, check that auth_time is later than the moment you sent the request: libraries check auth_time only when you send max_age."),
                )
            },
        )
        .needs(Feature::RoleSelection),
        Scenario::new(
            G,
            "missing-auth-time",
            "a role change answered without auth_time",
            "after prompt=login, a token without auth_time cannot show a fresh sign-in",
            &["IDT-11"],
            |ctx: Ctx| {
                refuses(
                    ctx,
                    Case::new(
                        Fault::MissingClaim {
                            claim: "auth_time".into(),
                        },
                        "an ID token with no auth_time after prompt=login",
                    )
                    .start(Start::ChangeRole)
                    .hint("After prompt=login, require auth_time and check it is later than the moment you sent the request."),
                )
            },
        )
        .needs(Feature::RoleSelection),
    ]
}
