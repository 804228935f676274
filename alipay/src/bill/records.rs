//! Reading a bill file's rows one at a time: GBK decoded as it is read, fields trimmed, each
//! row checked against the header line, and the footer totals checked after the last row.

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use super::error::BillError;
use super::file::{BillFile, FileKind};
use crate::Amount;

/// One row of a bill file, its fields keyed by the header line's names.
///
/// Serializes as a JSON object (header name → field), as `alipay bill parse` prints it.
#[derive(Debug, Clone)]
pub struct Record {
    headers: Arc<[String]>,
    values: csv::StringRecord,
    line: u64,
}

impl Record {
    /// The field under the header `name`, trimmed (`None` if there is no such column).
    pub fn get(&self, name: &str) -> Option<&str> {
        let index = self.headers.iter().position(|h| h == name)?;
        self.values.get(index)
    }

    /// The field in column `index`, from 0.
    pub fn value(&self, index: usize) -> Option<&str> {
        self.values.get(index)
    }

    /// The header names and fields, in the file's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(String::as_str)
            .zip(self.values.iter())
    }

    /// The header line's names.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The row's line in the file, from 1.
    pub fn line(&self) -> u64 {
        self.line
    }
}

impl serde::Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// The rows of a [`BillFile`], read one at a time: memory use does not grow with the file.
///
/// Each item is a [`Record`], or the first error met (a row with more or fewer fields than the
/// header line, bytes that are not GBK, malformed CSV), after which the iteration ends. After the last row the footer
/// totals (`#交易合计：…`, `#收入合计：…`) are checked against the rows: when one disagrees, a
/// last item [`BillError::TotalsMismatch`] says which.
pub struct Records<'a> {
    reader: csv::Reader<GbkReader<'a>>,
    headers: Arc<[String]>,
    body_line: u64,
    /// 1 when lines end with `\r\n`: the csv reader then gives the records after the first one
    /// the line before theirs (it has not yet read the `\n`).
    crlf: u64,
    tally: Tally,
    rows: u64,
    state: State,
}

/// Where the iteration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Rows,
    Done,
}

impl std::fmt::Debug for Records<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("headers", &self.headers)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl<'a> Records<'a> {
    pub(crate) fn new(file: &'a BillFile) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(GbkReader::new(file.body()));
        let body = file.body();
        let crlf = body
            .iter()
            .position(|&b| b == b'\n')
            .is_some_and(|at| at > 0 && body[at - 1] == b'\r');
        Self {
            reader,
            headers: Arc::from(Vec::new()),
            body_line: file.body_line(),
            crlf: u64::from(crlf),
            tally: Tally::new(file),
            rows: 0,
            state: State::Start,
        }
    }

    /// The header line's names (empty before the first row is asked for).
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The rows read so far.
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// The number of footer figures (counts and amounts) checked against the rows so far; all
    /// of them agreed unless a [`BillError::TotalsMismatch`] was returned.
    pub fn totals_checked(&self) -> usize {
        self.tally.checked
    }

    /// Reads the header line.
    fn start(&mut self) -> Result<(), BillError> {
        let mut header = csv::StringRecord::new();
        if !self.read(&mut header)? {
            return Err(BillError::NoHeader);
        }
        self.headers = header.iter().map(normalize).collect::<Vec<_>>().into();
        self.tally.resolve(&self.headers);
        Ok(())
    }

    /// Reads the next record; `false` at the end.
    fn read(&mut self, record: &mut csv::StringRecord) -> Result<bool, BillError> {
        self.reader.read_record(record).map_err(|e| {
            let line = self.body_line + e.position().map_or(0, csv::Position::line);
            match e.into_kind() {
                csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::InvalidData => {
                    BillError::Encoding {
                        line: self.body_line + self.reader.get_ref().error_line(),
                    }
                }
                csv::ErrorKind::Utf8 { .. } => BillError::Encoding { line },
                other => BillError::Csv(format!("line {line}: {other:?}")),
            }
        })
    }

    fn next_record(&mut self) -> Result<Option<Record>, BillError> {
        if self.state == State::Start {
            self.start()?;
            self.state = State::Rows;
        }
        let mut values = csv::StringRecord::new();
        if !self.read(&mut values)? {
            self.state = State::Done;
            self.tally.finish()?;
            return Ok(None);
        }
        let line = self.body_line + self.crlf + values.position().map_or(0, csv::Position::line);
        let expected = self.headers.len();
        if values.len() != expected {
            return Err(BillError::Columns {
                line,
                expected,
                found: values.len(),
            });
        }
        self.tally.add(&values, line, &self.headers)?;
        self.rows += 1;
        Ok(Some(Record {
            headers: Arc::clone(&self.headers),
            values,
            line,
        }))
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Record, BillError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.state == State::Done {
            return None;
        }
        match self.next_record() {
            Ok(record) => record.map(Ok),
            Err(error) => {
                self.state = State::Done;
                Some(Err(error))
            }
        }
    }
}

/// A header name as compared: trimmed, ASCII parentheses made full-width (older bills write
/// `订单金额(元)`, newer ones `订单金额（元）`).
pub(crate) fn normalize(name: &str) -> String {
    name.trim().replace('(', "（").replace(')', "）")
}

/// The footer totals being checked against the rows.
struct Tally {
    kind: FileKind,
    checks: Vec<Check>,
    checked: usize,
}

/// One footer line's figures and the rows' sums so far.
struct Check {
    label: String,
    /// Which rows the line counts; `None` when the file's columns do not say.
    selector: Option<Selector>,
    count: Option<u64>,
    rows: u64,
    /// Each amount: its name, its column, the footer's cents, the rows' cents.
    amounts: Vec<(String, Option<usize>, Amount, i64)>,
}

