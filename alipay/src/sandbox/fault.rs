//! Fault injection: answers of the gateway spoiled on purpose, so a client's error handling can be
//! tested against every way a real gateway (or the network in front of it) misbehaves.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The default added latency of [`Fault::Latency`] when the text form gives none (`latency`).
const DEFAULT_LATENCY: Duration = Duration::from_secs(3);
/// The default status of [`Fault::HttpStatus`] (`5xx`).
const DEFAULT_STATUS: u16 = 502;
/// The default size of [`Fault::Oversize`] (`oversize`): 5 MiB, over the client's 4 MiB default.
pub const DEFAULT_OVERSIZE: usize = 5 * 1024 * 1024;
/// The largest body [`Fault::Oversize`] sends (a larger size is sent as this one).
pub const MAX_OVERSIZE: usize = 64 * 1024 * 1024;

/// One way to spoil an answer of `/gateway.do` or of the v3 gateway (`/v3/...`).
///
/// Faults apply to server-to-server calls (JSON answers), not to the pages of the browser flows.
/// Unless said otherwise, the call is carried out as usual (a trade is created, a refund made)
/// and only its answer is spoiled: the client cannot tell whether the request took effect, as
/// with a real outage.
///
/// A v3 call is matched by the method its path names (`/v3/alipay/trade/query`:
/// `alipay.trade.query`). Where a v3 answer differs, the variant says so; over v3 the signature
/// is the `alipay-signature` header (with `alipay-timestamp` and `alipay-nonce`), and an
/// encrypted answer is spoiled before it is encrypted.
///
/// The text form (for [`FromStr`], the CLI's `--fault` and `POST /sandbox/faults`) is given
/// with each variant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The answer is sent after this delay (`latency=MS`, default `latency` = 3000 ms).
    Latency(Duration),
    /// The call is **not** carried out; the answer is this HTTP status (500 to 599; anything
    /// else is sent as 502) with an HTML error page, as a load balancer sends
    /// (`5xx=STATUS`, default `5xx` = 502). Over v3 too, without signature headers: a v3
    /// client reports it as [`Error::V3Unsigned`](crate::Error::V3Unsigned).
    HttpStatus(u16),
    /// The status line, the headers (announcing the whole length) and half of the body are
    /// sent, then the TCP connection is dropped (`reset`).
    ConnectionReset,
    /// The signed answer cut in the middle: not JSON (`truncated`). Over v3 the body is cut and
    /// the signature headers are those of the cut body, so the signature verifies and the
    /// client finds the verified body is not JSON.
    TruncatedJson,
    /// The answer carries a well-formed signature of other content (`bad-sign`): over v3, the
    /// `alipay-signature` header signs the body followed by a space.
    WrongSignature,
    /// The answer has no `sign` (`unsigned`); over v3, no `alipay-signature`,
    /// `alipay-timestamp` or `alipay-nonce` header.
    Unsigned,
    /// The method's node appears twice in the answer (`duplicate`). A v3 body has no method
    /// node: its first field (in key order) appears twice instead, with the same value, and the
    /// body is signed as sent (an empty `{}` body is sent as it is). Two JSON parsers may keep
    /// different copies of a duplicated key, so a client should refuse it.
    DuplicateNode,
    /// The signed answer padded with a JSON field to this many bytes, at most
    /// [`MAX_OVERSIZE`] (`oversize=BYTES`, default `oversize` = 5 MiB); over v3 a `padding`
    /// field in the body object, signed.
    Oversize(usize),
    /// The call is **not** carried out; the answer is a signed business failure
    /// (`40004 ACQ.SYSTEM_ERROR`) whose `sub_msg` `系统繁忙，请稍后再试` is GBK-encoded, the
    /// signature being over the GBK bytes, with `Content-Type: text/html;charset=GBK`, as Alipay
    /// sometimes answers (`gbk`), whatever the request declared. A client of this SDK refuses it
    /// as [`ResponseError::Charset`](crate::ResponseError::Charset): its requests declare UTF-8.
    /// Over v3 the answer is HTTP 422 with the body
    /// `{"code":"ACQ.SYSTEM_ERROR","message":"系统繁忙，请稍后再试"}` in GBK, signed over those
    /// bytes for the app the `Authorization` header names (unsigned when it names none the
    /// sandbox knows); a v3 client refuses it the same way, v3 answers being JSON in UTF-8.
    GbkSubMsg,
}

impl Fault {
    /// Whether the call is answered without being carried out.
    pub(crate) fn skips_call(&self) -> bool {
        matches!(self, Fault::HttpStatus(_) | Fault::GbkSubMsg)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Latency(d) => write!(f, "latency={}", d.as_millis()),
            Fault::HttpStatus(status) => write!(f, "5xx={status}"),
            Fault::ConnectionReset => f.write_str("reset"),
            Fault::TruncatedJson => f.write_str("truncated"),
            Fault::WrongSignature => f.write_str("bad-sign"),
            Fault::Unsigned => f.write_str("unsigned"),
            Fault::DuplicateNode => f.write_str("duplicate"),
            Fault::Oversize(bytes) => write!(f, "oversize={bytes}"),
            Fault::GbkSubMsg => f.write_str("gbk"),
        }
    }
}

