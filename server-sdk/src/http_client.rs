//! The outgoing HTTP client: `cis2-reqwest` (rustls, TLS 1.2 or newer, timeouts, no redirects, bounded
//! bodies), with the kit's error type.

use cis2_reqwest::HttpSettings;
use cis2_sdk::{HttpRequest, HttpResponse};

use crate::error::Error;

/// Sends the sdk's request values and names the document in errors.
#[derive(Clone, Debug)]
pub(crate) struct HttpClient {
    inner: cis2_reqwest::HttpClient,
    document_timeout: std::time::Duration,
}

impl HttpClient {
    pub(crate) fn new(settings: HttpSettings) -> Result<Self, Error> {
        let document_timeout = settings.document_timeout;
        let inner = cis2_reqwest::HttpClient::new(settings)
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            inner,
            document_timeout,
        })
    }

    /// Sends `req`; `what` names it in errors, `limit` is the sdk's cap for this document. Discovery and JWKS
    /// get the shorter document timeout.
    pub(crate) async fn send(
        &self,
        req: HttpRequest,
        what: &'static str,
        limit: usize,
    ) -> Result<HttpResponse, Error> {
        let timeout = matches!(what, "discovery" | "jwks").then_some(self.document_timeout);
        self.inner
            .send_within(req, limit, timeout)
            .await
            .map_err(|e| Error::Transport {
                what,
                reason: e.reason().to_owned(),
            })
    }
}
