//! The realm the issuer names. The mock serves its protocol endpoints and pages under the issuer's path,
//! whatever it is: CIS2's Healthcare realm (`/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare`),
//! the documented dev realm (`…/realms/root/realms/oidc`, cis2.md §1), or any other path.
//!
//! Routes are built from [`Realm::path`] when the router is made. Handlers that write a URL (redirects, form
//! actions, links) read the realm of the request in progress through [`current`]: a task-local set by
//! [`scope`] (the router's middleware) around every request, so the many page helpers that never see the state need no extra
//! parameter. Outside a request (unit tests) it is CIS2's Healthcare realm.

use std::sync::Arc;

use cis2_sdk::CIS2_REALM_PATH;

/// An issuer's realm: its URL path, and the ForgeRock realm name it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Realm {
    /// The issuer's path without a trailing `/` (empty for an issuer at the root).
    pub(crate) path: String,
    /// The ForgeRock realm, e.g. `/NHSIdentity/Healthcare` or `/oidc` (the ID token's `realm` claim); `/` when
    /// the path is not ForgeRock-shaped.
    pub(crate) name: String,
}

impl Realm {
    /// The realm of `issuer`. Refuses an issuer that is not a URL. (The URL parser percent-encodes `{` and
    /// `}`, so every path routes literally.)
    pub(crate) fn of_issuer(issuer: &str) -> Result<Self, String> {
        let url = url::Url::parse(issuer).map_err(|e| format!("issuer {issuer:?}: {e}"))?;
        let path = url.path().trim_end_matches('/').to_owned();
        Ok(Self {
            name: forgerock_name(&path),
            path,
        })
    }

    fn healthcare() -> Self {
        Self {
            path: CIS2_REALM_PATH.to_owned(),
            name: forgerock_name(CIS2_REALM_PATH),
        }
    }
}

/// `…/realms/root/realms/A/realms/B` → `/A/B`; anything else → `/`.
fn forgerock_name(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some(root) = segments.windows(2).position(|w| w == ["realms", "root"]) else {
        return "/".to_owned();
    };
    let mut name = String::new();
    let mut rest = segments.get(root + 2..).unwrap_or_default().chunks(2);
    while let Some([k, v]) = rest.next() {
        if *k != "realms" {
            break;
        }
        name.push('/');
        name.push_str(v);
    }
    if name.is_empty() { "/".to_owned() } else { name }
}

tokio::task_local! {
    static CURRENT: Arc<Realm>;
}

/// The realm of the request in progress (CIS2's Healthcare realm outside a request).
pub(crate) fn current() -> Arc<Realm> {
    CURRENT
        .try_with(Arc::clone)
        .unwrap_or_else(|_| Arc::new(Realm::healthcare()))
}

/// `{realm path}{suffix}` for the request in progress.
pub(crate) fn path(suffix: &str) -> String {
    format!("{}{suffix}", current().path)
}

/// Runs `fut` (a request) with `realm` as [`current`] (the router's middleware, `crate::app`).
pub(crate) async fn scope<F: std::future::Future>(realm: Arc<Realm>, fut: F) -> F::Output {
    CURRENT.scope(realm, fut).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realms_of_issuers() {
        let h = Realm::of_issuer(
            "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare",
        )
        .unwrap();
        assert_eq!(h.path, CIS2_REALM_PATH);
        assert_eq!(h.name, "/NHSIdentity/Healthcare");
        let o = Realm::of_issuer("https://x:443/openam/oauth2/realms/root/realms/oidc/").unwrap();
        assert_eq!(o.path, "/openam/oauth2/realms/root/realms/oidc");
        assert_eq!(o.name, "/oidc");
        let bare = Realm::of_issuer("http://127.0.0.1:9000").unwrap();
        assert_eq!((bare.path.as_str(), bare.name.as_str()), ("", "/"));
        assert_eq!(Realm::of_issuer("http://x/{a}").unwrap().path, "/%7Ba%7D");
        assert!(Realm::of_issuer("not a url").is_err());
        assert_eq!(path("/login"), format!("{CIS2_REALM_PATH}/login"));
    }
}
