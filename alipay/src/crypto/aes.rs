//! AES content encryption (接口内容加密): AES-CBC with a zero IV and PKCS#7 padding, as Alipay
//! uses for `encrypt_type=AES`.

use std::fmt;

use ::aes::cipher::block_padding::Pkcs7;
use ::aes::cipher::consts::U16;
use ::aes::cipher::{
    BlockCipher, BlockDecrypt, BlockDecryptMut as _, BlockEncrypt, BlockEncryptMut as _,
    BlockSizeUser, InnerIvInit as _,
};
use ::aes::{Aes128, Aes192, Aes256};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::KeyError;

/// The IV Alipay uses: sixteen zero bytes.
const IV: [u8; 16] = [0; 16];

/// An AES key for Alipay's content encryption (the "接口内容加密方式" key from the console).
///
/// Encryption is AES-CBC with a 16-zero-byte IV and PKCS#7 padding, base64 encoded, as
/// Alipay does it. The key schedule is zeroized on drop, and `Debug` shows only the key size.
#[derive(Clone)]
pub struct AesKey {
    cipher: Cipher,
}

// The `aes` crate's `zeroize` feature zeroizes these key schedules when they are dropped.
#[derive(Clone)]
enum Cipher {
    Aes128(Aes128),
    Aes192(Aes192),
    Aes256(Aes256),
}

impl AesKey {
    /// Parses the base64 key Alipay's console shows (16, 24 or 32 bytes: AES-128, AES-192 or
    /// AES-256). Surrounding whitespace is ignored.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        let mut key = Zeroizing::new(Vec::with_capacity(text.len() / 4 * 3 + 3));
        STANDARD
            .decode_vec(text, &mut key)
            .map_err(|_| KeyError::AesKeyNotBase64)?;
        Self::from_bytes(&key)
    }

    fn from_bytes(key: &[u8]) -> Result<Self, KeyError> {
        use ::aes::cipher::KeyInit as _;
        let invalid = |_| KeyError::AesKeyLength { len: key.len() };
        let cipher = match key.len() {
            16 => Cipher::Aes128(Aes128::new_from_slice(key).map_err(invalid)?),
            24 => Cipher::Aes192(Aes192::new_from_slice(key).map_err(invalid)?),
            32 => Cipher::Aes256(Aes256::new_from_slice(key).map_err(invalid)?),
            len => return Err(KeyError::AesKeyLength { len }),
        };
        Ok(Self { cipher })
    }

    /// The key size in bits: 128, 192 or 256.
    fn bits(&self) -> u32 {
        match self.cipher {
            Cipher::Aes128(_) => 128,
            Cipher::Aes192(_) => 192,
            Cipher::Aes256(_) => 256,
        }
    }

    /// Encrypts `plaintext` (AES-CBC, zero IV, PKCS#7) and returns the standard base64 of the
    /// ciphertext.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        let ciphertext = match &self.cipher {
            Cipher::Aes128(cipher) => cbc_encrypt(cipher, plaintext),
            Cipher::Aes192(cipher) => cbc_encrypt(cipher, plaintext),
            Cipher::Aes256(cipher) => cbc_encrypt(cipher, plaintext),
        };
        STANDARD.encode(ciphertext)
    }

    /// Decrypts the standard base64 of an AES-CBC (zero IV, PKCS#7) ciphertext.
    ///
    /// Every failure is the same [`AesError`]: not base64, not a whole number of AES blocks,
    /// or bad padding once decrypted. Telling them apart would make this a padding oracle for
    /// whoever submits ciphertexts: from which of them fail on padding, an attacker can decrypt
    /// a ciphertext byte by byte without the key.
    pub fn decrypt(&self, ciphertext_b64: &str) -> Result<Vec<u8>, AesError> {
        let ciphertext = STANDARD
            .decode(ciphertext_b64.trim())
            .map_err(|_| AesError::new())?;
        if ciphertext.is_empty() || ciphertext.len() % 16 != 0 {
            return Err(AesError::new());
        }
        match &self.cipher {
            Cipher::Aes128(cipher) => cbc_decrypt(cipher, &ciphertext),
            Cipher::Aes192(cipher) => cbc_decrypt(cipher, &ciphertext),
            Cipher::Aes256(cipher) => cbc_decrypt(cipher, &ciphertext),
        }
    }

    /// [`decrypt`](Self::decrypt) into UTF-8 text. Content that decrypts but is not UTF-8 is
    /// the same [`AesError`] as every other failure (it is also a padding oracle's answer: a
    /// wrong last block rarely decrypts to text); its bytes are zeroized.
    pub fn decrypt_text(&self, ciphertext_b64: &str) -> Result<String, AesError> {
        String::from_utf8(self.decrypt(ciphertext_b64)?).map_err(|e| {
            zeroize::Zeroize::zeroize(&mut e.into_bytes());
            AesError::new()
        })
    }
}

