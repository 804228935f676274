//! ISV authorisation against the sandbox over loopback: the app-to-app authorisation page, the
//! code and refresh token exchanges, calls as an agent (accepted with a token of the calling
//! app, refused otherwise), and one notify URL for many apps ([`Merchants`]).

use alipay::isv::{
    Merchants, OPENAUTH_HOST, OpenAuthTokenApp, OpenAuthTokenAppQuery, OpenAuthTokenAppRefresh,
    app_to_app_auth_url,
};
use alipay::notify::{Kind, NotifyError};
use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::sandbox::{ReceivedRequest, Sandbox, browse};
use alipay::wire::form_decode;
use alipay::{Amount, Client, Error};
use alipay_tests::{NotifySink, builder_for, sandbox_client, sandbox_client_for, sub_code};
use http::Method;
use serde_json::json;

fn last(sandbox: &Sandbox) -> ReceivedRequest {
    sandbox.requests().into_iter().last().expect("a request")
}

fn create(out_trade_no: &str) -> TradeCreate {
    TradeCreate::builder()
        .out_trade_no(out_trade_no)
        .total_amount(Amount::new("9.90").expect("amount"))
        .subject("agent call")
        .buyer_id("2088000000000001")
        .build()
}

#[test]
fn the_authorisation_url_is_alipays() {
    assert_eq!(
        app_to_app_auth_url(OPENAUTH_HOST, "2021000000000001", "https://isv.example/cb"),
        "https://openauth.alipay.com/oauth2/appToAppAuth.htm?app_id=2021000000000001\
         &redirect_uri=https%3A%2F%2Fisv.example%2Fcb"
    );
}

#[tokio::test]
async fn page_code_token_agent_call_and_unknown_tokens_refused() {
    let (sandbox, app, client) = sandbox_client().await;

    // 1. The merchant authorises on the page; the browser comes back with a code.
    let url = app_to_app_auth_url(
        &sandbox.openauth_url(),
        &app.app_id,
        "https://isv.example/authorised?shop=7",
    );
    let answer = browse(Method::GET, &url, None, b"").await.expect("page");
    assert_eq!(answer.status, 302);
    let location = answer.header("location").expect("redirect").to_owned();
    let (base, query) = location.split_once("?").expect("a query");
    assert_eq!(base, "https://isv.example/authorised");
    let pairs = form_decode(query.as_bytes()).expect("query");
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    assert_eq!(get("shop").as_deref(), Some("7"));
    assert_eq!(get("app_id").as_deref(), Some(app.app_id.as_str()));
    let code = get("app_auth_code").expect("a code");

    // 2. The code is exchanged once for the merchant's token.
    let token = client
        .send(OpenAuthTokenApp::builder().code(code.clone()).build())
        .await
        .expect("token");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"grant_type": "authorization_code", "code": code}))
    );
    assert!(token.user_id.starts_with("2088"));
    assert!(token.auth_app_id.starts_with("2021"));
    assert_eq!(token.expires_in, 31_536_000);
    assert!(!format!("{token:?}").contains(&token.app_auth_token));
    let again = client
        .send(OpenAuthTokenApp::builder().code(code).build())
        .await;
    assert_eq!(sub_code(again), "invalid auth_code");

    // 3. A call as the merchant's agent carries the token and is accepted.
    client
        .send(create("AGENT-1"))
        .agent(token.app_auth_token.clone())
        .await
        .expect("accepted as agent");
    assert_eq!(
        last(&sandbox).params.get("app_auth_token"),
        Some(&token.app_auth_token)
    );

    // 4. Unknown token: refused, nothing created. Positive control above.
    let refused = client
        .send(create("AGENT-2"))
        .agent("201612BBdb6a4ac6b0a54d5ca3a7b5ba2b0e2X07")
        .await;
    assert_eq!(sub_code(refused), "aop.invalid-app-auth-token");
    assert!(sandbox.trade(&app.app_id, "AGENT-2").is_none());

    // 5. Another ISV app cannot use this app's token.
    let other_app = sandbox.create_app().expect("app");
    let other = sandbox_client_for(&sandbox, &other_app, None);
    let foreign = other
        .send(create("AGENT-3"))
        .agent(token.app_auth_token.clone())
        .await;
    assert_eq!(sub_code(foreign), "aop.invalid-app-auth-token");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn refresh_replaces_the_token_and_query_describes_it() {
    let (sandbox, app, client) = sandbox_client().await;
    let code = sandbox.issue_app_auth_code(&app.app_id, "2088000000000042", "2021000000000042");
    let first = client
        .send(OpenAuthTokenApp::builder().code(code).build())
        .await
        .expect("token");
    assert_eq!(first.user_id, "2088000000000042");
    assert_eq!(first.auth_app_id, "2021000000000042");

    let info = client
        .send(
            OpenAuthTokenAppQuery::builder()
                .app_auth_token(first.app_auth_token.clone())
                .build(),
        )
        .await
        .expect("query");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"app_auth_token": first.app_auth_token}))
    );
    assert_eq!(info.status, alipay::isv::AuthTokenStatus::Valid);
    assert_eq!(info.auth_app_id, "2021000000000042");
    assert!(!info.auth_methods.is_empty());

    let second = client
        .send(
            OpenAuthTokenAppRefresh::builder()
                .refresh_token(first.app_refresh_token.clone())
                .build(),
        )
        .await
        .expect("refreshed");
    assert_eq!(
        last(&sandbox).biz_content,
        Some(json!({"grant_type": "refresh_token", "refresh_token": first.app_refresh_token}))
    );
    assert_ne!(second.app_auth_token, first.app_auth_token);
    assert_eq!(second.auth_app_id, "2021000000000042");
    // The old token and refresh token are spent; the new token works.
    let old = client
        .send(TradeQuery::builder().out_trade_no("none").build())
        .agent(first.app_auth_token.clone())
        .await;
    assert_eq!(sub_code(old), "aop.invalid-app-auth-token");
    let spent = client
        .send(
            OpenAuthTokenAppRefresh::builder()
                .refresh_token(first.app_refresh_token)
                .build(),
        )
        .await;
    assert_eq!(sub_code(spent), "invalid refresh_token");
    client
        .send(create("AGENT-R"))
        .agent(second.app_auth_token)
        .await
        .expect("the new token works");
    sandbox.shutdown().await;
}

