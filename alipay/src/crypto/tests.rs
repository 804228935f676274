use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../tests/fixtures/keys/", $name))
    };
}

const APP_PKCS8_PEM: &str = fixture!("app_private_pkcs8.pem");
const APP_PKCS1_PEM: &str = fixture!("app_private_pkcs1.pem");
const APP_PKCS8_B64: &str = fixture!("app_private_pkcs8.b64");
const APP_PKCS1_B64: &str = fixture!("app_private_pkcs1.b64");
const APP_PUBLIC_PEM: &str = fixture!("app_public.pem");
const APP_PUBLIC_B64: &str = fixture!("app_public.b64");
const APP_PUBLIC_PKCS1_PEM: &str = fixture!("app_public_pkcs1.pem");
const APP_ENCRYPTED_PEM: &str = fixture!("app_private_encrypted.pem");
const APP_CERT_PEM: &str = fixture!("app_cert.pem");
const ALIPAY_PKCS8_PEM: &str = fixture!("alipay_private_pkcs8.pem");
const ALIPAY_PUBLIC_B64: &str = fixture!("alipay_public.b64");
const WEAK_PKCS1_PEM: &str = fixture!("weak_private_pkcs1.pem");
const EC_PRIVATE_PEM: &str = fixture!("ec_private.pem");
const EC_PRIVATE_SEC1_PEM: &str = fixture!("ec_private_sec1.pem");
const EC_PUBLIC_PEM: &str = fixture!("ec_public.pem");

/// Typical sign content (sorted `k=v` pairs), with non-ASCII text.
const CONTENT: &str = "app_id=2021000000000000&biz_content={\"out_trade_no\":\"20150320010101001\",\"subject\":\"测试\"}&charset=utf-8&method=alipay.trade.query&sign_type=RSA2&timestamp=2014-07-24 03:07:50&version=1.0";

/// `CONTENT` signed with `app_private_pkcs8.pem` by OpenSSL, independently of this crate:
/// `printf '%s' "$CONTENT" > c.txt && openssl dgst -sha256 -sign app_private_pkcs8.pem c.txt | base64 -w0`
/// (OpenSSL 3.0.19; the PKCS#1 file gives the same signature).
const CONTENT_SIGNATURE_BY_OPENSSL: &str = "OaegGtJFkzYm46XINCmDa6TrdC+Rjhl48L25qYtsUj+TgExbuJ5esynpZ/wS4qFyv5qZ3tZ1+qcQkRPrR0bohTRcs/RIp2GeXk9DY4W52U//epj13HSlZEYW+REOkOpbP2rZ8NI0KUGvu0L4z+fiZbEF5DhEHcQ46tm4h75IMn712YdXjr9idUrDVWuRBiAqVl7Ipg0RU+qe4f0+cglauzPZELArVvUtvbShQ94J/cojiMhlW2WeCpoVZ4CozpNG5IBUeFtroFFTsWb9izhIArW/AnUmoZJx5AB4QUxQYv2gjyPJsARzRYgzTUPG0cbH/RbabKdEUhHzf/02Jy1Hhg==";

fn backends() -> Vec<Backend> {
    vec![
        Backend::AwsLc,
        #[cfg(feature = "rsa")]
        Backend::RustCrypto,
    ]
}

fn private(text: &str, backend: Backend) -> PrivateKey {
    PrivateKey::parse_with(text, backend).expect("the private key parses")
}

fn public(text: &str, backend: Backend) -> PublicKey {
    PublicKey::parse_with(text, backend).expect("the public key parses")
}

fn sign(key: &PrivateKey, content: &str) -> String {
    key.sign(content.as_bytes()).expect("signing works")
}

fn pem_body(pem: &str) -> String {
    pem.lines()
        .filter(|line| !line.starts_with("-----"))
        .collect()
}

/// The same text with lines of `width` characters.
fn wrap(b64: &str, width: usize, eol: &str) -> String {
    b64.as_bytes()
        .chunks(width)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(eol)
}

