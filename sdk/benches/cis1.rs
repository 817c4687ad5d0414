#![allow(clippy::expect_used, missing_docs)]
//! CIS1 SSB RoleAssertion: strict parse + checks + mapping into the CIS2 user model, per document (issue #13's
//! goal: ≥ 50,000 documents/s per core). Also the GAS validate response.
//!
//! Run: `cargo bench -p cis2-sdk --features cis1 --bench cis1`

use std::hint::black_box;

use cis2_sdk::UnixTime;
use cis2_sdk::cis1::{AssertionExpectations, Cis1Mapping, parse_gas_validate, parse_role_assertion};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ASSERTION: &[u8] = include_bytes!("../testdata/cis1/role-assertion.xml");
const GAS: &[u8] = include_bytes!("../testdata/cis1/gas-authvalidate.xml");
const NOW: u64 = 1_530_196_251;

fn bench(c: &mut Criterion) {
    let mapping = Cis1Mapping::default();
    let expected = AssertionExpectations::new("555008640100", UnixTime::from_secs(NOW));
    let mut group = c.benchmark_group("cis1");
    group.throughput(Throughput::Elements(1));
    group.bench_function("role_assertion_parse_check_map", |b| {
        b.iter(|| {
            let parsed = parse_role_assertion(black_box(ASSERTION)).expect("parses");
            let assertion = parsed.check(&expected).expect("checks");
            black_box(assertion.to_user(&mapping))
        })
    });
    group.bench_function("gas_validate_parse_map", |b| {
        b.iter(|| {
            let session = parse_gas_validate(black_box(GAS)).expect("parses");
            black_box(session.to_user(
                "555008640100",
                Some("555008642106"),
                UnixTime::from_secs(NOW),
                &mapping,
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
