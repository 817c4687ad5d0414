//! # cis2-reqwest
//!
//! The reqwest transport for [`cis2_sdk`]: the sdk describes each HTTP exchange as an
//! [`HttpRequest`](cis2_sdk::HttpRequest) value and validates the [`HttpResponse`](cis2_sdk::HttpResponse)
//! it gets back; [`HttpClient::send`] is the one place in the kit that turns one into the other over the
//! network. It lives in its own crate, as `oauth2-reqwest` does for oauth2, so the sans-IO core carries no
//! HTTP client in its semver. `cis2-server`, the mock IdP's tests and the examples all send through it.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use cis2_reqwest::{HttpClient, HttpSettings};
//! use cis2_sdk::{IssuerUrl, discovery_request, limits};
//!
//! let http = HttpClient::new(HttpSettings::default())?;
//! let issuer = IssuerUrl::new("http://127.0.0.1:9000/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare")?;
//! let response = http.send(discovery_request(&issuer)?, limits::DISCOVERY).await?;
//! # let _ = response; Ok(()) }
//! ```
//!
//! ## Security
//!
//! - Redirects are never followed (SSRF: the sdk's rule for discovery, JWKS, token and userinfo calls).
//! - TLS 1.2 or newer (rustls); connect and whole-request timeouts.
//! - At most `limit + 1` body bytes are read, so an oversize document costs no more memory than that and the
//!   sdk's own size check reports it.

use std::time::Duration;

use cis2_sdk::{HttpRequest, HttpResponse};

/// Outgoing HTTP settings.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct HttpSettings {
    /// TCP + TLS connect timeout (default 5 s).
    pub connect_timeout: Duration,
    /// Whole-request timeout (default 10 s; catalogue REL-03, REL-06).
    pub timeout: Duration,
    /// Whole-request timeout for the provider's discovery and JWKS documents (default 3 s): a sign-in waits on
    /// them, and a provider that serves them slowly is better reported than waited for.
    pub document_timeout: Duration,
    /// The `User-Agent` header (default `cis2-kit/<version>`).
    pub user_agent: String,
    /// Extra trusted root CA certificates (PEM text, each may hold several), trusted besides the system's
    /// roots: for a provider whose certificate a private CA signs, such as `cis2-mock-idp` over HTTPS (its
    /// `ca.pem`). Default none. Certificate checks stay on; this only adds roots.
    pub extra_root_certificates_pem: Vec<String>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            document_timeout: Duration::from_secs(3),
            user_agent: concat!("cis2-kit/", env!("CARGO_PKG_VERSION")).to_owned(),
            extra_root_certificates_pem: Vec::new(),
        }
    }
}

impl HttpSettings {
    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Sets the whole-request timeout.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Sets the timeout for discovery and JWKS documents.
    pub fn document_timeout(mut self, d: Duration) -> Self {
        self.document_timeout = d;
        self
    }

    /// Sets the `User-Agent`.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Trusts the root CA certificate(s) in `pem` besides the system's roots (see
    /// [`extra_root_certificates_pem`](Self::extra_root_certificates_pem)); [`HttpClient::new`] refuses text
    /// that holds no certificate.
    pub fn extra_root_certificate_pem(mut self, pem: impl Into<String>) -> Self {
        self.extra_root_certificates_pem.push(pem.into());
        self
    }
}

/// The request could not be sent or its response not read: connection refused, TLS failure, timeout, a body
/// cut short. The text says which (without the URL's query).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct TransportError {
    reason: String,
    timed_out: bool,
}

impl TransportError {
    fn new(e: &reqwest::Error) -> Self {
        let timed_out = e.is_timeout();
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            reason.push_str(": ");
            reason.push_str(&s.to_string());
            source = s.source();
        }
        Self { reason, timed_out }
    }

    /// What went wrong.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// Whether a timeout ended the exchange.
    pub fn is_timeout(&self) -> bool {
        self.timed_out
    }
}

/// Sends the sdk's request values. Cheap to clone (one connection pool).
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: reqwest::Client,
}

impl HttpClient {
    /// A client with `settings`: no redirects, TLS 1.2 or newer, the system's roots plus
    /// `settings.extra_root_certificates_pem`.
    pub fn new(settings: HttpSettings) -> Result<Self, TransportError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .tls_version_min(reqwest::tls::Version::TLS_1_2)
            .user_agent(settings.user_agent);
        for pem in &settings.extra_root_certificates_pem {
            let certs =
                reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| TransportError::new(&e))?;
            if certs.is_empty() {
                return Err(TransportError {
                    reason: "extra root certificate: no PEM certificate in the text".into(),
                    timed_out: false,
                });
            }
            builder = builder.tls_certs_merge(certs);
        }
        let inner = builder.build().map_err(|e| TransportError::new(&e))?;
        Ok(Self { inner })
    }

    /// Sends `req` and reads at most `limit + 1` bytes of the body ([`cis2_sdk::limits`] has the sdk's cap for
    /// each document), so the sdk's own size check sees an oversize body without this reading all of it.
    pub async fn send(&self, req: HttpRequest, limit: usize) -> Result<HttpResponse, TransportError> {
        self.send_within(req, limit, None).await
    }

    /// As [`Self::send`], with its own whole-request timeout instead of the client's.
    pub async fn send_within(
        &self,
        req: HttpRequest,
        limit: usize,
        timeout: Option<Duration>,
    ) -> Result<HttpResponse, TransportError> {
        let (parts, body) = req.into_parts();
        let mut builder = self
            .inner
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers);
        if let Some(t) = timeout {
            builder = builder.timeout(t);
        }
        if !body.is_empty() {
            builder = builder.body(body);
        }
        let mut resp = builder
            .send()
            .await
            .map_err(|e| TransportError::new(&e.without_url()))?;
        let mut out = http::Response::builder().status(resp.status());
        if let Some(h) = out.headers_mut() {
            *h = std::mem::take(resp.headers_mut());
        }
        let cap = limit.saturating_add(1);
        let expected = resp.content_length().and_then(|l| usize::try_from(l).ok());
        let mut buf = Vec::with_capacity(expected.map_or(4096, |l| l.min(cap)));
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| TransportError::new(&e.without_url()))?
        {
            let room = cap.saturating_sub(buf.len());
            buf.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
            if buf.len() >= cap {
                break;
            }
        }
        out.body(buf).map_err(|e| TransportError {
            reason: e.to_string(),
            timed_out: false,
        })
    }
}

#[cfg(test)]
mod tests;
