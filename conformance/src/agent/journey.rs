//! A sign-in journey: start at the RP, sign in at the IdP's forms, come back through the callback.

use reqwest::Method;

use super::browser::{AgentError, Browser, MAX_HOPS, Page, next_url};
use crate::evidence::Recorder;

/// How the person signs in at the IdP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// Virtual smartcard and passcode (AAL3).
    Smartcard,
    /// Password and TOTP (AAL2).
    Totp,
    /// Password only (AAL1).
    Password,
    /// The person presses Cancel at the IdP (`error=access_denied` comes back).
    Cancel,
}

/// Where the IdP's forms are and how to answer them.
#[derive(Clone, Debug)]
pub struct IdpForms {
    /// `{issuer}/authorize`.
    pub authorize_url: String,
    /// `{issuer}/login`.
    pub login_url: String,
    /// `{issuer}/select-role`.
    pub role_url: String,
    /// The IdP, for TOTP codes on its clock.
    pub state: cis2_mock_idp::AppState,
}

/// A sign-in to run.
#[derive(Clone, Debug)]
pub struct SignIn<'a> {
    /// Where it starts (the RP's sign-in URL, or its step-up / change-role URL).
    pub start_url: &'a str,
    /// The test user.
    pub uid: &'a str,
    /// How they sign in.
    pub credentials: Credentials,
    /// The role to pick when the IdP asks (default: the first offered).
    pub role: Option<&'a str>,
    /// The RP's redirect URIs: reaching one is the callback.
    pub redirect_uris: &'a [String],
    /// Stop before following the callback (to replay it elsewhere).
    pub stop_at_callback: bool,
}

/// What happened.
#[derive(Clone, Debug)]
pub struct Journey {
    /// The browser reached the IdP's sign-in.
    pub reached_idp: bool,
    /// The authorization request the RP sent the browser with (the first one, in full).
    pub authorize_url: Option<String>,
    /// The IdP signed the person in (the form was accepted).
    pub idp_accepted: bool,
    /// The callback URL the IdP sent the browser to (with `code` and `state`, or an error).
    pub callback_url: Option<String>,
    /// The RP's status on the callback request.
    pub callback_status: Option<u16>,
    /// The last page.
    pub last: Page,
}

pub(super) fn same_endpoint(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin() && a.path() == b.path(),
        _ => false,
    }
}

pub(super) fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

impl Browser {
    /// Runs a sign-in from the RP's start URL to wherever the RP leaves the browser.
    pub async fn sign_in(
        &self,
        s: &SignIn<'_>,
        idp: &IdpForms,
        rec: &Recorder,
    ) -> Result<Journey, AgentError> {
        // In Chromium unless the journey stops at the callback: replaying a callback elsewhere needs the
        // callback URL unopened, which only the HTTP user agent can promise.
        if let Some(c) = self.chromium()
            && !s.stop_at_callback
        {
            return self.sign_in_chromium(c, s, idp, rec).await;
        }
        let mut j = Journey {
            reached_idp: false,
            authorize_url: None,
            idp_accepted: false,
            callback_url: None,
            callback_status: None,
            last: self.request(Method::GET, s.start_url, None, rec).await?,
        };
        for _ in 0..MAX_HOPS * 2 {
            let Some(next) = next_url(&j.last)? else {
                return Ok(j);
            };
            if j.authorize_url.is_none() && same_endpoint(&next, &idp.authorize_url) {
                j.authorize_url = Some(next.clone());
            }
            if same_endpoint(&next, &idp.login_url) {
                j.reached_idp = true;
                let interaction = query_param(&next, "interaction").unwrap_or_default();
                let form = login_form(s, &interaction, idp);
                let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                j.last = self
                    .request(Method::POST, &idp.login_url, Some(&pairs), rec)
                    .await?;
                j.idp_accepted = j.last.status.is_redirection();
                continue;
            }
            if same_endpoint(&next, &idp.role_url) {
                let interaction = query_param(&next, "interaction").unwrap_or_default();
                let role = match s.role {
                    Some(r) => r.to_owned(),
                    None => idp
                        .state
                        .user(s.uid)
                        .and_then(|u| u.roles.first().map(|r| r.person_roleid.clone()))
                        .unwrap_or_default(),
                };
                let pairs = [("interaction", interaction.as_str()), ("role", role.as_str())];
                j.last = self
                    .request(Method::POST, &idp.role_url, Some(&pairs), rec)
                    .await?;
                continue;
            }
            if s.redirect_uris.iter().any(|r| same_endpoint(&next, r)) {
                j.callback_url = Some(next.clone());
                if s.stop_at_callback {
                    return Ok(j);
                }
                j.last = self.request(Method::GET, &next, None, rec).await?;
                j.callback_status = Some(j.last.status.as_u16());
                continue;
            }
            j.last = self.request(Method::GET, &next, None, rec).await?;
        }
        Err(AgentError::RedirectLoop(s.start_url.to_owned()))
    }
}

pub(super) fn login_form(s: &SignIn<'_>, interaction: &str, idp: &IdpForms) -> Vec<(&'static str, String)> {
    let mut f = vec![("interaction", interaction.to_owned()), ("uid", s.uid.to_owned())];
    let user = idp.state.user(s.uid);
    match s.credentials {
        Credentials::Smartcard => {
            f.push(("method", "smartcard".into()));
            f.push(("passcode", user.map(|u| u.passcode).unwrap_or_default()));
        }
        Credentials::Totp => {
            let (password, secret) = user.map(|u| (u.password, u.totp_secret)).unwrap_or_default();
            let code = cis2_mock_idp::totp(&secret, cis2_sdk::Clock::now(idp.state.clock()));
            f.push(("method", "totp".into()));
            f.push(("password", password));
            f.push(("totp", code));
        }
        Credentials::Cancel => {
            f.push(("method", "smartcard".into()));
            f.push(("action", "cancel".into()));
        }
        Credentials::Password => {
            f.push(("method", "password".into()));
            f.push(("password", user.map(|u| u.password).unwrap_or_default()));
        }
    }
    f
}
