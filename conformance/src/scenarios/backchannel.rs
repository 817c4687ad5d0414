//! Back-channel logout: a valid logout token ends exactly the named session (by `sid`; every session of
//! the `sub` without one) and gets 200; an invalid one gets 400 and ends nothing; a replayed `jti` is
//! refused. Proven with the probe in two browsers.

use cis2_mock_idp::{CardMode, Fault, LogoutMalformation, Target};

use crate::agent::{Browser, Credentials};
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Feature, Outcome, Scenario};

const G: &str = "backchannel-logout";

/// A user signed in twice: browser A (session `sid_a`) and browser B (`sid_b`).
struct Two {
    uid: String,
    a: Browser,
    sid_a: String,
    b: Browser,
}

async fn two_sessions(ctx: &Ctx) -> Result<Two, Outcome> {
    let uid = ctx.user(UserShape::OneRole)?;
    let a = ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
    let sid_a = ctx
        .idp
        .latest_sid(&uid, &[])
        .ok_or_else(|| Outcome::Error("the IdP has no session for the user".into()))?;
    let b = ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
    Ok(Two { uid, a, sid_a, b })
}

async fn post(ctx: &Ctx, token: &str) -> Result<u16, Outcome> {
    let uri = ctx
        .cfg
        .rp
        .backchannel_logout_uri
        .clone()
        .ok_or_else(|| Outcome::Error("rp.backchannel_logout_uri is not set".into()))?;
    ctx.rec.token("logout_token", token);
    let http = reqwest::Client::builder()
        .timeout(ctx.timeout)
        .build()
        .map_err(|e| Outcome::Error(e.to_string()))?;
    let res = http
        .post(&uri)
        .form(&[("logout_token", token)])
        .send()
        .await
        .map_err(|e| {
            Outcome::Error(format!(
                "POST {uri}: no answer ({e}). Fix: check rp.backchannel_logout_uri"
            ))
        })?;
    let status = res.status().as_u16();
    ctx.rec
        .step("idp", format!("POST {uri} (logout_token) → {status}"));
    Ok(status)
}

/// A delivery's outcome in words: the RP's status, or the transport error after the IdP's retries.
fn delivery_words(o: &cis2_mock_idp::Observed) -> String {
    match o.status {
        0 => format!(
            "the IdP's delivery got no HTTP answer ({})",
            o.detail.as_deref().unwrap_or("transport error")
        ),
        s => format!("the RP answered the delivery with {s}"),
    }
}

async fn signed_in(ctx: &Ctx, b: &Browser) -> Result<bool, Outcome> {
    let p = ctx.probe(b).await?;
    ctx.rec.decided_by(format!("probe {}: {}", b.label(), p.seen));
    Ok(p.signed_in)
}

/// The IdP ends session A itself and delivers the logout token (the path CIS2 uses).
async fn by_sid(ctx: Ctx) -> Outcome {
    let run = async {
        let t = two_sessions(&ctx).await?;
        let seq = ctx.idp.seq();
        if !ctx.idp.state().end_session(&t.sid_a) {
            return Err(Outcome::Error("the IdP could not end the session".into()));
        }
        ctx.rec.step(
            "idp",
            format!("session {} ended; back-channel logout sent", t.sid_a),
        );
        let delivered = ctx
            .idp
            .wait_for_delivery(seq, ctx.timeout, &t.uid)
            .await
            .ok_or_else(|| Outcome::Fail("the back-channel logout delivery got no answer in time".into()))?;
        ctx.rec.decided_by(delivery_words(&delivered));
        if delivered.status != 200 {
            return Ok(Outcome::Fail(format!(
                "the RP did not answer a valid logout token with 200 ({}); it must answer 200",
                delivery_words(&delivered)
            )));
        }
        let (a, b) = (signed_in(&ctx, &t.a).await?, signed_in(&ctx, &t.b).await?);
        Ok(match (a, b) {
            (false, true) => Outcome::Pass("the named session ended and the user's other session did not".into()),
            (true, _) => Outcome::Fail("after a valid logout token for its sid, browser A is still signed in".into()),
            (false, false) => Outcome::Fail("a logout token naming one sid ended the user's other session too; end only the named session".into()),
        })
    };
    run.await.unwrap_or_else(|o| o)
}

async fn by_sub(ctx: Ctx) -> Outcome {
    let run = async {
        let t = two_sessions(&ctx).await?;
        let token = ctx
            .idp
            .mint_logout(&t.uid, None, None)
            .map_err(|e| Outcome::Error(e.to_string()))?;
        let status = post(&ctx, &token).await?;
        if status != 200 {
            return Ok(Outcome::Fail(format!(
                "the RP answered a valid logout token (sub, no sid) with {status}; it must answer 200"
            )));
        }
        let (a, b) = (signed_in(&ctx, &t.a).await?, signed_in(&ctx, &t.b).await?);
        Ok(if !a && !b {
            Outcome::Pass("a logout token with sub and no sid ended every session of the user".into())
        } else {
            Outcome::Fail("a logout token with sub and no sid must end every session of that user; one is still signed in".into())
        })
    };
    run.await.unwrap_or_else(|o| o)
}

