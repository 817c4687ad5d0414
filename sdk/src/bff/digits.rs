//! Numbers written into URLs and messages without `core::fmt`.

/// Decimal digits of `n`, without `core::fmt` (whose machinery, like `itoa`'s tables, adds hundreds of bytes to
/// the browser build). The browser package uses it for every number it writes into a string.
pub fn decimal(n: u64) -> String {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    let mut rest = n;
    for slot in digits.iter_mut().rev() {
        // `b'0' | d` is `b'0' + d` for d in 0..=9 (0x30 has a clear low nibble), without an overflow check.
        *slot = b'0' | (rest % 10) as u8;
        start = start.saturating_sub(1);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut out = String::new();
    for &d in digits.get(start..).unwrap_or_default() {
        out.push(char::from(d));
    }
    out
}
