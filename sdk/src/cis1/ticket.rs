//! [`SsoTicket`]: the CIS1 SSO token, and the RoleAssertion request that validates it.

use subtle::ConstantTimeEq;

use super::error::Cis1Error;
use crate::http::HttpRequest;

/// A CIS1 SSO ticket (an OpenSSO/OpenAM token id such as `AQIC5wM2LY4S…=@AAJTSQACMDE=#`), from the Identity
/// Agent's Ticket API or GAS `sso_ticket`. It is a bearer credential for the user's smartcard session.
///
/// `Debug` prints `[redacted]`; there is no `Display` and no `PartialEq`: compare with [`Self::ct_eq`].
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SsoTicket(String);

impl SsoTicket {
    /// Wraps a ticket as received (not URL-encoded).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The ticket. Do not log it.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison with a candidate value.
    pub fn ct_eq(&self, other: &str) -> bool {
        self.0.len() == other.len() && bool::from(self.0.as_bytes().ct_eq(other.as_bytes()))
    }

    /// The ticket percent-encoded for a query string: everything but RFC 3986 unreserved characters
    /// (`A-Z a-z 0-9 - . _ ~`) is encoded, so `+ / = @ #` survive the trip (`+` would otherwise read as a space,
    /// `#` would end the URL).
    pub fn url_encoded(&self) -> String {
        percent_encode(&self.0)
    }
}

impl std::fmt::Debug for SsoTicket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SsoTicket([redacted])")
    }
}

/// Percent-encodes every byte except RFC 3986 unreserved characters.
pub(crate) fn percent_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len().saturating_mul(3));
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// The SSB RoleAssertion URL for a ticket: `<ssb_base>/saml/RoleAssertion?token=<url-encoded ticket>`.
/// `ssb_base` is an `https` origin (`https://sbapi.nis1.national.ncrs.nhs.uk`), or `http` for a mock on a
/// private network; a path, query or fragment on it is refused.
pub fn role_assertion_url(ssb_base: &str, ticket: &SsoTicket) -> Result<String, Cis1Error> {
    let base = url::Url::parse(ssb_base).map_err(|e| Cis1Error::Config {
        setting: "SSB base URL",
        reason: e.to_string(),
    })?;
    let bad = |reason: &str| Cis1Error::Config {
        setting: "SSB base URL",
        reason: reason.to_owned(),
    };
    if !matches!(base.scheme(), "https" | "http") || base.host_str().is_none() {
        return Err(bad("must be an http(s) URL with a host"));
    }
    if !matches!(base.path(), "" | "/") || base.query().is_some() || base.fragment().is_some() {
        return Err(bad("must be an origin, without path, query or fragment"));
    }
    let origin = base.as_str().trim_end_matches('/');
    Ok(format!(
        "{origin}/saml/RoleAssertion?token={}",
        ticket.url_encoded()
    ))
}

/// The `GET /saml/RoleAssertion?token=` request for an adapter to send (no redirects).
pub fn role_assertion_request(ssb_base: &str, ticket: &SsoTicket) -> Result<HttpRequest, Cis1Error> {
    let uri = role_assertion_url(ssb_base, ticket)?;
    http::Request::get(uri)
        .header(http::header::ACCEPT, "text/xml, application/xml")
        .body(Vec::new())
        .map_err(|e| Cis1Error::Config {
            setting: "request",
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_openam_ticket() {
        let t = SsoTicket::new("AQIC5wM2LY4SfcwrRGMHiyxMR3suYWqcF+B1j56GJ4xGut4=@AAJTSQACMDE=#");
        assert_eq!(
            t.url_encoded(),
            "AQIC5wM2LY4SfcwrRGMHiyxMR3suYWqcF%2BB1j56GJ4xGut4%3D%40AAJTSQACMDE%3D%23"
        );
        assert_eq!(format!("{t:?}"), "SsoTicket([redacted])");
    }
}
