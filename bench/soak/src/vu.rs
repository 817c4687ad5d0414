//! One virtual user: its own cookie jar (reqwest's), redirects followed hop by hop as
//! `cis2-conformance`'s `agent::Browser` does, the mock's login form answered with the smartcard passcode.
//! Each round: sign in at instance A or B (alternating), read `/api/me` on both, end the IdP session through
//! the mock's admin API, then wait (bounded, polling) until both instances say the session is gone.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use tokio::time::Instant;

use crate::stats::Stats;

/// Every request's bound.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a back-channel logout may take to reach both instances.
const LOGOUT_DEADLINE: Duration = Duration::from_secs(15);
const MAX_HOPS: usize = 20;

/// What every virtual user shares.
pub(crate) struct Target {
    /// `http://localhost:<port>` of instance A and B.
    pub(crate) demos: [String; 2],
    /// `http://localhost:<port><realm>`.
    pub(crate) issuer: String,
    /// `http://127.0.0.1:<port>/admin/api`.
    pub(crate) admin: String,
    /// A client for the admin API (no cookies).
    pub(crate) admin_http: reqwest::Client,
    /// The counters.
    pub(crate) stats: Arc<Stats>,
}

/// A failed step: its kind (the error counter) and what happened.
pub(crate) struct Failure {
    pub(crate) kind: &'static str,
    pub(crate) detail: String,
}

fn fail(kind: &'static str, detail: impl Into<String>) -> Failure {
    Failure {
        kind,
        detail: detail.into(),
    }
}

struct Answer {
    url: String,
    status: StatusCode,
    location: Option<String>,
    body: String,
}

/// One browser.
pub(crate) struct VirtualUser {
    pub(crate) uid: String,
    http: reqwest::Client,
    round: u64,
}

