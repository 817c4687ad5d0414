//! How a virtual smartcard answers a GAS challenge, and how GAS checks the answer.
//!
//! A real card signs the challenge with its private key into an S/MIME (CMS) envelope; GAS learns the card
//! from the certificate in it. A virtual card holds a 32-byte secret instead (`VirtualCard::card_key`), and
//! its `response` is `base64("<serial>:" + base64(HMAC-SHA256(card_key, "cis1-gas-challenge\n" +
//! challenge)))`, standard base64 with padding, where `challenge` is the challenge string exactly as
//! `authactivate` sent it. The serial in front tells GAS which card answered, as the certificate would.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::cards::VirtualCard;

const DOMAIN: &[u8] = b"cis1-gas-challenge\n";

fn mac(card_key: &str, challenge: &str) -> Option<Hmac<Sha256>> {
    let key = STANDARD.decode(card_key.trim()).ok()?;
    let mut m = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    m.update(DOMAIN);
    m.update(challenge.as_bytes());
    Some(m)
}

/// The `response` a virtual card gives for a GAS `challenge` (what an Identity Agent puts in the
/// `authvalidate` `gpPARAM name="response"`). Tests and the virtual Identity Agent use it; anything else
/// (a changed challenge, another card's key) fails `authvalidate` as a bad card signature.
pub fn virtual_card_response(card: &VirtualCard, challenge: &str) -> String {
    let sig = mac(&card.card_key, challenge)
        .map(|m| STANDARD.encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    STANDARD.encode(format!("{}:{sig}", card.serial))
}

/// Splits a `response` into the card serial and the signature bytes; `None` when it is not shaped as
/// [`virtual_card_response`] makes them.
pub(crate) fn split_response(response: &str) -> Option<(String, Vec<u8>)> {
    let compact: String = response.split_whitespace().collect();
    let raw = STANDARD.decode(compact).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (serial, sig) = text.rsplit_once(':')?;
    if serial.is_empty() {
        return None;
    }
    Some((serial.to_owned(), STANDARD.decode(sig).ok()?))
}

/// Whether `sig` is `card`'s signature over `challenge` (constant time).
pub(crate) fn verify(card: &VirtualCard, challenge: &str, sig: &[u8]) -> bool {
    mac(&card.card_key, challenge).is_some_and(|m| m.verify_slice(sig).is_ok())
}

/// GAS's "server signature" over a challenge: base64 HMAC-SHA256 under the mock's own key.
pub(crate) fn server_signature(key: &[u8; 32], challenge: &str) -> String {
    // HMAC takes keys of any length: `new_from_slice` cannot fail here.
    <Hmac<Sha256> as Mac>::new_from_slice(key)
        .map(|mut m| {
            m.update(challenge.as_bytes());
            STANDARD.encode(m.finalize().into_bytes())
        })
        .unwrap_or_default()
}

/// Whether `sig` is GAS's signature over `challenge` (constant time).
pub(crate) fn verify_server_signature(key: &[u8; 32], challenge: &str, sig: &str) -> bool {
    let Ok(sig) = STANDARD.decode(sig.trim()) else {
        return false;
    };
    let Ok(mut m) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
        return false;
    };
    m.update(challenge.as_bytes());
    m.verify_slice(&sig).is_ok()
}
