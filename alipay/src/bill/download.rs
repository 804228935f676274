//! Downloading a bill: [`Client::download_bill`] asks
//! `alipay.data.dataservice.bill.downloadurl.query` for the file's short-lived URL and fetches
//! it with the client's own transport, deadlines and a size limit.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use bytes::Bytes;

use super::archive::{BillArchive, UnpackLimits};
use super::error::BillError;
use super::time::{Date, DateError};
use crate::Client;
use crate::error::{Error, ResponseError};
use crate::payment::common::BillDownloadUrlQuery;

/// Which bill (`bill_type`) of `alipay.data.dataservice.bill.downloadurl.query`
/// (<https://opendocs.alipay.com/open/02e7gr>).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BillType {
    /// `trade`: the merchant's trades and refunds (收单业务账单).
    Trade,
    /// `signcustomer`: the movements of the account's balance (余额资金账务账单).
    SignCustomer,
    /// `trade_zft_merchant`: the trades of a secondary merchant (直付通二级商户), by its `smid`.
    TradeZftMerchant {
        /// The secondary merchant's id.
        smid: String,
    },
}

impl BillType {
    /// The `bill_type` as Alipay writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Trade => "trade",
            Self::SignCustomer => "signcustomer",
            Self::TradeZftMerchant { .. } => "trade_zft_merchant",
        }
    }
}

/// The period of a bill (`bill_date`): a day (ready the next day, about 09:00 Beijing time) or a
/// month (ready about the 3rd of the next month).
///
/// ```
/// use alipay::bill::BillDate;
///
/// assert_eq!("2026-12-01".parse::<BillDate>()?.to_string(), "2026-12-01");
/// assert_eq!("2026-12".parse::<BillDate>()?.to_string(), "2026-12");
/// assert!("2026-13".parse::<BillDate>().is_err());
/// # Ok::<(), alipay::bill::DateError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BillDate {
    /// One day, `yyyy-MM-dd`.
    Day(Date),
    /// The month of this day (its day is ignored), `yyyy-MM`.
    Month(Date),
}

impl fmt::Display for BillDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Day(day) => day.fmt(f),
            Self::Month(day) => write!(f, "{:04}-{:02}", day.year(), day.month()),
        }
    }
}

impl FromStr for BillDate {
    type Err = DateError;

    /// Reads `yyyy-MM-dd` as a day, `yyyy-MM` as a month.
    fn from_str(text: &str) -> Result<Self, DateError> {
        if text.len() == 7 {
            return format!("{text}-01")
                .parse()
                .map(Self::Month)
                .map_err(|_| DateError(text.to_owned()));
        }
        text.parse().map(Self::Day)
    }
}

/// The default bound on a downloaded bill archive: 256 MiB.
pub const DEFAULT_MAX_BILL_SIZE: usize = 256 << 20;

/// A bill download, returned by [`Client::download_bill`]: set its options, then `.await` it.
#[must_use = "a download does nothing until it is awaited"]
pub struct DownloadBill<'c> {
    client: &'c Client,
    bill_type: BillType,
    date: BillDate,
    max_size: usize,
    timeout: Option<Duration>,
}

impl fmt::Debug for DownloadBill<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadBill")
            .field("bill_type", &self.bill_type)
            .field("date", &self.date)
            .field("max_size", &self.max_size)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl DownloadBill<'_> {
    /// The largest archive accepted, in bytes (default [`DEFAULT_MAX_BILL_SIZE`]); a larger
    /// one ends the download with [`Error::BodyTooLarge`].
    pub fn max_size(mut self, bytes: usize) -> Self {
        self.max_size = bytes;
        self
    }

    /// The deadline of each of the two exchanges (the URL query, the file), instead of the
    /// client's [`request_timeout`](crate::ClientBuilder::request_timeout). Large bills on slow
    /// links need more than the default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    async fn run(self) -> Result<BillDownload, Error> {
        let smid = match &self.bill_type {
            BillType::TradeZftMerchant { smid } => Some(smid.clone()),
            _ => None,
        };
        let query = BillDownloadUrlQuery::builder()
            .bill_type(self.bill_type.as_str())
            .bill_date(self.date.to_string())
            .maybe_smid(smid)
            .build();
        let mut call = self.client.send(query);
        if let Some(timeout) = self.timeout {
            call = call.timeout(timeout);
        }
        let answer = call.await?;
        let url: http::Uri = answer.bill_download_url.parse().map_err(|_| not_a_url())?;
        if !matches!(url.scheme_str(), Some("http" | "https")) || url.authority().is_none() {
            return Err(not_a_url());
        }
        let file = self.client.fetch(url, self.timeout, self.max_size).await?;
        if file.status != 200 {
            // The body of a storage service's error page may quote the URL: not shown.
            return Err(Error::HttpStatus {
                status: file.status,
                snippet: "(the bill server's answer is not shown)".to_owned(),
            });
        }
        Ok(BillDownload {
            bytes: file.body,
            file_code: answer.bill_file_code,
        })
    }
}

fn not_a_url() -> Error {
    Error::Response(ResponseError::Malformed(
        "`bill_download_url` is not an http(s) URL".to_owned(),
    ))
}

impl<'c> IntoFuture for DownloadBill<'c> {
    type Output = Result<BillDownload, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// A downloaded bill archive, as fetched (not yet unpacked): open it with
/// [`BillDownload::archive`], or save [`BillDownload::bytes`].
#[derive(Clone)]
pub struct BillDownload {
    bytes: Bytes,
    file_code: Option<String>,
}

impl fmt::Debug for BillDownload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BillDownload")
            .field("len", &self.bytes.len())
            .field("file_code", &self.file_code)
            .finish()
    }
}

impl BillDownload {
    /// The archive's bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The file code (`bill_file_code`), when Alipay sent one.
    pub fn file_code(&self) -> Option<&str> {
        self.file_code.as_deref()
    }

    /// Unpacks the archive within the default [`UnpackLimits`].
    pub fn archive(&self) -> Result<BillArchive, BillError> {
        BillArchive::open(&self.bytes)
    }

    /// Unpacks the archive within `limits`.
    pub fn archive_with(&self, limits: UnpackLimits) -> Result<BillArchive, BillError> {
        BillArchive::open_with(&self.bytes, limits)
    }
}

/// Bills (对账单).
impl Client {
    /// Downloads a bill: asks `alipay.data.dataservice.bill.downloadurl.query`
    /// (<https://opendocs.alipay.com/open/02e7gr>) for its URL, then fetches the archive with
    /// this client's transport, deadlines and in-flight bound, at most
    /// [`DownloadBill::max_size`] bytes. The URL, short-lived and secret-bearing, is never
    /// logged nor put in an error.
    ///
    /// ```no_run
    /// use alipay::bill::{BillDate, BillType};
    ///
    /// # async fn run(client: alipay::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let bill = client
    ///     .download_bill(BillType::Trade, "2026-12-01".parse::<BillDate>()?)
    ///     .max_size(64 << 20)
    ///     .await?;
    /// let archive = bill.archive()?;
    /// for row in archive.detail().trade_rows() {
    ///     let row = row?;
    ///     println!("{} {} {:?}", row.out_trade_no, row.kind, row.receipt_amount);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn download_bill(&self, bill_type: BillType, date: BillDate) -> DownloadBill<'_> {
        DownloadBill {
            client: self,
            bill_type,
            date,
            max_size: DEFAULT_MAX_BILL_SIZE,
            timeout: None,
        }
    }
}
