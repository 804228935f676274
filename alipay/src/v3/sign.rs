//! Signing a v3 request as Alipay verifies it: the `authString`, the signed content, the
//! `Authorization` header and the random `nonce` and `alipay-request-id`; and reading an
//! `Authorization` header back, as a gateway does (the sandbox's v3 side).
//!
//! See <https://opendocs.alipay.com/open-v3/054kaq> (v3 签名规则).

use std::fmt::Write as _;

use super::route::Prepared;

/// The scheme word of the `Authorization` header.
pub const SCHEME: &str = "ALIPAY-SHA256withRSA";
/// The header naming the request, a fresh random id per call.
pub const REQUEST_ID_HEADER: &str = "alipay-request-id";
/// The header carrying the merchant's token of an ISV call.
pub const APP_AUTH_TOKEN_HEADER: &str = "alipay-app-auth-token";
/// The header naming the Alipay root certificate in certificate mode.
pub const ROOT_CERT_SN_HEADER: &str = "alipay-root-cert-sn";

/// The `authString`: `app_id=…[,app_cert_sn=…],nonce=…,timestamp=…[,expired_seconds=…]`.
///
/// `timestamp_ms` is milliseconds since the Unix epoch; `expired_seconds`, when given, is how
/// long Alipay accepts the signature (its own default window otherwise).
pub fn auth_string(
    app_id: &str,
    app_cert_sn: Option<&str>,
    nonce: &str,
    timestamp_ms: u64,
    expired_seconds: Option<u32>,
) -> String {
    let mut out = String::with_capacity(96);
    out.push_str("app_id=");
    out.push_str(app_id);
    if let Some(sn) = app_cert_sn {
        out.push_str(",app_cert_sn=");
        out.push_str(sn);
    }
    out.push_str(",nonce=");
    out.push_str(nonce);
    let _infallible = write!(out, ",timestamp={timestamp_ms}");
    if let Some(seconds) = expired_seconds {
        let _infallible = write!(out, ",expired_seconds={seconds}");
    }
    out
}

/// The content signed for a request: `authString\nMETHOD\npath?query\nbody\n`, followed by
/// `app_auth_token\n` when the call carries one.
pub fn sign_content(auth_string: &str, prepared: &Prepared) -> String {
    content(
        auth_string,
        prepared.verb.as_str(),
        &prepared.uri,
        &prepared.body,
        prepared.app_auth_token.as_deref(),
    )
}

/// [`sign_content`] from its parts, for a gateway checking what it received.
pub fn content(
    auth_string: &str,
    verb: &str,
    uri: &str,
    body: &str,
    app_auth_token: Option<&str>,
) -> String {
    let token_len = app_auth_token.map_or(0, |t| t.len() + 1);
    let mut out = String::with_capacity(
        auth_string.len() + verb.len() + uri.len() + body.len() + token_len + 4,
    );
    for line in [auth_string, verb, uri, body] {
        out.push_str(line);
        out.push('\n');
    }
    if let Some(token) = app_auth_token {
        out.push_str(token);
        out.push('\n');
    }
    out
}

/// The `Authorization` header: `ALIPAY-SHA256withRSA {authString},sign={signature}`.
pub fn authorization(auth_string: &str, signature: &str) -> String {
    let mut out = String::with_capacity(SCHEME.len() + auth_string.len() + signature.len() + 7);
    for part in [SCHEME, " ", auth_string, ",sign=", signature] {
        out.push_str(part);
    }
    out
}

/// A fresh random nonce or request id: 32 lower-case hex digits (a UUID's 128 bits without
/// dashes), from the operating system's random source.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes);
    lower_hex(&bytes)
}

/// Two fresh random ids such as [`random_id`]'s (a request's nonce and its request id) from one
/// draw of the random source.
pub fn random_id_pair() -> (String, String) {
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes);
    let (first, second) = bytes.split_at(16);
    (lower_hex(first), lower_hex(second))
}

/// Fills `bytes` from the operating system's random source. That fails only when the system
/// has none; the bytes then come from the time, which keeps an id unique enough for a nonce
/// without ever panicking.
fn fill_random(bytes: &mut [u8]) {
    if aws_lc_rs::rand::fill(bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        for (i, chunk) in bytes.chunks_mut(16).enumerate() {
            let n = nanos.wrapping_add(i as u128).to_le_bytes();
            chunk.copy_from_slice(&n[..chunk.len()]);
        }
    }
}

