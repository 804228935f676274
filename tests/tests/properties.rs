//! Properties over generated inputs (256 cases each, so the file runs in seconds): the parsers
//! never panic on any input, a signed answer verifies untouched, and any single byte changed
//! inside its signed node makes it fail; the same for answers written in GBK.

use std::sync::LazyLock;

use alipay::payment::common::TradeQuery;
use alipay::response::Charset;
use alipay::{Amount, Client, Error, PrivateKey, PublicKey, Signer as _};
use alipay_tests::{client_for, keys};
use proptest::prelude::*;

const NODE: &str = "alipay_trade_query_response";

static CLIENT: LazyLock<Client> = LazyLock::new(|| client_for("http://127.0.0.1:9/gateway.do"));
static ALIPAY: LazyLock<PrivateKey> = LazyLock::new(alipay_tests::alipay_private_key);
static ALIPAY_PUBLIC: LazyLock<PublicKey> =
    LazyLock::new(|| alipay_tests::public_key(keys::ALIPAY_PUBLIC_B64));

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text made of the pieces of gateway answers, so the splitter sees near-valid JSON often.
fn answer_like() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just("\""),
        Just("\\"),
        Just(":"),
        Just(","),
        Just(" "),
        Just("1.5e3"),
        Just("null"),
        Just("\"alipay_trade_query_response\""),
        Just("\"error_response\""),
        Just("\"sign\""),
        Just("\"alipay_cert_sn\""),
        Just("\"code\":\"10000\""),
        Just("\\u005f"),
        Just("中"),
    ];
    prop::collection::vec(pieces, 0..48).prop_map(|pieces| pieces.concat())
}

/// Form bodies made of the pieces of notifications.
fn form_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"&",
        b"=",
        b"+",
        b"%",
        b"%2",
        b"%E4%BD%A0",
        b"%FF",
        b"sign",
        b"sign_type=RSA2",
        b"trade_status=TRADE_SUCCESS",
        b"a",
        b"\xff",
    ];
    let pieces = prop::sample::select(pieces);
    prop::collection::vec(pieces, 0..32).prop_map(|pieces| pieces.concat())
}

