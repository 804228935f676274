//! Throughput: N verified `alipay.trade.query` calls at concurrency C.
//!
//! ```text
//! cargo run --release --example throughput -- --calls 2000 --concurrency 64
//! ```
//!
//! Runs against the embedded sandbox (on its own runtime and threads, so the client's CPU can be
//! told apart from the sandbox's), or, when `ALIPAY_APP_ID`, `ALIPAY_PRIVATE_KEY`,
//! `ALIPAY_PUBLIC_KEY` and `ALIPAY_GATEWAY` are set, against that gateway (e.g. a standalone
//! sandbox). Prints the cost of one sign + one verify measured in this process, the crypto bound
//! of this machine, and ends with one line:
//!
//! `calls=N errors=E calls_per_s=X p50_ms=X p99_ms=X client_cpu_us_per_call=X`
//!
//! CPU time is read per thread from `/proc/self/task` (Linux), so it is 0 elsewhere.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::sandbox::Sandbox;
use alipay::{Amount, PrivateKey, Signer, Verifier};

struct Args {
    calls: usize,
    concurrency: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        calls: 2000,
        concurrency: 64,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
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

/// CPU time (user + system, µs) used so far by this process's threads whose name starts with
/// `prefix`.
fn thread_cpu_us(prefix: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    let mut total = 0u64;
    for task in tasks.flatten() {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if !name.starts_with(prefix) {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
        total += stat_cpu_us(&stat);
    }
    total
}

/// CPU time (user + system, µs) used so far by the calling thread.
fn own_cpu_us() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    stat_cpu_us(&stat)
}

/// utime + stime of a `/proc/.../stat` line, in µs (Linux reports clock ticks of 1/100 s).
fn stat_cpu_us(stat: &str) -> u64 {
    // Fields after the `(comm)`: state is field 3, utime 14 and stime 15.
    let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0);
    let stime: u64 = fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    (utime + stime) * 10_000
}

/// CPU microseconds for one sign plus one verify, measured on this thread (CPU time, so a busy
/// machine does not inflate it; wall time is the fallback off Linux).
fn crypto_cost_us() -> Result<f64, Box<dyn std::error::Error>> {
    let key = PrivateKey::generate()?;
    let public = key.public_key();
    let content = "app_id=2021000000000001&biz_content={\"out_trade_no\":\"T1\"}&charset=utf-8&format=JSON&method=alipay.trade.query&sign_type=RSA2&timestamp=2026-11-26 12:00:00&version=1.0";
    let rounds = 2000;
    let cpu_before = own_cpu_us();
    let started = Instant::now();
    for _ in 0..rounds {
        let signature = key.sign(content.as_bytes()).map_err(|e| e.to_string())?;
        public.verify(content.as_bytes(), &signature)?;
    }
    let cpu = own_cpu_us() - cpu_before;
    let total = if cpu > 0 {
        cpu as f64
    } else {
        started.elapsed().as_secs_f64() * 1e6
    };
    Ok(total / f64::from(rounds))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let crypto_us = crypto_cost_us()?;
    // Each call costs two signs and two verifies in all (client and gateway), on 2 cores shared.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let bound = cores * 1e6 / (2.0 * crypto_us);
    println!(
        "one sign + one verify: {crypto_us:.1} us; crypto bound on {cores} cores: {bound:.0} calls/s"
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

    let (client, app_id, sandbox) = if std::env::var("ALIPAY_APP_ID").is_ok() {
        let (client, _) = client_runtime.block_on(alipay_examples::connect(None))?;
        (client, None, None)
    } else {
        let sandbox =
            sandbox_runtime.block_on(Sandbox::builder().record_requests(false).start())?;
        let app = sandbox.create_app()?;
        let client = sandbox.client_builder(&app).build()?;
        (client, Some(app.app_id), Some(sandbox))
    };

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
    if let (Some(sandbox), Some(app_id)) = (&sandbox, &app_id) {
        sandbox_runtime.block_on(sandbox.pay(app_id, &out_trade_no))?;
    }

    let client = Arc::new(client);
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = thread_cpu_us("client");
    let sandbox_cpu_before = thread_cpu_us("sandbox");
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
                        Ok(trade) if trade.trade_status.is_paid() || configured_gateway() => {}
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

    let errors: usize = results.iter().map(|(e, _)| e).sum();
    let mut latencies: Vec<u32> = results.into_iter().flat_map(|(_, l)| l).collect();
    latencies.sort_unstable();
    let percentile = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        f64::from(latencies.get(i).copied().unwrap_or(0)) / 1000.0
    };
    let calls = latencies.len();
    let calls_per_s = calls as f64 / elapsed.as_secs_f64();
    let client_us = client_cpu as f64 / calls.max(1) as f64;
    if sandbox.is_some() {
        println!(
            "sandbox_cpu_us_per_call={:.0} client_cpu_ratio_to_sign_plus_verify={:.3} throughput_ratio_to_crypto_bound={:.3}",
            sandbox_cpu as f64 / calls.max(1) as f64,
            client_us / crypto_us,
            calls_per_s / bound
        );
    }
    println!(
        "calls={calls} errors={errors} calls_per_s={calls_per_s:.0} p50_ms={:.2} p99_ms={:.2} client_cpu_us_per_call={client_us:.0}",
        percentile(0.50),
        percentile(0.99)
    );
    drop(client);
    if let Some(sandbox) = sandbox {
        sandbox_runtime.block_on(sandbox.shutdown());
    }
    Ok(())
}

/// Whether the example runs against a configured gateway, where the trade stays unpaid and any
/// verified answer counts.
fn configured_gateway() -> bool {
    std::env::var("ALIPAY_APP_ID").is_ok()
}
