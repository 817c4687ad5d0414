//! Numbers written into URLs and messages without `core::fmt`.

/// Decimal digits of `n`, without `core::fmt` (whose machinery, like `itoa`'s tables, adds hundreds of bytes to
/// the browser build). The browser package uses it for every number it writes into a string.
pub fn decimal(n: u64) -> String {
    let mut unit = 1u64;
    while n / unit >= 10 {
        unit = unit.saturating_mul(10);
    }
    let mut out = String::new();
    while unit > 0 {
        out.push(char::from(b'0'.saturating_add((n / unit % 10) as u8)));
        unit /= 10;
    }
    out
}
