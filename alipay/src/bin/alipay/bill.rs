//! `bill`: read a bill archive into JSON lines, and download one.

use std::io::{BufWriter, ErrorKind, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use alipay::bill::{BillArchive, BillDate, BillError, BillFile, BillType, DEFAULT_MAX_BILL_SIZE};
use clap::{Args, Subcommand, ValueEnum};

use crate::call::{self, ClientArgs};
use crate::fatal::{Context, FAILED, Fatal};
use crate::{output, runtime};

/// The `--help` text of `bill parse`.
pub(crate) const PARSE_HELP: &str = "Print the rows of a bill as JSON lines, then a summary.\n\n\
                  FILE is a bill archive as Alipay serves it (a ZIP of GBK CSV files; its detail \
                  file is found by its first line) or one bill CSV file. Each row is printed as \
                  a JSON object keyed by the header line's names; the last line is \
                  {\"summary\": {…}} with the file, its kind, the row count, the `#` lines read \
                  (account, period, footer totals) and how many footer figures were checked \
                  against the rows. A bill that cannot be read, or whose footer totals disagree \
                  with its rows, ends with the reason on stderr (exit 1).";

/// The `--help` text of `bill download`.
pub(crate) const DOWNLOAD_HELP: &str = "Download a bill archive to a file.\n\n\
                  Asks alipay.data.dataservice.bill.downloadurl.query for the bill's URL and \
                  fetches the ZIP (the URL is short-lived and never printed). The gateway and \
                  keys are given as for `alipay call`. Read the file with `alipay bill parse`.";

/// `alipay bill`.
#[derive(Debug, Subcommand)]
pub(crate) enum BillCommand {
    /// Print the rows of a bill as JSON lines, then a summary
    #[command(long_about = PARSE_HELP)]
    Parse(ParseArgs),
    /// Download a bill archive to a file
    #[command(long_about = DOWNLOAD_HELP)]
    Download(Box<DownloadArgs>),
}

/// `alipay bill parse`.
#[derive(Debug, Args)]
#[command(after_help = "Example: alipay bill parse 2088_20261201_业务明细.zip | head")]
pub(crate) struct ParseArgs {
    /// The bill archive (.zip) or bill file (.csv)
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// The bill types of `--type`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum TypeArg {
    /// The merchant's trades and refunds
    Trade,
    /// The movements of the account's balance
    Signcustomer,
    /// A secondary merchant's trades (needs --smid)
    TradeZftMerchant,
}

/// `alipay bill download`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example: alipay bill download --type trade --date 2026-12-01 --out bill.zip --gateway URL"
)]
pub(crate) struct DownloadArgs {
    /// Which bill
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    bill_type: TypeArg,
    /// The day (yyyy-MM-dd) or month (yyyy-MM)
    #[arg(long, value_name = "DATE")]
    date: String,
    /// Where to write the archive
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The secondary merchant, for --type trade-zft-merchant
    #[arg(long, value_name = "SMID")]
    smid: Option<String>,
    /// The largest archive accepted, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BILL_SIZE)]
    max_size: usize,
    #[command(flatten)]
    client: ClientArgs,
}

pub(crate) fn run(command: &BillCommand) -> Result<ExitCode, Fatal> {
    match command {
        BillCommand::Parse(args) => parse(args),
        BillCommand::Download(args) => download(args),
    }
}

/// A bill that cannot be read is a failed check (exit 1).
fn refused(error: &BillError) -> Fatal {
    Fatal::failed(format!("the bill is refused: {error}"))
}

fn parse(args: &ParseArgs) -> Result<ExitCode, Fatal> {
    let bytes =
        std::fs::read(&args.file).context(|| format!("cannot read `{}`", args.file.display()))?;
    let file = if bytes.starts_with(b"PK") {
        BillArchive::open(&bytes)
            .map_err(|e| refused(&e))?
            .into_detail()
    } else {
        BillFile::from_bytes(bytes).map_err(|e| refused(&e))?
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut records = file.records();
    for record in records.by_ref() {
        let record = record.map_err(|e| refused(&e))?;
        if !write_line(&mut out, &serde_json::to_string(&record)?)? {
            return Ok(ExitCode::SUCCESS);
        }
    }
    let summary = serde_json::json!({ "summary": {
        "file": file.name(),
        "kind": file.kind(),
        "rows": records.rows_read(),
        "totals_checked": records.totals_checked(),
        "metadata": file.metadata(),
    }});
    write_line(&mut out, &summary.to_string())?;
    match out.flush() {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(Fatal::usage(format!("cannot write stdout: {e}")))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Writes a line; `false` when the reader went away (a closed pipe).
fn write_line(out: &mut impl Write, line: &str) -> Result<bool, Fatal> {
    match writeln!(out, "{line}") {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Fatal::usage(format!("cannot write stdout: {e}"))),
    }
}

fn download(args: &DownloadArgs) -> Result<ExitCode, Fatal> {
    let date: BillDate = args.date.parse()?;
    let bill_type = match (args.bill_type, args.smid.as_deref()) {
        (TypeArg::TradeZftMerchant, Some(smid)) if !smid.trim().is_empty() => {
            BillType::TradeZftMerchant {
                smid: smid.trim().to_owned(),
            }
        }
        (TypeArg::TradeZftMerchant, _) => {
            return Err(Fatal::usage("`--type trade-zft-merchant` needs `--smid`"));
        }
        (_, Some(_)) => {
            return Err(Fatal::usage(
                "`--smid` is only for `--type trade-zft-merchant`",
            ));
        }
        (TypeArg::Trade, None) => BillType::Trade,
        (TypeArg::Signcustomer, None) => BillType::SignCustomer,
    };
    let client = call::client(&args.client)?;
    let result = runtime()?.block_on(async {
        client
            .download_bill(bill_type, date)
            .max_size(args.max_size)
            .await
    });
    let bill = match result {
        Ok(bill) => bill,
        Err(alipay::Error::Api(error) | alipay::Error::Gateway(error)) => {
            output::line(&serde_json::to_string_pretty(&error)?)?;
            return Ok(ExitCode::from(FAILED));
        }
        Err(e) => return Err(e.into()),
    };
    std::fs::write(&args.out, bill.bytes())
        .context(|| format!("cannot write `{}`", args.out.display()))?;
    output::note(&format!(
        "wrote {} bytes to {}",
        bill.bytes().len(),
        args.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}
