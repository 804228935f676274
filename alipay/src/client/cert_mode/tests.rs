//! The download checks against a scripted transport, with certificates made by rcgen: what
//! is accepted, what is refused and why, and how many downloads are made.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_RSA_SHA256, SerialNumber, date_time_ymd,
};

use super::*;
use crate::crypto::Signer as _;
use crate::transport::{BoxFuture, HttpResponse, Transport};

#[test]
fn certificate_text_forms() {
    assert_eq!(certificate_text(""), None);
    assert_eq!(certificate_text("%%%"), None);
    assert_eq!(certificate_text("aGVsbG8="), None);
    let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assert_eq!(certificate_text(pem).as_deref(), Some(pem.trim()));
    let encoded = STANDARD.encode(pem);
    assert_eq!(certificate_text(&encoded).as_deref(), Some(pem));
    let der = STANDARD.encode(pki().b.der());
    assert_eq!(
        certificate_text(&der).as_deref(),
        Some(pki().b.to_pem().as_str())
    );
}

/// A certificate and the key of its subject.
struct Leaf {
    cert: crate::cert::Certificate,
    key: PrivateKey,
}

impl std::ops::Deref for Leaf {
    type Target = crate::cert::Certificate;
    fn deref(&self) -> &Self::Target {
        &self.cert
    }
}

struct Pki {
    root_pem: String,
    app: Leaf,
    /// The configured Alipay certificate.
    a: Leaf,
    /// The rotated one.
    b: Leaf,
    /// Another genuine one.
    c: Leaf,
    /// B's key and name, expired.
    expired_b: Leaf,
}

fn rcgen_key(key: &PrivateKey) -> KeyPair {
    KeyPair::from_pem_and_sign_algo(&key.to_pkcs8_pem(), &PKCS_RSA_SHA256).expect("rcgen key")
}

fn leaf(issuer: &Issuer<'_, &KeyPair>, cn: &str, serial: u64, expired: bool) -> Leaf {
    let key = PrivateKey::generate().expect("key");
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = if expired {
        date_time_ymd(2021, 1, 1)
    } else {
        date_time_ymd(2045, 1, 1)
    };
    params.serial_number = Some(SerialNumber::from(serial));
    let der = params
        .signed_by(&rcgen_key(&key), issuer)
        .expect("issued")
        .der()
        .to_vec();
    Leaf {
        cert: crate::cert::Certificate::from_der(&der).expect("parses"),
        key,
    }
}

/// Generated once: RSA key generation is slow in debug builds.
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let root_key = rcgen_key(&PrivateKey::generate().expect("key"));
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "Test Root R1");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2045, 1, 1);
        let root_pem = params.self_signed(&root_key).expect("root").pem();
        let issuer = Issuer::from_params(&params, &root_key);
        Pki {
            root_pem,
            app: leaf(&issuer, "app", 1, false),
            a: leaf(&issuer, "alipay", 2, false),
            b: leaf(&issuer, "alipay", 3, false),
            c: leaf(&issuer, "alipay", 4, false),
            expired_b: leaf(&issuer, "alipay", 3, true),
        }
    })
}

/// A gateway answer signed by `by`, naming `sn`.
fn answer(node_key: &str, node: &str, sn: Option<&str>, by: &PrivateKey) -> String {
    let sign = by.sign(node.as_bytes()).expect("sign");
    let sn = sn.map_or(String::new(), |sn| format!(",\"alipay_cert_sn\":\"{sn}\""));
    format!("{{\"{node_key}\":{node}{sn},\"sign\":\"{sign}\"}}")
}

fn download_answer(content: &str, sn: &str, by: &PrivateKey) -> String {
    let node =
        format!("{{\"code\":\"10000\",\"msg\":\"Success\",\"alipay_cert_content\":\"{content}\"}}");
    answer(
        "alipay_open_app_alipaycert_download_response",
        &node,
        Some(sn),
        by,
    )
}

/// Answers the probe with `probe`, downloads with `download`; counts downloads.
struct Scripted {
    probe: String,
    download: String,
    downloads: Arc<AtomicUsize>,
}

impl Transport for Scripted {
    fn send(
        &self,
        request: http::Request<Bytes>,
        _max_body: usize,
    ) -> BoxFuture<'_, Result<HttpResponse, Error>> {
        let is_download = request
            .uri()
            .query()
            .is_some_and(|q| q.contains("method=alipay.open.app.alipaycert.download"));
        let body = if is_download {
            self.downloads.fetch_add(1, Ordering::SeqCst);
            self.download.clone()
        } else {
            self.probe.clone()
        };
        Box::pin(async move {
            // Let concurrent calls pile up on the download.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok(HttpResponse::new(200, Bytes::from(body)))
        })
    }
}

struct Probe;

impl Method for Probe {
    fn method(&self) -> &str {
        "alipay.test.probe"
    }
    fn encode(&self, params: &mut Params) -> Result<(), EncodeError> {
        params.biz_value("x", 1);
        Ok(())
    }
}

impl Request for Probe {
    type Response = serde_json::Value;
}

const PROBE_KEY: &str = "alipay_test_probe_response";
const OK_NODE: &str = r#"{"code":"10000","msg":"Success","v":1}"#;

