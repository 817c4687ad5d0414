//! # cis2-sdk
//!
//! The sans-IO core of [cis2-kit](https://github.com/cis2-kit/cis2-kit): everything a relying party of NHS
//! England's **Care Identity Service 2** (CIS2) Authentication needs to get the protocol right, with no
//! sockets, no clock reads and no global randomness. HTTP exchanges are `http::Request<Vec<u8>>` /
//! `http::Response<Vec<u8>>` values; `now` and a CSPRNG are arguments. The axum kit (`cis2-server`), the
//! browser package (`cis2-wasm`), the mock IdP and the conformance suite all call this crate; none
//! re-implements a check.
//!
//! ```no_run
//! use cis2_sdk::prelude::*;
//! # fn send(_: HttpRequest) -> HttpResponse { HttpResponse::default() }
//! # fn main() -> Result<(), cis2_sdk::Error> {
//! # let mut rng = rand_core::OsRng; let now = UnixTime::from_secs(1_700_000_000);
//! # let key_pem = "";
//! let config = ClientConfig::new(
//!     Environment::Integration.issuer()?,                    // keeps the explicit :443
//!     ClientId::new("969567331415.apps.national")?,
//!     RedirectUrl::new("https://rp.example/auth/callback")?,
//!     ClientAuth::PrivateKeyJwt(SigningKey::from_pkcs8_pem(key_pem, Algorithm::RS512)?),
//! );
//! let metadata = config.parse_discovery(&send(config.discovery_request()?))?;
//! let client = Cis2Client::new(config, metadata)?;
//! let jwks = cis2_sdk::jwks_from_response(&send(client.jwks_request()?))?;
//!
//! // 1. Redirect the browser; keep `pending` server-side, bound to that browser.
//! let (authorize_url, pending) = client.start_login(&LoginOptions::default().select_role(true), &mut rng, now)?;
//! // 2. On the callback:
//! let callback = Callback::parse("code=…&state=…")?;
//! let verified = client.verify_callback(&pending, &callback, now)?;
//! let tokens = client.parse_token_response(&send(client.token_request(&pending, &verified, &mut rng, now)?))?;
//! let id_token = client.validate_login(&pending, &tokens, &jwks, now)?;
//! let userinfo = match client.userinfo_request(&tokens.access_token) {
//!     Some(req) => Some(client.parse_userinfo(&send(req?), &id_token, &jwks, now)?),
//!     None => None,
//! };
//! let user = Cis2User::new(id_token, userinfo);
//! if let RoleSelection::Selected { role, .. } = user.selected_role() {
//!     println!("{} signed in as {}", user.sub(), role.role_title());
//! }
//! # let _ = authorize_url; Ok(()) }
//! ```
//!
//! ## Features
//!
//! | Name | Description | Default? |
//! |---|---|---|
//! | `rust-crypto` | Signature verification and private_key_jwt signing with RustCrypto (`rsa`, `p256`); works on wasm32 | yes |
//! | `aws-lc` | [`Crypto::aws_lc`], a faster native verifier. Additive: chosen by passing it, never by feature unification | no |
//! | `cis1` | `cis1`: CIS1 GAS and SSB RoleAssertion documents read into the CIS2 user model (migration, dual-run); works on wasm32 | no |
//!
//! Without features the crate still offers claims, ACR/AAL helpers, discovery and JWKS parsing, and flow types:
//! what the browser package needs.
//!
//! ## Security
//!
//! - The signing algorithm is local configuration (RS256 by default); a token header never chooses. `none`
//!   and HMAC are never accepted.
//! - Issuers and endpoints are compared as exact strings: CIS2's `:443` is kept.
//! - `iss`, `aud`, `azp`, `exp`, `iat`, `nonce`, `acr` and `id_assurance_level` are checked every time; the
//!   nonce and the pending login are required arguments. Checks that weaken security live in [`dangerous`].
//! - Adapters must not follow redirects on discovery, JWKS, token or userinfo calls (SSRF).
//! - [`PendingLogin`] holds the PKCE verifier and nonce: keep it server-side.

#![cfg_attr(docsrs, feature(doc_cfg))]
// Network input reaches every number here: no operator may overflow or panic (issue #10). Tests may.
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]
// Without a crypto backend the browser build keeps only the parts it uses.
#![cfg_attr(not(feature = "rust-crypto"), allow(dead_code))]

