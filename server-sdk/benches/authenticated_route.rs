//! Requests/s through an authenticated route (session lookup + `Cis2Session` extractor) with the memory and
//! the Redis store, and the latency from a logout-token POST on one instance to the `session_ended` event on
//! a browser stream connected to another instance (p50/p99 printed, mean by criterion).
//!
//! With `--features cis1`, the same route on a dual-run RP with a cached CIS1 session (`memory_cis1`,
//! `redis_cis1`: signed in once with a ticket from cis2-mock-idp's virtual Identity Agent, checked through its
//! SSB, then within the re-check interval): issue #13 asks that it cost no more than a CIS2 session.
//!
//! Needs `redis-server` on PATH. Run: `cargo bench -p cis2-server --bench authenticated_route [--features cis1]`.

#![allow(
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

#[path = "../tests/integration/fake_op.rs"]
#[allow(dead_code)]
mod fake_op;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use cis2_server::{Cis2Auth, Cis2AuthBuilder, Cis2Session, ManualClock, SessionStore};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fake_op::{CLIENT_ID, FakeOp, key};
use tower::ServiceExt;

struct RedisServer(std::process::Child, String);

impl RedisServer {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is required for this benchmark");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        RedisServer(child, format!("redis://127.0.0.1:{port}/"))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn app(auth: &Cis2Auth) -> Router {
    Router::new()
        .route("/api/me", get(|s: Cis2Session| async move { s.sub().to_owned() }))
        .nest("/auth", auth.router())
        .with_state(auth.clone())
}

/// An RP instance served on loopback (the provider calls its `/jwks`; browsers call it).
async fn serve(op: &FakeOp, store: SessionStore, redirect: Option<String>) -> (String, Cis2Auth) {
    serve_with(op, store, redirect, |b| b).await
}

/// [`serve`], with more builder settings.
async fn serve_with(
    op: &FakeOp,
    store: SessionStore,
    redirect: Option<String>,
    configure: impl FnOnce(Cis2AuthBuilder) -> Cis2AuthBuilder,
) -> (String, Cis2Auth) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let builder = Cis2Auth::builder(op.issuer())
        .client_id(CLIENT_ID)
        .redirect_uri(redirect.unwrap_or_else(|| format!("{base}/auth/callback")))
        .private_key_jwt(key("rp1"))
        .session_store(store)
        .clock(Arc::new(op.0.clock.clone()));
    let auth = configure(builder).build().await.unwrap();
    let router = app(&auth);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    if op.0.rp_jwks_url.lock().unwrap().is_none() {
        op.set_rp_jwks(format!("{base}/auth/jwks"));
    }
    (base, auth)
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().to_owned()
}

/// Signs in through the provider; returns the session cookie header value.
async fn login(b: &reqwest::Client, base: &str) -> String {
    let r = b.get(format!("{base}/auth/login")).send().await.unwrap();
    let r = b.get(location(&r)).send().await.unwrap();
    let r = b.get(location(&r)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    session_cookie(&r)
}

/// The `cis2_session=…` pair a sign-in answer sets.
fn session_cookie(r: &reqwest::Response) -> String {
    let c = r.headers().get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().ok()?;
        v.starts_with("cis2_session=")
            .then(|| v.split(';').next().unwrap_or_default().to_owned())
    });
    c.unwrap()
}

fn authenticated_route(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let redis = RedisServer::start();
    let mut group = c.benchmark_group("authenticated_route");
    group.throughput(Throughput::Elements(1));
    for name in ["memory", "redis"] {
        let (router, cookie) = rt.block_on(async {
            let op = FakeOp::start(ManualClock::starting_now()).await;
            let store = match name {
                "memory" => SessionStore::memory(),
                _ => SessionStore::redis(&redis.1).await.unwrap(),
            };
            let (base, auth) = serve(&op, store, None).await;
            let cookie = login(&browser(), &base).await;
            (app(&auth), cookie)
        });
        bench_me(&mut group, &rt, name, &router, &cookie);
    }
    #[cfg(feature = "cis1")]
    {
        let ssb = rt.block_on(cis1::Ssb::start());
        for name in ["memory_cis1", "redis_cis1"] {
            let (router, cookie) = rt.block_on(async {
                let op = FakeOp::start(ManualClock::starting_now()).await;
                let store = match name {
                    "memory_cis1" => SessionStore::memory(),
                    _ => SessionStore::redis(&redis.1).await.unwrap(),
                };
                let (base, auth) = cis1::serve_dual_run(&op, store, &ssb).await;
                let cookie = ssb.sign_in(&browser(), &base).await;
                (app(&auth), cookie)
            });
            bench_me(&mut group, &rt, name, &router, &cookie);
        }
    }
    group.finish();
}

