//! HTML written and read by the sandbox: escaping for its pages, and reading the forms a
//! browser submits (the SDK's page pay form, the cashier's pay form).

pub(crate) use crate::html::escape;

/// Undoes HTML escaping of text or an attribute value (`&quot;`, `&amp;`, `&lt;`, `&gt;`,
/// `&#39;`, `&apos;`); any other `&` is kept as it is.
pub(crate) fn unescape(text: &str) -> String {
    const ENTITIES: [(&str, char); 6] = [
        ("&quot;", '"'),
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&#39;", '\''),
        ("&apos;", '\''),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
            Some((e, c)) => {
                out.push(*c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A form of a page: where and how it is submitted, and its named inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Form {
    /// The `action` attribute, unescaped.
    pub(crate) action: String,
    /// The `method` attribute, upper case (`GET` when absent).
    pub(crate) method: String,
    /// The `name` and `value` of every `<input>` that has a name, unescaped, in page order.
    pub(crate) inputs: Vec<(String, String)>,
}

/// The first `<form>` of `html`, if it has one with an `action`.
pub(crate) fn first_form(html: &str) -> Option<Form> {
    let start = html.find("<form")?;
    let rest = &html[start..];
    let tag_end = rest.find('>')?;
    let tag = &rest[..tag_end];
    let body = &rest[tag_end..rest.find("</form>").unwrap_or(rest.len())];
    let action = attribute(tag, "action")?;
    let method = attribute(tag, "method").map_or_else(|| "GET".to_owned(), |m| m.to_uppercase());
    let mut inputs = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find("<input") {
        rest = &rest[i..];
        let end = rest.find('>').unwrap_or(rest.len());
        let input = &rest[..end];
        if let Some(name) = attribute(input, "name") {
            inputs.push((name, attribute(input, "value").unwrap_or_default()));
        }
        rest = &rest[end..];
    }
    Some(Form {
        action,
        method,
        inputs,
    })
}

/// The value of attribute `name` (double-quoted) in `tag`, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let value = &tag[start..];
    Some(unescape(&value[..value.find('"')?]))
}

/// The text of the element with `id="<id>"` of `html` (e.g. the `sub_code` of an error page),
/// unescaped.
pub(crate) fn text_of_id(html: &str, id: &str) -> Option<String> {
    let needle = format!("id=\"{id}\"");
    let rest = &html[html.find(&needle)?..];
    let rest = &rest[rest.find('>')? + 1..];
    Some(unescape(&rest[..rest.find('<')?]))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips() {
        let tricky = r#"Tea "<b>&'</b>" 茶 &nbsp;"#;
        let escaped = escape(tricky);
        assert!(!escaped.contains(['<', '>', '"', '\'']), "{escaped}");
        assert_eq!(unescape(&escaped), tricky);
        assert_eq!(unescape("a &apos; &bogus; &"), "a ' &bogus; &");
    }

    #[test]
    fn forms_are_read_like_a_browser() {
        let html = "<p>x</p><form name=\"f\" method=\"post\" action=\"http://h/g?a=1&amp;b=2\">\n\
                    <input type=\"hidden\" name=\"biz_content\" value=\"{&quot;k&quot;:&quot;&lt;v&gt;&quot;}\">\n\
                    <input type=\"submit\" value=\"go\">\n</form><form action=\"/other\"></form>";
        let form = first_form(html).unwrap();
        assert_eq!(form.action, "http://h/g?a=1&b=2");
        assert_eq!(form.method, "POST");
        assert_eq!(
            form.inputs,
            [("biz_content".to_owned(), r#"{"k":"<v>"}"#.to_owned())]
        );
        assert_eq!(first_form("<form method=\"post\">"), None);
        assert_eq!(first_form("no form"), None);
        assert_eq!(
            text_of_id("<span id=\"sub_code\">ACQ.&lt;X&gt;</span>", "sub_code").as_deref(),
            Some("ACQ.<X>")
        );
    }
}
