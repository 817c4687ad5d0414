//! The CIS1 → CIS2 mapping table (cis2.md §14.5) as data, and [`Cis1Mapping`]: the table with its [I] and [?]
//! rows overridden by configuration.

/// How sure a mapping row is (the marks of cis2.md §14.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Certainty {
    /// `[C]`: confirmed by NHS England documentation. Not overridable.
    Confirmed,
    /// `[I]`: inferred from documentation. Overridable.
    Inferred,
    /// `[?]`: unknown. Overridable.
    Unknown,
}

impl Certainty {
    /// `[C]`, `[I]` or `[?]`.
    pub fn mark(self) -> &'static str {
        match self {
            Self::Confirmed => "[C]",
            Self::Inferred => "[I]",
            Self::Unknown => "[?]",
        }
    }
}

/// A CIS1 source of a mapping row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cis1Attribute {
    /// `uid` (SAML person block and subject; the card's uid for GAS).
    Uid,
    /// `cn` (SAML person block, GAS `cn`).
    Cn,
    /// `ssbSessionRoleUid` (SAML; GAS: the role chosen through `RoleSelectionGP.jsp`).
    SsbSessionRoleUid,
    /// `uniqueIdentifier` / GAS `nhsjobroleN@id`.
    UniqueIdentifier,
    /// `nhsJobRoleCode`.
    NhsJobRoleCode,
    /// `nhsJobRole` / the job-role path of GAS `nhsjobroleN`.
    NhsJobRole,
    /// `nhsIdCode` / GAS `nhsjobroleN@orgcode`.
    NhsIdCode,
    /// `o` / the organisation name of GAS `nhsjobroleN`.
    O,
    /// `nhsBusinessFunctions`.
    NhsBusinessFunctions,
    /// `nhsBusinessFunctionsCodes`.
    NhsBusinessFunctionsCodes,
    /// `nhsAreaOfWork`.
    NhsAreaOfWork,
    /// `nhsAreaOfWorkCodes`.
    NhsAreaOfWorkCodes,
    /// `nhsWorkGroups`.
    NhsWorkGroups,
    /// `nhsWorkGroupsCodes`.
    NhsWorkGroupsCodes,
    /// No CIS1 source: CIS2's `person_orgid`.
    PersonOrgId,
    /// `ssbMode`.
    SsbMode,
    /// GAS `sso_session_time`.
    SsoSessionTime,
    /// The smartcard over HSCN that every CIS1 sign-in used.
    Smartcard,
}

/// One row of the mapping table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct MappingRow {
    /// The CIS1 source.
    pub attribute: Cis1Attribute,
    /// Its name in the SSB RoleAssertion, if it has one.
    pub saml: Option<&'static str>,
    /// Where GAS `authvalidate` carries it, if it does.
    pub gas: Option<&'static str>,
    /// The CIS2 claim it becomes (`None`: no CIS2 counterpart).
    pub cis2: Option<&'static str>,
    /// How sure the row is.
    pub certainty: Certainty,
    /// The reference's note.
    pub note: &'static str,
}

impl MappingRow {
    /// Whether configuration may override the row (every row but [C] ones).
    pub fn overridable(&self) -> bool {
        self.certainty != Certainty::Confirmed
    }
}

const fn row(
    attribute: Cis1Attribute,
    saml: Option<&'static str>,
    gas: Option<&'static str>,
    cis2: Option<&'static str>,
    certainty: Certainty,
    note: &'static str,
) -> MappingRow {
    MappingRow {
        attribute,
        saml,
        gas,
        cis2,
        certainty,
        note,
    }
}

use Certainty::{Confirmed as C, Inferred as I, Unknown as U};
use Cis1Attribute as A;

