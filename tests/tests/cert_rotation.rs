//! Learning a rotated Alipay certificate, attacked: a hostile gateway on loopback answers a
//! call with an unknown `alipay_cert_sn` and serves a download answer with a certificate of its
//! choice, from a PKI shaped like Alipay's (see `support/pki.rs`). Each forged certificate is
//! refused for the reason it is forged, next to the legitimate rotation that is learned; learned
//! keys expire with their certificates; downloads are limited; `total_timeout` covers the
//! download.

#[path = "support/hostile.rs"]
mod hostile;
#[path = "support/pki.rs"]
mod pki;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use alipay::cert::CertError;
use alipay::payment::common::TradeQuery;
use alipay::{Client, Error, PrivateKey, Signer as _};
use hostile::{Hostile, Script, download_answer, query_answer};
use pki::{Leaf, MERCHANT_ORG, Pki, Spec, alipay_dn, app_dn, cert_content, intermediate, issue};
use rcgen::KeyUsagePurpose;

/// A gateway that answers calls signed by `signer` (naming its SN) and downloads with
/// `download`, after `delay`.
async fn gateway(signer: &Leaf, download: String, delay: Duration) -> Hostile {
    let (sn, key) = (signer.sn(), signer.key.clone());
    Hostile::start(Script {
        call: Box::new(move |_| query_answer("Q1", &sn, &key)),
        download,
        download_delay: delay,
    })
    .await
}

/// The download answer of `leaf` (with `chain` after it), signed by `leaf`'s key.
fn serving(leaf: &Leaf, chain: &[&str]) -> String {
    let mut pems = vec![leaf.pem.as_str()];
    pems.extend_from_slice(chain);
    download_answer(&cert_content(&pems), &leaf.sn(), &leaf.key)
}

async fn query(client: &Client) -> Result<String, Error> {
    client
        .send(TradeQuery::builder().out_trade_no("Q1").build())
        .await
        .map(|trade| trade.trade_no)
}

/// A clock the test moves: Unix seconds.
fn clock_at(seconds: &Arc<AtomicU64>) -> impl Fn() -> SystemTime + Send + Sync + 'static {
    let seconds = Arc::clone(seconds);
    move || SystemTime::UNIX_EPOCH + Duration::from_secs(seconds.load(Ordering::SeqCst))
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// The certificate error a call ended with.
fn cert_error<T: std::fmt::Debug>(result: Result<T, Error>) -> CertError {
    match result {
        Err(Error::Certificate(error)) => error,
        other => panic!("expected a certificate error, got {other:?}"),
    }
}

/// Asserts that serving `forged` (with `chain`) is refused with an error that `expected`
/// accepts, and that the legitimate rotation is learned by a client configured the same way.
async fn refused_next_to_the_rotation(
    forged: &Leaf,
    chain: &[&str],
    expected: impl Fn(&CertError) -> bool,
) {
    let pki = Pki::shared();
    let hostile = gateway(forged, serving(forged, chain), Duration::ZERO).await;
    let client = pki.client_builder(&hostile.url).build().expect("client");
    let error = cert_error(query(&client).await);
    assert!(expected(error.innermost()), "{error}");
    assert_eq!(hostile.downloads(), 1);

    // The positive control: the same gateway shape, the genuine rotation.
    let rotated = pki.rotated();
    let honest = gateway(&rotated, serving(&rotated, &[]), Duration::ZERO).await;
    let client = pki.client_builder(&honest.url).build().expect("client");
    query(&client)
        .await
        .expect("the legitimate rotation is learned");
    assert_eq!(honest.downloads(), 1);
}

fn not_alipay(reason_part: &'static str) -> impl Fn(&CertError) -> bool {
    move |error| matches!(error, CertError::NotAlipay { reason, .. } if reason.contains(reason_part))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_legitimate_rotation_is_learned_once_and_used() {
    let pki = Pki::shared();
    let rotated = pki.rotated();
    assert_eq!(rotated.cert.subject(), pki.alipay.cert.subject());
    assert_eq!(rotated.cert.issuer(), pki.alipay.cert.issuer());
    assert_ne!(rotated.sn(), pki.alipay.sn());
    let hostile = gateway(&rotated, serving(&rotated, &[]), Duration::from_millis(50)).await;
    let client = pki.client_builder(&hostile.url).build().expect("client");
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let client = client.clone();
        calls.spawn(async move { query(&client).await });
    }
    while let Some(result) = calls.join_next().await {
        result
            .expect("task")
            .expect("verified with the rotated key");
    }
    assert_eq!(
        hostile.downloads(),
        1,
        "concurrent calls share one download"
    );
    query(&client).await.expect("known now");
    assert_eq!(hostile.downloads(), 1);
    assert_eq!(hostile.calls(), 9);
}

