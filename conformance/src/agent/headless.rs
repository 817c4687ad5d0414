//! The sign-in journey in headless Chromium (`run --browser`): the RP's start page runs its JavaScript, the
//! mock IdP's forms are filled in the page and submitted with their buttons, and every top-level document
//! request (read from Chromium's network log) becomes a step of the evidence. Afterwards Chromium's cookies
//! go into the browser's cookie jar, so the probe, sign-out and the other HTTP steps carry on unchanged.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::browser::{AgentError, Browser, Page, shorten};
use super::chromium::{Chromium, ChromiumError, Session};
use super::journey::{Credentials, IdpForms, Journey, SignIn, login_form, query_param, same_endpoint};
use crate::evidence::Recorder;

/// How often the page is looked at.
const POLL: Duration = Duration::from_millis(100);
/// A page off the IdP after the sign-in that has not moved for this long is where the RP left the browser.
const SETTLE_DONE: Duration = Duration::from_millis(400);
/// A page that has not moved for this long (no sign-in reached yet, or a page at the IdP) ends the journey.
const SETTLE_IDLE: Duration = Duration::from_millis(2000);

fn chromium_err(e: ChromiumError) -> AgentError {
    AgentError::Chromium(e.to_string())
}

/// Fills the form holding field `fields[0]` with `fields` (radio groups get the radio with the value
/// checked, or a hidden input when none matches) and presses the button `button`. Returns false when this
/// document was already submitted.
const FILL_AND_SUBMIT: &str = r#"
const [fields, button] = arguments;
if (window.__cis2Submitted) return false;
const first = document.querySelector('[name="' + fields[0][0] + '"]');
const form = first ? first.form : document.querySelector('form');
if (!form) return false;
for (const [name, value] of fields) {
  const el = form.elements.namedItem(name);
  if (el && typeof el.length === 'number' && !el.tagName) {
    const radio = Array.from(el).find(r => r.value === value);
    if (radio) { radio.checked = true; continue; }
  } else if (el && el.type === 'radio') {
    if (el.value === value) { el.checked = true; continue; }
  } else if (el) { el.value = value; continue; }
  const h = document.createElement('input');
  h.type = 'hidden'; h.name = name; h.value = value; form.appendChild(h);
}
window.__cis2Submitted = true;
const b = button ? document.querySelector(button) : null;
if (b) { b.click(); } else { form.requestSubmit(); }
return true;
"#;

/// One top-level document request Chromium made.
#[derive(Debug)]
struct Hop {
    id: String,
    method: String,
    url: String,
    status: Option<u16>,
    location: Option<String>,
}

#[derive(Debug, Default)]
struct Hops(Vec<Hop>);

impl Hops {
    fn take(&mut self, events: Vec<Value>) {
        for e in events {
            let p = &e["params"];
            match e["method"].as_str() {
                Some("Network.requestWillBeSent") if p["type"] == "Document" => {
                    let id = p["requestId"].as_str().unwrap_or_default().to_owned();
                    let url = p["request"]["url"].as_str().unwrap_or_default().to_owned();
                    if let Some(r) = p.get("redirectResponse")
                        && let Some(h) = self.0.iter_mut().rev().find(|h| h.id == id)
                    {
                        h.status = r["status"].as_u64().and_then(|s| u16::try_from(s).ok());
                        h.location = Some(url.clone());
                    }
                    let method = p["request"]["method"].as_str().unwrap_or("GET").to_owned();
                    self.0.push(Hop {
                        id,
                        method,
                        url,
                        status: None,
                        location: None,
                    });
                }
                Some("Network.responseReceived") if p["type"] == "Document" => {
                    let id = p["requestId"].as_str().unwrap_or_default();
                    if let Some(h) = self.0.iter_mut().rev().find(|h| h.id == id && h.status.is_none()) {
                        h.status = p["response"]["status"]
                            .as_u64()
                            .and_then(|s| u16::try_from(s).ok());
                    }
                }
                _ => {}
            }
        }
    }
}

impl Browser {
    /// [`Browser::sign_in`] in a fresh headless Chromium.
    pub(crate) async fn sign_in_chromium(
        &self,
        chromium: &std::sync::Arc<Chromium>,
        s: &SignIn<'_>,
        idp: &IdpForms,
        rec: &Recorder,
    ) -> Result<Journey, AgentError> {
        let session = chromium.session().await.map_err(chromium_err)?;
        rec.step(
            self.label(),
            format!("opened headless Chromium (WebDriver session {})", session.id()),
        );
        let out = self.drive(&session, chromium.timeout, s, idp, rec).await;
        session.close().await;
        out
    }

