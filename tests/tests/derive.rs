//! `#[derive(Request)]` used from outside the `alipay` crate, checked against the same request
//! implemented by hand.

use std::borrow::Cow;

use alipay::request::{FilePart, LocalRequest, Method, Params, Request};
use alipay::{Amount, EncodeError};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The payee of a transfer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    /// The payee's identity, e.g. a user id.
    pub identity: String,
    /// `ALIPAY_USER_ID` or `ALIPAY_LOGON_ID`.
    pub identity_type: String,
    /// The payee's real name, checked when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The answer to `alipay.fund.trans.uni.transfer`.
#[derive(Debug, Deserialize)]
pub struct TransferResponse {
    /// The merchant's transfer number.
    pub out_biz_no: String,
    /// Alipay's transfer order number.
    pub order_id: Option<String>,
    /// `SUCCESS`, `FAIL`, ….
    pub status: Option<String>,
}

/// `alipay.fund.trans.uni.transfer`, which the SDK does not ship, derived.
#[derive(Debug, Clone, alipay::Request)]
#[alipay(
    method = "alipay.fund.trans.uni.transfer",
    response = TransferResponse,
    fixed_biz(product_code = "TRANS_ACCOUNT_NO_PWD", biz_scene = "DIRECT_TRANSFER")
)]
pub struct UniTransfer {
    /// The merchant's unique transfer number.
    pub out_biz_no: String,
    /// The amount, in yuan.
    pub trans_amount: Amount,
    /// The transfer title shown to the payee.
    #[serde(rename = "order_title")]
    pub title: String,
    /// The payee.
    pub payee_info: Participant,
    /// A remark shown to the payee.
    pub remark: Option<String>,
    /// Extra business parameters, as a JSON string.
    pub business_params: Option<String>,
    /// The token of a merchant authorized to this app (ISV mode).
    #[alipay(text)]
    pub app_auth_token: Option<String>,
}

/// The same request by hand.
pub struct UniTransferByHand {
    out_biz_no: String,
    trans_amount: Amount,
    title: String,
    payee_info: Participant,
    remark: Option<String>,
    business_params: Option<String>,
    app_auth_token: Option<String>,
}

impl Method for UniTransferByHand {
    fn method(&self) -> &str {
        "alipay.fund.trans.uni.transfer"
    }

    fn encode(&self, params: &mut Params) -> Result<(), EncodeError> {
        params.biz_value("out_biz_no", self.out_biz_no.clone());
        params.biz_value("trans_amount", self.trans_amount.as_str());
        params.biz_value("order_title", self.title.clone());
        params.biz(&json!({ "payee_info": self.payee_info }))?;
        if let Some(remark) = &self.remark {
            params.biz_value("remark", remark.clone());
        }
        if let Some(business_params) = &self.business_params {
            params.biz_value("business_params", business_params.clone());
        }
        params.biz_value("product_code", "TRANS_ACCOUNT_NO_PWD");
        params.biz_value("biz_scene", "DIRECT_TRANSFER");
        params.text_opt("app_auth_token", &self.app_auth_token);
        Ok(())
    }
}

impl Request for UniTransferByHand {
    type Response = TransferResponse;
}

fn encode(request: &impl Method) -> Params {
    let mut params = Params::new();
    request.encode(&mut params).expect("the request encodes");
    params
}

fn payee() -> Participant {
    Participant {
        identity: "2088123412341234".to_owned(),
        identity_type: "ALIPAY_USER_ID".to_owned(),
        name: None,
    }
}

fn amount(text: &str) -> Amount {
    Amount::new(text).expect("a valid amount")
}

/// The response key and response type of a gateway request.
fn key_of<R: Request>(request: &R) -> Cow<'_, str> {
    request.response_key()
}

#[test]
fn derived_and_hand_written_requests_encode_alike() {
    let derived = UniTransfer::builder()
        .out_biz_no("T20240101001")
        .trans_amount(amount("0.01"))
        .title("refund of order 42")
        .payee_info(payee())
        .remark("thanks")
        .app_auth_token("token-1")
        .build();
    let by_hand = UniTransferByHand {
        out_biz_no: "T20240101001".to_owned(),
        trans_amount: amount("0.01"),
        title: "refund of order 42".to_owned(),
        payee_info: payee(),
        remark: Some("thanks".to_owned()),
        business_params: None,
        app_auth_token: Some("token-1".to_owned()),
    };

    let (ours, theirs) = (encode(&derived), encode(&by_hand));
    assert_eq!(ours.text_params(), theirs.text_params());
    assert_eq!(ours.biz_params(), theirs.biz_params());
    assert_eq!(ours.files(), theirs.files());
    assert_eq!(derived.method(), by_hand.method());
    assert_eq!(UniTransfer::METHOD, "alipay.fund.trans.uni.transfer");
    assert_eq!(key_of(&derived), key_of(&by_hand));
    assert_eq!(key_of(&derived), "alipay_fund_trans_uni_transfer_response");
    assert!(matches!(derived.response_key(), Cow::Borrowed(_)));

    assert_eq!(
        serde_json::Value::Object(ours.biz_params().clone()),
        json!({
            "out_biz_no": "T20240101001",
            "trans_amount": "0.01",
            "order_title": "refund of order 42",
            "payee_info": {
                "identity": "2088123412341234",
                "identity_type": "ALIPAY_USER_ID",
            },
            "remark": "thanks",
            "product_code": "TRANS_ACCOUNT_NO_PWD",
            "biz_scene": "DIRECT_TRANSFER",
        })
    );
    assert_eq!(ours.text_params()["app_auth_token"], "token-1");
    assert_eq!(ours.text_params().len(), 1);
}

