//! Recurring debit against the sandbox over loopback: the agreement signing page and app string,
//! the `dut_user_sign` / `dut_user_unsign` notifications, query, execution plan, and debits
//! that only an active agreement allows.

use alipay::notify::Kind;
use alipay::payment::agreement::{
    AccessParams, AgreementExecutionplanModify, AgreementPageSign, AgreementParams, AgreementPay,
    AgreementQuery, AgreementStatus, AgreementUnsign, PeriodRuleParams,
};
use alipay::payment::common::{TradeQuery, TradeStatus};
use alipay::sandbox::{NotificationKind, ReceivedRequest, Sandbox, SandboxError};
use alipay::{Amount, Client};
use alipay_tests::{NotifySink, sandbox_client, sandbox_client_for, sub_code};
use serde_json::json;

fn amount(text: &str) -> Amount {
    Amount::new(text).expect("valid amount")
}

fn last(sandbox: &Sandbox) -> ReceivedRequest {
    sandbox.requests().into_iter().last().expect("a request")
}

fn sign_request(external_agreement_no: &str) -> AgreementPageSign {
    AgreementPageSign::builder()
        .personal_product_code("CYCLE_PAY_AUTH_P")
        .product_code("CYCLE_PAY_AUTH")
        .sign_scene("INDUSTRY|DIGITAL_MEDIA")
        .external_agreement_no(external_agreement_no)
        .access_params(AccessParams::channel("ALIPAYAPP"))
        .period_rule_params(PeriodRuleParams::new(
            "MONTH",
            1,
            "2026-12-05",
            amount("30.00"),
        ))
        .build()
}

fn debit(out_trade_no: &str, total: &str, agreement_no: &str) -> AgreementPay {
    AgreementPay::builder()
        .out_trade_no(out_trade_no)
        .total_amount(amount(total))
        .subject("Monthly plan")
        .product_code("CYCLE_PAY_AUTH")
        .agreement_params(AgreementParams::new(agreement_no))
        .build()
}

/// Signs an agreement through the page URL and returns its number (from the notification).
async fn sign_in_browser(
    sandbox: &Sandbox,
    client: &Client,
    sink: &mut NotifySink,
    external: &str,
) -> String {
    let url = client
        .render(sign_request(external))
        .page_url()
        .expect("rendered");
    sandbox
        .sign_agreement_in_cashier(&url)
        .await
        .expect("signed");
    let body = sink.next().await;
    match client.verify_notification(&body).expect("genuine").kind() {
        Ok(Kind::AgreementSigned(signed)) => signed.agreement_no,
        other => panic!("expected an agreement signed notification, got {other:?}"),
    }
}

