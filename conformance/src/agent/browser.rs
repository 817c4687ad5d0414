//! One browser: a cookie jar, requests with bounded time and body, redirects followed hop by hop.

use std::sync::Arc;
use std::time::Duration;

use reqwest::cookie::Jar;
use reqwest::{Method, StatusCode};

use crate::evidence::Recorder;

/// The most redirects one navigation follows.
pub(crate) const MAX_HOPS: usize = 20;
/// The most of a body kept for the probe and for evidence.
const BODY_MAX: usize = 256 * 1024;

/// One browser: its own cookie jar. Cheap to clone (the clone shares the jar).
#[derive(Clone, Debug)]
pub struct Browser {
    label: String,
    http: reqwest::Client,
    jar: Arc<Jar>,
    chromium: Option<Arc<super::chromium::Chromium>>,
}

/// An answer, with the body read (bounded).
#[derive(Clone, Debug)]
pub struct Page {
    /// The URL requested.
    pub url: String,
    /// Status.
    pub status: StatusCode,
    /// `Location`, on a redirect.
    pub location: Option<String>,
    /// The body (first 256 KiB, lossy UTF-8).
    pub body: String,
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// Connection refused, timeout, TLS...
    #[error("{method} {url}: no answer ({detail})")]
    Transport {
        /// Method.
        method: String,
        /// URL.
        url: String,
        /// reqwest's words.
        detail: String,
    },
    /// More than [`MAX_HOPS`] redirects.
    #[error("more than {MAX_HOPS} redirects starting at {0}")]
    RedirectLoop(String),
    /// Headless Chromium failed (`run --browser`).
    #[error("headless Chromium: {0}")]
    Chromium(String),
    /// A redirect to something that is not an http(s) URL.
    #[error("bad redirect from {from}: {location:?}")]
    BadRedirect {
        /// The page.
        from: String,
        /// Its Location.
        location: String,
    },
}

impl Browser {
    /// A new browser with an empty jar; `timeout` bounds every request.
    pub fn new(label: impl Into<String>, timeout: Duration) -> Result<Self, AgentError> {
        Self::trusting(label, timeout, None)
    }

    /// [`Browser::new`] that also trusts the root CA certificate(s) in `ca_pem` (the suite's IdP over
    /// HTTPS) besides the system's roots. TLS 1.2 or newer either way.
    pub fn trusting(
        label: impl Into<String>,
        timeout: Duration,
        ca_pem: Option<&str>,
    ) -> Result<Self, AgentError> {
        let setup = |detail: String| AgentError::Transport {
            method: "-".into(),
            url: "-".into(),
            detail,
        };
        let jar = Arc::new(Jar::default());
        // What a browser sends on a navigation, so RPs that answer API clients with JSON answer us as a
        // browser (redirects, pages).
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static(
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
        );
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            reqwest::header::HeaderValue::from_static("en-GB,en;q=0.8"),
        );
        let mut builder = reqwest::Client::builder();
        if let Some(pem) = ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| setup(format!("the IdP's CA: {e}")))?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .tls_version_min(reqwest::tls::Version::TLS_1_2)
            .default_headers(headers)
            .cookie_provider(Arc::clone(&jar))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("cis2-conformance/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| setup(e.to_string()))?;
        Ok(Self {
            label: label.into(),
            http,
            jar,
            chromium: None,
        })
    }

    /// This browser runs its sign-in journeys in headless Chromium (`run --browser`); its other requests
    /// stay HTTP, with the cookies Chromium ended with.
    pub fn with_chromium(mut self, chromium: Arc<super::chromium::Chromium>) -> Self {
        self.chromium = Some(chromium);
        self
    }

    /// The Chromium sign-ins run in, in browser mode.
    pub fn chromium(&self) -> Option<&Arc<super::chromium::Chromium>> {
        self.chromium.as_ref()
    }

    /// `browser A`, `browser B`...
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The `Cookie` header this browser would send to `url` (to copy a session to another browser).
    pub fn cookies_for(&self, url: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let u = url::Url::parse(url).ok()?;
        self.jar
            .cookies(&u)
            .and_then(|v| v.to_str().ok().map(str::to_owned))
    }

    /// Puts cookies (a `Cookie` header value) into this browser's jar for `url`.
    pub fn set_cookies(&self, url: &str, cookie_header: &str) {
        if let Ok(u) = url::Url::parse(url) {
            for c in cookie_header.split(';') {
                let c = c.trim();
                if !c.is_empty() {
                    self.jar.add_cookie_str(&format!("{c}; Path=/"), &u);
                }
            }
        }
    }

    /// Puts one `Set-Cookie` line into the jar, as if `url` had answered with it.
    pub(crate) fn add_cookie_line(&self, url: &str, line: &str) {
        if let Ok(u) = url::Url::parse(url) {
            self.jar.add_cookie_str(line, &u);
        }
    }

    /// One request, no redirect followed.
    pub async fn request(
        &self,
        method: Method,
        url: &str,
        form: Option<&[(&str, &str)]>,
        rec: &Recorder,
    ) -> Result<Page, AgentError> {
        let mut req = self.http.request(method.clone(), url);
        if let Some(f) = form {
            req = req.form(f);
        }
        let transport = |e: reqwest::Error| AgentError::Transport {
            method: method.to_string(),
            url: url.to_owned(),
            detail: describe(&e),
        };
        let res = req.send().await.map_err(transport)?;
        let status = res.status();
        let location = res
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = res.bytes().await.map_err(transport)?;
        let body =
            String::from_utf8_lossy(bytes.get(..BODY_MAX.min(bytes.len())).unwrap_or(&[])).into_owned();
        let tail = match &location {
            Some(l) => format!(" → {}", shorten(l)),
            None => String::new(),
        };
        rec.step(
            &self.label,
            format!("{method} {} → {}{tail}", shorten(url), status.as_u16()),
        );
        Ok(Page {
            url: url.to_owned(),
            status,
            location,
            body,
        })
    }

    /// GET `url` and follow redirects to the end.
    pub async fn navigate(&self, url: &str, rec: &Recorder) -> Result<Page, AgentError> {
        let page = self.request(Method::GET, url, None, rec).await?;
        self.follow(page, rec).await
    }

    /// Follows `page`'s redirects (GET) to the end.
    pub async fn follow(&self, mut page: Page, rec: &Recorder) -> Result<Page, AgentError> {
        let start = page.url.clone();
        for _ in 0..MAX_HOPS {
            let Some(next) = next_url(&page)? else {
                return Ok(page);
            };
            page = self.request(Method::GET, &next, None, rec).await?;
        }
        Err(AgentError::RedirectLoop(start))
    }
}

/// The absolute URL a redirect points at, if `page` is a redirect.
pub(crate) fn next_url(page: &Page) -> Result<Option<String>, AgentError> {
    if !page.status.is_redirection() {
        return Ok(None);
    }
    let Some(loc) = &page.location else {
        return Ok(None);
    };
    let bad = || AgentError::BadRedirect {
        from: page.url.clone(),
        location: loc.clone(),
    };
    let base = url::Url::parse(&page.url).map_err(|_| bad())?;
    let next = base.join(loc).map_err(|_| bad())?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(bad());
    }
    Ok(Some(next.to_string()))
}

/// A URL short enough for a step line (query values over 40 characters are cut).
pub(crate) fn shorten(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return url.chars().take(200).collect();
    };
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v: String = if v.chars().count() > 40 {
                format!("{}…", v.chars().take(40).collect::<String>())
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    if pairs.is_empty() {
        return u.to_string();
    }
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}
