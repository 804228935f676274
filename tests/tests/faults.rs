//! Every fault the sandbox injects makes the client return its specific typed error, over v2
//! and over OpenAPI v3 alike, and the sandbox keeps serving afterwards; what differs by
//! protocol is here for v2 and in `v3_faults.rs` for v3.

use std::time::Duration;

use alipay::response::Charset;
use alipay::sandbox::{Fault, FaultRule, Scope};
use alipay::{Error, Protocol, ResponseError, Verifier, VerifyError};

#[path = "support/faults.rs"]
mod faults;

use faults::{create, once, query, setup};

const PROTOCOLS: [Protocol; 2] = [Protocol::V2, Protocol::V3];

/// A fault, the error it must give (named for the failure message) and its test.
type Case = (Fault, &'static str, fn(&Error) -> bool);

/// Each fault that both protocols answer with the same typed error.
#[tokio::test]
async fn each_fault_is_its_typed_error_over_both_protocols() {
    let cases: [Case; 7] = [
        (Fault::ConnectionReset, "Transport", |e| {
            matches!(e, Error::Transport(_))
        }),
        (Fault::TruncatedJson, "NotJson", |e| {
            matches!(e, Error::Response(ResponseError::NotJson(_)))
        }),
        (Fault::WrongSignature, "Mismatch", |e| {
            matches!(e, Error::Verify(VerifyError::Mismatch))
        }),
        (Fault::Unsigned, "MissingSign", |e| {
            matches!(e, Error::Verify(VerifyError::MissingSign))
        }),
        (Fault::DuplicateNode, "DuplicateNode", |e| {
            matches!(e, Error::Response(ResponseError::DuplicateNode(_)))
        }),
        (
            Fault::Oversize(alipay::sandbox::DEFAULT_OVERSIZE),
            "BodyTooLarge of 4 MiB",
            |e| matches!(e, Error::BodyTooLarge { limit } if *limit == 4 * 1024 * 1024),
        ),
        // A GBK answer to a request that declared UTF-8 (both protocols declare it).
        (
            Fault::GbkSubMsg,
            "Charset mismatch with UTF-8 declared",
            |e| {
                matches!(
                    e,
                    Error::Response(ResponseError::Charset {
                        declared: Charset::Utf8
                    })
                )
            },
        ),
    ];
    for protocol in PROTOCOLS {
        let setup = setup(protocol).await;
        for (fault, expected, is_expected) in &cases {
            match once(&setup, fault.clone()).await {
                Err(error) if is_expected(&error) => {}
                other => panic!("{protocol:?}, {fault}: expected {expected}, got {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn latency_times_out_with_the_per_call_deadline_and_within_it_is_only_slow() {
    for protocol in PROTOCOLS {
        let setup = setup(protocol).await;
        setup.sandbox.inject_rule(
            FaultRule::new(Fault::Latency(Duration::from_millis(1500)), Scope::All).times(1),
        );
        let deadline = Duration::from_millis(200);
        match setup.client.send(query()).timeout(deadline).await {
            Err(Error::Timeout(d)) => assert_eq!(d, deadline),
            other => panic!("{protocol:?}: expected a timeout, got {other:?}"),
        }
        setup.sandbox.inject_rule(
            FaultRule::new(Fault::Latency(Duration::from_millis(300)), Scope::All).times(1),
        );
        let started = std::time::Instant::now();
        setup.client.send(query()).await.expect("slow but fine");
        assert!(started.elapsed() >= Duration::from_millis(300));
    }
}

#[tokio::test]
async fn a_5xx_does_not_run_the_call_but_a_reset_after_it_ran_does() {
    for protocol in PROTOCOLS {
        let setup = setup(protocol).await;
        setup
            .sandbox
            .inject_rule(FaultRule::new(Fault::HttpStatus(502), Scope::All).times(1));
        assert!(setup.client.send(create("E-1")).await.is_err());
        assert!(setup.sandbox.trade(&setup.app.app_id, "E-1").is_none());
        setup
            .sandbox
            .inject_rule(FaultRule::new(Fault::ConnectionReset, Scope::All).times(1));
        assert!(setup.client.send(create("E-2")).await.is_err());
        assert!(
            setup.sandbox.trade(&setup.app.app_id, "E-2").is_some(),
            "{protocol:?}: the trade was created though the client saw no answer"
        );
    }
}

/// A persistent rule spoils every call of its method, over both protocols, and no other
/// method, until cleared.
#[tokio::test]
async fn a_persistent_fault_spoils_v2_and_v3_calls_of_its_method_until_cleared() {
    let setup = setup(Protocol::V3).await;
    let v2 = setup
        .sandbox
        .client_builder(&setup.app)
        .build()
        .expect("v2 client");
    setup
        .sandbox
        .inject(Fault::Unsigned, Scope::method("alipay.trade.query"));
    for _ in 0..2 {
        assert!(matches!(
            setup.client.send(query()).await,
            Err(Error::Verify(VerifyError::MissingSign))
        ));
        assert!(matches!(
            v2.send(query()).await,
            Err(Error::Verify(VerifyError::MissingSign))
        ));
    }
    setup.client.send(create("F-5")).await.expect("not spoiled");
    v2.send(create("F-6")).await.expect("not spoiled");
    assert_eq!(setup.sandbox.faults().len(), 1, "the rule is still there");
    setup.sandbox.clear_faults();
    setup.client.send(query()).await.expect("cleared");
    v2.send(query()).await.expect("cleared");
}

#[tokio::test]
async fn http_5xx_is_an_http_status_error() {
    let setup = setup(Protocol::V2).await;
    match once(&setup, Fault::HttpStatus(503)).await {
        Err(Error::HttpStatus { status, snippet }) => {
            assert_eq!(status, 503);
            assert!(snippet.contains("503 Service Unavailable"), "{snippet}");
            assert!(snippet.contains("<html>"), "{snippet}");
        }
        other => panic!("expected HttpStatus, got {other:?}"),
    }
}

#[tokio::test]
async fn a_duplicated_node_is_named() {
    let setup = setup(Protocol::V2).await;
    match once(&setup, Fault::DuplicateNode).await {
        Err(Error::Response(ResponseError::DuplicateNode(key))) => {
            assert_eq!(key, "alipay_trade_query_response");
        }
        other => panic!("expected DuplicateNode, got {other:?}"),
    }
}

/// A business failure written in GBK (as the gateway sometimes answers), signed over the GBK
/// bytes, to a request that declared `charset=utf-8`: the client reads answers in the character
/// set the request declared, never in the one the `Content-Type` names, so the answer is refused
/// as a charset mismatch. (It used to be read as GBK because the body was not UTF-8 and the
/// header said GBK, which let anyone on the path have a UTF-8 node decoded as GBK.) The same
/// bytes, read as the answer to a request that declared GBK, verify and decode.
#[tokio::test]
async fn a_gbk_answer_to_a_utf8_request_is_a_charset_mismatch_and_reads_where_gbk_was_declared() {
    let setup = setup(Protocol::V2).await;
    // What was on the wire: GBK bytes, the signature over the raw node.
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::GbkSubMsg, Scope::All).times(1));
    assert!(matches!(
        setup.client.send(query()).await,
        Err(Error::Response(ResponseError::Charset { .. }))
    ));
    let answer = setup.last();
    assert_eq!(answer.charset, Some(Charset::Gbk), "the header said GBK");
    let body = &answer.body[..];
    assert!(std::str::from_utf8(body).is_err(), "the body is GBK");
    let prefix = b"{\"alipay_trade_query_response\":";
    assert!(body.starts_with(prefix));
    let sign_at = body
        .windows(9)
        .position(|w| w == b",\"sign\":\"")
        .expect("signed");
    let node = &body[prefix.len()..sign_at];
    let sign = std::str::from_utf8(&body[sign_at + 9..body.len() - 2]).expect("base64");
    setup
        .sandbox
        .alipay_public_key()
        .verify(node, sign)
        .expect("the signature covers the GBK bytes");
    assert!(faults::holds_busy_in_gbk(node));
    // Where the request declared GBK, the same answer is a verified Api error, decoded.
    match setup
        .client
        .read_response_declared(&query(), 200, body, Charset::Gbk)
    {
        Err(Error::Api(error)) => {
            assert_eq!(error.code, "40004");
            assert_eq!(error.sub_code.as_deref(), Some("ACQ.SYSTEM_ERROR"));
            assert_eq!(error.sub_msg.as_deref(), Some("系统繁忙，请稍后再试"));
        }
        other => panic!("expected a verified Api error, got {other:?}"),
    }
}

/// The same GBK answer with one byte of its `sub_msg` changed fails verification, read as the
/// answer to a request that declared GBK: decoding GBK does not let anything unverified through.
#[tokio::test]
async fn a_tampered_gbk_answer_fails_verification() {
    let setup = setup(Protocol::V2).await;
    setup
        .sandbox
        .inject_rule(FaultRule::new(Fault::GbkSubMsg, Scope::All).times(1));
    assert!(setup.client.send(query()).await.is_err());
    let answer = setup.last();
    let mut body = answer.body.to_vec();
    // 系 (CF B5) becomes 废 (B7 CF)… any other valid GBK character will do.
    let at = body
        .windows(2)
        .position(|w| w == [0xCF, 0xB5])
        .expect("系 in GBK");
    body[at] = 0xB7;
    body[at + 1] = 0xCF;
    match setup
        .client
        .read_response_declared(&query(), 200, &body, Charset::Gbk)
    {
        Err(Error::Verify(VerifyError::Mismatch)) => {}
        other => panic!("expected a signature mismatch, got {other:?}"),
    }
}
