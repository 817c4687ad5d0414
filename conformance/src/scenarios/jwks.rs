//! The JWKS: fetched from discovery, cached, refetched once on an unknown `kid` (key rotation), not on
//! every token. These change IdP-wide state or count IdP-wide fetches, so they run alone.

use cis2_mock_idp::{Fault, ObservedEndpoint};

use crate::agent::Credentials;
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Outcome, Scenario};

const G: &str = "jwks";

fn jwks_fetches(ctx: &Ctx, since: u64) -> usize {
    ctx.idp
        .state()
        .observed_since(since)
        .iter()
        .filter(|o| o.endpoint == ObservedEndpoint::Jwks)
        .count()
}

async fn rotation(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let kid = ctx
            .idp
            .rotate_key()
            .await
            .map_err(|e| Outcome::Error(e.to_string()))?;
        ctx.rec
            .step("suite", format!("the IdP rotated its signing key; new kid {kid}"));
        let seq = ctx.idp.seq();
        let b = ctx.browser()?;
        ctx.sign_in(&b, &uid, Start::SignIn, Credentials::Smartcard)
            .await?;
        let p = ctx.probe(&b).await?;
        let n = jwks_fetches(&ctx, seq);
        ctx.rec.decided_by(format!(
            "probe: {}; JWKS fetched {n} time(s) after the rotation",
            p.seen
        ));
        Ok::<_, Outcome>(match (p.signed_in, n) {
            (true, 1..=2) => Outcome::Pass(format!("the RP refetched the JWKS ({n}×) for the new kid and signed the user in")),
            (true, 0) => Outcome::Error("signed in with the new key without fetching the JWKS: the RP does not seem to verify ID token signatures at all (see id-token.bad-signature)".into()),
            (true, n) => Outcome::Fail(format!("the RP fetched the JWKS {n} times for one new kid; once is enough")),
            (false, _) => Outcome::Fail("after a key rotation the RP refused tokens signed with the new key; refetch the JWKS at once when a token names an unknown kid, even if the cached copy is recent (some libraries wait until it is a minute old, so every sign-in fails for that minute)".into()),
        })
    };
    run.await.unwrap_or_else(|o| o)
}

async fn cached(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let seq = ctx.idp.seq();
        for _ in 0..3 {
            let b = ctx.browser()?;
            ctx.sign_in(&b, &uid, Start::SignIn, Credentials::Smartcard)
                .await?;
        }
        let n = jwks_fetches(&ctx, seq);
        ctx.rec.decided_by(format!(
            "JWKS fetched {n} time(s) during three sign-ins with a known kid"
        ));
        Ok::<_, Outcome>(if n <= 1 {
            Outcome::Pass("the RP reuses its cached JWKS".into())
        } else {
            Outcome::Fail(format!(
                "the RP fetched the JWKS {n} times for three tokens with a known kid; cache it"
            ))
        })
    };
    run.await.unwrap_or_else(|o| o)
}

async fn unknown_kid_rate(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let seq = ctx.idp.seq();
        for _ in 0..3 {
            ctx.idp
                .arm(Fault::KidUnknown, None, &uid)
                .map_err(|e| Outcome::Error(e.to_string()))?;
            let b = ctx.browser()?;
            ctx.sign_in(&b, &uid, Start::SignIn, Credentials::Smartcard)
                .await?;
            if ctx.probe(&b).await?.signed_in {
                return Ok(Outcome::Fail(
                    "the RP accepted a token whose kid the JWKS does not hold: it does not verify ID token signatures".into(),
                ));
            }
        }
        let n = jwks_fetches(&ctx, seq);
        ctx.rec.decided_by(format!(
            "JWKS fetched {n} time(s) for three tokens with unknown kids"
        ));
        Ok::<_, Outcome>(if n <= 2 {
            Outcome::Pass("unknown kids trigger a bounded number of JWKS refetches".into())
        } else {
            Outcome::Fail(format!(
                "{n} JWKS fetches for three unknown kids: refetches need a cooldown, or anyone can make the RP hammer the IdP"
            ))
        })
    };
    run.await.unwrap_or_else(|o| o)
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        Scenario::new(
            G,
            "key-rotation",
            "the IdP rotates its signing key",
            "an unknown kid triggers one JWKS refetch",
            &["CS-05", "CS-06", "JWKS-01"],
            rotation,
        )
        .exclusive(),
        Scenario::new(
            G,
            "cached",
            "three sign-ins with a known kid",
            "the JWKS is cached, not fetched per token",
            &["JWKS-02", "JWKS-05"],
            cached,
        )
        .exclusive(),
        Scenario::new(
            G,
            "unknown-kid-cooldown",
            "three tokens with unknown kids",
            "refetches on unknown kids are rate-limited",
            &["JWKS-02"],
            unknown_kid_rate,
        )
        .exclusive()
        .advisory(),
    ]
}
