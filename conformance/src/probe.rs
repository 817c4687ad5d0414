//! The probe: one request in a browser whose answer says whether that browser is signed in at the RP.

use reqwest::Method;

use crate::agent::{AgentError, Browser};
use crate::config::{ProbeConfig, ProbeRule};
use crate::evidence::Recorder;

/// A probe's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeResult {
    /// Signed in, by the configured rule.
    pub signed_in: bool,
    /// What was seen, for the evidence (`401`, `200, /authenticated = true`...).
    pub seen: String,
}

/// Asks the RP, in `browser`, whether it is signed in. The probe does not follow redirects: a redirect to
/// a sign-in page is an answer (signed out unless the rule says that status means signed in).
pub async fn probe(browser: &Browser, p: &ProbeConfig, rec: &Recorder) -> Result<ProbeResult, AgentError> {
    let page = browser.request(Method::GET, &p.url, None, rec).await?;
    let status = page.status.as_u16();
    let ok = page.status.is_success();
    let (signed_in, seen) = match p.rule() {
        Some(ProbeRule::Status(s)) => (status == s, format!("status {status}")),
        Some(ProbeRule::TextPresent(t)) => {
            let has = ok && page.body.contains(&t);
            (
                has,
                format!(
                    "status {status}, text {t:?} {}",
                    if has { "present" } else { "absent" }
                ),
            )
        }
        Some(ProbeRule::TextAbsent(t)) => {
            let has = page.body.contains(&t);
            (
                ok && !has,
                format!(
                    "status {status}, text {t:?} {}",
                    if has { "present" } else { "absent" }
                ),
            )
        }
        Some(ProbeRule::JsonPointer(ptr)) => {
            let v = serde_json::from_str::<serde_json::Value>(&page.body)
                .ok()
                .and_then(|j| j.pointer(&ptr).cloned());
            let truthy = match &v {
                Some(serde_json::Value::Bool(b)) => *b,
                Some(serde_json::Value::String(s)) => !s.is_empty(),
                Some(serde_json::Value::Number(_)) | Some(serde_json::Value::Object(_)) => true,
                _ => false,
            };
            let shown = v.map(|v| v.to_string()).unwrap_or_else(|| "absent".into());
            (ok && truthy, format!("status {status}, {ptr} = {shown}"))
        }
        None => (false, "no probe rule".into()),
    };
    rec.step(
        browser.label(),
        format!(
            "probe: {} ({seen})",
            if signed_in { "signed in" } else { "not signed in" }
        ),
    );
    Ok(ProbeResult { signed_in, seen })
}
