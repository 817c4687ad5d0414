//! Load driver for `scripts/mock-bench`: virtual users drive the authorization code flow (authorize → login
//! form → code → token, `client_secret_post`, PKCE S256) over loopback against cis2-mock-idp or, through a
//! different "flow script", node-oidc-provider's dev interactions, and report requests/s, logins/s and
//! p50/p99 latencies. Also measures start-up time (spawn → first successful discovery GET).
//!
//! ```text
//! cargo run --release -p cis2-mock-idp --example loadgen -- load --target mock --base http://127.0.0.1:9300 --users 16 --seconds 12
//! cargo run --release -p cis2-mock-idp --example loadgen -- load --target node --base http://127.0.0.1:9301 --mode token
//! cargo run --release -p cis2-mock-idp --example loadgen -- startup --url http://127.0.0.1:9300/… --log mock.log -- target/release/cis2-mock-idp --port 9300
//! ```
//!
//! Each virtual user keeps its own cookies (a small jar, no redirect following: every hop is one measured
//! request). Forms are filled generically: the first `<form>` of a page is posted with its hidden inputs, plus
//! the flow script's credentials when the form asks for them (the mock's login form; node-oidc-provider's login
//! form), or nothing else (node-oidc-provider's consent form).

// A load driver measures wall-clock time; the workspace ban on `Instant::now` is for code under test.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};

type Error = Box<dyn std::error::Error + Send + Sync>;

const REALM: &str = cis2_sdk::CIS2_REALM_PATH;
const CLIENT_ID: &str = "bench-client";
const SECRET: &str = "s3cret";
const REDIRECT: &str = "http://127.0.0.1:7777/cb";

