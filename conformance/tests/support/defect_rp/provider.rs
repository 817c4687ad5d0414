//! The RP's view of the provider: discovery (fetched once, cached), the JWKS cache (refetched once on an
//! unknown `kid`, with a cooldown), and the small HTTP helpers the flow uses.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use cis2_sdk::JwkSet;
use serde_json::{Map, Value};

use super::Defect;
use super::state::{Rp, lock, now};

/// The least time between two JWKS refetches caused by unknown `kid`s.
pub(crate) const JWKS_REFETCH_COOLDOWN: Duration = Duration::from_secs(30);

/// The endpoints from discovery.
#[derive(Clone, Debug)]
pub(crate) struct Provider {
    pub(crate) authorization_endpoint: String,
    pub(crate) token_endpoint: String,
    pub(crate) userinfo_endpoint: String,
    pub(crate) jwks_uri: String,
}

/// The cached JWKS and when an unknown `kid` last made us refetch it.
#[derive(Debug, Default)]
pub(crate) struct JwksCache {
    pub(crate) keys: Option<Arc<JwkSet>>,
    pub(crate) last_kid_refetch: Option<u64>,
}

/// GETs `url` and parses a JSON object (no redirects are followed: the client is built without them).
pub(crate) async fn get_json(
    http: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
) -> Result<Map<String, Value>, String> {
    let mut req = http.get(url);
    if let Some(t) = bearer {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = req.send().await.map_err(|e| format!("GET {url}: {e}"))?;
    json_object(resp).await
}

/// POSTs a form and parses a JSON object.
pub(crate) async fn post_form_json(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> Result<Map<String, Value>, String> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.iter().copied())
        .finish();
    let resp = http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("POST {url}: {e}"))?;
    json_object(resp).await
}

async fn json_object(resp: reqwest::Response) -> Result<Map<String, Value>, String> {
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| format!("reading the body: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&bytes)
                .chars()
                .take(200)
                .collect::<String>()
        ));
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("the response is not a JSON object".into()),
        Err(e) => Err(format!("the response is not JSON: {e}")),
    }
}

fn endpoint(doc: &Map<String, Value>, name: &str) -> Result<String, String> {
    doc.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("discovery has no {name}"))
}

impl Rp {
    /// Discovery, fetched on first use and cached for the life of the RP. The document's `issuer` must equal
    /// the configured issuer exactly.
    pub(crate) async fn provider(&self) -> Result<Arc<Provider>, String> {
        let mut cached = self.provider.lock().await;
        if let Some(p) = cached.as_ref() {
            return Ok(p.clone());
        }
        let url = format!("{}/.well-known/openid-configuration", self.cfg.issuer);
        let doc = get_json(&self.http, &url, None).await?;
        if doc.get("issuer").and_then(Value::as_str) != Some(self.cfg.issuer.as_str()) {
            return Err("discovery issuer is not the configured issuer".into());
        }
        let p = Arc::new(Provider {
            authorization_endpoint: endpoint(&doc, "authorization_endpoint")?,
            token_endpoint: endpoint(&doc, "token_endpoint")?,
            userinfo_endpoint: endpoint(&doc, "userinfo_endpoint")?,
            jwks_uri: endpoint(&doc, "jwks_uri")?,
        });
        *cached = Some(p.clone());
        Ok(p)
    }

    async fn fetch_jwks(&self) -> Result<Arc<JwkSet>, String> {
        let p = self.provider().await?;
        self.jwks_fetches.fetch_add(1, Ordering::SeqCst);
        let doc = get_json(&self.http, &p.jwks_uri, None).await?;
        let mut keys = JwkSet::from_document(&doc).map_err(|e| format!("jwks: {e}"))?;
        if self.has(Defect::JwksMergedOnRefetch)
            && let Some(old) = lock(&self.jwks).keys.clone()
        {
            let kept = old
                .keys()
                .iter()
                .filter(|k| k.kid().is_none_or(|kid| !keys.knows_kid(kid)))
                .cloned();
            let merged: Vec<_> = keys.keys().iter().cloned().chain(kept).collect();
            keys = JwkSet::from_keys(merged).map_err(|e| format!("jwks: {e}"))?;
        }
        let keys = Arc::new(keys);
        lock(&self.jwks).keys = Some(keys.clone());
        Ok(keys)
    }

    /// The keys to verify a token whose header names `kid`: the cached set, fetched when there is none, and
    /// refetched once when `kid` is unknown (at most once per [`JWKS_REFETCH_COOLDOWN`]).
    pub(crate) async fn jwks_for(&self, kid: Option<&str>) -> Result<Arc<JwkSet>, String> {
        if self.has(Defect::RefetchEveryToken) {
            return self.fetch_jwks().await;
        }
        let (cached, may_refetch) = {
            let cache = lock(&self.jwks);
            let since = cache
                .last_kid_refetch
                .map(|t| Duration::from_secs(now().saturating_sub(t)));
            (
                cache.keys.clone(),
                since.is_none_or(|s| s >= JWKS_REFETCH_COOLDOWN),
            )
        };
        let Some(keys) = cached else {
            return self.fetch_jwks().await;
        };
        let unknown = kid.is_some_and(|k| !keys.knows_kid(k));
        if !unknown || !may_refetch || self.has(Defect::NoRefetchOnUnknownKid) {
            return Ok(keys);
        }
        lock(&self.jwks).last_kid_refetch = Some(now());
        self.fetch_jwks().await
    }
}