/// The CIS1 → CIS2 mapping (cis2.md §14.5), one row per CIS1 source. Everything in this module maps through it.
pub const MAPPING: [MappingRow; 18] = [
    row(
        A::Uid,
        Some("uid"),
        Some("the card's uid"),
        Some("sub = uid = nhsid_useruid"),
        C,
        "same 12-digit UUID space",
    ),
    row(
        A::Cn,
        Some("cn"),
        Some("cn"),
        Some("name"),
        I,
        "CIS2 also has given_name / family_name",
    ),
    row(
        A::SsbSessionRoleUid,
        Some("ssbSessionRoleUid"),
        Some("selectedRoleUid of RoleSelectionGP.jsp"),
        Some("selected_roleid"),
        I,
        "strong: both are the selected role-profile UID",
    ),
    row(
        A::UniqueIdentifier,
        Some("uniqueIdentifier"),
        Some("nhsjobroleN@id"),
        Some("nhsid_nrbac_roles[].person_roleid"),
        I,
        "",
    ),
    row(
        A::NhsJobRoleCode,
        Some("nhsJobRoleCode"),
        None,
        Some("nhsid_nrbac_roles[].role_code"),
        C,
        "same S:G:R format",
    ),
    row(
        A::NhsJobRole,
        Some("nhsJobRole"),
        Some("nhsjobroleN text after the organisation"),
        Some("nhsid_nrbac_roles[].role_name"),
        C,
        "same quoted colon path",
    ),
    row(
        A::NhsIdCode,
        Some("nhsIdCode"),
        Some("nhsjobroleN@orgcode"),
        Some("nhsid_nrbac_roles[].org_code"),
        I,
        "",
    ),
    row(
        A::O,
        Some("o"),
        Some("nhsjobroleN text before ', \"'"),
        Some("nhsid_user_orgs[].org_name"),
        I,
        "",
    ),
    row(
        A::NhsBusinessFunctions,
        Some("nhsBusinessFunctions"),
        None,
        Some("nhsid_nrbac_roles[].activities"),
        I,
        "",
    ),
    row(
        A::NhsBusinessFunctionsCodes,
        Some("nhsBusinessFunctionsCodes"),
        None,
        Some("nhsid_nrbac_roles[].activity_codes"),
        I,
        "B-codes identical",
    ),
    row(
        A::NhsAreaOfWork,
        Some("nhsAreaOfWork"),
        None,
        Some("nhsid_nrbac_roles[].aow"),
        I,
        "",
    ),
    row(
        A::NhsAreaOfWorkCodes,
        Some("nhsAreaOfWorkCodes"),
        None,
        Some("nhsid_nrbac_roles[].aow_codes"),
        I,
        "",
    ),
    row(
        A::NhsWorkGroups,
        Some("nhsWorkGroups"),
        None,
        Some("nhsid_nrbac_roles[].workgroups"),
        I,
        "",
    ),
    row(
        A::NhsWorkGroupsCodes,
        Some("nhsWorkGroupsCodes"),
        None,
        Some("nhsid_nrbac_roles[].workgroups_codes"),
        I,
        "",
    ),
    row(
        A::PersonOrgId,
        None,
        None,
        Some("nhsid_nrbac_roles[].person_orgid"),
        U,
        "the SDS Organisation Person entry; not in the SAML example",
    ),
    row(
        A::SsbMode,
        Some("ssbMode"),
        None,
        None,
        U,
        "training (1) or live (0); no CIS2 counterpart",
    ),
    row(
        A::SsoSessionTime,
        None,
        Some("sso_session_time"),
        Some("sid / ForgeRock session (here: exp)"),
        I,
        "SSO ticket lifetime, 600 s",
    ),
    row(
        A::Smartcard,
        None,
        None,
        Some("amr [\"N3_SMARTCARD\"], acr AAL3_*"),
        I,
        "smartcard over HSCN",
    ),
];

/// The row of a CIS1 source.
pub fn mapping_row(attribute: Cis1Attribute) -> &'static MappingRow {
    // Every attribute has a row (tested); the fallback is never taken.
    MAPPING
        .iter()
        .find(|r| r.attribute == attribute)
        .unwrap_or(&MAPPING[0])
}

/// The row whose SAML attribute name is `name`.
pub fn saml_row(name: &str) -> Option<&'static MappingRow> {
    MAPPING.iter().find(|r| r.saml == Some(name))
}

