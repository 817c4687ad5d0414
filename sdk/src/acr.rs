//! CIS2 ACR values and authentication assurance levels (cis2.md §9).

/// Known CIS2 ACR values with the AAL each one guarantees.
pub const ACR_VALUES: [(&str, u8); 11] = [
    ("AAL3_ANY", 3),
    ("AAL2_OR_AAL3_ANY", 2),
    ("AAL2_ANY", 2),
    ("AAL1_USERPASS", 1),
    ("AAL3_IOS", 3),
    ("AAL3_FIDO2", 3),
    ("AAL3_N3_SMARTCARD", 3),
    ("AAL3_CIS2_SMARTCARD", 3),
    ("AAL3_SMARTCARD", 3),
    ("AAL2_TOTP", 2),
    ("AAL2_NHSMAIL", 2),
];

/// The AAL an ACR value guarantees, if it is a known CIS2 value.
pub fn acr_level(acr: &str) -> Option<u8> {
    ACR_VALUES.iter().find(|(name, _)| *name == acr).map(|(_, l)| *l)
}

/// The AAL a token shows: the lower of what `acr` guarantees and `authentication_assurance_level`, when both
/// are present; whichever is present otherwise. An unknown `acr` guarantees nothing.
pub fn effective_aal(acr: Option<&str>, authentication_assurance_level: Option<u8>) -> Option<u8> {
    let from_acr = match acr {
        Some(a) => Some(acr_level(a)?),
        None => None,
    };
    match (from_acr, authentication_assurance_level) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The minimum AAL a request for these ACR values asks for (the weakest of them); `None` if any is unknown.
pub fn requested_level(acr_values: &[String]) -> Option<u8> {
    acr_values
        .iter()
        .map(|a| acr_level(a))
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .min()
}

/// Whether a sign-in at ACR `requested` satisfies a policy that accepts `floor`: a higher AAL always does; the
/// same AAL does when `floor` names no method (`…_ANY`) or the same one. Unknown values satisfy nothing.
pub fn at_least_as_strict(requested: &str, floor: &str) -> bool {
    match (acr_level(requested), acr_level(floor)) {
        (Some(r), Some(f)) => r > f || (r == f && (requested == floor || floor.ends_with("_ANY"))),
        _ => false,
    }
}
