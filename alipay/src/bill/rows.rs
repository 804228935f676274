//! Typed rows: [`TradeRow`] for `trade` bills (业务明细), [`AccountRow`] for `signcustomer`
//! bills (账务明细), their columns found by header name.

use std::collections::BTreeMap;

use super::error::BillError;
use super::file::BillFile;
use super::records::{Record, Records, extra, normalize};
use super::time::BillTime;
use crate::Amount;

/// Reads one field into a typed row's field.
trait FromField: Sized {
    fn from_field(text: &str, column: &str, line: u64) -> Result<Self, BillError>;
}

impl FromField for String {
    fn from_field(text: &str, _: &str, _: u64) -> Result<Self, BillError> {
        Ok(text.to_owned())
    }
}

impl FromField for Option<Amount> {
    fn from_field(text: &str, column: &str, line: u64) -> Result<Self, BillError> {
        if text.is_empty() {
            return Ok(None);
        }
        Amount::parse_signed(text)
            .map(Some)
            .map_err(|e| BillError::Field {
                line,
                column: column.to_owned(),
                value: text.to_owned(),
                reason: e.to_string(),
            })
    }
}

impl FromField for Option<BillTime> {
    fn from_field(text: &str, column: &str, line: u64) -> Result<Self, BillError> {
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).map_err(|_| BillError::Field {
            line,
            column: column.to_owned(),
            value: text.to_owned(),
            reason: "not a time `yyyy-MM-dd HH:mm:ss`".to_owned(),
        })
    }
}

/// Declares a typed row, its column lookup and its iterator.
macro_rules! bill_row {
    (
        $(#[$meta:meta])*
        pub struct $row:ident / $columns:ident / $rows:ident, required [$($required:literal),*] {
            $( $(#[$fmeta:meta])* $field:ident: $ty:ty = $header:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        #[non_exhaustive]
        pub struct $row {
            $( $(#[$fmeta])* #[doc = concat!("\n\nColumn `", $header, "`.")] pub $field: $ty, )*
            /// The columns this version does not know, header name → field.
            pub extra: BTreeMap<String, String>,
            /// The row's line in the file, from 1.
            pub line: u64,
        }

        /// Where each field of the row is, by header name.
        struct $columns {
            $( $field: Option<usize>, )*
            known: Vec<bool>,
        }

        impl $columns {
            fn new(headers: &[String]) -> Result<Self, BillError> {
                let find = |name: &str| headers.iter().position(|h| *h == normalize(name));
                for required in [$($required),*] {
                    if find(required).is_none() {
                        return Err(BillError::MissingColumn(required.to_owned()));
                    }
                }
                let mut known = vec![false; headers.len()];
                let columns = Self {
                    $( $field: find($header), )*
                    known: Vec::new(),
                };
                for index in [$(columns.$field),*].into_iter().flatten() {
                    known[index] = true;
                }
                Ok(Self { known, ..columns })
            }

            fn read(&self, record: &Record) -> Result<$row, BillError> {
                let line = record.line();
                Ok($row {
                    $( $field: <$ty as FromField>::from_field(
                        self.$field.and_then(|i| record.value(i)).unwrap_or(""),
                        $header,
                        line,
                    )?, )*
                    extra: extra(record, &self.known),
                    line,
                })
            }
        }

        #[doc = concat!("The rows of a bill file as [`", stringify!($row), "`]s, one at a time; the footer totals are checked after the last one (see [`Records`]).")]
        pub struct $rows<'a> {
            records: Records<'a>,
            columns: Option<$columns>,
        }

        impl std::fmt::Debug for $rows<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($rows)).field("records", &self.records).finish_non_exhaustive()
            }
        }

        impl<'a> $rows<'a> {
            /// The records under the typed rows (counts, checked totals).
            pub fn records(&self) -> &Records<'a> {
                &self.records
            }
        }

        impl Iterator for $rows<'_> {
            type Item = Result<$row, BillError>;

            fn next(&mut self) -> Option<Self::Item> {
                let record = match self.records.next()? {
                    Ok(record) => record,
                    Err(error) => return Some(Err(error)),
                };
                if self.columns.is_none() {
                    match $columns::new(record.headers()) {
                        Ok(columns) => self.columns = Some(columns),
                        Err(error) => {
                            self.records.by_ref().for_each(drop);
                            return Some(Err(error));
                        }
                    }
                }
                let columns = self.columns.as_ref()?;
                Some(columns.read(&record))
            }
        }
    };
}