/// Opens and pays a trade of `client`'s app; returns the body its notification brought.
async fn paid_notification(
    sandbox: &Sandbox,
    client: &Client,
    sink: &mut NotifySink,
    out_trade_no: &str,
) -> Vec<u8> {
    client.send(create(out_trade_no)).await.expect("created");
    sandbox
        .pay(client.app_id(), out_trade_no)
        .await
        .expect("paid");
    sink.next().await
}

#[tokio::test]
async fn notifications_of_two_apps_reach_the_right_client_and_foreign_ones_are_refused() {
    let mut sink = NotifySink::start().await;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let (a, b, c) = (
        sandbox.create_app().expect("app"),
        sandbox.create_app().expect("app"),
        sandbox.create_app().expect("app"),
    );
    let client_a = sandbox_client_for(&sandbox, &a, Some(&sink.url));
    let client_b = sandbox_client_for(&sandbox, &b, Some(&sink.url));
    let client_c = sandbox_client_for(&sandbox, &c, Some(&sink.url));
    let merchants = Merchants::new()
        .with(client_a.clone())
        .with(client_b.clone());
    assert!(merchants.get(&c.app_id).is_none());

    for (client, order) in [(&client_a, "MA-1"), (&client_b, "MB-1")] {
        let body = paid_notification(&sandbox, client, &mut sink, order).await;
        let (routed, notification) = merchants.verify_notification(&body).expect("verified");
        assert_eq!(routed.app_id(), client.app_id());
        match notification.kind() {
            Ok(Kind::Trade(trade)) => {
                assert_eq!(trade.out_trade_no, order);
                assert_eq!(trade.app_id, client.app_id());
            }
            other => panic!("expected a trade, got {other:?}"),
        }
    }

    // An app the receiver does not serve: refused, not verified.
    let foreign = paid_notification(&sandbox, &client_c, &mut sink, "MC-1").await;
    match merchants.verify_notification(&foreign) {
        Err(Error::Notify(NotifyError::UnknownApp { received })) => {
            assert_eq!(received, c.app_id);
        }
        other => panic!("expected an unknown app, got {other:?}"),
    }

    // The notification is verified with the routed client's keys: a client of app A that
    // trusts another Alipay key refuses A's genuine notification.
    let body = paid_notification(&sandbox, &client_a, &mut sink, "MA-2").await;
    assert!(merchants.verify_notification(&body).is_ok());
    let wrong_key = builder_for(&sandbox.gateway_url())
        .app_id(a.app_id.clone())
        .build()
        .expect("client");
    let misconfigured = Merchants::new().with(wrong_key).with(client_b);
    assert!(matches!(
        misconfigured.verify_notification(&body),
        Err(Error::Notify(NotifyError::Verify(_)))
    ));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_withdrawn_authorisation_is_notified_as_a_typed_message_and_its_token_refused() {
    let mut sink = NotifySink::start().await;
    let (sandbox, app, client) = sandbox_client().await;
    let code = sandbox.issue_app_auth_code(&app.app_id, "2088000000000077", "2021000000000077");
    let token = client
        .send(OpenAuthTokenApp::builder().code(code).build())
        .await
        .expect("token");
    client
        .send(create("BEFORE"))
        .agent(token.app_auth_token.clone())
        .await
        .expect("accepted while authorised");

    sandbox
        .cancel_app_auth(&token.app_auth_token, &sink.url)
        .await
        .expect("withdrawn");
    let merchants = Merchants::new().with(client.clone());
    let (_, notification) = merchants
        .verify_notification(&sink.next().await)
        .expect("genuine");
    let message = match notification.kind() {
        Ok(Kind::Message(message)) => message,
        other => panic!("expected a message, got {other:?}"),
    };
    assert_eq!(message.msg_method, "alipay.open.auth.appauth.cancelled");
    assert_eq!(message.version.as_deref(), Some("1.1"));
    assert!(message.utc_timestamp.is_some());
    match message.body() {
        Ok(alipay::notify::MessageBody::AppAuthCancelled(cancelled)) => {
            assert_eq!(
                cancelled.detail.user_id.as_deref(),
                Some("2088000000000077")
            );
            assert_eq!(
                cancelled.detail.auth_app_id.as_deref(),
                Some("2021000000000077")
            );
            assert_eq!(
                cancelled.detail.app_id.as_deref(),
                Some(app.app_id.as_str())
            );
        }
        other => panic!("expected the typed body, got {other:?}"),
    }
    let after = client
        .send(create("AFTER"))
        .agent(token.app_auth_token.clone())
        .await;
    assert_eq!(sub_code(after), "aop.invalid-app-auth-token");
    let refresh = client
        .send(
            OpenAuthTokenAppRefresh::builder()
                .refresh_token(token.app_refresh_token)
                .build(),
        )
        .await;
    assert_eq!(sub_code(refresh), "invalid refresh_token");
    sandbox.shutdown().await;
}
