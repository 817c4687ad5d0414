//! CIS1 (legacy smartcard authentication, retired by 28 February 2027) read into the CIS2 user model, for
//! migration and dual-run (issue #13; facts in cis2.md §14). Sans-IO like the rest of the crate: bodies in,
//! values out, `now` as an argument. Behind the `cis1` feature; works on wasm32.
//!
//! - [`parse_gas_validate`]: the GAS `POST /login/authvalidate` answer (`gpOBJECT`) → [`GasSession`].
//! - [`parse_role_assertion`]: the SSB `GET /saml/RoleAssertion?token=` answer (SAML 1.1) → [`RoleAssertion`];
//!   [`RoleAssertion::check`] checks status, the Conditions window, the subject and the selected role.
//! - [`SsbAssertion::to_user`] / [`GasSession::to_user`]: the same [`Cis2User`](crate::Cis2User),
//!   [`NrbacRole`](crate::NrbacRole)s and [`RoleSelection`](crate::RoleSelection) that CIS2 claims give,
//!   through the one mapping table [`MAPPING`] (cis2.md §14.5, with its [C]/[I]/[?] marks); [`Cis1Mapping`]
//!   overrides its [I] and [?] rows.
//! - [`SsoTicket::url_encoded`] / [`role_assertion_request`]: tickets contain `+ / = @ #` and are
//!   percent-encoded.
//!
//! XML is read strictly: at most [`MAX_DOCUMENT_BYTES`], UTF-8 only, DOCTYPE and entity declarations refused,
//! elements nested at most [`MAX_DEPTH`] deep, namespaces compared by URI (never by prefix), SSB attributes only
//! in the `http://www.syntegra.com` attribute namespace. No input panics.
//!
//! ```
//! use cis2_sdk::cis1::{AssertionExpectations, Cis1Mapping, SsoTicket, parse_role_assertion, role_assertion_request};
//! use cis2_sdk::{RoleSelection, UnixTime};
//!
//! # fn main() -> Result<(), cis2_sdk::cis1::Cis1Error> {
//! let ticket = SsoTicket::new("AQIC5wM2LY4S+B1j=@AAJTSQACMDE=#");
//! let request = role_assertion_request("https://sbapi.nis1.national.ncrs.nhs.uk", &ticket)?;
//! assert!(request.uri().to_string().ends_with("?token=AQIC5wM2LY4S%2BB1j%3D%40AAJTSQACMDE%3D%23"));
//!
//! // The adapter sends `request`; the SSB answers:
//! let body = include_bytes!("../testdata/cis1/role-assertion.xml");
//! let parsed = parse_role_assertion(body)?;
//! let now = UnixTime::from_secs(1_530_196_251); // 2018-06-28T14:30:51Z
//! let assertion = parsed.check(&AssertionExpectations::new("555008640100", now))?;
//! let user = assertion.to_user(&Cis1Mapping::default());
//! if let RoleSelection::Selected { role, .. } = user.selected_role() {
//!     assert_eq!(role.role_code, "S8000:G8000:R8003");
//!     assert!(role.has_activity("B0264"));
//! }
//! # Ok(()) }
//! ```

mod check;
mod error;
mod gas;
mod mapping;
mod saml;
mod ticket;
mod time;
mod user;
mod xml;

pub use self::check::{AssertionExpectations, parse_role_assertion_response, validate_role_assertion};
pub use self::error::{AssertionCheckError, Cis1Error};
pub use self::gas::{GasRole, GasSession, parse_gas_validate};
pub use self::mapping::{
    Certainty, Cis1Attribute, Cis1Mapping, Cis2Target, MAPPING, MappingError, MappingRow, mapping_row,
    saml_row,
};
pub use self::saml::{
    RoleAssertion, SAML_NS, SAMLP_NS, SSB_ASSERTION_VERSION, SYNTEGRA_NS, SamlStatus, SsbAssertion,
    SsbAttribute, SsbJobRole, SsbMode, SsbPerson, parse_role_assertion,
};
pub use self::ticket::{SsoTicket, role_assertion_request, role_assertion_url};
pub use self::user::CIS1_ISSUER;
pub use self::xml::{MAX_DEPTH, MAX_DOCUMENT_BYTES};
