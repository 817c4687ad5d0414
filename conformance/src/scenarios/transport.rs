//! Transport: the RP's HTTP client offers only TLS 1.2 or newer (cis2.md §15.3 item 10). rustls cannot serve
//! TLS 1.0/1.1, so the verdict rests on what the RP offers: the suite's IdP records the ClientHello of every
//! inbound TLS connection (`cis2_mock_idp::TlsClientHello`) and the `supported_versions` list in it decides.
//! The suite's own user agents offer only TLS 1.2/1.3 (reqwest with a TLS 1.2 minimum; Chromium), so an older
//! version on the list came from the RP.

use std::collections::BTreeMap;

use cis2_mock_idp::{ObservedEndpoint, TlsClientHello};

use crate::agent::Credentials;
use crate::ctx::{Ctx, Start};
use crate::idp::UserShape;
use crate::scenario::{Feature, Outcome, Scenario};

const G: &str = "transport";

async fn tls_minimum(ctx: Ctx) -> Outcome {
    let run = async {
        let uid = ctx.user(UserShape::OneRole)?;
        ctx.control(&uid, Start::SignIn, Credentials::Smartcard).await?;
        let state = ctx.idp.state();
        let token_calls = state
            .observed_since(0)
            .iter()
            .filter(|o| o.endpoint == ObservedEndpoint::Token)
            .count();
        if token_calls == 0 {
            return Err(Outcome::Error(
                "not decided: the RP made no token request to the suite's HTTPS IdP".into(),
            ));
        }
        let hellos = state.tls_client_hellos();
        if hellos.is_empty() {
            return Err(Outcome::Error("not decided: no TLS ClientHello was recorded at the suite's IdP, so what the RP offers cannot be told".into()));
        }
        // Evidence: each distinct offer with how many connections made it.
        let mut offers: BTreeMap<String, usize> = BTreeMap::new();
        for h in &hellos {
            *offers.entry(h.offered()).or_default() += 1;
        }
        for (offer, n) in &offers {
            ctx.rec
                .step("idp", format!("{n} TLS connection(s) offered {offer}"));
        }
        let summary = offers
            .iter()
            .map(|(o, n)| format!("{o} ({n}×)"))
            .collect::<Vec<_>>()
            .join("; ");
        ctx.rec.decided_by(format!(
            "idp: {} TLS ClientHello(s) since the IdP started, {token_calls} token request(s) from the RP over TLS; offered: {summary}",
            hellos.len()
        ));
        let old: Vec<&TlsClientHello> = hellos
            .iter()
            .filter(|h| h.offers_below_tls12() == Some(true))
            .collect();
        if let Some(h) = old.first() {
            return Ok(Outcome::Fail(format!(
                "a TLS client (from {}) offered {}; the suite's own user agents offer only TLS 1.2 and 1.3, so this is the RP's HTTP client. Set its minimum to TLS 1.2 (CIS2 requires TLS 1.2 or newer; e.g. .NET SslProtocols.Tls12 | Tls13, Java jdk.tls.client.protocols=TLSv1.2,TLSv1.3, Node minVersion 'TLSv1.2', Python ssl.TLSVersion.TLSv1_2)",
                h.peer,
                h.offered()
            )));
        }
        let unknown = hellos.iter().filter(|h| h.offers_below_tls12().is_none()).count();
        if unknown > 0 {
            return Err(Outcome::Error(format!(
                "not decided: {unknown} TLS connection(s) offered up to TLS 1.2 without a supported_versions extension, so the lowest version the client would accept cannot be told from its hello. Set the RP's HTTP client to TLS 1.2 minimum explicitly, or enable TLS 1.3 (which sends the full list)"
            )));
        }
        Ok::<_, Outcome>(Outcome::Pass(format!(
            "every TLS client that connected to the IdP, the RP's among them, offered only TLS 1.2 or newer ({summary})"
        )))
    };
    run.await.unwrap_or_else(|o| o)
}

pub(super) fn all() -> Vec<Scenario> {
    vec![
        Scenario::new(
            G,
            "tls-1-2-minimum",
            "what the RP's TLS client offers the IdP",
            "the RP's HTTP client offers only TLS 1.2 or newer (its ClientHello, recorded at the IdP)",
            &[],
            tls_minimum,
        )
        .needs(Feature::IdpTls),
    ]
}
