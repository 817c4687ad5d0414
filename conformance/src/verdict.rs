//! The two verdict shapes most scenarios share, each proven rather than inferred from silence:
//! [`refuses`] (control sign-in works; the faulty journey ends signed out; the IdP saw the faulty response
//! go out and no later use of what it carried) and [`accepts`] (a CIS2-shaped response signs in).

use cis2_mock_idp::{Fault, ObservedEndpoint, Target};

use crate::agent::Credentials;
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::outcome::Outcome;

/// A fault and the journey it is judged on.
#[derive(Clone, Debug)]
pub struct Case {
    /// The fault.
    pub fault: Fault,
    /// Its target (default: the fault's own).
    pub target: Option<Target>,
    /// The user.
    pub shape: UserShape,
    /// Where the journey starts.
    pub start: Start,
    /// How the user signs in.
    pub creds: Credentials,
    /// What the fault is, in words ("an ID token whose nonce is not the one the RP sent").
    pub what: String,
    /// What a supplier should do, added to a failure's reason (e.g. where common libraries skip the check).
    pub hint: Option<String>,
}

impl Case {
    /// A fault on a plain smartcard sign-in.
    pub fn new(fault: Fault, what: impl Into<String>) -> Self {
        Self {
            fault,
            target: None,
            shape: UserShape::TwoRoles,
            start: Start::SignIn,
            creds: Credentials::Smartcard,
            what: what.into(),
            hint: None,
        }
    }

    /// With a hint for the failure reason.
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }

    /// On this target.
    pub fn target(mut self, t: Target) -> Self {
        self.target = Some(t);
        self
    }

    /// With this user.
    pub fn shape(mut self, s: UserShape) -> Self {
        self.shape = s;
        self
    }

    /// Starting here.
    pub fn start(mut self, s: Start) -> Self {
        self.start = s;
        self
    }
}

fn target_words(t: Target) -> &'static str {
    match t {
        Target::IdToken => "ID token",
        Target::Userinfo => "userinfo response",
        Target::LogoutToken => "logout token",
        Target::TokenEndpoint => "token endpoint answer",
        Target::UserinfoEndpoint => "userinfo endpoint answer",
        Target::JwksEndpoint => "JWKS endpoint answer",
        Target::DiscoveryEndpoint => "discovery answer",
        _ => "response",
    }
}

/// The RP must refuse the sign-in when the IdP's response carries `case.fault`.
pub async fn refuses(ctx: Ctx, case: Case) -> Outcome {
    match refuses_inner(&ctx, &case).await {
        Ok(o) | Err(o) => o,
    }
}

async fn refuses_inner(ctx: &Ctx, case: &Case) -> Result<Outcome, Outcome> {
    let uid = ctx.user(case.shape)?;
    ctx.control(&uid, case.start, case.creds).await?;
    let target = case.target.unwrap_or_else(|| case.fault.default_target());
    let armed = ctx
        .idp
        .arm(case.fault.clone(), case.target, &uid)
        .map_err(|e| Outcome::Error(e.to_string()))?;
    ctx.rec.step(
        "suite",
        format!("armed: {} ({})", case.what, target_words(target)),
    );
    let seq = ctx.idp.seq();
    let b = ctx.browser()?;
    let j = ctx.sign_in(&b, &uid, case.start, case.creds).await?;
    if !ctx.idp.fault_used(armed.id) {
        return Err(Outcome::Error(format!(
            "the faulty {} was never sent: the RP did not ask for it after the callback (callback answered {})",
            target_words(target),
            j.callback_status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "nothing".into())
        )));
    }
    ctx.rec
        .decided_by(format!("idp: the faulty {} went out", target_words(target)));
    let p = ctx.probe(&b).await?;
    if p.signed_in {
        ctx.rec.decided_by(format!("probe: signed in ({})", p.seen));
        return Ok(Outcome::Fail(format!(
            "the RP signed the user in after receiving {}. A conformant RP refuses it and shows an error.{}",
            case.what,
            case.hint.as_deref().map(|h| format!(" {h}")).unwrap_or_default()
        )));
    }
    ctx.rec.decided_by(format!("probe: not signed in ({})", p.seen));
    if target == Target::IdToken {
        let used: Vec<_> = ctx
            .idp
            .observed_for(seq, &uid)
            .into_iter()
            .filter(|o| o.endpoint == ObservedEndpoint::Userinfo)
            .collect();
        if !used.is_empty() {
            ctx.rec
                .decided_by("idp: the RP called userinfo with the access token from the refused response");
            return Ok(Outcome::Fail(format!(
                "the RP did not sign the user in, but it called userinfo with the access token that came with {} — it must validate the ID token first and stop at the first failure",
                case.what
            )));
        }
        ctx.rec
            .decided_by("idp: no userinfo call for this user after the faulty token response");
    }
    Ok(Outcome::Pass(format!(
        "the RP refused {} and did not sign the user in",
        case.what
    )))
}

/// The RP must sign the user in when the IdP's response carries `case.fault` (a shape CIS2 really sends).
pub async fn accepts(ctx: Ctx, case: Case) -> Outcome {
    match accepts_inner(&ctx, &case).await {
        Ok(o) | Err(o) => o,
    }
}

async fn accepts_inner(ctx: &Ctx, case: &Case) -> Result<Outcome, Outcome> {
    let uid = ctx.user(case.shape)?;
    accepts_user(ctx, &uid, case).await
}

async fn accepts_user(ctx: &Ctx, uid: &str, case: &Case) -> Result<Outcome, Outcome> {
    let uid = uid.to_owned();
    let target = case.target.unwrap_or_else(|| case.fault.default_target());
    let armed = ctx
        .idp
        .arm(case.fault.clone(), case.target, &uid)
        .map_err(|e| Outcome::Error(e.to_string()))?;
    ctx.rec.step(
        "suite",
        format!("armed: {} ({})", case.what, target_words(target)),
    );
    let b = ctx.browser()?;
    ctx.sign_in(&b, &uid, case.start, case.creds).await?;
    let used = ctx.idp.fault_used(armed.id);
    let p = ctx.probe(&b).await?;
    if p.signed_in && used {
        ctx.rec.decided_by(format!("probe: signed in ({})", p.seen));
        return Ok(Outcome::Pass(format!("the RP accepted {}", case.what)));
    }
    if !used {
        return Err(Outcome::Error(format!(
            "the {} carrying {} was never sent: the RP did not ask for it",
            target_words(target),
            case.what
        )));
    }
    ctx.rec.decided_by(format!("probe: not signed in ({})", p.seen));
    // Signed out: prove it was the shape, not the RP, with a clean sign-in.
    ctx.control(&uid, case.start, case.creds).await?;
    Ok(Outcome::Fail(format!(
        "the RP refused {}, which CIS2 sends; a clean sign-in works, so the RP's validation is stricter than CIS2's real tokens allow",
        case.what
    )))
}

/// [`accepts`] for a user the caller already made (when the fault needs the user's own data).
pub async fn accepts_for(ctx: &Ctx, uid: &str, case: &Case) -> Outcome {
    match accepts_user(ctx, uid, case).await {
        Ok(o) | Err(o) => o,
    }
}