/// A client configured with A, whose probe answer is signed by B, and whose download answer
/// is `download`.
fn client(download: String) -> (Client, Arc<AtomicUsize>) {
    let pki = pki();
    let downloads = Arc::new(AtomicUsize::new(0));
    let client = Client::builder()
        .app_id("2021000000000001")
        .app_private_key_parsed(pki.app.key.clone())
        .certificates(pki.app.to_pem(), pki.a.to_pem(), pki.root_pem.clone())
        .gateway_url("http://127.0.0.1:9/gateway.do")
        .transport(Scripted {
            probe: answer(PROBE_KEY, OK_NODE, Some(&pki.b.sn()), &pki.b.key),
            download,
            downloads: Arc::clone(&downloads),
        })
        .build()
        .expect("client");
    (client, downloads)
}

fn b64(pem: &str) -> String {
    STANDARD.encode(pem)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_genuine_rotation_is_learned_once() {
    let pki = pki();
    let (client, downloads) = client(download_answer(
        &b64(&pki.b.to_pem()),
        &pki.b.sn(),
        &pki.b.key,
    ));
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let client = client.clone();
        calls.spawn(async move { client.send(Probe).await });
    }
    while let Some(result) = calls.join_next().await {
        assert_eq!(result.expect("task").expect("verified")["v"], 1);
    }
    assert_eq!(downloads.load(Ordering::SeqCst), 1);
    client.send(Probe).await.expect("known now");
    assert_eq!(downloads.load(Ordering::SeqCst), 1);
}

async fn refused(download: String) -> Error {
    let (client, _) = client(download);
    client.send(Probe).await.expect_err("refused")
}

#[tokio::test]
async fn downloads_that_are_refused() {
    let pki = pki();
    let (b_sn, c_sn) = (pki.b.sn(), pki.c.sn());

    // Another genuine certificate than the one asked for.
    let error = refused(download_answer(&b64(&pki.c.to_pem()), &b_sn, &pki.b.key)).await;
    assert!(
        matches!(&error, Error::Certificate(CertError::SnMismatch { expected, actual })
            if *expected == b_sn && *actual == c_sn),
        "{error:?}"
    );

    // Signed by yet another unknown certificate.
    let error = refused(download_answer(&b64(&pki.b.to_pem()), &c_sn, &pki.c.key)).await;
    assert!(
        matches!(&error, Error::Verify(VerifyError::UnknownCertificate(sn)) if *sn == c_sn),
        "{error:?}"
    );

    // The right certificate, but the answer is not signed by it.
    let error = refused(download_answer(&b64(&pki.b.to_pem()), &b_sn, &pki.c.key)).await;
    assert!(
        matches!(error, Error::Verify(VerifyError::Mismatch)),
        "{error:?}"
    );

    // Expired.
    let error = refused(download_answer(
        &b64(&pki.expired_b.to_pem()),
        &b_sn,
        &pki.expired_b.key,
    ))
    .await;
    assert!(
        matches!(&error, Error::Certificate(e) if matches!(e.innermost(), CertError::Expired { .. })),
        "{error:?}"
    );

    // Not a certificate.
    let error = refused(download_answer("bm90IGEgY2VydA==", &b_sn, &pki.b.key)).await;
    assert!(
        matches!(error, Error::Response(ResponseError::Malformed(_))),
        "{error:?}"
    );

    // A failure signed by the unknown certificate cannot be believed; one signed by a known
    // certificate is reported.
    let failure = r#"{"code":"40004","msg":"Business Failed","sub_code":"CERT_NOT_EXIST"}"#;
    let key = "alipay_open_app_alipaycert_download_response";
    let error = refused(answer(key, failure, Some(&b_sn), &pki.b.key)).await;
    assert!(
        matches!(&error, Error::Verify(VerifyError::UnknownCertificate(sn)) if *sn == b_sn),
        "{error:?}"
    );
    let error = refused(answer(key, failure, Some(&pki.a.sn()), &pki.a.key)).await;
    assert!(matches!(error, Error::Api(_)), "{error:?}");

    // An unsigned gateway refusal.
    let error =
        refused(r#"{"error_response":{"code":"40002","msg":"Invalid Arguments"}}"#.to_owned())
            .await;
    assert!(matches!(error, Error::Gateway(_)), "{error:?}");
}

#[tokio::test]
async fn junk_download_answers_are_errors() {
    let pki = pki();
    let b_sn = pki.b.sn();
    let key = "alipay_open_app_alipaycert_download_response";
    let mut bodies = vec![
        String::new(),
        "{}".to_owned(),
        "[]".to_owned(),
        "<html>".to_owned(),
        format!(r#"{{"{key}":"c2VjcmV0","alipay_cert_sn":"{b_sn}","sign":"AAAA"}}"#),
        format!(r#"{{"{key}":{{}},"alipay_cert_sn":"{b_sn}","sign":"AAAA"}}"#),
        format!(r#"{{"{key}":{{"code":"10000"}},"alipay_cert_sn":"{b_sn}","sign":"%%"}}"#),
        format!(r#"{{"{key}":{{"code":"10000"}},"alipay_cert_sn":1,"sign":"AAAA"}}"#),
        download_answer("", &b_sn, &pki.b.key),
        download_answer(&b64("-----BEGIN CERTIFICATE-----\nAAAA"), &b_sn, &pki.b.key),
    ];
    // Truncations of a genuine answer.
    let genuine = download_answer(&b64(&pki.b.to_pem()), &b_sn, &pki.b.key);
    bodies.extend(
        (0..genuine.len())
            .step_by(97)
            .map(|end| genuine[..end].to_owned()),
    );
    for body in bodies {
        let (client, _) = client(body.clone());
        assert!(client.send(Probe).await.is_err(), "{body}");
    }
}
