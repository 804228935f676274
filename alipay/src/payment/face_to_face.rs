//! Face to face payment (当面付): the merchant scans the buyer's payment code (bar code pay), or
//! the buyer scans a QR code the merchant shows (precreate).
//!
//! ```no_run
//! use alipay::{Amount, Client, Error};
//! use alipay::payment::face_to_face::{TradePay, TradePrecreate};
//!
//! # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
//! // The cashier scanned the buyer's payment code.
//! match client
//!     .send(
//!         TradePay::builder()
//!             .out_trade_no("F2F20261126001")
//!             .total_amount(Amount::new("12.50")?)
//!             .subject("Coffee")
//!             .auth_code("289821051157962364")
//!             .build(),
//!     )
//!     .await
//! {
//!     Ok(paid) => println!("paid: {}", paid.trade_no),
//!     // 10003: the buyer must confirm in the app; query the trade until it is paid.
//!     Err(Error::Api(e)) if e.code == "10003" => println!("waiting for the buyer"),
//!     Err(e) => return Err(e.into()),
//! }
//! // Or show a QR code for the buyer to scan.
//! let qr = client
//!     .send(
//!         TradePrecreate::builder()
//!             .out_trade_no("F2F20261126002")
//!             .total_amount(Amount::new("12.50")?)
//!             .subject("Coffee")
//!             .build(),
//!     )
//!     .await?;
//! println!("show {}", qr.qr_code);
//! # Ok(()) }
//! ```

use serde::Deserialize;

use crate::Amount;
use crate::payment::common::{BuyerUserType, TradeFundBill};
use crate::time::Timestamp;

/// `alipay.trade.pay` with `scene=bar_code`: charges the buyer whose payment code (付款码) was
/// scanned (Easy SDK `FaceToFace.pay`).
///
/// A payment that needs the buyer's confirmation answers code `10003` (`Error::Api`): query
/// the trade ([`TradeQuery`](super::common::TradeQuery)) until it is paid, and
/// [cancel](super::common::TradeCancel) it if it never is. ISVs add their rebate PID with
/// `.optional("extend_params", json!({"sys_service_provider_id": "2088…"}))`.
///
/// <https://opendocs.alipay.com/open/02ekfp>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::payment::face_to_face::TradePay;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let paid = client
///     .send(
///         TradePay::builder()
///             .out_trade_no("F2F1")
///             .total_amount(Amount::new("0.01")?)
///             .subject("iPhone6 16G")
///             .auth_code("289821051157962364")
///             .build(),
///     )
///     .agent("ca34ea491e7146cc87d25fca24c4cD11")
///     .optional("extend_params", serde_json::json!({"sys_service_provider_id": "2088511833207846"}))
///     .await?;
/// println!("{} paid {}", paid.buyer_logon_id.unwrap_or_default(), paid.total_amount);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.pay")]
#[alipay(
    method = "alipay.trade.pay",
    v3 = "POST /v3/alipay/trade/pay",
    response = TradePayResponse,
    fixed_biz(scene = "bar_code")
)]
#[must_use]
#[non_exhaustive]
pub struct TradePay {
    /// The merchant's order number, unique per app (at most 64 characters).
    pub out_trade_no: String,
    /// The order amount in yuan.
    pub total_amount: Amount,
    /// The order title.
    pub subject: String,
    /// The buyer's payment code, the digits under the bar code.
    pub auth_code: String,
    /// The order description.
    pub body: Option<String>,
    /// The product code agreed with Alipay, e.g. `FACE_TO_FACE_PAYMENT`.
    pub product_code: Option<String>,
    /// The seller's Alipay user id, when it is not the app's owner.
    pub seller_id: Option<String>,
    /// The merchant's store id.
    pub store_id: Option<String>,
    /// The merchant's operator id.
    pub operator_id: Option<String>,
    /// The merchant's terminal id.
    pub terminal_id: Option<String>,
    /// The latest time to pay, relative (`90m`, `1h`, `1d`).
    pub timeout_express: Option<String>,
}

crate::code_enum! {
    /// The kind of a voucher used in a payment (`type` of a [`VoucherDetail`]).
    pub enum VoucherType {
        /// `ALIPAY_FIX_VOUCHER`: a storewide voucher (全场代金券).
        FixVoucher = "ALIPAY_FIX_VOUCHER",
        /// `ALIPAY_DISCOUNT_VOUCHER`: a discount voucher (折扣券).
        DiscountVoucher = "ALIPAY_DISCOUNT_VOUCHER",
        /// `ALIPAY_ITEM_VOUCHER`: a voucher for one item (单品优惠券).
        ItemVoucher = "ALIPAY_ITEM_VOUCHER",
        /// `ALIPAY_CASH_VOUCHER`: a cash voucher (现金抵价券).
        CashVoucher = "ALIPAY_CASH_VOUCHER",
        /// `ALIPAY_BIZ_VOUCHER`: the merchant's storewide voucher (商家全场券).
        BizVoucher = "ALIPAY_BIZ_VOUCHER",
    }
}

