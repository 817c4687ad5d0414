#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

#[test]
fn presets_keep_the_explicit_port() {
    for env in [
        Environment::Integration,
        Environment::Live,
        Environment::DevHealthcare,
    ] {
        let iss = env.issuer().unwrap();
        assert!(iss.as_str().contains(".uk:443/openam"), "{iss}");
        assert!(iss.as_str().ends_with(CIS2_REALM_PATH));
        // The parsed URL drops the default port; the string we compare must not.
        assert!(!iss.url().as_str().contains(":443"));
    }
    assert_eq!(
        Environment::Live.discovery_url(),
        "https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare/.well-known/openid-configuration"
    );
}

#[test]
fn issuers_compare_as_exact_strings() {
    let a = Environment::Integration.issuer().unwrap();
    let b = IssuerUrl::new(Environment::Integration.issuer_str().replacen(":443", "", 1)).unwrap();
    let c = IssuerUrl::new(format!("{}/", Environment::Integration.issuer_str())).unwrap();
    assert_eq!(a.url(), b.url());
    assert_ne!(a, b);
    assert_ne!(a, c);
}

#[test]
fn urls_are_checked() {
    assert!(IssuerUrl::new("http://127.0.0.1:9000/x").is_ok());
    assert!(IssuerUrl::new("http://localhost:9000/x").is_ok());
    assert!(IssuerUrl::new("http://[::1]:9000/x").is_ok());
    assert!(IssuerUrl::new("http://example.com/x").is_err());
    assert!(IssuerUrl::new("https://example.com/x#frag").is_err());
    assert!(IssuerUrl::new("https://user:pw@example.com/x").is_err());
    assert!(IssuerUrl::new("not a url").is_err());
    assert!(ClientId::new("").is_err());
    assert!(ClientId::new("a b").is_err());
    assert!(ClientId::new("969567331415.apps.national").is_ok());
}
