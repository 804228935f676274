//! Certificate parsing: DER and PEM certificates, root bundles and the SN computations
//! (`app_cert_sn`, `alipay_root_cert_sn`), on arbitrary bytes and text.
#![no_main]

use alipay::cert::{self, Certificate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(certificate) = Certificate::from_der(data) {
        let _ = cert::cert_sn(&certificate);
        let _ = certificate.issuer().rfc2253();
        let _ = certificate.serial_decimal();
        let _ = certificate.verify_signed_by(&certificate);
    }
    let text = String::from_utf8_lossy(data);
    let _ = Certificate::from_pem(&text);
    for certificate in cert::parse_pem_bundle(&text).into_iter().flatten() {
        let _ = cert::cert_sn(&certificate);
    }
    let _ = cert::root_cert_sn(&text);
});
