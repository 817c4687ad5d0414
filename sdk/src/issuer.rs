//! Issuers, environments and URL newtypes that keep the original string.
//!
//! CIS2 issuers carry an explicit `:443`. The `url` crate drops default ports when it serialises
//! (servo/rust-url#28), so every URL here keeps the string it was given; `==` compares those bytes, and the
//! parsed [`url::Url`] is used only to build requests.

use crate::error::ConfigError;

macro_rules! url_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        ///
        /// Equality and hashing use the original string only.
        #[derive(Clone, Debug)]
        pub struct $name {
            raw: String,
            parsed: url::Url,
        }

        impl $name {
            /// Checks that `value` is an absolute `https` URL (or `http` on a loopback host, for the mock IdP and
            /// tests) without a fragment or credentials, and keeps the string exactly as given.
            pub fn new(value: impl Into<String>) -> Result<Self, ConfigError> {
                let raw = value.into();
                let parsed = check_url(&raw, $what, false)?;
                Ok(Self { raw, parsed })
            }

            /// As [`Self::new`], but plain `http` is allowed on any host (see [`crate::dangerous`]).
            #[allow(dead_code)] // not every URL type needs it
            pub(crate) fn new_allowing_http(value: impl Into<String>) -> Result<Self, ConfigError> {
                let raw = value.into();
                let parsed = check_url(&raw, $what, true)?;
                Ok(Self { raw, parsed })
            }

            /// The URL exactly as configured or discovered.
            pub fn as_str(&self) -> &str {
                &self.raw
            }

            /// The parsed URL, for building requests. Do not compare these: compare [`Self::as_str`].
            pub fn url(&self) -> &url::Url {
                &self.parsed
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.raw == other.raw
            }
        }

        impl Eq for $name {}

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.raw.hash(state)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.raw)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.raw)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

url_type!(
    /// An OpenID provider issuer identifier, compared byte for byte.
    IssuerUrl, "issuer"
);
url_type!(
    /// An endpoint URL (authorization, token, userinfo, JWKS, end-session), kept as discovered.
    EndpointUrl, "endpoint"
);
url_type!(
    /// A registered redirect URI, sent exactly as registered.
    RedirectUrl, "redirect_uri"
);

/// Whether a host is a loopback address or `localhost`, where plain `http` is allowed.
pub(crate) fn is_loopback_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn check_url(value: &str, what: &'static str, allow_http: bool) -> Result<url::Url, ConfigError> {
    let bad = |reason: &str| ConfigError::InvalidUrl {
        what,
        value: value.to_owned(),
        reason: reason.to_owned(),
    };
    let url = url::Url::parse(value).map_err(|e| bad(&e.to_string()))?;
    if url.fragment().is_some() {
        return Err(bad("must not have a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not carry credentials"));
    }
    let host = url.host().ok_or_else(|| bad("must have a host"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_http || is_loopback_host(&host) => {}
        _ => return Err(bad("must use https (http only on loopback)")),
    }
    Ok(url)
}

/// An OAuth `client_id`, e.g. `969567331415.apps.national`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ClientId(String);

impl ClientId {
    /// Wraps a client id; it must be non-empty printable ASCII.
    pub fn new(value: impl Into<String>) -> Result<Self, ConfigError> {
        let value = value.into();
        if value.is_empty() || !value.bytes().all(|b| (0x21..0x7f).contains(&b)) {
            return Err(ConfigError::InvalidClientId { value });
        }
        Ok(Self(value))
    }

    /// The client id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Published CIS2 environments. The issuers keep the explicit `:443` that CIS2 puts in tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// Integration (Path to Live), where suppliers test.
    Integration,
    /// Production ("Live").
    Live,
    /// Development, Healthcare realm (issuer not published: the INT pattern is assumed).
    DevHealthcare,
}

impl Environment {
    /// The issuer exactly as CIS2 writes it in `iss`, with `:443`.
    pub const fn issuer_str(self) -> &'static str {
        match self {
            Environment::Integration => {
                "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare"
            }
            Environment::Live => {
                "https://am.nhsidentity.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare"
            }
            Environment::DevHealthcare => {
                "https://am.nhsdev.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare"
            }
        }
    }

    /// The issuer as an [`IssuerUrl`]. (Presets always parse; a test holds that.)
    pub fn issuer(self) -> Result<IssuerUrl, ConfigError> {
        IssuerUrl::new(self.issuer_str())
    }

    /// The discovery URL as the NHS documents it (without `:443`).
    pub fn discovery_url(self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.issuer_str().replacen(":443/", "/", 1)
        )
    }
}

/// The ForgeRock realm path that CIS2 issuers end with; the mock IdP serves the same path.
pub const CIS2_REALM_PATH: &str = "/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare";

#[cfg(test)]
mod tests;