#[test]
fn unset_options_are_left_out() {
    let request = UniTransfer::builder()
        .out_biz_no("T1")
        .trans_amount(amount("100000000"))
        .title("t")
        .payee_info(payee())
        .build();
    let params = encode(&request);
    let biz = params.biz_params();
    assert!(!biz.contains_key("remark"));
    assert!(!biz.contains_key("business_params"));
    assert!(
        !biz.contains_key("app_auth_token"),
        "a text field is not a biz field"
    );
    assert!(params.text_params().is_empty());
    assert_eq!(biz["trans_amount"], "100000000");
}

#[test]
fn serde_renames_are_forwarded() {
    let request = UniTransfer::builder()
        .title("renamed")
        .payee_info(payee())
        .out_biz_no("T2")
        .trans_amount(amount("1.50"))
        .build();
    let params = encode(&request);
    assert_eq!(params.biz_params()["order_title"], "renamed");
    assert!(!params.biz_params().contains_key("title"));
}

#[test]
fn maybe_setters_take_an_option() {
    let request = UniTransfer::builder()
        .out_biz_no("T3")
        .trans_amount(amount("2"))
        .title("t")
        .payee_info(payee())
        .maybe_remark(None)
        .maybe_business_params(Some(r#"{"sub_biz_scene":"REDPACKET"}"#.to_owned()))
        .maybe_app_auth_token(None)
        .build();
    assert_eq!(request.remark, None);
    assert_eq!(
        request.business_params.as_deref(),
        Some(r#"{"sub_biz_scene":"REDPACKET"}"#)
    );
    assert_eq!(request.trans_amount, amount("2"));
    assert!(encode(&request).text_params().is_empty());
}

/// A request with every kind of field: fixed text and biz values, text and file fields,
/// `default` fields, a renamed text parameter and the `upload` flag.
#[derive(alipay::Request)]
#[alipay(
    method = "alipay.merchant.item.file.upload",
    response = serde_json::Value,
    upload,
    fixed_text(grant_type = "authorization_code"),
    fixed_biz(scene = "bar_code", retry = true, max_count = 3)
)]
struct Everything {
    /// A required biz field.
    item_id: String,
    /// A biz field with a default.
    #[alipay(default)]
    quantity: u32,
    /// A text field with another wire name.
    #[alipay(text = "auth_code")]
    code: String,
    /// An optional text field with a default.
    #[alipay(text, default)]
    retries: u8,
    /// A required file.
    #[alipay(file)]
    file_content: FilePart,
    /// An optional file with another wire name.
    #[alipay(file = "thumbnail")]
    thumb: Option<FilePart>,
    /// An amount, sent as a string.
    price: Option<Amount>,
}

#[test]
fn every_field_kind_encodes() {
    let file = FilePart::from_bytes("a.png", b"\x89PNG".to_vec());
    let request = Everything::builder()
        .file_content(file.clone())
        .code("c0de")
        .item_id("I1")
        .price(amount("9.99"))
        .build();
    assert_eq!(request.quantity, 0);
    assert_eq!(request.thumb, None);
    let params = encode(&request);
    assert_eq!(
        serde_json::Value::Object(params.biz_params().clone()),
        json!({
            "item_id": "I1",
            "quantity": 0,
            "price": "9.99",
            "scene": "bar_code",
            "retry": true,
            "max_count": 3,
        })
    );
    let text: Vec<(&str, &str)> = params
        .text_params()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        text,
        [
            ("auth_code", "c0de"),
            ("grant_type", "authorization_code"),
            ("retries", "0"),
        ]
    );
    assert_eq!(params.files(), [("file_content".to_owned(), file.clone())]);
    assert_eq!(Everything::METHOD, "alipay.merchant.item.file.upload");
    assert_eq!(
        request.response_key(),
        "alipay_merchant_item_file_upload_response"
    );

    let thumb = FilePart::from_bytes("t.jpg", b"jpg".to_vec());
    let request = Everything::builder()
        .item_id("I2")
        .code("x")
        .file_content(file.clone())
        .thumb(thumb.clone())
        .quantity(2u32)
        .retries(3u8)
        .build();
    let params = encode(&request);
    assert_eq!(
        params.files(),
        [
            ("file_content".to_owned(), file),
            ("thumbnail".to_owned(), thumb)
        ]
    );
    assert_eq!(params.text_params()["retries"], "3");
    assert_eq!(params.biz_params()["quantity"], 2);
    assert!(!params.biz_params().contains_key("price"));
}

