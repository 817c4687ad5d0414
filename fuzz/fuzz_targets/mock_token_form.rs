//! Any request to the mock IdP's token endpoint (content type, Basic credentials, form body), driven through
//! its router without sockets: never a panic, never a 5xx, and never tokens without a valid code.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use cis2_mock_idp::MockIdp;
use cis2_sdk::{Algorithm, SigningKey};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const RSA_A: &str = include_str!("../../sdk/testdata/rsa-a.pem");

#[derive(Arbitrary, Debug)]
struct Request<'a> {
    form_content_type: bool,
    authorization: Option<&'a str>,
    body: &'a str,
}

fn fixture() -> &'static (tokio::runtime::Runtime, axum::Router, String) {
    static F: OnceLock<(tokio::runtime::Runtime, axum::Router, String)> = OnceLock::new();
    F.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let key = SigningKey::from_pkcs8_pem(RSA_A, Algorithm::RS256).expect("test key");
        let state = rt
            .block_on(async { MockIdp::builder().signing_key(key).build() })
            .expect("mock state");
        let path = state
            .endpoint("/access_token")
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
            .expect("token path");
        (rt, cis2_mock_idp::router(state), path)
    })
}

fuzz_target!(|r: Request<'_>| {
    let (rt, router, path) = fixture();
    let mut req = cis2_sdk::http_types::Request::post(path.as_str()).header(
        "content-type",
        if r.form_content_type {
            "application/x-www-form-urlencoded"
        } else {
            "text/plain"
        },
    );
    if let Some(a) = r.authorization {
        if cis2_sdk::http_types::HeaderValue::from_str(a).is_err() {
            return;
        }
        req = req.header("authorization", a);
    }
    let Ok(req) = req.body(axum::body::Body::from(r.body.to_owned())) else {
        return;
    };
    let app = router.clone();
    let (status, body) = rt.block_on(async {
        let resp = app.oneshot(req).await.expect("infallible");
        let status = resp.status();
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        (status, body)
    });
    assert!(!status.is_server_error(), "{status}: {body:?}");
    assert!(!status.is_success(), "tokens for a fuzzed form: {body:?}");
});
