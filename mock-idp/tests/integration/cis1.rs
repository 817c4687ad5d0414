//! CIS1 emulation: GAS (authactivate → card answer → authvalidate, RoleSelectionGP, authlogout) and the SSB
//! role assertion, parsed back with quick-xml; negatives (bad card signature, unknown card, deprecated and
//! series-10 cards, reused challenge, malformed bodies); the session ending on logout, expiry and card
//! removal; the library API the virtual Identity Agent uses.

use std::collections::BTreeMap;

use cis2_mock_idp::{Cis1Error, Cis1SignIn, VirtualCard, virtual_card_response};
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use serde_json::json;

use crate::common::{Harness, JsonExt, JsonResp, start};

const MULTI: &str = "555000000001";
const IA_UA: &str = "Mozilla/4.0(compatible;IE;GACv10. 0. 0. 1)";
const ANALYTICS: &str = r#"{"OSVersion":"Microsoft Windows 10 Enterprise 64-bit","Mode":"Normal","TrainingMode":"False","RemoteSession":"False","CardReaders":["OMNIKEY AG Smart Card Reader USB 0"],"ATR":"3B-F9","SessionId":"VkNaIEDAZQ"}"#;

/// One `gpPARAM`: attributes and text.
#[derive(Debug, Default)]
struct Gp {
    attrs: BTreeMap<String, String>,
    text: String,
}

fn attrs_of(e: &BytesStart<'_>) -> BTreeMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.unwrap();
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.unescape_value().unwrap().into_owned(),
            )
        })
        .collect()
}

/// Text of a run of events: text, CDATA and entity references resolved.
fn push_text(out: &mut String, ev: &Event<'_>) {
    match ev {
        Event::Text(t) => out.push_str(&t.decode().unwrap()),
        Event::GeneralRef(r) => {
            if r.is_char_ref() {
                out.push(r.resolve_char_ref().unwrap().unwrap());
            } else {
                let name = r.decode().unwrap();
                out.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap());
            }
        }
        _ => {}
    }
}

/// Parses a GAS answer into its `gpPARAM`s by name (in order).
fn gp(body: &str) -> Vec<(String, Gp)> {
    let mut r = Reader::from_str(body);
    let mut out = Vec::new();
    let mut cur: Option<(String, Gp)> = None;
    loop {
        let ev = r.read_event().unwrap();
        match &ev {
            Event::Start(e) if e.name().as_ref() == b"gpPARAM" => {
                let mut attrs = attrs_of(e);
                let name = attrs.remove("name").unwrap();
                cur = Some((
                    name,
                    Gp {
                        attrs,
                        text: String::new(),
                    },
                ));
            }
            Event::End(e) if e.name().as_ref() == b"gpPARAM" => out.push(cur.take().unwrap()),
            Event::Eof => break,
            _ => {
                if let Some((_, g)) = cur.as_mut() {
                    push_text(&mut g.text, &ev);
                }
            }
        }
    }
    out
}

fn get<'a>(params: &'a [(String, Gp)], name: &str) -> &'a str {
    &params
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in {params:?}"))
        .1
        .text
}

fn object(params: &[(&str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE USER SYSTEM \"gpOBJECT.DTD\">\n<gpOBJECT>\n",
    );
    for (k, v) in params {
        let v = quick_xml::escape::escape(*v);
        s.push_str(&format!("<gpPARAM name=\"{k}\">{v}</gpPARAM>\n"));
    }
    s.push_str("</gpOBJECT>");
    s
}

async fn post(h: &Harness, path: &str, body: String) -> (u16, String) {
    let r = h
        .http
        .post(format!("{}{path}", h.idp.base_url()))
        .header("user-agent", IA_UA)
        .header("analytics", ANALYTICS)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    if status < 300 {
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/xml"),
            "{:?}",
            r.headers()
        );
    }
    (status, r.text().await.unwrap())
}

async fn card_for(h: &Harness, uid: &str) -> VirtualCard {
    let r = h.admin_post("/cards", json!({ "uid": uid })).await;
    assert_eq!(r.status(), 201);
    let serial = r.json_value().await["serial"].as_str().unwrap().to_owned();
    h.idp.state().card(&serial).unwrap()
}

