//! The `alipay` command line tool, driven as a built binary.
#![cfg(feature = "cli")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use alipay::{PrivateKey, PublicKey, Verifier};

const BIN: &str = env!("CARGO_BIN_EXE_alipay");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name)
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // The child may exit (e.g. on a bad flag) before reading its input: a broken pipe here is
    // part of the behaviour under test, not a failure.
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    child.wait_with_output().expect("the binary exits")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("alipay-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const PARAMS: &str = r#"{"app_id":"2021000000000001","method":"alipay.trade.query","biz_content":"{\"out_trade_no\":\"T 1\"}","charset":"utf-8","empty":"","sign":"dropped","timestamp":"2026-11-26 12:00:00"}"#;
const CONTENT: &str = r#"app_id=2021000000000001&biz_content={"out_trade_no":"T 1"}&charset=utf-8&method=alipay.trade.query&timestamp=2026-11-26 12:00:00"#;

#[test]
fn sign_content_prints_the_canonical_string() {
    let key = fixture("app_private_pkcs8.pem");
    let out = run(
        &[
            "sign",
            "--private-key",
            key.to_str().expect("path"),
            "--content",
        ],
        PARAMS.as_bytes(),
    );
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out).trim_end(), CONTENT);
}

#[test]
fn sign_prints_a_signature_that_verifies_in_every_key_format() {
    let public =
        PublicKey::parse(&std::fs::read_to_string(fixture("app_public.b64")).expect("fixture"))
            .expect("public key");
    let mut signatures = Vec::new();
    for name in [
        "app_private_pkcs8.pem",
        "app_private_pkcs1.pem",
        "app_private_pkcs8.b64",
        "app_private_pkcs1.b64",
    ] {
        let key = fixture(name);
        let out = run(
            &["sign", "--private-key", key.to_str().expect("path")],
            PARAMS.as_bytes(),
        );
        assert!(out.status.success(), "{name}: {out:?}");
        let signature = stdout(&out).trim_end().to_owned();
        public
            .verify(CONTENT.as_bytes(), &signature)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        signatures.push(signature);
    }
    signatures.dedup();
    assert_eq!(
        signatures.len(),
        1,
        "PKCS#1 v1.5 signatures are deterministic"
    );
}

#[test]
fn sign_refuses_non_string_values_and_bad_keys() {
    let key = fixture("app_private_pkcs8.pem");
    let key = key.to_str().expect("path");
    let out = run(&["sign", "--private-key", key], br#"{"a":1}"#);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a string"));
    let out = run(&["sign", "--private-key", key], b"not json");
    assert_eq!(out.status.code(), Some(2));
    let public = fixture("app_public.b64");
    let out = run(
        &["sign", "--private-key", public.to_str().expect("path")],
        b"{}",
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["sign", "--private-key", "/nonexistent/key.pem"], b"{}");
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["sign"], b"{}");
    assert_eq!(out.status.code(), Some(2));
}

fn notify_vector() -> (String, String) {
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/fixtures/vectors/vectors.json"))
            .expect("vectors");
    let notify = &vectors["notify"];
    (
        notify["alipay_public_key"]
            .as_str()
            .expect("key")
            .to_owned(),
        notify["form_body"].as_str().expect("body").to_owned(),
    )
}

