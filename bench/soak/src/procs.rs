//! The servers under load: redis-server, the mock IdP and two demo instances, each a child process on a free
//! loopback port, killed when dropped; and their resident set size from `/proc`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};
use tokio::time::Instant;

/// The mock's realm path (its issuer is `http://localhost:<port>` + this).
pub(crate) const REALM: &str = "/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare";
/// The demo's client id (it registers itself at the mock on start).
pub(crate) const DEMO_CLIENT_ID: &str = "200000000001.apps.supplier";

/// One server process.
pub(crate) struct Server {
    /// `redis`, `mock`, `demo-a`, `demo-b`.
    pub(crate) name: String,
    /// Its loopback port.
    pub(crate) port: u16,
    child: Child,
    log: PathBuf,
}

impl Server {
    /// The process id (for `/proc/<pid>/status`), while it runs.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Stops it (SIGKILL via tokio) and waits for it, bounded.
    pub(crate) async fn stop(&mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
    }

    /// Whether it has exited (and how).
    pub(crate) fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(s)) => Some(s.to_string()),
            Ok(None) => None,
            Err(e) => Some(e.to_string()),
        }
    }

    /// The last 40 lines of its log.
    pub(crate) fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

/// A free loopback port (bound, then released).
pub(crate) async fn free_port() -> Result<u16, String> {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("binding a free port: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("reading the free port: {e}"))
}

fn spawn(
    name: &str,
    program: &Path,
    args: &[String],
    env: &[(String, String)],
    dir: &Path,
) -> Result<(Child, PathBuf), String> {
    let log = dir.join(format!("{name}.log"));
    let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| format!("{}: {e}", log.display()))?;
    let child = Command::new(program)
        .args(args)
        .envs(env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting {name} ({}): {e}", program.display()))?;
    Ok((child, log))
}

/// Waits until `ready` says yes, the process exits, or 60 s pass.
async fn wait_ready<F, Fut>(server: &mut Server, mut ready: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(how) = server.exited() {
            return Err(format!(
                "{} exited early ({how}):\n{}",
                server.name,
                server.log_tail()
            ));
        }
        if ready().await {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{} did not become ready in 60 s:\n{}",
                server.name,
                server.log_tail()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn answers(http: &reqwest::Client, url: &str) -> bool {
    matches!(http.get(url).send().await, Ok(r) if r.status().is_success())
}

/// `redis-server` on `port` (a free one when `None`), no persistence.
pub(crate) async fn start_redis(dir: &Path, port: Option<u16>) -> Result<Server, String> {
    let port = match port {
        Some(p) => p,
        None => free_port().await?,
    };
    let args: Vec<String> = [
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let (child, log) = spawn("redis", Path::new("redis-server"), &args, &[], dir)?;
    let mut s = Server {
        name: "redis".into(),
        port,
        child,
        log,
    };
    let log_path = s.log.clone();
    wait_ready(&mut s, || {
        let log_path = log_path.clone();
        async move {
            std::fs::read_to_string(&log_path)
                .map(|t| t.contains("Ready to accept connections"))
                .unwrap_or(false)
        }
    })
    .await?;
    Ok(s)
}

/// The mock IdP binary with its own data directory and the given access-token lifetime.
pub(crate) async fn start_mock(
    bin: &Path,
    dir: &Path,
    http: &reqwest::Client,
    access_token_secs: u64,
) -> Result<Server, String> {
    let port = free_port().await?;
    let data = dir.join("mock-data");
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    let args = vec![
        "--port".to_owned(),
        port.to_string(),
        "--data-dir".to_owned(),
        data.display().to_string(),
        "--issuer".to_owned(),
        format!("http://localhost:{port}{REALM}"),
    ];
    let env = vec![
        ("CIS2_MOCK_LOG".to_owned(), "warn".to_owned()),
        (
            "CIS2_MOCK_ACCESS_TOKEN_LIFETIME_SECS".to_owned(),
            access_token_secs.to_string(),
        ),
    ];
    let (child, log) = spawn("mock", bin, &args, &env, dir)?;
    let mut s = Server {
        name: "mock".into(),
        port,
        child,
        log,
    };
    let url = format!("http://127.0.0.1:{port}{REALM}/.well-known/openid-configuration");
    wait_ready(&mut s, || answers(http, &url)).await?;
    Ok(s)
}

/// One demo instance against the mock and Redis. Instances sharing the client share `data_dir` and start one
/// after the other (each registers its redirect URI at the mock).
pub(crate) async fn start_demo(
    name: &str,
    bin: &Path,
    dir: &Path,
    mock_port: u16,
    redis_url: &str,
    http: &reqwest::Client,
) -> Result<Server, String> {
    let port = free_port().await?;
    let data = dir.join("demo-data");
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    let env: Vec<(String, String)> = [
        ("CIS2_ISSUER", format!("http://localhost:{mock_port}{REALM}")),
        (
            "CIS2_MOCK_ADMIN_URL",
            format!("http://127.0.0.1:{mock_port}/admin/api"),
        ),
        ("DEMO_PORT", port.to_string()),
        ("DEMO_PUBLIC_URL", format!("http://localhost:{port}")),
        ("DEMO_DATA_DIR", data.display().to_string()),
        ("DEMO_REDIS_URL", redis_url.to_owned()),
        ("DEMO_REDIS_PREFIX", "soak".to_owned()),
        ("DEMO_LOG", "warn".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let (child, log) = spawn(name, bin, &[], &env, dir)?;
    let mut s = Server {
        name: name.into(),
        port,
        child,
        log,
    };
    let url = format!("http://127.0.0.1:{port}/");
    wait_ready(&mut s, || answers(http, &url)).await?;
    Ok(s)
}

/// `VmRSS` of `pid` in KiB, from `/proc/<pid>/status`.
pub(crate) fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
