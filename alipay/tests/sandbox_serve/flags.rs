//! The flags of `alipay sandbox serve`: apps as `--app ID=KEYFILE` or the older pairs, keys and
//! pairs that do not fit refused with what is wanted, host names in `--addr`, and bad flags as
//! usage errors.

use super::*;

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["sandbox", "serve", "--app-id", APP_ID][..],
        &["sandbox", "serve", "--addr", "nowhere"],
        &["sandbox", "serve", "--notify-scale", "-1"],
        &["sandbox", "serve", "--fault", "boom"],
        &["sandbox", "serve", "--cert-mode"],
        &["sandbox", "stop"],
    ] {
        let out = Command::new(BIN).args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn apps_are_given_as_id_equals_keyfile_or_as_the_older_pairs() {
    let dir = temp_dir("apps");
    let second = PrivateKey::generate().expect("key");
    let second_key_file = dir.join("second.pem");
    std::fs::write(&second_key_file, second.public_key().to_pem()).expect("write");
    let app = format!("--app={APP_ID}={}", fixture("app_public.pem").display());
    let server = Server::start(&[
        &app,
        "--app-id",
        "2021000000000002",
        "--app-public-key",
        second_key_file.to_str().expect("path"),
    ]);
    create(&server.client(), "A-1", None);
    let second_client = Client::builder()
        .app_id("2021000000000002")
        .app_private_key_parsed(second)
        .alipay_public_key(server.alipay_key_text.clone())
        .gateway_url(server.url.clone())
        .build()
        .expect("client");
    create(&second_client, "A-2", None);
    let url = server.url.clone();
    let stderr = server.stop();
    // Labelled lines for a person on stderr; stdout had only the URL and the key.
    for line in [
        format!("alipay sandbox: gateway       {url}"),
        format!("alipay sandbox: apps          {APP_ID}, 2021000000000002"),
        "alipay sandbox: stop          Ctrl-C (SIGINT) or SIGTERM".to_owned(),
    ] {
        assert!(stderr.lines().any(|l| l == line), "{line}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn keys_and_pairs_that_do_not_fit_are_refused_with_what_is_wanted() {
    let private = fixture("app_private_pkcs8.pem");
    let private = private.to_str().expect("path");
    let public = fixture("app_public.pem");
    let public = public.to_str().expect("path");
    let private_key_line = std::fs::read_to_string(private)
        .expect("fixture")
        .lines()
        .nth(1)
        .expect("a base64 line")
        .to_owned();
    let as_app = format!("{APP_ID}={private}");
    let old_pair = ["--app-id", APP_ID, "--app-public-key", private];
    for (args, message) in [
        (
            vec!["--app", as_app.as_str()],
            "is a private key: the sandbox wants the app's public key",
        ),
        (
            old_pair.to_vec(),
            "is a private key: the sandbox wants the app's public key",
        ),
        (
            vec!["--alipay-private-key", public],
            "is a public key: `--alipay-private-key` wants the private key",
        ),
        // Out of order: the key of the first app given after the second app id.
        (
            vec![
                "--app-id",
                APP_ID,
                "--app-id",
                "2021000000000002",
                "--app-public-key",
                public,
                "--app-public-key",
                public,
            ],
            "right after its `--app-id ID`",
        ),
        (
            vec!["--app-public-key", public, "--app-id", APP_ID],
            "right after its `--app-id ID`",
        ),
        (vec!["--app-id", APP_ID], "right after its `--app-id ID`"),
        (vec!["--app", APP_ID], "use ID=KEYFILE"),
        (
            vec![
                "--app",
                &format!("{APP_ID}={public}"),
                "--app-id",
                APP_ID,
                "--app-public-key",
                public,
            ],
            "given twice",
        ),
    ] {
        let mut full = vec!["sandbox", "serve"];
        full.extend(&args);
        let out = alipay(&full).stdin(Stdio::null()).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing announced");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            !stderr.contains(&private_key_line),
            "no key material: {stderr}"
        );
    }
}

#[test]
fn addr_takes_host_names() {
    let app = format!("--app={APP_ID}={}", fixture("app_public.b64").display());
    let server = Server::start(&["--addr", "localhost:0", &app]);
    assert!(
        server.url.starts_with("http://127.0.0.1:") || server.url.starts_with("http://[::1]:"),
        "{}",
        server.url
    );
    create(&server.client(), "L-1", None);
    assert_eq!(status(&server.client(), "L-1"), TradeStatus::WaitBuyerPay);
    server.stop();
    let out = alipay(&["sandbox", "serve", "--addr", "localhost"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("use HOST:PORT"), "{out:?}");
}
