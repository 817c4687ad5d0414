//! `cis2-soak`: load and soak for the relying-party kit (issue #10 §3).
//!
//! Starts `redis-server`, the `cis2-mock-idp` binary and two `example-demo-rp` instances sharing Redis, all on
//! free loopback ports; runs N virtual users for D seconds (sign in at A or B through the mock's login form,
//! `/api/me` and `/` on both, the IdP session ended through the mock's admin API, the session verified gone on
//! both instances); samples the servers' RSS every 10 s; prints a JSON summary and a table. Exits 1 on any
//! error, an unverified logout or RSS growth over 20 % after warm-up. `--fault redis-restart` restarts Redis
//! half-way and checks sessions fail closed and the load recovers.

mod procs;
mod stats;
mod vu;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Parser;
use reqwest::Method;
use tokio::time::Instant;

use procs::Server;
use stats::Stats;
use vu::{Target, VirtualUser};

/// Load and soak: the mock IdP, two demo RPs on one Redis, N virtual users.
#[derive(Parser, Debug)]
struct Args {
    /// Concurrent virtual users.
    #[arg(long, default_value_t = 64)]
    users: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 600)]
    duration: u64,
    /// Seconds of warm-up (RSS growth is measured from its end).
    #[arg(long, default_value_t = 60)]
    warmup: u64,
    /// Seconds between RSS samples.
    #[arg(long, default_value_t = 10)]
    sample_every: u64,
    /// The largest RSS growth after warm-up, in percent, that passes.
    #[arg(long, default_value_t = 20.0)]
    max_rss_growth: f64,
    /// The mock's access-token lifetime (seconds). The mock keeps every access token until it expires, so its
    /// memory levels off one lifetime after the start; a lifetime shorter than the warm-up (the demo uses the
    /// access token only at sign-in) makes "RSS flat after warm-up" a real check of the mock. CIS2's is 3600.
    #[arg(long, default_value_t = 60)]
    mock_access_token_secs: u64,
    /// A fault to inject half-way: `redis-restart`.
    #[arg(long)]
    fault: Option<String>,
    /// The mock's binary (default: `$CARGO_TARGET_DIR` or `target`, `release/cis2-mock-idp`).
    #[arg(long)]
    mock_bin: Option<PathBuf>,
    /// The demo's binary (default: `release/example-demo-rp` beside the mock's).
    #[arg(long)]
    demo_bin: Option<PathBuf>,
    /// Also write the JSON summary here.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("cis2-soak: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// The servers, stopped on every path out.
struct Fleet {
    servers: Vec<Server>,
}

impl Fleet {
    async fn stop(&mut self) {
        for s in &mut self.servers {
            s.stop().await;
        }
    }
}

