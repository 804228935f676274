//! Notifications typed by kind ([`Notification::kind`]): each family signed with the (fixture)
//! Alipay key exactly as Alipay signs it, verified from the raw body, then typed; a kind that
//! lacks what it must have, or a message whose `biz_content` is not JSON, is a clear error.

use alipay::Amount;
use alipay::Signer as _;
use alipay::notify::{Kind, MessageBody, Notification, NotifyError, TradeNotification};
use alipay::payment::agreement::AgreementStatus;
use alipay::payment::common::{FundChannel, TradeStatus};
use alipay::payment::face_to_face::VoucherType;
use alipay::wire::{form_encode, notify_sign_content};
use alipay_tests::{alipay_private_key, client_for};
use serde_json::json;

const APP_ID: &str = "2021000000000001";

/// The raw body of a notification of `pairs`, signed as Alipay signs one.
fn signed_body(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    pairs.push(("sign_type".to_owned(), "RSA2".to_owned()));
    let content = notify_sign_content(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let sign = alipay_private_key()
        .sign(content.as_bytes())
        .expect("signed");
    pairs.push(("sign".to_owned(), sign));
    form_encode(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).into_bytes()
}

fn verified(pairs: &[(&str, &str)]) -> Notification {
    client_for("http://127.0.0.1:9/gateway.do")
        .verify_notification(&signed_body(pairs))
        .expect("genuine")
}

#[test]
fn a_trade_status_sync_is_a_trade() {
    let notification = verified(&[
        ("notify_type", "trade_status_sync"),
        ("notify_time", "2026-12-02 10:00:00"),
        ("notify_id", "n1"),
        ("app_id", APP_ID),
        ("trade_no", "2026120222001"),
        ("out_trade_no", "O-1"),
        ("trade_status", "TRADE_SUCCESS"),
        ("total_amount", "8.80"),
    ]);
    match notification.kind() {
        Ok(Kind::Trade(trade)) => {
            assert_eq!(trade.out_trade_no, "O-1");
            assert_eq!(trade.trade_status, TradeStatus::TradeSuccess);
        }
        other => panic!("expected a trade, got {other:?}"),
    }
    // The existing reading still works.
    assert_eq!(
        notification.trade().expect("trade").trade_no,
        "2026120222001"
    );
}

/// A paid trade's notification with `fund_bill_list` and `voucher_detail_list` as given.
fn trade_with_lists(fund_bill_list: &str, voucher_detail_list: &str) -> Notification {
    verified(&[
        ("notify_type", "trade_status_sync"),
        ("notify_time", "2026-12-02 10:00:00"),
        ("notify_id", "n4"),
        ("app_id", APP_ID),
        ("trade_no", "2026120222002"),
        ("out_trade_no", "O-2"),
        ("trade_status", "TRADE_SUCCESS"),
        ("total_amount", "15.00"),
        ("fund_bill_list", fund_bill_list),
        ("voucher_detail_list", voucher_detail_list),
    ])
}

#[test]
fn json_lists_in_a_trade_notification_are_decoded_or_a_typed_error() {
    // As Alipay sends them: JSON in the text, camel case keys.
    const BILLS: &str = r#"[{"amount":"14.80","fundChannel":"ALIPAYACCOUNT"},{"amount":"0.20","fundChannel":"NEWCHANNEL"}]"#;
    const VOUCHERS: &str = r#"[{"amount":"0.20","merchantContribute":"0.00","name":"5折券","otherContribute":"0.20","type":"ALIPAY_DISCOUNT_VOUCHER","memo":"学生专用"}]"#;
    let trade = trade_with_lists(BILLS, VOUCHERS).trade().expect("trade");
    let channels: Vec<_> = trade
        .fund_bill_list
        .iter()
        .map(|bill| (bill.fund_channel.clone(), bill.amount.clone()))
        .collect();
    assert_eq!(
        channels,
        [
            (Some(FundChannel::AlipayAccount), Amount::new("14.80").ok()),
            (
                Some(FundChannel::Other("NEWCHANNEL".into())),
                Amount::new("0.20").ok()
            ),
        ]
    );
    let voucher = &trade.voucher_detail_list[0];
    assert_eq!(voucher.voucher_type, Some(VoucherType::DiscountVoucher));
    assert_eq!(voucher.other_contribute, Amount::new("0.20").ok());
    assert_eq!(voucher.name.as_deref(), Some("5折券"));
    // Absent: an empty list.
    let plain = verified(&[
        ("notify_type", "trade_status_sync"),
        ("notify_time", "2026-12-02 10:00:00"),
        ("notify_id", "n5"),
        ("app_id", APP_ID),
        ("trade_no", "2026120222003"),
        ("out_trade_no", "O-3"),
        ("trade_status", "TRADE_CLOSED"),
    ]);
    let closed = plain.trade().expect("trade");
    assert!(closed.fund_bill_list.is_empty() && closed.voucher_detail_list.is_empty());

    // Genuinely signed, but the list is not JSON (or not a list): a typed error naming it,
    // from trade() and kind() alike.
    for (bills, vouchers, field) in [
        ("ALIPAYACCOUNT 14.80", VOUCHERS, "fund_bill_list"),
        (r#"{"amount":"14.80"}"#, VOUCHERS, "fund_bill_list"),
        (BILLS, r#"[{"amount":"0.20""#, "voucher_detail_list"),
    ] {
        let notification = trade_with_lists(bills, vouchers);
        match notification.trade() {
            Err(NotifyError::FieldJson { field: named, .. }) => assert_eq!(named, field),
            other => panic!("{field}: expected FieldJson, got {other:?}"),
        }
        match notification.kind() {
            Err(error @ NotifyError::FieldJson { .. }) => assert_eq!(
                error.to_string(),
                format!("the notification's `{field}` is not the JSON list Alipay documents")
            ),
            other => panic!("{field}: expected FieldJson, got {other:?}"),
        }
        // Read through parse(), the field is named in the message.
        match notification.parse::<TradeNotification>() {
            Err(NotifyError::Fields(text)) => assert!(text.contains(field), "{text}"),
            other => panic!("{field}: expected Fields, got {other:?}"),
        }
    }
}

#[test]
fn agreement_notifications_are_typed_and_need_their_number() {
    let mut pairs = vec![
        ("notify_type", "dut_user_unsign"),
        ("notify_time", "2026-12-02 10:00:00"),
        ("notify_id", "n2"),
        ("app_id", APP_ID),
        ("agreement_no", "20261202000000000001"),
        ("status", "UNSIGN"),
        ("external_agreement_no", "SUB-9"),
    ];
    match verified(&pairs).kind() {
        Ok(Kind::AgreementUnsigned(gone)) => {
            assert_eq!(gone.agreement_no, "20261202000000000001");
            assert_eq!(gone.status, AgreementStatus::Unsign);
            assert_eq!(gone.external_agreement_no.as_deref(), Some("SUB-9"));
        }
        other => panic!("expected an unsigned agreement, got {other:?}"),
    }
    pairs.retain(|(k, _)| *k != "agreement_no");
    assert!(matches!(
        verified(&pairs).kind(),
        Err(NotifyError::Fields(text)) if text.contains("agreement_no")
    ));
}

#[test]
fn messages_give_their_method_and_json_body() {
    let biz = json!({
        "biz_time": 1_764_640_000_000_i64,
        "detail": {"auth_app_id": "2021000000000009", "app_id": APP_ID, "user_id": "2088000000000009"}
    })
    .to_string();
    let message = match verified(&[
        ("msg_method", "alipay.open.auth.appauth.cancelled"),
        ("app_id", APP_ID),
        ("utc_timestamp", "1764640000000"),
        ("version", "1.1"),
        ("notify_id", "n3"),
        ("biz_content", &biz),
    ])
    .kind()
    {
        Ok(Kind::Message(message)) => message,
        other => panic!("expected a message, got {other:?}"),
    };
    assert_eq!(message.msg_method, "alipay.open.auth.appauth.cancelled");
    assert_eq!(message.utc_timestamp.as_deref(), Some("1764640000000"));
    assert_eq!(message.version.as_deref(), Some("1.1"));
    match message.body() {
        Ok(MessageBody::AppAuthCancelled(cancelled)) => {
            assert_eq!(
                cancelled.detail.auth_app_id.as_deref(),
                Some("2021000000000009")
            );
            assert_eq!(cancelled.biz_time, Some(1_764_640_000_000));
        }
        other => panic!("expected the typed body, got {other:?}"),
    }

    // A message this crate does not type keeps its JSON, readable into the caller's type.
    let transfer = json!({"out_biz_no": "P-1", "status": "SUCCESS", "trans_amount": "1.00"});
    let message = match verified(&[
        ("msg_method", "alipay.open.mini.version.audit.passed"),
        ("app_id", APP_ID),
        ("biz_content", &transfer.to_string()),
    ])
    .kind()
    {
        Ok(Kind::Message(message)) => message,
        other => panic!("expected a message, got {other:?}"),
    };
    assert_eq!(message.body().ok(), Some(MessageBody::Other(transfer)));
    #[derive(serde::Deserialize)]
    struct Changed {
        out_biz_no: String,
    }
    let changed: Changed = message.parse_body().expect("the caller's type");
    assert_eq!(changed.out_biz_no, "P-1");

    // A biz_content that is not JSON is refused.
    assert!(matches!(
        verified(&[
            ("msg_method", "alipay.fund.trans.order.changed"),
            ("app_id", APP_ID),
            ("biz_content", "not json"),
        ])
        .kind(),
        Err(NotifyError::Fields(text)) if text.contains("biz_content")
    ));
}

#[test]
fn other_notifications_keep_their_verified_pairs() {
    let kind = verified(&[
        ("notify_type", "fund_auth_freeze"),
        ("app_id", APP_ID),
        ("auth_no", "2026120210002001"),
    ])
    .kind();
    match kind {
        Ok(Kind::Other(pairs)) => {
            assert_eq!(
                pairs.get("auth_no").map(String::as_str),
                Some("2026120210002001")
            );
            assert_eq!(
                pairs.get("notify_type").map(String::as_str),
                Some("fund_auth_freeze")
            );
        }
        other => panic!("expected other, got {other:?}"),
    }
}

#[test]
fn every_kind_is_verified_first() {
    // Positive control: genuine. Then the same body with one value changed: refused before any
    // typing.
    let body = signed_body(&[
        ("msg_method", "alipay.open.auth.appauth.cancelled"),
        ("app_id", APP_ID),
        (
            "biz_content",
            "{\"detail\":{\"user_id\":\"2088000000000009\"}}",
        ),
    ]);
    let client = client_for("http://127.0.0.1:9/gateway.do");
    assert!(client.verify_notification(&body).is_ok());
    let forged = String::from_utf8(body)
        .expect("text")
        .replace("2088000000000009", "2088000000000666");
    assert!(matches!(
        client.verify_notification(forged.as_bytes()),
        Err(alipay::Error::Notify(NotifyError::Verify(_)))
    ));
}
