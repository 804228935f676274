//! Reading a bill file's rows one at a time as records keyed by the header line's names: GBK
//! decoded, fields trimmed, each row checked against the header line, and the footer totals
//! checked after the last row.

use std::sync::Arc;

use super::error::BillError;
use super::file::BillFile;
use super::raw::{RawRow, RawRows};

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
    raw: RawRows<'a>,
}

impl std::fmt::Debug for Records<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("headers", self.raw.headers())
            .field("rows", &self.raw.rows_read())
            .finish_non_exhaustive()
    }
}

impl<'a> Records<'a> {
    pub(crate) fn new(file: &'a BillFile) -> Self {
        Self {
            raw: RawRows::new(file),
        }
    }

    /// The header line's names (empty before the first row is asked for).
    pub fn headers(&self) -> &[String] {
        self.raw.headers()
    }

    /// The rows read so far.
    pub fn rows_read(&self) -> u64 {
        self.raw.rows_read()
    }

    /// The number of footer figures (counts and amounts) checked against the rows so far; all
    /// of them agreed unless a [`BillError::TotalsMismatch`] was returned.
    pub fn totals_checked(&self) -> usize {
        self.raw.tally.checked
    }

    /// The reader under the records, for the typed rows.
    pub(crate) fn raw(&mut self) -> &mut RawRows<'a> {
        &mut self.raw
    }
}

/// A row as a [`Record`]: its fields copied, trimmed.
fn record(row: &RawRow<'_>) -> Record {
    let mut values = csv::StringRecord::with_capacity(row.text_len(), row.len());
    for index in 0..row.len() {
        values.push_field(row.field(index));
    }
    Record {
        headers: Arc::clone(row.headers()),
        values,
        line: row.line(),
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Record, BillError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.raw
            .next_row()
            .map(|row| row.map(|row| record(&row)))
            .transpose()
    }
}

/// A header name as compared: trimmed, ASCII parentheses made full-width (older bills write
/// `订单金额(元)`, newer ones `订单金额（元）`).
pub(crate) fn normalize(name: &str) -> String {
    name.trim().replace('(', "（").replace(')', "）")
}