/// Every way the app private key may be given.
fn app_private_variants() -> Vec<String> {
    vec![
        APP_PKCS8_PEM.to_owned(),
        APP_PKCS1_PEM.to_owned(),
        APP_PKCS8_B64.to_owned(),
        APP_PKCS1_B64.to_owned(),
        // CRLF, indentation and surrounding blank lines.
        format!("\r\n  {}  \r\n", APP_PKCS8_PEM.replace('\n', "\r\n")),
        APP_PKCS1_PEM.replace('\n', "\n    "),
        // Bare base64 on several lines (64 and 76 columns, CRLF).
        wrap(APP_PKCS8_B64, 64, "\n"),
        wrap(APP_PKCS1_B64, 76, "\r\n"),
        format!("  {APP_PKCS8_B64}\n"),
        // Literal `\n` escapes, as in a JSON or `.env` value.
        APP_PKCS8_PEM.trim_end().replace('\n', "\\n"),
        // A byte order mark from a Windows editor.
        format!("\u{feff}{APP_PKCS1_PEM}"),
        // PEM label and structure disagreeing: the structure decides.
        APP_PKCS8_PEM.replace("PRIVATE KEY", "RSA PRIVATE KEY"),
    ]
}

#[test]
fn every_private_key_format_gives_the_same_key() {
    let expected_public = public(APP_PUBLIC_PEM, Backend::AwsLc);
    for backend in backends() {
        for text in app_private_variants() {
            let key = private(&text, backend);
            assert_eq!(key.backend(), backend);
            assert_eq!(key.public_key(), expected_public);
            assert_eq!(sign(&key, CONTENT), CONTENT_SIGNATURE_BY_OPENSSL);
        }
    }
}

#[test]
fn every_public_key_format_gives_the_same_key() {
    let spki = STANDARD.decode(APP_PUBLIC_B64).expect("valid base64");
    let pkcs1_b64 = pem_body(APP_PUBLIC_PKCS1_PEM);
    for backend in backends() {
        for text in [
            APP_PUBLIC_PEM.to_owned(),
            APP_PUBLIC_B64.to_owned(),
            APP_PUBLIC_PKCS1_PEM.to_owned(),
            pkcs1_b64.clone(),
            APP_PUBLIC_PEM.replace('\n', "\r\n"),
            wrap(APP_PUBLIC_B64, 64, "\n"),
            format!("\n\t{APP_PUBLIC_B64}\t\n"),
        ] {
            let key = public(&text, backend);
            assert_eq!(key.spki_der(), spki);
            assert_eq!(key.to_base64(), APP_PUBLIC_B64);
            assert_eq!(key.to_pem(), APP_PUBLIC_PEM);
            assert!(
                key.verify(CONTENT.as_bytes(), CONTENT_SIGNATURE_BY_OPENSSL)
                    .is_ok()
            );
        }
        let from_der = PublicKey::from_spki_der(&spki, backend).expect("SPKI DER parses");
        assert_eq!(from_der.to_base64(), APP_PUBLIC_B64);
    }
}

#[test]
fn signature_matches_openssl() {
    let key = private(APP_PKCS8_PEM, Backend::AwsLc);
    assert_eq!(sign(&key, CONTENT), CONTENT_SIGNATURE_BY_OPENSSL);
}

#[test]
fn keys_serialize_as_openssl_does() {
    for text in [APP_PKCS1_PEM, APP_PKCS8_B64] {
        let key = private(text, Backend::AwsLc);
        assert_eq!(key.to_pkcs8_pem().as_str(), APP_PKCS8_PEM);
        assert_eq!(key.public_key().to_pem(), APP_PUBLIC_PEM);
        assert_eq!(key.public_key().to_base64(), APP_PUBLIC_B64);
    }
}

#[cfg(feature = "rsa")]
#[test]
fn both_backends_sign_identically_and_verify_each_other() {
    let aws = private(APP_PKCS1_PEM, Backend::AwsLc);
    let rust = private(APP_PKCS1_PEM, Backend::RustCrypto);
    let aws_public = aws.public_key();
    let rust_public = rust.public_key();
    assert!(aws_public.same_key(&rust_public));
    assert_eq!(aws_public, rust_public);
    for content in ["", "a=1", CONTENT, &"x".repeat(10_000)] {
        let by_aws = sign(&aws, content);
        let by_rust = sign(&rust, content);
        assert_eq!(by_aws, by_rust);
        assert_eq!(rust_public.verify(content.as_bytes(), &by_aws), Ok(()));
        assert_eq!(aws_public.verify(content.as_bytes(), &by_rust), Ok(()));
    }
    assert_eq!(rust.to_pkcs8_pem().as_str(), APP_PKCS8_PEM);
}

