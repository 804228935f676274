//! Certificate mode (公钥证书模式) end to end against the sandbox, which issues its own root,
//! Alipay and app certificates: round trips, the SNs on the wire, rotation of the Alipay
//! certificate (one download for many concurrent calls), a forged rotation refused, and
//! configuration mistakes reported with the field at fault.

use alipay::cert::{CertConfig, CertError};
use alipay::payment::common::{TradeCreate, TradeQuery};
use alipay::sandbox::{Sandbox, SandboxCertApp};
use alipay::{Amount, Client, Error, PrivateKey, VerifyError};
use alipay_tests::{NotifySink, ScriptedGateway, keys, signed_answer};

const DOWNLOAD: &str = "alipay.open.app.alipaycert.download";

async fn cert_sandbox() -> (Sandbox, SandboxCertApp, Client) {
    let sandbox = Sandbox::builder()
        .cert_mode(true)
        .start()
        .await
        .expect("sandbox starts");
    let app = sandbox.create_cert_app().expect("certificate app");
    let client = sandbox
        .cert_client_builder(&app)
        .build()
        .expect("valid certificate configuration");
    (sandbox, app, client)
}

async fn create(client: &Client, out_trade_no: &str) -> Result<String, Error> {
    client
        .send(
            TradeCreate::builder()
                .out_trade_no(out_trade_no)
                .total_amount(Amount::new("12.30").expect("amount"))
                .subject("certificate mode")
                .buyer_id("2088000000000001")
                .build(),
        )
        .await
        .map(|created| created.trade_no)
}

async fn query(client: &Client, out_trade_no: &str) -> Result<String, Error> {
    client
        .send(TradeQuery::builder().out_trade_no(out_trade_no).build())
        .await
        .map(|trade| trade.trade_no)
}

fn downloads(sandbox: &Sandbox) -> usize {
    sandbox
        .requests()
        .iter()
        .filter(|r| r.method.as_deref() == Some(DOWNLOAD))
        .count()
}

fn sub_code<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::Api(e)) => e.sub_code.unwrap_or_default(),
        other => panic!("expected a signed API error, got {other:?}"),
    }
}

#[tokio::test]
async fn create_and_query_in_certificate_mode_with_the_sns_on_the_wire() {
    let (sandbox, app, client) = cert_sandbox().await;
    let trade_no = create(&client, "C1").await.expect("created");
    assert_eq!(query(&client, "C1").await.expect("queried"), trade_no);

    let config = CertConfig::from_pems(
        &app.app_cert_pem,
        &app.alipay_cert_pem,
        &app.alipay_root_cert_pem,
    )
    .expect("the sandbox's certificates read");
    // The bundle holds an ECDSA root next to the RSA one: only the RSA root counts.
    assert_eq!(config.roots().len(), 1);
    assert!(!config.alipay_root_cert_sn().contains('_'));
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.params["app_cert_sn"], config.app_cert_sn());
        assert_eq!(
            request.params["alipay_root_cert_sn"],
            config.alipay_root_cert_sn()
        );
        assert!(!request.params.contains_key("encrypt_type"));
    }
    assert_eq!(
        sandbox.alipay_cert_sn().expect("current SN"),
        config.alipay_cert_sn()
    );
    config
        .verify_alipay_chain(alipay::cert::unix_now())
        .expect("the sandbox's Alipay certificate chains to its root");
    assert_eq!(downloads(&sandbox), 0);
}

#[tokio::test]
async fn public_key_apps_keep_working_in_a_certificate_mode_sandbox() {
    let (sandbox, _, _) = cert_sandbox().await;
    let app = sandbox.create_app().expect("app");
    let client = sandbox.client_builder(&app).build().expect("client");
    sandbox.rotate_alipay_certificate().expect("rotated");
    create(&client, "K1")
        .await
        .expect("public key mode is not affected");
    assert!(!sandbox.requests()[0].params.contains_key("app_cert_sn"));
}

