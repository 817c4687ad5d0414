//! Headless Chromium for `run --browser`: Debian's `chromedriver` started on a free loopback port, spoken to
//! over the W3C WebDriver protocol with plain JSON requests, and one WebDriver session (one Chromium, its
//! own profile) per sign-in journey, closed afterwards.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

/// The flags every Chromium gets. The suite usually runs as root in a container, hence `--no-sandbox`.
pub const CHROMIUM_ARGS: [&str; 8] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
];

/// How to get the two programs.
pub const INSTALL_HINT: &str = "install Debian's chromium and chromium-driver packages \
     (`apt-get install chromium chromium-driver`, or scripts/install-deps), or set CIS2_CHROMIUM and \
     CIS2_CHROMEDRIVER to the programs' paths";

/// Why headless Chromium is not available, or a WebDriver command failed.
#[derive(Debug, thiserror::Error)]
pub enum ChromiumError {
    /// A program is missing.
    #[error("--browser needs {program}, which was not found. Fix: {INSTALL_HINT}")]
    Missing {
        /// `chromium` or `chromedriver`.
        program: &'static str,
    },
    /// chromedriver did not start or did not become ready.
    #[error(
        "chromedriver did not start: {0}. Fix: check that `chromedriver --version` works and matches chromium ({INSTALL_HINT})"
    )]
    Start(String),
    /// A WebDriver command failed.
    #[error("WebDriver {command}: {detail}")]
    Command {
        /// What was asked.
        command: String,
        /// chromedriver's or reqwest's words.
        detail: String,
    },
}

fn find_program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .collect();
    names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

/// The two programs' paths: `(chromium, chromedriver)`.
pub fn preflight() -> Result<(PathBuf, PathBuf), ChromiumError> {
    let chromium = find_program("CIS2_CHROMIUM", &["chromium", "chromium-browser"])
        .ok_or(ChromiumError::Missing { program: "chromium" })?;
    let driver = find_program("CIS2_CHROMEDRIVER", &["chromedriver"]).ok_or(ChromiumError::Missing {
        program: "chromedriver",
    })?;
    Ok((chromium, driver))
}

/// A running chromedriver. Sessions still open are closed by [`Chromium::shutdown`]; dropping it kills the
/// chromedriver process it started.
#[derive(Debug)]
pub struct Chromium {
    base: String,
    binary: PathBuf,
    http: reqwest::Client,
    child: Mutex<Option<std::process::Child>>,
    open: Mutex<HashSet<String>>,
    /// The bound on each wait (`[idp] timeout_secs`).
    pub timeout: Duration,
    /// The one server key Chromium accepts beyond its own roots (the suite's HTTPS IdP).
    trust_spki: Option<String>,
}

fn free_port() -> Result<u16, ChromiumError> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| ChromiumError::Start(e.to_string()))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| ChromiumError::Start(e.to_string()))
}

