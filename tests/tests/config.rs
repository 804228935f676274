//! A configuration that cannot work is refused when the client is built, naming the field.

use alipay::{Amount, AmountError, Client, ConfigError};
use alipay_tests::keys;

fn builder() -> alipay::ClientBuilder {
    Client::builder()
        .app_id("2021000000000001")
        .app_private_key(keys::APP_PRIVATE_PKCS8_PEM)
        .alipay_public_key(keys::ALIPAY_PUBLIC_B64)
}

fn refused(builder: alipay::ClientBuilder) -> ConfigError {
    builder.build().expect_err("configuration must be refused")
}

#[test]
fn a_good_configuration_builds_with_every_key_format() {
    builder().build().expect("PKCS#8 PEM");
    builder()
        .app_private_key(keys::APP_PRIVATE_PKCS1_PEM)
        .build()
        .expect("PKCS#1 PEM");
    builder()
        .app_private_key(include_str!(
            "../../alipay/tests/fixtures/keys/app_private_pkcs8.b64"
        ))
        .build()
        .expect("bare base64 PKCS#8");
    builder()
        .app_private_key(include_str!(
            "../../alipay/tests/fixtures/keys/app_private_pkcs1.b64"
        ))
        .build()
        .expect("bare base64 PKCS#1");
}

#[test]
fn an_empty_app_id_is_refused() {
    let err = refused(builder().app_id(""));
    assert_eq!(err.field, "app_id");
    let err = refused(builder().app_id("my-app"));
    assert_eq!(err.field, "app_id");
}

#[test]
fn a_bad_private_key_is_refused() {
    let err = refused(builder().app_private_key("not a key"));
    assert_eq!(err.field, "app_private_key");
    let err = refused(builder().app_private_key(""));
    assert_eq!(err.field, "app_private_key");
    // A public key where the private key belongs.
    let err = refused(builder().app_private_key(keys::APP_PUBLIC_B64));
    assert_eq!(err.field, "app_private_key");
    let truncated = &keys::APP_PRIVATE_PKCS8_PEM[..400];
    let err = refused(builder().app_private_key(truncated));
    assert_eq!(err.field, "app_private_key");
}

#[test]
fn a_missing_key_is_refused() {
    let err = refused(
        Client::builder()
            .app_id("2021000000000001")
            .alipay_public_key(keys::ALIPAY_PUBLIC_B64),
    );
    assert_eq!(err.field, "app_private_key");
    let err = refused(
        Client::builder()
            .app_id("2021000000000001")
            .app_private_key(keys::APP_PRIVATE_PKCS8_PEM),
    );
    assert_eq!(err.field, "alipay_public_key");
}

#[test]
fn the_apps_own_public_key_as_the_alipay_key_is_refused() {
    let err = refused(builder().alipay_public_key(keys::APP_PUBLIC_B64));
    assert_eq!(err.field, "alipay_public_key");
    assert!(err.reason.contains("app's own public key"), "{err}");
}

#[test]
fn a_private_key_as_the_alipay_key_is_refused() {
    let err = refused(builder().alipay_public_key(keys::ALIPAY_PRIVATE_PKCS8_PEM));
    assert_eq!(err.field, "alipay_public_key");
}

#[test]
fn a_bad_gateway_is_refused() {
    for url in [
        "openapi.alipay.com",
        "ftp://x/gateway.do",
        "http://x/gateway.do?a=1",
        "",
    ] {
        let err = refused(builder().gateway_url(url));
        assert_eq!(err.field, "gateway", "{url}");
    }
    let err = refused(builder().notify_url("not a url"));
    assert_eq!(err.field, "notify_url");
}

#[test]
fn debug_output_has_no_key_material() {
    let client = builder().build().expect("config");
    let debug = format!("{client:?}");
    let key_body: String = keys::APP_PRIVATE_PKCS8_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    for window in [
        &key_body[..40],
        &key_body[200..240],
        &key_body[key_body.len() - 40..],
    ] {
        assert!(!debug.contains(window), "key material in {debug}");
    }
    let key = alipay::PrivateKey::parse(keys::APP_PRIVATE_PKCS8_PEM).expect("key");
    let debug = format!("{key:?}");
    assert!(!debug.contains(&key_body[..20]), "{debug}");
    let err = refused(builder().app_private_key(&keys::APP_PRIVATE_PKCS8_PEM[..300]));
    assert!(!err.to_string().contains(&key_body[..20]), "{err}");
}

#[test]
fn an_amount_with_three_decimals_is_refused_before_anything_is_sent() {
    assert_eq!(
        Amount::new("0.001"),
        Err(AmountError::TooManyDecimals("0.001".into()))
    );
    assert!(matches!(
        "10.005".parse::<Amount>(),
        Err(AmountError::TooManyDecimals(_))
    ));
}
