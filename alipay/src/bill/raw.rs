//! The reader under [`Records`](super::Records) and the typed rows: the file's GBK decoded to
//! UTF-8 as it is read (one decoder over the whole file, runs of ASCII copied as they are), the
//! CSV read into one reused record, the record's text checked as UTF-8 once for all its fields,
//! and each row checked against the header line and added to the footer totals. Fields are
//! trimmed slices of the row's text: nothing is copied until a caller keeps a field.

use std::io;
use std::sync::Arc;

use super::error::BillError;
use super::file::BillFile;
use super::records::normalize;
use super::tally::Tally;

/// Reads a bill file's rows one at a time into one reused record.
pub(crate) struct RawRows<'a> {
    reader: csv::Reader<GbkReader<'a>>,
    record: csv::ByteRecord,
    headers: Arc<[String]>,
    body_line: u64,
    /// 1 when lines end with `\r\n`: the csv reader then gives the records after the first one
    /// the line before theirs (it has not yet read the `\n`).
    crlf: u64,
    pub(crate) tally: Tally,
    rows: u64,
    state: State,
}

/// Where the reading stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Rows,
    Done,
}

/// The row just read: its text, where each field is in it, the header names, its line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawRow<'r> {
    /// The fields' text, one after the other.
    text: &'r str,
    record: &'r csv::ByteRecord,
    headers: &'r Arc<[String]>,
    line: u64,
}

impl<'a> RawRows<'a> {
    pub(crate) fn new(file: &'a BillFile) -> Self {
        let body = file.body();
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(GbkReader::new(body));
        let crlf = body
            .iter()
            .position(|&b| b == b'\n')
            .is_some_and(|at| at > 0 && body[at - 1] == b'\r');
        Self {
            reader,
            record: csv::ByteRecord::new(),
            headers: Arc::from(Vec::new()),
            body_line: file.body_line(),
            crlf: u64::from(crlf),
            tally: Tally::new(file),
            rows: 0,
            state: State::Start,
        }
    }

    /// The header line's names, normalized (empty before the first row is asked for).
    pub(crate) fn headers(&self) -> &Arc<[String]> {
        &self.headers
    }

    /// The rows read so far.
    pub(crate) fn rows_read(&self) -> u64 {
        self.rows
    }

    /// Reads the next row, checked against the header line and added to the totals; `None`
    /// after the last one, once the footer totals agree. After an error, or the end, there are
    /// no more rows.
    pub(crate) fn next_row(&mut self) -> Result<Option<RawRow<'_>>, BillError> {
        match self.state {
            State::Done => return Ok(None),
            State::Start => {
                let started = self.start();
                if started.is_err() {
                    self.state = State::Done;
                }
                started?;
            }
            State::Rows => {}
        }
        let more = self.read();
        if !matches!(more, Ok(true)) {
            self.state = State::Done;
            return match more {
                Ok(_) => self.tally.finish().map(|()| None),
                Err(error) => Err(error),
            };
        }
        let line = self.line();
        let Self {
            record,
            headers,
            tally,
            ..
        } = self;
        let row = row(record, headers, line).and_then(|row| {
            if row.len() != headers.len() {
                return Err(BillError::Columns {
                    line,
                    expected: headers.len(),
                    found: row.len(),
                });
            }
            tally.add(&row)?;
            Ok(row)
        });
        match row {
            Ok(row) => {
                self.rows += 1;
                Ok(Some(row))
            }
            Err(error) => {
                self.state = State::Done;
                Err(error)
            }
        }
    }

    /// Reads the remaining rows without looking at them, so that the counts and checks end as
    /// if every row had been read.
    pub(crate) fn skip_rest(&mut self) {
        while let Ok(Some(_)) = self.next_row() {}
    }

    /// Reads the header line.
    fn start(&mut self) -> Result<(), BillError> {
        if !self.read()? {
            return Err(BillError::NoHeader);
        }
        let header = row(&self.record, &self.headers, self.line())?;
        self.headers = (0..header.len())
            .map(|index| normalize(header.field(index)))
            .collect::<Vec<_>>()
            .into();
        self.tally.resolve(&self.headers);
        self.state = State::Rows;
        Ok(())
    }

    /// The line of the record just read, from 1.
    fn line(&self) -> u64 {
        let crlf = if self.state == State::Start {
            0
        } else {
            self.crlf
        };
        self.body_line + crlf + self.record.position().map_or(0, csv::Position::line)
    }

    /// Reads the next record; `false` at the end.
    fn read(&mut self) -> Result<bool, BillError> {
        self.reader.read_byte_record(&mut self.record).map_err(|e| {
            let line = self.body_line + e.position().map_or(0, csv::Position::line);
            match e.into_kind() {
                csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::InvalidData => {
                    BillError::Encoding {
                        line: self.body_line + self.reader.get_ref().error_line(),
                    }
                }
                other => BillError::Csv(format!("line {line}: {other:?}")),
            }
        })
    }
}

