//! The error body of a v3 answer with an error status (`{"code", "message", "links"}`), as
//! Alipay signs it; see <https://opendocs.alipay.com/open-v3/> (公共错误码).

use std::fmt;

use serde::Deserialize;

/// A **signed** v3 error answer: the HTTP status, Alipay's `code` and `message`, its `links`
/// and the `alipay-trace-id` to quote to Alipay's support. Its signature verified, so it is
/// Alipay's word: the request reached Alipay and was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct V3Error {
    /// The HTTP status, e.g. 400.
    pub status: u16,
    /// The error code, e.g. `INVALID_PARAMETER` or `ACQ.TRADE_NOT_EXIST`.
    pub code: String,
    /// The error message.
    pub message: String,
    /// Where Alipay documents the error (`links`: a string or an array in the answers).
    pub links: Vec<V3Link>,
    /// The `alipay-trace-id` header, if present.
    pub trace_id: Option<String>,
}

/// One entry of a v3 error's `links`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct V3Link {
    /// The URL.
    pub link: String,
    /// Its description, when Alipay gives one.
    pub desc: Option<String>,
}

impl fmt::Display for V3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} {}: {}", self.status, self.code, self.message)?;
        if let Some(trace_id) = &self.trace_id {
            write!(f, " (trace id {trace_id})")?;
        }
        Ok(())
    }
}

impl V3Error {
    /// Reads a verified error body; `None` when it is not a JSON object with a `code`.
    pub(crate) fn parse(status: u16, body: &[u8], trace_id: Option<String>) -> Option<Self> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Links {
            One(String),
            Many(Vec<Link>),
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Link {
            Text(String),
            Object {
                link: String,
                #[serde(default)]
                desc: Option<String>,
            },
        }
        #[derive(Deserialize)]
        struct Body {
            code: String,
            #[serde(default)]
            message: String,
            #[serde(default)]
            links: Option<Links>,
        }
        let body: Body = serde_json::from_slice(body).ok()?;
        let links = match body.links {
            None => Vec::new(),
            Some(Links::One(link)) => vec![V3Link { link, desc: None }],
            Some(Links::Many(links)) => links
                .into_iter()
                .map(|link| match link {
                    Link::Text(link) => V3Link { link, desc: None },
                    Link::Object { link, desc } => V3Link { link, desc },
                })
                .collect(),
        };
        Some(Self {
            status,
            code: body.code,
            message: body.message,
            links,
            trace_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_a_string_or_an_array() {
        let one = V3Error::parse(400, br#"{"code":"A","message":"m","links":"u"}"#, None)
            .expect("parsed");
        assert_eq!(
            one.links,
            vec![V3Link {
                link: "u".into(),
                desc: None
            }]
        );
        let many = V3Error::parse(
            400,
            br#"{"code":"A","message":"m","links":[{"link":"u","desc":"d"},"v"]}"#,
            Some("t".into()),
        )
        .expect("parsed");
        assert_eq!(many.links.len(), 2);
        assert_eq!(many.links[0].desc.as_deref(), Some("d"));
        assert_eq!(many.to_string(), "HTTP 400 A: m (trace id t)");
        assert!(V3Error::parse(500, b"<html>", None).is_none());
    }
}
