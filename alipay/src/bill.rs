//! Bills (对账单): download them, unpack them safely and read them into typed rows.
//!
//! [`Client::download_bill`](crate::Client::download_bill) fetches a bill archive
//! (`alipay.data.dataservice.bill.downloadurl.query`, <https://opendocs.alipay.com/open/02e7gr>);
//! [`BillArchive`] unpacks it (GBK entry names; no paths out of the archive, no links, bounded
//! sizes and compression ratio) and finds the detail and summary files by their first line;
//! [`BillFile`] reads the `#` lines as [`Metadata`] and streams the rows, as [`Record`]s keyed
//! by header name or typed as [`TradeRow`] / [`AccountRow`], GBK decoded, fields trimmed,
//! amounts signed [`Amount`](crate::Amount)s, and the footer totals checked against the rows.
//! A large bill is read fastest by refilling one row ([`TradeRows::read_into`]).
//!
//! ```
//! use alipay::bill::BillFile;
//!
//! let csv = "#支付宝业务明细查询\n\
//!            支付宝交易号,商户订单号,业务类型,商家实收（元）\n\
//!            2026120122001\t,T1\t,交易,10.00\n\
//!            2026120122002\t,T1\t,退款,-2.50\n\
//!            #交易合计：1笔，商家实收共10.00元\n\
//!            #退款合计：1笔，商家实收共-2.50元\n";
//! let (gbk, _, _) = encoding_rs::GBK.encode(csv);
//! let file = BillFile::from_bytes(gbk.into_owned())?;
//! let rows = file.trade_rows().collect::<Result<Vec<_>, _>>()?;
//! assert_eq!(rows[0].trade_no, "2026120122001");
//! assert_eq!(rows[1].receipt_amount.as_ref().map(|a| a.signed_cents()), Some(-250));
//! # Ok::<(), alipay::bill::BillError>(())
//! ```

mod archive;
mod download;
mod error;
mod file;
mod raw;
mod records;
mod rows;
mod tally;
mod time;

pub use archive::{BillArchive, UnpackLimits};
pub use download::{BillDate, BillDownload, BillType, DEFAULT_MAX_BILL_SIZE, DownloadBill};
pub use error::BillError;
pub use file::{BillFile, FileKind, FooterTotal, Metadata};
pub use records::{Record, Records};
pub use rows::{AccountRow, AccountRows, TradeRow, TradeRows};
pub use time::{BillTime, Date, DateError};
