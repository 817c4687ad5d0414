//! Dual-run (issue #13 §3): CIS1 Identity Agent tickets beside CIS2 sign-ins, against cis2-mock-idp's CIS1
//! emulation (its virtual Identity Agent hands out the ticket, its SSB answers the RoleAssertion), on the
//! memory store and on a real redis-server.

use std::time::Duration;

use cis2_mock_idp::{Cis1Session, Cis1SignIn, DEFAULT_PASSCODE};
use cis2_server::{Cis1Settings, Cutover, SessionStore};
use serde_json::{Value, json};

use crate::harness::{Browser, EventStream, RedisServer, Rp, RpOptions, location, no_store, set_cookies};
use crate::with_mock_idp::{CLARA, GINA, MORGAN, Method, MockIdpProvider, api_status, resolve, session};

const MORGAN_X09: &str = "555000000101"; // clinical practitioner at X09
const MORGAN_RBA: &str = "555000000102"; // nurse at RBA
const RECHECK: u64 = 300;

/// Which store the RP uses; Redis keeps its server alive for the test.
enum Store {
    Memory,
    Redis(RedisServer),
}

impl Store {
    async fn redis() -> Store {
        Store::Redis(RedisServer::start().await)
    }

    async fn open(&self) -> SessionStore {
        match self {
            Store::Memory => SessionStore::memory(),
            Store::Redis(r) => SessionStore::redis(&r.url).await.unwrap(),
        }
    }
}

/// The mock's origin: its SSB answers `/saml/RoleAssertion` there.
fn ssb(p: &MockIdpProvider) -> String {
    url::Url::parse(p.idp.issuer())
        .unwrap()
        .origin()
        .ascii_serialization()
}

async fn dual_rp(p: &MockIdpProvider, store: &Store, cutover: Cutover) -> Rp {
    let settings = Cis1Settings::new(ssb(p))
        .recheck_every(Duration::from_secs(RECHECK))
        .cutover(cutover);
    let opts = RpOptions {
        store: store.open().await,
        configure: Box::new(move |b| b.cis1(settings)),
        ..RpOptions::default()
    };
    Rp::start(p, opts).await
}

/// Signs `uid` in to CIS1 through the mock's virtual Identity Agent (the role chosen at PIN entry).
fn cis1_session(p: &MockIdpProvider, uid: &str, role: Option<&str>) -> Cis1Session {
    let mut req = Cis1SignIn::new(uid, DEFAULT_PASSCODE);
    if let Some(r) = role {
        req = req.with_role(r);
    }
    p.idp.state().start_cis1_session(req).unwrap()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `GET /auth/cis1?ticket=…&return_to=/home` as the app's page would send it (a fetch: JSON answers).
async fn cis1_fetch(browser: &Browser, rp: &Rp, ticket: &str) -> reqwest::Response {
    browser
        .api(&format!(
            "{}/auth/cis1?ticket={}&return_to=%2Fhome",
            rp.base,
            enc(ticket)
        ))
        .await
}

/// The same as a navigation (redirects).
async fn cis1_navigate(browser: &Browser, rp: &Rp, ticket: &str) -> reqwest::Response {
    browser
        .navigate(&format!(
            "{}/auth/cis1?ticket={}&return_to=%2Fhome",
            rp.base,
            enc(ticket)
        ))
        .await
}

/// A CIS1 sign-in that must succeed (navigation: 303 to `/home` with the session cookie).
async fn cis1_sign_in(browser: &Browser, rp: &Rp, ticket: &str) {
    let resp = cis1_navigate(browser, rp, ticket).await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    assert_eq!(location(&resp), "/home");
    assert!(no_store(&resp));
    assert_eq!(resp.headers()["referrer-policy"], "no-referrer");
    let cookies = set_cookies(&resp);
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("cis2_session=") && c.contains("HttpOnly")),
        "{cookies:?}"
    );
}

async fn me(browser: &Browser, rp: &Rp) -> (u16, Value) {
    api_status(browser, &format!("{}/api/me", rp.base)).await
}

// ---- the same user on both paths ----