    async fn drive(
        &self,
        session: &Session,
        timeout: Duration,
        s: &SignIn<'_>,
        idp: &IdpForms,
        rec: &Recorder,
    ) -> Result<Journey, AgentError> {
        let origins = origins(&[s.start_url, &idp.login_url]);
        let seeded = self.seed_cookies(session, &origins).await?;
        session
            .goto(s.start_url)
            .await
            .map_err(|e| AgentError::Transport {
                method: "GET".into(),
                url: s.start_url.to_owned(),
                detail: e.to_string(),
            })?;
        let mut hops = Hops::default();
        let mut submitted: Vec<String> = Vec::new();
        let mut reached_idp = false;
        let (mut last_url, mut since) = (String::new(), Instant::now());
        let deadline = Instant::now() + timeout.saturating_mul(3);
        loop {
            hops.take(session.network_events().await.map_err(chromium_err)?);
            let url = session.url().await.map_err(chromium_err)?;
            if url != last_url {
                (last_url, since) = (url.clone(), Instant::now());
            }
            let at_idp = same_origin(&url, &idp.login_url);
            let mut acted = false;
            if same_endpoint(&url, &idp.login_url) || same_endpoint(&url, &idp.role_url) {
                reached_idp |= same_endpoint(&url, &idp.login_url);
                acted = self
                    .answer_idp_form(session, &url, s, idp, &mut submitted)
                    .await?;
            }
            if acted {
                since = Instant::now();
            } else {
                let quiet = since.elapsed();
                let at_callback = s.redirect_uris.iter().any(|r| same_endpoint(&url, r));
                let done = if reached_idp && !at_idp {
                    quiet >= if at_callback { SETTLE_IDLE / 2 } else { SETTLE_DONE }
                } else {
                    quiet >= SETTLE_IDLE
                };
                if done && ready(session).await {
                    break;
                }
            }
            if Instant::now() > deadline {
                return Err(AgentError::Chromium(format!(
                    "the sign-in did not finish within {} s (stuck at {})",
                    timeout.as_secs() * 3,
                    shorten(&url)
                )));
            }
            tokio::time::sleep(POLL).await;
        }
        hops.take(session.network_events().await.map_err(chromium_err)?);
        self.take_cookies(session, &seeded).await?;
        let mut j = journey(&hops, s, idp, self.label(), rec);
        j.reached_idp |= reached_idp;
        let body = session.source().await.unwrap_or_default();
        let status = hops
            .0
            .iter()
            .rev()
            .find(|h| h.url == last_url)
            .and_then(|h| h.status)
            .unwrap_or(200);
        j.last = Page {
            url: last_url,
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            location: None,
            body,
        };
        Ok(j)
    }

    /// Fills and submits the IdP's login or role form, once per interaction. True when it did.
    async fn answer_idp_form(
        &self,
        session: &Session,
        url: &str,
        s: &SignIn<'_>,
        idp: &IdpForms,
        submitted: &mut Vec<String>,
    ) -> Result<bool, AgentError> {
        let interaction = session
            .exec(
                "const i = document.querySelector('input[name=\"interaction\"]'); return i ? i.value : null;",
                json!([]),
            )
            .await
            .map_err(chromium_err)?
            .as_str()
            .map(str::to_owned)
            .or_else(|| query_param(url, "interaction"))
            .unwrap_or_default();
        let login = same_endpoint(url, &idp.login_url);
        let key = format!("{}:{interaction}", if login { "login" } else { "role" });
        if submitted.contains(&key) {
            return Ok(false);
        }
        let (fields, button): (Vec<(&str, String)>, &str) = if login {
            let mut f = login_form(s, &interaction, idp);
            f.retain(|(k, _)| *k != "interaction" && *k != "action");
            let button = if s.credentials == Credentials::Cancel {
                "#cancel"
            } else {
                "#sign-in"
            };
            (f, button)
        } else {
            (vec![("role", role_for(s, idp))], "#continue")
        };
        let fields: Vec<[&str; 2]> = fields.iter().map(|(k, v)| [*k, v.as_str()]).collect();
        let done = session
            .exec(FILL_AND_SUBMIT, json!([fields, button]))
            .await
            .map_err(chromium_err)?;
        if done == Value::Bool(true) {
            submitted.push(key);
            return Ok(true);
        }
        Ok(false)
    }