async fn replay(ctx: Ctx) -> Outcome {
    let run = async {
        let t = two_sessions(&ctx).await?;
        let jti = format!("replay-{}", t.sid_a);
        let first = ctx
            .idp
            .mint_logout(&t.uid, Some(&t.sid_a), Some(&jti))
            .map_err(|e| Outcome::Error(e.to_string()))?;
        let s1 = post(&ctx, &first).await?;
        if s1 != 200 || signed_in(&ctx, &t.a).await? {
            return Ok(Outcome::Error(format!(
                "the first, valid logout token did not end session A (status {s1})"
            )));
        }
        let sid_b = ctx
            .idp
            .latest_sid(&t.uid, &[t.sid_a.as_str()])
            .ok_or_else(|| Outcome::Error("no session B at the IdP".into()))?;
        let second = ctx
            .idp
            .mint_logout(&t.uid, Some(&sid_b), Some(&jti))
            .map_err(|e| Outcome::Error(e.to_string()))?;
        ctx.rec.step(
            "suite",
            "a second logout token reusing the first one's jti, for session B",
        );
        let s2 = post(&ctx, &second).await?;
        let b = signed_in(&ctx, &t.b).await?;
        Ok(match (s2, b) {
            (400, true) => Outcome::Pass("a logout token whose jti was already used is refused".into()),
            (_, false) => Outcome::Fail(
                "a logout token reusing a jti ended a session; remember jtis until the token expires".into(),
            ),
            (s, true) => Outcome::Fail(format!(
                "the replayed jti ended nothing but the RP answered {s}; answer 400 to an invalid logout token"
            )),
        })
    };
    run.await.unwrap_or_else(|o| o)
}

/// A faulty logout token for session A: 400, and A still signed in.
async fn invalid(ctx: Ctx, fault: Fault, what: &'static str) -> Outcome {
    let run = async {
        let t = two_sessions(&ctx).await?;
        ctx.idp
            .arm(fault, Some(Target::LogoutToken), &t.uid)
            .map_err(|e| Outcome::Error(e.to_string()))?;
        ctx.rec.step("suite", format!("armed: {what}"));
        let token = ctx
            .idp
            .mint_logout(&t.uid, Some(&t.sid_a), None)
            .map_err(|e| Outcome::Error(e.to_string()))?;
        let status = post(&ctx, &token).await?;
        let a = signed_in(&ctx, &t.a).await?;
        Ok(match (status, a) {
            (400, true) => Outcome::Pass(format!("the RP refused {what} with 400 and kept the session")),
            (_, false) => Outcome::Fail(format!(
                "the RP ended a session on {what}; validate logout tokens like ID tokens (signature, iss, aud, iat, events, no nonce, jti)"
            )),
            (s, true) => Outcome::Fail(format!(
                "the RP kept the session but answered {s} to {what}; the spec asks for 400"
            )),
        })
    };
    run.await.unwrap_or_else(|o| o)
}

/// The user's smartcard leaves the reader. Identity Agent: the IdP ends the session and tells the RP by
/// back-channel logout, which must end the RP's session. Smartcard Connect: nothing ends.
async fn card_removed(ctx: Ctx, mode: CardMode) -> Outcome {
    let state = ctx.idp.state().clone();
    state.set_card_mode(mode);
    let out = card_removed_in(&ctx, mode).await.unwrap_or_else(|o| o);
    state.set_card_mode(CardMode::IdentityAgent);
    out
}

async fn card_removed_in(ctx: &Ctx, mode: CardMode) -> Result<Outcome, Outcome> {
    let uid = ctx.user(UserShape::OneRole)?;
    let a = ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
    let serial = ctx
        .idp
        .state()
        .sessions()
        .into_iter()
        .find(|s| s.uid == uid)
        .and_then(|s| s.card_serial)
        .ok_or_else(|| Outcome::Error("the IdP session has no smartcard".into()))?;
    let seq = ctx.idp.seq();
    let ended = ctx.idp.state().remove_card(&serial).unwrap_or_default();
    ctx.rec.step(
        "idp",
        format!(
            "smartcard {serial} removed ({mode:?}); IdP sessions ended: {}",
            ended.len()
        ),
    );
    let _ = ctx.idp.state().insert_card(&serial);
    if mode == CardMode::SmartcardConnect {
        if !ended.is_empty() {
            return Err(Outcome::Error(
                "the IdP ended a session on removal in Smartcard Connect mode".into(),
            ));
        }
        return Ok(if signed_in(ctx, &a).await? {
            Outcome::Pass(
                "under Smartcard Connect, removing the card ends nothing and the RP keeps the session".into(),
            )
        } else {
            Outcome::Fail("the RP ended the session although nothing told it to (Smartcard Connect removal ends no session)".into())
        });
    }
    let d = ctx
        .idp
        .wait_for_delivery(seq, ctx.timeout, &uid)
        .await
        .ok_or_else(|| {
            Outcome::Fail("the back-channel logout for the removed card got no answer in time".into())
        })?;
    ctx.rec.decided_by(delivery_words(&d));
    Ok(if signed_in(ctx, &a).await? {
        Outcome::Fail("after the smartcard was removed (Identity Agent), the IdP's back-channel logout did not end the RP's session".into())
    } else {
        Outcome::Pass(
            "removing the smartcard (Identity Agent) ends the RP's session through back-channel logout"
                .into(),
        )
    })
}