#[tokio::test]
async fn an_app_certificate_cannot_pose_as_alipay() {
    let pki = Pki::shared();
    // Another app of the same merchant: the same organisation in its subject, issued by the app
    // issuing CA under the same root; its key is the attacker's. The download answer carries
    // the app issuing CA, so the chain reaches the very root of the Alipay certificate.
    let other_app = issue(
        &pki.app_ca,
        Spec::leaf(app_dn(MERCHANT_ORG, "2021000000000002")),
    );
    refused_next_to_the_rotation(&other_app, &[&pki.app_ca.pem], not_alipay("issuer")).await;

    // Even with Alipay's exact subject, the app issuing CA is not Alipay's.
    let posing = issue(&pki.app_ca, Spec::alipay());
    refused_next_to_the_rotation(&posing, &[&pki.app_ca.pem], not_alipay("issuer")).await;
}

#[tokio::test]
async fn an_unrelated_root_of_the_bundle_does_not_anchor_a_learned_certificate() {
    let pki = Pki::shared();
    // The unrelated root issues a CA with the Alipay issuing CA's exact name, which issues a
    // certificate with Alipay's subject: the download brings that CA along.
    let lookalike = intermediate(
        "Test Financial Certification Authority Class 2 R1",
        &pki.other_root,
    );
    let forged = issue(&lookalike, Spec::alipay());
    assert_eq!(forged.cert.issuer(), pki.alipay.cert.issuer());
    refused_next_to_the_rotation(&forged, &[&lookalike.pem], |error| {
        matches!(error, CertError::NotChained { .. })
    })
    .await;
}

#[tokio::test]
async fn a_ca_certificate_or_one_without_digital_signature_is_not_an_alipay_certificate() {
    let pki = Pki::shared();
    let ca = issue(
        &pki.alipay_ca,
        Spec {
            ca: true,
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyCertSign,
            ],
            ..Spec::alipay()
        },
    );
    refused_next_to_the_rotation(&ca, &[], not_alipay("CA certificate")).await;

    let no_signing = issue(
        &pki.alipay_ca,
        Spec {
            key_usages: vec![KeyUsagePurpose::KeyEncipherment],
            ..Spec::alipay()
        },
    );
    refused_next_to_the_rotation(&no_signing, &[], not_alipay("digital signatures")).await;
}

#[tokio::test]
async fn a_sha1_signed_certificate_is_refused() {
    let pki = Pki::shared();
    let sha1 = issue(
        &pki.alipay_ca,
        Spec {
            sha1: true,
            ..Spec::alipay()
        },
    );
    assert_eq!(sha1.cert.signature_algorithm(), "1.2.840.113549.1.1.5");
    sha1.cert
        .verify_signed_by(&alipay::cert::Certificate::from_pem(&pki.alipay_ca.pem).expect("ca"))
        .expect("a genuine SHA-1 signature of the Alipay issuing CA");
    refused_next_to_the_rotation(&sha1, &[], not_alipay("SHA-256")).await;
}

#[tokio::test]
async fn another_organisation_is_refused_attribute_by_attribute() {
    let pki = Pki::shared();
    let other = issue(&pki.alipay_ca, Spec::leaf(alipay_dn("另一家商户有限公司")));
    refused_next_to_the_rotation(&other, &[], not_alipay("O is")).await;

    // The merchant's organisation as a substring of another is another organisation.
    let longer = issue(
        &pki.alipay_ca,
        Spec::leaf(alipay_dn(&format!("{MERCHANT_ORG}分公司"))),
    );
    refused_next_to_the_rotation(&longer, &[], not_alipay("O is")).await;

    // Another OU.
    let mut dn = alipay_dn(MERCHANT_ORG);
    dn[2].1 = "Alipay Apps".to_owned();
    let other_unit = issue(&pki.alipay_ca, Spec::leaf(dn));
    refused_next_to_the_rotation(&other_unit, &[], not_alipay("OU is")).await;
}

/// A notification signed by `key`.
fn notification(key: &PrivateKey) -> Vec<u8> {
    let mut pairs = [
        ("app_id", "2021000000000001"),
        ("charset", "utf-8"),
        ("notify_id", "2026120200222000000000000001"),
        ("notify_time", "2026-12-02 08:00:00"),
        ("notify_type", "trade_status_sync"),
        ("out_trade_no", "Q1"),
        ("total_amount", "1.00"),
        ("trade_no", "2026120222001"),
        ("trade_status", "TRADE_SUCCESS"),
        ("version", "1.0"),
    ];
    pairs.sort_unstable();
    let content = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let sign = key.sign(content.as_bytes()).expect("sign");
    let mut body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
        .collect();
    body.push("sign_type=RSA2".to_owned());
    body.push(format!(
        "sign={}",
        sign.replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    ));
    body.join("&").into_bytes()
}