async fn same_user_on_both_paths(store: Store) {
    let p = MockIdpProvider::start().await;
    let rp = dual_rp(&p, &store, Cutover::off()).await;

    let cis2 = Browser::new();
    let start = format!("{}/auth/login?select_role=true&return_to=%2Fhome", rp.base);
    let resp = p
        .sign_in(&cis2, &start, MORGAN, Method::Smartcard, Some(MORGAN_RBA))
        .await;
    assert_eq!(resp.status(), 303);

    let cis1 = Browser::new();
    let ticket = cis1_session(&p, MORGAN, Some(MORGAN_RBA)).ticket;
    assert!(ticket.contains('+') || ticket.contains('=') || ticket.contains('#'));
    cis1_sign_in(&cis1, &rp, &ticket).await;

    let (status, via_cis2) = me(&cis2, &rp).await;
    assert_eq!(status, 200, "{via_cis2}");
    let (status, via_cis1) = me(&cis1, &rp).await;
    assert_eq!(status, 200, "{via_cis1}");
    assert_eq!(via_cis2["path"], "cis2");
    assert_eq!(via_cis1["path"], "cis1");
    assert_eq!(via_cis2["has_access_token"], true);
    assert_eq!(via_cis1["has_access_token"], false);
    assert_eq!(via_cis1["sid"], Value::Null);
    // Everything the app reads about the user is the same whichever way they came.
    for k in ["sub", "selected_role", "org", "roles", "name", "aal"] {
        assert_eq!(
            via_cis1[k], via_cis2[k],
            "{k}: CIS1 {via_cis1} vs CIS2 {via_cis2}"
        );
    }
    assert_eq!(via_cis1["org"], "RBA");

    // `/auth/session` (the browser SDK's view) agrees too.
    let s1 = session(&cis1, &rp.base).await;
    let s2 = session(&cis2, &rp.base).await;
    assert_eq!(s1["authenticated"], true);
    for k in ["sub", "name", "selected_organisation"] {
        assert_eq!(s1["user"][k], s2["user"][k], "{k}: {s1} vs {s2}");
    }
    assert_eq!(
        s1["user"]["selected_role"]["person_roleid"],
        s2["user"]["selected_role"]["person_roleid"]
    );

    // The nurse role lacks B0420 on both paths.
    let (status, _) = api_status(&cis1, &format!("{}/api/prescribe", rp.base)).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn dual_run_cis1_sign_in_gives_the_same_extractor_data_as_cis2_memory() {
    same_user_on_both_paths(Store::Memory).await;
}

#[tokio::test]
async fn dual_run_cis1_sign_in_gives_the_same_extractor_data_as_cis2_redis() {
    same_user_on_both_paths(Store::redis().await).await;
}

// ---- re-check ----

async fn recheck_ends_the_session(store: Store) {
    let p = MockIdpProvider::start().await;
    let rp = dual_rp(&p, &store, Cutover::off()).await;

    // Logged out of CIS1.
    let one = Browser::new();
    let first = cis1_session(&p, GINA, None);
    cis1_sign_in(&one, &rp, &first.ticket).await;
    // Removed card.
    let two = Browser::new();
    let second = cis1_session(&p, CLARA, None);
    cis1_sign_in(&two, &rp, &second.ticket).await;

    // Past the interval with the CIS1 sessions alive: the SSB vouches again, the sessions carry on.
    p.advance(RECHECK + 1).await;
    assert_eq!(me(&one, &rp).await.0, 200);
    assert_eq!(me(&two, &rp).await.0, 200);
    let mut events = EventStream::open(&one, &rp.base).await;

    // The CIS1 sessions end; within the interval the cached check still serves.
    assert!(p.idp.state().end_cis1_session(&first.ticket));
    assert!(p.idp.state().remove_card(&second.card_serial).is_some());
    let (status, body) = me(&one, &rp).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(me(&two, &rp).await.0, 200);

    // Past the interval: the re-check fails and ends both sessions, telling the event stream why.
    p.advance(RECHECK + 1).await;
    let (name, data) = events
        .next(Duration::from_secs(5))
        .await
        .expect("session_ended event");
    assert_eq!(name, "session_ended");
    assert_eq!(data, json!({ "reason": "backchannel_logout" }));
    let (status, body) = me(&one, &rp).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["reason"], "backchannel_logout");
    let (status, body) = me(&two, &rp).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["reason"], "backchannel_logout");
    assert_eq!(
        session(&two, &rp.base).await,
        json!({ "authenticated": false, "reason": "backchannel_logout" })
    );

    // The ticket cannot start a new session either.
    let resp = cis1_fetch(&Browser::new(), &rp, &first.ticket).await;
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn dual_run_recheck_ends_the_session_after_cis1_logout_or_card_removal_memory() {
    recheck_ends_the_session(Store::Memory).await;
}

#[tokio::test]
async fn dual_run_recheck_ends_the_session_after_cis1_logout_or_card_removal_redis() {
    recheck_ends_the_session(Store::redis().await).await;
}

