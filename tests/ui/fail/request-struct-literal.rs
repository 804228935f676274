// The SDK's request structs are `#[non_exhaustive]` (a field Alipay adds is not a breaking
// change): outside the crate they are built with their builder, not with a struct literal.
use alipay::payment::common::TradeClose;

fn main() {
    let _close = TradeClose {
        out_trade_no: Some("T1".to_owned()),
        trade_no: None,
        operator_id: None,
    };
    let _built = TradeClose::builder().out_trade_no("T1").build();
}