/// `GET /api/me` with the session cookie, through the router (no sockets).
fn bench_me(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rt: &tokio::runtime::Runtime,
    name: &str,
    router: &Router,
    cookie: &str,
) {
    group.bench_function(name, |b| {
        b.to_async(rt).iter(|| async {
            let req = http::Request::get("/api/me")
                .header("cookie", cookie)
                .body(Body::empty())
                .unwrap();
            let resp = router.clone().oneshot(req).await.unwrap();
            assert_eq!(resp.status(), 200);
        })
    });
}

/// The dual-run variant: cis2-mock-idp as the SSB and the virtual Identity Agent that hands out the ticket.
#[cfg(feature = "cis1")]
mod cis1 {
    use std::time::Duration;

    use cis2_mock_idp::{Cis1SignIn, DEFAULT_PASSCODE, MockIdp, RunningMockIdp};
    use cis2_server::{Cis1Settings, Cis2Auth, SessionStore};

    use super::{FakeOp, serve_with, session_cookie};

    pub struct Ssb {
        idp: RunningMockIdp,
        _data: tempfile::TempDir,
    }

    impl Ssb {
        pub async fn start() -> Self {
            let data = tempfile::tempdir().unwrap();
            let idp = MockIdp::builder()
                .port(0)
                .data_dir(data.path())
                .start()
                .await
                .unwrap();
            Ssb { idp, _data: data }
        }

        fn origin(&self) -> String {
            url::Url::parse(self.idp.issuer())
                .unwrap()
                .origin()
                .ascii_serialization()
        }

        /// A ticket from the virtual Identity Agent, posted to the RP's `/auth/cis1`; the session cookie.
        pub async fn sign_in(&self, b: &reqwest::Client, base: &str) -> String {
            let ticket = self
                .idp
                .state()
                .start_cis1_session(Cis1SignIn::new("555000000001", DEFAULT_PASSCODE))
                .unwrap()
                .ticket;
            let r = b
                .post(format!("{base}/auth/cis1"))
                .header("accept", "application/json")
                .form(&[("ticket", ticket.as_str()), ("return_to", "/")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            session_cookie(&r)
        }
    }

    /// A dual-run RP instance (CIS2 through `op`, CIS1 through the mock's SSB; re-check every hour, so every
    /// benchmarked request uses the cached CIS1 session).
    pub async fn serve_dual_run(op: &FakeOp, store: SessionStore, ssb: &Ssb) -> (String, Cis2Auth) {
        let settings = Cis1Settings::new(ssb.origin()).recheck_every(Duration::from_secs(3600));
        serve_with(op, store, None, |b| b.cis1(settings)).await
    }
}

/// POST a logout token to instance A; time until a browser stream on instance B reports it.
async fn one_propagation(op: &FakeOp, a: &str, b: &str, n: usize) -> Duration {
    let sid = format!("bench-sid-{n}");
    op.set_next_user(fake_op::UserSpec::new("555000000001", &sid));
    let browser = browser();
    login(&browser, a).await;
    let mut stream = browser.get(format!("{b}/auth/events")).send().await.unwrap();
    let mut buf = String::new();
    while !buf.contains("event: ready") {
        buf.push_str(&String::from_utf8_lossy(&stream.chunk().await.unwrap().unwrap()));
    }
    let token = op.logout_token(Some("555000000001"), Some(&sid));
    // The one place this benchmark reads the clock: to time the propagation.
    #[allow(clippy::disallowed_methods)]
    let start = Instant::now();
    let resp = reqwest::Client::new()
        .post(format!("{a}/auth/backchannel-logout"))
        .form(&[("logout_token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    while !buf.contains("session_ended") {
        buf.push_str(&String::from_utf8_lossy(&stream.chunk().await.unwrap().unwrap()));
    }
    start.elapsed()
}

fn logout_propagation(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let redis = RedisServer::start();
    let (op, a, b) = rt.block_on(async {
        let op = FakeOp::start(ManualClock::starting_now()).await;
        let (a, _) = serve(&op, SessionStore::redis(&redis.1).await.unwrap(), None).await;
        let (b, _) = serve(
            &op,
            SessionStore::redis(&redis.1).await.unwrap(),
            Some(format!("{a}/auth/callback")),
        )
        .await;
        (op, a, b)
    });
    let mut samples: Vec<Duration> = rt.block_on(async {
        let mut v = Vec::new();
        for n in 0..100 {
            v.push(one_propagation(&op, &a, &b, n).await);
        }
        v
    });
    samples.sort();
    eprintln!(
        "logout propagation A -> B stream over Redis: p50 {:?}, p99 {:?} ({} samples)",
        samples[samples.len() / 2],
        samples[samples.len() * 99 / 100],
        samples.len()
    );
    let mut n = 1000;
    c.bench_function("logout_propagation_redis", |bench| {
        bench.to_async(&rt).iter_custom(|iters| {
            let (op, a, b) = (op.clone(), a.clone(), b.clone());
            n += iters as usize;
            let base = n;
            async move {
                let mut total = Duration::ZERO;
                for i in 0..iters as usize {
                    total += one_propagation(&op, &a, &b, base + i).await;
                }
                total
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = authenticated_route, logout_propagation
}
criterion_main!(benches);