// ---- cut-over ----

/// A ticket refused by the cut-over: a fetch gets 403 `cis2_required` with the login URL, a navigation a
/// redirect to CIS2 sign-in; nothing is stored.
async fn assert_sent_to_cis2(rp: &Rp, ticket: &str, rule: &str) {
    let browser = Browser::new();
    let resp = cis1_fetch(&browser, rp, ticket).await;
    assert_eq!(resp.status(), 403);
    assert!(set_cookies(&resp).is_empty());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "cis2_required", "{body}");
    assert_eq!(body["login"], "/auth/login?return_to=%2Fhome");
    assert_eq!(body["rule"], rule);
    let resp = cis1_navigate(&browser, rp, ticket).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/auth/login?return_to=%2Fhome");
    assert!(set_cookies(&resp).is_empty());
    assert_eq!(me(&browser, rp).await.0, 401);
}

async fn cutover(store: Store) {
    let p = MockIdpProvider::start().await;

    // Per organisation: Morgan's RBA role is on CIS2, the X09 one is not.
    let rp = dual_rp(&p, &store, Cutover::organisations(["RBA"])).await;
    let rba = cis1_session(&p, MORGAN, Some(MORGAN_RBA)).ticket;
    assert_sent_to_cis2(&rp, &rba, "organisation").await;
    let x09 = cis1_session(&p, MORGAN, Some(MORGAN_X09)).ticket;
    let browser = Browser::new();
    cis1_sign_in(&browser, &rp, &x09).await;
    assert_eq!(me(&browser, &rp).await.1["path"], "cis1");

    // Per user, switched while running.
    rp.auth.set_cutover(Cutover::users([GINA])).unwrap();
    assert_eq!(rp.auth.cutover(), Some(Cutover::users([GINA])));
    let gina = cis1_session(&p, GINA, None).ticket;
    assert_sent_to_cis2(&rp, &gina, "user").await;
    let clara = cis1_session(&p, CLARA, None).ticket;
    cis1_sign_in(&Browser::new(), &rp, &clara).await;
    // The RBA role is allowed again under this switch.
    cis1_sign_in(&Browser::new(), &rp, &rba).await;

    // Everyone.
    rp.auth.set_cutover(Cutover::everyone()).unwrap();
    assert_sent_to_cis2(&rp, &clara, "everyone").await;
    assert_sent_to_cis2(&rp, &x09, "everyone").await;

    // The redirect leads to a CIS2 sign-in, and the session then says so.
    let moved = Browser::new();
    let resp = cis1_navigate(&moved, &rp, &gina).await;
    let login = resolve(&rp.base, &location(&resp));
    let resp = p.sign_in(&moved, &login, GINA, Method::Smartcard, None).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), "/home");
    let (status, body) = me(&moved, &rp).await;
    assert_eq!(status, 200);
    assert_eq!(body["path"], "cis2");
    assert_eq!(body["sub"], GINA);
}

#[tokio::test]
async fn dual_run_cutover_per_org_per_user_and_everyone_redirects_to_cis2_memory() {
    cutover(Store::Memory).await;
}

#[tokio::test]
async fn dual_run_cutover_per_org_per_user_and_everyone_redirects_to_cis2_redis() {
    cutover(Store::redis().await).await;
}

// ---- bad tickets ----