impl Chromium {
    /// Starts chromedriver on a free loopback port and waits (bounded by `timeout`) until it is ready.
    /// `trust_spki`: when the suite's IdP serves HTTPS with its own CA (which Chromium does not know), the
    /// base64 SHA-256 of its server certificate's public key (`TlsInfo::leaf_spki_sha256`). Chromium is told
    /// to accept exactly that key (`--ignore-certificate-errors-spki-list`), not any certificate.
    pub async fn start(timeout: Duration, trust_spki: Option<String>) -> Result<Arc<Self>, ChromiumError> {
        let (binary, driver) = preflight()?;
        let port = free_port()?;
        let child = spawn_driver(&driver, port)?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(timeout.saturating_mul(3))
            .build()
            .map_err(|e| ChromiumError::Start(e.to_string()))?;
        let me = Arc::new(Self {
            base: format!("http://127.0.0.1:{port}"),
            binary,
            http,
            child: Mutex::new(Some(child)),
            open: Mutex::new(HashSet::new()),
            timeout,
            trust_spki,
        });
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Ok(v) = me.call(reqwest::Method::GET, "/status", None).await
                && v.pointer("/ready").and_then(Value::as_bool) == Some(true)
            {
                return Ok(me);
            }
            if let Some(c) = me
                .child
                .lock()
                .map_err(|_| ChromiumError::Start("poisoned".into()))?
                .as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                return Err(ChromiumError::Start(format!(
                    "{} exited ({status})",
                    driver.display()
                )));
            }
            if tokio::time::Instant::now() > deadline {
                return Err(ChromiumError::Start(format!(
                    "{} not ready on port {port} within {} s",
                    driver.display(),
                    timeout.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ChromiumError> {
        let command = format!("{method} {path}");
        let fail = |detail: String| ChromiumError::Command {
            command: command.clone(),
            detail,
        };
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        } else if method == reqwest::Method::POST {
            req = req.json(&json!({}));
        }
        let res = req.send().await.map_err(|e| fail(e.to_string()))?;
        let status = res.status();
        let v: Value = res.json().await.map_err(|e| fail(e.to_string()))?;
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        if !status.is_success() {
            let msg = value
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            return Err(fail(format!("{status}: {msg}")));
        }
        Ok(value)
    }

    /// Opens a new Chromium (a WebDriver session with its own temporary profile).
    pub async fn session(self: &Arc<Self>) -> Result<Session, ChromiumError> {
        let ms = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX);
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| (*a).to_owned()).collect();
        if let Some(spki) = &self.trust_spki {
            args.push(format!("--ignore-certificate-errors-spki-list={spki}"));
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "acceptInsecureCerts": false,
            "pageLoadStrategy": "normal",
            "timeouts": { "pageLoad": ms, "script": ms, "implicit": 0 },
            "goog:chromeOptions": {
                "binary": self.binary.display().to_string(),
                "args": args,
            },
            "goog:loggingPrefs": { "performance": "ALL" },
        }}});
        let v = self.call(reqwest::Method::POST, "/session", Some(caps)).await?;
        let id = v
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| ChromiumError::Command {
                command: "POST /session".into(),
                detail: "no sessionId".into(),
            })?
            .to_owned();
        if let Ok(mut open) = self.open.lock() {
            open.insert(id.clone());
        }
        Ok(Session {
            driver: Arc::clone(self),
            id,
            closed: false,
        })
    }

    async fn delete_session(&self, id: &str) {
        let _ = self
            .call(reqwest::Method::DELETE, &format!("/session/{id}"), None)
            .await;
        if let Ok(mut open) = self.open.lock() {
            open.remove(id);
        }
    }

    /// Closes every session still open and stops chromedriver.
    pub async fn shutdown(&self) {
        let open: Vec<String> = self
            .open
            .lock()
            .map(|o| o.iter().cloned().collect())
            .unwrap_or_default();
        for id in open {
            self.delete_session(&id).await;
        }
        self.kill();
    }

    fn kill(&self) {
        if let Ok(mut c) = self.child.lock()
            && let Some(mut child) = c.take()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn_driver(driver: &Path, port: u16) -> Result<std::process::Child, ChromiumError> {
    std::process::Command::new(driver)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| ChromiumError::Start(format!("{}: {e}", driver.display())))
}

/// One Chromium. Close it with [`Session::close`]; a session dropped unclosed is closed in the background.
#[derive(Debug)]
pub struct Session {
    driver: Arc<Chromium>,
    id: String,
    closed: bool,
}

impl Session {
    /// The WebDriver session id.
    pub fn id(&self) -> &str {
        &self.id
    }

    async fn cmd(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, ChromiumError> {
        self.driver
            .call(method, &format!("/session/{}{path}", self.id), body)
            .await
    }

    /// Navigates to `url` and waits for the page load (bounded by the page-load timeout).
    pub async fn goto(&self, url: &str) -> Result<(), ChromiumError> {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await
            .map(|_| ())
    }

    /// The current top-level URL.
    pub async fn url(&self) -> Result<String, ChromiumError> {
        let v = self.cmd(reqwest::Method::GET, "/url", None).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Runs `script` (a function body) with `args`; its return value.
    pub async fn exec(&self, script: &str, args: Value) -> Result<Value, ChromiumError> {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// The page's HTML.
    pub async fn source(&self) -> Result<String, ChromiumError> {
        let v = self.cmd(reqwest::Method::GET, "/source", None).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// The DevTools network events logged since the last call (`goog:loggingPrefs` performance log).
    pub async fn network_events(&self) -> Result<Vec<Value>, ChromiumError> {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({ "type": "performance" })),
            )
            .await?;
        Ok(v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("message").and_then(Value::as_str))
            .filter_map(|m| serde_json::from_str::<Value>(m).ok())
            .filter_map(|m| m.get("message").cloned())
            .collect())
    }

    /// A Chrome DevTools Protocol command (`Network.getAllCookies`, `Network.setCookie`...).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value, ChromiumError> {
        self.cmd(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
        .await
    }

    /// Quits this Chromium.
    pub async fn close(mut self) {
        self.closed = true;
        self.driver.delete_session(&self.id).await;
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let driver = Arc::clone(&self.driver);
            let id = self.id.clone();
            rt.spawn(async move { driver.delete_session(&id).await });
        }
    }
}