#[tokio::test]
async fn wrong_sns_are_refused_with_signed_errors() {
    let (sandbox, app, _) = cert_sandbox().await;
    let other = sandbox.create_cert_app().expect("second app");

    // The other app's certificate: a custom signer skips the key check of the builder.
    let client = Client::builder()
        .app_id(app.app.app_id.clone())
        .signer(app.app.private_key.clone())
        .certificates(
            other.app_cert_pem.clone(),
            app.alipay_cert_pem.clone(),
            app.alipay_root_cert_pem.clone(),
        )
        .gateway_url(sandbox.gateway_url())
        .build()
        .expect("configuration");
    assert_eq!(
        sub_code(create(&client, "W1").await),
        "isv.invalid-app-cert-sn"
    );

    // Another sandbox's root bundle.
    let elsewhere = Sandbox::builder()
        .cert_mode(true)
        .start()
        .await
        .expect("second sandbox");
    let client = sandbox
        .cert_client_builder(&app)
        .certificates(
            app.app_cert_pem.clone(),
            app.alipay_cert_pem.clone(),
            elsewhere.alipay_root_cert_pem().expect("bundle"),
        )
        .build()
        .expect("configuration");
    assert_eq!(
        sub_code(create(&client, "W2").await),
        "isv.invalid-alipay-root-cert-sn"
    );

    // No certificates at all for a certificate app: refused as missing `app_cert_sn`, signed
    // with the key of the first Alipay certificate, which is the sandbox's own Alipay key (the
    // one a public key client is configured with), so the refusal verifies.
    let client = Client::builder()
        .app_id(app.app.app_id.clone())
        .app_private_key_parsed(app.app.private_key.clone())
        .alipay_public_key_parsed(sandbox.alipay_public_key())
        .gateway_url(sandbox.gateway_url())
        .build()
        .expect("configuration");
    assert_eq!(
        sub_code(create(&client, "W3").await),
        "isv.missing-app-cert-sn"
    );
    assert_eq!(
        sandbox.requests()[2].params.get("app_cert_sn"),
        None,
        "nothing certificate-related is sent in public key mode"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_old_client_keeps_working_across_rotations_with_one_download() {
    let (sandbox, app, client) = cert_sandbox().await;
    create(&client, "R1")
        .await
        .expect("created before the rotation");
    let before = sandbox.alipay_cert_sn().expect("sn");

    let rotated = sandbox.rotate_alipay_certificate().expect("rotated");
    assert_ne!(rotated, before);
    assert_eq!(sandbox.alipay_cert_sn().expect("sn"), rotated);

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let client = client.clone();
        calls.spawn(async move { query(&client, "R1").await });
    }
    let mut answered = 0;
    while let Some(result) = calls.join_next().await {
        result
            .expect("task")
            .expect("verified with the downloaded certificate");
        answered += 1;
    }
    assert_eq!(answered, 16);
    assert_eq!(downloads(&sandbox), 1, "one download for concurrent calls");
    let download = sandbox
        .requests()
        .into_iter()
        .find(|r| r.method.as_deref() == Some(DOWNLOAD))
        .expect("the download");
    assert_eq!(
        download.biz_content,
        Some(serde_json::json!({ "alipay_cert_sn": rotated }))
    );

    // Known from now on.
    query(&client, "R1").await.expect("no new download");
    assert_eq!(downloads(&sandbox), 1);

    // The configured certificate is not forgotten, and a second rotation is learned too.
    sandbox.rotate_alipay_certificate().expect("rotated again");
    query(&client, "R1").await.expect("second rotation");
    assert_eq!(downloads(&sandbox), 2);

    // A client configured with the newest certificate downloads nothing.
    let fresh = sandbox
        .cert_client_builder(&app)
        .certificates(
            app.app_cert_pem.clone(),
            sandbox.alipay_cert_pem().expect("current"),
            app.alipay_root_cert_pem.clone(),
        )
        .build()
        .expect("client");
    query(&fresh, "R1").await.expect("current certificate");
    assert_eq!(downloads(&sandbox), 2);
}

#[tokio::test]
async fn notifications_verify_with_the_configured_then_the_learned_certificates() {
    let (sandbox, app, _) = cert_sandbox().await;
    let mut sink = NotifySink::start().await;
    let client = sandbox
        .cert_client_builder(&app)
        .notify_url(&sink.url)
        .build()
        .expect("client");
    create(&client, "N1").await.expect("created");
    sandbox.pay(&app.app.app_id, "N1").await.expect("paid");
    let body = sink.next().await;
    client
        .verify_notification(&body)
        .expect("signed with the configured certificate's key");

    sandbox.rotate_alipay_certificate().expect("rotated");
    create(&client, "N2")
        .await
        .expect("created, certificate learned");
    sandbox.pay(&app.app.app_id, "N2").await.expect("paid");
    let body = sink.next().await;
    client
        .verify_notification(&body)
        .expect("signed with the learned certificate's key");

    // A client that never learned the new certificate cannot verify it.
    let other = sandbox.cert_client_builder(&app).build().expect("client");
    assert!(other.verify_notification(&body).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forged_rotation_is_refused() {
    let (sandbox, _, client) = cert_sandbox().await;
    create(&client, "F1").await.expect("created");
    let forged = sandbox
        .rotate_alipay_certificate_forged()
        .expect("forged rotation");
    match query(&client, "F1").await {
        Err(Error::Certificate(error)) => {
            assert!(
                matches!(error.innermost(), CertError::NotChained { .. }),
                "{error}"
            );
            let text = error.to_string();
            assert!(text.contains("does not chain"), "{text}");
        }
        other => panic!("the forged certificate must be refused, got {other:?}"),
    }
    assert_eq!(downloads(&sandbox), 1);

    // Concurrent calls: every call refused, without a new download: the failure is remembered
    // for a while.
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let client = client.clone();
        calls.spawn(async move { query(&client, "F1").await });
    }
    while let Some(result) = calls.join_next().await {
        match result.expect("task") {
            Err(Error::Certificate(CertError::DownloadRefused { sn, reason })) => {
                assert_eq!(sn, forged);
                assert!(reason.contains("failed"), "{reason}");
            }
            other => panic!("refused, got {other:?}"),
        }
    }
    assert_eq!(downloads(&sandbox), 1);

    // Back to a genuine certificate: the client recovers.
    sandbox
        .rotate_alipay_certificate()
        .expect("genuine rotation");
    query(&client, "F1")
        .await
        .expect("the genuine certificate is learned");
}

#[tokio::test]
async fn the_vector_certificates_give_the_vector_sns_on_the_wire() {
    let gateway =
        ScriptedGateway::start(200, signed_answer("alipay_trade_query_response", "{}")).await;
    let client = Client::builder()
        .app_id("2021002177673029")
        // The fixture certificates are not the committed key's: a custom signer skips the key
        // check.
        .signer(PrivateKey::parse(keys::APP_PRIVATE_PKCS8_PEM).expect("key"))
        .certificates(
            include_str!("../fixtures/vectors/certs/appCertPublicKey_2021002177673029.crt"),
            include_str!("../fixtures/vectors/certs/alipayCertPublicKey_RSA2.crt"),
            include_str!("../fixtures/vectors/certs/alipayRootCert.crt"),
        )
        .gateway_url(&gateway.url)
        .build()
        .expect("the vector certificates are accepted, expired or not");
    // The answer is signed with a key that is not the certificate's.
    let result = query(&client, "V1").await;
    assert!(
        matches!(result, Err(Error::Verify(VerifyError::Mismatch))),
        "{result:?}"
    );
    let received = gateway.received();
    let line = received[0].head.lines().next().expect("request line");
    assert!(
        line.contains("app_cert_sn=e1b085ae86cbbba54fe9dc6cdf82b65a"),
        "{line}"
    );
    assert!(
        line.contains(
            "alipay_root_cert_sn=687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"
        ),
        "{line}"
    );
}

#[tokio::test]
async fn configuration_mistakes_name_the_field() {
    let (sandbox, app, _) = cert_sandbox().await;
    let other = sandbox.create_cert_app().expect("second app");
    let field = |builder: alipay::ClientBuilder| match builder.build() {
        Ok(_) => panic!("the configuration must be refused"),
        // The whole chain: the certificate error is the source.
        Err(e) => (e.field, alipay::error::Report::new(&e).to_string()),
    };

    // The app certificate of another key.
    let (name, text) = field(
        sandbox
            .cert_client_builder(&app)
            .app_private_key_parsed(other.app.private_key.clone()),
    );
    assert_eq!(name, "app_cert", "{text}");
    assert!(text.contains("does not match app_private_key"), "{text}");

    // Garbage instead of each certificate; a missing root bundle.
    let with = |app_cert: &str, alipay_cert: &str, root: &str| {
        field(sandbox.cert_client_builder(&app).certificates(
            app_cert.to_owned(),
            alipay_cert.to_owned(),
            root.to_owned(),
        ))
    };
    let (name, text) = with("garbage", &app.alipay_cert_pem, &app.alipay_root_cert_pem);
    assert_eq!(name, "app_cert", "{text}");
    let broken = "-----BEGIN CERTIFICATE-----\nMIIB!!!\n-----END CERTIFICATE-----\n";
    let (name, text) = with(&app.app_cert_pem, broken, &app.alipay_root_cert_pem);
    assert_eq!(name, "alipay_cert", "{text}");
    let (name, text) = with(&app.app_cert_pem, &app.alipay_cert_pem, "");
    assert_eq!(name, "alipay_root_cert", "{text}");
    // The app certificate given as the Alipay certificate.
    let (name, text) = with(
        &app.app_cert_pem,
        &app.app_cert_pem,
        &app.alipay_root_cert_pem,
    );
    assert_eq!(name, "alipay_cert", "{text}");

    // Certificate mode and a public key together.
    let (name, _) = field(
        sandbox
            .cert_client_builder(&app)
            .alipay_public_key_parsed(sandbox.alipay_public_key()),
    );
    assert_eq!(name, "alipay_public_key");

    // Files: a missing one is named; present ones work.
    let dir = std::env::temp_dir().join(format!("alipay-cert-mode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let app_path = write("app.crt", &app.app_cert_pem);
    let alipay_path = write("alipay.crt", &app.alipay_cert_pem);
    let root_path = write("root.crt", &app.alipay_root_cert_pem);
    let (name, text) = field(sandbox.cert_client_builder(&app).certificate_paths(
        &app_path,
        &alipay_path,
        dir.join("missing.crt"),
    ));
    assert_eq!(name, "alipay_root_cert", "{text}");
    assert!(text.contains("missing.crt"), "{text}");
    let client = sandbox
        .cert_client_builder(&app)
        .certificate_paths(&app_path, &alipay_path, &root_path)
        .build()
        .expect("files");
    create(&client, "P1").await.expect("created");
    let _ = std::fs::remove_dir_all(&dir);

    // A prepared CertConfig works the same.
    let config = CertConfig::from_pems(
        &app.app_cert_pem,
        &app.alipay_cert_pem,
        &app.alipay_root_cert_pem,
    )
    .expect("config");
    let client = Client::builder()
        .app_id(app.app.app_id.clone())
        .app_private_key_parsed(app.app.private_key.clone())
        .cert_config(config)
        .gateway_url(sandbox.gateway_url())
        .build()
        .expect("client");
    query(&client, "P1").await.expect("queried");
}
