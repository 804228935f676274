//! A small, strict `multipart/form-data` parser for the gateway's file uploads.
//!
//! It reads the boundary from the content type, then the parts between `--boundary`
//! delimiters (the first one may follow a preamble, every later one follows `\r\n`), each with
//! its header lines (`Content-Disposition: form-data; name="…"; filename="…"`, header names
//! case-insensitive, spaces after `:` and `;` optional) and its content. Anything else
//! (no closing delimiter, a part without a name, a header line without `:`, …) is an error: the
//! gateway refuses the request rather than guessing. The input is already bounded by the body
//! limit; the number of parts and the size of a part's headers are bounded here.

use bytes::Bytes;

/// At most this many parts in one body.
const MAX_PARTS: usize = 256;
/// At most this many bytes of header lines in one part.
const MAX_PART_HEADERS: usize = 8 * 1024;

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// The `name` of its `Content-Disposition`.
    pub(crate) name: String,
    /// The `filename`, when the part is a file (present even if empty).
    pub(crate) filename: Option<String>,
    /// The part's content.
    pub(crate) content: Bytes,
}

/// Why a multipart body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MultipartError {
    #[error("the content type has no valid boundary")]
    Boundary,
    #[error("no opening delimiter --boundary")]
    NoOpening,
    #[error("no closing delimiter --boundary--")]
    NoClosing,
    #[error("a delimiter is not followed by CRLF")]
    Delimiter,
    #[error("the header lines of a part are not terminated")]
    Headers,
    #[error("a header line has no colon or is not UTF-8")]
    HeaderLine,
    #[error("a part has no Content-Disposition: form-data header with a name")]
    Disposition,
    #[error("more than {MAX_PARTS} parts")]
    TooManyParts,
}

/// The boundary of a `multipart/form-data` content type, if it is one with a valid boundary.
/// `Ok(None)`: not multipart at all.
pub(crate) fn boundary_of(content_type: &str) -> Result<Option<String>, MultipartError> {
    let mut pieces = content_type.split(';');
    let essence = pieces.next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return Ok(None);
    }
    let mut boundary = None;
    for piece in pieces {
        let Some((key, value)) = piece.split_once('=') else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case("boundary") {
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            boundary = Some(value.to_owned());
        }
    }
    match boundary {
        Some(b) if valid_boundary(&b) => Ok(Some(b)),
        _ => Err(MultipartError::Boundary),
    }
}

/// RFC 2046: 1 to 70 characters of a restricted set, not ending with a space.
fn valid_boundary(b: &str) -> bool {
    !b.is_empty()
        && b.len() <= 70
        && !b.ends_with(' ')
        && b.bytes().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    b'\''
                        | b'('
                        | b')'
                        | b'+'
                        | b'_'
                        | b','
                        | b'-'
                        | b'.'
                        | b'/'
                        | b':'
                        | b'='
                        | b'?'
                        | b' '
                )
        })
}

