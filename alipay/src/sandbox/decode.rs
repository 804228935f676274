//! Decoding a gateway request: the query string, then a form or `multipart/form-data` body,
//! into its parameters and file parts; a malformed request is a [`Failure`].

use bytes::Bytes;

use super::ReceivedFile;
use super::multipart;
use super::wire::Failure;
use crate::wire::{FormError, form_decode};

/// A decoded request: its parameters (`sign` included) and its file parts.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub(crate) params: Vec<(String, String)>,
    pub(crate) files: Vec<ReceivedFile>,
}

/// Query parameters, then body parameters (a form, or the text parts of a multipart body). A key
/// in both the query and a form body is a duplicate; a multipart text part may repeat a query
/// parameter with the same value.
pub(crate) fn decode_params(
    query: &str,
    content_type: Option<&str>,
    body: &Bytes,
) -> Result<Decoded, Failure> {
    let mut params = form_decode(query.as_bytes()).map_err(form_failure)?;
    let boundary = match content_type.map(multipart::boundary_of) {
        Some(Ok(boundary)) => boundary,
        Some(Err(e)) => return Err(multipart_failure(&e)),
        None => None,
    };
    if let Some(boundary) = boundary {
        let parts = multipart::parse(&boundary, body).map_err(|e| multipart_failure(&e))?;
        return merge_parts(params, parts);
    }
    if body.is_empty() {
        return Ok(Decoded {
            params,
            files: Vec::new(),
        });
    }
    let is_form = content_type.is_none_or(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if !is_form {
        return Err(Failure::invalid(
            "isv.invalid-content-type",
            "不支持的Content-Type，请使用application/x-www-form-urlencoded或multipart/form-data",
        ));
    }
    for (key, value) in form_decode(body).map_err(form_failure)? {
        if params.iter().any(|(existing, _)| *existing == key) {
            return Err(form_failure(FormError::DuplicateKey(key)));
        }
        params.push((key, value));
    }
    Ok(Decoded {
        params,
        files: Vec::new(),
    })
}

/// Adds the text parts of a multipart body to the query parameters and keeps the files.
fn merge_parts(
    mut params: Vec<(String, String)>,
    parts: Vec<multipart::Part>,
) -> Result<Decoded, Failure> {
    let query_len = params.len();
    let mut files = Vec::new();
    for part in parts {
        if let Some(filename) = part.filename {
            files.push(ReceivedFile {
                field: part.name,
                filename,
                content: part.content,
            });
            continue;
        }
        let Ok(value) = String::from_utf8(part.content.to_vec()) else {
            return Err(form_failure(FormError::NotUtf8(part.name)));
        };
        match params.iter().position(|(k, _)| *k == part.name) {
            // The same parameter in the query and in a part, with the same value: one parameter.
            Some(i) if i < query_len && params.get(i).is_some_and(|(_, v)| *v == value) => {}
            Some(i) if i < query_len => {
                return Err(Failure::invalid(
                    "isv.invalid-parameter",
                    format!("参数{}在URL和multipart中的值不一致", part.name),
                ));
            }
            Some(_) => return Err(form_failure(FormError::DuplicateKey(part.name))),
            None => params.push((part.name, value)),
        }
    }
    Ok(Decoded { params, files })
}

/// A multipart body that does not parse, as the gateway refuses it.
fn multipart_failure(error: &multipart::MultipartError) -> Failure {
    Failure::invalid(
        "isv.invalid-parameter",
        format!("multipart/form-data格式错误: {error}"),
    )
}

/// A form that does not decode, as the gateway refuses it.
pub(crate) fn form_failure(error: FormError) -> Failure {
    match error {
        FormError::DuplicateKey(key) => {
            Failure::invalid("isv.invalid-parameter", format!("参数{key}重复出现"))
        }
        FormError::NotUtf8(key) => Failure::invalid(
            "isv.invalid-charset",
            format!("字符集错误，参数{key}不是UTF-8编码"),
        ),
        FormError::BadPercent(key) => {
            Failure::invalid("isv.invalid-parameter", format!("参数{key}的URL编码不正确"))
        }
        // The gateway decodes requests as UTF-8 and reads forms only, so neither comes up.
        FormError::NotGbk(key) => Failure::invalid(
            "isv.invalid-charset",
            format!("字符集错误，参数{key}不是GBK编码"),
        ),
        FormError::NotForm(what) => Failure::invalid(
            "isv.invalid-parameter",
            format!("请求体不是表单格式: {what}"),
        ),
    }
}

/// A non-empty parameter.
pub(crate) fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}
