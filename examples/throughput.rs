//! Throughput: N verified `alipay.trade.query` calls at concurrency C.
//!
//! ```text
//! cargo run --release --example throughput -- --calls 2000 --concurrency 64 [--v3]
//! ```
//!
//! `--v3` makes the calls over OpenAPI v3 (`POST /v3/alipay/trade/query`) instead of v2.
//!
//! Runs against the embedded sandbox (on its own runtime and threads, so the client's CPU can be
//! told apart from the sandbox's), or, when `ALIPAY_APP_ID`, `ALIPAY_PRIVATE_KEY`,
//! `ALIPAY_PUBLIC_KEY` and `ALIPAY_GATEWAY` are set, against that gateway (e.g. a standalone
//! `alipay sandbox serve`, which keeps the gateway out of this process so that its memory is the
//! client's alone). Up to C calls are in flight at once (the client's in-flight bound is raised
//! to C).
//!
//! Before the run it measures one sign + one verify on one thread, and on every core at once
//! (the machine fully loaded, as during the run: the crypto bound comes from this figure). During
//! the run the client's signer and verifier add up the CPU time they take, so the client's cost
//! beyond its cryptography is measured in the same run and the same conditions. It ends with one
//! line:
//!
//! `calls=N errors=E calls_per_s=X p50_ms=X p99_ms=X client_cpu_us_per_call=X`
//!
//! CPU time is the scheduler's per-thread account (`/proc/.../schedstat` and
//! `CLOCK_THREAD_CPUTIME_ID`, Linux), so the CPU figures are 0 elsewhere.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::sandbox::Sandbox;
use alipay::{
    Amount, BoxError, Client, PrivateKey, Protocol, PublicKey, Signer, Verifier, VerifyError,
};
use alipay_examples::{AlipayKeys, Configured};
use cpu_time::ThreadTime;

struct Args {
    calls: usize,
    concurrency: usize,
    v3: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        calls: 2000,
        concurrency: 64,
        v3: false,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        if flag == "--v3" {
            args.v3 = true;
            continue;
        }
        let value = iter.next().ok_or(format!("{flag} needs a value"))?;
        let number: usize = value
            .parse()
            .map_err(|_| format!("{flag}: `{value}` is not a number"))?;
        match flag.as_str() {
            "--calls" => args.calls = number.max(1),
            "--concurrency" => args.concurrency = number.max(1),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(args)
}

/// CPU time (µs) used so far by this process's threads whose name starts with `prefix`.
fn thread_cpu_us(prefix: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    let mut total = 0u64;
    for task in tasks.flatten() {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if name.starts_with(prefix) {
            total += schedstat_cpu_us(&path.join("schedstat"));
        }
    }
    total
}

/// The time a thread has spent on a CPU, from its `schedstat` (first field, in nanoseconds: the
/// scheduler's own account, precise where `stat`'s utime/stime are sampled at each tick).
fn schedstat_cpu_us(path: &std::path::Path) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|line| line.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |ns| ns / 1000)
}

/// The peak resident memory of this process (`VmHWM`), in MiB; 0 off Linux.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// The CPU time of the calling thread; zero where the clock is not available.
fn thread_now() -> Duration {
    ThreadTime::try_now().map_or(Duration::ZERO, |t| t.as_duration())
}

/// A signer or verifier that adds up the CPU time it takes (on the calling thread).
struct Timed<T> {
    inner: T,
    spent_ns: Arc<AtomicU64>,
}

impl<T> Timed<T> {
    fn new(inner: T, spent_ns: &Arc<AtomicU64>) -> Self {
        Self {
            inner,
            spent_ns: Arc::clone(spent_ns),
        }
    }

    fn time<O>(&self, f: impl FnOnce(&T) -> O) -> O {
        let before = thread_now();
        let out = f(&self.inner);
        let spent = thread_now().saturating_sub(before);
        self.spent_ns
            .fetch_add(spent.as_nanos() as u64, Ordering::Relaxed);
        out
    }
}

impl Signer for Timed<PrivateKey> {
    fn sign(&self, content: &[u8]) -> Result<String, BoxError> {
        self.time(|key| key.sign(content))
    }
}

