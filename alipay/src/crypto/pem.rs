//! The SDK's one PEM reader: the `-----BEGIN label-----` … `-----END label-----` blocks of a
//! text, in order, for keys ([`der::decode_text`](super::der::decode_text)) and certificates
//! (`cert/pem.rs`). Text around and between blocks is ignored; what a label means is the
//! caller's business.

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// One block: its label and its body (the text between the BEGIN and END lines).
pub(crate) struct Block<'a> {
    pub(crate) label: &'a str,
    pub(crate) body: &'a str,
}

/// Why the scan stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PemError {
    /// A BEGIN line does not end with `-----`.
    UnendedBegin,
    /// A BEGIN line has no matching END line.
    NoEnd,
}

/// Whether `text` has a BEGIN line at all.
pub(crate) fn has_block(text: &str) -> bool {
    text.contains(BEGIN)
}

/// The blocks of `text`, in order; a broken block is an error and ends the scan.
pub(crate) fn blocks(text: &str) -> impl Iterator<Item = Result<Block<'_>, PemError>> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest.take()?;
        let start = text.find(BEGIN)?;
        let after_begin = text.get(start + BEGIN.len()..)?;
        let Some((label, after_label)) = after_begin.split_once(DASHES) else {
            return Some(Err(PemError::UnendedBegin));
        };
        let end = format!("-----END {label}-----");
        let Some((body, after_end)) = after_label.split_once(end.as_str()) else {
            return Some(Err(PemError::NoEnd));
        };
        rest = Some(after_end);
        Some(Ok(Block { label, body }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Vec<Result<(String, String), PemError>> {
        blocks(text)
            .map(|b| b.map(|b| (b.label.to_owned(), b.body.trim().to_owned())))
            .collect()
    }

    #[test]
    fn blocks_in_order_with_text_around() {
        assert_eq!(
            scan(
                "x-----BEGIN A-----\nAQ==\n-----END A----- y -----BEGIN B C-----Ag==-----END B C-----z"
            ),
            [
                Ok(("A".to_owned(), "AQ==".to_owned())),
                Ok(("B C".to_owned(), "Ag==".to_owned()))
            ]
        );
        assert_eq!(scan("no pem"), []);
        assert!(!has_block("no pem"));
    }

    #[test]
    fn broken_blocks_end_the_scan() {
        assert_eq!(
            scan("-----BEGIN CERTIFICATE"),
            [Err(PemError::UnendedBegin)]
        );
        assert_eq!(
            scan("-----BEGIN A-----\nAQ==\n-----END B-----"),
            [Err(PemError::NoEnd)]
        );
        assert_eq!(
            scan("-----BEGIN 证书-----\n-----END 证书-----支付宝-----BEGIN A"),
            [
                Ok(("证书".to_owned(), String::new())),
                Err(PemError::UnendedBegin)
            ]
        );
    }
}
