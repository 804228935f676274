//! `aes encrypt` and `aes decrypt`: the vector, arbitrary bytes, and the bad keys and
//! ciphertexts they refuse, each with one error.

use super::*;

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
        (
            vec!["aes", "encrypt"],
            b"",
            "required arguments were not provided:\n  --key <B64>",
        ),
        (vec!["aes", "encrypt", "--key"], b"", "a value is required"),
        (vec!["aes"], b"", "Usage: alipay aes <COMMAND>"),
        (
            vec!["aes", "scramble", "--key", &key],
            b"",
            "unrecognized subcommand 'scramble'",
        ),
        // Every failure of a ciphertext from outside gives one error (no padding oracle).
        (
            vec!["aes", "decrypt", "--key", &key],
            b"***",
            "cannot be decrypted",
        ),
        (
            vec!["aes", "decrypt", "--key", &key],
            b"AAAA",
            "cannot be decrypted",
        ),
        (
            vec!["aes", "decrypt", "--key", &key],
            b"",
            "cannot be decrypted",
        ),
        (
            vec!["aes", "decrypt", "--key", &key],
            b"\xff\xfe",
            "stdin is not base64 text",
        ),
        (
            vec!["aes", "decrypt", "--key", other_key],
            ciphertext.as_bytes(),
            "cannot be decrypted",
        ),
    ] {
        let out = run(&args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
}