fn bad(name: &str, what: &'static str, catalogue: &[&'static str], fault: Fault) -> Scenario {
    Scenario::new(
        G,
        name,
        what,
        "an invalid logout token gets 400 and ends nothing",
        catalogue,
        move |ctx| invalid(ctx, fault.clone(), what),
    )
    .needs(Feature::BackchannelLogout)
}

pub(super) fn all() -> Vec<Scenario> {
    use LogoutMalformation as M;
    let mal = |variant| Fault::MalformedLogoutToken { variant };
    vec![
        Scenario::new(
            G,
            "by-sid",
            "the IdP ends one of two sessions",
            "a valid logout token ends exactly the session its sid names (200)",
            &["CS-25", "BCL-09", "BCL-12"],
            by_sid,
        )
        .needs(Feature::BackchannelLogout),
        Scenario::new(
            G,
            "by-sub",
            "a logout token with sub and no sid",
            "without sid, every session of the sub ends",
            &["BCL-10"],
            by_sub,
        )
        .needs(Feature::BackchannelLogout),
        Scenario::new(
            G,
            "smartcard-removed-identity-agent",
            "the smartcard leaves the reader (Identity Agent)",
            "card removal reaches the RP as back-channel logout and ends its session",
            &["BCL-09"],
            |ctx| card_removed(ctx, CardMode::IdentityAgent),
        )
        .needs(Feature::BackchannelLogout)
        .exclusive(),
        Scenario::new(
            G,
            "smartcard-removed-smartcard-connect",
            "the smartcard leaves the reader (Smartcard Connect)",
            "under Smartcard Connect removal ends nothing, and the RP does not invent a logout",
            &[],
            |ctx| card_removed(ctx, CardMode::SmartcardConnect),
        )
        .needs(Feature::BackchannelLogout)
        .exclusive(),
        Scenario::new(
            G,
            "jti-replay",
            "a logout token reusing a jti",
            "replayed logout tokens are refused",
            &["BCL-04"],
            replay,
        )
        .needs(Feature::BackchannelLogout),
        bad(
            "alg-none",
            "an unsigned logout token (alg none)",
            &["CS-26", "JWT-01"],
            Fault::AlgNone,
        ),
        bad(
            "bad-signature",
            "a logout token with a corrupted signature",
            &["CS-29"],
            Fault::BadSignature,
        ),
        bad(
            "hs256-public-key",
            "a logout token signed HS256 with the IdP's public key",
            &["CS-29", "JWT-02"],
            Fault::Hs256PublicKey,
        ),
        bad(
            "wrong-iss",
            "a logout token from another issuer",
            &["CS-32"],
            Fault::WrongIss { value: None },
        ),
        bad(
            "wrong-aud",
            "a logout token for another client",
            &["CS-30", "BCL-08"],
            Fault::WrongAud { value: None },
        ),
        bad(
            "no-events",
            "a logout token without events",
            &["CS-27", "BCL-05"],
            mal(M::MissingEvents),
        ),
        bad(
            "events-array",
            "a logout token whose events is an array",
            &["CS-31", "BCL-05"],
            mal(M::EventsNotObject),
        ),
        bad(
            "event-not-object",
            "a logout token whose logout event is not an object",
            &["CS-31", "BCL-05"],
            mal(M::EventMemberNotObject),
        ),
        bad(
            "no-sub-no-sid",
            "a logout token with neither sub nor sid",
            &["BCL-01"],
            mal(M::NoSubNoSid),
        ),
        bad(
            "with-nonce",
            "a logout token carrying a nonce",
            &["CS-28", "JWT-13"],
            mal(M::WithNonce),
        ),
        bad(
            "no-jti",
            "a logout token without jti",
            &["BCL-04"],
            mal(M::MissingJti),
        ),
        bad(
            "stale-iat",
            "a logout token issued a day ago",
            &["BCL-03"],
            mal(M::StaleIat),
        ),
        bad("expired", "an expired logout token", &["BCL-02"], Fault::Expired),
        bad(
            "kid-unknown",
            "a logout token whose kid the JWKS does not hold",
            &["JWKS-01"],
            Fault::KidUnknown,
        ),
    ]
}
