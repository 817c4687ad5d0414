//! The default user agent: HTTP with a cookie jar, redirects followed one by one (each hop is evidence),
//! and the mock IdP's sign-in and role forms submitted as a person would. CIS2 RPs are confidential clients,
//! so a sign-in is server-side redirects and form posts; no JavaScript is needed. With `run --browser` the
//! sign-in journeys run in headless Chromium instead ([`chromium`]), for RPs whose sign-in needs JavaScript.

mod browser;
pub mod chromium;
mod headless;
mod journey;

pub use browser::{AgentError, Browser, Page};
pub use journey::{Credentials, IdpForms, Journey, SignIn};