/// A fault's text form could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault `{input}`: {reason}")]
pub struct ParseFaultError {
    input: String,
    reason: String,
}

impl ParseFaultError {
    fn new(input: &str, reason: impl Into<String>) -> Self {
        Self {
            input: input.to_owned(),
            reason: reason.into(),
        }
    }
}

/// The kinds of the text form, for error messages.
const KINDS: &str = "latency[=MS], 5xx[=STATUS], reset, truncated, bad-sign, unsigned, duplicate, oversize[=BYTES], gbk";

impl FromStr for Fault {
    type Err = ParseFaultError;

    /// Reads `KIND[=ARG]`, e.g. `latency=1500`, `5xx=503`, `reset`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (kind, arg) = match text.split_once('=') {
            Some((kind, arg)) => (kind, Some(arg)),
            None => (text, None),
        };
        let number = |what: &str| -> Result<Option<u64>, ParseFaultError> {
            arg.map(|a| {
                a.parse::<u64>()
                    .map_err(|_| ParseFaultError::new(text, format!("{what} must be a number")))
            })
            .transpose()
        };
        let no_arg = |fault: Fault| match arg {
            None => Ok(fault),
            Some(_) => Err(ParseFaultError::new(
                text,
                format!("`{kind}` takes no value"),
            )),
        };
        match kind {
            "latency" => Ok(Fault::Latency(
                number("the latency in milliseconds")?
                    .map(Duration::from_millis)
                    .unwrap_or(DEFAULT_LATENCY),
            )),
            "5xx" => {
                let status = number("the status")?.unwrap_or(u64::from(DEFAULT_STATUS));
                match u16::try_from(status) {
                    Ok(status) if (500..=599).contains(&status) => Ok(Fault::HttpStatus(status)),
                    _ => Err(ParseFaultError::new(text, "the status must be 500 to 599")),
                }
            }
            "oversize" => {
                let bytes = number("the size in bytes")?.unwrap_or(DEFAULT_OVERSIZE as u64);
                match usize::try_from(bytes) {
                    Ok(bytes) if bytes <= MAX_OVERSIZE => Ok(Fault::Oversize(bytes)),
                    _ => Err(ParseFaultError::new(
                        text,
                        format!("the size is at most {MAX_OVERSIZE} bytes"),
                    )),
                }
            }
            "reset" => no_arg(Fault::ConnectionReset),
            "truncated" => no_arg(Fault::TruncatedJson),
            "bad-sign" => no_arg(Fault::WrongSignature),
            "unsigned" => no_arg(Fault::Unsigned),
            "duplicate" => no_arg(Fault::DuplicateNode),
            "gbk" => no_arg(Fault::GbkSubMsg),
            _ => Err(ParseFaultError::new(
                text,
                format!("unknown kind; use one of {KINDS}"),
            )),
        }
    }
}

/// Which calls a fault applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// Every call of `/gateway.do` (browser pages excepted) and of the v3 gateway.
    All,
    /// Calls of one method, e.g. `alipay.trade.query`, over v2 or v3 (`/v3/alipay/trade/query`).
    Method(String),
}

impl Scope {
    /// Calls of `method`.
    pub fn method(method: impl Into<String>) -> Self {
        Scope::Method(method.into())
    }

    fn matches(&self, method: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Method(m) => method == Some(m.as_str()),
        }
    }
}

/// A fault, the calls it applies to, and how many more times it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultRule {
    /// The fault.
    pub fault: Fault,
    /// The calls it applies to.
    pub scope: Scope,
    /// How many more calls it spoils: `None` for every call until cleared.
    pub times: Option<u32>,
}

impl FaultRule {
    /// A persistent rule: `fault` applies to every call of `scope` until
    /// [`Sandbox::clear_faults`](super::Sandbox::clear_faults).
    pub fn new(fault: Fault, scope: Scope) -> Self {
        Self {
            fault,
            scope,
            times: None,
        }
    }

    /// Applies to the next `n` matching calls only (`n = 1`: one-shot).
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Reads the CLI form `KIND[=ARG][:METHOD]`, e.g. `reset:alipay.trade.query`: a persistent
    /// rule for that method, or for every call without `:METHOD`.
    pub fn parse_cli(text: &str) -> Result<Self, ParseFaultError> {
        let (fault, scope) = match text.split_once(':') {
            Some((fault, method)) if !method.is_empty() => (fault, Scope::method(method)),
            Some(_) => return Err(ParseFaultError::new(text, "the method after `:` is empty")),
            None => (text, Scope::All),
        };
        Ok(Self::new(fault.parse()?, scope))
    }

    /// The rule as a JSON object: `{"fault":"reset","method":null,"times":1}`.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let method = match &self.scope {
            Scope::All => None,
            Scope::Method(m) => Some(m.as_str()),
        };
        serde_json::json!({ "fault": self.fault.to_string(), "method": method, "times": self.times })
    }
}

/// A rule as `POST /sandbox/faults` takes it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleSpec {
    fault: String,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    times: Option<u32>,
}

