//! Finding the certificates in PEM text, tolerantly.

use super::CertError;
use crate::crypto::der::decode_base64;
use crate::crypto::pem::{self, PemError};

/// The DER of every `CERTIFICATE` (or `X509 CERTIFICATE`) block in `text`, in order.
///
/// CRLF line ends, blank lines (or none) between blocks, an END and the next BEGIN on the same
/// line, indentation and text around the blocks are all accepted; blocks of other kinds (keys,
/// `TRUSTED CERTIFICATE`) are skipped. A block whose body is not base64 gives an error in its
/// place; a BEGIN line without its END ends the scan with an error.
pub(super) fn certificate_blocks(text: &str) -> Vec<Result<Vec<u8>, CertError>> {
    let mut blocks = Vec::new();
    for block in pem::blocks(text) {
        let block = match block {
            Ok(block) => block,
            Err(PemError::UnendedBegin) => {
                blocks.push(Err(CertError::BadPem(
                    "a BEGIN line does not end with `-----`",
                )));
                break;
            }
            Err(PemError::NoEnd) => {
                blocks.push(Err(CertError::BadPem(
                    "a BEGIN line has no matching END line",
                )));
                break;
            }
        };
        if !matches!(block.label, "CERTIFICATE" | "X509 CERTIFICATE") {
            continue;
        }
        blocks.push(match decode_base64(block.body) {
            Some(der) if !der.is_empty() => Ok(der.to_vec()),
            Some(_) => Err(CertError::BadPem("a certificate block is empty")),
            None => Err(CertError::BadPem(
                "a certificate block is not valid base64 (was it copied completely?)",
            )),
        });
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ders(text: &str) -> Vec<Option<Vec<u8>>> {
        certificate_blocks(text)
            .into_iter()
            .map(Result::ok)
            .collect()
    }

    #[test]
    fn tolerant_splitting() {
        // CRLF lines, blocks glued together, a non-certificate block to skip, indented lines,
        // junk around.
        let text = include_str!("../../tests/fixtures/pem/mixed_blocks.txt");
        assert_eq!(
            ders(text),
            [Some(vec![1, 2, 3]), Some(vec![4]), Some(vec![6])]
        );
    }

    #[test]
    fn broken_blocks() {
        assert!(ders("no pem at all").is_empty());
        assert_eq!(
            ders(
                "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nAQ==\n-----END CERTIFICATE-----"
            ),
            [None, Some(vec![1])]
        );
        assert_eq!(
            ders(
                "-----BEGIN CERTIFICATE-----\nAQ==\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nAQ=="
            ),
            [Some(vec![1]), None]
        );
        assert_eq!(ders("-----BEGIN CERTIFICATE"), [None]);
        assert_eq!(
            ders("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----"),
            [None]
        );
        // Non-ASCII text around and inside does not trip the slicing.
        assert_eq!(
            ders(
                "证书-----BEGIN 证书-----\n-----END 证书-----支付宝-----BEGIN CERTIFICATE-----AQ==-----END CERTIFICATE-----宝"
            ),
            [Some(vec![1])]
        );
    }
}
