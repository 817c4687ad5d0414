//! String building without `core::fmt`: `format!` pulls the formatting machinery into the browser build, and
//! these messages need nothing but concatenation and unsigned integers.

/// Concatenates the parts.
pub(crate) fn cat(parts: &[&str]) -> String {
    parts.concat()
}

/// Decimal digits of `n`.
pub(crate) fn uint(mut n: u64) -> String {
    let mut digits = Vec::with_capacity(20);
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|d| char::from(*d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits() {
        assert_eq!(uint(0), "0");
        assert_eq!(uint(7), "7");
        assert_eq!(uint(43485), "43485");
        assert_eq!(uint(u64::MAX), u64::MAX.to_string());
        assert_eq!(cat(&["a", "", "bc"]), "abc");
    }
}
