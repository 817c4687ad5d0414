//! # cis2-mock-idp
//!
//! A CIS2-faithful OpenID provider that runs offline: a local stand-in for NHS England CIS2 Authentication
//! that behaves like the real one (ForgeRock paths, an issuer that may keep an explicit `:443`, CIS2-style
//! `kid`s, CIS2 claims and their type quirks, back-channel logout) and can be made to misbehave on purpose
//! through its admin API.
//!
//! ```no_run
//! # async fn run() -> Result<(), cis2_mock_idp::StartError> {
//! let idp = cis2_mock_idp::MockIdp::builder().start().await?; // 127.0.0.1:<ephemeral>, in-memory state
//! println!("issuer: {}", idp.issuer());
//! idp.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## Endpoints (under the issuer's path: by default `/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare`)
//!
//! Any realm path works (the dev `…/realms/root/realms/oidc` realm included): the mock serves whatever path the
//! issuer names. `docs/protocol.md` says which behaviours are confirmed CIS2 facts and which are inferred, with
//! the switch for each.
//!
//! | Path | What |
//! |---|---|
//! | `/.well-known/openid-configuration` | discovery; every URL is the issuer string + a suffix |
//! | `/connect/jwk_uri` | JWKS (active key plus rotated-out keys in their grace period) |
//! | `/authorize` | authorization code flow only (GET or form POST) |
//! | `/access_token` | `authorization_code` grant; `client_secret_post`, `client_secret_basic`, `client_secret_jwt`, `private_key_jwt` |
//! | `/introspect`, `/token/revoke` | RFC 7662 introspection and RFC 7009 revocation of access tokens (the token endpoint's client authentication) |
//! | `/userinfo` | JSON, or a signed JWT for clients registered with `userinfo_signed` |
//! | `/connect/endSession` | RP-initiated logout (`id_token_hint`, `client_id`, `post_logout_redirect_uri`, `state`) |
//! | `/login`, `/select-role` | the sign-in journey (HTML forms, no JavaScript needed except for WebAuthn) |
//! | `/manage-authenticators` | register or remove security keys, Windows Hello and passkeys (signed-in user) |
//! | `/webauthn/register/{start,finish}`, `/webauthn/login/{start,finish}` | WebAuthn ceremonies (JSON; CORS for `[webauthn] origins`) |
//!
//! ## CIS1 endpoints (at the root of the mock's origin; see `docs/cis1.md`)
//!
//! | Path | What |
//! |---|---|
//! | `POST /login/authactivate` | GAS: a challenge and the server's signature over it (`gpOBJECT`) |
//! | `POST /login/authvalidate` | GAS: the virtual card's answer ([`virtual_card_response`]) checked; `cn`, `nhsjobroleN`, `sso_ticket`, `sso_session_time`, `sso_logout_url` |
//! | `GET /saml/RoleSelectionGP.jsp` | GAS: the session role (`token`, `selectedRoleUid`); body `OK` |
//! | `POST /login/authlogout` | GAS: ends the CIS1 session |
//! | `GET /saml/RoleAssertion?token=` | SSB: SAML 1.1 role assertion, `samlp:Success` only while the CIS1 session lives |
//! | `GET /ia/getTicketNoAuth` | virtual Identity Agent, never prompts: the live session's ticket (JSON) or `404 no_session` |
//! | `GET\|POST /ia/getTicket` | virtual Identity Agent, prompts when needed: card, PIN, role; the ticket back to `return_to` |
//!
//! The same users, roles and virtual cards serve both; [`AppState::start_cis1_session`] signs in as the virtual
//! Identity Agent does (for no browser). A browser whose Identity Agent holds a live CIS1 session signs in to CIS2
//! without the login page (Identity Agent single sign-on, `amr N3_SMARTCARD`).
//!
//! ## HTTPS
//!
//! With `[tls] enabled` ([`MockIdpBuilder::tls`], `--tls`) the mock also serves HTTPS, TLS 1.2 and 1.3 only, with
//! a local CA written to the data directory as `ca.pem` for RPs to trust, and the default issuer becomes
//! `https://localhost:443/…` (the port always written out; a free port when 443 cannot be bound). See
//! `docs/tls.md` and [`TlsInfo`].
//!
//! The admin API lives at `/admin/api` (see [`admin`](crate#admin-api)) and a small page at `/admin`.
//! Beside it, the Connection Manager API (`POST /api/auth`, `/api/configs/{team_id}[/{config_id}?hash=]`,
//! cis2.md §15.2) registers clients in the same registry, so a supplier's registration script runs unchanged;
//! see `docs/connection-manager.md` and [`ConnectionManagerConfig`].
//!
//! ## Login form (`POST {realm}/login`, `application/x-www-form-urlencoded`)
//!
//! | Field | Value |
//! |---|---|
//! | `interaction` | from the login page URL (`{realm}/login?interaction=…`, where `/authorize` redirects) |
//! | `uid` | the test user's UID (or `username`: the user's login name) |
//! | `method` | `smartcard` (AAL3, needs `passcode`), `totp` (AAL2, needs `password` + `totp`), `password` (AAL1, needs `password`); `fido2` (security key / Windows Hello, AAL3) and `passkey` (AAL2) run a WebAuthn ceremony from the page's script instead of posting |
//! | `passcode` | virtual smartcard passcode (seeded users: `1234`) |
//! | `password` | password (seeded users: `password`) |
//! | `totp` | 6-digit code from [`totp`] over the user's secret and the mock's clock |
//! | `action` | `login` (default) or `cancel` (→ `error=access_denied`) |
//!
//! Wrong credentials answer 401 with the login page again; an authenticator that cannot meet `acr_values`
//! answers 403 with a refusal page (`id="refused"`). On success the SSO cookie `cis2_mock_sso` is set and the
//! response is a 302 to the client's `redirect_uri` with `code` and `state`, or to
//! `{realm}/select-role?interaction=…` when `selectedrole` was requested and the user has several roles.
//! That form takes `interaction` and `role` (a `person_roleid`).
//!
//! With auto-login armed ([`AppState::set_auto_login`], `PUT /admin/api/auto-login`), `GET {realm}/login`
//! signs in without the form, exactly as a successful form post would.
//!
//! ## Admin API
//!
//! JSON over HTTP at `/admin/api`; errors are 4xx `{"error","error_description"}`, the [`AdminError`] kinds
//! that the [`AppState`] methods mirroring the API (`put_user`, `put_client`, `inject_fault`,
//! `set_auto_login`, `mint_logout_token`, `rotate_signing_key_to`) return too. The full reference (users,
//! clients, sessions, auto-login, back-channel deliveries and logout tokens, cards, keys, clock, faults, the
//! observation log) follows.
//!
#![doc = include_str!("../docs/admin-api.md")]
// Handlers return ready `Response`s as early-exit errors; boxing them would only add noise.
#![allow(clippy::result_large_err)]

