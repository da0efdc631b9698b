//! `sign` (nonce, timestamp, base string, HMAC, header) vs `floor` (HMAC-SHA256 + base64 of the same
//! request's ready base string), in the same run. Prints the ratio; goal: sign ≤ 1.5 × floor.

#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use base64::Engine as _;
use criterion::{black_box, criterion_group, Criterion};
use hmac::{Hmac, Mac};
use nstba_core::{AccountId, Credentials, Request, Stamp};
use sha2::Sha256;

const URL: &str = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer?q=companyName%20START_WITH%20%22Acme%22&limit=1000&offset=2000";
const CS: &str = "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5";
const TS: &str = "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295";

fn creds() -> Credentials {
    Credentials::new(
        AccountId::parse("1234567_SB1").unwrap(),
        "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
        CS,
        "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
        TS,
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let creds = creds();
    let request = Request::new("GET", URL);
    let base = creds
        .key()
        .sign(&request, &Stamp::now())
        .unwrap()
        .base_string()
        .to_owned();
    let key = format!("{CS}&{TS}");
    let mut group = c.benchmark_group("signing");
    group.bench_function("sign", |b| {
        b.iter(|| {
            let stamp = Stamp::now();
            black_box(
                creds
                    .key()
                    .sign(black_box(&request), &stamp)
                    .unwrap()
                    .into_authorization(),
            )
        })
    });
    group.bench_function("floor", |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
            mac.update(black_box(base.as_bytes()));
            black_box(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);

/// The statistic `stat` (`mean`, `median`) of one bench, from criterion's estimates file.
fn estimate_ns(name: &str, stat: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| format!("{}/../target", env!("CARGO_MANIFEST_DIR")));
    let path = format!("{dir}/criterion/signing/{name}/new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v[stat]["point_estimate"].as_f64()
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    for stat in ["median", "mean"] {
        if let (Some(sign), Some(floor)) = (estimate_ns("sign", stat), estimate_ns("floor", stat)) {
            println!(
                "RATIO ({stat}) sign/floor = {:.2} (sign {:.0} ns, floor {:.0} ns; goal <= 1.5)",
                sign / floor,
                sign,
                floor
            );
        }
    }
}
