//! The virtual Identity Agent: the Ticket API (`getTicket` prompts for the PIN and the role, `getTicketNoAuth`
//! never prompts) with its negatives (no session, wrong PIN, a return address outside the allow-list, after
//! logout and card removal), and Identity Agent single sign-on into CIS2: no second PIN, `amr N3_SMARTCARD`,
//! the role chosen at PIN entry as `selected_roleid` without the `selectedrole` scope, and card removal ending
//! both sessions with back-channel logout.

use cis2_sdk::{LoginOptions, Prompt};
use rand::rngs::OsRng;
use serde_json::{Value, json};

use crate::common::*;
use crate::logout::{deliveries, receiver};

const MULTI: &str = "555000000001"; // three roles
const NURSE: &str = "555000000102"; // Morgan's nurse role at RBA
const SINGLE: &str = "656005750108"; // one role
const APP: &str = "http://127.0.0.1:7777/app";
const C: &str = "400000000009.apps.supplier";

fn ia(h: &Harness, path: &str) -> String {
    format!("{}{path}", h.idp.base_url())
}

async fn no_auth(h: &Harness, b: &reqwest::Client) -> (u16, Value) {
    let r = b.get(ia(h, "/ia/getTicketNoAuth")).send().await.unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    (r.status().as_u16(), r.json_value().await)
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The ticket in a `return_to#ticket=…` redirect.
fn ticket_of(location: &str) -> String {
    let (base, fragment) = location.split_once('#').unwrap();
    assert_eq!(base, APP, "{location}");
    url::form_urlencoded::parse(fragment.as_bytes())
        .find(|(k, _)| k == "ticket")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

/// Enters `uid`'s PIN (and picks `role` when asked) on the IA prompt; returns the last answer.
async fn pin_entry(
    h: &Harness,
    b: &reqwest::Client,
    uid: &str,
    role: Option<&str>,
    return_to: &str,
) -> reqwest::Response {
    let url = ia(h, "/ia/getTicket");
    let form = [
        ("action", "pin".to_owned()),
        ("uid", uid.to_owned()),
        ("passcode", cis2_mock_idp::DEFAULT_PASSCODE.to_owned()),
        ("return_to", return_to.to_owned()),
    ];
    let r = post_form(b, &url, &form).await;
    match role {
        None => r,
        Some(role) => {
            assert_eq!(r.status(), 200);
            let page = r.text().await.unwrap();
            assert!(page.contains(&format!("id=\"ia-role-{role}\"")), "{page}");
            let form = [
                ("action", "role".to_owned()),
                ("role", role.to_owned()),
                ("return_to", return_to.to_owned()),
            ];
            post_form(b, &url, &form).await
        }
    }
}

#[tokio::test]
async fn get_ticket_prompts_for_pin_and_role_and_get_ticket_no_auth_never_prompts() {
    let h = start().await;
    let b = browser();

    // No session: getTicketNoAuth says so; getTicket prompts.
    let (status, body) = no_auth(&h, &b).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "no_session");
    let r = b
        .get(ia(&h, &format!("/ia/getTicket?return_to={}", enc(APP))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains(&format!("id=\"ia-uid-{MULTI}\"")) && page.contains("ia-passcode"));

    // The ticket goes only to allow-listed origins, and a wrong PIN opens nothing.
    let r = b
        .get(ia(&h, "/ia/getTicket?return_to=https%3A%2F%2Fevil.example%2F"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let wrong = [
        ("action", "pin".to_owned()),
        ("uid", MULTI.to_owned()),
        ("passcode", "0000".to_owned()),
        ("return_to", APP.to_owned()),
    ];
    let r = post_form(&b, &ia(&h, "/ia/getTicket"), &wrong).await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    assert!(h.idp.state().cis1_sessions().is_empty());

    // PIN, then the role: the ticket comes back in the fragment of return_to.
    let r = pin_entry(&h, &b, MULTI, Some(NURSE), APP).await;
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    let ticket = ticket_of(&location(&r));
    let session = h.idp.state().cis1_session(&ticket).unwrap();
    assert_eq!(session.uid, MULTI);
    assert_eq!(session.selected_roleid.as_deref(), Some(NURSE));
    let saml = h.idp.state().cis1_role_assertion(&ticket).unwrap();
    assert!(saml.contains(&format!("<saml:AttributeValue>{NURSE}</saml:AttributeValue>")));

    // Now both calls return the same ticket without a prompt.
    let (status, body) = no_auth(&h, &b).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ticket"], ticket.as_str());
    assert_eq!(body["uid"], MULTI);
    assert_eq!(body["selected_roleid"], NURSE);
    let r = b
        .get(ia(&h, &format!("/ia/getTicket?return_to={}", enc(APP))))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(ticket_of(&location(&r)), ticket);
    let r = b.get(ia(&h, "/ia/getTicket")).send().await.unwrap();
    assert_eq!(r.json_value().await["ticket"], ticket.as_str());

    // Another workstation (browser) has no session in its Identity Agent.
    assert_eq!(no_auth(&h, &browser()).await.0, 404);

    // Credentialed CORS for allow-listed origins only.
    let r = b
        .get(ia(&h, "/ia/getTicketNoAuth"))
        .header("origin", "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let r = b
        .get(ia(&h, "/ia/getTicketNoAuth"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());

    // After logout there is no ticket, and getTicket prompts again.
    assert!(h.idp.state().end_cis1_session(&ticket));
    let (status, body) = no_auth(&h, &b).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("no_session")));
    let r = b.get(ia(&h, "/ia/getTicket")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("ia-passcode"));
}

#[tokio::test]
async fn card_removal_leaves_the_identity_agent_without_a_ticket() {
    let h = start().await;
    let b = browser();
    // One role: no role page, the ticket comes at once (JSON without return_to).
    let r = pin_entry(&h, &b, SINGLE, None, "").await;
    assert_eq!(r.status(), 200);
    let ticket = r.json_value().await["ticket"].as_str().unwrap().to_owned();
    assert_eq!(no_auth(&h, &b).await.0, 200);

    let serial = h.idp.state().cis1_session(&ticket).unwrap().card_serial;
    let removed = h.admin_post(&format!("/cards/{serial}/remove"), json!({})).await;
    assert_eq!(removed.status(), 200);
    assert_eq!(removed.json_value().await["ended_cis1_sessions"], json!([ticket]));
    let (status, body) = no_auth(&h, &b).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("no_session")));
    assert!(h.idp.state().cis1_role_assertion(&ticket).is_err());
}

#[tokio::test]
async fn identity_agent_single_sign_on_into_cis2_without_a_second_pin_and_card_removal_ends_both() {
    let h = start_with(builder().card_mode(cis2_mock_idp::CardMode::IdentityAgent)).await;
    let (url, _rx) = receiver(0).await;
    let mut c = secret_client(C, "client_secret_post");
    c["backchannel_logout_uri"] = json!(url);
    h.register(c).await;
    let rp = h.rp(C, post_auth()).await;

    // The user signs in to CIS1 in the Identity Agent, choosing the nurse role at PIN entry.
    let r = pin_entry(&h, &h.browser, MULTI, Some(NURSE), APP).await;
    let ticket = ticket_of(&location(&r));
    let cis1 = h.idp.state().cis1_session(&ticket).unwrap();

    // CIS2 sign-in without `selectedrole`: /authorize answers with the code at once (no login page, no PIN,
    // no role page).
    let opts = LoginOptions::default();
    assert!(!opts.scopes.iter().any(|s| s == "selectedrole"));
    let (authorize, pending) = rp.client.start_login(&opts, &mut OsRng, h.now().await).unwrap();
    let r = h.browser.get(authorize.as_str()).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let loc = location(&r);
    assert!(
        loc.starts_with(REDIRECT),
        "the journey asked for something: {loc}"
    );
    let login = crate::common::Login {
        pending,
        callback: loc.split_once('?').unwrap().1.to_owned(),
    };
    let done = rp.finish(&h, &login).await.unwrap();
    let claims = done.id_token.as_ref().unwrap().clone();
    assert_eq!(claims.sub, MULTI);
    assert_eq!(claims.amr, vec!["N3_SMARTCARD".to_owned()]);
    assert_eq!(claims.selected_roleid.as_deref(), Some(NURSE));
    assert_eq!(claims.auth_time, Some(cis1.auth_time));
    let sid = claims.sid.clone().unwrap();

    // A browser on another workstation is asked to sign in; prompt=login asks even here.
    let (authorize, _) = rp.client.start_login(&opts, &mut OsRng, h.now().await).unwrap();
    let r = browser().get(authorize.as_str()).send().await.unwrap();
    assert!(
        location(&r).starts_with(&format!("{REALM}/login")),
        "{}",
        location(&r)
    );
    let fresh = browser();
    let r = pin_entry(&h, &fresh, SINGLE, None, APP).await;
    assert_eq!(r.status(), 302);
    let forced = opts.clone().prompt(Some(Prompt::Login));
    let (authorize, _) = rp.client.start_login(&forced, &mut OsRng, h.now().await).unwrap();
    let r = fresh.get(authorize.as_str()).send().await.unwrap();
    assert!(
        location(&r).starts_with(&format!("{REALM}/login")),
        "{}",
        location(&r)
    );

    // Removing the card ends the CIS1 session and the CIS2 one, with back-channel logout for the latter.
    let removed = h
        .admin_post(&format!("/cards/{}/remove", cis1.card_serial), json!({}))
        .await
        .json_value()
        .await;
    assert_eq!(removed["ended_sessions"], json!([sid]));
    assert_eq!(removed["ended_cis1_sessions"], json!([ticket]));
    let log = deliveries(&h, 1).await;
    let d = log.iter().find(|d| d["sid"] == sid.as_str()).unwrap();
    assert_eq!(
        (d["reason"].as_str(), d["outcome"].as_str()),
        (Some("smartcard_removed"), Some("delivered"))
    );
    assert_eq!(no_auth(&h, &h.browser).await.0, 404);

    // Nothing left to sign in with: the next CIS2 sign-in asks again.
    let (authorize, _) = rp.client.start_login(&opts, &mut OsRng, h.now().await).unwrap();
    let r = h.browser.get(authorize.as_str()).send().await.unwrap();
    assert!(
        location(&r).starts_with(&format!("{REALM}/login")),
        "{}",
        location(&r)
    );
}