async fn run(args: Args) -> Result<bool, String> {
    if let Some(f) = &args.fault
        && f != "redis-restart"
    {
        return Err(format!("--fault {f}: the faults are: redis-restart"));
    }
    let mock_bin = args
        .mock_bin
        .clone()
        .unwrap_or_else(|| target_dir().join("release/cis2-mock-idp"));
    let demo_bin = args
        .demo_bin
        .clone()
        .unwrap_or_else(|| target_dir().join("release/example-demo-rp"));
    for b in [&mock_bin, &demo_bin] {
        if !b.exists() {
            return Err(format!(
                "{} is missing: cargo build --release -p cis2-mock-idp -p example-demo-rp",
                b.display()
            ));
        }
    }
    let dir = std::env::temp_dir().join(format!("cis2-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let mut fleet = Fleet { servers: Vec::new() };
    let result = campaign(&args, &mock_bin, &demo_bin, &dir, &http, &mut fleet).await;
    fleet.stop().await;
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        eprintln!("server logs kept in {}", dir.display());
    }
    result
}

async fn campaign(
    args: &Args,
    mock_bin: &std::path::Path,
    demo_bin: &std::path::Path,
    dir: &std::path::Path,
    http: &reqwest::Client,
    fleet: &mut Fleet,
) -> Result<bool, String> {
    let redis = procs::start_redis(dir, None).await?;
    let redis_url = format!("redis://127.0.0.1:{}", redis.port);
    fleet.servers.push(redis);
    let mock = procs::start_mock(mock_bin, dir, http, args.mock_access_token_secs).await?;
    let mock_port = mock.port;
    fleet.servers.push(mock);
    // One after the other: each registers its redirect URI at the mock; they share the client key.
    for name in ["demo-a", "demo-b"] {
        let d = procs::start_demo(name, demo_bin, dir, mock_port, &redis_url, http).await?;
        fleet.servers.push(d);
    }
    let demos = [
        format!("http://localhost:{}", fleet.servers[2].port),
        format!("http://localhost:{}", fleet.servers[3].port),
    ];
    let stats = Arc::new(Stats::default());
    let target = Arc::new(Target {
        demos: demos.clone(),
        issuer: format!("http://localhost:{mock_port}{}", procs::REALM),
        admin: format!("http://127.0.0.1:{mock_port}/admin/api"),
        admin_http: http.clone(),
        stats: Arc::clone(&stats),
    });
    check_registration(&target).await?;
    let uids = make_users(&target, args.users).await?;
    eprintln!(
        "cis2-soak: {} users × {} s against {} and {} (mock :{mock_port}, {redis_url})",
        args.users, args.duration, demos[0], demos[1]
    );

    let start = Instant::now();
    let end = start + Duration::from_secs(args.duration);
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for uid in uids {
        let t = Arc::clone(&target);
        let stop = Arc::clone(&stop);
        let mut user = VirtualUser::new(uid)?;
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) && Instant::now() < end {
                match user.round(&t).await {
                    Ok(()) => t.stats.round_done(),
                    Err(f) => {
                        t.stats.failure(f.kind, f.detail);
                        // Back off a little so a failing server is not hammered in a tight loop.
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        }));
    }

    // RSS samples and the fault, on this task.
    let mut samples: Vec<(u64, Vec<Option<u64>>)> = Vec::new();
    let names: Vec<String> = fleet.servers.iter().map(|s| s.name.clone()).collect();
    let mut fault_report = serde_json::Value::Null;
    let fault_at = start + Duration::from_secs(args.duration / 2);
    let mut fault_done = args.fault.is_none();
    let mut next_sample = start;
    while Instant::now() < end {
        if Instant::now() >= next_sample {
            let rss = fleet
                .servers
                .iter()
                .map(|s| s.pid().and_then(procs::rss_kib))
                .collect();
            samples.push((start.elapsed().as_secs(), rss));
            next_sample += Duration::from_secs(args.sample_every);
        }
        for s in &mut fleet.servers {
            if let Some(how) = s.exited() {
                stop.store(true, Ordering::Relaxed);
                return Err(format!(
                    "{} exited during the run ({how}):\n{}",
                    s.name,
                    s.log_tail()
                ));
            }
        }
        if !fault_done && Instant::now() >= fault_at {
            fault_done = true;
            fault_report = restart_redis(fleet, dir, &stats).await?;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    for t in tasks {
        let _ = t.await;
    }
    let rss = rss_report(&names, &samples, args.warmup, args.max_rss_growth);
    let mut summary = stats.summary();
    let elapsed = start.elapsed().as_secs_f64();
    summary["users"] = args.users.into();
    summary["duration_s"] = elapsed.round().into();
    summary["sign_ins_per_s"] = ((stats.sign_ins() as f64 / elapsed * 10.0).round() / 10.0).into();
    summary["rss"] = rss.clone();
    summary["fault"] = fault_report;
    let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    println!("{text}");
    if let Some(p) = &args.json {
        std::fs::write(p, &text).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    print_table(&summary, &names);
    let verified = summary["backchannel_logouts_verified_on_both"]
        .as_u64()
        .unwrap_or(0);
    let rss_ok = !rss["flagged"].as_bool().unwrap_or(true);
    let recovered = summary["fault"]["recovered"].as_bool().unwrap_or(true);
    Ok(stats.error_count() == 0 && verified > 0 && rss_ok && recovered)
}

/// Both instances' redirect URIs are registered for the demo client.
async fn check_registration(t: &Target) -> Result<(), String> {
    let client = vu::admin(t, Method::GET, &format!("/clients/{}", procs::DEMO_CLIENT_ID))
        .await
        .map_err(|f| f.detail)?;
    let uris = client["redirect_uris"].as_array().cloned().unwrap_or_default();
    for d in &t.demos {
        let want = format!("{d}/auth/callback");
        if !uris.iter().any(|u| u.as_str() == Some(want.as_str())) {
            return Err(format!("{want} is not registered for the demo client: {uris:?}"));
        }
    }
    Ok(())
}

/// One mock user per virtual user (so each has exactly one IdP session to end): copies of the seeded
/// smartcard user 656005750108 (one role, so the mock never asks for one) with the default credentials.
async fn make_users(t: &Target, n: usize) -> Result<Vec<String>, String> {
    let template = vu::admin(t, Method::GET, "/users/656005750108")
        .await
        .map_err(|f| f.detail)?;
    let mut uids = Vec::with_capacity(n);
    for i in 0..n {
        let uid = format!("9{:011}", 70_000_000 + i);
        let mut u = template.clone();
        if let Some(o) = u.as_object_mut() {
            o.insert("uid".into(), uid.clone().into());
            o.insert("username".into(), format!("soak{i}").into());
            o.insert("given_name".into(), "Soak".into());
            o.insert("family_name".into(), format!("User {i}").into());
            for secret in ["password", "passcode", "totp_secret"] {
                o.remove(secret);
            }
        }
        let res = t
            .admin_http
            .post(format!("{}/users", t.admin))
            .json(&u)
            .send()
            .await
            .map_err(|e| format!("creating user {uid}: {e}"))?;
        if !res.status().is_success() {
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            return Err(format!("creating user {uid}: {status}: {body}"));
        }
        uids.push(uid);
    }
    Ok(uids)
}

/// Stops Redis, keeps it down 2 s, starts it again on the same port; the failures meanwhile are tolerated if
/// they fail closed. Recovery: a sign-in completes within 30 s of the restart.
async fn restart_redis(
    fleet: &mut Fleet,
    dir: &std::path::Path,
    stats: &Stats,
) -> Result<serde_json::Value, String> {
    let port = fleet.servers[0].port;
    eprintln!("cis2-soak: fault: stopping redis");
    stats.fault_window.store(true, Ordering::Relaxed);
    let before = stats.sign_ins();
    fleet.servers[0].stop().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    fleet.servers[0] = procs::start_redis(dir, Some(port)).await?;
    let restarted = Instant::now();
    eprintln!("cis2-soak: fault: redis back");
    let deadline = restarted + Duration::from_secs(30);
    let mut recovered_after = None;
    let mark = stats.sign_ins();
    while Instant::now() < deadline {
        if stats.sign_ins() > mark {
            recovered_after = Some(restarted.elapsed().as_millis());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A grace period so rounds that straddled the restart finish before failures count again.
    tokio::time::sleep(Duration::from_secs(20)).await;
    stats.fault_window.store(false, Ordering::Relaxed);
    Ok(serde_json::json!({
        "kind": "redis-restart",
        "sign_ins_before": before,
        "recovered": recovered_after.is_some(),
        "first_sign_in_after_restart_ms": recovered_after.map(|m| u64::try_from(m).unwrap_or(u64::MAX)),
    }))
}

/// RSS at the end of warm-up, at the end and the max, per server; growth over `max_growth` % is flagged.
fn rss_report(
    names: &[String],
    samples: &[(u64, Vec<Option<u64>>)],
    warmup: u64,
    max_growth: f64,
) -> serde_json::Value {
    let mut per = serde_json::Map::new();
    let mut flagged = false;
    for (i, name) in names.iter().enumerate() {
        let series: Vec<(u64, u64)> = samples
            .iter()
            .filter_map(|(t, v)| v.get(i).copied().flatten().map(|k| (*t, k)))
            .collect();
        let after_warmup = series.iter().find(|(t, _)| *t >= warmup).map(|(_, k)| *k);
        let last = series.last().map(|(_, k)| *k);
        let max = series.iter().map(|(_, k)| *k).max();
        let growth = match (after_warmup, last) {
            (Some(w), Some(l)) if w > 0 => Some(((l as f64 - w as f64) / w as f64 * 1000.0).round() / 10.0),
            _ => None,
        };
        // Redis is restarted by the fault: its RSS starts over, so it is reported, not judged.
        let judged = !(name == "redis" && samples.len() > 1 && growth.is_some_and(|g| g < 0.0));
        if judged && growth.is_some_and(|g| g > max_growth) {
            flagged = true;
        }
        per.insert(
            name.clone(),
            serde_json::json!({
                "kib_after_warmup": after_warmup,
                "kib_end": last,
                "kib_max": max,
                "growth_pct": growth,
                "samples_kib": series.iter().map(|(_, k)| *k).collect::<Vec<_>>(),
            }),
        );
    }
    serde_json::json!({ "warmup_s": warmup, "max_growth_pct": max_growth, "flagged": flagged, "servers": per })
}

fn print_table(s: &serde_json::Value, names: &[String]) {
    eprintln!();
    eprintln!(
        "users {}  duration {} s  rounds {}  sign-ins {} ({}/s)  requests {}",
        s["users"], s["duration_s"], s["rounds"], s["sign_ins"], s["sign_ins_per_s"], s["requests"]
    );
    eprintln!(
        "sign-in p50 {} ms  p99 {} ms  max {} ms",
        s["sign_in_ms"]["p50"], s["sign_in_ms"]["p99"], s["sign_in_ms"]["max"]
    );
    eprintln!(
        "back-channel logouts verified on both instances: {}  errors: {}",
        s["backchannel_logouts_verified_on_both"], s["errors"]
    );
    eprintln!(
        "{:<8} {:>14} {:>10} {:>10} {:>8}",
        "server", "after warm-up", "end", "max", "growth"
    );
    for n in names {
        let r = &s["rss"]["servers"][n];
        eprintln!(
            "{:<8} {:>11} KiB {:>6} KiB {:>6} KiB {:>7}%",
            n, r["kib_after_warmup"], r["kib_end"], r["kib_max"], r["growth_pct"]
        );
    }
    if !s["fault"].is_null() {
        eprintln!("fault: {}", s["fault"]);
    }
}
