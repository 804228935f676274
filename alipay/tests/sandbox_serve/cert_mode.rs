//! `--cert-mode DIR`: the certificates and AES key written for an app held to certificate mode,
//! and the certificate clients (the SDK and `alipay call`) it serves.

use super::*;

/// `--cert-mode DIR`: the app given is held to certificate mode, its files land in DIR, and both
/// the SDK (configured from those files) and `alipay call` (from the certificate variables) get
/// verified answers; a client in public key mode is refused.
#[test]
fn cert_mode_writes_the_certificates_and_serves_certificate_clients() {
    let dir = temp_dir("cert");
    let server = Server::start(&[
        "--app-id",
        APP_ID,
        "--app-public-key",
        fixture("app_public.b64").to_str().expect("path"),
        "--cert-mode",
        dir.to_str().expect("path"),
    ]);
    let app_cert = dir.join(format!("appCertPublicKey_{APP_ID}.crt"));
    let alipay_cert = dir.join("alipayCertPublicKey_RSA2.crt");
    let root_cert = dir.join("alipayRootCert.crt");
    let aes_key = dir.join(format!("aesKey_{APP_ID}.txt"));
    let read = |path: &Path| std::fs::read_to_string(path).expect("written");
    // The app certificate is for the app's own key; the Alipay certificate for the printed key.
    let certified = alipay::cert::Certificate::from_pem(&read(&app_cert))
        .expect("app certificate")
        .public_key(alipay::Backend::AwsLc)
        .expect("RSA key");
    assert!(certified.same_key(&app_key().public_key()));
    let alipay = alipay::cert::Certificate::from_pem(&read(&alipay_cert))
        .expect("Alipay certificate")
        .public_key(alipay::Backend::AwsLc)
        .expect("RSA key");
    assert!(alipay.same_key(&server.alipay_key()));
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&aes_key)
            .expect("aes key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the AES key is the owner's only");
    }

    let client = Client::builder()
        .app_id(APP_ID)
        .app_private_key_parsed(app_key())
        .certificate_paths(&app_cert, &alipay_cert, &root_cert)
        .aes_key(read(&aes_key).trim())
        .gateway_url(server.url.clone())
        .build()
        .expect("certificate mode client");
    create(&client, "CERT-1", None);
    assert_eq!(status(&client, "CERT-1"), TradeStatus::WaitBuyerPay);
    let encrypted = block(
        client
            .send(TradeQuery::builder().out_trade_no("CERT-1").build())
            .encrypt(true),
    )
    .expect("an encrypted call");
    assert_eq!(encrypted.out_trade_no, "CERT-1");

    // Public key mode is refused for a certificate app.
    match block(
        server
            .client()
            .send(TradeQuery::builder().out_trade_no("CERT-1").build()),
    ) {
        Err(Error::Api(error) | Error::Gateway(error)) => {
            assert_eq!(error.sub_code.as_deref(), Some("isv.missing-app-cert-sn"));
        }
        other => panic!("expected the missing app_cert_sn refusal, got {other:?}"),
    }

    // `alipay call` in certificate mode.
    let call = |extra: &[(&str, &Path)]| {
        let mut command = Command::new(BIN);
        command
            .args([
                "call",
                "alipay.trade.query",
                "--biz",
                r#"{"out_trade_no":"CERT-1"}"#,
            ])
            .env("ALIPAY_APP_ID", APP_ID)
            .env("ALIPAY_PRIVATE_KEY", fixture("app_private_pkcs8.pem"))
            .env("ALIPAY_APP_CERT", &app_cert)
            .env("ALIPAY_CERT", &alipay_cert)
            .env("ALIPAY_ROOT_CERT", &root_cert)
            .env("ALIPAY_GATEWAY", &server.url)
            .env_remove("ALIPAY_PUBLIC_KEY");
        for (name, value) in extra {
            command.env(name, value);
        }
        command.output().expect("the binary runs")
    };
    let out = call(&[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let node: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(node["out_trade_no"], "CERT-1");
    assert_eq!(node["trade_status"], "WAIT_BUYER_PAY");
    let out = call(&[("ALIPAY_PUBLIC_KEY", fixture("app_public.b64").as_path())]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not both"));
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}
