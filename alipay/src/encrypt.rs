//! Content encryption (接口内容加密, `encrypt_type=AES`): `biz_content` sent encrypted, answers
//! received encrypted.
//!
//! With an AES key configured ([`ClientBuilder::aes_key`]) and encryption asked
//! for, per client ([`ClientBuilder::encrypt_content`]) or per call ([`Call::encrypt`]), the
//! client sends `encrypt_type=AES` and `biz_content` = base64(AES-CBC, zero IV, PKCS#7 of the
//! JSON), and signs **after** encrypting (先加密后加签). Alipay then answers with the method's
//! node as a JSON *string* holding the encrypted JSON; its signature covers that string
//! **with its quotes**, so the client verifies first and decrypts the verified bytes only.
//!
//! The cipher is [`AesKey`], the same code as the AES helper for data such as the phone number
//! a mini program receives.
//!
//! [`ClientBuilder::aes_key`]: crate::ClientBuilder::aes_key
//! [`ClientBuilder::encrypt_content`]: crate::ClientBuilder::encrypt_content
//! [`Call::encrypt`]: crate::Call::encrypt

use std::borrow::Cow;

use crate::crypto::AesKey;
use crate::error::ResponseError;

/// The `encrypt_type` value of AES content encryption.
pub const ENCRYPT_TYPE_AES: &str = "AES";

/// The `biz_content` sent for `biz_json` with `encrypt_type=AES`: the base64 of its AES-CBC
/// (zero IV, PKCS#7) encryption.
pub fn encrypt_biz_content(key: &AesKey, biz_json: &str) -> String {
    key.encrypt(biz_json.as_bytes())
}

/// Decrypts `biz_content` received with `encrypt_type=AES` into the JSON text. Every failure
/// (not base64, not whole blocks, bad padding, not UTF-8) is the same
/// [`ResponseError::Decrypt`], so that this is no padding oracle (see [`AesError`]).
///
/// [`AesError`]: crate::crypto::AesError
pub fn decrypt_biz_content(key: &AesKey, biz_content: &str) -> Result<String, ResponseError> {
    key.decrypt_text(biz_content)
        .map_err(ResponseError::Decrypt)
}

/// Whether an answer node, as sent (see [`Envelope::content`](crate::response::Envelope)), is
/// encrypted: a JSON string rather than an object.
pub fn is_encrypted_node(node: &str) -> bool {
    node.starts_with('"')
}

/// The JSON text of an answer node, exactly as sent, decrypted if it is encrypted.
///
/// Call it only on a node whose signature verified: the signature of an encrypted node covers
/// the JSON string, quotes included. A plain node (an object) is returned as it is, whether or
/// not a key is given (Alipay answers some failures in plain text even to encrypted requests).
///
/// Errors: an encrypted node without a key, or one that is not a JSON string, is
/// [`ResponseError::Malformed`]; one that does not decrypt into UTF-8 text, whatever the reason,
/// is the one [`ResponseError::Decrypt`].
pub fn decrypt_node<'a>(
    key: Option<&AesKey>,
    node: &'a str,
) -> Result<Cow<'a, str>, ResponseError> {
    if !is_encrypted_node(node) {
        return Ok(Cow::Borrowed(node));
    }
    let Some(key) = key else {
        return Err(ResponseError::Malformed(
            "the answer is encrypted (encrypt_type=AES) and this client has no content \
             encryption key"
                .to_owned(),
        ));
    };
    let ciphertext: String = serde_json::from_str(node).map_err(|_| {
        ResponseError::Malformed("the encrypted answer node is not a JSON string".to_owned())
    })?;
    decrypt_biz_content(key, &ciphertext).map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AesKey {
        AesKey::from_base64("aa4BtZ4tspm2wnXLb1ThQA==").expect("key")
    }

    #[test]
    fn round_trip_and_known_answer() {
        let key = key();
        assert_eq!(
            encrypt_biz_content(&key, "test1234567"),
            "ILpoMowjIQjfYMR847rnFQ=="
        );
        let json = r#"{"out_trade_no":"T1","subject":"茶"}"#;
        let cipher = encrypt_biz_content(&key, json);
        assert_eq!(decrypt_biz_content(&key, &cipher).expect("decrypts"), json);
        let node = format!("\"{cipher}\"");
        assert_eq!(decrypt_node(Some(&key), &node).expect("node"), json);
    }

    #[test]
    fn plain_nodes_pass_and_bad_nodes_are_errors() {
        let key = key();
        assert_eq!(decrypt_node(None, "{\"a\":1}").expect("plain"), "{\"a\":1}");
        assert!(matches!(
            decrypt_node(None, "\"ILpoMowjIQjfYMR847rnFQ==\""),
            Err(ResponseError::Malformed(_))
        ));
        for bad in [
            "\"\"",
            "\"%%%\"",
            "\"AAAA\"",
            "\"unterminated",
            "\"\\u00zz\"",
        ] {
            assert!(decrypt_node(Some(&key), bad).is_err(), "{bad}");
        }
        // Valid padding but not UTF-8, and bad padding: the same error.
        let cipher = key.encrypt(&[0xff, 0xfe]);
        for node in [
            format!("\"{cipher}\""),
            "\"AAAAAAAAAAAAAAAAAAAAAA==\"".to_owned(),
        ] {
            assert!(matches!(
                decrypt_node(Some(&key), &node),
                Err(ResponseError::Decrypt(crate::crypto::AesError))
            ));
        }
    }
}
