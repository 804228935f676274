//! The gateway's checks of a request once its app and method are known, in Alipay's order
//! (signature type, charset, format, timestamp, certificate SNs, signature, encryption,
//! `biz_content`), and the same checks of an app pay order string.

use serde_json::{Map, Value};

use super::api::Biz;
use super::decode::{form_failure, param};
use super::shared::Shared;
use super::wire::Failure;
use super::{TradeSnapshot, certs, clock, trade};
use crate::crypto::Verifier as _;
use crate::wire::{form_decode, sign_content};

/// The checks after the app and the method are known (answered in the method's signed node):
/// signature type, charset, format, timestamp, signature, then `biz_content` (`None` when the
/// request has none).
pub(crate) fn check<'v>(
    shared: &Shared,
    params: &[(String, String)],
    app: &super::App,
    biz_value: Option<&'v Value>,
) -> Result<Option<&'v Map<String, Value>>, Failure> {
    let get = |key: &str| param(params, key);
    let Some(sign) = get("sign") else {
        return Err(Failure::missing("isv.missing-signature", "缺少签名参数"));
    };
    match get("sign_type") {
        None => {
            return Err(Failure::missing(
                "isv.missing-signature-type",
                "缺少签名类型参数",
            ));
        }
        Some("RSA2") => {}
        Some(_) => {
            return Err(Failure::invalid(
                "isv.invalid-signature-type",
                "无效的签名类型，沙箱只支持RSA2",
            ));
        }
    }
    if get("charset").is_some_and(|c| !c.eq_ignore_ascii_case("utf-8")) {
        return Err(Failure::invalid("isv.invalid-charset", "字符集错误"));
    }
    if get("format").is_some_and(|f| !f.eq_ignore_ascii_case("json")) {
        return Err(Failure::invalid("isv.invalid-format", "无效的数据格式"));
    }
    let Some(timestamp) = get("timestamp") else {
        return Err(Failure::missing("isv.missing-timestamp", "缺少时间戳参数"));
    };
    let Some(sent_at) = crate::time::parse_beijing_timestamp(timestamp) else {
        return Err(Failure::invalid(
            "isv.invalid-timestamp",
            "非法的时间戳参数",
        ));
    };
    if let Some(tolerance) = shared.tolerance {
        let skew = clock::unix_now().abs_diff(sent_at);
        if skew > tolerance.as_secs() {
            return Err(Failure::invalid(
                "isv.invalid-timestamp",
                "非法的时间戳参数",
            ));
        }
    }
    certs::check_request(shared, params)?;
    let content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if app.public_key.verify(content.as_bytes(), sign).is_err() {
        return Err(Failure::invalid(
            "isv.invalid-signature",
            format!(
                "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{content}"
            ),
        ));
    }
    certs::check_encryption(shared, params)?;
    match (get("biz_content"), biz_value) {
        (None, _) => Ok(None),
        (Some(_), Some(Value::Object(map))) => Ok(Some(map)),
        (Some(_), _) => Err(Failure::invalid(
            "isv.invalid-parameter",
            "biz_content不是合法的JSON对象",
        )),
    }
}

/// An order string checked like a request: its parameters, app and `biz_content`.
pub(crate) struct OrderString {
    pub(crate) params: Vec<(String, String)>,
    pub(crate) app_id: String,
    pub(crate) biz: Map<String, Value>,
}

/// Decodes an order string (as the Alipay app receives it) of `method` and checks it as the
/// gateway checks a request.
pub(crate) fn order_string(
    shared: &Shared,
    order_string: &str,
    method: &str,
) -> Result<OrderString, Failure> {
    let params = form_decode(order_string.trim().as_bytes()).map_err(form_failure)?;
    let get = |key: &str| param(&params, key);
    let Some(app_id) = get("app_id") else {
        return Err(Failure::missing("isv.missing-app-id", "缺少AppID参数"));
    };
    let Some(app) = shared.app(app_id) else {
        return Err(Failure::invalid("isv.invalid-app-id", "无效的AppID参数"));
    };
    match get("method") {
        None => return Err(Failure::missing("isv.missing-method", "缺少方法名参数")),
        Some(name) if name == method => {}
        Some(_) => {
            return Err(Failure::invalid(
                "isv.invalid-method",
                format!("订单串的方法名必须是{method}"),
            ));
        }
    }
    let biz_value: Option<Value> = get("biz_content").and_then(|t| serde_json::from_str(t).ok());
    let biz = check(shared, &params, &app, biz_value.as_ref())?
        .cloned()
        .unwrap_or_default();
    let app_id = app_id.to_owned();
    Ok(OrderString {
        params,
        app_id,
        biz,
    })
}

/// The order string of `alipay.trade.app.pay`, checked like a request, opens a trade that is
/// paid at once. The caller delivers the notification.
pub(crate) fn app_pay(shared: &Shared, order_string: &str) -> Result<TradeSnapshot, Failure> {
    let order = self::order_string(shared, order_string, "alipay.trade.app.pay")?;
    let notify_url = param(&order.params, "notify_url");
    let new = trade::NewTrade::read(
        &Biz(&order.biz),
        notify_url,
        Some("QUICK_MSECURITY_PAY"),
        false,
    )?;
    trade::open_and_pay(shared, &order.app_id, new)
}
