//! Bill parsing speed and memory: generates a `trade` bill of N rows (default 1,000,000) in
//! Alipay's shape (GBK CSV, tabs after IDs, `#` lines, footer totals), then measures reading it
//! and prints the figures.
//!
//! ```text
//! cargo run --release -p alipay-examples --example bill_throughput -- --rows 1000000
//! ```
//!
//! Three passes over the CSV: [`Records`](alipay::bill::Records) (fields keyed by header name,
//! GBK decoded, trimmed, footer totals checked), typed [`TradeRow`]s (amounts and times parsed
//! too) from the iterator, a new row each, and from
//! [`TradeRows::read_into`](alipay::bill::TradeRows::read_into), one row refilled. Then the CSV is deflated into a ZIP and the archive is opened
//! and read. Each pass's time is given twice: wall-clock, and the CPU time of the thread (the
//! machine may be shared: the CPU time leaves out the waits for a core). Memory is the process's peak resident set during each pass above what it held
//! before it (Linux `VmHWM`, reset through `/proc/self/clear_refs`), for the full bill and for a
//! tenth of it: reading rows takes the same memory whatever the bill's size; unpacking an
//! archive holds the unpacked CSV (the decompression buffer).

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Instant;

use cpu_time::ThreadTime;

use alipay::bill::{BillArchive, BillFile, TradeRow};

/// The 25 columns of a trade detail file.
const COLUMNS: &str = "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注";

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

/// A trade bill of `rows` rows (every tenth a refund), GBK.
fn generate(rows: usize) -> Vec<u8> {
    let mut out = gbk(
        "#支付宝业务明细查询\r\n#账号：[20880000000000010156]\r\n#起始日期：[2026年12月01日 00:00:00]   终止日期：[2026年12月02日 00:00:00]\r\n#-----------------------------------------业务明细列表----------------------------------------\r\n",
    );
    out.extend(gbk(COLUMNS));
    out.extend(b"\r\n");
    let (trade, refund, subject, store) = (
        gbk("交易"),
        gbk("退款"),
        gbk("冰红茶（大杯）"),
        gbk("一号店"),
    );
    let (mut paid, mut refunded) = ((0u64, 0i64), (0u64, 0i64));
    let mut line = String::with_capacity(256);
    for n in 0..rows {
        let is_refund = n % 10 == 9;
        let cents = 100 + (n as i64 * 37) % 99_900;
        let cents = if is_refund { -cents / 2 } else { cents };
        let total = if is_refund { &mut refunded } else { &mut paid };
        total.0 += 1;
        total.1 += cents;
        let amount = alipay::Amount::from_signed_cents(cents);
        let (h, m, s) = ((n / 3600) % 24, (n / 60) % 60, n % 60);
        line.clear();
        let _ = write!(line, "20261201220014{n:014}\t,ORDER-{n:010}\t,");
        out.extend(line.as_bytes());
        out.extend(if is_refund { &refund } else { &trade });
        out.push(b',');
        out.extend(&subject);
        line.clear();
        let _ = write!(
            line,
            ",2026-12-01 {h:02}:{m:02}:{s:02},2026-12-01 {h:02}:{m:02}:{s:02},S{}\t,",
            n % 50
        );
        out.extend(line.as_bytes());
        out.extend(&store);
        line.clear();
        let request = if is_refund {
            format!("R-{n}\t")
        } else {
            String::new()
        };
        let _ = write!(
            line,
            ",op{}\t,T{}\t,b***@example.com,{amount},{amount},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,{request},-0.01,0.00,\r\n",
            n % 7,
            n % 13
        );
        out.extend(line.as_bytes());
    }
    out.extend(gbk(&format!(
        "#-----------------------------------------业务明细列表结束------------------------------------\r\n#交易合计：{}笔，商家实收共{}元，商家优惠共0.00元\r\n#退款合计：{}笔，商家实收共{}元，商家优惠共0.00元\r\n#导出时间：[2026年12月02日 09:00:00]\r\n",
        paid.0,
        alipay::Amount::from_signed_cents(paid.1),
        refunded.0,
        alipay::Amount::from_signed_cents(refunded.1)
    )));
    out
}

/// A `VmHWM`/`VmRSS`-style field of `/proc/self/status`, in bytes (0 where unavailable).
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Resets the peak to the current resident set; returns the current resident set.
fn reset_peak() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    status_bytes("VmRSS:")
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

/// Runs `pass` and prints its speed over `csv_len` bytes and its peak memory above `base`.
fn measure(
    name: &str,
    csv_len: usize,
    pass: impl FnOnce() -> Result<u64, Box<dyn std::error::Error>>,
) -> Result<(), Box<dyn std::error::Error>> {
    let base = reset_peak();
    let started = Instant::now();
    let cpu = ThreadTime::now();
    let rows = pass()?;
    let cpu = cpu.elapsed().as_secs_f64();
    let secs = started.elapsed().as_secs_f64();
    let peak = status_bytes("VmHWM:").saturating_sub(base);
    println!(
        "{name:<30} {rows:>9} rows  {secs:>7.3} s  {:>10.0} rows/s  {:>7.1} MB/s  cpu {cpu:>7.3} s {:>7.1} MB/s  peak +{:.1} MiB",
        rows as f64 / secs,
        csv_len as f64 / 1e6 / secs,
        csv_len as f64 / 1e6 / cpu,
        mib(peak)
    );
    Ok(())
}

fn run(rows: usize) -> Result<(), Box<dyn std::error::Error>> {
    let csv = generate(rows);
    let len = csv.len();
    println!("-- {rows} rows, {:.1} MB of GBK CSV", len as f64 / 1e6);
    let file = BillFile::from_bytes(csv.clone())?;
    measure("records (keyed, checked)", len, || {
        let mut records = file.records();
        let mut n = 0;
        for record in records.by_ref() {
            record?;
            n += 1;
        }
        assert_eq!(records.totals_checked(), 6);
        Ok(n)
    })?;
    measure("typed TradeRows (iterator)", len, || {
        let mut n = 0;
        for row in file.trade_rows() {
            std::hint::black_box(row?);
            n += 1;
        }
        Ok(n)
    })?;
    measure("typed TradeRows::read_into", len, || {
        let mut rows = file.trade_rows();
        let mut row = TradeRow::default();
        let mut n = 0;
        while rows.read_into(&mut row)? {
            std::hint::black_box(&row);
            n += 1;
        }
        assert_eq!(rows.records().totals_checked(), 6);
        Ok(n)
    })?;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    writer.start_file("2088_20261201_业务明细.csv", options)?;
    writer.write_all(&csv)?;
    drop(csv);
    let zip = writer.finish()?.into_inner();
    drop(file);
    println!("   zip: {:.1} MB deflated", zip.len() as f64 / 1e6);
    measure("archive open + records", len, || {
        let archive = BillArchive::open(&zip)?;
        let mut n = 0;
        for record in archive.detail().records() {
            record?;
            n += 1;
        }
        Ok(n)
    })?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut rows = 1_000_000;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rows" => rows = args.next().ok_or("--rows N")?.parse()?,
            other => return Err(format!("unknown argument `{other}` (use --rows N)").into()),
        }
    }
    run(rows)?;
    run(rows / 10)?;
    Ok(())
}