/// A voucher used in a payment. Read from answers (snake case keys) and from a notification's
/// `voucher_detail_list` (camel case keys: `merchantContribute`, `otherContribute`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct VoucherDetail {
    /// The voucher's id.
    pub id: Option<String>,
    /// The voucher's name.
    pub name: Option<String>,
    /// The voucher's type.
    #[serde(rename = "type")]
    pub voucher_type: Option<VoucherType>,
    /// The discount.
    pub amount: Option<Amount>,
    /// The merchant's share of the discount.
    #[serde(alias = "merchantContribute")]
    pub merchant_contribute: Option<Amount>,
    /// Others' share of the discount.
    #[serde(alias = "otherContribute")]
    pub other_contribute: Option<Amount>,
    /// A note.
    pub memo: Option<String>,
    /// The voucher template's id.
    pub template_id: Option<String>,
    /// What the buyer paid for the voucher.
    pub purchase_buyer_contribute: Option<Amount>,
    /// What the merchant paid for the voucher.
    pub purchase_merchant_contribute: Option<Amount>,
    /// What the platform paid for the voucher.
    pub purchase_ant_contribute: Option<Amount>,
}

/// The answer to [`TradePay`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradePayResponse {
    /// Alipay's trade number.
    pub trade_no: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The buyer's masked login id.
    pub buyer_logon_id: Option<String>,
    /// The order amount.
    pub total_amount: Amount,
    /// What the merchant received.
    pub receipt_amount: Option<Amount>,
    /// What the buyer paid.
    pub buyer_pay_amount: Option<Amount>,
    /// Paid with points.
    pub point_amount: Option<Amount>,
    /// The invoiceable amount.
    pub invoice_amount: Option<Amount>,
    /// When the buyer paid.
    pub gmt_payment: Option<Timestamp>,
    /// The funding channels.
    #[serde(default)]
    pub fund_bill_list: Vec<TradeFundBill>,
    /// The order currency, for foreign currency orders.
    pub trans_currency: Option<String>,
    /// The settlement currency.
    pub settle_currency: Option<String>,
    /// The settled amount.
    pub settle_amount: Option<Amount>,
    /// The currency the buyer paid in.
    pub pay_currency: Option<String>,
    /// What the buyer paid, in `pay_currency`.
    pub pay_amount: Option<Amount>,
    /// The settlement exchange rate.
    pub settle_trans_rate: Option<String>,
    /// The payment exchange rate.
    pub trans_pay_rate: Option<String>,
    /// The remaining balance of a prepaid card used.
    pub card_balance: Option<Amount>,
    /// The store's name.
    pub store_name: Option<String>,
    /// The buyer's Alipay user id.
    pub buyer_user_id: Option<String>,
    /// Discounted goods, as a JSON string.
    pub discount_goods_detail: Option<String>,
    /// The vouchers used.
    #[serde(default)]
    pub voucher_detail_list: Vec<VoucherDetail>,
    /// The amount advanced by Alipay.
    pub advance_amount: Option<Amount>,
    /// The pre-authorisation payment mode.
    pub auth_trade_pay_mode: Option<String>,
    /// The service charge.
    pub charge_amount: Option<Amount>,
    /// The charge flags.
    pub charge_flags: Option<String>,
    /// The settlement id.
    pub settlement_id: Option<String>,
    /// Business parameters, as a JSON string.
    pub business_params: Option<String>,
    /// The buyer's user type.
    pub buyer_user_type: Option<BuyerUserType>,
    /// Merchant discount.
    pub mdiscount_amount: Option<Amount>,
    /// Platform discount.
    pub discount_amount: Option<Amount>,
    /// The buyer's name (only for some merchants).
    pub buyer_user_name: Option<String>,
}

/// `alipay.trade.precreate`: creates a trade and returns a QR code for the buyer to scan (Easy
/// SDK `FaceToFace.preCreate`).
///
/// <https://opendocs.alipay.com/open/02ekfg>
///
/// ```no_run
/// # use alipay::{Amount, Client};
/// use alipay::payment::face_to_face::TradePrecreate;
/// # async fn run(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let qr = client
///     .send(
///         TradePrecreate::builder()
///             .out_trade_no("F2F2")
///             .total_amount(Amount::new("0.01")?)
///             .subject("iPhone6 16G")
///             .build(),
///     )
///     .await?;
/// println!("{}", qr.qr_code);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, crate::Request)]
#[doc(alias = "alipay.trade.precreate")]
#[alipay(
    method = "alipay.trade.precreate",
    v3 = "POST /v3/alipay/trade/precreate",
    response = TradePrecreateResponse
)]
#[must_use]
#[non_exhaustive]
pub struct TradePrecreate {
    /// The merchant's order number, unique per app (at most 64 characters).
    pub out_trade_no: String,
    /// The order amount in yuan.
    pub total_amount: Amount,
    /// The order title.
    pub subject: String,
    /// The order description.
    pub body: Option<String>,
    /// The product code agreed with Alipay, e.g. `FACE_TO_FACE_PAYMENT`.
    pub product_code: Option<String>,
    /// The seller's Alipay user id, when it is not the app's owner.
    pub seller_id: Option<String>,
    /// The merchant's store id.
    pub store_id: Option<String>,
    /// The merchant's operator id.
    pub operator_id: Option<String>,
    /// The merchant's terminal id.
    pub terminal_id: Option<String>,
    /// The latest time to pay, relative (`90m`, `1h`, `1d`).
    pub timeout_express: Option<String>,
}

/// The answer to [`TradePrecreate`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct TradePrecreateResponse {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The QR code's content (a URL), to render as a QR code.
    pub qr_code: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Method, Params};

    #[test]
    fn bar_code_scene_is_fixed() {
        let request = TradePay::builder()
            .out_trade_no("T")
            .total_amount(Amount::new("1").unwrap())
            .subject("s")
            .auth_code("28")
            .build();
        let mut params = Params::new();
        request.encode(&mut params).unwrap();
        assert_eq!(params.biz_params()["scene"], "bar_code");
        assert_eq!(params.biz_params()["auth_code"], "28");
        assert!(!params.biz_params().contains_key("store_id"));
    }
}