#[test]
fn tampering_is_detected() {
    for backend in backends() {
        let key = private(APP_PKCS8_PEM, backend);
        let public_key = key.public_key();
        let signature = sign(&key, CONTENT);
        assert_eq!(public_key.verify(CONTENT.as_bytes(), &signature), Ok(()));

        let tampered_content = CONTENT.replace("测试", "测验");
        assert_eq!(
            public_key.verify(tampered_content.as_bytes(), &signature),
            Err(VerifyError::Mismatch)
        );
        let mut bytes = STANDARD.decode(&signature).expect("valid base64");
        bytes[100] ^= 1;
        let tampered = STANDARD.encode(&bytes);
        assert_eq!(
            public_key.verify(CONTENT.as_bytes(), &tampered),
            Err(VerifyError::Mismatch)
        );
        // Wrong length, empty, and another key's signature.
        let short = STANDARD.encode(&bytes[..255]);
        assert_eq!(
            public_key.verify(CONTENT.as_bytes(), &short),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            public_key.verify(CONTENT.as_bytes(), ""),
            Err(VerifyError::Mismatch)
        );
        let alipay = public(ALIPAY_PUBLIC_B64, backend);
        assert_eq!(
            alipay.verify(CONTENT.as_bytes(), &signature),
            Err(VerifyError::Mismatch)
        );
        // Not base64.
        for bad in ["not base64!", "abc", &format!("{signature}*")] {
            assert_eq!(
                public_key.verify(CONTENT.as_bytes(), bad),
                Err(VerifyError::BadEncoding)
            );
        }
    }
}

#[test]
fn the_fake_alipay_pair_matches() {
    let alipay = private(ALIPAY_PKCS8_PEM, Backend::AwsLc);
    assert_eq!(alipay.public_key().to_base64(), ALIPAY_PUBLIC_B64);
    let signature = sign(&alipay, CONTENT);
    let verifier = public(ALIPAY_PUBLIC_B64, Backend::AwsLc);
    assert_eq!(verifier.verify(CONTENT.as_bytes(), &signature), Ok(()));
    assert!(!verifier.same_key(&public(APP_PUBLIC_B64, Backend::AwsLc)));
}

#[test]
fn generated_keys_work_and_round_trip() {
    let key = PrivateKey::generate().expect("key generation works");
    assert_eq!(
        format!("{key:?}"),
        "PrivateKey { backend: AwsLc, bits: 2048 }"
    );
    let pem = key.to_pkcs8_pem();
    // The same BEGIN and END lines as OpenSSL's PKCS#8 fixture.
    let (begin, end) = (
        APP_PKCS8_PEM.lines().next().expect("BEGIN line"),
        APP_PKCS8_PEM.lines().last().expect("END line"),
    );
    assert!(pem.starts_with(&format!("{begin}\n")));
    assert!(pem.ends_with(&format!("{end}\n")));
    assert!(pem.lines().all(|line| line.len() <= 64));
    for backend in backends() {
        let reparsed = private(&pem, backend);
        assert_eq!(reparsed.public_key(), key.public_key());
        assert_eq!(sign(&reparsed, CONTENT), sign(&key, CONTENT));
    }
    let public_key = public(&key.public_key().to_base64(), Backend::AwsLc);
    assert_eq!(
        public_key.verify(CONTENT.as_bytes(), &sign(&key, CONTENT)),
        Ok(())
    );
}

fn private_error(text: &str) -> KeyError {
    let mut errors = backends()
        .into_iter()
        .map(|backend| PrivateKey::parse_with(text, backend).expect_err("the key is refused"));
    let first = errors.next().expect("one backend at least");
    assert!(errors.all(|other| other == first), "backends disagree");
    first
}

