//! Any back-channel logout request (method, content type, body): the form reading never panics, and a token
//! it returns came from exactly one `logout_token` field.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Request<'a> {
    post: bool,
    content_type: Option<&'a str>,
    body: &'a [u8],
}

fuzz_target!(|r: Request<'_>| {
    let method = if r.post { "POST" } else { "GET" };
    if let Ok(token) = cis2_sdk::backchannel_logout_token(method, r.content_type, r.body) {
        assert!(r.post);
        let jwks = cis2_fuzz::jwks();
        let _ = cis2_fuzz::validator(&[cis2_sdk::Algorithm::RS256]).validate_logout_token(
            &token,
            &jwks,
            cis2_fuzz::now(),
        );
    }
});
