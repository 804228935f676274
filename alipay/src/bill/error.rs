//! What can be wrong with a bill archive or a bill file.

/// Why a bill archive or bill file was refused. Each variant says what is wrong and where (the
/// entry's name, the line); none carries the download URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BillError {
    /// The bytes are not a ZIP archive the reader can open (truncated, corrupt, a checksum that
    /// does not match, an unsupported compression method or encryption).
    #[error("the bill is not a readable ZIP archive: {0}")]
    Zip(String),
    /// The archive has more entries than [`UnpackLimits::max_entries`](super::UnpackLimits::max_entries).
    #[error("the bill archive has {found} entries, more than the limit of {limit}")]
    TooManyEntries {
        /// The entries in the archive.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// An entry's name is absolute or climbs out of the archive (`../`, `/etc/…`, `C:\…`).
    #[error("the bill archive entry `{name}` has an unsafe path")]
    UnsafePath {
        /// The entry's name, decoded.
        name: String,
    },
    /// An entry is a symbolic link (or a directory, which a bill never has).
    #[error("the bill archive entry `{name}` is a link or a directory, not a file")]
    NotAFile {
        /// The entry's name, decoded.
        name: String,
    },
    /// An entry unpacks to more than a limit (per entry or in total), or to more than the
    /// allowed multiple of its compressed size: a decompression bomb. Unpacking stopped there.
    #[error("the bill archive entry `{name}` unpacks past the limit: {limit}")]
    TooLarge {
        /// The entry's name, decoded.
        name: String,
        /// The limit passed, in words.
        limit: String,
    },
    /// No entry holds a detail file (no first line `#支付宝业务明细查询` or
    /// `#支付宝账务明细查询`).
    #[error("the bill archive holds no detail file (entries: {entries:?})")]
    NoDetail {
        /// The names of the entries.
        entries: Vec<String>,
    },
    /// The bytes of a line are not GBK text.
    #[error("line {line} of the bill is not GBK text")]
    Encoding {
        /// The line, from 1.
        line: u64,
    },
    /// The file has no column header line after its `#` lines.
    #[error("the bill file has no column header line")]
    NoHeader,
    /// A column the rows need is missing from the header line.
    #[error("the bill's header line has no `{0}` column")]
    MissingColumn(String),
    /// A row has another number of fields than the header line has columns.
    #[error("line {line} of the bill has {found} fields, the header has {expected}")]
    Columns {
        /// The line, from 1.
        line: u64,
        /// The columns of the header line.
        expected: usize,
        /// The fields of the row.
        found: usize,
    },
    /// A field is not what its column holds (an amount, a time).
    #[error("line {line} of the bill: `{column}` is `{value}`, {reason}")]
    Field {
        /// The line, from 1.
        line: u64,
        /// The column's name.
        column: String,
        /// The field as written.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// The CSV itself is malformed (e.g. an unclosed quote).
    #[error("the bill's CSV is malformed: {0}")]
    Csv(String),
    /// A footer total (`#交易合计：…`) disagrees with the rows: the file is incomplete or was
    /// altered. Reported after the last row.
    #[error("the footer says {label} {what} is {footer}, the rows add up to {rows}")]
    TotalsMismatch {
        /// The footer line's label, e.g. `交易` or `收入`.
        label: String,
        /// What was added up: `笔数` (the count) or the amount's name, e.g. `商家实收`.
        what: String,
        /// The footer's figure.
        footer: String,
        /// The rows' figure.
        rows: String,
    },
}