    /// Puts this browser's jar cookies for `origins` into Chromium; returns what was put, to notice
    /// cookies Chromium dropped.
    async fn seed_cookies(
        &self,
        session: &Session,
        origins: &[String],
    ) -> Result<Vec<(String, String)>, AgentError> {
        let mut seeded = Vec::new();
        for o in origins {
            let Some(header) = self.cookies_for(o) else {
                continue;
            };
            for pair in header.split(';') {
                let Some((name, value)) = pair.trim().split_once('=') else {
                    continue;
                };
                session
                    .cdp(
                        "Network.setCookie",
                        json!({ "name": name, "value": value, "url": format!("{o}/"), "path": "/" }),
                    )
                    .await
                    .map_err(chromium_err)?;
                seeded.push((o.clone(), name.to_owned()));
            }
        }
        Ok(seeded)
    }

    /// Copies Chromium's cookies (every site) into this browser's jar; those seeded and since dropped
    /// are removed.
    async fn take_cookies(&self, session: &Session, seeded: &[(String, String)]) -> Result<(), AgentError> {
        let v = session
            .cdp("Network.getAllCookies", json!({}))
            .await
            .map_err(chromium_err)?;
        let cookies = v["cookies"].as_array().cloned().unwrap_or_default();
        let mut kept = Vec::new();
        for c in &cookies {
            let (Some(name), Some(value), Some(domain)) =
                (c["name"].as_str(), c["value"].as_str(), c["domain"].as_str())
            else {
                continue;
            };
            let path = c["path"].as_str().unwrap_or("/");
            let scheme = if c["secure"] == true { "https" } else { "http" };
            let host = domain.trim_start_matches('.');
            let mut line = format!("{name}={value}; Path={path}");
            if domain.starts_with('.') {
                line.push_str(&format!("; Domain={host}"));
            }
            if c["secure"] == true {
                line.push_str("; Secure");
            }
            if c["httpOnly"] == true {
                line.push_str("; HttpOnly");
            }
            self.add_cookie_line(&format!("{scheme}://{host}{path}"), &line);
            kept.push((host.to_owned(), name.to_owned()));
        }
        for (origin, name) in seeded {
            let host = url::Url::parse(origin)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            if !kept.iter().any(|(h, n)| *h == host && n == name) {
                self.add_cookie_line(&format!("{origin}/"), &format!("{name}=; Path=/; Max-Age=0"));
            }
        }
        Ok(())
    }
}

/// True once the document has loaded.
async fn ready(session: &Session) -> bool {
    session
        .exec("return document.readyState;", json!([]))
        .await
        .is_ok_and(|v| v == "complete")
}

fn role_for(s: &SignIn<'_>, idp: &IdpForms) -> String {
    match s.role {
        Some(r) => r.to_owned(),
        None => idp
            .state
            .user(s.uid)
            .and_then(|u| u.roles.first().map(|r| r.person_roleid.clone()))
            .unwrap_or_default(),
    }
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

fn origins(urls: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for u in urls {
        if let Ok(u) = url::Url::parse(u) {
            let o = u.origin().ascii_serialization();
            if !out.contains(&o) {
                out.push(o);
            }
        }
    }
    out
}

/// The journey read from Chromium's document requests; each becomes a step.
fn journey(hops: &Hops, s: &SignIn<'_>, idp: &IdpForms, label: &str, rec: &Recorder) -> Journey {
    let mut j = Journey {
        reached_idp: false,
        authorize_url: None,
        idp_accepted: false,
        callback_url: None,
        callback_status: None,
        last: Page {
            url: s.start_url.to_owned(),
            status: StatusCode::OK,
            location: None,
            body: String::new(),
        },
    };
    for h in &hops.0 {
        let status = h.status.map(|s| s.to_string()).unwrap_or_else(|| "-".into());
        let tail = h
            .location
            .as_ref()
            .map(|l| format!(" → {}", shorten(l)))
            .unwrap_or_default();
        rec.step(
            label,
            format!("{} {} → {status}{tail} (Chromium)", h.method, shorten(&h.url)),
        );
        if j.authorize_url.is_none() && same_endpoint(&h.url, &idp.authorize_url) {
            j.authorize_url = Some(h.url.clone());
        }
        if same_endpoint(&h.url, &idp.login_url) {
            j.reached_idp = true;
            if h.method == "POST" {
                j.idp_accepted = h.status.is_some_and(|s| (300..400).contains(&s));
            }
        }
        if j.callback_url.is_none() && s.redirect_uris.iter().any(|r| same_endpoint(&h.url, r)) {
            j.callback_url = Some(h.url.clone());
            j.callback_status = h.status;
        }
    }
    j
}
