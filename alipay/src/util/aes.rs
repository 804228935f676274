//! AES encryption with the client's AES key (Easy SDK `Util.AES`): AES-CBC, a zero IV, PKCS#7
//! padding and base64, as Alipay uses it, e.g. to decrypt the phone number a mini program gets
//! from `my.getPhoneNumber`.
//!
//! Configure the key (the console's "接口内容加密方式" key, base64) with
//! [`ClientBuilder::aes_key`](crate::ClientBuilder::aes_key); it is checked when the client is
//! built. The primitive itself is [`AesKey`].
//!
//! ```
//! use alipay::Client;
//!
//! # fn run(app_private_key: &str, alipay_public_key: &str) -> Result<(), alipay::Error> {
//! let client = Client::builder()
//!     .app_id("2021000000000000")
//!     .app_private_key(app_private_key)
//!     .alipay_public_key(alipay_public_key)
//!     .aes_key("aa4BtZ4tspm2wnXLb1ThQA==")
//!     .build()?;
//! assert_eq!(client.aes_encrypt("test1234567")?, "ILpoMowjIQjfYMR847rnFQ==");
//! assert_eq!(client.aes_decrypt("ILpoMowjIQjfYMR847rnFQ==")?, "test1234567");
//! # Ok(()) }
//! ```

use crate::Client;
use crate::crypto::AesKey;
use crate::error::{ConfigError, Error};

impl Client {
    /// Encrypts `plaintext` (its UTF-8 bytes) with the configured AES key and returns the
    /// base64 ciphertext (Easy SDK `AES.encrypt`).
    ///
    /// Fails with [`Error::Config`] (field `aes_key`) when the client has no AES key.
    ///
    /// ```no_run
    /// # fn run(client: alipay::Client) -> Result<(), alipay::Error> {
    /// let ciphertext = client.aes_encrypt("13800000000")?;
    /// # let _ = ciphertext;
    /// # Ok(()) }
    /// ```
    pub fn aes_encrypt(&self, plaintext: &str) -> Result<String, Error> {
        Ok(configured_key(self)?.encrypt(plaintext.as_bytes()))
    }

    /// Decrypts a base64 ciphertext with the configured AES key into text (Easy SDK
    /// `AES.decrypt`).
    ///
    /// Fails with [`Error::Config`] (field `aes_key`) when the client has no AES key, and with
    /// one and the same [`Error::Aes`] whatever is wrong with the ciphertext (not base64, not
    /// whole AES blocks, bad padding, not UTF-8 text): the ciphertext comes from outside (a
    /// mini program, a browser), and an answer that told bad padding apart would be a padding
    /// oracle, letting whoever submits ciphertexts decrypt them without the key.
    ///
    /// ```no_run
    /// # fn run(client: alipay::Client, response_from_mini_program: &str) -> Result<(), alipay::Error> {
    /// let phone = client.aes_decrypt(response_from_mini_program)?;
    /// # let _ = phone;
    /// # Ok(()) }
    /// ```
    pub fn aes_decrypt(&self, ciphertext_base64: &str) -> Result<String, Error> {
        Ok(configured_key(self)?.decrypt_text(ciphertext_base64)?)
    }
}

/// The client's AES key, or the configuration error that says how to set one.
fn configured_key(client: &Client) -> Result<&AesKey, Error> {
    client.aes_key().ok_or_else(|| {
        Error::Config(ConfigError::new(
            "aes_key",
            "is not configured: set it with ClientBuilder::aes_key to encrypt or decrypt",
        ))
    })
}
