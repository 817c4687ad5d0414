//! String building without `core::fmt`: `format!` pulls the formatting machinery into the browser build, and
//! these messages need nothing but concatenation and unsigned integers.

/// Concatenates the parts. A plain loop: `[&str]::concat` / `join` bring a larger generic copy routine.
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Decimal digits of `n` (the sdk's, so the build holds one copy).
pub(crate) use cis2_sdk::bff::decimal as uint;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenates() {
        assert_eq!(cat(&["a", "", "bc"]), "abc");
    }
}
