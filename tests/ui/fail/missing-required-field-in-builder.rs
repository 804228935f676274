use alipay::Amount;

#[derive(alipay::Request)]
#[alipay(method = "alipay.trade.refund", response = serde_json::Value)]
struct TradeRefund {
    out_trade_no: String,
    refund_amount: Amount,
    refund_reason: Option<String>,
}

fn main() {
    let _ = TradeRefund::builder()
        .out_trade_no("20150320010101001")
        .refund_reason("out of stock")
        .build();
}
