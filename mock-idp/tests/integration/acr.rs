//! Issue #14 items 5 and 9: the iPad app, NHSmail and method-specific ACR values through the sdk; the
//! `AAL2_ANY` switch; the login page offering only the methods that can meet the request.

use cis2_sdk::LoginOptions;
use serde_json::{Value, json};

use crate::common::*;

const C: &str = "400000000001.apps.supplier";
const GINA: &str = "656005750108";
/// An AAL2 user (passkey, TOTP, NHSmail, password).
const GREG: &str = "656005750111";

async fn setup() -> (Harness, Rp) {
    let h = start().await;
    let mut c = secret_client(C, "client_secret_post");
    c["backchannel_logout_uri"] = Value::Null;
    h.register(c).await;
    let rp = h.rp(C, post_auth()).await;
    (h, rp)
}

fn acr(v: &str) -> LoginOptions {
    LoginOptions::default().acr_values([v])
}

/// The login page for `acr_values` (and `login_hint`), through `/authorize`: its interaction id and HTML.
async fn login_page(h: &Harness, acr_values: &str, login_hint: Option<&str>) -> (String, String) {
    let mut url = format!(
        "{}?response_type=code&client_id={C}&redirect_uri={REDIRECT}&scope=openid&state=s&nonce=n&acr_values={acr_values}&prompt=login",
        h.url("/authorize")
    );
    if let Some(hint) = login_hint {
        url.push_str(&format!("&login_hint={hint}"));
    }
    let r = h.http.get(url).send().await.unwrap();
    let loc = location(&r);
    assert!(loc.contains("/login?"), "{} {loc}", r.status());
    let interaction = query_param(&loc, "interaction").unwrap();
    let page = h
        .http
        .get(format!("{}{loc}", h.idp.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    (interaction, page.text().await.unwrap())
}

#[tokio::test]
async fn ipad_app_and_nhsmail_reach_the_rp_with_their_acr_and_amr() {
    let (h, rp) = setup().await;
    for (requested, method, amr, aal) in [
        ("AAL3_IOS", "ios", "IOS", 3),
        ("AAL2_NHSMAIL", "nhsmail", "NHSMAIL", 2),
        ("AAL3_ANY", "ios", "IOS", 3),
        ("AAL2_OR_AAL3_ANY", "nhsmail", "NHSMAIL", 2),
    ] {
        let browser = browser();
        let login = rp.login(&h, &browser, &acr(requested), GINA, method).await;
        let done = rp.finish(&h, &login).await.unwrap();
        let id = done
            .id_token
            .unwrap_or_else(|e| panic!("{requested}/{method}: {e}"));
        assert_eq!(id.acr.as_deref(), Some(requested));
        assert_eq!(id.amr, [amr]);
        assert_eq!(id.authentication_assurance_level.map(|l| l.0), Some(aal));
    }
    // The virtual iPad must approve; the NHSmail password must be right.
    let (i, _) = login_page(&h, "AAL3_IOS", None).await;
    let form = [
        ("interaction", i.clone()),
        ("uid", GINA.to_owned()),
        ("method", "ios".to_owned()),
    ];
    assert_eq!(post_form(&h.http, &h.url("/login"), &form).await.status(), 401);
    let form = [
        ("interaction", i),
        ("uid", GINA.to_owned()),
        ("method", "nhsmail".to_owned()),
        ("nhsmail_password", "wrong".to_owned()),
    ];
    assert_eq!(post_form(&h.http, &h.url("/login"), &form).await.status(), 401);
}

#[tokio::test]
async fn a_method_specific_value_is_answered_only_by_that_method_and_checked_by_the_sdk() {
    let (h, rp) = setup().await;
    // The mock refuses every other method, AAL3 or not.
    for (requested, wrong) in [
        ("AAL3_IOS", "smartcard"),
        ("AAL3_FIDO2", "smartcard"),
        ("AAL3_FIDO2", "ios"),
        ("AAL2_NHSMAIL", "totp"),
        ("AAL2_TOTP", "nhsmail"),
        ("AAL2_NHSMAIL", "smartcard"),
    ] {
        let (i, _) = login_page(&h, requested, None).await;
        let mut form = vec![("interaction", i), ("uid", GINA.to_owned())];
        form.extend(credentials(wrong, h.now().await));
        let r = post_form(&h.http, &h.url("/login"), &form).await;
        assert_eq!(r.status(), 403, "{requested} by {wrong}");
        assert!(r.text().await.unwrap().contains("id=\"refused\""));
    }
    // The sdk, for its part, refuses a token whose acr does not name the requested method, even at AAL3.
    h.inject(json!({"client_id": C, "fault": {"kind": "set_claim", "claim": "acr", "value": "AAL3_ANY"}}))
        .await;
    let login = rp.login(&h, &browser(), &acr("AAL3_IOS"), GINA, "ios").await;
    let err = rp.finish(&h, &login).await.unwrap().id_token.unwrap_err();
    assert_eq!(token_code(&err), "token.acr_not_satisfied");
    h.inject(json!({"client_id": C, "fault": {"kind": "set_claim", "claim": "acr", "value": "AAL2_TOTP"}}))
        .await;
    let login = rp
        .login(&h, &browser(), &acr("AAL2_NHSMAIL"), GINA, "nhsmail")
        .await;
    let err = rp.finish(&h, &login).await.unwrap().id_token.unwrap_err();
    assert_eq!(token_code(&err), "token.acr_not_satisfied");
}

#[tokio::test]
async fn aal2_any_means_at_least_aal2_until_switched_to_aal2_only() {
    let (h, rp) = setup().await;
    assert_eq!(h.admin_get("/acr").await["aal2_any"], "at_least_aal2");
    let login = rp
        .login(&h, &browser(), &acr("AAL2_ANY"), GINA, "smartcard")
        .await;
    let id = rp.finish(&h, &login).await.unwrap().id_token.unwrap();
    assert_eq!(id.acr.as_deref(), Some("AAL2_ANY"));
    assert_eq!(id.amr, ["N3_SMARTCARD"]);

    let put = h
        .http
        .put(h.admin("/acr"))
        .json_body(&json!({"aal2_any": "aal2_only"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    assert_eq!(h.admin_get("/acr").await["aal2_any"], "aal2_only");
    // An AAL3 method no longer answers AAL2_ANY, and the page no longer offers it.
    let (i, page) = login_page(&h, "AAL2_ANY", None).await;
    assert!(!page.contains("id=\"method-smartcard\""));
    assert!(page.contains("id=\"method-totp\""));
    let mut form = vec![("interaction", i), ("uid", GINA.to_owned())];
    form.extend(credentials("smartcard", h.now().await));
    assert_eq!(post_form(&h.http, &h.url("/login"), &form).await.status(), 403);
    let login = rp.login(&h, &browser(), &acr("AAL2_ANY"), GINA, "totp").await;
    let id = rp.finish(&h, &login).await.unwrap().id_token.unwrap();
    assert_eq!(id.acr.as_deref(), Some("AAL2_ANY"));
    assert_eq!(id.amr, ["TOTP"]);

    let bad = h
        .http
        .put(h.admin("/acr"))
        .json_body(&json!({"aal2_any": "sometimes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn aal2_any_switch_is_read_from_the_configuration() {
    let mut config = cis2_mock_idp::Config::default();
    config
        .apply_env([("CIS2_MOCK_AAL2_ANY".to_owned(), "aal2_only".to_owned())])
        .unwrap();
    let h = start_with(builder().config(config)).await;
    assert_eq!(h.admin_get("/acr").await["aal2_any"], "aal2_only");
}

#[tokio::test]
async fn login_page_offers_only_methods_that_can_meet_the_request() {
    let (h, _) = setup().await;
    let method = |m: &str| format!("id=\"method-{m}\"");
    // A method-specific value: that method alone.
    let (_, page) = login_page(&h, "AAL3_FIDO2", None).await;
    assert!(page.contains(&method("fido2")));
    for other in [
        "smartcard",
        "ios",
        "passkey_aal3",
        "passkey",
        "totp",
        "nhsmail",
        "password",
    ] {
        assert!(!page.contains(&method(other)), "{other} offered for AAL3_FIDO2");
    }
    // AAL3: the AAL3 methods, each with its own fields revealed under its radio.
    let (_, page) = login_page(&h, "AAL3_ANY", None).await;
    for m in ["smartcard", "fido2", "ios", "passkey_aal3"] {
        assert!(page.contains(&method(m)), "{m}");
    }
    for m in ["passkey", "totp", "nhsmail", "password"] {
        assert!(!page.contains(&method(m)), "{m}");
    }
    assert!(page.contains("data-aria-controls=\"conditional-method-smartcard\""));
    assert!(page.contains("id=\"conditional-method-ios\""));
    // An AAL2 user has nothing that meets AAL3: said on the page, and the form post is refused.
    assert!(page.contains("No authenticator meets this request."));
    let (i, page) = login_page(&h, "AAL3_ANY", Some(GREG)).await;
    assert!(
        page.contains("<div class=\"nhsuk-inset-text\" id=\"no-method\""),
        "{page}"
    );
    assert!(page.contains("Greg Totp has no authenticator that meets the assurance"));
    assert!(
        !page.contains(" hidden><p id=\"no-method-text\">"),
        "the preselected user's message is shown"
    );
    let mut form = vec![("interaction", i), ("uid", GREG.to_owned())];
    form.extend(credentials("totp", h.now().await));
    let r = post_form(&h.http, &h.url("/login"), &form).await;
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("has no authenticator that meets the assurance")
    );
    // AAL2 or AAL3: every field of every method is in the HTML (the form works without JavaScript), and
    // the methods carry the users who can use them.
    let (_, page) = login_page(&h, "AAL2_OR_AAL3_ANY", None).await;
    for field in [
        "name=\"passcode\"",
        "name=\"totp_password\"",
        "name=\"totp\"",
        "name=\"nhsmail_password\"",
        "name=\"ios_approval\"",
    ] {
        assert!(page.contains(field), "{field}");
    }
    assert!(!page.contains(&method("password")));
    let smartcard_item = page
        .split("<div class=\"nhsuk-radios__item\" data-uids=\"")
        .find(|s| s.contains(&method("smartcard")))
        .unwrap();
    assert!(!smartcard_item.split('"').next().unwrap().contains(GREG));
    let totp_item = page
        .split("<div class=\"nhsuk-radios__item\" data-uids=\"")
        .find(|s| s.contains(&method("totp")))
        .unwrap();
    assert!(totp_item.split('"').next().unwrap().contains(GREG));
}

#[tokio::test]
async fn the_totp_method_accepts_its_own_password_field_and_the_shared_one() {
    let (h, _) = setup().await;
    for field in ["totp_password", "password"] {
        h.advance(31).await;
        let (i, _) = login_page(&h, "AAL2_TOTP", None).await;
        let now = h.now().await;
        let form = [
            ("interaction", i),
            ("uid", GINA.to_owned()),
            ("method", "totp".to_owned()),
            (field, cis2_mock_idp::DEFAULT_PASSWORD.to_owned()),
            (
                "totp",
                cis2_mock_idp::totp(cis2_mock_idp::DEFAULT_TOTP_SECRET, now),
            ),
        ];
        let r = post_form(&h.http, &h.url("/login"), &form).await;
        assert_eq!(r.status(), 302, "{field}");
    }
}