#[test]
fn verify_notify_says_valid_invalid_or_malformed() {
    let (key, body) = notify_vector();
    let dir = temp_dir("verify");
    std::fs::create_dir_all(&dir).expect("dir");
    let key_path = dir.join("alipay_public_key.txt");
    std::fs::write(&key_path, key).expect("write key");
    let key_path = key_path.to_str().expect("path");

    let out = run(
        &["verify-notify", "--alipay-public-key", key_path],
        body.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout(&out), "valid\n");

    let tampered = body.replace("total_price=0.01", "total_price=0.02");
    let out = run(
        &["verify-notify", "--alipay-public-key", key_path],
        tampered.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "invalid\n");

    let out = run(
        &["verify-notify", "--alipay-public-key", key_path],
        b"a=%zz&sign=x",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());

    let out = run(
        &["verify-notify", "--alipay-public-key", "/nonexistent"],
        body.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keygen_writes_a_working_pair_and_never_overwrites() {
    let dir = temp_dir("keygen");
    let dir_str = dir.to_str().expect("path");
    let out = run(&["keygen", "--out-dir", dir_str], b"");
    assert!(out.status.success(), "{out:?}");
    let private_pem = std::fs::read_to_string(dir.join("app_private_key.pem")).expect("private");
    let public_pem = std::fs::read_to_string(dir.join("app_public_key.pem")).expect("public");
    // PKCS#8 and SPKI, as OpenSSL writes them (the fixtures' first lines).
    let first_line = |name: &str| {
        let text = std::fs::read_to_string(fixture(name)).expect("fixture");
        text.lines().next().expect("a line").to_owned()
    };
    assert!(private_pem.starts_with(&first_line("app_private_pkcs8.pem")));
    assert!(public_pem.starts_with(&first_line("app_public.pem")));
    let private = PrivateKey::parse(&private_pem).expect("PKCS#8 parses");
    let public = PublicKey::parse(&public_pem).expect("SPKI parses");
    assert!(private.public_key().same_key(&public));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("app_private_key.pem"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the private key is readable by its owner only"
        );
    }
    let again = run(&["keygen", "--out-dir", dir_str], b"");
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.join("app_private_key.pem")).expect("still there"),
        private_pem
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_commands_exit_2() {
    assert_eq!(run(&["frobnicate"], b"").status.code(), Some(2));
    assert_eq!(run(&[], b"").status.code(), Some(2));
}

fn vector_cert(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/vectors")
        .join(name)
}

fn vectors() -> serde_json::Value {
    serde_json::from_str(include_str!("../../tests/fixtures/vectors/vectors.json"))
        .expect("vectors")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn cert_sn_prints_the_sn_of_the_first_certificate() {
    let vectors = vectors();
    let entries = vectors["cert_sn"].as_object().expect("cert_sn");
    for (name, expected) in entries {
        let sn = expected["app_cert_sn"]
            .as_str()
            .or_else(|| expected["first_cert_sn"].as_str())
            .expect("an SN");
        let path = vector_cert(name);
        let out = run(&["cert-sn", path.to_str().expect("path")], b"");
        assert!(out.status.success(), "{name}: {out:?}");
        assert_eq!(stdout(&out), format!("{sn}\n"), "{name}");
    }
    // A binary DER file works too.
    let pem = std::fs::read_to_string(vector_cert("certs/appCertPublicKey_2021002177673029.crt"))
        .expect("fixture");
    let cert = alipay::cert::Certificate::from_pem(&pem).expect("certificate");
    let dir = temp_dir("cert-sn-der");
    std::fs::create_dir_all(&dir).expect("dir");
    let der_path = dir.join("app.cer");
    std::fs::write(&der_path, cert.der()).expect("write DER");
    let out = run(&["cert-sn", der_path.to_str().expect("path")], b"");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), "e1b085ae86cbbba54fe9dc6cdf82b65a\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn root_cert_sn_prints_the_root_sn_of_both_bundles() {
    let vectors = vectors();
    let entries = vectors["root_cert_sn"].as_object().expect("root_cert_sn");
    assert!(entries.len() >= 2);
    for (name, expected) in entries {
        let sn = expected["alipay_root_cert_sn"].as_str().expect("SN");
        let path = vector_cert(name);
        let out = run(&["root-cert-sn", path.to_str().expect("path")], b"");
        assert!(out.status.success(), "{name}: {out:?}");
        assert_eq!(stdout(&out), format!("{sn}\n"), "{name}");
    }
}

#[test]
fn cert_commands_refuse_bad_input_with_exit_2() {
    let not_a_cert = vector_cert("vectors.json");
    let not_a_cert = not_a_cert.to_str().expect("path");
    let app = vector_cert("certs/appCertPublicKey_2021002177673029.crt");
    let app = app.to_str().expect("path");
    for (args, message) in [
        (vec!["cert-sn", not_a_cert], "no certificate found"),
        (vec!["root-cert-sn", not_a_cert], "no certificate found"),
        (vec!["cert-sn", "/nonexistent/cert.crt"], "cannot read"),
        (vec!["root-cert-sn", "/nonexistent/root.crt"], "cannot read"),
        (vec!["cert-sn"], "needs a FILE"),
        (vec!["root-cert-sn"], "needs a FILE"),
        (vec!["cert-sn", app, app], "exactly one FILE"),
        (vec!["cert-sn", "--help"], "exactly one FILE"),
    ] {
        let out = run(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(stdout(&out).is_empty(), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    // A bundle whose only certificate is broken.
    let dir = temp_dir("cert-bad");
    std::fs::create_dir_all(&dir).expect("dir");
    let broken = dir.join("broken.crt");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0B\n-----END CERTIFICATE-----\n",
    )
    .expect("write");
    for command in ["cert-sn", "root-cert-sn"] {
        let out = run(&[command, broken.to_str().expect("path")], b"");
        assert_eq!(out.status.code(), Some(2), "{command}: {out:?}");
        assert!(
            stderr(&out).contains("malformed"),
            "{command}: {}",
            stderr(&out)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn aes_vector() -> (String, String, String) {
    let vectors = vectors();
    let aes = &vectors["aes"];
    let field = |key: &str| aes[key].as_str().expect("AES vector").to_owned();
    (
        field("key_b64"),
        field("plaintext"),
        field("ciphertext_b64"),
    )
}

#[test]
fn aes_encrypt_and_decrypt_the_vector() {
    let (key, plaintext, ciphertext) = aes_vector();
    let out = run(&["aes", "encrypt", "--key", &key], plaintext.as_bytes());
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out), format!("{ciphertext}\n"));

    for input in [
        ciphertext.clone(),
        format!("{ciphertext}\n"),
        format!("  {ciphertext}\r\n"),
    ] {
        let out = run(&["aes", "decrypt", "--key", &key], input.as_bytes());
        assert!(out.status.success(), "{out:?}");
        assert_eq!(out.stdout, plaintext.as_bytes(), "no newline is added");
    }

    // Arbitrary bytes round trip.
    let bytes: Vec<u8> = (0..=255u8).chain("支付宝\n".bytes()).collect();
    let out = run(&["aes", "encrypt", "--key", &key], &bytes);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["aes", "decrypt", "--key", &key], &out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, bytes);
}

#[test]
fn aes_refuses_bad_keys_and_ciphertexts_with_exit_2() {
    let (key, _, ciphertext) = aes_vector();
    let other_key = "AAAAAAAAAAAAAAAAAAAAAA==";
    for (args, stdin, message) in [
        (
            vec!["aes", "encrypt", "--key", "not base64!"],
            &b""[..],
            "not valid base64",
        ),
        (vec!["aes", "decrypt", "--key", "AAAA"], b"", "3 bytes"),
        (vec!["aes", "encrypt"], b"", "`--key` is required"),
        (vec!["aes", "encrypt", "--key"], b"", "needs a value"),
        (vec!["aes"], b"", "needs `encrypt` or `decrypt`"),
        (
            vec!["aes", "scramble", "--key", &key],
            b"",
            "unknown `aes` command",
        ),
        (
            vec!["aes", "decrypt", "--key", &key],
            b"***",
            "not valid base64",
        ),
        (
            vec!["aes", "decrypt", "--key", &key],
            b"AAAA",
            "not a whole number",
        ),
        (
            vec!["aes", "decrypt", "--key", &key],
            b"",
            "not a whole number",
        ),
        (
            vec!["aes", "decrypt", "--key", &key],
            b"\xff\xfe",
            "not base64 text",
        ),
        (
            vec!["aes", "decrypt", "--key", other_key],
            ciphertext.as_bytes(),
            "bad padding",
        ),
    ] {
        let out = run(&args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn usage_lists_the_new_commands() {
    let out = run(&["help"], b"");
    assert!(out.status.success());
    let usage = stdout(&out);
    for command in [
        "cert-sn FILE",
        "root-cert-sn FILE",
        "aes encrypt --key B64",
        "aes decrypt --key B64",
    ] {
        assert!(usage.contains(command), "{command}");
    }
}
