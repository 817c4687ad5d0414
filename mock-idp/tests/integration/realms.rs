//! Realms (issue #14 item 3): the mock serves whatever realm path the issuer names. The documented dev realm
//! `…/realms/root/realms/oidc` (cis2.md §1): discovery, authorize (and the sign-in pages), token, userinfo
//! and JWKS all answer under it, and the Healthcare path does not.

use cis2_sdk::LoginOptions;
use serde_json::json;

use crate::common::*;

const OIDC: &str = "/openam/oauth2/realms/root/realms/oidc";

#[tokio::test]
async fn a_default_issuer_in_the_oidc_realm_serves_the_whole_flow_under_it() {
    let h = start_with(builder().realm(OIDC)).await;
    let issuer = h.idp.issuer().to_owned();
    assert_eq!(issuer, format!("http://{}{OIDC}", h.idp.addr()));
    assert_eq!(h.idp.state().realm_path(), OIDC);
    // Discovery under the realm; every endpoint URL under the issuer, and none answers 404.
    let d = h.discovery().await;
    assert_eq!(d["issuer"], issuer);
    for member in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "introspection_endpoint",
        "revocation_endpoint",
    ] {
        let url = d[member].as_str().unwrap();
        assert!(url.starts_with(&format!("{issuer}/")), "{member}: {url}");
        let status = h.http.post(url).send().await.unwrap().status();
        assert_ne!(status.as_u16(), 404, "{member}: {url}");
    }
    let jwks = h.http.get(d["jwks_uri"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(jwks.status(), 200);
    // The Healthcare realm is not served by this instance.
    let other = format!("{}{REALM}/.well-known/openid-configuration", h.idp.base_url());
    assert_eq!(h.http.get(other).send().await.unwrap().status(), 404);

    // A whole code flow through the sdk: authorize redirects to the login page under the realm, then token,
    // JWKS (ID token validated) and userinfo.
    h.register(pkjwt_client("500000000001.apps.supplier")).await;
    let rp = h.rp("500000000001.apps.supplier", pkjwt_auth()).await;
    let (url, _) = rp
        .client
        .start_login(&LoginOptions::default(), &mut rand::rngs::OsRng, h.now().await)
        .unwrap();
    assert!(url.as_str().starts_with(&format!("{issuer}/authorize?")));
    let r = h.browser.get(url.as_str()).send().await.unwrap();
    assert!(
        location(&r).starts_with(&format!("{OIDC}/login?interaction=")),
        "{}",
        location(&r)
    );
    let login_page = h
        .browser
        .get(format!("{}{}", h.idp.base_url(), location(&r)))
        .send()
        .await
        .unwrap();
    let page = login_page.text().await.unwrap();
    assert!(
        page.contains(&format!("action=\"{OIDC}/login\"")),
        "the login form posts under the realm"
    );
    let opts = LoginOptions::default().scope("nhsperson");
    let (done, id) = rp.full(&h, &opts, "656005750107", "smartcard").await;
    assert_eq!(id.iss, issuer);
    assert_eq!(id.extra["realm"], "/oidc");
    let info = rp.userinfo(&h, &done).await.unwrap();
    assert_eq!(info.sub, "656005750107");
    // A bearer error names the realm.
    let r = h.http.get(h.url("/userinfo")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"oidc\"");
}

#[tokio::test]
async fn an_explicit_dev_issuer_is_served_under_its_own_path() {
    let issuer = format!("https://am.nhsdev.auth-ptl.cis2.spineservices.nhs.uk:443{OIDC}");
    let h = start_with(builder().issuer(issuer.clone())).await;
    assert_eq!(h.idp.state().realm_path(), OIDC);
    let d = h.discovery().await;
    assert!(h.idp.discovery_url().contains(OIDC));
    assert_eq!(d["issuer"], issuer);
    assert_eq!(d["token_endpoint"], format!("{issuer}/access_token"));
    for path in ["/connect/jwk_uri"] {
        assert_eq!(
            h.http.get(h.url(path)).send().await.unwrap().status(),
            200,
            "{path}"
        );
    }
    for path in ["/access_token", "/introspect", "/token/revoke"] {
        let r = post_form(
            &h.http,
            &h.url(path),
            &[("grant_type", "authorization_code".into())],
        )
        .await;
        assert_eq!(oauth_error(r).await, (401, "invalid_client".into()), "{path}");
    }
    let r = h
        .http
        .get(h.url("/authorize?client_id=nope"))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 404);
    // An issuer at the root is served at the root.
    let bare = start_with(builder().issuer("https://idp.example:443")).await;
    assert_eq!(bare.idp.state().realm_path(), "");
    let d = bare
        .http
        .get(format!(
            "{}/.well-known/openid-configuration",
            bare.idp.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json_value()
        .await;
    assert_eq!(
        d["authorization_endpoint"],
        json!("https://idp.example:443/authorize")
    );
    // An issuer that is not a URL is refused at start-up.
    assert!(builder().issuer("not a url").build().is_err());
}