impl Verifier for Timed<PublicKey> {
    fn verify(&self, content: &[u8], signature_b64: &str) -> Result<(), VerifyError> {
        self.time(|key| key.verify(content, signature_b64))
    }
}

const CONTENT: &str = "app_id=2021000000000001&biz_content={\"out_trade_no\":\"T1\"}&charset=utf-8&format=JSON&method=alipay.trade.query&sign_type=RSA2&timestamp=2026-11-26 12:00:00&version=1.0";

/// CPU microseconds of one sign plus one verify with `key`, over `rounds` rounds on this thread.
fn sign_verify_us(key: &PrivateKey, rounds: u32) -> Result<f64, String> {
    let public = key.public_key();
    let before = thread_now();
    let started = Instant::now();
    for _ in 0..rounds {
        let signature = key.sign(CONTENT.as_bytes()).map_err(|e| e.to_string())?;
        public
            .verify(CONTENT.as_bytes(), &signature)
            .map_err(|e| e.to_string())?;
    }
    let cpu = thread_now().saturating_sub(before);
    // Wall time where no thread clock exists.
    let total = if cpu.is_zero() {
        started.elapsed()
    } else {
        cpu
    };
    Ok(total.as_secs_f64() * 1e6 / f64::from(rounds))
}

/// One sign + one verify, measured on one thread, then on `cores` threads at once (the mean of
/// their figures).
fn crypto_costs(cores: usize) -> Result<(f64, f64), String> {
    let key = PrivateKey::generate().map_err(|e| e.to_string())?;
    let single = sign_verify_us(&key, 1000)?;
    let loaded = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..cores)
            .map(|_| scope.spawn(|| sign_verify_us(&key, 1000)))
            .collect();
        let mut sum = 0.0;
        for handle in handles {
            sum += handle.join().map_err(|_| "a measuring thread panicked")??;
        }
        Ok::<_, String>(sum / cores as f64)
    })?;
    Ok((single, loaded))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (single_us, loaded_us) = crypto_costs(cores)?;
    // Each call costs two signs and two verifies in all (client and gateway), on the cores shared.
    let bound = cores as f64 * 1e6 / (2.0 * loaded_us);
    println!(
        "one sign + one verify: {single_us:.1} us on one thread, {loaded_us:.1} us with all \
         {cores} cores signing; crypto bound: {bound:.0} calls/s"
    );

    let sandbox_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("sandbox")
        .enable_all()
        .build()?;
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("client")
        .enable_all()
        .build()?;

    let crypto_ns = Arc::new(AtomicU64::new(0));
    let configured = Configured::from_env()?;
    let (builder, private_key, alipay_key, sandbox) = match &configured {
        Some(configured) => {
            let key = match &configured.alipay {
                AlipayKeys::PublicKey(key) => Some(key.clone()),
                AlipayKeys::Certificates { .. } => None,
            };
            (
                configured.client_builder(),
                configured.private_key.clone(),
                key,
                None,
            )
        }
        None => {
            let sandbox =
                sandbox_runtime.block_on(Sandbox::builder().record_requests(false).start())?;
            let app = sandbox.create_app()?;
            let builder = sandbox.client_builder(&app);
            let alipay_key = sandbox.alipay_public_key();
            (
                builder,
                app.private_key,
                Some(alipay_key),
                Some((sandbox, app.app_id)),
            )
        }
    };
    let mut builder = builder
        .signer(Timed::new(private_key, &crypto_ns))
        .max_in_flight(args.concurrency)
        .protocol(if args.v3 { Protocol::V3 } else { Protocol::V2 });
    // In certificate mode the client verifies with the certificates' keys, untimed: the in-run
    // ratio then covers the signature only.
    if let Some(key) = alipay_key {
        builder = builder.verifier(Timed::new(key, &crypto_ns));
    }
    let client: Client = builder.build()?;

    let out_trade_no = format!("TP{}", std::process::id());
    client_runtime.block_on(async {
        client
            .send(
                TradeCreate::builder()
                    .out_trade_no(out_trade_no.clone())
                    .total_amount(Amount::new("1.00")?)
                    .subject("throughput")
                    .build(),
            )
            .await?;
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    if let Some((sandbox, app_id)) = &sandbox {
        sandbox_runtime.block_on(sandbox.pay(app_id, &out_trade_no))?;
    }

    let client = Arc::new(client);
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = thread_cpu_us("client");
    let sandbox_cpu_before = thread_cpu_us("sandbox");
    let crypto_before = crypto_ns.load(Ordering::Relaxed);
    // Against a configured gateway the trade stays unpaid and any verified answer counts.
    let any_status = configured.is_some();
    let started = Instant::now();
    let results: Vec<(usize, Vec<u32>)> = client_runtime.block_on(async {
        let mut tasks = Vec::with_capacity(args.concurrency);
        for _ in 0..args.concurrency {
            let client = client.clone();
            let next = next.clone();
            let out_trade_no = out_trade_no.clone();
            tasks.push(tokio::spawn(async move {
                let mut errors = 0;
                let mut latencies = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < args.calls {
                    let call = Instant::now();
                    let query = TradeQuery::builder()
                        .out_trade_no(out_trade_no.clone())
                        .build();
                    match client.send(query).await {
                        Ok(trade) if any_status || trade.trade_status.is_paid() => {}
                        Ok(_) | Err(_) => errors += 1,
                    }
                    latencies.push(call.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                }
                (errors, latencies)
            }));
        }
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap_or((1, Vec::new())));
        }
        results
    });
    let elapsed = started.elapsed();
    let client_cpu = thread_cpu_us("client") - cpu_before;
    let sandbox_cpu = thread_cpu_us("sandbox") - sandbox_cpu_before;
    let crypto_in_run = (crypto_ns.load(Ordering::Relaxed) - crypto_before) as f64 / 1000.0;

    let errors: usize = results.iter().map(|(e, _)| e).sum();
    let mut latencies: Vec<u32> = results.into_iter().flat_map(|(_, l)| l).collect();
    latencies.sort_unstable();
    let percentile = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        f64::from(latencies.get(i).copied().unwrap_or(0)) / 1000.0
    };
    let calls = latencies.len();
    let per_call = |total: f64| total / calls.max(1) as f64;
    let calls_per_s = calls as f64 / elapsed.as_secs_f64();
    let client_us = per_call(client_cpu as f64);
    let crypto_us = per_call(crypto_in_run);
    println!(
        "client_crypto_us_per_call={crypto_us:.0} client_cpu_ratio_to_its_sign_plus_verify={:.3} \
         client_cpu_ratio_to_loaded_sign_plus_verify={:.3} client_cpu_ratio_to_single_thread_sign_plus_verify={:.3}",
        client_us / crypto_us,
        client_us / loaded_us,
        client_us / single_us,
    );
    if sandbox.is_some() {
        // The bound again, from the client's sign + verify inside the run (the sandbox does the
        // same crypto): immune to the drift between the reference and the run.
        let in_run_bound = cores as f64 * 1e6 / (2.0 * crypto_us);
        println!(
            "sandbox_cpu_us_per_call={:.0} cpu_busy={:.2} of {cores} cores throughput_ratio_to_crypto_bound={:.3} throughput_ratio_to_in_run_crypto_bound={:.3}",
            per_call(sandbox_cpu as f64),
            (client_cpu + sandbox_cpu) as f64 / 1e6 / elapsed.as_secs_f64(),
            calls_per_s / bound,
            calls_per_s / in_run_bound,
        );
    }
    println!("protocol={}", if args.v3 { "v3" } else { "v2" });
    println!("peak_rss_mib={:.1}", peak_rss_mib());
    println!(
        "calls={calls} errors={errors} calls_per_s={calls_per_s:.0} p50_ms={:.2} p99_ms={:.2} client_cpu_us_per_call={client_us:.0}",
        percentile(0.50),
        percentile(0.99)
    );
    drop(client);
    if let Some((sandbox, _)) = sandbox {
        sandbox_runtime.block_on(sandbox.shutdown());
    }
    Ok(())
}
