//! Load: 2,000 verified `alipay.trade.query` calls, 256 in flight, against the embedded sandbox,
//! with zero errors and bounded memory. Ignored by default (it takes a while in a debug build);
//! run it with:
//!
//! ```text
//! cargo test --release -p alipay-tests --test load -- --ignored --nocapture
//! ```
//!
//! It prints the calls, the errors, the elapsed time and the process's peak RSS (`VmHWM` from
//! `/proc/self/status`, Linux) before and after. A run on the 2-core development machine (other
//! builds running, load average about 4): 2,000 calls, 2,000 verified, 0 errors, 2.7 s (740
//! calls/s, client and sandbox signing and verifying in the same process), peak RSS 6.9 MiB
//! before and 25.8 MiB after (+18.9 MiB).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::sandbox::Sandbox;
use alipay::{Amount, Error};
use tokio::sync::Semaphore;

const CALLS: usize = 2_000;
const IN_FLIGHT: usize = 256;
/// The most the peak RSS may grow during the run.
const MAX_GROWTH_KIB: u64 = 256 * 1024;

/// The peak resident set size so far, in KiB (0 where `/proc` is missing).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmHWM:")
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test: run with --release --ignored --nocapture"]
async fn two_thousand_verified_queries_with_256_in_flight() {
    let sandbox = Sandbox::builder()
        .record_requests(false)
        .start()
        .await
        .expect("sandbox starts");
    let app = sandbox.create_app().expect("app");
    let client = sandbox
        .client_builder(&app)
        .max_in_flight(IN_FLIGHT)
        .build()
        .expect("client");
    client
        .send(
            TradeCreate::builder()
                .out_trade_no("LOAD-1")
                .total_amount(Amount::new("88.80").expect("amount"))
                .subject("load")
                .buyer_id("2088000000000001")
                .build(),
        )
        .await
        .expect("trade created");

    let before = peak_rss_kib();
    let started = Instant::now();
    let slots = Arc::new(Semaphore::new(IN_FLIGHT));
    let errors = Arc::new(AtomicUsize::new(0));
    let verified = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CALLS {
        let permit = slots.clone().acquire_owned().await.expect("open semaphore");
        let (client, errors, verified) = (client.clone(), errors.clone(), verified.clone());
        tasks.spawn(async move {
            let result: Result<_, Error> = client
                .send(TradeQuery::builder().out_trade_no("LOAD-1").build())
                .await;
            match result {
                Ok(trade) if trade.out_trade_no == "LOAD-1" => {
                    verified.fetch_add(1, Ordering::Relaxed);
                }
                Ok(trade) => {
                    eprintln!("unexpected trade {trade:?}");
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            drop(permit);
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("no task panicked");
    }
    let elapsed = started.elapsed();
    let after = peak_rss_kib();
    let errors = errors.load(Ordering::Relaxed);
    let verified = verified.load(Ordering::Relaxed);
    println!(
        "calls={CALLS} in_flight={IN_FLIGHT} verified={verified} errors={errors} elapsed_ms={} \
         calls_per_s={:.0} peak_rss_before_kib={before} peak_rss_after_kib={after} \
         growth_kib={}",
        elapsed.as_millis(),
        CALLS as f64 / elapsed.as_secs_f64(),
        after.saturating_sub(before)
    );
    assert_eq!(errors, 0);
    assert_eq!(verified, CALLS, "every answer verified");
    assert!(
        after.saturating_sub(before) < MAX_GROWTH_KIB,
        "peak RSS grew by {} KiB",
        after - before
    );
    sandbox.shutdown().await;
}