#[derive(Debug, Parser)]
#[command(about = "Load driver for scripts/mock-bench")]
struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Drive the code flow (or the token endpoint alone) and print one JSON line of results.
    Load(LoadArgs),
    /// Spawn a server, time it until `--url` answers 200, print `{"pid", "startup_ms"}` and leave it running.
    Startup {
        /// The URL to poll (a discovery document).
        #[arg(long)]
        url: String,
        /// Where the server's stdout and stderr go.
        #[arg(long)]
        log: std::path::PathBuf,
        /// Give up after this many milliseconds.
        #[arg(long, default_value_t = 10_000)]
        timeout_ms: u64,
        /// The command.
        #[arg(last = true, required = true)]
        cmd: Vec<String>,
    },
    /// RS256 signatures per CPU-second on one thread, with aws-lc (what the mock uses) and RustCrypto, over an
    /// ID-token-sized signing input.
    Sign {
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Target {
    /// cis2-mock-idp (registers `bench-client` through its admin API first).
    Mock,
    /// node-oidc-provider with `bench/node-oidc-provider/server.js`.
    Node,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// authorize → login → code → token, repeated by every virtual user.
    Flow,
    /// Codes minted first (untimed), then only `POST token` is timed.
    Token,
}

#[derive(Debug, clap::Args)]
struct LoadArgs {
    #[arg(long, value_enum)]
    target: Target,
    /// `http://127.0.0.1:<port>` of the server.
    #[arg(long)]
    base: String,
    #[arg(long, value_enum, default_value_t = Mode::Flow)]
    mode: Mode,
    /// Concurrent virtual users.
    #[arg(long, default_value_t = 16)]
    users: usize,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 12.0)]
    seconds: f64,
    /// Unmeasured warm-up seconds (flow mode) or code-minting seconds (token mode).
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// The server's pid: its CPU time over the measured window and its RSS afterwards are reported.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Driver worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// A label copied into the output.
    #[arg(long, default_value = "")]
    label: String,
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    match args.cmd {
        Cmd::Startup {
            url,
            log,
            timeout_ms,
            cmd,
        } => startup(&url, &log, timeout_ms, &cmd),
        Cmd::Sign { seconds } => sign_rate(seconds),
        Cmd::Load(a) => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(a.threads.max(1))
                .enable_all()
                .build()?;
            rt.block_on(load(a))
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Start-up time

fn startup(url: &str, log: &std::path::Path, timeout_ms: u64, cmd: &[String]) -> Result<(), Error> {
    let (prog, rest) = cmd.split_first().ok_or("no command")?;
    let out = std::fs::File::create(log)?;
    let err = out.try_clone()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let t0 = Instant::now();
    let child = std::process::Command::new(prog)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()?;
    let pid = child.id();
    let deadline = t0 + Duration::from_millis(timeout_ms);
    let ms = rt.block_on(async {
        loop {
            if let Ok(r) = http.get(url).send().await
                && r.status() == StatusCode::OK
                && r.bytes().await.is_ok()
            {
                return Ok(t0.elapsed().as_secs_f64() * 1000.0);
            }
            if Instant::now() > deadline {
                return Err(format!("{url} did not answer within {timeout_ms} ms"));
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
    })?;
    println!("{{\"pid\":{pid},\"startup_ms\":{ms:.1}}}");
    // The server keeps running; the bench script stops it by pid.
    drop(child);
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// Signing rate

fn sign_rate(seconds: f64) -> Result<(), Error> {
    use cis2_sdk::{Algorithm, Crypto, SigningKey};
    let pem = include_str!("../tests/data/idp-a.pem");
    let rust_crypto = SigningKey::from_pkcs8_pem(pem, Algorithm::RS256)?;
    let aws_lc = rust_crypto.clone().with_crypto(Crypto::aws_lc())?;
    let input = "e".repeat(1100); // about the size of the mock's ID-token signing input
    let hz = ticks_per_sec();
    let me = std::process::id();
    let mut out = serde_json::Map::new();
    for (name, key) in [("aws_lc", &aws_lc), ("rust_crypto", &rust_crypto)] {
        let c0 = cpu_ticks(me).ok_or("no /proc")?;
        let t0 = Instant::now();
        let mut n = 0u64;
        while t0.elapsed().as_secs_f64() < seconds {
            key.sign(input.as_bytes(), &mut rand::rngs::OsRng)?;
            n += 1;
        }
        let cpu = (cpu_ticks(me).ok_or("no /proc")? - c0) as f64 / hz;
        let wall = t0.elapsed().as_secs_f64();
        out.insert(
            format!("{name}_sign_per_cpu_s"),
            ((n as f64 / cpu.max(1.0 / hz)).round()).into(),
        );
        out.insert(
            format!("{name}_sign_per_wall_s"),
            ((n as f64 / wall).round()).into(),
        );
    }
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// Flow scripts

/// What differs between the providers: endpoints, extra authorize parameters and login-form credentials.
#[derive(Debug)]
struct Script {
    authorize: String,
    token: String,
    extra: Vec<(&'static str, &'static str)>,
    /// Added to a form that has an input named `.0` of the first pair.
    credentials: Vec<(&'static str, &'static str)>,
    /// Token mode: mint each code in a fresh browser (node-oidc-provider ties a code to its session, which a
    /// later login in the same browser replaces). The mock keeps one browser per user, as in flow mode (a
    /// fresh one per code would pile up one SSO session per code).
    fresh_browser_per_code: bool,
}

impl Script {
    fn for_target(t: Target, base: &str) -> Self {
        match t {
            Target::Mock => Script {
                authorize: format!("{base}{REALM}/authorize"),
                token: format!("{base}{REALM}/access_token"),
                extra: vec![("prompt", "login")],
                credentials: vec![
                    ("passcode", cis2_mock_idp::DEFAULT_PASSCODE),
                    ("uid", "656005750108"),
                    ("method", "smartcard"),
                ],
                fresh_browser_per_code: false,
            },
            Target::Node => Script {
                authorize: format!("{base}/auth"),
                token: format!("{base}/token"),
                extra: vec![("prompt", "login")],
                credentials: vec![("login", "bench-user"), ("password", "bench")],
                fresh_browser_per_code: true,
            },
        }
    }
}

/// One virtual user's cookies (name → value; paths and domains ignored: everything is one loopback host).
#[derive(Debug, Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn header(&self) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        Some(
            self.0
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }

    fn update(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let mut parts = v.split(';');
            let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
                continue;
            };
            let expired = parts.any(|a| {
                let a = a.trim().to_ascii_lowercase();
                a == "max-age=0" || a.starts_with("expires=thu, 01 jan 1970")
            });
            if expired || value.is_empty() {
                self.0.remove(name.trim());
            } else {
                self.0.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag.get(start..)?.find('"')? + start;
    tag.get(start..end).map(unescape)
}

/// A page's first form: its action, its hidden inputs, and whether it asks for the flow script's credentials.
struct Form {
    action: String,
    hidden: Vec<(String, String)>,
    wants_credentials: bool,
}

/// The first form of a page; `field` is the input that marks a login form.
fn first_form(html: &str, field: &str) -> Option<Form> {
    let start = html.find("<form")?;
    let rest = html.get(start..)?;
    let end = rest.find("</form>").unwrap_or(rest.len());
    let form = rest.get(..end)?;
    let open = form.get(..form.find('>')?)?;
    let action = attr(open, "action")?;
    let mut hidden = Vec::new();
    for input in form.split("<input").skip(1) {
        let tag = input.split('>').next().unwrap_or("");
        if tag.contains("type=\"hidden\"")
            && let Some(n) = attr(tag, "name")
        {
            hidden.push((n, attr(tag, "value").unwrap_or_default()));
        }
    }
    Some(Form {
        action,
        hidden,
        wants_credentials: form.contains(&format!("name=\"{field}\"")),
    })
}

fn resolve(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        location.to_owned()
    } else {
        format!("{base}{location}")
    }
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    url::form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

// ---------------------------------------------------------------------------------------------------------
// Virtual users

const KIND_OTHER: u8 = 0;
const KIND_TOKEN: u8 = 1;

/// Latency samples of one user: (kind, microseconds), and whole logins.
#[derive(Debug, Default)]
struct Samples {
    requests: Vec<(u8, u32)>,
    logins: Vec<u32>,
    errors: u64,
}

struct User {
    http: reqwest::Client,
    base: String,
    script: Arc<Script>,
    jar: Jar,
    n: u64,
    id: usize,
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

impl User {
    async fn send(
        &mut self,
        req: reqwest::RequestBuilder,
        kind: u8,
        s: Option<&mut Samples>,
    ) -> Result<(StatusCode, HeaderMap, String), Error> {
        let req = match self.jar.header() {
            Some(c) => req.header(COOKIE, c),
            None => req,
        };
        let t = Instant::now();
        let r = req.send().await?;
        let status = r.status();
        let headers = r.headers().clone();
        let body = r.text().await?;
        if let Some(s) = s {
            s.requests.push((kind, micros(t.elapsed())));
        }
        self.jar.update(&headers);
        Ok((status, headers, body))
    }

    /// authorize → (pages and form posts) → code. Returns the code and the PKCE verifier.
    async fn get_code(&mut self, mut s: Option<&mut Samples>) -> Result<(String, String), Error> {
        self.n += 1;
        let verifier = format!(
            "bench-verifier-{:04}-{:012}-padding-padding-padding",
            self.id, self.n
        );
        let challenge = cis2_sdk::pkce_challenge(&verifier);
        let state = format!("s{}", self.n);
        let query = {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.extend_pairs([
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("scope", "openid"),
                ("state", state.as_str()),
                ("nonce", state.as_str()),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
            ]);
            q.extend_pairs(self.script.extra.iter().copied());
            q.finish()
        };
        let mut req = self.http.get(format!("{}?{}", self.script.authorize, query));
        for _ in 0..12 {
            let (status, headers, body) = self.send(req, KIND_OTHER, s.as_deref_mut()).await?;
            if status.is_redirection() {
                let loc = headers
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or("redirect without Location")?;
                if loc.starts_with(REDIRECT) {
                    let code = query_param(loc, "code").ok_or_else(|| format!("no code in {loc}"))?;
                    return Ok((code, verifier));
                }
                req = self.http.get(resolve(&self.base, loc));
            } else if status == StatusCode::OK {
                let trigger = self.script.credentials.first().map(|c| c.0).unwrap_or("");
                let form = first_form(&body, trigger).ok_or("a page without a form")?;
                let mut pairs: Vec<(&str, &str)> = form
                    .hidden
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                if form.wants_credentials {
                    pairs.extend(self.script.credentials.iter().copied());
                }
                req = self
                    .http
                    .post(resolve(&self.base, &form.action))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form_body(&pairs));
            } else {
                return Err(format!("{status}: {}", body.chars().take(300).collect::<String>()).into());
            }
        }
        Err("no code after 12 hops".into())
    }

    async fn redeem(&mut self, code: &str, verifier: &str, s: Option<&mut Samples>) -> Result<(), Error> {
        let body = form_body(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("code_verifier", verifier),
        ]);
        let req = self
            .http
            .post(&self.script.token)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        // Timed here rather than in `send`: only successful exchanges count.
        let t = Instant::now();
        let (status, _, body) = self.send(req, KIND_TOKEN, None).await?;
        if status != StatusCode::OK || !body.contains("\"id_token\"") {
            return Err(format!("token: {status}: {}", body.chars().take(300).collect::<String>()).into());
        }
        if let Some(s) = s {
            s.requests.push((KIND_TOKEN, micros(t.elapsed())));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------------------
// Measurement

fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat (utime, stime) are 12 and 13 after the ")".
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Clock ticks per second for /proc CPU times (USER_HZ; 100 on Linux unless the kernel says otherwise).
fn ticks_per_sec() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted.get(idx).copied().unwrap_or(0)) / 1000.0
}

async fn register_mock_client(http: &reqwest::Client, base: &str) -> Result<(), Error> {
    let client = serde_json::json!({
        "client_id": CLIENT_ID,
        "client_name": "Load benchmark",
        "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "client_secret_post",
        "client_secret": SECRET,
    });
    let r = http
        .put(format!("{base}/admin/api/clients/{CLIENT_ID}"))
        .header("content-type", "application/json")
        .body(client.to_string())
        .send()
        .await?;
    if !r.status().is_success() {
        return Err(format!("registering the bench client: {}", r.status()).into());
    }
    Ok(())
}

async fn load(a: LoadArgs) -> Result<(), Error> {
    let base = a.base.trim_end_matches('/').to_owned();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(a.users * 2)
        .timeout(Duration::from_secs(30))
        .build()?;
    if a.target == Target::Mock {
        register_mock_client(&http, &base).await?;
    }
    let script = Arc::new(Script::for_target(a.target, &base));
    let users: Vec<User> = (0..a.users)
        .map(|id| User {
            http: http.clone(),
            base: base.clone(),
            script: script.clone(),
            jar: Jar::default(),
            n: 0,
            id,
        })
        .collect();
    let hz = ticks_per_sec();
    let warmup = Duration::from_secs_f64(a.warmup);
    let window = Duration::from_secs_f64(a.seconds);
    let driver_pid = std::process::id();

    let (samples, elapsed, server_cpu, driver_cpu, (codes_minted, redeemed)) = match a.mode {
        Mode::Flow => {
            let t0 = Instant::now();
            let measure_from = t0 + warmup;
            let end = measure_from + window;
            let cpu0 = Arc::new(Mutex::new(None));
            let sampler = {
                let cpu0 = cpu0.clone();
                let pid = a.server_pid;
                tokio::spawn(async move {
                    tokio::time::sleep_until(measure_from.into()).await;
                    let v = (pid.and_then(cpu_ticks), cpu_ticks(driver_pid));
                    *cpu0.lock().unwrap_or_else(|e| e.into_inner()) = Some(v);
                })
            };
            let mut tasks = Vec::new();
            for mut u in users {
                tasks.push(tokio::spawn(async move {
                    let mut s = Samples::default();
                    let mut scratch = Samples::default();
                    while Instant::now() < end {
                        let start = Instant::now();
                        let measured = start >= measure_from;
                        let sink = if measured { &mut s } else { &mut scratch };
                        let r = async {
                            let (code, verifier) = u.get_code(Some(&mut *sink)).await?;
                            u.redeem(&code, &verifier, Some(&mut *sink)).await
                        }
                        .await;
                        let done = Instant::now();
                        match r {
                            Ok(()) if measured && done <= end => s.logins.push(micros(done - start)),
                            Ok(()) => {}
                            Err(e) => {
                                s.errors += 1;
                                if s.errors <= 3 {
                                    eprintln!("user {}: {e}", u.id);
                                }
                                tokio::time::sleep(Duration::from_millis(10)).await;
                            }
                        }
                        scratch.requests.clear();
                    }
                    s
                }));
            }
            let mut all = Vec::new();
            for t in tasks {
                all.push(t.await?);
            }
            let _ = sampler.await;
            let (s1, d1) = (a.server_pid.and_then(cpu_ticks), cpu_ticks(driver_pid));
            let (s0, d0) = cpu0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or((None, None));
            let server_cpu = s0.zip(s1).map(|(a, b)| (b - a) as f64 / hz);
            let driver_cpu = d0.zip(d1).map(|(a, b)| (b - a) as f64 / hz);
            (all, window.as_secs_f64(), server_cpu, driver_cpu, (0, 0))
        }
        Mode::Token => {
            // Mint codes for `warmup` seconds (untimed), then redeem them all as fast as possible.
            let mint_end = Instant::now() + warmup;
            let codes = Arc::new(Mutex::new(Vec::new()));
            let mut tasks = Vec::new();
            for mut u in users {
                let codes = codes.clone();
                tasks.push(tokio::spawn(async move {
                    while Instant::now() < mint_end {
                        if u.script.fresh_browser_per_code {
                            u.jar = Jar::default();
                        }
                        match u.get_code(None).await {
                            Ok(c) => codes.lock().unwrap_or_else(|e| e.into_inner()).push(c),
                            Err(e) => {
                                eprintln!("mint: {e}");
                                tokio::time::sleep(Duration::from_millis(10)).await;
                            }
                        }
                    }
                    u
                }));
            }
            let mut users = Vec::new();
            for t in tasks {
                users.push(t.await?);
            }
            let minted = codes.lock().unwrap_or_else(|e| e.into_inner()).len();
            let (s0, d0) = (a.server_pid.and_then(cpu_ticks), cpu_ticks(driver_pid));
            let t0 = Instant::now();
            let end = t0 + window;
            let redeemed = Arc::new(AtomicU64::new(0));
            let mut tasks = Vec::new();
            for mut u in users {
                let codes = codes.clone();
                let redeemed = redeemed.clone();
                tasks.push(tokio::spawn(async move {
                    let mut s = Samples::default();
                    while Instant::now() < end {
                        let next = codes.lock().unwrap_or_else(|e| e.into_inner()).pop();
                        let Some((code, verifier)) = next else { break };
                        match u.redeem(&code, &verifier, Some(&mut s)).await {
                            Ok(()) => {
                                redeemed.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(e) => {
                                s.errors += 1;
                                if s.errors <= 3 {
                                    eprintln!("user {}: {e}", u.id);
                                }
                            }
                        }
                    }
                    s
                }));
            }
            let mut all = Vec::new();
            for t in tasks {
                all.push(t.await?);
            }
            let elapsed = t0.elapsed().as_secs_f64();
            let (s1, d1) = (a.server_pid.and_then(cpu_ticks), cpu_ticks(driver_pid));
            let server_cpu = s0.zip(s1).map(|(a, b)| (b - a) as f64 / hz);
            let driver_cpu = d0.zip(d1).map(|(a, b)| (b - a) as f64 / hz);
            let ok = usize::try_from(redeemed.load(Ordering::Relaxed)).unwrap_or(usize::MAX);
            (all, elapsed, server_cpu, driver_cpu, (minted, ok))
        }
    };

    let mut req_all: Vec<u32> = Vec::new();
    let mut req_token: Vec<u32> = Vec::new();
    let mut logins: Vec<u32> = Vec::new();
    let mut errors = 0;
    for s in &samples {
        errors += s.errors;
        logins.extend(&s.logins);
        for &(k, us) in &s.requests {
            req_all.push(us);
            if k == KIND_TOKEN {
                req_token.push(us);
            }
        }
    }
    req_all.sort_unstable();
    req_token.sort_unstable();
    logins.sort_unstable();
    let n_logins = if a.mode == Mode::Token {
        redeemed
    } else {
        logins.len()
    };
    let logins_per_s = n_logins as f64 / elapsed;
    let server_cores = server_cpu.map(|c| c / elapsed);
    let out = serde_json::json!({
        "label": a.label,
        "target": format!("{:?}", a.target).to_lowercase(),
        "mode": format!("{:?}", a.mode).to_lowercase(),
        "users": a.users,
        "seconds": (elapsed * 100.0).round() / 100.0,
        "requests": req_all.len(),
        "requests_per_s": (req_all.len() as f64 / elapsed).round(),
        "requests_per_login": if n_logins > 0 { ((req_all.len() as f64 / n_logins as f64) * 10.0).round() / 10.0 } else { 0.0 },
        "logins": n_logins,
        "logins_per_s": logins_per_s.round(),
        "errors": errors,
        "codes_minted": codes_minted,
        "request_p50_ms": pct(&req_all, 0.50),
        "request_p99_ms": pct(&req_all, 0.99),
        "token_p50_ms": pct(&req_token, 0.50),
        "token_p99_ms": pct(&req_token, 0.99),
        "login_p50_ms": pct(&logins, 0.50),
        "login_p99_ms": pct(&logins, 0.99),
        "server_cpu_cores": server_cores.map(|c| (c * 100.0).round() / 100.0),
        "logins_per_server_core_s": server_cores.filter(|c| *c > 0.0).map(|c| (logins_per_s / c).round()),
        "driver_cpu_cores": driver_cpu.map(|c| ((c / elapsed) * 100.0).round() / 100.0),
        "server_rss_kb": a.server_pid.and_then(|p| status_kb(p, "VmRSS:")),
        "server_hwm_kb": a.server_pid.and_then(|p| status_kb(p, "VmHWM:")),
    });
    println!("{out}");
    Ok(())
}
