//! [`Cis1Error`]: why a CIS1 document was refused, and [`AssertionCheckError`]: which RoleAssertion check failed.

use crate::time::UnixTime;

/// A CIS1 document (GAS `gpOBJECT` or SSB RoleAssertion) could not be read, or a RoleAssertion failed a check.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Cis1Error {
    /// The document is larger than [`super::MAX_DOCUMENT_BYTES`].
    #[error("document of {actual} bytes exceeds the {limit}-byte cap")]
    TooLarge {
        /// The cap.
        limit: usize,
        /// The document's size.
        actual: usize,
    },
    /// The document is not UTF-8.
    #[error("document is not UTF-8")]
    NotUtf8,
    /// The document holds a DOCTYPE or an entity declaration; both are refused.
    #[error("DOCTYPE and entity declarations are refused")]
    Doctype,
    /// The document is not well-formed XML (or declares a namespace wrongly).
    #[error("malformed XML: {0}")]
    Xml(String),
    /// Elements nest deeper than [`super::MAX_DEPTH`], or the document has more nodes than allowed.
    #[error("XML nests deeper than {limit} elements or has too many nodes")]
    TooDeep {
        /// The depth cap.
        limit: usize,
    },
    /// An element is not the one expected here (local name and namespace URI).
    #[error("expected element {expected}, found {found}")]
    UnexpectedElement {
        /// `{namespace-uri}local-name` expected.
        expected: &'static str,
        /// `{namespace-uri}local-name` found.
        found: String,
    },
    /// A required element is missing.
    #[error("missing element {0}")]
    MissingElement(&'static str),
    /// An element occurs more often than allowed.
    #[error("element {0} occurs more than once")]
    DuplicateElement(&'static str),
    /// A required XML attribute is missing.
    #[error("element {element} lacks attribute {attribute}")]
    MissingXmlAttribute {
        /// The element.
        element: &'static str,
        /// The attribute.
        attribute: &'static str,
    },
    /// A SAML attribute's `AttributeNamespace` is not `http://www.syntegra.com`.
    #[error(
        "attribute {name} has AttributeNamespace {found:?}, expected {}",
        super::saml::SYNTEGRA_NS
    )]
    WrongAttributeNamespace {
        /// The attribute's name.
        name: String,
        /// The namespace it declared.
        found: String,
    },
    /// A required CIS1 value (SAML attribute or GAS `gpPARAM`) is missing.
    #[error("missing {0}")]
    Missing(&'static str),
    /// A CIS1 value occurs twice where it may occur once (same block, or several values for a one-value
    /// attribute).
    #[error("{0} occurs more than once")]
    Duplicate(String),
    /// A job-role attribute appears before the first `nhsIdCode`, or a person attribute inside a job-role block.
    #[error("attribute {name} is outside its block ({reason})")]
    Misplaced {
        /// The attribute's name.
        name: String,
        /// What was wrong.
        reason: &'static str,
    },
    /// A value has the wrong shape.
    #[error("{field} is invalid: {reason}")]
    InvalidValue {
        /// The value's name.
        field: &'static str,
        /// What was wrong.
        reason: &'static str,
    },
    /// `ssbAssertionVersion` is not `1.1`.
    #[error("ssbAssertionVersion {0:?} is not 1.1")]
    UnsupportedVersion(String),
    /// The SSB answered with an HTTP status other than 200.
    #[error("HTTP status {0}")]
    HttpStatus(u16),
    /// A URL or request could not be built.
    #[error("invalid {setting}: {reason}")]
    Config {
        /// What was being built.
        setting: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// The RoleAssertion parsed but failed a check.
    #[error("RoleAssertion rejected: {0}")]
    Check(#[from] AssertionCheckError),
}

impl Cis1Error {
    /// A stable, machine-readable code (`cis1.doctype`, `cis1.check.subject_mismatch`, …) for logs and JSON bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "cis1.too_large",
            Self::NotUtf8 => "cis1.not_utf8",
            Self::Doctype => "cis1.doctype",
            Self::Xml(_) => "cis1.malformed_xml",
            Self::TooDeep { .. } => "cis1.too_deep",
            Self::UnexpectedElement { .. } => "cis1.unexpected_element",
            Self::MissingElement(_) => "cis1.missing_element",
            Self::DuplicateElement(_) => "cis1.duplicate_element",
            Self::MissingXmlAttribute { .. } => "cis1.missing_xml_attribute",
            Self::WrongAttributeNamespace { .. } => "cis1.wrong_attribute_namespace",
            Self::Missing(_) => "cis1.missing_value",
            Self::Duplicate(_) => "cis1.duplicate_value",
            Self::Misplaced { .. } => "cis1.misplaced_attribute",
            Self::InvalidValue { .. } => "cis1.invalid_value",
            Self::UnsupportedVersion(_) => "cis1.unsupported_version",
            Self::HttpStatus(_) => "cis1.http_status",
            Self::Config { .. } => "cis1.config",
            Self::Check(e) => e.code(),
        }
    }
}

/// A RoleAssertion check that failed, with what was expected and what the document said.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AssertionCheckError {
    /// The status is not `samlp:Success`: the CIS1 session has ended (logout, expiry, card removal) or the ticket
    /// is unknown.
    #[error("status {actual:?}, expected samlp:Success")]
    Status {
        /// The `StatusCode` `Value` as sent.
        actual: String,
    },
    /// `now` (plus leeway) is before `NotBefore`.
    #[error("not valid before {not_before} (now {now}, leeway {leeway_secs}s)")]
    NotYetValid {
        /// `Conditions/@NotBefore`.
        not_before: UnixTime,
        /// The time passed in.
        now: UnixTime,
        /// The leeway allowed.
        leeway_secs: u64,
    },
    /// `now` (minus leeway) is at or after `NotOnOrAfter`.
    #[error("expired at {not_on_or_after} (now {now}, leeway {leeway_secs}s)")]
    Expired {
        /// `Conditions/@NotOnOrAfter`.
        not_on_or_after: UnixTime,
        /// The time passed in.
        now: UnixTime,
        /// The leeway allowed.
        leeway_secs: u64,
    },
    /// The subject's uid is not the expected user's.
    #[error("subject uid {actual:?}, expected {expected:?}")]
    SubjectMismatch {
        /// The uid expected (from the session or the card).
        expected: String,
        /// The uid in the assertion.
        actual: String,
    },
    /// `ssbSessionRoleUid` names none of the job-role blocks' `uniqueIdentifier`s.
    #[error("selected role {selected:?} is not among the user's roles {roles:?}")]
    UnknownSelectedRole {
        /// `ssbSessionRoleUid`.
        selected: String,
        /// The roles' `uniqueIdentifier`s.
        roles: Vec<String>,
    },
}

impl AssertionCheckError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Status { .. } => "cis1.check.status",
            Self::NotYetValid { .. } => "cis1.check.not_yet_valid",
            Self::Expired { .. } => "cis1.check.expired",
            Self::SubjectMismatch { .. } => "cis1.check.subject_mismatch",
            Self::UnknownSelectedRole { .. } => "cis1.check.unknown_selected_role",
        }
    }
}