// Rooms by concern over shared foundations, without import loops: see `docs/layout.md`
// (`cargo xtask module-cycles -p cis2-mock-idp` checks it).
mod admin;
mod app;
mod assets;
mod authenticators;
mod auto_login;
mod bridge;
mod cards;
mod cis1;
mod cis1_sessions;
mod client_hello;
mod clients;
mod clock;
mod config;
mod connection_manager;
mod credentials;
mod ct;
mod deliveries;
mod errors;
mod faults;
mod http;
mod journey;
mod keys;
mod logout;
mod observed;
mod oidc;
mod pages;
mod realm;
mod seed_shapes;
mod seeds;
mod server;
mod sessions;
mod signing;
mod state;
mod store;
mod tls;
mod users;
mod webauthn;

pub use app::{banner, router};
pub use authenticators::{Aal2Any, AcrRules, AuthMethod, default_acr_values, totp};
pub use auto_login::{AutoLogin, AutoLoginRequest};
pub use cards::{
    CardEvent, CardMode, DEFAULT_CARD_SERIES, SeriesRefusal, VirtualCard, check_series, known_series,
};
pub use cis1::card::virtual_card_response;
pub use cis1::control::Cis1SignIn;
pub use cis1::signin::Cis1Error;
pub use cis1_sessions::Cis1Session;
pub use client_hello::{TlsClientHello, client_hello_record, version_name};
pub use clients::{AuthMethodName, Client, Quirks, demo_client};
pub use clock::OffsetClock;
pub use config::admin::AdminConfig;
pub use config::bridge::{BridgeConfig, PUBLISHED_PORTS};
pub use config::cis1::{Cis1Config, RoleAssertionFailure};
pub use config::error::ConfigError;
pub use config::tls::TlsConfig;
pub use config::webauthn::WebauthnConfig;
pub use config::{
    CmTeam, Config, ConnectionManagerConfig, DEFAULT_CM_SECRET, DEFAULT_CM_TEAM_ID, DiscoveryOverrides,
};
pub use deliveries::{Delivery, DeliveryAttempt};
pub use errors::AdminError;
pub use faults::{Fault, InjectRequest, Injected, LogoutMalformation, Target};
pub use keys::cis2_kid;
pub use logout::MintLogoutToken;
pub use observed::{Observed, ObservedEndpoint};
pub use seeds::seed_users;
pub use server::{MockIdp, MockIdpBuilder, RunningMockIdp, StartError};
pub use sessions::{SESSION_COOKIE, SsoSession};
pub use state::{AppState, BridgeState};
pub use tls::TlsInfo;
pub use users::{DEFAULT_PASSCODE, DEFAULT_PASSWORD, DEFAULT_TOTP_SECRET, User, org, role};
