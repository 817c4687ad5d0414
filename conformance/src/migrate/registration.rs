//! The planned CIS2 registration: what is missing or weak (cis2.md §4, §7, §9 and the onboarding checklist).

use super::input::Cis2Section;
use super::model::{Finding, Level};

/// Whether `u` is an `http` URL outside loopback (`localhost`, `127.0.0.0/8`, `[::1]`).
fn http_outside_loopback(u: &str) -> bool {
    let Ok(url) = url::Url::parse(u) else {
        return false;
    };
    if url.scheme() != "http" {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(d)) => !d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
        None => true,
    }
}

/// The findings, in a fixed order.
pub(super) fn findings(c: &Cis2Section) -> Vec<Finding> {
    let mut out = Vec::new();
    if c.redirect_uris.is_empty() {
        out.push(Finding::new(
            "registration.no-redirect-uri",
            Level::Missing,
            "no redirect URI is planned",
            "list the app's callback URL(s) in cis2.redirect_uris, exactly as the app will send them",
        ));
    }
    for u in c.redirect_uris.iter().filter(|u| http_outside_loopback(u)) {
        out.push(Finding::new(
            "registration.redirect-uri-http",
            Level::Missing,
            format!("redirect URI {u} is plain http outside loopback"),
            "register an https redirect URI (CIS2 allows http only for a native app's loopback callback)",
        ));
    }
    match &c.backchannel_logout_uri {
        None => out.push(Finding::new(
            "registration.no-backchannel-logout",
            Level::Missing,
            "no back-channel logout URI: the app will not learn that a CIS2 session ended or an Identity Agent card was removed",
            "implement back-channel logout (validate the logout_token, end sessions by sid and sub) and set cis2.backchannel_logout_uri",
        )),
        Some(u) if http_outside_loopback(u) => out.push(Finding::new(
            "registration.backchannel-logout-http",
            Level::Missing,
            format!("back-channel logout URI {u} is plain http outside loopback"),
            "serve back-channel logout over https",
        )),
        Some(_) => {}
    }
    match c.auth_method.as_str() {
        "private_key_jwt" => match &c.jwks_uri {
            None => out.push(Finding::new(
                "registration.no-jwks-uri",
                Level::Missing,
                "private_key_jwt is planned but no JWKS URI is",
                "publish the app's public signing keys and set cis2.jwks_uri",
            )),
            Some(u) if http_outside_loopback(u) => out.push(Finding::new(
                "registration.jwks-uri-http",
                Level::Missing,
                format!("JWKS URI {u} is plain http outside loopback"),
                "serve the JWKS over https",
            )),
            Some(_) => {}
        },
        other => out.push(Finding::new(
            "registration.client-secret",
            Level::Weak,
            format!("{other} authenticates the app with a shared secret"),
            "use private_key_jwt (NHS England calls it the most secure option; a secret can leak and must be rotated by hand), with cis2.jwks_uri",
        )),
    }
    out
}
