//! One bill file (a GBK CSV): what kind it is, and its `#` lines read as metadata.

use super::error::BillError;
use super::records::Records;
use super::time::BillTime;
use crate::Amount;

/// What a bill file holds, told by its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum FileKind {
    /// `#支付宝业务明细查询`: the trades and refunds of a `trade` bill.
    TradeDetail,
    /// `#支付宝业务汇总查询`: the summary of a `trade` bill.
    TradeSummary,
    /// `#支付宝账务明细查询`: the account movements of a `signcustomer` bill.
    AccountDetail,
    /// `#支付宝账务汇总查询`: the summary of a `signcustomer` bill.
    AccountSummary,
    /// Any other first line.
    Other,
}

impl FileKind {
    fn of(title: &str) -> Self {
        match title {
            "支付宝业务明细查询" => Self::TradeDetail,
            "支付宝业务汇总查询" => Self::TradeSummary,
            "支付宝账务明细查询" => Self::AccountDetail,
            "支付宝账务汇总查询" => Self::AccountSummary,
            _ => Self::Other,
        }
    }
}

/// A footer total, e.g. `#交易合计：3笔，商家实收共9.93元，商家优惠共0.00元`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct FooterTotal {
    /// What is totalled: `交易`, `退款`, `收入`, `支出`, ….
    pub label: String,
    /// The number of rows (`3笔`), if written.
    pub count: Option<u64>,
    /// The amounts by name (`商家实收`); the name is empty for a bare `共14989.00元`.
    pub amounts: Vec<(String, Amount)>,
}

/// The `#` lines of a bill file, read: who, which period, when exported, the footer totals;
/// plus every line as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct Metadata {
    /// The first line without its `#`, e.g. `支付宝业务明细查询`.
    pub title: String,
    /// The account (`#账号：[2088…]`).
    pub account: Option<String>,
    /// The start of the period (`起始日期`).
    pub start: Option<BillTime>,
    /// The end of the period (`终止日期`).
    pub end: Option<BillTime>,
    /// When the file was exported (`#导出时间：[…]`).
    pub exported: Option<BillTime>,
    /// The footer totals (`#…合计：…`).
    pub totals: Vec<FooterTotal>,
    /// The `#` lines before the rows, without `#`.
    pub header_lines: Vec<String>,
    /// The `#` lines after the rows, without `#`.
    pub footer_lines: Vec<String>,
}

/// A bill file: GBK CSV text between `#` lines. Its rows are read on demand, one at a time
/// ([`BillFile::records`], [`BillFile::trade_rows`], [`BillFile::account_rows`]), so only the
/// file's own bytes are held in memory.
///
/// ```
/// use alipay::bill::{BillFile, FileKind};
///
/// let csv = "#支付宝账务汇总查询\n类型,收入笔数\n在线支付,2\n";
/// let (gbk, _, _) = encoding_rs::GBK.encode(csv);
/// let file = BillFile::from_bytes(gbk.into_owned())?;
/// assert_eq!(file.kind(), FileKind::AccountSummary);
/// let rows: Vec<_> = file.records().collect::<Result<_, _>>()?;
/// assert_eq!(rows[0].get("收入笔数"), Some("2"));
/// # Ok::<(), alipay::bill::BillError>(())
/// ```
#[derive(Debug, Clone)]
pub struct BillFile {
    name: String,
    kind: FileKind,
    data: Vec<u8>,
    /// The byte range of the column header line and the rows.
    body: std::ops::Range<usize>,
    /// The number of lines before `body`.
    body_line: u64,
    meta: Metadata,
}

impl BillFile {
    /// Reads a bill file's GBK bytes: its `#` lines now, its rows when asked.
    pub fn from_bytes(data: Vec<u8>) -> Result<Self, BillError> {
        let mut start = if data.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let mut meta = Metadata::default();
        let mut line = 0u64;
        while data.get(start) == Some(&b'#') {
            let end = next_line(&data, start);
            line += 1;
            meta.header_lines.push(comment(&data[start..end], line)?);
            start = end;
        }
        // The footer: the `#` lines at the end, read backwards.
        let mut end = data.len();
        let mut footer = Vec::new();
        loop {
            let trimmed = trim_end(&data[start..end]);
            let line_start = trimmed
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(start, |i| start + i + 1);
            let text = &data[line_start..start + trimmed.len()];
            if line_start == start + trimmed.len() || !text.starts_with(b"#") {
                break;
            }
            footer.push(line_start);
            end = line_start;
        }
        let body_lines = count_lines(&data[start..end]);
        for (n, &at) in footer.iter().rev().enumerate() {
            let stop = next_line(&data, at);
            let number = line + body_lines + n as u64 + 1;
            meta.footer_lines.push(comment(&data[at..stop], number)?);
        }
        meta.read();
        Ok(Self {
            name: String::new(),
            kind: FileKind::of(&meta.title),
            body: start..end,
            body_line: line,
            data,
            meta,
        })
    }