/// A request rendered locally, with only fixed parameters besides one field.
#[derive(alipay::Request)]
#[alipay(
    method = "alipay.trade.page.pay",
    local,
    fixed_biz(product_code = "FAST_INSTANT_TRADE_PAY")
)]
struct PagePay {
    out_trade_no: String,
    total_amount: Amount,
    subject: String,
    #[alipay(text)]
    return_url: Option<String>,
}

fn assert_local<R: LocalRequest>(_: &R) {}

#[test]
fn local_requests_implement_local_request() {
    let request = PagePay::builder()
        .out_trade_no("O1")
        .total_amount(amount("88.80"))
        .subject("a book")
        .return_url("https://example.com/back")
        .build();
    assert_local(&request);
    let params = encode(&request);
    assert_eq!(
        params.biz_params()["product_code"],
        "FAST_INSTANT_TRADE_PAY"
    );
    assert_eq!(params.biz_params()["total_amount"], "88.80");
    assert_eq!(
        params.text_params()["return_url"],
        "https://example.com/back"
    );
    assert_eq!(request.method(), "alipay.trade.page.pay");
}

/// A request with no parameters at all: no `biz_content` is written.
#[derive(alipay::Request)]
#[alipay(method = "alipay.system.ping", response = serde_json::Value)]
struct Ping {}

#[test]
fn a_request_without_fields_writes_nothing() {
    let params = encode(&Ping::builder().build());
    assert!(params.biz_params().is_empty());
    assert!(params.text_params().is_empty());
    assert!(params.files().is_empty());
}

/// A generic request: the item type is chosen by the user.
#[derive(alipay::Request)]
#[alipay(method = "alipay.generic.echo", response = EchoResponse<T>)]
struct Echo<'a, T>
where
    T: Clone,
{
    items: Vec<T>,
    label: &'a str,
    #[alipay(text)]
    tag: Option<T>,
}

/// The generic answer of [`Echo`].
#[derive(Debug, Deserialize)]
struct EchoResponse<T> {
    #[allow(dead_code)]
    items: Vec<T>,
}

#[test]
fn generic_requests_encode() {
    let request = Echo::builder()
        .items(vec![1u32, 2])
        .label("numbers")
        .tag(7u32)
        .build();
    let params = encode(&request);
    assert_eq!(params.biz_params()["items"], json!([1, 2]));
    assert_eq!(params.biz_params()["label"], "numbers");
    assert_eq!(params.text_params()["tag"], "7");
    fn response_of<R: Request>(_: &R) -> &'static str {
        std::any::type_name::<R::Response>()
    }
    assert!(response_of(&request).ends_with("EchoResponse<u32>"));
}

/// The derive with an explicit path to the `alipay` crate.
#[derive(alipay::Request)]
#[alipay(crate = ::alipay, method = "alipay.path.check", response = serde_json::Value)]
struct WithCratePath {
    #[serde(rename = "x")]
    #[serde(skip_serializing_if = "String::is_empty")]
    value: String,
}

#[test]
fn crate_path_and_user_skip_serializing_if() {
    let params = encode(&WithCratePath::builder().value("").build());
    assert!(params.biz_params().is_empty());
    let params = encode(&WithCratePath::builder().value("v").build());
    assert_eq!(params.biz_params()["x"], "v");
}

/// Field attributes that change how serde reads the field: `serialize_with`, `flatten`,
/// `skip`, and a raw identifier.
#[derive(alipay::Request)]
#[alipay(method = "alipay.serde.check", response = serde_json::Value)]
struct SerdeAttributes {
    #[serde(serialize_with = "cents")]
    amount: Amount,
    #[serde(flatten)]
    extra: std::collections::BTreeMap<String, String>,
    #[serde(skip)]
    #[alipay(default)]
    internal: u8,
    r#type: String,
}

fn cents<S: serde::Serializer>(amount: &Amount, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(amount.cents())
}

#[test]
fn serde_field_attributes_are_honoured() {
    let request = SerdeAttributes::builder()
        .amount(amount("1.23"))
        .extra(
            [("k".to_owned(), "v".to_owned())]
                .into_iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .internal(7u8)
        .r#type("t")
        .build();
    assert_eq!(request.internal, 7);
    assert_eq!(
        serde_json::Value::Object(encode(&request).biz_params().clone()),
        json!({"amount": 123, "k": "v", "type": "t"})
    );
}
