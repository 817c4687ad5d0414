//! The JWKS: fetched from discovery, cached, refetched once on an unknown `kid` (key rotation), not on
//! every token. These change IdP-wide state or count IdP-wide fetches, so they run alone.

use cis2_mock_idp::{Fault, ObservedEndpoint};

use crate::agent::Credentials;
use crate::ctx::{Ctx, Start};
use crate::idp::{KeyRemoval, UserShape};
use crate::scenario::{Outcome, Scenario};
use crate::verdict::{Case, refuses};

const G: &str = "jwks";

/// Rotates the IdP's key with no grace period (the old key leaves the JWKS at once) and says so.
async fn rotate_removing_old(ctx: &Ctx) -> Result<KeyRemoval, Outcome> {
    let r = ctx
        .idp
        .rotate_key_removing_old()
        .await
        .map_err(|e| Outcome::Error(e.to_string()))?;
    ctx.rec.step(
        "suite",
        format!(
            "the IdP rotated to kid {} and removed kid {} from its JWKS (no grace period)",
            r.new_kid, r.removed_kid
        ),
    );
    Ok(r)
}

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
        // No grace period: the old key leaves the JWKS at once (jwks.removed-key then checks it is refused).
        rotate_removing_old(&ctx).await?;
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

/// A key the IdP removed must stop verifying once the RP has had reason to refetch. Uses the removal
/// `jwks.key-rotation` made (it rotates with no grace period) when the RP has fetched the JWKS since;
/// otherwise rotates itself and signs in with the new key (its unknown kid is the RP's reason to refetch).
/// Either way the JWKS the RP fetched after the removal no longer holds the old key, so a token signed with
/// it must be refused.
async fn removed_key(ctx: Ctx) -> Outcome {
    let run = async {
        let prior = ctx.idp.last_removal().filter(|r| jwks_fetches(&ctx, r.seq) > 0);
        let removal = match prior {
            Some(r) => {
                ctx.rec.step(
                    "suite",
                    format!(
                        "jwks.key-rotation rotated to kid {} and removed kid {} (no grace period); the RP has fetched the JWKS since",
                        r.new_kid, r.removed_kid
                    ),
                );
                r
            }
            None => {
                let uid = ctx.user(UserShape::OneRole)?;
                ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
                let r = rotate_removing_old(&ctx).await?;
                let b = ctx.browser()?;
                ctx.sign_in(&b, &uid, Start::SignIn, Credentials::Smartcard)
                    .await?;
                if !ctx.probe(&b).await?.signed_in {
                    return Err(Outcome::Error(format!(
                        "not decided: after the rotation the RP refused tokens signed with the new key (JWKS fetched {}× since; jwks.key-rotation tells why), so whether it still trusts the removed key cannot be shown",
                        jwks_fetches(&ctx, r.seq)
                    )));
                }
                r
            }
        };
        let n = jwks_fetches(&ctx, removal.seq);
        if n == 0 {
            return Err(Outcome::Error("not decided: the RP signed in with the new key without fetching the JWKS, so it does not seem to verify ID token signatures at all (see id-token.bad-signature)".into()));
        }
        ctx.rec.decided_by(format!(
            "idp: the RP fetched the JWKS {n}× after kid {} was removed; the IdP publishes {:?}",
            removal.removed_kid,
            ctx.idp.state().published_kids()
        ));
        let case = Case::new(
            Fault::RemovedKey,
            format!(
                "an ID token signed with the key the IdP removed from its JWKS (kid {})",
                removal.removed_kid
            ),
        )
        .hint("Replace the cached key set with each JWKS fetched; a key the IdP no longer publishes is revoked and must not verify anything, even if it is still cached");
        Ok::<_, Outcome>(refuses(ctx.clone(), case).await)
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
            "removed-key",
            "the IdP removes a rotated-out key from its JWKS",
            "once the RP has refetched the JWKS, a token signed with a removed key is refused",
            &["JWKS-05", "JWKS-01"],
            removed_key,
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