#[tokio::test]
async fn the_whole_subscription_page_sign_debit_unsign_refused() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));

    // 1. The page URL opens the signing page; the user signs.
    let request = AgreementPageSign::builder()
        .personal_product_code("CYCLE_PAY_AUTH_P")
        .product_code("CYCLE_PAY_AUTH")
        .sign_scene("INDUSTRY|DIGITAL_MEDIA")
        .external_agreement_no("SUB-1")
        .external_logon_id("tea-lover")
        .access_params(AccessParams::channel("ALIPAYAPP"))
        .period_rule_params(PeriodRuleParams::new(
            "MONTH",
            1,
            "2026-12-05",
            amount("30.00"),
        ))
        .return_url("http://m.example/signed")
        .build();
    let url = client.render(request).page_url().expect("rendered");
    let visit = sandbox
        .sign_agreement_in_cashier(&url)
        .await
        .expect("signed");
    assert!(visit.cashier.text().contains("SUB-1"), "the signing page");
    assert_eq!(visit.paid.status, 302);
    assert_eq!(
        visit.paid.header("location"),
        Some("http://m.example/signed")
    );
    let received = sandbox
        .requests()
        .into_iter()
        .find(|r| r.method.as_deref() == Some("alipay.user.agreement.page.sign"))
        .expect("the gateway received the signing request");
    assert_eq!(received.http_method, "GET");
    assert_eq!(
        received.biz_content,
        Some(json!({
            "personal_product_code": "CYCLE_PAY_AUTH_P",
            "access_params": {"channel": "ALIPAYAPP"},
            "product_code": "CYCLE_PAY_AUTH",
            "sign_scene": "INDUSTRY|DIGITAL_MEDIA",
            "external_agreement_no": "SUB-1",
            "external_logon_id": "tea-lover",
            "period_rule_params": {
                "period_type": "MONTH",
                "period": 1,
                "execute_time": "2026-12-05",
                "single_amount": "30.00"
            }
        }))
    );
    assert_eq!(
        received.params.get("return_url").map(String::as_str),
        Some("http://m.example/signed")
    );
    assert_eq!(
        received.params.get("notify_url").map(String::as_str),
        Some(sink.url.as_str())
    );

    // 2. The dut_user_sign notification, verified and typed.
    let body = sink.next().await;
    let signed = match client.verify_notification(&body).expect("genuine").kind() {
        Ok(Kind::AgreementSigned(signed)) => signed,
        other => panic!("expected dut_user_sign, got {other:?}"),
    };
    assert_eq!(signed.notify_type, "dut_user_sign");
    assert_eq!(signed.status, AgreementStatus::Normal);
    assert_eq!(signed.external_agreement_no.as_deref(), Some("SUB-1"));
    assert_eq!(
        signed.personal_product_code.as_deref(),
        Some("CYCLE_PAY_AUTH_P")
    );
    assert_eq!(signed.app_id.as_deref(), Some(app.app_id.as_str()));
    assert!(signed.sign_time.is_some());
    let records = sandbox.notifications();
    assert_eq!(records[0].kind, NotificationKind::AgreementSigned);
    assert_eq!(records[0].out_trade_no, "SUB-1");

    // 3. The agreement is active.
    let queried = client
        .send(
            AgreementQuery::builder()
                .agreement_no(signed.agreement_no.clone())
                .build(),
        )
        .await
        .expect("queried");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"agreement_no": signed.agreement_no}))
    );
    assert!(queried.status.is_active());
    assert_eq!(queried.external_agreement_no.as_deref(), Some("SUB-1"));
    assert_eq!(queried.single_quota, Some(amount("30.00")));
    assert_eq!(queried.next_deduct_time.as_deref(), Some("2026-12-05"));
    assert_eq!(queried.external_logon_id.as_deref(), Some("tea-lover"));

    // 4. A debit against it pays at once, and the payment is notified.
    let paid = client
        .send(debit("SUB-1-M1", "15.00", &signed.agreement_no))
        .await
        .expect("debited");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "out_trade_no": "SUB-1-M1",
            "total_amount": "15.00",
            "subject": "Monthly plan",
            "agreement_params": {"agreement_no": signed.agreement_no},
            "product_code": "CYCLE_PAY_AUTH"
        }))
    );
    assert_eq!(paid.out_trade_no, "SUB-1-M1");
    assert_eq!(paid.total_amount, amount("15.00"));
    let trade = client
        .verify_notification(&sink.next().await)
        .expect("genuine")
        .trade()
        .expect("a trade notification");
    assert_eq!(trade.out_trade_no, "SUB-1-M1");
    assert_eq!(trade.trade_status, TradeStatus::TradeSuccess);
    let query = client
        .send(TradeQuery::builder().out_trade_no("SUB-1-M1").build())
        .await
        .expect("trade");
    assert!(query.trade_status.is_paid());

    // 5. Unsigning notifies dut_user_unsign.
    client
        .send(
            AgreementUnsign::builder()
                .agreement_no(signed.agreement_no.clone())
                .build(),
        )
        .await
        .expect("unsigned");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"agreement_no": signed.agreement_no}))
    );
    let body = sink.next().await;
    match client.verify_notification(&body).expect("genuine").kind() {
        Ok(Kind::AgreementUnsigned(gone)) => {
            assert_eq!(gone.agreement_no, signed.agreement_no);
            assert_eq!(gone.status, AgreementStatus::Unsign);
            assert!(gone.unsign_time.is_some());
        }
        other => panic!("expected dut_user_unsign, got {other:?}"),
    }

    // 6. A debit against the cancelled agreement is refused, and no trade is opened.
    let refused = client
        .send(debit("SUB-1-M2", "15.00", &signed.agreement_no))
        .await;
    assert_eq!(sub_code(refused), "ACQ.AGREEMENT_STATUS_NOT_NORMAL");
    assert!(sandbox.trade(&app.app_id, "SUB-1-M2").is_none());
    let queried = client
        .send(
            AgreementQuery::builder()
                .external_agreement_no("SUB-1")
                .personal_product_code("CYCLE_PAY_AUTH_P")
                .build(),
        )
        .await
        .expect("queried");
    assert_eq!(queried.status, AgreementStatus::Unsign);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_app_sign_string_is_checked_and_signs() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));
    let order_string = client
        .render(sign_request("SUB-APP"))
        .order_string()
        .expect("rendered");
    assert!(order_string.contains("method=alipay.user.agreement.page.sign"));

    // Forged: the same string with another agreement number is refused.
    let forged = order_string.replace("SUB-APP", "SUB-EVIL");
    assert!(matches!(
        sandbox.sign_agreement_in_app(&forged).await,
        Err(SandboxError::InvalidSignature)
    ));
    // The genuine string signs.
    let agreement_no = sandbox
        .sign_agreement_in_app(&order_string)
        .await
        .expect("signed in the app");
    let body = sink.next().await;
    match client.verify_notification(&body).expect("genuine").kind() {
        Ok(Kind::AgreementSigned(signed)) => {
            assert_eq!(signed.agreement_no, agreement_no);
            assert_eq!(signed.external_agreement_no.as_deref(), Some("SUB-APP"));
        }
        other => panic!("expected dut_user_sign, got {other:?}"),
    }
    // The same merchant agreement number cannot be signed twice.
    let again = client
        .render(sign_request("SUB-APP"))
        .order_string()
        .expect("rendered");
    assert!(matches!(
        sandbox.sign_agreement_in_app(&again).await,
        Err(SandboxError::Refused { sub_code, .. }) if sub_code == "USER_AGREEMENT_EXIST"
    ));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_execution_plan_moves_and_bad_dates_are_refused() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));
    let agreement_no = sign_in_browser(&sandbox, &client, &mut sink, "SUB-PLAN").await;

    let moved = client
        .send(
            AgreementExecutionplanModify::builder()
                .agreement_no(agreement_no.clone())
                .deduct_time("2027-01-10")
                .memo("later, please")
                .build(),
        )
        .await
        .expect("moved");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({
            "agreement_no": agreement_no,
            "deduct_time": "2027-01-10",
            "memo": "later, please"
        }))
    );
    assert_eq!(moved.agreement_no, agreement_no);
    assert_eq!(moved.deduct_time, "2027-01-10");
    let queried = client
        .send(
            AgreementQuery::builder()
                .agreement_no(agreement_no.clone())
                .build(),
        )
        .await
        .expect("queried");
    assert_eq!(queried.next_deduct_time.as_deref(), Some("2027-01-10"));

    let refused = client
        .send(
            AgreementExecutionplanModify::builder()
                .agreement_no(agreement_no)
                .deduct_time("2027-13-40")
                .build(),
        )
        .await;
    assert_eq!(sub_code(refused), "isv.invalid-parameter");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn debits_beyond_the_agreement_are_refused() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));
    let agreement_no = sign_in_browser(&sandbox, &client, &mut sink, "SUB-LIMIT").await;

    // Over the single debit limit of 30.00: refused; at the limit: paid.
    let over = client.send(debit("L-1", "30.01", &agreement_no)).await;
    assert_eq!(sub_code(over), "ACQ.TOTAL_FEE_EXCEED");
    client
        .send(debit("L-2", "30.00", &agreement_no))
        .await
        .expect("at the limit");
    // An agreement that does not exist, or is another app's, is refused.
    let unknown = client
        .send(debit("L-3", "1.00", "20260000000000000000"))
        .await;
    assert_eq!(sub_code(unknown), "ACQ.AGREEMENT_NOT_EXIST");
    let other_app = sandbox.create_app().expect("app");
    let other = sandbox_client_for(&sandbox, &other_app, None);
    let foreign = other.send(debit("L-4", "1.00", &agreement_no)).await;
    assert_eq!(sub_code(foreign), "ACQ.AGREEMENT_NOT_EXIST");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_altered_agreement_notification_is_refused() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, _) = sandbox_client().await;
    let client = sandbox_client_for(&sandbox, &app, Some(&sink.url));
    let url = client
        .render(sign_request("SUB-FORGE"))
        .page_url()
        .expect("rendered");
    sandbox
        .sign_agreement_in_cashier(&url)
        .await
        .expect("signed");
    let genuine = String::from_utf8(sink.next().await).expect("text");
    // Positive control: the genuine body verifies.
    assert!(client.verify_notification(genuine.as_bytes()).is_ok());
    // The same body claiming another merchant agreement number does not.
    let forged = genuine.replace("SUB-FORGE", "SUB-OTHER");
    assert_ne!(forged, genuine);
    assert!(matches!(
        client.verify_notification(forged.as_bytes()),
        Err(alipay::Error::Notify(alipay::NotifyError::Verify(_)))
    ));
    sandbox.shutdown().await;
}