bill_row! {
    /// A row of a `trade` bill's detail file (业务明细): a payment (`业务类型` `交易`) or a
    /// refund (`退款`, negative amounts). Columns absent from the file are empty or `None`.
    pub struct TradeRow / TradeColumns / TradeRows, required ["支付宝交易号", "业务类型"] {
        /// The Alipay trade number.
        trade_no: String = "支付宝交易号",
        /// The merchant's order number.
        out_trade_no: String = "商户订单号",
        /// `交易` (a payment) or `退款` (a refund).
        kind: String = "业务类型",
        /// The trade's subject.
        subject: String = "商品名称",
        /// When the trade (or refund) was created.
        created: Option<BillTime> = "创建时间",
        /// When it completed.
        finished: Option<BillTime> = "完成时间",
        /// The store id.
        store_id: String = "门店编号",
        /// The store name.
        store_name: String = "门店名称",
        /// The operator.
        operator: String = "操作员",
        /// The terminal id.
        terminal_id: String = "终端号",
        /// The buyer's account.
        buyer_account: String = "对方账户",
        /// The order amount; negative for a refund.
        total_amount: Option<Amount> = "订单金额（元）",
        /// What the merchant received; negative for a refund.
        receipt_amount: Option<Amount> = "商家实收（元）",
        /// Paid with Alipay red packets.
        alipay_red_packet: Option<Amount> = "支付宝红包（元）",
        /// Paid with points (集分宝).
        point_amount: Option<Amount> = "集分宝（元）",
        /// Alipay's discount.
        alipay_discount: Option<Amount> = "支付宝优惠（元）",
        /// The merchant's discount.
        merchant_discount: Option<Amount> = "商家优惠（元）",
        /// Coupons redeemed.
        coupon_amount: Option<Amount> = "券核销金额（元）",
        /// The coupons' names.
        coupon_name: String = "券名称",
        /// Paid with the merchant's red packets.
        merchant_red_packet: Option<Amount> = "商家红包消费金额（元）",
        /// Paid with cards.
        card_amount: Option<Amount> = "卡消费金额（元）",
        /// The refund's request number (`out_request_no`).
        refund_request_no: String = "退款批次号/请求号",
        /// The service fee (negative: charged to the merchant).
        service_fee: Option<Amount> = "服务费（元）",
        /// The profit share.
        profit_share: Option<Amount> = "分润（元）",
        /// The remark.
        remark: String = "备注",
    }
}

impl TradeRow {
    /// Whether the row is a refund (`业务类型` `退款`).
    pub fn is_refund(&self) -> bool {
        self.kind == "退款"
    }
}

bill_row! {
    /// A row of a `signcustomer` bill's detail file (账务明细): one movement of the account's
    /// balance. Columns absent from the file (the column set changed over the years) are empty or
    /// `None`.
    pub struct AccountRow / AccountColumns / AccountRows, required ["账务流水号"] {
        /// The account movement number.
        account_log_id: String = "账务流水号",
        /// The business number (e.g. the Alipay trade number).
        biz_no: String = "业务流水号",
        /// The merchant's order number.
        out_trade_no: String = "商户订单号",
        /// The business base order number (newer column sets).
        biz_base_order_no: String = "业务基础订单号",
        /// The business order number (newer column sets).
        biz_order_no: String = "业务订单号",
        /// Where the business bill comes from (newer column sets).
        biz_source: String = "业务账单来源",
        /// The business description (newer column sets).
        description: String = "业务描述",
        /// The subject.
        subject: String = "商品名称",
        /// When it happened.
        time: Option<BillTime> = "发生时间",
        /// The other party's account.
        other_account: String = "对方账号",
        /// Money in.
        income: Option<Amount> = "收入金额（+元）",
        /// Money out.
        expense: Option<Amount> = "支出金额（-元）",
        /// The balance after the movement.
        balance: Option<Amount> = "账户余额（元）",
        /// The channel.
        channel: String = "交易渠道",
        /// The business type, e.g. `在线支付`.
        kind: String = "业务类型",
        /// The remark.
        remark: String = "备注",
    }
}

impl BillFile {
    /// The rows of a `trade` detail file, typed.
    pub fn trade_rows(&self) -> TradeRows<'_> {
        TradeRows {
            records: self.records(),
            columns: None,
        }
    }

    /// The rows of a `signcustomer` detail file, typed.
    pub fn account_rows(&self) -> AccountRows<'_> {
        AccountRows {
            records: self.records(),
            columns: None,
        }
    }
}
