//! The outgoing HTTP client: reqwest with rustls, TLS 1.2 or newer, timeouts, no redirects, bounded bodies.

use std::time::Duration;

use cis2_sdk::{HttpRequest, HttpResponse};

use crate::error::Error;

/// Outgoing HTTP settings.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct HttpSettings {
    /// TCP + TLS connect timeout (default 5 s).
    pub connect_timeout: Duration,
    /// Whole-request timeout (default 10 s; catalogue REL-03, REL-06).
    pub timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Sends the sdk's request values. Never follows redirects (SSRF; the sdk's rule for discovery, JWKS, token and
/// userinfo calls); reads at most `limit + 1` bytes so the sdk's own size check sees an oversize body.
#[derive(Clone, Debug)]
pub(crate) struct HttpClient {
    inner: reqwest::Client,
}

impl HttpClient {
    pub(crate) fn new(settings: HttpSettings) -> Result<Self, Error> {
        let inner = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .tls_version_min(reqwest::tls::Version::TLS_1_2)
            .user_agent(concat!("cis2-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Self { inner })
    }

    /// Sends `req`; `what` names it in errors, `limit` is the sdk's cap for this document.
    pub(crate) async fn send(
        &self,
        req: HttpRequest,
        what: &'static str,
        limit: usize,
    ) -> Result<HttpResponse, Error> {
        let transport = |e: reqwest::Error| Error::Transport {
            what,
            reason: e.without_url().to_string(),
        };
        let (parts, body) = req.into_parts();
        let url = parts.uri.to_string();
        let mut builder = self.inner.request(parts.method, url).headers(parts.headers);
        if !body.is_empty() {
            builder = builder.body(body);
        }
        let mut resp = builder.send().await.map_err(transport)?;
        let mut out = http::Response::builder().status(resp.status());
        if let Some(h) = out.headers_mut() {
            *h = resp.headers().clone();
        }
        let cap = limit.saturating_add(1);
        let mut buf = Vec::with_capacity(resp.content_length().map_or(4096, |l| (l as usize).min(cap)));
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            let room = cap - buf.len();
            buf.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
            if buf.len() >= cap {
                // Stop reading: the sdk reports the oversize body (catalogue REL-04).
                break;
            }
        }
        out.body(buf).map_err(|e| Error::Transport {
            what,
            reason: e.to_string(),
        })
    }
}