fn cbc_encrypt<C>(cipher: &C, plaintext: &[u8]) -> Vec<u8>
where
    C: BlockCipher + BlockEncrypt + BlockSizeUser<BlockSize = U16>,
{
    cbc::Encryptor::<&C>::inner_iv_init(cipher, &IV.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext)
}

fn cbc_decrypt<C>(cipher: &C, ciphertext: &[u8]) -> Result<Vec<u8>, AesError>
where
    C: BlockCipher + BlockDecrypt + BlockSizeUser<BlockSize = U16>,
{
    cbc::Decryptor::<&C>::inner_iv_init(cipher, &IV.into())
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .map_err(|_| AesError::new())
}

// Every field is a key schedule that zeroizes itself on drop.
impl zeroize::ZeroizeOnDrop for AesKey {}

impl fmt::Debug for AesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AesKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

/// An AES ciphertext that came from outside could not be decrypted into what was expected.
///
/// One error for every failure on purpose, with nothing in it that tells them apart: the
/// ciphertext is not standard base64, is empty or not a whole number of 16-byte AES blocks,
/// has bad PKCS#7 padding once decrypted (the wrong AES key is configured, or the content was
/// altered), or is not UTF-8 text where text was expected. Distinct answers for bad padding
/// would let whoever submits ciphertexts decrypt one byte by byte (a padding oracle); the
/// caller can only conclude that the data is not what this key encrypted.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error(
    "the encrypted content cannot be decrypted with the configured AES key (wrong key, altered \
     or malformed content)"
)]
#[non_exhaustive]
pub struct AesError;

impl AesError {
    fn new() -> Self {
        AesError
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "aa4BtZ4tspm2wnXLb1ThQA==";

    fn key(text: &str) -> AesKey {
        AesKey::from_base64(text).expect("valid AES key")
    }

    #[test]
    fn known_answer() {
        // Alipay's documented example; also what `openssl enc -aes-128-cbc` with a zero IV gives.
        let key = key(KEY);
        assert_eq!(key.encrypt(b"test1234567"), "ILpoMowjIQjfYMR847rnFQ==");
        assert_eq!(
            key.decrypt("ILpoMowjIQjfYMR847rnFQ==").as_deref(),
            Ok(&b"test1234567"[..])
        );
    }

    #[test]
    fn round_trips_for_every_key_size() {
        for len in [16, 24, 32] {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8 * 7).collect();
            let key = key(&STANDARD.encode(&bytes));
            assert_eq!(key.bits(), len as u32 * 8);
            for plaintext in [
                &b""[..],
                b"x",
                b"exactly 16 bytes",
                "{\"subject\":\"测试\",\"total_amount\":\"0.01\"}".as_bytes(),
            ] {
                let ciphertext = key.encrypt(plaintext);
                assert_eq!(key.decrypt(&ciphertext).as_deref(), Ok(plaintext));
            }
        }
    }

    #[test]
    fn bad_keys() {
        assert_eq!(AesKey::from_base64("").err(), Some(KeyError::Empty));
        assert_eq!(
            AesKey::from_base64("not base64!").err(),
            Some(KeyError::AesKeyNotBase64)
        );
        assert_eq!(
            AesKey::from_base64("AAAAAAAAAAAAAAAAAAAA").err(),
            Some(KeyError::AesKeyLength { len: 15 })
        );
    }

    #[test]
    fn bad_ciphertexts_are_one_error() {
        let key = key(KEY);
        // Not base64, empty, not whole blocks, a block that decrypts to bad padding, a wrong
        // key, and good padding around bytes that are not UTF-8: all the same error.
        let not_text = key.encrypt(&[0xff, 0xfe]);
        let other = AesKey::from_base64("AAAAAAAAAAAAAAAAAAAAAA==").expect("valid AES key");
        let errors = [
            key.decrypt_text("***"),
            key.decrypt_text(""),
            key.decrypt_text("AAAA"),
            key.decrypt_text(&STANDARD.encode([0u8; 16])),
            other.decrypt_text("ILpoMowjIQjfYMR847rnFQ=="),
            key.decrypt_text(&not_text),
        ];
        for (i, error) in errors.iter().enumerate() {
            assert_eq!(error, &Err(AesError), "case {i}");
        }
        assert!(key.decrypt(&not_text).is_ok(), "the last case does decrypt");
        assert_eq!(
            key.decrypt_text("ILpoMowjIQjfYMR847rnFQ==").as_deref(),
            Ok("test1234567")
        );
    }

    #[test]
    fn key_schedules_zeroize_on_drop() {
        fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        zeroize_on_drop::<Aes128>();
        zeroize_on_drop::<Aes192>();
        zeroize_on_drop::<Aes256>();
        zeroize_on_drop::<AesKey>();
    }

    #[test]
    fn debug_is_redacted() {
        let debug = format!("{:?}", key(KEY));
        assert_eq!(debug, "AesKey { bits: 128, .. }");
        assert!(!debug.contains(KEY));
    }
}
