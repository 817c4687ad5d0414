//! Userinfo: the subject must match the ID token's; a signed userinfo's signature is checked.

use cis2_mock_idp::{Fault, Target};

use crate::agent::Credentials;
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Feature, Outcome, Scenario};
use crate::verdict::{Case, refuses};

const G: &str = "userinfo";

/// A clean sign-in of an RP registered for plain userinfo: the RP called userinfo, got JSON (no signed
/// token in the IdP's log), and signed the user in.
async fn unsigned_accepted(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        let seq = ctx.idp.seq();
        let b = ctx.browser()?;
        ctx.sign_in(&b, &uid, Start::SignIn, Credentials::Smartcard)
            .await?;
        let calls: Vec<_> = ctx
            .idp
            .observed_for(seq, &uid)
            .into_iter()
            .filter(|o| o.endpoint == cis2_mock_idp::ObservedEndpoint::Userinfo && o.status == 200)
            .collect();
        let p = ctx.probe(&b).await?;
        ctx.rec.decided_by(format!("probe: {}", p.seen));
        if calls.is_empty() {
            return Err(Outcome::Error(
                "the RP did not call userinfo during the sign-in, so this scenario cannot judge how it reads a plain JSON userinfo (CIS2 RPs call it for the roles)".into(),
            ));
        }
        if calls.iter().any(|o| o.token.is_some()) {
            return Err(Outcome::Error(
                "the IdP sent signed userinfo although the RP is registered for plain JSON".into(),
            ));
        }
        ctx.rec
            .decided_by("idp: userinfo answered with plain JSON (application/json)");
        Ok::<_, Outcome>(if p.signed_in {
            Outcome::Pass("the RP read a plain JSON userinfo response and signed the user in".into())
        } else {
            Outcome::Fail(
                "the RP did not sign the user in with a plain JSON userinfo response; an RP that has not asked CIS2 for signed userinfo gets JSON and must accept it".into(),
            )
        })
    };
    run.await.unwrap_or_else(|o| o)
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        Scenario::new(
            G,
            "sub-mismatch",
            "userinfo sub differs from the ID token's",
            "userinfo is only used for the same subject",
            &["CS-19", "IDT-12"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(Fault::SubMismatch, "a userinfo response for another subject"),
                )
            },
        ),
        Scenario::new(
            G,
            "missing-sub",
            "userinfo without sub",
            "userinfo is only used when its sub is present and matches the ID token's",
            &["CS-19"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(
                        Fault::MissingClaim { claim: "sub".into() },
                        "a userinfo response without sub",
                    )
                    .target(Target::Userinfo)
                    .hint("OpenID Connect Core §5.3.2: the sub in userinfo must be present and equal the ID token's; a missing sub is a mismatch, not a pass."),
                )
            },
        ),
        Scenario::new(
            G,
            "unsigned-json-accepted",
            "plain JSON userinfo (the RP has not asked for signed userinfo)",
            "an RP that does not claim signed userinfo accepts CIS2's plain JSON userinfo",
            &["CS-20"],
            unsigned_accepted,
        )
        .needs(Feature::PlainUserinfo),
        Scenario::new(
            G,
            "signed-bad-signature",
            "signed userinfo with a corrupted signature",
            "signed userinfo is verified",
            &["CS-20"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(
                        Fault::BadSignature,
                        "a signed userinfo response with a corrupted signature",
                    )
                    .target(Target::Userinfo),
                )
            },
        )
        .needs(Feature::SignedUserinfo),
        Scenario::new(
            G,
            "signed-alg-none",
            "unsigned userinfo where a signed one is due",
            "signed userinfo is verified",
            &["CS-20", "JWT-01"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(Fault::AlgNone, "an unsigned (alg none) userinfo response")
                        .target(Target::Userinfo),
                )
            },
        )
        .needs(Feature::SignedUserinfo),
        Scenario::new(
            G,
            "endpoint-5xx",
            "userinfo answers 503",
            "without the roles userinfo carries, the RP does not sign the user in half-way",
            &["REL-08"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(Fault::Status { status: 503 }, "a 503 from the userinfo endpoint")
                        .target(Target::UserinfoEndpoint),
                )
            },
        )
        .advisory(),
    ]
}