/// `authactivate`: the challenge and the server signature.
async fn activate(h: &Harness) -> (String, String) {
    let (status, body) = post(
        h,
        "/login/authactivate",
        object(&[
            ("auth_method", "3"),
            ("app_url", "NHST"),
            ("log_session_id", "Ao9qufl+uA"),
            ("device_id", "ab12cd34,ClientIP=10.1.2.3"),
            ("service", "ACTIVATION"),
        ]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let g = gp(&body);
    assert_eq!(get(&g, "service"), "ACTIVATION");
    assert_eq!(get(&g, "log_session_id"), "Ao9qufl+uA");
    (get(&g, "challenge").to_owned(), get(&g, "signature").to_owned())
}

fn validate_body(challenge: &str, signature: &str, uid: &str, response: &str) -> String {
    object(&[
        ("auth_method", "3"),
        ("app_url", "NHST"),
        ("log_session_id", "Ao9qufl+uA"),
        ("device_id", "ab12cd34,ClientIP=10.1.2.3"),
        ("service", "AUTHENTICATION"),
        ("challenge", challenge),
        ("signature", signature),
        ("uid", uid),
        ("card_type", "p11"),
        ("response", response),
        ("mobility", "0"),
    ])
}

/// activate → the card signs → validate.
async fn sign_in(h: &Harness, card: &VirtualCard) -> (u16, String) {
    let (challenge, signature) = activate(h).await;
    let response = virtual_card_response(card, &challenge);
    post(
        h,
        "/login/authvalidate",
        validate_body(&challenge, &signature, &card.uid, &response),
    )
    .await
}

fn error_code(body: &str) -> String {
    get(&gp(body), "error_code").to_owned()
}

/// `?token=` with the ticket URL-encoded as a client must.
fn assertion_url(h: &Harness, ticket: &str) -> String {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", ticket)
        .finish();
    format!("{}/saml/RoleAssertion?{q}", h.idp.base_url())
}

async fn role_assertion(h: &Harness, ticket: &str) -> (u16, String) {
    let r = h.http.get(assertion_url(h, ticket)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A parsed role assertion.
#[derive(Debug, Default)]
struct Saml {
    status: Vec<String>,
    /// (element, attributes) in document order.
    elements: Vec<(String, BTreeMap<String, String>)>,
    /// (AttributeName, AttributeNamespace, values) in document order.
    attributes: Vec<(String, String, Vec<String>)>,
    subject_data: Vec<String>,
}

fn saml(body: &str) -> Saml {
    let mut r = Reader::from_str(body);
    r.config_mut().trim_text(true);
    let mut out = Saml::default();
    let mut text = String::new();
    loop {
        let ev = r.read_event().unwrap();
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let attrs = attrs_of(e);
                if name == "samlp:StatusCode" {
                    out.status.push(attrs["Value"].clone());
                }
                if name == "saml:Attribute" {
                    out.attributes.push((
                        attrs["AttributeName"].clone(),
                        attrs["AttributeNamespace"].clone(),
                        Vec::new(),
                    ));
                }
                out.elements.push((name, attrs));
                text.clear();
            }
            Event::End(e) => {
                match e.name().as_ref() {
                    b"saml:AttributeValue" => out.attributes.last_mut().unwrap().2.push(text.clone()),
                    b"saml:SubjectConfirmationData" if !text.is_empty() => {
                        out.subject_data.push(text.clone())
                    }
                    _ => {}
                }
                text.clear();
            }
            Event::Eof => break,
            _ => push_text(&mut text, &ev),
        }
    }
    out
}

/// UNIX seconds from `2018-06-28T14:30:51Z`.
fn secs(iso: &str) -> i64 {
    let n = |a: usize, b: usize| iso[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
}

fn attr<'a>(s: &'a Saml, name: &str) -> Vec<&'a Vec<String>> {
    s.attributes
        .iter()
        .filter(|(n, _, _)| n == name)
        .map(|(_, _, v)| v)
        .collect()
}

#[tokio::test]
async fn gas_happy_path_then_role_assertion_then_logout() {
    let h = start().await;
    let card = card_for(&h, MULTI).await;
    assert_eq!(card.series, 9);
    let (status, body) = sign_in(&h, &card).await;
    assert_eq!(status, 200, "{body}");
    let g = gp(&body);
    assert_eq!(get(&g, "cn"), "Morgan Multirole");
    assert_eq!(get(&g, "service"), "AUTHENTICATION");
    assert_eq!(get(&g, "sso_session_time"), "600");
    assert_eq!(get(&g, "sso_max_session_time"), "600");
    assert_eq!(
        get(&g, "sso_logout_url"),
        format!("{}/login/authlogout", h.idp.base_url())
    );
    let roles: Vec<&(String, Gp)> = g.iter().filter(|(n, _)| n.starts_with("nhsjobrole")).collect();
    let user = h.idp.state().user(MULTI).unwrap();
    assert_eq!(roles.len(), user.roles.len());
    for (n, ((name, p), r)) in roles.iter().zip(&user.roles).enumerate() {
        assert_eq!(name, &format!("nhsjobrole{n}"));
        assert_eq!(p.attrs["id"], r.person_roleid);
        assert_eq!(p.attrs["orgcode"], r.org_code);
        assert!(p.text.ends_with(&format!(", {}", r.role_name)), "{}", p.text);
    }
    assert!(
        roles[1]
            .1
            .text
            .starts_with("SOMERSET NHS FOUNDATION TRUST, \"Clinical\"")
    );
    // "Admin & Clerical" arrives escaped, quotes as they are (cis2.md §14.3).
    assert!(body.contains("\"Admin &amp; Clerical\""), "{body}");
    let ticket = get(&g, "sso_ticket").to_owned();
    for c in ['+', '/', '=', '@', '#'] {
        assert!(ticket.contains(c), "{ticket}");
    }
    let session = h.idp.state().cis1_session(&ticket).unwrap();
    assert_eq!(session.uid, MULTI);
    assert_eq!(session.client_ip, "10.1.2.3");
    assert_eq!(session.user_agent.as_deref(), Some(IA_UA));
    assert_eq!(session.analytics.as_ref().unwrap()["Mode"], "Normal");
    assert_eq!(session.selected_roleid.as_deref(), Some("555000000101"));
    assert!(h.idp.state().card(&card.serial).unwrap().inserted);

    // A client that forgets to URL-encode the ticket loses everything after '#' (and '+' turns into ' ').
    let naive = format!("{}/saml/RoleAssertion?token={ticket}", h.idp.base_url());
    let r = h.http.get(naive).send().await.unwrap().text().await.unwrap();
    assert!(saml(&r).status.contains(&"samlp:Requester".to_owned()), "{r}");

    // Role selection, as the IA does after the user picks a role.
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", &ticket)
        .append_pair("selectedRoleUid", "555000000103")
        .append_pair("ssbMode", "0")
        .append_pair("fallbackStatus", "0")
        .append_pair("gacVersion", "GACv10. 0. 0. 1")
        .finish();
    let r = h
        .http
        .get(format!("{}/saml/RoleSelectionGP.jsp?{q}", h.idp.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("OK"));

    let now = h.now().await.as_secs() as i64;
    let (status, doc) = role_assertion(&h, &ticket).await;
    assert_eq!(status, 200, "{doc}");
    let s = saml(&doc);
    assert_eq!(s.status, ["samlp:Success"], "{doc}");
    assert!(
        s.attributes
            .iter()
            .all(|(_, ns, _)| ns == "http://www.syntegra.com")
    );
    assert!(
        s.attributes
            .iter()
            .all(|(_, _, v)| !v.is_empty() && v.iter().all(|x| !x.is_empty()))
    );
    // Header block, person block.
    let names: Vec<&str> = s.attributes.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names[..5],
        ["ssbAssertionVersion", "cn", "uid", "ssbSessionRoleUid", "ssbMode"]
    );
    assert_eq!(attr(&s, "ssbAssertionVersion")[0], &["1.1"]);
    assert_eq!(attr(&s, "cn")[0], &["Morgan Multirole"]);
    assert_eq!(attr(&s, "uid")[0], &[MULTI]);
    assert_eq!(attr(&s, "ssbSessionRoleUid")[0], &["555000000103"]);
    assert_eq!(attr(&s, "ssbMode")[0], &["0"]);
    // One job-role block per role, each opening with nhsIdCode.
    let blocks: Vec<&[&str]> = {
        let rest = &names[5..];
        assert_eq!(rest[0], "nhsIdCode");
        let starts: Vec<usize> = (0..rest.len()).filter(|&i| rest[i] == "nhsIdCode").collect();
        starts
            .iter()
            .enumerate()
            .map(|(k, &i)| &rest[i..starts.get(k + 1).copied().unwrap_or(rest.len())])
            .collect()
    };
    assert_eq!(blocks.len(), user.roles.len());
    for (b, r) in blocks.iter().zip(&user.roles) {
        assert_eq!(b[0], "nhsIdCode");
        assert!(
            b.contains(&"uniqueIdentifier") && b.contains(&"nhsJobRoleCode") && b.contains(&"nhsJobRole")
        );
        assert_eq!(b.contains(&"nhsBusinessFunctions"), !r.activities.is_empty());
    }
    assert_eq!(
        attr(&s, "uniqueIdentifier")
            .iter()
            .map(|v| v[0].as_str())
            .collect::<Vec<_>>(),
        ["555000000101", "555000000102", "555000000103"]
    );
    assert_eq!(
        attr(&s, "nhsIdCode")
            .iter()
            .map(|v| v[0].as_str())
            .collect::<Vec<_>>(),
        ["X09", "RBA", "RBA"]
    );
    assert_eq!(attr(&s, "o")[1], &["SOMERSET NHS FOUNDATION TRUST"]);
    assert_eq!(attr(&s, "nhsJobRoleCode")[0], &["S8000:G8000:R8000"]);
    assert_eq!(attr(&s, "nhsBusinessFunctionsCodes")[0], &["B0100", "B0420"]);
    // Namespaces, subject, ticket, Conditions −3 min … +1 min.
    fn el<'a>(s: &'a Saml, name: &'a str) -> impl Iterator<Item = &'a BTreeMap<String, String>> {
        s.elements.iter().filter(move |(n, _)| n == name).map(|(_, a)| a)
    }
    let el = |name: &'static str| el(&s, name);
    let resp = el("samlp:Response").next().unwrap();
    assert_eq!(resp["xmlns:samlp"], "urn:oasis:names:tc:SAML:1.0:protocol");
    assert_eq!(resp["MajorVersion"], "1");
    assert_eq!(resp["MinorVersion"], "1");
    assert_eq!(resp["Recipient"], "10.1.2.3");
    let outer = el("saml:Assertion").next().unwrap();
    assert_eq!(outer["xmlns:saml"], "urn:oasis:names:tc:SAML:1.0:assertion");
    let issued = secs(&outer["IssueInstant"]);
    assert!((issued - now).abs() <= 5, "{issued} vs {now}");
    let conditions: Vec<_> = el("saml:Conditions").collect();
    assert_eq!(conditions.len(), 2);
    for c in conditions {
        assert_eq!(secs(&c["NotBefore"]), issued - 180);
        assert_eq!(secs(&c["NotOnOrAfter"]), issued + 60);
    }
    for n in el("saml:NameIdentifier") {
        assert_eq!(n["NameQualifier"], "o=nhs");
    }
    assert!(doc.contains(&format!(">uid={MULTI},ou=People,o=nhs<")));
    assert_eq!(s.subject_data, std::slice::from_ref(&ticket));
    assert!(
        el("saml:AuthenticationStatement")
            .next()
            .unwrap()
            .contains_key("AuthenticationInstant")
    );
    // The library gives the same document shape.
    assert!(h.idp.state().cis1_role_assertion(&ticket).is_ok());

    // authlogout ends it: RoleAssertion fails from then on.
    let logout = object(&[
        ("service", "LOGOUT"),
        ("sso_ticket", &ticket),
        ("log_session_id", "Ao9qufl+uA"),
        ("device_id", "ab12cd34,ClientIP=10.1.2.3"),
        ("uid", MULTI),
    ]);
    let (status, body) = post(&h, "/login/authlogout", logout.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(get(&gp(&body), "service"), "LOGOUT");
    let (status, doc) = role_assertion(&h, &ticket).await;
    assert_eq!(status, 200);
    let s = saml(&doc);
    assert_eq!(s.status, ["samlp:Requester", "samlp:RequestDenied"], "{doc}");
    assert!(s.attributes.is_empty() && !doc.contains("saml:Assertion"));
    assert!(h.idp.state().cis1_session(&ticket).is_none());
    // A second logout: the ticket is gone.
    let (status, body) = post(&h, "/login/authlogout", logout).await;
    assert_eq!((status, error_code(&body).as_str()), (404, "no_session"));
}

#[tokio::test]
async fn gas_refuses_bad_cards_and_bad_challenges() {
    let h = start().await;
    let card = card_for(&h, "656005750108").await;
    let other = card_for(&h, "656005750107").await;

    // Signature over another challenge.
    let (challenge, signature) = activate(&h).await;
    let wrong = virtual_card_response(&card, "something else");
    let (status, body) = post(
        &h,
        "/login/authvalidate",
        validate_body(&challenge, &signature, &card.uid, &wrong),
    )
    .await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (401, "bad_card_signature"),
        "{body}"
    );
    // The challenge answered one attempt: the right answer now fails too.
    let right = virtual_card_response(&card, &challenge);
    let (status, body) = post(
        &h,
        "/login/authvalidate",
        validate_body(&challenge, &signature, &card.uid, &right),
    )
    .await;
    assert_eq!((status, error_code(&body).as_str()), (401, "bad_challenge"));

    // Another card's key under this card's serial; a uid that is not the card's.
    let (challenge, signature) = activate(&h).await;
    let mut forged = other.clone();
    forged.serial = card.serial.clone();
    let resp = virtual_card_response(&forged, &challenge);
    let (status, body) = post(
        &h,
        "/login/authvalidate",
        validate_body(&challenge, &signature, &card.uid, &resp),
    )
    .await;
    assert_eq!((status, error_code(&body).as_str()), (401, "bad_card_signature"));
    let (challenge, signature) = activate(&h).await;
    let resp = virtual_card_response(&card, &challenge);
    let (status, body) = post(
        &h,
        "/login/authvalidate",
        validate_body(&challenge, &signature, &other.uid, &resp),
    )
    .await;
    assert_eq!((status, error_code(&body).as_str()), (401, "bad_card_signature"));

    // Unknown card.
    let (challenge, signature) = activate(&h).await;
    let mut ghost = card.clone();
    ghost.serial = "NO-SUCH-CARD".into();
    let resp = virtual_card_response(&ghost, &challenge);
    let (status, body) = post(
        &h,
        "/login/authvalidate",
        validate_body(&challenge, &signature, &card.uid, &resp),
    )
    .await;
    assert_eq!((status, error_code(&body).as_str()), (401, "unknown_card"));

    // A challenge GAS never issued, or a server signature that is not GAS's.
    let (challenge, _) = activate(&h).await;
    let resp = virtual_card_response(&card, &challenge);
    let (status, body) = post(
        &h,
        "/login/authvalidate",
        validate_body(&challenge, "AAAA", &card.uid, &resp),
    )
    .await;
    assert_eq!((status, error_code(&body).as_str()), (401, "bad_challenge"));
    let resp = virtual_card_response(&card, "bWFkZSB1cA==");
    let (status, _) = post(
        &h,
        "/login/authvalidate",
        validate_body("bWFkZSB1cA==", "AAAA", &card.uid, &resp),
    )
    .await;
    assert_eq!(status, 401);

    // An expired challenge.
    let (challenge, signature) = activate(&h).await;
    h.advance(121).await;
    let resp = virtual_card_response(&card, &challenge);
    let (status, body) = post(
        &h,
        "/login/authvalidate",
        validate_body(&challenge, &signature, &card.uid, &resp),
    )
    .await;
    assert_eq!((status, error_code(&body).as_str()), (401, "bad_challenge"));
    assert!(h.idp.state().cis1_sessions().is_empty());
}

async fn put_series(h: &Harness, serial: &str, series: u8) -> reqwest::Response {
    h.http
        .put(h.admin(&format!("/cards/{serial}")))
        .json_body(&json!({ "series": series }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn card_series_and_card_mode() {
    let h = start().await;
    let card = card_for(&h, "656005750108").await;
    for series in [4u8, 5, 6] {
        let r = put_series(&h, &card.serial, series).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.json_value().await["series"], series);
        let (status, body) = sign_in(&h, &card).await;
        assert_eq!(
            (status, error_code(&body).as_str()),
            (403, "card_deprecated"),
            "{body}"
        );
        assert!(get(&gp(&body), "error_description").contains("deprecated"));
    }
    // Series 10 under the Identity Agent: refused.
    assert_eq!(put_series(&h, &card.serial, 10).await.status(), 200);
    let (status, body) = sign_in(&h, &card).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (403, "card_needs_smartcard_connect")
    );
    // Series 8 and 9 work.
    for series in [8u8, 9] {
        put_series(&h, &card.serial, series).await;
        let (status, body) = sign_in(&h, &card).await;
        assert_eq!(status, 200, "{body}");
    }
    // Under Smartcard Connect there is no Identity Agent to talk to GAS (default setting).
    let r = h
        .http
        .put(h.admin("/card-mode"))
        .json_body(&json!({ "mode": "smartcard_connect" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, body) = sign_in(&h, &card).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (403, "smartcard_connect_no_cis1")
    );
    // The admin API refuses series that do not exist, and unknown cards.
    assert_eq!(put_series(&h, &card.serial, 7).await.status(), 400);
    assert_eq!(put_series(&h, "NOPE", 9).await.status(), 404);
    let cards = h.admin_get("/cards").await;
    assert_eq!(cards["cards"][0]["series"], 9);
    let r = h
        .admin_post("/cards", json!({ "uid": MULTI, "serial": "S10", "series": 10 }))
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.json_value().await["series"], 10);
}

#[tokio::test]
async fn gas_series_10_under_smartcard_connect_when_allowed() {
    let mut config = cis2_mock_idp::Config::default();
    config.cis1.gas_under_smartcard_connect = true;
    config.card_mode = cis2_mock_idp::CardMode::SmartcardConnect;
    let h = crate::common::start_with(crate::common::builder().config(config)).await;
    let card = card_for(&h, "656005750108").await;
    put_series(&h, &card.serial, 10).await;
    let (status, body) = sign_in(&h, &card).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn role_assertion_fails_after_expiry_and_card_removal() {
    let h = start().await;
    let st = h.idp.state();
    // Expiry: sso_session_time is 600 minutes on the mock's clock.
    let s = st
        .start_cis1_session(Cis1SignIn::new("656005750108", "1234"))
        .unwrap();
    assert_eq!(s.selected_roleid.as_deref(), Some("656005754108"));
    assert_eq!(role_assertion(&h, &s.ticket).await.0, 200);
    assert_eq!(
        saml(&role_assertion(&h, &s.ticket).await.1).status,
        ["samlp:Success"]
    );
    h.advance(600 * 60 - 5).await;
    assert_eq!(
        saml(&role_assertion(&h, &s.ticket).await.1).status,
        ["samlp:Success"]
    );
    h.advance(10).await;
    let doc = role_assertion(&h, &s.ticket).await.1;
    assert_eq!(saml(&doc).status[0], "samlp:Requester", "{doc}");
    assert!(st.cis1_session(&s.ticket).is_none());

    // Card removal through the admin API.
    let s = st
        .start_cis1_session(Cis1SignIn::new(MULTI, "1234").with_role("555000000102"))
        .unwrap();
    let doc = role_assertion(&h, &s.ticket).await.1;
    assert_eq!(attr(&saml(&doc), "ssbSessionRoleUid")[0], &["555000000102"]);
    let r = h
        .admin_post(&format!("/cards/{}/remove", s.card_serial), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let v = r.json_value().await;
    assert_eq!(v["ended_cis1_sessions"], json!([s.ticket]));
    assert_eq!(
        saml(&role_assertion(&h, &s.ticket).await.1).status[0],
        "samlp:Requester"
    );

    // Card removal through the library (AppState::remove_card), in Smartcard Connect mode too.
    let s = st.start_cis1_session(Cis1SignIn::new(MULTI, "1234")).unwrap();
    st.set_card_mode(cis2_mock_idp::CardMode::SmartcardConnect);
    st.remove_card(&s.card_serial).unwrap();
    assert!(st.cis1_session(&s.ticket).is_none());
    assert!(st.cis1_role_assertion(&s.ticket).is_err());
}

#[tokio::test]
async fn library_api_refusals() {
    let h = start().await;
    let st = h.idp.state();
    let e = |r: Result<cis2_mock_idp::Cis1Session, Cis1Error>| r.unwrap_err();
    assert_eq!(
        e(st.start_cis1_session(Cis1SignIn::new(MULTI, "0000"))),
        Cis1Error::WrongPasscode
    );
    assert_eq!(
        e(st.start_cis1_session(Cis1SignIn::new("nobody", "1234"))),
        Cis1Error::UnknownUser
    );
    assert_eq!(
        e(st.start_cis1_session(Cis1SignIn::new(MULTI, "1234").with_role("656005754108"))),
        Cis1Error::UnknownRole
    );
    let s = st.start_cis1_session(Cis1SignIn::new(MULTI, "1234")).unwrap();
    st.set_card_series(&s.card_serial, 5).unwrap();
    let err = e(st.start_cis1_session(Cis1SignIn::new(MULTI, "1234")));
    assert_eq!(err.code(), "card_deprecated");
    assert_eq!(err.status(), 403);
    assert!(st.set_card_series(&s.card_serial, 11).is_err());
    // The live session still reads; ending it works once; the admin API lists and ends sessions.
    assert_eq!(st.cis1_sessions().len(), 1);
    assert!(st.end_cis1_session(&s.ticket));
    assert!(!st.end_cis1_session(&s.ticket));
    st.set_card_series(&s.card_serial, 9).unwrap();
    let s = st.start_cis1_session(Cis1SignIn::new(MULTI, "1234")).unwrap();
    let listed = h.admin_get("/cis1/sessions").await;
    assert_eq!(listed[0]["ticket"], s.ticket);
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("ticket", &s.ticket)
        .finish();
    let r = h
        .http
        .delete(h.admin(&format!("/cis1/sessions?{q}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = h
        .http
        .delete(h.admin(&format!("/cis1/sessions?{q}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // A user without roles: no ssbSessionRoleUid, no job-role block.
    let s = st
        .start_cis1_session(Cis1SignIn::new("555000000002", "1234"))
        .unwrap();
    let sm = saml(&st.cis1_role_assertion(&s.ticket).unwrap());
    assert!(attr(&sm, "ssbSessionRoleUid").is_empty() && attr(&sm, "nhsIdCode").is_empty());
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx() {
    let h = start().await;
    for (path, body) in [
        ("/login/authactivate", String::new()),
        ("/login/authactivate", "not xml".into()),
        (
            "/login/authactivate",
            "<gpOBJECT><gpPARAM name=\"service\">&xxe;</gpPARAM></gpOBJECT>".into(),
        ),
        ("/login/authactivate", object(&[("service", "AUTHENTICATION")])),
        (
            "/login/authactivate",
            "<gpOBJECT><gpPARAM name=\"service\">ACTIVATION</gpPARAM>".into(),
        ),
        ("/login/authvalidate", object(&[("service", "AUTHENTICATION")])),
        (
            "/login/authvalidate",
            object(&[
                ("service", "AUTHENTICATION"),
                ("challenge", "x"),
                ("signature", "y"),
                ("uid", "z"),
                ("response", "%%%"),
            ]),
        ),
        ("/login/authlogout", object(&[("service", "LOGOUT")])),
        (
            "/login/authlogout",
            object(&[("service", "LOGOUT"), ("sso_ticket", "nope")]),
        ),
    ] {
        let (status, resp) = post(&h, path, body.clone()).await;
        assert!((400..500).contains(&status), "{path} {body}: {status} {resp}");
        if !resp.is_empty() {
            assert!(!error_code(&resp).is_empty(), "{resp}");
        }
    }
    let (status, _) = post(
        &h,
        "/login/authactivate",
        format!("<gpOBJECT>{}</gpOBJECT>", " ".repeat(20_000)),
    )
    .await;
    assert_eq!(status, 413);
    let (status, _) = post(
        &h,
        "/login/authactivate",
        String::from_utf8_lossy(&[0xff, 0xfe]).into_owned(),
    )
    .await;
    assert_eq!(status, 400);
    let r = h
        .http
        .get(format!("{}/saml/RoleAssertion", h.idp.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(saml(&r.text().await.unwrap()).status[0], "samlp:Requester");
    for q in ["", "?token=x", "?token=x&selectedRoleUid=1&ssbMode=7"] {
        let r = h
            .http
            .get(format!("{}/saml/RoleSelectionGP.jsp{q}", h.idp.base_url()))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{q}: {}", r.status());
        assert!(r.text().await.unwrap().starts_with("ERROR"));
    }
}