/// Which rows a footer line counts.
enum Selector {
    /// Rows whose column holds the label (`业务类型` = `交易`).
    Equals(usize),
    /// Rows whose amount in the column is not zero (`收入金额` for `收入`).
    NonZero(usize),
}

impl Tally {
    fn new(file: &BillFile) -> Self {
        let checks = file
            .metadata()
            .totals
            .iter()
            .map(|total| Check {
                label: total.label.clone(),
                selector: None,
                count: total.count,
                rows: 0,
                amounts: total
                    .amounts
                    .iter()
                    .map(|(name, amount)| (name.clone(), None, amount.clone(), 0))
                    .collect(),
            })
            .collect();
        Self {
            kind: file.kind(),
            checks,
            checked: 0,
        }
    }

    /// Finds the columns of each footer line: `交易`/`退款` rows by `业务类型` in a trade bill,
    /// `收入`/`支出` rows by their amount column in an account bill.
    fn resolve(&mut self, headers: &[String]) {
        let column = |prefix: &str| headers.iter().position(|h| h.starts_with(prefix));
        for check in &mut self.checks {
            let own = match self.kind {
                FileKind::TradeDetail => None,
                _ => column(&format!("{}金额", check.label)),
            };
            check.selector = match self.kind {
                FileKind::TradeDetail => column("业务类型").map(Selector::Equals),
                FileKind::AccountDetail => own.map(Selector::NonZero),
                _ => None,
            };
            for (name, index, _, _) in &mut check.amounts {
                *index = if name.is_empty() { own } else { column(name) };
            }
        }
    }

    fn add(
        &mut self,
        values: &csv::StringRecord,
        line: u64,
        headers: &[String],
    ) -> Result<(), BillError> {
        let cents = |index: usize| -> Result<i64, BillError> {
            let text = values.get(index).unwrap_or("");
            if text.is_empty() {
                return Ok(0);
            }
            Amount::signed_cents_of(text).map_err(|e| BillError::Field {
                line,
                column: headers.get(index).cloned().unwrap_or_default(),
                value: text.to_owned(),
                reason: e.to_string(),
            })
        };
        for check in &mut self.checks {
            let selected = match check.selector {
                None => continue,
                Some(Selector::Equals(index)) => values.get(index) == Some(check.label.as_str()),
                Some(Selector::NonZero(index)) => cents(index)? != 0,
            };
            if !selected {
                continue;
            }
            check.rows += 1;
            for (_, index, _, sum) in &mut check.amounts {
                if let Some(index) = *index {
                    *sum = sum.saturating_add(cents(index)?);
                }
            }
        }
        Ok(())
    }

    /// Compares the footer's figures with the rows'.
    fn finish(&mut self) -> Result<(), BillError> {
        for check in &self.checks {
            if check.selector.is_none() {
                continue;
            }
            if let Some(count) = check.count {
                self.checked += 1;
                if count != check.rows {
                    return Err(BillError::TotalsMismatch {
                        label: check.label.clone(),
                        what: "笔数".to_owned(),
                        footer: count.to_string(),
                        rows: check.rows.to_string(),
                    });
                }
            }
            for (name, index, footer, sum) in &check.amounts {
                if index.is_none() {
                    continue;
                }
                self.checked += 1;
                let expected = footer.signed_cents();
                // Some accounts write expenses as positive figures, others as negative ones.
                let agrees = *sum == expected
                    || (self.kind == FileKind::AccountDetail
                        && sum.unsigned_abs() == expected.unsigned_abs());
                if !agrees {
                    return Err(BillError::TotalsMismatch {
                        label: check.label.clone(),
                        what: if name.is_empty() {
                            "金额".to_owned()
                        } else {
                            name.clone()
                        },
                        footer: footer.as_str().to_owned(),
                        rows: Amount::from_signed_cents(*sum).as_str().to_owned(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Reads GBK bytes as UTF-8, failing (with [`io::ErrorKind::InvalidData`]) at the first byte
/// sequence that is not GBK.
struct GbkReader<'a> {
    input: &'a [u8],
    pos: usize,
    decoder: encoding_rs::Decoder,
}

impl<'a> GbkReader<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            pos: 0,
            decoder: encoding_rs::GBK.new_decoder_without_bom_handling(),
        }
    }

    /// The line (from 1, within the input) where decoding stopped.
    fn error_line(&self) -> u64 {
        let upto = &self.input[..self.pos.min(self.input.len())];
        upto.iter().filter(|&&b| b == b'\n').count() as u64 + 1
    }
}

impl io::Read for GbkReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The csv reader reads through an 8 KiB buffer, so `buf` always has room for a
        // character; a smaller one is refused rather than read as the end.
        if self.pos >= self.input.len() || buf.is_empty() {
            return Ok(0);
        }
        let (result, read, written) =
            self.decoder
                .decode_to_utf8_without_replacement(&self.input[self.pos..], buf, true);
        self.pos += read;
        match result {
            encoding_rs::DecoderResult::Malformed(..) => {
                Err(io::Error::new(io::ErrorKind::InvalidData, "not GBK"))
            }
            _ if written == 0 => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "read buffer too small for one character",
            )),
            _ => Ok(written),
        }
    }
}

/// The unknown columns of a row: header name → field.
pub(crate) fn extra(record: &Record, known: &[bool]) -> BTreeMap<String, String> {
    record
        .iter()
        .enumerate()
        .filter(|(i, _)| !known.get(*i).copied().unwrap_or(false))
        .map(|(_, (name, value))| (name.to_owned(), value.to_owned()))
        .collect()
}
