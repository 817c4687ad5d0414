use super::*;

#[test]
fn rfc4648_vectors() {
    let vectors = [
        ("", ""),
        ("f", "Zg"),
        ("fo", "Zm8"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ];
    for (plain, enc) in vectors {
        assert_eq!(encode(plain.as_bytes()), enc);
        assert_eq!(decode(enc).unwrap(), plain.as_bytes());
    }
}

#[test]
fn url_alphabet_and_padding() {
    assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "-_-_");
    assert_eq!(decode("-_-_").unwrap(), [0xfb, 0xff, 0xbf]);
    assert_eq!(decode("Zg==").unwrap(), b"f");
    assert_eq!(decode("Zm8=").unwrap(), b"fo");
}

#[test]
fn round_trips_every_length() {
    let data: Vec<u8> = (0..=255u8).collect();
    for len in 0..data.len() {
        let slice = &data[..len];
        assert_eq!(decode(&encode(slice)).unwrap(), slice, "len {len}");
    }
}

#[test]
fn refuses_bad_input() {
    assert_eq!(decode("Zm9v+A"), Err(DecodeError::InvalidCharacter));
    assert_eq!(decode("Zm9v/A"), Err(DecodeError::InvalidCharacter));
    assert_eq!(decode("Zm9v Yg"), Err(DecodeError::InvalidCharacter));
    assert_eq!(decode("Z"), Err(DecodeError::InvalidLength));
    assert_eq!(decode("Zg="), Err(DecodeError::InvalidLength));
    assert_eq!(decode("Z==="), Err(DecodeError::InvalidLength));
    assert_eq!(decode("Zh"), Err(DecodeError::NonCanonical));
}