async fn bad_tickets(store: Store) {
    let p = MockIdpProvider::start().await;
    let rp = dual_rp(&p, &store, Cutover::off()).await;
    let browser = Browser::new();

    let refused = |ticket: &'static str| {
        let browser = browser.clone();
        let rp_base = rp.base.clone();
        async move {
            let resp = browser
                .api(&format!("{rp_base}/auth/cis1?ticket={}", enc(ticket)))
                .await;
            (
                resp.status().as_u16(),
                set_cookies(&resp),
                resp.json::<Value>().await.unwrap(),
            )
        }
    };
    // Unknown ticket: the SSB refuses it.
    let (status, cookies, body) = refused("AQIC5wM2LY4Sfcunknown+x/y=@AAJTSQACMDE=#").await;
    assert_eq!(status, 401, "{body}");
    assert!(cookies.is_empty());
    assert_eq!(body["error"], "invalid_ticket");
    assert_eq!(body["code"], "cis1.check.status");

    // A ticket whose CIS1 session ended.
    let ended = cis1_session(&p, GINA, None);
    assert!(p.idp.state().end_cis1_session(&ended.ticket));
    let resp = cis1_fetch(&browser, &rp, &ended.ticket).await;
    assert_eq!(resp.status(), 401);
    assert!(set_cookies(&resp).is_empty());

    // A ticket sent without URL-encoding: `+` reads as a space, the SSB does not know it.
    let live = cis1_session(&p, CLARA, None);
    let resp = browser
        .api(&format!(
            "{}/auth/cis1?ticket={}",
            rp.base,
            live.ticket.replace('#', "%23")
        ))
        .await;
    if live.ticket.contains('+') {
        assert_eq!(resp.status(), 401);
    }

    // Missing, empty, repeated: 400.
    for q in [
        "",
        "?ticket=",
        "?ticket=a&ticket=b",
        "?ticket=a&return_to=https%3A%2F%2Fevil.example%2F",
    ] {
        let resp = browser.api(&format!("{}/auth/cis1{q}", rp.base)).await;
        assert_eq!(resp.status(), 400, "{q}");
        assert!(set_cookies(&resp).is_empty());
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request", "{q}: {body}");
    }

    // Cross-site: refused before the SSB is asked.
    let resp = browser
        .http
        .post(format!("{}/auth/cis1", rp.base))
        .header("origin", "https://evil.example")
        .form(&[("ticket", live.ticket.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    // A person in a browser gets the error page.
    let resp = browser
        .navigate(&format!("{}/auth/cis1?ticket=nope", rp.base))
        .await;
    assert_eq!(resp.status(), 401);
    assert!(resp.text().await.unwrap().contains("could not be signed in"));

    // Nothing was stored: no session for this browser.
    assert_eq!(me(&browser, &rp).await.0, 401);

    // The same live ticket POSTed, URL-encoded by the form: signed in (JSON for a fetch).
    let resp = browser
        .http
        .post(format!("{}/auth/cis1", rp.base))
        .header("accept", "application/json")
        .form(&[("ticket", live.ticket.as_str()), ("return_to", "/home")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "signed_in": true, "path": "cis1", "redirect": "/home" })
    );
    assert_eq!(me(&browser, &rp).await.1["sub"], CLARA);
}

#[tokio::test]
async fn dual_run_bad_or_unknown_ticket_is_a_clear_4xx_and_stores_nothing_memory() {
    bad_tickets(Store::Memory).await;
}

#[tokio::test]
async fn dual_run_bad_or_unknown_ticket_is_a_clear_4xx_and_stores_nothing_redis() {
    bad_tickets(Store::redis().await).await;
}

// ---- the migration log ----

#[derive(Clone, Default)]
struct Logs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

#[tokio::test]
async fn dual_run_every_sign_in_logs_its_path_uid_and_org_never_the_ticket() {
    // A process-wide subscriber: a scoped one on this thread races other tests' threads over the call
    // sites' cached interest. Other tests' lines land in it too; the checks below look for this test's.
    static LOGS: std::sync::OnceLock<Logs> = std::sync::OnceLock::new();
    let logs = LOGS
        .get_or_init(|| {
            let logs = Logs::default();
            let subscriber = tracing_subscriber::fmt()
                .with_writer(logs.clone())
                .with_ansi(false)
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
            logs
        })
        .clone();
    let p = MockIdpProvider::start().await;
    let rp = dual_rp(&p, &Store::Memory, Cutover::users([GINA])).await;

    let ticket = cis1_session(&p, MORGAN, Some(MORGAN_RBA)).ticket;
    cis1_sign_in(&Browser::new(), &rp, &ticket).await;
    p.login(&Browser::new(), &rp, CLARA, Method::Smartcard).await;
    let gina = cis1_session(&p, GINA, None).ticket;
    assert_eq!(cis1_fetch(&Browser::new(), &rp, &gina).await.status(), 403);

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("cis2_server::sign_in"))
        .collect();
    assert!(
        lines.iter().any(|l| l.contains("signed in")
            && l.contains(r#"path="cis1""#)
            && l.contains(&format!("uid={MORGAN}"))
            && l.contains(r#"org="RBA""#)),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.contains("signed in")
            && l.contains(r#"path="cis2""#)
            && l.contains(&format!("uid={CLARA}"))),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.contains(r#"path="cis1""#)
            && l.contains(&format!("uid={GINA}"))
            && l.contains(r#"rule="user""#)),
        "{text}"
    );
    for t in [&ticket, &gina] {
        assert!(!text.contains(t.as_str()), "a ticket reached the log");
        assert!(!text.contains(&enc(t)), "a ticket reached the log");
    }
}
