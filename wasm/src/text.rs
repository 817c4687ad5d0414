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

/// Decimal digits of `n`.
pub(crate) fn uint(n: u64) -> String {
    let mut unit = 1u64;
    while n / unit >= 10 {
        unit *= 10;
    }
    let mut out = String::new();
    loop {
        out.push(char::from(b'0' + (n / unit % 10) as u8));
        if unit == 1 {
            return out;
        }
        unit /= 10;
    }
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
