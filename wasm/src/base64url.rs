//! base64url (RFC 4648 §5) for WebAuthn's JSON: encode without padding (as webauthn-rs-proto and the
//! browsers' `toJSON()` do); decode with or without padding. Written out here because the `base64` crate's
//! general engine costs more bytes in the browser build than these few lines.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes bytes as unpadded base64url. A bit accumulator rather than 3-byte chunks: less code.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let (mut n, mut bits) = (0u32, 0u32);
    for b in bytes {
        n = (n << 8) | u32::from(*b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(char::from(ALPHABET[((n >> bits) & 63) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((n << (6 - bits)) & 63) as usize]));
    }
    out
}

fn value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Why a string is not base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// A character outside the base64url alphabet (`+` and `/` included: that is plain base64).
    InvalidCharacter,
    /// A length that no encoding produces (one leftover character), or bad padding.
    InvalidLength,
    /// Leftover bits are not zero, so two strings would decode to the same bytes.
    NonCanonical,
}

/// Decodes base64url, with or without `=` padding.
pub(crate) fn decode(s: &str) -> Result<Vec<u8>, DecodeError> {
    let bytes = s.as_bytes();
    let trimmed = s.trim_end_matches('=').as_bytes();
    let padding = bytes.len() - trimmed.len();
    if padding > 0 && (padding > 2 || !bytes.len().is_multiple_of(4)) {
        return Err(DecodeError::InvalidLength);
    }
    if trimmed.len() % 4 == 1 {
        return Err(DecodeError::InvalidLength);
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let (mut n, mut bits) = (0u32, 0u32);
    for c in trimmed {
        n = (n << 6) | value(*c).ok_or(DecodeError::InvalidCharacter)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((n >> bits) as u8);
        }
    }
    // The bits after the last whole byte (0, 2 or 4) must be zero.
    if n & ((1 << bits) - 1) != 0 {
        return Err(DecodeError::NonCanonical);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