/// `bytes` as lower-case hex digits.
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// An `Authorization` header read back (by a gateway).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Authorization {
    /// The `authString` exactly as received (the first line of the signed content).
    pub auth_string: String,
    /// `app_id`.
    pub app_id: String,
    /// `app_cert_sn`, in certificate mode.
    pub app_cert_sn: Option<String>,
    /// `nonce`.
    pub nonce: String,
    /// `timestamp`, milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// `expired_seconds`, when given.
    pub expired_seconds: Option<u64>,
    /// The base64 signature.
    pub sign: String,
}

impl Authorization {
    /// Reads `ALIPAY-SHA256withRSA k=v,…,sign=…`; the error says what is wrong. Keys may come in
    /// any order; `app_id`, `nonce`, `timestamp` and `sign` are required, and a key given twice
    /// is refused.
    pub fn parse(header: &str) -> Result<Self, String> {
        let rest = header
            .strip_prefix(SCHEME)
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or_else(|| format!("the Authorization header does not start with `{SCHEME} `"))?;
        let (auth_string, sign) = rest
            .rsplit_once(",sign=")
            .ok_or("the Authorization header has no `,sign=`")?;
        if sign.is_empty() {
            return Err("the Authorization header's `sign` is empty".to_owned());
        }
        let mut app_id = None;
        let mut app_cert_sn = None;
        let mut nonce = None;
        let mut timestamp = None;
        let mut expired = None;
        for pair in auth_string.split(',') {
            let (key, value) = pair.split_once('=').ok_or_else(|| {
                format!("`{pair}` in the Authorization header is not `key=value`")
            })?;
            let slot = match key {
                "app_id" => &mut app_id,
                "app_cert_sn" => &mut app_cert_sn,
                "nonce" => &mut nonce,
                "timestamp" => &mut timestamp,
                "expired_seconds" => &mut expired,
                other => return Err(format!("unknown key `{other}` in the Authorization header")),
            };
            if slot.replace(value).is_some() {
                return Err(format!(
                    "`{key}` is given twice in the Authorization header"
                ));
            }
        }
        let required = |value: Option<&str>, key: &str| {
            value
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| format!("the Authorization header has no `{key}`"))
        };
        let number = |value: &str, key: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("`{key}` in the Authorization header is not a number"))
        };
        let timestamp_text = required(timestamp, "timestamp")?;
        Ok(Self {
            auth_string: auth_string.to_owned(),
            app_id: required(app_id, "app_id")?,
            app_cert_sn: app_cert_sn.map(str::to_owned),
            nonce: required(nonce, "nonce")?,
            timestamp_ms: number(&timestamp_text, "timestamp")?,
            expired_seconds: expired.map(|e| number(e, "expired_seconds")).transpose()?,
            sign: sign.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v3::Verb;

    #[test]
    fn content_has_a_newline_after_every_line() {
        let prepared = Prepared {
            verb: Verb::Get,
            uri: "/v3/a?b=c".to_owned(),
            body: String::new(),
            app_auth_token: Some("tok".to_owned()),
        };
        let auth = auth_string("2021", Some("sn"), "n1", 1_700_000_000_000, Some(120));
        assert_eq!(
            auth,
            "app_id=2021,app_cert_sn=sn,nonce=n1,timestamp=1700000000000,expired_seconds=120"
        );
        assert_eq!(
            sign_content(&auth, &prepared),
            format!("{auth}\nGET\n/v3/a?b=c\n\ntok\n")
        );
    }

    #[test]
    fn the_header_reads_back() {
        let auth = auth_string("2021", None, "n1", 17, None);
        let parsed = Authorization::parse(&authorization(&auth, "c2ln")).expect("parsed");
        assert_eq!(parsed.auth_string, auth);
        assert_eq!((parsed.app_id.as_str(), parsed.timestamp_ms), ("2021", 17));
        assert_eq!(parsed.sign, "c2ln");
        for bad in [
            "Bearer x",
            "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=1",
            "ALIPAY-SHA256withRSA app_id=1,nonce=n,timestamp=x,sign=s",
            "ALIPAY-SHA256withRSA app_id=1,app_id=2,nonce=n,timestamp=1,sign=s",
            "ALIPAY-SHA256withRSA nonce=n,timestamp=1,sign=s",
        ] {
            assert!(Authorization::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_are_fresh_hex() {
        let (c, d) = random_id_pair();
        let ids = [random_id(), random_id(), c, d];
        for id in &ids {
            assert_eq!(id.len(), 32, "{id}");
            assert!(
                id.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
                "{id}"
            );
        }
        for (i, id) in ids.iter().enumerate() {
            assert!(!ids[i + 1..].contains(id), "{id} twice");
        }
        assert_eq!(lower_hex(&[0x00, 0x9f, 0xa0, 0xff]), "009fa0ff");
    }
}
