//! The certificate commands: `cert-sn` and `root-cert-sn` on the vectors' certificates and
//! bundles, PEM or DER, and the bad input they refuse.

use super::*;

fn vector_cert(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/vectors")
        .join(name)
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
        (
            vec!["cert-sn"],
            "required arguments were not provided:\n  <FILE>",
        ),
        (
            vec!["root-cert-sn"],
            "required arguments were not provided:\n  <FILE>",
        ),
        (vec!["cert-sn", app, app], "unexpected argument"),
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