fn public_error(text: &str) -> KeyError {
    let mut errors = backends()
        .into_iter()
        .map(|backend| PublicKey::parse_with(text, backend).expect_err("the key is refused"));
    let first = errors.next().expect("one backend at least");
    assert!(errors.all(|other| other == first), "backends disagree");
    first
}

#[test]
fn bad_private_keys_say_what_is_wrong() {
    let cert_b64 = pem_body(APP_CERT_PEM);
    let encrypted_b64 = pem_body(APP_ENCRYPTED_PEM);
    let sec1_b64 = pem_body(EC_PRIVATE_SEC1_PEM);
    let cases: Vec<(&str, &str, KeyError)> = vec![
        ("empty", "", KeyError::Empty),
        ("blank", " \r\n\t", KeyError::Empty),
        ("garbage", "hello, world", KeyError::NotPemOrBase64),
        ("a password", "p@ssw0rd!", KeyError::NotPemOrBase64),
        ("certificate PEM", APP_CERT_PEM, KeyError::Certificate),
        ("certificate base64", &cert_b64, KeyError::Certificate),
        ("SPKI PEM", APP_PUBLIC_PEM, KeyError::ExpectedPrivateKey),
        ("SPKI base64", APP_PUBLIC_B64, KeyError::ExpectedPrivateKey),
        (
            "PKCS#1 public PEM",
            APP_PUBLIC_PKCS1_PEM,
            KeyError::ExpectedPrivateKey,
        ),
        ("EC public PEM", EC_PUBLIC_PEM, KeyError::ExpectedPrivateKey),
        ("EC PKCS#8", EC_PRIVATE_PEM, KeyError::NotRsa("EC")),
        ("EC SEC1", EC_PRIVATE_SEC1_PEM, KeyError::NotRsa("EC")),
        ("EC SEC1 base64", &sec1_b64, KeyError::NotRsa("EC")),
        (
            "RSA-1024",
            WEAK_PKCS1_PEM,
            KeyError::TooSmall { bits: 1024 },
        ),
        ("encrypted PEM", APP_ENCRYPTED_PEM, KeyError::Encrypted),
        ("encrypted base64", &encrypted_b64, KeyError::Encrypted),
        (
            "OpenSSH",
            fixture!("malformed/openssh_stub.pem"),
            KeyError::UnsupportedPem("OPENSSH PRIVATE KEY".to_owned()),
        ),
        (
            "PEM without END",
            fixture!("malformed/pkcs8_without_end.pem"),
            KeyError::BadPem("no END line matches the BEGIN line"),
        ),
        (
            "PEM with a bad body",
            fixture!("malformed/pkcs8_bad_body.pem"),
            KeyError::BadPem("the PEM body is not valid base64"),
        ),
        (
            "truncated base64",
            &APP_PKCS8_B64[..800],
            KeyError::Malformed("truncated"),
        ),
        (
            "base64 of something else",
            "aGVsbG8gd29ybGQ=",
            KeyError::Malformed("not an ASN.1 SEQUENCE (not a key)"),
        ),
    ];
    for (what, text, expected) in &cases {
        let error = private_error(text);
        assert_eq!(&error, expected, "{what}");
        assert_no_key_material(&error, text);
    }
}

#[test]
fn bad_public_keys_say_what_is_wrong() {
    let cases: Vec<(&str, &str, KeyError)> = vec![
        ("empty", "", KeyError::Empty),
        (
            "garbage",
            "-- the Alipay public key --",
            KeyError::NotPemOrBase64,
        ),
        ("certificate PEM", APP_CERT_PEM, KeyError::Certificate),
        ("PKCS#8 PEM", APP_PKCS8_PEM, KeyError::ExpectedPublicKey),
        ("PKCS#1 PEM", APP_PKCS1_PEM, KeyError::ExpectedPublicKey),
        ("PKCS#8 base64", APP_PKCS8_B64, KeyError::ExpectedPublicKey),
        ("PKCS#1 base64", APP_PKCS1_B64, KeyError::ExpectedPublicKey),
        ("EC public key", EC_PUBLIC_PEM, KeyError::NotRsa("EC")),
        (
            "EC private key",
            EC_PRIVATE_PEM,
            KeyError::ExpectedPublicKey,
        ),
        (
            "truncated base64",
            &APP_PUBLIC_B64[..200],
            KeyError::Malformed("truncated"),
        ),
    ];
    for (what, text, expected) in &cases {
        let error = public_error(text);
        assert_eq!(&error, expected, "{what}");
        assert_no_key_material(&error, text);
    }
}