/// A trade query answer node with generated fields, as Alipay writes them.
fn node() -> impl Strategy<Value = String> {
    (
        "[A-Za-z0-9_-]{1,32}",
        0u64..100_000_000,
        prop::sample::select(vec![
            "WAIT_BUYER_PAY",
            "TRADE_SUCCESS",
            "TRADE_FINISHED",
            "TRADE_CLOSED",
        ]),
        any::<String>(),
        prop::option::of("[0-9]{16}"),
    )
        .prop_map(|(out_trade_no, cents, status, subject, buyer)| {
            let buyer = buyer
                .map(|b| format!(r#","buyer_user_id":"2088{b}""#))
                .unwrap_or_default();
            format!(
                r#"{{"code":"10000","msg":"Success","trade_no":"2026112622001000000000000001","out_trade_no":"{out_trade_no}","trade_status":"{status}","total_amount":"{}.{:02}","subject":{}{buyer}}}"#,
                cents / 100,
                cents % 100,
                serde_json::to_string(&subject).expect("a string serializes"),
            )
        })
}

fn signed(node: &str) -> (String, std::ops::Range<usize>) {
    let sign = ALIPAY.sign(node.as_bytes()).expect("sign");
    let prefix = format!(r#"{{"{NODE}":"#);
    let body = format!(r#"{prefix}{node},"sign":"{sign}"}}"#);
    (body, prefix.len()..prefix.len() + node.len())
}

/// GBK two-byte characters, trail bytes `\\` (0x5C), `@`..`~` and above included; the pairs
/// that are not GBK characters are filtered out.
fn gbk_text() -> impl Strategy<Value = Vec<u8>> {
    let pair = (
        0x81u8..=0xFE,
        prop_oneof![Just(0x5Cu8), 0x40u8..=0x7E, 0x80u8..=0xFE],
    );
    prop::collection::vec(pair, 1..24).prop_map(|pairs| {
        pairs
            .into_iter()
            .filter(|&(lead, trail)| {
                encoding_rs::GBK
                    .decode_without_bom_handling_and_without_replacement(&[lead, trail])
                    .is_some()
            })
            .flat_map(|(lead, trail)| [lead, trail])
            .collect()
    })
}

fn query() -> TradeQuery {
    TradeQuery::builder().out_trade_no("T1").build()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn split_never_panics(bytes in any::<Vec<u8>>(), text in answer_like()) {
        let _ = alipay::response::split(&bytes, NODE);
        let _ = alipay::response::split(text.as_bytes(), NODE);
        let _ = CLIENT.read_response(&query(), 200, &bytes);
        let _ = CLIENT.read_response(&query(), 200, text.as_bytes());
    }

    #[test]
    fn form_decode_never_panics(bytes in any::<Vec<u8>>(), form in form_like()) {
        let _ = alipay::wire::form_decode(&bytes);
        let _ = alipay::wire::form_decode(&form);
    }

    #[test]
    fn notification_verification_never_panics(bytes in any::<Vec<u8>>(), form in form_like()) {
        let _ = alipay::notify::verify_body(&bytes, &*ALIPAY_PUBLIC);
        let _ = alipay::notify::verify_body(&form, &*ALIPAY_PUBLIC);
        let _ = CLIENT.verify_notification(&form);
    }

    #[test]
    fn key_parsing_never_panics(bytes in any::<Vec<u8>>(), cut in 0usize..1800, noise in any::<u8>()) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = PrivateKey::parse(&text);
        let _ = PublicKey::parse(&text);
        let _ = PrivateKey::from_der(&bytes, alipay::Backend::AwsLc);
        let _ = PublicKey::from_spki_der(&bytes, alipay::Backend::AwsLc);
        // Damaged real keys: cut short, or one character replaced.
        let pem = keys::APP_PRIVATE_PKCS8_PEM;
        let cut = cut.min(pem.len());
        let _ = PrivateKey::parse(&pem[..cut]);
        let mut damaged = pem.as_bytes().to_vec();
        let at = cut.min(damaged.len() - 1);
        damaged[at] = noise;
        let _ = PrivateKey::parse(&String::from_utf8_lossy(&damaged));
        let _ = PublicKey::parse(&keys::APP_PUBLIC_B64[..cut.min(keys::APP_PUBLIC_B64.len())]);
    }

    #[test]
    fn amount_parsing_never_panics(text in any::<String>(), numeric in "[-+0-9.,eE ]{0,24}") {
        let _ = Amount::new(&text);
        if let Ok(amount) = Amount::new(&numeric) {
            prop_assert_eq!(amount.as_str(), numeric.as_str());
        }
    }

    #[test]
    fn a_signed_answer_verifies_and_any_changed_byte_fails(
        node in node(),
        position in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let (body, range) = signed(&node);
        let trade = CLIENT
            .read_response(&query(), 200, body.as_bytes())
            .expect("the untouched answer verifies");
        let field = format!(r#""out_trade_no":"{}""#, trade.out_trade_no);
        prop_assert!(node.contains(&field));

        let mut tampered = body.into_bytes();
        let at = range.start + position.index(range.len());
        tampered[at] ^= flip;
        let result = CLIENT.read_response(&query(), 200, &tampered);
        prop_assert!(
            matches!(result, Err(Error::Verify(_) | Error::Response(_))),
            "byte {} changed: {:?}",
            at,
            result
        );
    }

    #[test]
    fn a_gbk_failure_verifies_on_its_bytes_decodes_and_any_changed_byte_fails(
        sub_msg in gbk_text(),
        position in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let node = [
            &br#"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":""#[..],
            &sub_msg,
            b"\"}",
        ]
        .concat();
        let sign = ALIPAY.sign(&node).expect("sign");
        let prefix = format!(r#"{{"{NODE}":"#);
        let body = [prefix.as_bytes(), &node, br#","sign":""#, sign.as_bytes(), b"\"}"].concat();
        let expected = encoding_rs::GBK
            .decode_without_bom_handling_and_without_replacement(&sub_msg)
            .expect("GBK");
        // As the answer to a request that declared GBK (a short GBK text can also be UTF-8).
        let read = |body: &[u8]| CLIENT.read_response_declared(&query(), 200, body, Charset::Gbk);
        match read(&body) {
            Err(Error::Api(error)) => {
                prop_assert_eq!(error.sub_msg.as_deref(), Some(&*expected));
            }
            other => prop_assert!(false, "expected a verified Api error, got {:?}", other),
        }

        let mut tampered = body;
        let at = prefix.len() + position.index(node.len());
        tampered[at] ^= flip;
        let result = read(&tampered);
        prop_assert!(
            matches!(result, Err(Error::Verify(_) | Error::Response(_))),
            "byte {} changed: {:?}",
            at,
            result
        );
    }
}
