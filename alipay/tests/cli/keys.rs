//! The key commands: `sign` (the canonical content and signatures in every key format),
//! `verify-notify` and `keygen`.

use super::*;

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
