//! Unpacking a bill archive safely: GBK entry names, no paths out of the archive, no links, and
//! bounds on what the entries unpack to; the detail and summary files found by their first line.

use std::io::{Cursor, Read as _};

use super::error::BillError;
use super::file::{BillFile, FileKind};

/// Bounds on unpacking a bill archive, against archives built to exhaust memory
/// (decompression bombs). The defaults fit the largest real bills (tens of MB of CSV).
///
/// ```
/// use alipay::bill::UnpackLimits;
///
/// let limits = UnpackLimits::default().max_entry_size(64 << 20).max_ratio(50);
/// assert_eq!(limits.entry_size(), 64 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnpackLimits {
    max_entries: usize,
    max_entry_size: u64,
    max_total_size: u64,
    max_ratio: u64,
}

/// Entries up to this size are never refused for their compression ratio (a small, regular
/// file compresses very well without being a bomb).
const RATIO_FREE: u64 = 1 << 20;

impl Default for UnpackLimits {
    /// 16 entries, 512 MiB per entry and 1 GiB in total, each entry past 1 MiB at most 200 times
    /// its compressed size (deflate's own bound is about 1032).
    fn default() -> Self {
        Self {
            max_entries: 16,
            max_entry_size: 512 << 20,
            max_total_size: 1 << 30,
            max_ratio: 200,
        }
    }
}

impl UnpackLimits {
    /// The largest number of entries in the archive (a bill has two).
    pub fn max_entries(mut self, max: usize) -> Self {
        self.max_entries = max;
        self
    }

    /// The most bytes one entry may unpack to.
    pub fn max_entry_size(mut self, bytes: u64) -> Self {
        self.max_entry_size = bytes;
        self
    }

    /// The most bytes all entries together may unpack to.
    pub fn max_total_size(mut self, bytes: u64) -> Self {
        self.max_total_size = bytes;
        self
    }

    /// The largest multiple of its compressed size an entry past 1 MiB may unpack to.
    pub fn max_ratio(mut self, ratio: u64) -> Self {
        self.max_ratio = ratio;
        self
    }

    /// The bound on one entry's unpacked size.
    pub fn entry_size(&self) -> u64 {
        self.max_entry_size
    }
}

/// A bill archive (账单 ZIP), unpacked: its detail file (明细) and, when present, its summary
/// file (汇总), each found by its first line whatever the order of the entries.
///
/// Download one with [`Client::download_bill`](crate::Client::download_bill), or open bytes read
/// elsewhere with [`BillArchive::open`].
///
/// ```
/// use alipay::bill::{BillArchive, BillError};
///
/// assert!(matches!(BillArchive::open(b"not a zip"), Err(BillError::Zip(_))));
/// ```
#[derive(Debug)]
pub struct BillArchive {
    detail: BillFile,
    summary: Option<BillFile>,
    names: Vec<String>,
}

impl BillArchive {
    /// Unpacks `zip` within the [default limits](UnpackLimits::default).
    pub fn open(zip: &[u8]) -> Result<Self, BillError> {
        Self::open_with(zip, UnpackLimits::default())
    }

    /// Unpacks `zip` within `limits`.
    pub fn open_with(zip: &[u8], limits: UnpackLimits) -> Result<Self, BillError> {
        let mut archive =
            zip::ZipArchive::new(Cursor::new(zip)).map_err(|e| BillError::Zip(e.to_string()))?;
        if archive.len() > limits.max_entries {
            return Err(BillError::TooManyEntries {
                found: archive.len(),
                limit: limits.max_entries,
            });
        }
        let mut left = limits.max_total_size;
        let (mut detail, mut summary, mut names) = (None, None, Vec::new());
        for index in 0..archive.len() {
            let mut entry = archive
                .by_index(index)
                .map_err(|e| BillError::Zip(e.to_string()))?;
            let name = entry_name(entry.name_raw());
            check_path(&name)?;
            if entry.is_symlink() || entry.is_dir() {
                return Err(BillError::NotAFile { name });
            }
            let ratio_cap = entry
                .compressed_size()
                .saturating_mul(limits.max_ratio)
                .max(RATIO_FREE);
            let mut bound = (limits.max_entry_size, "the size of one entry");
            if left < bound.0 {
                bound = (left, "the total size of the entries");
            }
            if ratio_cap < bound.0 {
                bound = (ratio_cap, "the compression ratio");
            }
            let (cap, limit) = bound;
            let too_large = |name: String| BillError::TooLarge {
                name,
                limit: format!("{limit} ({cap} bytes)"),
            };
            if entry.size() > cap {
                return Err(too_large(name));
            }
            let mut data = Vec::new();
            (&mut entry)
                .take(cap.saturating_add(1))
                .read_to_end(&mut data)
                .map_err(|e| BillError::Zip(format!("entry `{name}`: {e}")))?;
            let size = data.len() as u64;
            if size > cap {
                return Err(too_large(name));
            }
            left -= size;
            let file = BillFile::from_bytes(data)?.named(&name);
            match file.kind() {
                FileKind::TradeDetail | FileKind::AccountDetail if detail.is_none() => {
                    detail = Some(file);
                }
                FileKind::TradeSummary | FileKind::AccountSummary if summary.is_none() => {
                    summary = Some(file);
                }
                _ => {}
            }
            names.push(name);
        }
        let detail = detail.ok_or_else(|| BillError::NoDetail {
            entries: names.clone(),
        })?;
        Ok(Self {
            detail,
            summary,
            names,
        })
    }

    /// The detail file: one row per trade and refund (`trade`) or account movement
    /// (`signcustomer`).
    pub fn detail(&self) -> &BillFile {
        &self.detail
    }

    /// The summary file, if the archive has one.
    pub fn summary(&self) -> Option<&BillFile> {
        self.summary.as_ref()
    }

    /// The names of the archive's entries, decoded, in the archive's order.
    pub fn entry_names(&self) -> &[String] {
        &self.names
    }

    /// The detail file, taken out of the archive.
    pub fn into_detail(self) -> BillFile {
        self.detail
    }
}

/// An entry name: UTF-8 when it is (ASCII names, or the UTF-8 flag's), else GBK as Alipay
/// writes them (without the flag), undecodable bytes replaced.
fn entry_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(name) => name.to_owned(),
        Err(_) => encoding_rs::GBK
            .decode_without_bom_handling(raw)
            .0
            .into_owned(),
    }
}

/// Refuses names that are absolute or climb out of the archive. Checked on the decoded name:
/// a GBK character's second byte may be `0x5C` (`\`) without being a separator.
fn check_path(name: &str) -> Result<(), BillError> {
    let unsafe_path = name.is_empty()
        || name.starts_with(['/', '\\'])
        || name.contains([':', '\0'])
        || name.split(['/', '\\']).any(|part| part == "..");
    if unsafe_path {
        return Err(BillError::UnsafePath {
            name: name.to_owned(),
        });
    }
    Ok(())
}