/// The record just read as a row: its text checked as UTF-8 once, for all its fields.
fn row<'r>(
    record: &'r csv::ByteRecord,
    headers: &'r Arc<[String]>,
    line: u64,
) -> Result<RawRow<'r>, BillError> {
    // What the decoder wrote is UTF-8, and the CSV reader splits it only at ASCII bytes.
    let text = std::str::from_utf8(record.as_slice()).map_err(|_| BillError::Encoding { line })?;
    Ok(RawRow {
        text,
        record,
        headers,
        line,
    })
}

impl<'r> RawRow<'r> {
    /// The row's line in the file, from 1.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// The number of fields.
    pub(crate) fn len(&self) -> usize {
        self.record.len()
    }

    /// The length of the fields' text, in bytes.
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The header line's names.
    pub(crate) fn headers(&self) -> &'r Arc<[String]> {
        self.headers
    }

    /// Field `index` without the whitespace around it (empty if there is no such field).
    pub(crate) fn field(&self, index: usize) -> &'r str {
        self.record
            .range(index)
            .and_then(|range| self.text.get(range))
            .map_or("", trim)
    }

    /// The error for field `index` (under the header `column`) not being what its column holds:
    /// `reason`, said from its text.
    pub(crate) fn invalid(
        &self,
        index: usize,
        column: &str,
        reason: impl FnOnce(&str) -> String,
    ) -> BillError {
        let value = self.field(index);
        BillError::Field {
            line: self.line,
            column: column.to_owned(),
            value: value.to_owned(),
            reason: reason(value),
        }
    }
}

/// `text` without the whitespace around it, as [`str::trim`] (the full-width space too): ASCII
/// whitespace (an ID's trailing tab) is cut as bytes, and only a field that then starts or ends
/// with a character beyond ASCII is left to `str::trim`.
fn trim(text: &str) -> &str {
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    let bytes = text.as_bytes();
    // Most fields: nothing to cut.
    if let [first, .., last] = bytes
        && first.is_ascii_graphic()
        && last.is_ascii_graphic()
    {
        return text;
    }
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |i| i + 1);
    // Next to an ASCII byte, or at an end, is always a character boundary.
    let inner = text.get(start..end).unwrap_or(text);
    match inner.as_bytes() {
        [first, .., last] if first.is_ascii() && last.is_ascii() => inner,
        [only] if only.is_ascii() => inner,
        _ => inner.trim(),
    }
}

/// Reads GBK bytes as UTF-8, failing (with [`io::ErrorKind::InvalidData`]) at the first byte
/// sequence that is not GBK, after handing over the text before it.
struct GbkReader<'a> {
    input: &'a [u8],
    pos: usize,
    decoder: encoding_rs::Decoder,
    /// A byte sequence that is not GBK was met: the next read fails.
    malformed: bool,
}

impl<'a> GbkReader<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            pos: 0,
            decoder: encoding_rs::GBK.new_decoder_without_bom_handling(),
            malformed: false,
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
        let not_gbk = || io::Error::new(io::ErrorKind::InvalidData, "not GBK");
        if self.malformed {
            return Err(not_gbk());
        }
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
                self.malformed = true;
                if written == 0 {
                    Err(not_gbk())
                } else {
                    Ok(written)
                }
            }
            _ if written == 0 => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "read buffer too small for one character",
            )),
            _ => Ok(written),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn trims_as_str_trim() {
        for text in [
            "T-1",
            "T-1\t",
            " T",
            "\u{3000}一号店\u{3000}",
            "一号店",
            "x",
            " ",
            "\t",
            "",
            "\x0Ba\x0B",
            "a b",
            "茶 ",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn hands_over_the_text_before_bytes_that_are_not_gbk() {
        let (input, _, _) = encoding_rs::GBK.encode("交易,1\n退款,2\n");
        let mut input = input.into_owned();
        input.extend(b"\xFF\n");
        let mut reader = GbkReader::new(&input);
        let mut buf = [0; 64];
        let n = reader.read(&mut buf).expect("the text before");
        assert_eq!(std::str::from_utf8(&buf[..n]), Ok("交易,1\n退款,2\n"));
        let error = reader.read(&mut buf).expect_err("then the error");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert_eq!(reader.error_line(), 3);
        let mut good = GbkReader::new(b"ascii only\n");
        assert_eq!(good.read(&mut buf).ok(), Some(11));
        assert_eq!(good.read(&mut buf).ok(), Some(0));
    }
}
