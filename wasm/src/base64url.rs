//! base64url (RFC 4648 §5) for WebAuthn's JSON: encode without padding (as webauthn-rs-proto and the
//! browsers' `toJSON()` do); decode with or without padding. Written out here because the `base64` crate's
//! general engine costs more bytes in the browser build than these few lines.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes bytes as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextets = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        for s in sextets.iter().take(chunk.len() + 1) {
            out.push(char::from(ALPHABET[*s as usize]));
        }
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
    for chunk in trimmed.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = value(*c).ok_or(DecodeError::InvalidCharacter)?;
            n |= v << (18 - 6 * i);
        }
        let produced = chunk.len() - 1;
        let [_, a, b, c] = n.to_be_bytes();
        let all = [a, b, c];
        // The bits after the last whole byte must be zero.
        let rest = match produced {
            1 => n & 0xFFFF,
            2 => n & 0xFF,
            _ => 0,
        };
        if rest != 0 {
            return Err(DecodeError::NonCanonical);
        }
        out.extend_from_slice(all.get(..produced).unwrap_or(&all));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