impl VirtualUser {
    pub(crate) fn new(uid: String) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { uid, http, round: 0 })
    }

    async fn request(
        &self,
        t: &Target,
        method: Method,
        url: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Result<Answer, Failure> {
        let mut req = self.http.request(method.clone(), url);
        if let Some(f) = form {
            req = req.form(f);
        }
        t.stats.request();
        let res = req
            .send()
            .await
            .map_err(|e| fail(kind_of(&e), format!("{method} {url}: {e}")))?;
        let status = res.status();
        let location = res
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = res
            .text()
            .await
            .map_err(|e| fail(kind_of(&e), format!("{method} {url} body: {e}")))?;
        Ok(Answer {
            url: url.to_owned(),
            status,
            location,
            body,
        })
    }

    /// One round. `Ok(())` when everything held.
    pub(crate) async fn round(&mut self, t: &Target) -> Result<(), Failure> {
        let home = &t.demos[(self.round % 2) as usize];
        self.round += 1;
        let started = Instant::now();
        self.sign_in(t, home).await?;
        t.stats.sign_in(started.elapsed());
        // Browse: the same browser reaches both instances with the one cookie (cookies are per host).
        for demo in &t.demos {
            let me = self
                .request(t, Method::GET, &format!("{demo}/api/me"), None)
                .await?;
            if me.status != StatusCode::OK {
                return Err(fail(
                    "me_not_ok",
                    format!("{} → {}: {}", me.url, me.status, cut(&me.body)),
                ));
            }
            let v: serde_json::Value = serde_json::from_str(&me.body)
                .map_err(|e| fail("me_not_json", format!("{}: {e}", me.url)))?;
            if v.get("sub").and_then(|s| s.as_str()) != Some(self.uid.as_str()) {
                return Err(fail(
                    "me_wrong_user",
                    format!("{} for {}: {}", me.url, self.uid, cut(&me.body)),
                ));
            }
            let page = self.request(t, Method::GET, &format!("{demo}/"), None).await?;
            if page.status != StatusCode::OK {
                return Err(fail("page_not_ok", format!("{} → {}", page.url, page.status)));
            }
        }
        self.logout(t).await
    }

    async fn sign_in(&self, t: &Target, home: &str) -> Result<(), Failure> {
        let login_url = format!("{}/login", t.issuer);
        let role_url = format!("{}/select-role", t.issuer);
        let callback = format!("{home}/auth/callback");
        let start = format!("{home}/auth/login?acr_values=AAL3_ANY&return_to=%2F");
        let mut last = self.request(t, Method::GET, &start, None).await?;
        let mut called_back = false;
        for _ in 0..MAX_HOPS {
            let Some(next) = next_url(&last)? else {
                break;
            };
            if same_endpoint(&next, &login_url) {
                let interaction = query_param(&next, "interaction").unwrap_or_default();
                let form = [
                    ("interaction", interaction.as_str()),
                    ("uid", self.uid.as_str()),
                    ("method", "smartcard"),
                    ("passcode", "1234"),
                ];
                last = self.request(t, Method::POST, &login_url, Some(&form)).await?;
                if !last.status.is_redirection() {
                    return Err(fail(
                        "idp_login_refused",
                        format!("{}: {}", last.status, cut(&last.body)),
                    ));
                }
                continue;
            }
            if same_endpoint(&next, &role_url) {
                return Err(fail("idp_asked_role", next));
            }
            if same_endpoint(&next, &callback) {
                called_back = true;
                if query_param(&next, "error").is_some() {
                    return Err(fail("idp_error", next));
                }
            }
            last = self.request(t, Method::GET, &next, None).await?;
        }
        if !called_back {
            return Err(fail(
                "no_callback",
                format!("ended at {} ({})", last.url, last.status),
            ));
        }
        if last.status != StatusCode::OK {
            return Err(fail(
                "sign_in_not_ok",
                format!("ended at {} ({}): {}", last.url, last.status, cut(&last.body)),
            ));
        }
        Ok(())
    }

    /// Ends this user's IdP session(s) at the mock and waits until both instances drop the session.
    async fn logout(&self, t: &Target) -> Result<(), Failure> {
        let sessions = admin(t, Method::GET, "/sessions").await?;
        let sids: Vec<String> = sessions
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|s| s.get("uid").and_then(|u| u.as_str()) == Some(self.uid.as_str()))
                    .filter_map(|s| s.get("sid").and_then(|x| x.as_str()).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if sids.is_empty() {
            return Err(fail(
                "no_idp_session",
                format!("no mock session for {}", self.uid),
            ));
        }
        for sid in &sids {
            admin(t, Method::DELETE, &format!("/sessions/{sid}")).await?;
        }
        let deadline = Instant::now() + LOGOUT_DEADLINE;
        let mut gone = [false, false];
        loop {
            for (i, demo) in t.demos.iter().enumerate() {
                if gone[i] {
                    continue;
                }
                let s = self
                    .request(t, Method::GET, &format!("{demo}/auth/session"), None)
                    .await?;
                let v: serde_json::Value = serde_json::from_str(&s.body)
                    .map_err(|e| fail("session_not_json", format!("{}: {e}", s.url)))?;
                if v.get("authenticated").and_then(|a| a.as_bool()) == Some(false) {
                    gone[i] = true;
                    if v.get("reason").and_then(|r| r.as_str()) == Some("backchannel_logout") {
                        t.stats.reason_seen();
                    }
                    // And the API refuses it.
                    let me = self
                        .request(t, Method::GET, &format!("{demo}/api/me"), None)
                        .await?;
                    if me.status.is_success() {
                        // Open: the session answers after the instance said it ended. Never tolerated.
                        return Err(fail("open_after_logout", format!("{} → {}", me.url, me.status)));
                    }
                    if me.status != StatusCode::UNAUTHORIZED {
                        return Err(fail("me_after_logout", format!("{} → {}", me.url, me.status)));
                    }
                }
            }
            if gone == [true, true] {
                t.stats.logout_verified();
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(fail(
                    "logout_unverified",
                    format!(
                        "{} still signed in on {gone:?} after {LOGOUT_DEADLINE:?}",
                        self.uid
                    ),
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// One admin API call at the mock; its JSON answer.
pub(crate) async fn admin(t: &Target, method: Method, path: &str) -> Result<serde_json::Value, Failure> {
    let url = format!("{}{path}", t.admin);
    let res = t
        .admin_http
        .request(method.clone(), &url)
        .send()
        .await
        .map_err(|e| fail(kind_of(&e), format!("admin {method} {path}: {e}")))?;
    let status = res.status();
    let body = res
        .text()
        .await
        .map_err(|e| fail(kind_of(&e), format!("admin {method} {path}: {e}")))?;
    if !status.is_success() {
        return Err(fail(
            "admin_error",
            format!("admin {method} {path} → {status}: {}", cut(&body)),
        ));
    }
    if body.is_empty() {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_str(&body).map_err(|e| fail("admin_not_json", format!("admin {method} {path}: {e}")))
}

fn kind_of(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else {
        "transport"
    }
}

fn cut(s: &str) -> String {
    s.chars().take(300).collect()
}

fn next_url(a: &Answer) -> Result<Option<String>, Failure> {
    if !a.status.is_redirection() {
        return Ok(None);
    }
    let Some(loc) = &a.location else {
        return Ok(None);
    };
    let next = url::Url::parse(&a.url)
        .and_then(|b| b.join(loc))
        .map_err(|e| fail("bad_redirect", format!("{} → {loc}: {e}", a.url)))?;
    Ok(Some(next.to_string()))
}

fn same_endpoint(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin() && a.path() == b.path(),
        _ => false,
    }
}

fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