/// The first position of `needle` in `haystack` at or after `from`.
///
/// Linear for delimiters: a delimiter starts with `\r` and a boundary never contains one, so a
/// failed comparison never overlaps the next candidate.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = from;
    while at + needle.len() <= haystack.len() {
        let offset = haystack.get(at..)?.iter().position(|&b| b == first)?;
        at += offset;
        if haystack.get(at..at + needle.len())? == needle {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// Splits a body into its parts.
pub(crate) fn parse(boundary: &str, body: &Bytes) -> Result<Vec<Part>, MultipartError> {
    let dash_boundary = format!("--{boundary}");
    let delimiter = format!("\r\n{dash_boundary}");
    let (dash, delim) = (dash_boundary.as_bytes(), delimiter.as_bytes());
    // The opening delimiter: at the very start, or after a preamble ending with CRLF.
    let mut at = if body.starts_with(dash) {
        dash.len()
    } else {
        find(body, delim, 0).ok_or(MultipartError::NoOpening)? + delim.len()
    };
    let mut parts = Vec::new();
    loop {
        let rest = body.get(at..).ok_or(MultipartError::NoClosing)?;
        if rest.starts_with(b"--") {
            // The closing delimiter; the epilogue is ignored.
            return Ok(parts);
        }
        // Transport padding, then CRLF.
        let padding = rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        if !rest.get(padding..).is_some_and(|r| r.starts_with(b"\r\n")) {
            return Err(if rest.len() <= padding {
                MultipartError::NoClosing
            } else {
                MultipartError::Delimiter
            });
        }
        let head_start = at + padding + 2;
        if parts.len() == MAX_PARTS {
            return Err(MultipartError::TooManyParts);
        }
        // Header lines end with an empty line; a part with no header at all starts with CRLF.
        let (headers, content_start) = if body
            .get(head_start..)
            .is_some_and(|r| r.starts_with(b"\r\n"))
        {
            (&body[head_start..head_start], head_start + 2)
        } else {
            let end = find(body, b"\r\n\r\n", head_start).ok_or(MultipartError::Headers)?;
            if end - head_start > MAX_PART_HEADERS {
                return Err(MultipartError::Headers);
            }
            (&body[head_start..end], end + 4)
        };
        let (name, filename) = disposition(headers)?;
        let content_end = find(body, delim, content_start).ok_or(MultipartError::NoClosing)?;
        parts.push(Part {
            name,
            filename,
            content: body.slice(content_start..content_end),
        });
        at = content_end + delim.len();
    }
}

/// The `name` and `filename` of a part's `Content-Disposition: form-data` header.
fn disposition(headers: &[u8]) -> Result<(String, Option<String>), MultipartError> {
    let text = std::str::from_utf8(headers).map_err(|_| MultipartError::HeaderLine)?;
    let mut found = None;
    for line in text.split("\r\n") {
        let (key, value) = line.split_once(':').ok_or(MultipartError::HeaderLine)?;
        if key.trim().eq_ignore_ascii_case("content-disposition") {
            if found.is_some() {
                return Err(MultipartError::Disposition);
            }
            found = Some(value);
        }
    }
    let value = found.ok_or(MultipartError::Disposition)?;
    let mut pieces = split_params(value).into_iter();
    let kind = pieces.next().unwrap_or_default();
    if !kind.trim().eq_ignore_ascii_case("form-data") {
        return Err(MultipartError::Disposition);
    }
    let (mut name, mut filename) = (None, None);
    for piece in pieces {
        let Some((key, raw)) = piece.split_once('=') else {
            continue;
        };
        let value = unquote(raw.trim()).ok_or(MultipartError::Disposition)?;
        match key.trim().to_ascii_lowercase().as_str() {
            "name" if name.is_none() => name = Some(value),
            "filename" if filename.is_none() => filename = Some(value),
            "name" | "filename" => return Err(MultipartError::Disposition),
            _ => {}
        }
    }
    match name {
        Some(name) if !name.is_empty() => Ok((name, filename)),
        _ => Err(MultipartError::Disposition),
    }
}

/// Splits header parameters on `;` outside quoted strings.
fn split_params(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out
}

/// A parameter value: a quoted string (`\"` and `\\` unescaped) or a bare token.
fn unquote(raw: &str) -> Option<String> {
    let Some(inner) = raw.strip_prefix('"') else {
        return (!raw.contains('"')).then(|| raw.to_owned());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse_str(boundary: &str, body: &str) -> Result<Vec<Part>, MultipartError> {
        parse(boundary, &Bytes::copy_from_slice(body.as_bytes()))
    }

    #[test]
    fn boundaries() {
        assert_eq!(
            boundary_of("multipart/form-data;charset=utf-8;boundary=alipay0123").unwrap(),
            Some("alipay0123".to_owned())
        );
        assert_eq!(
            boundary_of("Multipart/Form-Data; boundary=\"a b\"").unwrap(),
            Some("a b".to_owned())
        );
        assert_eq!(
            boundary_of("application/x-www-form-urlencoded").unwrap(),
            None
        );
        for bad in [
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=a\rb",
            "multipart/form-data; boundary=\"end \"",
        ] {
            assert_eq!(boundary_of(bad), Err(MultipartError::Boundary), "{bad}");
        }
        let long = format!("multipart/form-data; boundary={}", "x".repeat(71));
        assert_eq!(boundary_of(&long), Err(MultipartError::Boundary));
    }

    #[test]
    fn sdk_layout() {
        let body = "\r\n--b\r\nContent-Disposition:form-data;name=\"image_type\"\r\nContent-Type:text/plain\r\n\r\npng\r\n--b\r\nContent-Disposition:form-data;name=\"image_content\";filename=\"a.png\"\r\nContent-Type:application/octet-stream\r\n\r\n\x00\r\n\x01--b\r\n--b--\r\n";
        let parts = parse_str("b", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "image_type");
        assert_eq!(parts[0].filename, None);
        assert_eq!(&parts[0].content[..], b"png");
        assert_eq!(parts[1].name, "image_content");
        assert_eq!(parts[1].filename.as_deref(), Some("a.png"));
        assert_eq!(&parts[1].content[..], b"\x00\r\n\x01--b");
    }

    #[test]
    fn browser_layout() {
        let body = "--XyZ\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ  \r\nCONTENT-DISPOSITION: form-data; name=b; filename=\"q\\\"x.txt\"\r\nContent-Type: text/plain\r\n\r\n\r\n--XyZ--";
        let parts = parse_str("XyZ", body).unwrap();
        assert_eq!(parts[0].name, "a");
        assert_eq!(&parts[0].content[..], b"1");
        assert_eq!(parts[1].name, "b");
        assert_eq!(parts[1].filename.as_deref(), Some("q\"x.txt"));
        assert!(parts[1].content.is_empty());
        assert!(parse_str("XyZ", "--XyZ--\r\n").unwrap().is_empty());
    }

    #[test]
    fn malformed() {
        let cases = [
            ("", MultipartError::NoOpening),
            ("garbage", MultipartError::NoOpening),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx",
                MultipartError::NoClosing,
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b",
                MultipartError::NoClosing,
            ),
            ("--bX\r\n", MultipartError::Delimiter),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\"",
                MultipartError::Headers,
            ),
            (
                "--b\r\nno colon\r\n\r\nx\r\n--b--",
                MultipartError::HeaderLine,
            ),
            (
                "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
                MultipartError::Disposition,
            ),
            (
                "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--",
                MultipartError::Disposition,
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--b--",
                MultipartError::Disposition,
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--",
                MultipartError::Disposition,
            ),
            (
                "--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--b--",
                MultipartError::Disposition,
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(parse_str("b", body), Err(expected), "{body:?}");
        }
        let many = "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n"
            .repeat(MAX_PARTS + 1)
            + "--b--";
        assert_eq!(parse_str("b", &many), Err(MultipartError::TooManyParts));
        let big = format!(
            "--b\r\nX: {}\r\n\r\n\r\n--b--",
            "y".repeat(MAX_PART_HEADERS)
        );
        assert_eq!(parse_str("b", &big), Err(MultipartError::Headers));
    }

    #[test]
    fn never_panics_on_prefixes() {
        let body = "\r\n--b\r\nContent-Disposition:form-data;name=\"k\"\r\n\r\nv\r\n--b\r\nContent-Disposition:form-data;name=\"f\";filename=\"x\"\r\n\r\nzz\r\n--b--\r\n";
        for end in 0..=body.len() {
            let _ = parse_str("b", &body[..end]);
        }
        assert_eq!(parse_str("b", body).unwrap().len(), 2);
    }
}