/// The message names the problem and repeats nothing of the input beyond a PEM label.
fn assert_no_key_material(error: &KeyError, input: &str) {
    let message = error.to_string();
    assert!(!message.is_empty());
    let compact = pem_body(input).replace(char::is_whitespace, "");
    for window in compact.as_bytes().windows(12) {
        let window = String::from_utf8_lossy(window);
        assert!(
            !message.contains(window.as_ref()),
            "{message:?} repeats the input"
        );
    }
}

#[test]
fn every_truncation_is_an_error_not_a_panic() {
    for text in [APP_PKCS8_B64, APP_PKCS1_B64] {
        let der = STANDARD.decode(text).expect("valid base64");
        for len in 0..der.len() {
            let error = PrivateKey::from_der(&der[..len], Backend::AwsLc)
                .expect_err("a truncated key is refused");
            let expected = if len == 0 {
                KeyError::Empty
            } else {
                KeyError::Malformed("truncated")
            };
            assert_eq!(error, expected, "length {len}");
        }
    }
    let spki = STANDARD.decode(APP_PUBLIC_B64).expect("valid base64");
    for len in 0..spki.len() {
        assert!(PublicKey::from_spki_der(&spki[..len], Backend::AwsLc).is_err());
    }
}

#[test]
fn corrupted_keys_never_panic() {
    let der = STANDARD.decode(APP_PKCS1_B64).expect("valid base64");
    let spki = STANDARD.decode(APP_PUBLIC_B64).expect("valid base64");
    for backend in backends() {
        for position in (0..der.len()).step_by(53) {
            for flip in [0x01, 0x80, 0xff] {
                let mut corrupted = der.clone();
                corrupted[position] ^= flip;
                // The result may be an error or (for a bit of the private exponent that the
                // backend does not check) a key; it must never be a panic.
                let _ = PrivateKey::from_der(&corrupted, backend);
            }
        }
        for position in 0..spki.len() {
            let mut corrupted = spki.clone();
            corrupted[position] ^= 0x80;
            let _ = PublicKey::from_spki_der(&corrupted, backend);
        }
        // Trailing data after a valid key.
        let mut trailing = der.clone();
        trailing.push(0);
        assert_eq!(
            PrivateKey::from_der(&trailing, backend).err(),
            Some(KeyError::Malformed("unexpected trailing data"))
        );
    }
}

#[test]
fn debug_output_has_no_key_material() {
    for backend in backends() {
        let key = private(APP_PKCS1_PEM, backend);
        let debug = format!("{key:?}");
        assert_eq!(
            debug,
            format!("PrivateKey {{ backend: {backend:?}, bits: 2048 }}")
        );
        let public_debug = format!("{:?}", key.public_key());
        assert!(public_debug.contains(APP_PUBLIC_B64));
        let alternate = format!("{key:#?}");
        for private_b64 in [APP_PKCS1_B64, APP_PKCS8_B64] {
            for window in private_b64.as_bytes().windows(12).step_by(7) {
                let window = String::from_utf8_lossy(window);
                assert!(!debug.contains(window.as_ref()));
                assert!(!alternate.contains(window.as_ref()));
            }
        }
    }
}

#[test]
fn keys_are_shareable() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<PrivateKey>();
    assert_traits::<PublicKey>();
    assert_traits::<AesKey>();
    let signer: Arc<dyn Signer> = Arc::new(private(APP_PKCS8_PEM, Backend::AwsLc));
    let verifier: Arc<dyn Verifier> = Arc::new(public(APP_PUBLIC_B64, Backend::AwsLc));
    let signature = signer.sign(CONTENT.as_bytes()).expect("signing works");
    assert_eq!(verifier.verify(CONTENT.as_bytes(), &signature), Ok(()));
}