impl RuleSpec {
    pub(crate) fn into_rule(self) -> Result<FaultRule, ParseFaultError> {
        let scope = match self.method {
            Some(method) if !method.is_empty() => Scope::Method(method),
            _ => Scope::All,
        };
        Ok(FaultRule {
            fault: self.fault.parse()?,
            scope,
            times: self.times,
        })
    }
}

/// The rules in force, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: Vec<FaultRule>,
}

impl Faults {
    pub(crate) fn add(&mut self, rule: FaultRule) {
        if rule.times != Some(0) {
            self.rules.push(rule);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    pub(crate) fn list(&self) -> Vec<FaultRule> {
        self.rules.clone()
    }

    /// The fault of the first rule matching `method`, counting one use of it.
    pub(crate) fn take(&mut self, method: Option<&str>) -> Option<Fault> {
        if self.rules.is_empty() {
            return None;
        }
        let index = self.rules.iter().position(|r| r.scope.matches(method))?;
        let rule = self.rules.get_mut(index)?;
        let fault = rule.fault.clone();
        if let Some(times) = &mut rule.times {
            *times = times.saturating_sub(1);
            if *times == 0 {
                self.rules.remove(index);
            }
        }
        Some(fault)
    }
}

/// `系统繁忙，请稍后再试` in GBK, from a table of just these characters (no encoding crate).
pub(crate) fn gbk_busy_message() -> Vec<u8> {
    const TABLE: [(char, [u8; 2]); 10] = [
        ('系', [0xCF, 0xB5]),
        ('统', [0xCD, 0xB3]),
        ('繁', [0xB7, 0xB1]),
        ('忙', [0xC3, 0xA6]),
        ('，', [0xA3, 0xAC]),
        ('请', [0xC7, 0xEB]),
        ('稍', [0xC9, 0xD4]),
        ('后', [0xBA, 0xF3]),
        ('再', [0xD4, 0xD9]),
        ('试', [0xCA, 0xD4]),
    ];
    "系统繁忙，请稍后再试"
        .chars()
        .flat_map(|c| {
            TABLE
                .iter()
                .find(|(k, _)| *k == c)
                .map(|(_, bytes)| *bytes)
                .unwrap_or([b'?', b'?'])
        })
        .collect()
}

/// The HTML page a load balancer in front of the gateway answers with.
pub(crate) fn error_page(status: u16, reason: &str) -> String {
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{status} {reason}</h1></center>\r\n<hr><center>Tengine</center>\r\n\
         </body>\r\n</html>\r\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for text in [
            "latency=1500",
            "5xx=503",
            "reset",
            "truncated",
            "bad-sign",
            "unsigned",
            "duplicate",
            "oversize=100",
            "gbk",
        ] {
            let fault: Fault = text.parse().expect(text);
            assert_eq!(fault.to_string(), text);
        }
        assert_eq!(
            "latency".parse::<Fault>(),
            Ok(Fault::Latency(DEFAULT_LATENCY))
        );
        assert_eq!("5xx".parse::<Fault>(), Ok(Fault::HttpStatus(502)));
        assert_eq!(
            "oversize".parse::<Fault>(),
            Ok(Fault::Oversize(DEFAULT_OVERSIZE))
        );
        for bad in [
            "",
            "5xx=404",
            "latency=soon",
            "reset=1",
            "boom",
            "oversize=99999999999",
        ] {
            assert!(bad.parse::<Fault>().is_err(), "{bad}");
        }
        let rule = FaultRule::parse_cli("reset:alipay.trade.query").expect("rule");
        assert_eq!(rule.scope, Scope::method("alipay.trade.query"));
        assert_eq!(rule.times, None);
        assert!(FaultRule::parse_cli("reset:").is_err());
        assert_eq!(
            FaultRule::parse_cli("gbk")
                .expect("rule")
                .to_json()
                .to_string(),
            r#"{"fault":"gbk","method":null,"times":null}"#
        );
    }

    #[test]
    fn rules_match_in_order_and_run_out() {
        let mut faults = Faults::default();
        faults.add(FaultRule::new(Fault::Unsigned, Scope::method("a")).times(2));
        faults.add(FaultRule::new(Fault::ConnectionReset, Scope::All));
        assert_eq!(faults.take(Some("b")), Some(Fault::ConnectionReset));
        assert_eq!(faults.take(Some("a")), Some(Fault::Unsigned));
        assert_eq!(faults.take(Some("a")), Some(Fault::Unsigned));
        assert_eq!(faults.take(Some("a")), Some(Fault::ConnectionReset));
        assert_eq!(faults.list().len(), 1);
        faults.clear();
        assert_eq!(faults.take(None), None);
    }

    #[test]
    fn gbk_table() {
        assert_eq!(
            gbk_busy_message(),
            [
                0xCF, 0xB5, 0xCD, 0xB3, 0xB7, 0xB1, 0xC3, 0xA6, 0xA3, 0xAC, 0xC7, 0xEB, 0xC9, 0xD4,
                0xBA, 0xF3, 0xD4, 0xD9, 0xCA, 0xD4
            ]
        );
    }
}
