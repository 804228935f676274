// The input of the snapshot `uni_transfer.expanded.rs`: a request sent to the gateway, with
// every kind of field of a concrete struct.
/// `alipay.fund.trans.uni.transfer`.
#[derive(Request)]
#[alipay(
    method = "alipay.fund.trans.uni.transfer",
    v3 = "POST /v3/alipay/fund/trans/uni/transfer",
    response = TransferResponse,
    fixed_biz(product_code = "TRANS_ACCOUNT_NO_PWD", need_confirm = false),
    fixed_text(channel = "app")
)]
pub struct UniTransfer {
    /// The merchant's unique transfer number.
    pub out_biz_no: String,
    /// The amount, in yuan.
    pub trans_amount: Amount,
    /// The transfer title shown to the payee.
    #[serde(rename = "order_title")]
    pub title: String,
    /// A remark shown to the payee.
    pub remark: Option<String>,
    /// How many times to try.
    #[alipay(default)]
    pub attempts: u32,
    /// The token of a merchant authorized to this app (ISV mode).
    #[alipay(text)]
    pub app_auth_token: Option<String>,
}
