//! The ID token: every claim and header the RP must check, each faulted alone on an otherwise valid,
//! correctly signed token (one fault per scenario, the OpenID Foundation way).

use cis2_mock_idp::Fault;
use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::scenario::Scenario;
use crate::verdict::{Case, refuses};

const G: &str = "id-token";

/// The hint for the signature faults.
const SIGNATURE: &str = "Verify the signature against the IdP's JWKS even for an ID token from the token endpoint: some OpenID Connect libraries skip it there by default (openid-client: enableNonRepudiationChecks).";

/// A scenario whose case is built from the context (the issuer, the client id, the IdP's clock).
fn refuse(
    name: &str,
    title: &str,
    proves: &str,
    catalogue: &[&'static str],
    case: impl Fn(&Ctx) -> Case + Send + Sync + 'static,
) -> Scenario {
    let case = std::sync::Arc::new(case);
    Scenario::new(G, name, title, proves, catalogue, move |ctx| {
        let case = case(&ctx);
        refuses(ctx, case)
    })
}

fn set(claim: &str, value: Value) -> Fault {
    Fault::SetClaim {
        claim: claim.into(),
        value,
    }
}

fn missing(claim: &str) -> Fault {
    Fault::MissingClaim { claim: claim.into() }
}

pub(super) fn now(ctx: &Ctx) -> i64 {
    i64::try_from(cis2_sdk::Clock::now(ctx.idp.state().clock()).as_secs()).unwrap_or(i64::MAX)
}

/// The issuer with one change a URL library would normalise away.
fn issuer_variant(issuer: &str, how: &str) -> String {
    match how {
        "slash" => format!("{issuer}/"),
        "scheme-case" => issuer.replacen("http", "HTTP", 1),
        "dot-segment" => issuer.replacen("/oauth2/", "/./oauth2/", 1),
        "path-case" => issuer.replacen("/Healthcare", "/healthcare", 1),
        "percent" => issuer.replacen("/Healthcare", "/%48ealthcare", 1),
        "default-port-dropped" => issuer.replacen(":443/", "/", 1),
        _ => issuer.to_owned(),
    }
}

pub(super) fn all() -> Vec<Scenario> {
    let mut v = vec![
        refuse(
            "wrong-iss",
            "iss is another issuer",
            "iss is compared with the configured issuer",
            &["CS-09", "IDT-05"],
            |_| Case::new(Fault::WrongIss { value: None }, "an ID token from another issuer"),
        ),
        refuse(
            "missing-iss",
            "iss is absent",
            "a token without iss is refused",
            &["CS-39"],
            |_| Case::new(missing("iss"), "an ID token without iss"),
        ),
    ];
    for (how, words) in [
        ("slash", "a trailing slash added"),
        ("scheme-case", "the scheme in capitals"),
        ("dot-segment", "a /./ dot segment in the path"),
        ("path-case", "the path in another case"),
        ("percent", "a percent-encoded letter in the path"),
    ] {
        let what = format!("an ID token whose iss is the issuer with {words}");
        v.push(refuse(
            &format!("iss-{how}"),
            &format!("iss is the issuer with {words}"),
            "iss is compared byte for byte, never after URL normalisation (CIS2's issuer keeps an explicit :443)",
            &["IDT-05"],
            move |ctx| Case::new(Fault::WrongIss { value: Some(issuer_variant(ctx.idp.issuer(), how)) }, what.clone()),
        ));
    }
    v.push(
        refuse(
            "iss-default-port-dropped",
            "iss is the issuer without its explicit :443",
            "iss is compared byte for byte: an issuer configured as https://host:443/… (as CIS2's is) does not match a token whose iss says https://host/…, though a URL library calls them equal",
            &["IDT-05", "CS-09"],
            |ctx| {
                Case::new(
                    Fault::WrongIss {
                        value: Some(issuer_variant(ctx.idp.issuer(), "default-port-dropped")),
                    },
                    "an ID token whose iss is the issuer with :443 dropped",
                )
                .hint("Compare iss with the configured issuer as strings; do not parse both as URLs and compare those (URL libraries drop a default port).")
            },
        )
        .only_with_explicit_default_port(),
    );
    v.extend([
        refuse(
            "missing-sub",
            "sub is absent",
            "a token without sub is refused",
            &["CS-10"],
            |_| Case::new(missing("sub"), "an ID token without sub"),
        ),
        refuse(
            "sub-empty",
            "sub is an empty string",
            "an empty subject is refused",
            &["CS-10"],
            |_| Case::new(set("sub", json!("")), "an ID token whose sub is empty"),
        ),
        refuse(
            "sub-number",
            "sub is a number",
            "claim types are checked",
            &["IDT-04"],
            |_| {
                Case::new(
                    set("sub", json!(555_000_000_001_u64)),
                    "an ID token whose sub is a number",
                )
            },
        ),
        refuse(
            "wrong-aud",
            "aud is another client",
            "aud must contain the RP's client id",
            &["CS-11"],
            |_| Case::new(Fault::WrongAud { value: None }, "an ID token for another client"),
        ),
        refuse(
            "missing-aud",
            "aud is absent",
            "a token without aud is refused",
            &["CS-12"],
            |_| Case::new(missing("aud"), "an ID token without aud"),
        ),
        refuse(
            "aud-array-other",
            "aud is an array without the client",
            "an aud array must hold the client id",
            &["CS-11", "IDT-06"],
            |_| {
                Case::new(
                    Fault::WrongAud {
                        value: Some(json!(["wrong-client.apps.national"])),
                    },
                    "an ID token whose aud array lacks the client id",
                )
            },
        ),
        refuse(
            "aud-empty-array",
            "aud is an empty array",
            "malformed aud is refused",
            &["IDT-06"],
            |_| {
                Case::new(
                    Fault::WrongAud {
                        value: Some(json!([])),
                    },
                    "an ID token whose aud is an empty array",
                )
            },
        ),
        refuse(
            "aud-number",
            "aud is a number",
            "malformed aud is refused",
            &["IDT-06"],
            |_| {
                Case::new(
                    Fault::WrongAud {
                        value: Some(json!(42)),
                    },
                    "an ID token whose aud is a number",
                )
            },
        ),
        refuse(
            "aud-client-plus-suffix",
            "aud is the client id with a suffix",
            "aud is compared exactly",
            &["CS-11"],
            |ctx| {
                Case::new(
                    Fault::WrongAud {
                        value: Some(json!(format!("{}1", ctx.idp.client_id()))),
                    },
                    "an ID token whose aud is the client id plus \"1\"",
                )
            },
        ),
        refuse(
            "wrong-azp",
            "azp is another client",
            "azp, when present, must be the client id",
            &["IDT-07"],
            |_| {
                Case::new(
                    set("azp", json!("wrong-client.apps.national")),
                    "an ID token whose azp is another client",
                )
                .hint("When azp is present it must be your client id; some libraries check it only when aud lists several clients.")
            },
        ),
        refuse(
            "missing-iat",
            "iat is absent",
            "a token without iat is refused",
            &["CS-13"],
            |_| Case::new(missing("iat"), "an ID token without iat"),
        ),
        refuse(
            "missing-exp",
            "exp is absent",
            "a token without exp is refused",
            &["CS-38"],
            |_| Case::new(missing("exp"), "an ID token without exp"),
        ),
        refuse(
            "expired",
            "exp is in the past",
            "expired tokens are refused",
            &["CS-36", "IDT-01"],
            |_| Case::new(Fault::Expired, "an expired ID token"),
        ),
        refuse(
            "expired-just",
            "exp passed 2 minutes ago",
            "the clock tolerance is small (≤ 60 s)",
            &["IDT-01"],
            |ctx| {
                Case::new(
                    set("exp", json!(now(ctx) - 120)),
                    "an ID token that expired 2 minutes ago",
                )
            },
        ),
        refuse(
            "future-iat",
            "iat is an hour ahead",
            "tokens issued in the future are refused",
            &["IDT-02"],
            |_| Case::new(Fault::FutureIat, "an ID token issued an hour in the future")
                .hint("Refuse an iat later than now plus a small clock tolerance; some libraries check only that iat is a number."),
        ),
        refuse(
            "future-nbf",
            "nbf is an hour ahead",
            "not-yet-valid tokens are refused",
            &["IDT-03"],
            |ctx| {
                Case::new(
                    set("nbf", json!(now(ctx) + 3600)),
                    "an ID token not valid for another hour (nbf)",
                )
            },
        ),
        refuse(
            "exp-string",
            "exp is a string",
            "time claims of the wrong type are malformed, not absent",
            &["IDT-04"],
            |_| {
                Case::new(
                    set("exp", json!("99999999999")),
                    "an ID token whose exp is a string",
                )
            },
        ),
        refuse(
            "exp-null",
            "exp is null",
            "time claims of the wrong type are malformed, not absent",
            &["IDT-04"],
            |_| Case::new(set("exp", Value::Null), "an ID token whose exp is null"),
        ),
        refuse(
            "iat-string",
            "iat is a string",
            "time claims of the wrong type are malformed",
            &["IDT-04"],
            |ctx| {
                Case::new(
                    set("iat", json!(now(ctx).to_string())),
                    "an ID token whose iat is a string",
                )
            },
        ),
        refuse(
            "nonce-mismatch",
            "nonce is not the one sent",
            "the nonce binds the token to this sign-in",
            &["CS-14"],
            |_| {
                Case::new(
                    Fault::NonceMismatch,
                    "an ID token whose nonce is not the one the RP sent",
                )
            },
        ),
        refuse(
            "missing-nonce",
            "nonce is absent",
            "the nonce is required when one was sent",
            &["CS-40"],
            |_| Case::new(missing("nonce"), "an ID token without the nonce"),
        ),
        refuse(
            "bad-signature",
            "the signature is corrupted",
            "the signature is verified (also in the code flow)",
            &["CS-16", "CS-45"],
            |_| Case::new(Fault::BadSignature, "an ID token with a corrupted signature").hint(SIGNATURE),
        ),
        refuse(
            "alg-none",
            "alg none, no signature",
            "unsigned tokens are refused",
            &["CS-15", "CS-43", "JWT-01"],
            |_| Case::new(Fault::AlgNone, "an unsigned ID token (alg none)"),
        ),
        refuse(
            "hs256-public-key",
            "HS256 keyed with the IdP's public key",
            "the algorithm comes from the RP's policy, not the token (key confusion)",
            &["CS-18", "JWT-02"],
            |_| {
                Case::new(
                    Fault::Hs256PublicKey,
                    "an ID token signed HS256 with the IdP's public key as secret",
                )
                .hint(SIGNATURE)
            },
        ),
        refuse(
            "kid-unknown",
            "kid not in the JWKS",
            "a key the IdP does not publish is never trusted",
            &["JWKS-01"],
            |_| {
                Case::new(
                    Fault::KidUnknown,
                    "an ID token whose kid the IdP's JWKS does not hold",
                )
                .hint(SIGNATURE)
            },
        ),
        refuse(
            "acr-aal1",
            "acr is AAL1_USERPASS",
            "the token's acr must meet the level the RP asked for (it can be stripped from the request)",
            &["IDT-10"],
            |_| {
                Case::new(
                    set("acr", json!("AAL1_USERPASS")),
                    "an ID token at AAL1 (acr AAL1_USERPASS)",
                )
                .hint("Compare the token's acr with the acr_values you asked for: OpenID Connect libraries send acr_values but do not check the answer for you.")
            },
        ),
        refuse(
            "at-hash-wrong",
            "at_hash does not match the access token",
            "an at_hash in a code-flow ID token is verified against the access token that came with it",
            &["CS-23"],
            |_| {
                Case::new(
                    set("at_hash", json!("AAAAAAAAAAAAAAAAAAAAAA")),
                    "an ID token whose at_hash does not match the access token",
                )
                .hint("When the ID token carries at_hash, hash the access token (left half of SHA-256, base64url) and compare; do not skip it in the code flow.")
            },
        ),
        refuse(
            "id-assurance-below-3",
            "id_assurance_level is \"1\"",
            "the token's identity assurance must be at least 3, as CIS2 RPs require (cis2.md §9.4, §15.3 item 3)",
            &[],
            |_| {
                Case::new(
                    set("id_assurance_level", json!("1")),
                    "an ID token whose id_assurance_level is \"1\"",
                )
                .hint("Check id_assurance_level ≥ 3 (it comes as a string or an integer); OpenID Connect libraries do not know this CIS2 claim.")
            },
        ),
        refuse(
            "aud-untrusted-second",
            "aud holds the client and a second, untrusted client",
            "an ID token that also names an audience the RP does not trust is refused, even when azp is the RP",
            &["CS-41"],
            |ctx| {
                Case::new(
                    Fault::WrongAud {
                        value: Some(json!([ctx.idp.client_id(), format!("{}1", ctx.idp.client_id())])),
                    },
                    "an ID token whose aud also names another, untrusted client",
                )
                .hint("Refuse an aud array with any audience besides your client id (OpenID Connect Core §3.1.3.7 item 3); checking that aud contains your client id is not enough.")
            },
        ),
        refuse(
            "iss-array",
            "iss is an array holding the issuer",
            "claim types are checked",
            &["IDT-04"],
            |ctx| {
                Case::new(
                    set("iss", json!([ctx.idp.issuer()])),
                    "an ID token whose iss is an array holding the issuer",
                )
            },
        ),
    ]);
    v.push(
        refuse(
            "iat-week-old",
            "iat is a week in the past, exp still valid",
            "the RP refuses an ID token issued long ago (kit policy: the acceptable iat range is the client's choice, OpenID Connect Core §3.1.3.7 item 10)",
            &["CS-37"],
            |ctx| {
                Case::new(
                    set("iat", json!(now(ctx) - 7 * 24 * 3600)),
                    "an ID token issued a week ago (iat) that has not expired",
                )
                .hint("Refuse an ID token whose iat is older than a few minutes: an ID token is used once, straight after it is issued.")
            },
        )
        .advisory(),
    );
    v
}
