//! Key parsing: `PrivateKey::parse` and `PublicKey::parse` on arbitrary text (PEM, base64, with
//! whatever whitespace and escapes), and the DER entry points on the raw bytes, with both
//! backends.
#![no_main]

use alipay::crypto::AesKey;
use alipay::{Backend, PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for backend in [Backend::AwsLc, Backend::RustCrypto] {
        let _ = PrivateKey::parse_with(&text, backend);
        let _ = PublicKey::parse_with(&text, backend);
        let _ = PrivateKey::from_der(data, backend);
        let _ = PublicKey::from_spki_der(data, backend);
    }
    let _ = AesKey::from_base64(&text);
});
