//! A bill: the archive reader and the CSV reader.
//!
//! The first byte picks the mode: even, the rest is a ZIP opened with `BillArchive::open_with`
//! (small limits, so a bomb is refused quickly); odd, the rest is one bill file read with
//! `BillFile::from_bytes`. Either way every row is read as records, trade rows (from the
//! iterator and refilled with `read_into`) and account rows (to the footer check), and the
//! metadata is serialized.
#![no_main]

use alipay::bill::{BillArchive, BillError, BillFile, TradeRow, UnpackLimits};
use libfuzzer_sys::fuzz_target;

fn read(file: &BillFile) {
    let _ = serde_json::to_string(file.metadata());
    for record in file.records() {
        if let Ok(record) = record {
            let _ = serde_json::to_string(&record);
        }
    }
    file.trade_rows().for_each(drop);
    file.account_rows().for_each(drop);
    // One row refilled, as large bills are read: to the end, past rows with a bad field.
    let mut rows = file.trade_rows();
    let mut row = TradeRow::default();
    while let Ok(true) | Err(BillError::Field { .. }) = rows.read_into(&mut row) {}
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let limits = UnpackLimits::default()
            .max_entry_size(1 << 20)
            .max_total_size(2 << 20);
        if let Ok(archive) = BillArchive::open_with(rest, limits) {
            read(archive.detail());
            if let Some(summary) = archive.summary() {
                read(summary);
            }
        }
    } else if let Ok(file) = BillFile::from_bytes(rest.to_vec()) {
        read(&file);
    }
});
