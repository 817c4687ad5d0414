//! The authorization request the RP sends: read from the redirect the RP gives the browser, so each verdict
//! is the request itself.

use std::collections::BTreeMap;

use crate::agent::Credentials;
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Outcome, Scenario};

const G: &str = "auth-request";

type Params = BTreeMap<String, String>;

/// Signs a fresh user in and returns the authorization request's parameters.
async fn request(ctx: &Ctx) -> Result<Params, Outcome> {
    let uid = ctx.user(UserShape::OneRole)?;
    let b = ctx.browser()?;
    let j = ctx
        .sign_in(&b, &uid, Start::SignIn, Credentials::Smartcard)
        .await?;
    let url = j.authorize_url.ok_or_else(|| {
        Outcome::Error("the RP sent the browser to the IdP without an authorization request".into())
    })?;
    let parsed =
        url::Url::parse(&url).map_err(|e| Outcome::Error(format!("authorization request URL: {e}")))?;
    let mut p = Params::new();
    for (k, v) in parsed.query_pairs() {
        p.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    Ok(p)
}

fn check(
    name: &str,
    title: &str,
    proves: &str,
    catalogue: &[&'static str],
    rule: fn(&Ctx, &Params) -> Result<String, String>,
) -> Scenario {
    Scenario::new(G, name, title, proves, catalogue, move |ctx| async move {
        let p = match request(&ctx).await {
            Ok(p) => p,
            Err(o) => return o,
        };
        ctx.rec.decided_by(format!(
            "the authorization request's parameters: {}",
            p.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
        match rule(&ctx, &p) {
            Ok(why) => Outcome::Pass(why),
            Err(why) => Outcome::Fail(why),
        }
    })
}

fn get<'a>(p: &'a Params, k: &str) -> Option<&'a str> {
    p.get(k).map(String::as_str)
}

async fn unique(ctx: Ctx) -> Outcome {
    let (a, b) = match (request(&ctx).await, request(&ctx).await) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(o), _) | (_, Err(o)) => return o,
    };
    for k in ["state", "nonce"] {
        if get(&a, k).is_some() && get(&a, k) == get(&b, k) {
            ctx.rec.decided_by(format!("two sign-ins sent the same {k}"));
            return Outcome::Fail(format!(
                "two sign-ins sent the same {k}; it must be fresh and unguessable for every sign-in"
            ));
        }
    }
    ctx.rec
        .decided_by("two sign-ins sent different state and nonce values");
    Outcome::Pass("state and nonce are fresh for every sign-in".into())
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        check(
            "openid-scope",
            "scope holds openid",
            "the RP asks for an ID token",
            &["CS-01"],
            |_, p| match get(p, "scope") {
                Some(s) if s.split(' ').any(|x| x == "openid") => Ok(format!("scope is {s:?}")),
                other => Err(format!("scope is {other:?}; it must contain openid")),
            },
        ),
        check(
            "code-flow",
            "response_type is code",
            "the RP uses the authorization code flow, the only one CIS2 allows",
            &["CS-01"],
            |_, p| match get(p, "response_type") {
                Some("code") => Ok("response_type=code".into()),
                other => Err(format!(
                    "response_type is {other:?}; CIS2 supports the code flow only"
                )),
            },
        ),
        check(
            "client-id",
            "client_id is the registered one",
            "the RP sends its own client id",
            &["CS-01"],
            |ctx, p| match get(p, "client_id") {
                Some(c) if c == ctx.idp.client_id() => Ok(format!("client_id={c}")),
                other => Err(format!(
                    "client_id is {other:?}, expected {:?}",
                    ctx.idp.client_id()
                )),
            },
        ),
        check(
            "redirect-uri",
            "redirect_uri is registered, exactly",
            "the redirect URI is one of the registered strings, without a fragment",
            &["CS-01"],
            |ctx, p| match get(p, "redirect_uri") {
                Some(r) if ctx.cfg.rp.redirect_uris.iter().any(|x| x == r) && !r.contains('#') => {
                    Ok(format!("redirect_uri={r}"))
                }
                other => Err(format!(
                    "redirect_uri is {other:?}; it must be exactly one of {:?}",
                    ctx.cfg.rp.redirect_uris
                )),
            },
        ),
        check(
            "state",
            "state is sent and unguessable",
            "the RP protects the callback against CSRF (≥ 128 bits)",
            &["FLOW-01"],
            |_, p| match get(p, "state") {
                Some(s) if s.len() >= 22 => Ok(format!("state has {} characters", s.len())),
                Some(s) => Err(format!(
                    "state has only {} characters; use at least 128 random bits",
                    s.len()
                )),
                None => Err("no state parameter; the RP cannot detect a forged callback".into()),
            },
        ),
        check(
            "nonce",
            "nonce is sent and unguessable",
            "the ID token is bound to this sign-in",
            &["CS-14", "IDT-09"],
            |_, p| match get(p, "nonce") {
                Some(s) if s.len() >= 22 => Ok(format!("nonce has {} characters", s.len())),
                Some(s) => Err(format!(
                    "nonce has only {} characters; use at least 128 random bits",
                    s.len()
                )),
                None => Err("no nonce parameter; ID tokens cannot be bound to the sign-in".into()),
            },
        ),
        check(
            "acr-values",
            "acr_values is sent",
            "CIS2 asks RPs to send acr_values on every request",
            &["IDT-10"],
            |_, p| match get(p, "acr_values") {
                Some(a) if !a.trim().is_empty() => Ok(format!("acr_values={a}")),
                _ => Err("no acr_values; CIS2 guidance asks for it on every authorization request".into()),
            },
        ),
        check(
            "pkce-s256",
            "PKCE with S256",
            "the code is bound to the RP's instance (on top of client authentication)",
            &["CS-53"],
            |_, p| match (get(p, "code_challenge"), get(p, "code_challenge_method")) {
                (Some(c), Some("S256")) if c.len() == 43 => Ok("code_challenge_method=S256".into()),
                (Some(_), m) => Err(format!("code_challenge_method is {m:?}; use S256")),
                (None, _) => Err("no PKCE code_challenge".into()),
            },
        )
        .advisory(),
        Scenario::new(
            G,
            "fresh-values",
            "two sign-ins send different state and nonce",
            "state and nonce are not fixed or reused",
            &["FLOW-02", "IDT-09"],
            unique,
        ),
    ]
}
