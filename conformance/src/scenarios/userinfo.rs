//! Userinfo: the subject must match the ID token's; a signed userinfo's signature is checked.

use cis2_mock_idp::{Fault, Target};

use crate::scenario::{Feature, Scenario};
use crate::verdict::{Case, refuses};

const G: &str = "userinfo";

pub(super) fn all() -> Vec<Scenario> {
    vec![
        Scenario::new(
            G,
            "sub-mismatch",
            "userinfo sub differs from the ID token's",
            "userinfo is only used for the same subject",
            &["CS-19", "IDT-12"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(Fault::SubMismatch, "a userinfo response for another subject"),
                )
            },
        ),
        Scenario::new(
            G,
            "signed-bad-signature",
            "signed userinfo with a corrupted signature",
            "signed userinfo is verified",
            &["CS-20"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(
                        Fault::BadSignature,
                        "a signed userinfo response with a corrupted signature",
                    )
                    .target(Target::Userinfo),
                )
            },
        )
        .needs(Feature::SignedUserinfo),
        Scenario::new(
            G,
            "signed-alg-none",
            "unsigned userinfo where a signed one is due",
            "signed userinfo is verified",
            &["CS-20", "JWT-01"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(Fault::AlgNone, "an unsigned (alg none) userinfo response")
                        .target(Target::Userinfo),
                )
            },
        )
        .needs(Feature::SignedUserinfo),
        Scenario::new(
            G,
            "endpoint-5xx",
            "userinfo answers 503",
            "without the roles userinfo carries, the RP does not sign the user in half-way",
            &["REL-08"],
            |ctx| {
                refuses(
                    ctx,
                    Case::new(Fault::Status { status: 503 }, "a 503 from the userinfo endpoint")
                        .target(Target::UserinfoEndpoint),
                )
            },
        )
        .advisory(),
    ]
}