pub mod acr;
pub mod bff;
mod cache;
#[cfg(feature = "cis1")]
#[cfg_attr(docsrs, doc(cfg(feature = "cis1")))]
pub mod cis1;
pub mod claims;
#[cfg(feature = "rust-crypto")]
mod client;
#[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
mod crypto;
mod discovery;
mod error;
mod flow;
#[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
mod hs256;
mod http;
mod issuer;
mod jose;
mod json;
mod jwks;
mod key_material;
mod logout_claims;
#[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
mod logout_target;
mod secret;
#[cfg(feature = "rust-crypto")]
mod signer;
mod time;
mod token;
#[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
mod validation;

pub use cache::{CacheAction, CachePolicy, Cached, FetchTicket};
pub use claims::{
    AssuranceLevel, Cis2User, IdTokenClaims, NrbacRole, Organisation, RoleCode, RoleSelection, UserInfo,
};
#[cfg(feature = "rust-crypto")]
pub use client::{
    ASSERTION_LIFETIME, AssertionAudience, Cis2Client, ClientAuth, ClientConfig, PENDING_LOGIN_MAX_AGE,
};
#[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
pub use crypto::Crypto;
pub use discovery::{ProviderMetadata, discovery_request, jwks_from_response};
pub use error::{
    CallbackError, ConfigError, Error, ErrorKind, HttpError, LogoutRequestError, OAuthError, OAuthErrorCode,
    ProviderError, TokenError, TokenKind,
};
pub use flow::{
    Callback, LoginOptions, PendingLogin, Prompt, VerifiedCallback, backchannel_logout_token, pkce_challenge,
    random_token, scopes,
};
pub use http::{HttpRequest, HttpResponse, limits};
pub use issuer::{CIS2_REALM_PATH, ClientId, EndpointUrl, Environment, IssuerUrl, RedirectUrl};
pub use jose::{Algorithm, Header, b64url_decode, b64url_encode};
pub use jwks::{Jwk, JwkSet, RejectedKey};
pub use key_material::{MIN_RSA_BITS, PublicKeyMaterial};
pub use logout_claims::{BACKCHANNEL_LOGOUT_EVENT, LogoutTokenClaims};
#[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
pub use logout_target::{LogoutTarget, SessionFacts};
pub use secret::{
    AccessToken, AuthorizationCode, ClientSecret, CsrfState, IdToken, Nonce, PkceVerifier, RefreshToken,
};
#[cfg(feature = "rust-crypto")]
pub use signer::SigningKey;
pub use time::{Clock, UnixTime};
pub use token::TokenResponse;
#[cfg(any(feature = "rust-crypto", feature = "aws-lc"))]
pub use validation::{
    AssertionKey, ClientAssertion, IdTokenExpectations, LogoutExpPolicy, LogoutToken, TokenValidator,
    ValidationPolicy,
};

/// Re-exported dependencies whose types appear in this crate's API.
pub use ::http as http_types;
pub use rand_core;
pub use url;

/// The types a relying party needs most.
pub mod prelude {
    pub use crate::{
        Algorithm, Callback, Cis2User, ClientId, Environment, Error, HttpRequest, HttpResponse,
        IdTokenClaims, IssuerUrl, JwkSet, LoginOptions, PendingLogin, RedirectUrl, RoleSelection, UnixTime,
        UserInfo,
    };
    #[cfg(feature = "rust-crypto")]
    pub use crate::{Cis2Client, ClientAuth, ClientConfig, SigningKey};
}

/// Escape hatches that weaken security. Each use deserves a comment saying why it is safe there.
pub mod dangerous {
    use serde_json::{Map, Value};

    use crate::error::{ConfigError, TokenError};

    /// An issuer served over plain `http` on a host that is not loopback — for a mock IdP in a container
    /// network (`http://mock-idp:9000/...`). Never for a real CIS2 environment: tokens and codes then cross the
    /// network unencrypted. Discovery then accepts `http` endpoints on that issuer's origin only.
    pub fn http_issuer_url(value: impl Into<String>) -> Result<crate::IssuerUrl, ConfigError> {
        crate::IssuerUrl::new_allowing_http(value)
    }

    /// Decodes a token's header and claims **without verifying anything**: for logs and diagnostics only.
    /// Never base a decision on the result.
    pub fn insecure_decode(token: &str) -> Result<(crate::Header, Map<String, Value>), TokenError> {
        let jws = crate::jose::parse_compact(token, usize::MAX)?;
        Ok((jws.header, jws.payload))
    }
}