#[tokio::test]
async fn a_learned_key_expires_with_its_certificate() {
    let pki = Pki::shared();
    let now = now_seconds();
    let not_after = now + 3600;
    let rotated = issue(
        &pki.alipay_ca,
        Spec {
            not_after: i64::try_from(not_after).expect("time"),
            ..Spec::alipay()
        },
    );
    let hostile = gateway(&rotated, serving(&rotated, &[]), Duration::ZERO).await;
    let seconds = Arc::new(AtomicU64::new(now));
    let client = pki
        .client_builder(&hostile.url)
        .clock(clock_at(&seconds))
        .build()
        .expect("client");
    query(&client).await.expect("learned while valid");
    let notice = notification(&rotated.key);
    client
        .verify_notification(&notice)
        .expect("a notification signed by the learned key, while it is valid");
    seconds.store(not_after, Ordering::SeqCst);
    query(&client).await.expect("valid up to notAfter included");
    assert_eq!(hostile.downloads(), 1);

    seconds.store(not_after + 1, Ordering::SeqCst);
    assert!(
        client.verify_notification(&notice).is_err(),
        "the expired key verifies no notification"
    );
    let error = cert_error(query(&client).await);
    assert!(
        matches!(error.innermost(), CertError::Expired { .. }),
        "the key is not used, and downloading the certificate again gives it expired: {error}"
    );
    assert_eq!(hostile.downloads(), 2);
}

#[tokio::test]
async fn a_failed_download_is_not_repeated_for_a_while_and_downloads_are_limited() {
    let pki = Pki::shared();
    let attacker = issue(
        &pki.app_ca,
        Spec::leaf(app_dn("攻击者", "2021000000000009")),
    );
    let hostile = gateway(
        &attacker,
        serving(&attacker, &[&pki.app_ca.pem]),
        Duration::ZERO,
    )
    .await;
    let seconds = Arc::new(AtomicU64::new(now_seconds()));
    let client = pki
        .client_builder(&hostile.url)
        .clock(clock_at(&seconds))
        .build()
        .expect("client");
    let first = cert_error(query(&client).await);
    assert!(matches!(first, CertError::NotAlipay { .. }), "{first}");
    for _ in 0..20 {
        let error = cert_error(query(&client).await);
        assert!(
            matches!(&error, CertError::DownloadRefused { sn, reason }
                if *sn == attacker.sn() && reason.contains("failed")),
            "{error}"
        );
    }
    assert_eq!(hostile.downloads(), 1, "one download for 21 forged answers");
    assert_eq!(hostile.calls(), 21);

    // The failure is forgotten after a while, but one SN is downloaded at most 3 times in ten
    // minutes.
    for expected in [2, 3] {
        seconds.fetch_add(31, Ordering::SeqCst);
        assert!(matches!(
            cert_error(query(&client).await),
            CertError::NotAlipay { .. }
        ));
        assert_eq!(hostile.downloads(), expected);
    }
    seconds.fetch_add(31, Ordering::SeqCst);
    let error = cert_error(query(&client).await);
    assert!(
        matches!(&error, CertError::DownloadRefused { reason, .. } if reason.contains("3 times")),
        "{error}"
    );
    assert_eq!(hostile.downloads(), 3);

    // Ten minutes later, it may be tried again.
    seconds.fetch_add(600, Ordering::SeqCst);
    assert!(matches!(
        cert_error(query(&client).await),
        CertError::NotAlipay { .. }
    ));
    assert_eq!(hostile.downloads(), 4);
}

#[tokio::test]
async fn answers_naming_ever_new_sns_cause_a_bounded_number_of_downloads() {
    let pki = Pki::shared();
    let attacker = issue(
        &pki.app_ca,
        Spec::leaf(app_dn("攻击者", "2021000000000009")),
    );
    let key = attacker.key.clone();
    let hostile = Hostile::start(Script {
        call: Box::new(move |n| query_answer("Q1", &format!("{n:032x}"), &key)),
        download: serving(&attacker, &[&pki.app_ca.pem]),
        download_delay: Duration::ZERO,
    })
    .await;
    let client = pki.client_builder(&hostile.url).build().expect("client");
    for _ in 0..30 {
        assert!(query(&client).await.is_err());
    }
    assert_eq!(hostile.calls(), 30);
    assert_eq!(
        hostile.downloads(),
        10,
        "at most 10 downloads in ten minutes"
    );
    let error = cert_error(query(&client).await);
    assert!(
        matches!(&error, CertError::DownloadRefused { reason, .. } if reason.contains("most allowed")),
        "{error}"
    );
}

#[tokio::test]
async fn total_timeout_covers_the_certificate_download() {
    let pki = Pki::shared();
    let rotated = pki.rotated();
    let slow = Duration::from_millis(1500);
    let hostile = gateway(&rotated, serving(&rotated, &[]), slow).await;
    let client = pki
        .client_builder(&hostile.url)
        .request_timeout(Duration::from_secs(30))
        .total_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let started = Instant::now();
    let result = query(&client).await;
    assert!(
        matches!(result, Err(Error::Timeout(d)) if d == Duration::from_millis(300)),
        "{result:?}"
    );
    assert!(started.elapsed() < slow, "{:?}", started.elapsed());
    assert_eq!(hostile.downloads(), 1);

    // Per call too; and with time enough, the download completes.
    let client = pki
        .client_builder(&hostile.url)
        .request_timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let result = client
        .send(TradeQuery::builder().out_trade_no("Q1").build())
        .total_timeout(Duration::from_millis(300))
        .await;
    assert!(matches!(result, Err(Error::Timeout(_))), "{result:?}");
    client
        .send(TradeQuery::builder().out_trade_no("Q1").build())
        .total_timeout(Duration::from_secs(20))
        .await
        .expect("the download fits in the deadline");
}
