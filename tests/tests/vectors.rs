//! Conformance vectors copied from the shared set into `tests/fixtures/vectors`: a real
//! notification signed by Alipay.

use alipay::notify::{self, NotifyError};
use alipay::{PublicKey, VerifyError};
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../fixtures/vectors/vectors.json")).expect("vectors parse")
}

fn notify_vector() -> (PublicKey, String, Vec<(String, String)>, String) {
    let v = vectors();
    let n = &v["notify"];
    let key = PublicKey::parse(n["alipay_public_key"].as_str().expect("key")).expect("key parses");
    let body = n["form_body"].as_str().expect("body").to_owned();
    let params = n["params"]
        .as_object()
        .expect("params")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string").to_owned()))
        .collect();
    let content = n["sign_content"].as_str().expect("content").to_owned();
    (key, body, params, content)
}

#[test]
fn the_real_notification_verifies_from_its_raw_body() {
    let (key, body, _, _) = notify_vector();
    let notification = notify::verify_body(body.as_bytes(), &key).expect("genuine");
    assert_eq!(notification.get("isv_ticket"), Some(""));
    assert_eq!(notification.get("name"), Some("赵华杰"));
    assert_eq!(notification.get("total_price"), Some("0.01"));
}

#[test]
fn the_real_notification_verifies_from_decoded_pairs() {
    let (key, _, params, _) = notify_vector();
    notify::verify_pairs(params, &key).expect("genuine");
}

#[test]
fn the_sign_content_is_alipays() {
    let (_, _, params, content) = notify_vector();
    assert_eq!(alipay::wire::notify_sign_content(params), content);
}

#[test]
fn dropping_the_empty_value_breaks_it() {
    let (key, _, params, _) = notify_vector();
    let without_empty = params.into_iter().filter(|(_, v)| !v.is_empty());
    assert!(matches!(
        notify::verify_pairs(without_empty, &key),
        Err(NotifyError::Verify(VerifyError::Mismatch))
    ));
}

#[test]
fn any_altered_value_breaks_it() {
    let (key, body, _, _) = notify_vector();
    let altered = body.replace("total_price=0.01", "total_price=0.02");
    assert_ne!(altered, body);
    assert!(matches!(
        notify::verify_body(altered.as_bytes(), &key),
        Err(NotifyError::Verify(VerifyError::Mismatch))
    ));
}

#[test]
fn an_added_parameter_breaks_it() {
    let (key, body, _, _) = notify_vector();
    let extended = format!("{body}&route=extra");
    assert!(notify::verify_body(extended.as_bytes(), &key).is_err());
}

#[test]
fn a_duplicated_parameter_is_refused() {
    let (key, body, _, _) = notify_vector();
    let duplicated = format!("{body}&total_price=0.01");
    assert!(matches!(
        notify::verify_body(duplicated.as_bytes(), &key),
        Err(NotifyError::Form(alipay::wire::FormError::DuplicateKey(k))) if k == "total_price"
    ));
}

#[test]
fn a_missing_sign_is_refused() {
    let (key, _, params, _) = notify_vector();
    let unsigned = params.into_iter().filter(|(k, _)| k != "sign");
    assert!(matches!(
        notify::verify_pairs(unsigned, &key),
        Err(NotifyError::MissingSign)
    ));
}

#[test]
fn a_double_decoded_body_is_not_the_signed_one() {
    // A framework that decodes twice turns `%2B` in the signature into a space: refused.
    let (key, body, _, _) = notify_vector();
    let twice = body.replace("%2B", "+");
    assert!(notify::verify_body(twice.as_bytes(), &key).is_err());
}