    /// Sets the name (the archive entry's).
    pub(crate) fn named(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// The name of the archive entry it came from (empty for a file read on its own).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the file holds.
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// Its `#` lines, read.
    pub fn metadata(&self) -> &Metadata {
        &self.meta
    }

    /// The size of the file in bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The rows as records keyed by the header line's names, then the check of the footer
    /// totals against them (see [`Records`]).
    pub fn records(&self) -> Records<'_> {
        Records::new(self)
    }

    /// The column header line and the rows, as GBK bytes.
    pub(crate) fn body(&self) -> &[u8] {
        &self.data[self.body.clone()]
    }

    /// The number of lines before [`BillFile::body`].
    pub(crate) fn body_line(&self) -> u64 {
        self.body_line
    }
}

impl Metadata {
    /// Fills the typed fields from the lines.
    fn read(&mut self) {
        self.title = self
            .header_lines
            .first()
            .map(|t| t.trim().to_owned())
            .unwrap_or_default();
        for line in self.header_lines.iter().chain(&self.footer_lines) {
            if let Some(account) = value_after(line, "账号") {
                self.account = Some(account.to_owned());
            }
            if let Some(start) = value_after(line, "起始日期") {
                self.start = start.parse().ok();
            }
            if let Some(end) = value_after(line, "终止日期") {
                self.end = end.parse().ok();
            }
            if let Some(exported) = value_after(line, "导出时间") {
                self.exported = exported.parse().ok();
            }
        }
        self.totals = self.footer_lines.iter().filter_map(|l| total(l)).collect();
    }
}

/// `#交易合计：3笔，商家实收共9.93元，…` read.
fn total(line: &str) -> Option<FooterTotal> {
    let (label, rest) = line.split_once("合计")?;
    let rest = rest.strip_prefix(['：', ':'])?;
    let mut total = FooterTotal {
        label: label.trim().to_owned(),
        count: None,
        amounts: Vec::new(),
    };
    for part in rest.split(['，', ',']).map(str::trim) {
        if let Some(count) = part.strip_suffix('笔') {
            total.count = count.trim().parse().ok();
        } else if let Some(value) = part.strip_suffix('元') {
            let (name, value) = value
                .split_once('共')
                .or_else(|| value.split_once(['：', ':']))
                .unwrap_or(("", value));
            if let Ok(amount) = Amount::parse_signed(value.trim()) {
                total.amounts.push((name.trim().to_owned(), amount));
            }
        }
    }
    Some(total)
}

/// The value of `key：[value]` (or `key：value`, up to the next spaces) in a `#` line.
fn value_after<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = line.find(key)?;
    let rest = line[at + key.len()..]
        .strip_prefix(['：', ':'])?
        .trim_start();
    let value = match rest.strip_prefix('[') {
        Some(inner) => inner.split(']').next().unwrap_or(inner),
        None => rest.split("  ").next().unwrap_or(rest),
    };
    Some(value.trim())
}

/// A `#` line decoded from GBK, without its `#`, line ending and trailing commas, tabs and
/// spaces.
fn comment(bytes: &[u8], line: u64) -> Result<String, BillError> {
    let bytes = trim_end(bytes);
    let bytes = bytes.strip_prefix(b"#").unwrap_or(bytes);
    let text = encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(BillError::Encoding { line })?;
    Ok(text.trim_end_matches([',', ' ', '\t']).to_owned())
}

/// The start of the line after the one starting at `start`.
fn next_line(data: &[u8], start: usize) -> usize {
    data[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(data.len(), |i| start + i + 1)
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let keep = bytes
        .iter()
        .rposition(|b| !b" \t\r\n,".contains(b))
        .map_or(0, |i| i + 1);
    &bytes[..keep]
}

fn count_lines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}
