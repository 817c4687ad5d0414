//! CIS1 parsers never panic: arbitrary bytes, and valid documents with bytes changed, inserted or cut.

use cis2_sdk::UnixTime;
use cis2_sdk::cis1::*;
use proptest::prelude::*;

const ASSERTION: &[u8] = include_bytes!("../../testdata/cis1/role-assertion.xml");
const GAS: &[u8] = include_bytes!("../../testdata/cis1/gas-authvalidate.xml");

fn exercise(bytes: &[u8]) {
    let mapping = Cis1Mapping::default();
    if let Ok(parsed) = parse_role_assertion(bytes) {
        let _ = parsed.check(&AssertionExpectations::new(
            "555008640100",
            UnixTime::from_secs(1_530_196_251),
        ));
        if let Some(a) = &parsed.assertion {
            let _ = a.to_user(&mapping).selected_role();
        }
    }
    if let Ok(gas) = parse_gas_validate(bytes) {
        let _ = gas.to_user("555008640100", Some("1"), UnixTime::from_secs(u64::MAX), &mapping);
    }
}

fn mutate(doc: &[u8], edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut d = doc.to_vec();
    for &(pos, byte, op) in edits {
        if d.is_empty() {
            break;
        }
        let i = pos % d.len();
        match op % 3 {
            0 => d[i] = byte,
            1 => d.insert(i, byte),
            _ => {
                d.remove(i);
            }
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn cis1_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&bytes);
    }

    #[test]
    fn cis1_xml_shaped_input_never_panics(s in "(<[a-z:]{1,8}( [a-z:]{1,6}=\"[^\"<]{0,10}\")?>|</[a-z:]{1,8}>|[a-zA-Z0-9 &;#]{0,10}){0,60}") {
        exercise(s.as_bytes());
    }

    #[test]
    fn cis1_mutated_role_assertion_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6)) {
        exercise(&mutate(ASSERTION, &edits));
    }

    #[test]
    fn cis1_mutated_gas_response_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6)) {
        exercise(&mutate(GAS, &edits));
    }

    #[test]
    fn cis1_datetime_edits_never_panic(t in "[0-9T:Z.+-]{0,30}") {
        let doc = String::from_utf8_lossy(ASSERTION).replacen("2018-06-28T14:31:51Z", &t, 1);
        exercise(doc.as_bytes());
    }

    #[test]
    fn cis1_tickets_round_trip_through_the_query(t in ".{0,64}") {
        let ticket = SsoTicket::new(t.clone());
        let url = url::Url::parse(&role_assertion_url("https://ssb.example", &ticket).unwrap()).unwrap();
        let token = url.query_pairs().next().map(|(_, v)| v.into_owned());
        prop_assert_eq!(token.unwrap_or_default(), t);
    }
}
