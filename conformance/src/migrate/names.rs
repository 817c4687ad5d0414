//! The names `migrate.toml` uses for CIS1 attributes, read off `cis2_sdk::cis1::MAPPING` (the one mapping
//! table): a row's SSB RoleAssertion name, else its GAS field name, else `smartcard` for the card itself.

use cis2_sdk::cis1::{Cis1Attribute, MAPPING, MappingRow};

/// The name a row goes by in `migrate.toml`; `None` for rows with no CIS1 source (`person_orgid`).
pub(super) fn name(row: &MappingRow) -> Option<&'static str> {
    if let Some(s) = row.saml {
        return Some(s);
    }
    if let Some(g) = row.gas
        && g.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return Some(g);
    }
    (row.attribute == Cis1Attribute::Smartcard).then_some("smartcard")
}

/// The row a `migrate.toml` name stands for (exact, case-sensitive as CIS1 spells it).
pub(super) fn attribute(name_in_file: &str) -> Option<&'static MappingRow> {
    MAPPING.iter().find(|r| name(r) == Some(name_in_file))
}

/// Every accepted name, in table order.
pub(super) fn all() -> Vec<&'static str> {
    MAPPING.iter().filter_map(name).collect()
}