/// Where an overridable row's value goes instead of the table's CIS2 claim.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cis2Target {
    /// The table's CIS2 claim.
    Default,
    /// Into `extra` under this member name (the user's `UserInfo::extra` for person values, the role's
    /// `NrbacRole::extra` for job-role values).
    Extra(String),
    /// Not mapped.
    Drop,
}

/// Why an override was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// The row is [C]: the reference confirms it; it cannot be overridden.
    #[error("the {0:?} row is confirmed ([C]) and cannot be overridden")]
    Confirmed(Cis1Attribute),
    /// The row cannot take this target.
    #[error("the {attribute:?} row cannot map to {target:?}")]
    Unsupported {
        /// The row.
        attribute: Cis1Attribute,
        /// The target refused.
        target: Cis2Target,
    },
}

/// The mapping in force: [`MAPPING`] plus overrides of its [I] and [?] rows. `Default` is the table as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cis1Mapping {
    targets: Vec<(Cis1Attribute, Cis2Target)>,
    smartcard_amr: Vec<String>,
    smartcard_acr: Option<String>,
}

impl Default for Cis1Mapping {
    fn default() -> Self {
        Self {
            targets: Vec::new(),
            smartcard_amr: vec!["N3_SMARTCARD".to_owned()],
            smartcard_acr: Some("AAL3_ANY".to_owned()),
        }
    }
}

impl Cis1Mapping {
    /// The table as documented.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends an [I] or [?] row somewhere else. [C] rows are refused; `Extra` is refused for the `Smartcard` row
    /// (use [`Self::with_smartcard_context`]) and `Extra`/`Drop` for `PersonOrgId` (it has no CIS1 source).
    pub fn with_target(mut self, attribute: Cis1Attribute, target: Cis2Target) -> Result<Self, MappingError> {
        if !mapping_row(attribute).overridable() {
            return Err(MappingError::Confirmed(attribute));
        }
        let unsupported = matches!(
            (attribute, &target),
            (Cis1Attribute::Smartcard, Cis2Target::Extra(_))
                | (
                    Cis1Attribute::PersonOrgId,
                    Cis2Target::Extra(_) | Cis2Target::Drop
                )
        );
        if unsupported {
            return Err(MappingError::Unsupported { attribute, target });
        }
        self.targets.retain(|(a, _)| *a != attribute);
        if target != Cis2Target::Default {
            self.targets.push((attribute, target));
        }
        Ok(self)
    }

    /// The `amr` and `acr` a CIS1 sign-in is given (default `["N3_SMARTCARD"]`, `AAL3_ANY`): the [I] row
    /// "smartcard over HSCN".
    pub fn with_smartcard_context(mut self, amr: Vec<String>, acr: Option<String>) -> Self {
        self.smartcard_amr = amr;
        self.smartcard_acr = acr;
        self
    }

    /// Where a row's value goes.
    pub fn target(&self, attribute: Cis1Attribute) -> &Cis2Target {
        const DEFAULT: &Cis2Target = &Cis2Target::Default;
        // ssbMode has no CIS2 claim: by default it is kept on the parsed assertion only.
        const DROP: &Cis2Target = &Cis2Target::Drop;
        match self.targets.iter().find(|(a, _)| *a == attribute) {
            Some((_, t)) => t,
            None if attribute == Cis1Attribute::SsbMode => DROP,
            None => DEFAULT,
        }
    }

    /// The `amr` given to CIS1 sign-ins (empty when the `Smartcard` row is dropped).
    pub fn smartcard_amr(&self) -> &[String] {
        if *self.target(Cis1Attribute::Smartcard) == Cis2Target::Drop {
            return &[];
        }
        &self.smartcard_amr
    }

    /// The `acr` given to CIS1 sign-ins (none when the `Smartcard` row is dropped).
    pub fn smartcard_acr(&self) -> Option<&str> {
        if *self.target(Cis1Attribute::Smartcard) == Cis2Target::Drop {
            return None;
        }
        self.smartcard_acr.as_deref()
    }
}
