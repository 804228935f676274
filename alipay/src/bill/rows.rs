//! Typed rows: [`TradeRow`] for `trade` bills (业务明细), [`AccountRow`] for `signcustomer`
//! bills (账务明细), their columns found by header name.

use std::collections::BTreeMap;

use super::error::BillError;
use super::file::BillFile;
use super::raw::RawRow;
use super::records::{Records, normalize};
use super::time::BillTime;
use crate::Amount;

/// Reads one field into a typed row's field, reusing what the field held.
trait FromField: Sized {
    /// Reads `text`, the field of the column `column` (empty when the file has no such column),
    /// into `into`; `invalid` makes the error when the text is not what the column holds.
    fn read(
        text: &str,
        into: &mut Self,
        invalid: impl FnOnce(String) -> BillError,
    ) -> Result<(), BillError>;
}

impl FromField for String {
    fn read(
        text: &str,
        into: &mut Self,
        _: impl FnOnce(String) -> BillError,
    ) -> Result<(), BillError> {
        into.clear();
        into.push_str(text);
        Ok(())
    }
}

impl FromField for Option<Amount> {
    fn read(
        text: &str,
        into: &mut Self,
        invalid: impl FnOnce(String) -> BillError,
    ) -> Result<(), BillError> {
        if text.is_empty() {
            *into = None;
        } else if into.as_ref().is_none_or(|amount| amount.as_str() != text) {
            // (A row refilled with the amount it holds, often `0.00`, keeps it.)
            *into = Some(Amount::parse_signed(text).map_err(|e| invalid(e.to_string()))?);
        }
        Ok(())
    }
}

impl FromField for Option<BillTime> {
    fn read(
        text: &str,
        into: &mut Self,
        invalid: impl FnOnce(String) -> BillError,
    ) -> Result<(), BillError> {
        *into = if text.is_empty() {
            None
        } else {
            Some(
                text.parse()
                    .map_err(|_| invalid("not a time `yyyy-MM-dd HH:mm:ss`".to_owned()))?,
            )
        };
        Ok(())
    }
}

/// Reads the columns the row type does not know into `extra` (header name → field), reusing the
/// map's entries: the same names come back on every row of a file.
fn read_extra(row: &RawRow<'_>, unknown: &[usize], extra: &mut BTreeMap<String, String>) {
    let headers = row.headers();
    extra.retain(|name, _| unknown.iter().any(|&index| headers[index] == *name));
    for &index in unknown {
        let name = &headers[index];
        let text = row.field(index);
        match extra.get_mut(name) {
            Some(value) => {
                value.clear();
                value.push_str(text);
            }
            None => {
                extra.insert(name.clone(), text.to_owned());
            }
        }
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
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
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
            /// The columns no field reads, for `extra`.
            unknown: Vec<usize>,
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
                    unknown: Vec::new(),
                };
                for index in [$(columns.$field),*].into_iter().flatten() {
                    known[index] = true;
                }
                let unknown = (0..headers.len()).filter(|&i| !known[i]).collect();
                Ok(Self { unknown, ..columns })
            }

            fn read_into(&self, raw: &RawRow<'_>, row: &mut $row) -> Result<(), BillError> {
                $(
                    let index = self.$field;
                    <$ty as FromField>::read(
                        index.map_or("", |index| raw.field(index)),
                        &mut row.$field,
                        |reason| raw.invalid(index.unwrap_or_default(), $header, |_| reason),
                    )?;
                )*
                read_extra(raw, &self.unknown, &mut row.extra);
                row.line = raw.line();
                Ok(())
            }
        }

        #[doc = concat!("The rows of a bill file as [`", stringify!($row), "`]s, one at a time; the footer totals are checked after the last one (see [`Records`]).")]
        ///
        #[doc = concat!("As an iterator each row is a new [`", stringify!($row), "`], its strings allocated; [`", stringify!($rows), "::read_into`] refills one row instead, its strings' memory reused (the fastest way through a large bill).")]
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

            /// Reads the next row into `row`, replacing all its fields and reusing their
            /// memory: `Ok(true)` with a row, `Ok(false)` after the last one, once the footer
            /// totals agree. The errors are the iterator's: after a [`BillError::Field`] (a field
            /// that is not what its column holds; `row` is then partly refilled) the next row
            /// can be read; after any other error there are no more rows. The first `row` can
            /// be a default one.
            pub fn read_into(&mut self, row: &mut $row) -> Result<bool, BillError> {
                let Self { records, columns } = self;
                let raw = records.raw();
                let Some(line) = raw.next_row()? else {
                    return Ok(false);
                };
                let columns = match columns {
                    Some(columns) => columns,
                    None => match $columns::new(line.headers()) {
                        Ok(found) => columns.insert(found),
                        Err(error) => {
                            raw.skip_rest();
                            return Err(error);
                        }
                    },
                };
                columns.read_into(&line, row)?;
                Ok(true)
            }
        }

        impl Iterator for $rows<'_> {
            type Item = Result<$row, BillError>;

            fn next(&mut self) -> Option<Self::Item> {
                let mut row = $row::default();
                match self.read_into(&mut row) {
                    Ok(true) => Some(Ok(row)),
                    Ok(false) => None,
                    Err(error) => Some(Err(error)),
                }
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
