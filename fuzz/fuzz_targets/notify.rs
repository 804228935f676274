//! An asynchronous notification: form decoding, signature verification and the typed fields.
//!
//! The first byte picks the mode: even, the rest is a raw form body verified with the public key
//! of the real notification in `tests/fixtures/vectors` (the seed corpus holds that
//! notification, which verifies); odd, the rest is decoded as a form, signed here with the test
//! "Alipay" key, verified and read as a trade notification.
#![no_main]

use std::sync::LazyLock;

use alipay::notify::{self, Notification};
use alipay::{PrivateKey, PublicKey, Signer as _};
use libfuzzer_sys::fuzz_target;

/// The Alipay public key of the real notification in `tests/fixtures/vectors/vectors.json`.
const VECTOR_PUBLIC: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAkKHoQ7HAruVVIr5qoEWY4PkNbvtiLXAGiWiTJbuoGIebQr0QCKsN7ujU02kftNQIVAHkr4RoPhWo0thEavoH/QUvxVbW+6wizot5k0XEKEbZm7icFtM70Hi1uL1tF6P/V2h+nqVdX4im8gHcmz1K8VWiuiucDn20eFratwM0CfWaZhxZewgtOaePUBqr1ByusvPJ7vl6AfwViQmvrIUUlmXRCqu9igLjJsfJt0WNJu/ThkBmrdAXttvAHemsEoQiarobUEwErPrDKSEmlrupW3hVPuqQf253Z5TKMi0EJduO6Orn4AtEFtJlzBrBfxx9xY6JP2JtV91M/3MEwLYyiQIDAQAB";
const ALIPAY_KEY: &str = include_str!("../../alipay/tests/fixtures/keys/alipay_private_pkcs8.pem");

static VECTOR: LazyLock<PublicKey> =
    LazyLock::new(|| PublicKey::parse(VECTOR_PUBLIC).expect("vector key"));
static ALIPAY: LazyLock<PrivateKey> =
    LazyLock::new(|| PrivateKey::parse(ALIPAY_KEY).expect("fixture key"));

fn read(notification: &Notification) {
    let _ = notification.trade();
    let _ = notification.parse::<std::collections::BTreeMap<String, String>>();
    let _ = notification.get("trade_status");
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Ok(notification) = notify::verify_body(rest, &*VECTOR) {
            read(&notification);
        }
    } else if let Ok(mut pairs) = alipay::wire::form_decode(rest) {
        pairs.retain(|(k, _)| k != "sign");
        let content = alipay::wire::notify_sign_content(pairs.iter().map(|(k, v)| (k, v)));
        let Ok(sign) = ALIPAY.sign(content.as_bytes()) else {
            return;
        };
        pairs.push(("sign".to_owned(), sign));
        let verified = notify::verify_pairs(pairs, &ALIPAY.public_key());
        if let Ok(notification) = verified {
            read(&notification);
        }
    }
});
