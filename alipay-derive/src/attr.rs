//! Reading the `#[alipay(...)]` attributes of the struct and of its fields, and peeking at the
//! field `#[serde(...)]` attributes that are forwarded to the `biz_content` serializer.
//!
//! Every key is parsed with [`syn::meta::ParseNestedMeta`]. A mistake in one key is recorded in
//! the [`Ctxt`] and parsing goes on with the next key, so that all mistakes are reported at once.

use proc_macro2::{Span, TokenTree};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::{Attribute, Ident, Lit, LitStr, Path, Token, Type};

use crate::ctxt::Ctxt;

/// The keys of `#[alipay(...)]` on the struct, as written.
pub(crate) struct ContainerAttrs {
    /// `method = "alipay.trade.refund"`, already validated (`None` if missing or invalid).
    pub(crate) method: Option<LitStr>,
    /// `response = Type`.
    pub(crate) response: Option<Type>,
    /// `local`, with the span of the keyword.
    pub(crate) local: Option<Span>,
    /// `upload`, with the span of the keyword.
    pub(crate) upload: Option<Span>,
    /// `fixed_biz(key = value, ...)`: constant `biz_content` fields.
    pub(crate) fixed_biz: Vec<Fixed>,
    /// `fixed_text(key = "value", ...)`: constant top-level text parameters.
    pub(crate) fixed_text: Vec<Fixed>,
    /// `v3 = "VERB /v3/path"`, already validated (`None` if missing or invalid).
    pub(crate) v3: Option<V3Route>,
    /// Whether a `v3` key was written (valid or not).
    pub(crate) v3_seen: bool,
    /// `crate = path`: where the `alipay` crate is (`::alipay` by default).
    pub(crate) krate: Path,
}

/// The OpenAPI v3 route of `v3 = "POST /v3/alipay/trade/query"`.
pub(crate) struct V3Route {
    /// The verb's variant name in `alipay::v3::Verb`, e.g. `Post`.
    pub(crate) verb: &'static str,
    /// The path template, e.g. `/v3/alipay/marketing/activity/{activity_id}`.
    pub(crate) path: String,
    /// The `{name}` placeholders of the path, in order.
    pub(crate) placeholders: Vec<String>,
    /// The span of the literal, for the mistakes found later (a placeholder without a field).
    pub(crate) span: Span,
}

/// A constant parameter from `fixed_biz(...)` or `fixed_text(...)`.
pub(crate) struct Fixed {
    /// The parameter name, e.g. `product_code`.
    pub(crate) key: String,
    /// The value literal: a string, or for `fixed_biz` also a boolean or an integer.
    pub(crate) value: Lit,
}

/// The role of a field in the request.
pub(crate) enum Role {
    /// A `biz_content` field (no `text` or `file` key).
    Biz,
    /// `text` or `text = "name"`: a top-level text parameter.
    Text {
        /// The parameter name.
        name: String,
        /// The span of the `text` key.
        span: Span,
    },
    /// `file` or `file = "name"`: a multipart file part.
    File {
        /// The form field name.
        name: String,
        /// The span of the `file` key.
        span: Span,
    },
}

/// The keys of `#[alipay(...)]` on a field, and the field's `#[serde(...)]` attributes.
pub(crate) struct FieldAttrs {
    /// Where the field goes.
    pub(crate) role: Role,
    /// `default`: optional in the builder, `Default::default()` when not set.
    pub(crate) default: bool,
    /// `path`: a `biz_content` field that fills the `{name}` placeholder of the v3 path, with
    /// the span of the key.
    pub(crate) path: Option<Span>,
    /// The field's `#[serde(...)]` attributes, forwarded as they are to the `biz_content`
    /// serializer.
    pub(crate) serde: Vec<Attribute>,
    /// What the forwarded serde attributes already do.
    pub(crate) serde_keys: SerdeKeys,
}

/// The serde field keys that change the code this derive generates.
#[derive(Default)]
pub(crate) struct SerdeKeys {
    /// `skip_serializing_if` is set: no automatic `Option::is_none` is added.
    pub(crate) skip_serializing_if: bool,
    /// `skip`, `skip_serializing`, `serialize_with` or `with`: the field type itself need not
    /// implement `Serialize`, so no bound is added for it.
    pub(crate) no_serialize_bound: bool,
}

/// The keys seen so far in one `#[alipay(...)]` scope, to report duplicates.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    /// Records `key`; reports a duplicate (spanned on this second occurrence) and returns
    /// `false` if it was seen before.
    fn first(&mut self, cx: &Ctxt, path: &Path, key: &str) -> bool {
        if self.0.iter().any(|k| k == key) {
            cx.error_spanned_by(path, format_args!("duplicate alipay attribute `{key}`"));
            false
        } else {
            self.0.push(key.to_owned());
            true
        }
    }
}

/// The name of a key as written (`r#type` → `type`).
fn key_name(path: &Path) -> String {
    let name = path.to_token_stream().to_string().replace(' ', "");
    name.strip_prefix("r#").map(str::to_owned).unwrap_or(name)
}

/// Parses `#[alipay(...)]` on the struct. Always returns the attributes read so far; mistakes
/// go to `cx`. `fallback_span` is where to report a missing key when there is no attribute.
pub(crate) fn container(cx: &Ctxt, attrs: &[Attribute], fallback_span: Span) -> ContainerAttrs {
    let mut out = ContainerAttrs {
        method: None,
        response: None,
        local: None,
        upload: None,
        fixed_biz: Vec::new(),
        fixed_text: Vec::new(),
        v3: None,
        v3_seen: false,
        krate: syn::parse_quote!(::alipay),
    };
    let mut seen = Seen::default();
    let mut method_seen = false;
    let mut kind_seen = false;
    let mut missing_span = fallback_span;

    for attr in attrs.iter().filter(|a| a.path().is_ident("alipay")) {
        missing_span = attr.path().get_ident().map_or(missing_span, Ident::span);
        let result = attr.parse_nested_meta(|meta| {
            let key = key_name(&meta.path);
            let first = match key.as_str() {
                "method" | "response" | "local" | "upload" | "fixed_biz" | "fixed_text" | "v3"
                | "crate" => seen.first(cx, &meta.path, &key),
                _ => {
                    cx.error_spanned_by(
                        &meta.path,
                        format_args!(
                            "unknown alipay attribute `{key}` (expected `method`, `response`, \
                             `local`, `upload`, `fixed_biz`, `fixed_text`, `v3` or `crate`)"
                        ),
                    );
                    return skip_value(&meta);
                }
            };
            match key.as_str() {
                "method" => {
                    method_seen = true;
                    let lit: LitStr = meta.value()?.parse()?;
                    if first && check_method(cx, &lit) {
                        out.method = Some(lit);
                    }
                }
                "response" => {
                    kind_seen = true;
                    let ty: Type = meta.value()?.parse()?;
                    if first {
                        if out.local.is_some() {
                            cx.error_spanned_by(&meta.path, BOTH_KINDS);
                        }
                        out.response = Some(ty);
                    }
                }
                "local" => {
                    kind_seen = true;
                    flag(&meta)?;
                    if first {
                        if out.response.is_some() {
                            cx.error_spanned_by(&meta.path, BOTH_KINDS);
                        }
                        out.local = Some(span_of(&meta.path));
                    }
                }
                "upload" => {
                    flag(&meta)?;
                    if first {
                        out.upload = Some(span_of(&meta.path));
                    }
                }
                "fixed_biz" => {
                    let fixed = fixed_list(cx, &meta, true)?;
                    if first {
                        out.fixed_biz = fixed;
                    }
                }
                "fixed_text" => {
                    let fixed = fixed_list(cx, &meta, false)?;
                    if first {
                        out.fixed_text = fixed;
                    }
                }
                "v3" => {
                    out.v3_seen = true;
                    let lit: LitStr = meta.value()?.parse()?;
                    if first {
                        out.v3 = check_v3(cx, &lit);
                    }
                }
                "crate" => {
                    let input = meta.value()?;
                    let path = if input.peek(LitStr) {
                        input.parse::<LitStr>()?.parse::<Path>()?
                    } else {
                        Path::parse_mod_style(input)?
                    };
                    if first {
                        out.krate = path;
                    }
                }
                _ => unreachable!("unknown keys are handled above"),
            }
            Ok(())
        });
        if let Err(error) = result {
            cx.push(error);
        }
    }

    if !method_seen {
        cx.error(
            missing_span,
            "missing `#[alipay(method = \"...\")]`: the Alipay method name, e.g. \
             `alipay.trade.query`",
        );
    }
    if !kind_seen {
        cx.error(
            missing_span,
            "expected `response = Type` for a request sent to the gateway, or `local` for one \
             rendered locally",
        );
    }
    if let (Some(upload), Some(_)) = (out.upload, out.local) {
        cx.error(
            upload,
            "an `upload` request is sent to the gateway: it needs `response = Type`, not `local`",
        );
    }
    if let (Some(local), Some(_)) = (out.local, &out.v3) {
        cx.error(
            local,
            "a `local` request is rendered for a browser or the Alipay app and exists only on \
             OpenAPI v2: it cannot have a `v3` route",
        );
    }
    out
}

/// The HTTP verbs of OpenAPI v3 and their variant names in `alipay::v3::Verb`.
const VERBS: [(&str, &str); 5] = [
    ("GET", "Get"),
    ("POST", "Post"),
    ("PUT", "Put"),
    ("PATCH", "Patch"),
    ("DELETE", "Delete"),
];

/// Validates `v3 = "VERB /v3/path"`; reports and returns `None` when it is not one.
fn check_v3(cx: &Ctxt, lit: &LitStr) -> Option<V3Route> {
    let text = lit.value();
    let span = lit.span();
    let Some((verb, path)) = text.split_once(' ') else {
        cx.error(
            span,
            format_args!(
                "invalid v3 route `{text}`: expected the HTTP verb, one space and the path, \
                 like `POST /v3/alipay/trade/query`"
            ),
        );
        return None;
    };
    let Some(&(_, variant)) = VERBS.iter().find(|(name, _)| *name == verb) else {
        cx.error(
            span,
            format_args!(
                "unknown HTTP verb `{verb}` in the v3 route: expected GET, POST, PUT, PATCH or \
                 DELETE"
            ),
        );
        return None;
    };
    if !path.starts_with("/v3/") {
        cx.error(
            span,
            format_args!("the v3 path `{path}` must start with `/v3/`"),
        );
        return None;
    }
    let mut placeholders = Vec::new();
    let mut rest = path;
    let mut valid = true;
    while let Some(open) = rest.find(['{', '}']) {
        let after = &rest[open + 1..];
        let close = after.find('}');
        let name = close.map(|close| &after[..close]);
        match name {
            Some(name)
                if rest.as_bytes()[open] == b'{'
                    && !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
            {
                placeholders.push(name.to_owned());
                rest = &after[name.len() + 1..];
            }
            _ => {
                valid = false;
                break;
            }
        }
    }
    let segments_valid = path[1..].split('/').all(|segment| {
        !segment.is_empty()
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.{}".contains(&b))
    });
    if !valid || !segments_valid {
        cx.error(
            span,
            format_args!(
                "invalid v3 path `{path}`: expected `/`-separated segments of letters, digits, \
                 `_`, `-` and `.`, with `{{field}}` placeholders naming snake_case fields"
            ),
        );
        return None;
    }
    Some(V3Route {
        verb: variant,
        path: path.to_owned(),
        placeholders,
        span,
    })
}

/// The message for `response` combined with `local`.
const BOTH_KINDS: &str = "`response` and `local` cannot be combined: a request is either sent \
                          to the gateway (`response = Type`) or rendered locally (`local`)";

/// Validates a method name literal; reports and returns `false` when it is not one.
fn check_method(cx: &Ctxt, lit: &LitStr) -> bool {
    let name = lit.value();
    let valid = name.split('.').count() > 1
        && name.split('.').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !valid {
        cx.error(
            lit.span(),
            format_args!(
                "invalid Alipay method name `{name}`: expected dot-separated lowercase words \
                 like `alipay.trade.query`"
            ),
        );
    }
    valid
}

/// The span of a key (its first token).
fn span_of(path: &Path) -> Span {
    path.segments
        .first()
        .map_or_else(Span::call_site, |s| s.ident.span())
}

/// Checks that a flag key (`local`, `upload`, `default`) has no value.
fn flag(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        Ok(())
    } else {
        let key = key_name(&meta.path);
        Err(meta.error(format_args!("`{key}` takes no value: write `{key}` alone")))
    }
}

/// Parses `fixed_biz(key = value, ...)` or `fixed_text(key = "value", ...)`.
fn fixed_list(cx: &Ctxt, meta: &ParseNestedMeta<'_>, biz: bool) -> syn::Result<Vec<Fixed>> {
    let list = if biz { "fixed_biz" } else { "fixed_text" };
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format_args!("expected `{list}(key = \"value\", ...)`")));
    }
    let mut fixed: Vec<Fixed> = Vec::new();
    meta.parse_nested_meta(|item| {
        let key = key_name(&item.path);
        let span = span_of(&item.path);
        let value: Lit = item.value()?.parse()?;
        let accepted = match &value {
            Lit::Str(_) => true,
            Lit::Bool(_) | Lit::Int(_) => biz,
            _ => false,
        };
        if !accepted {
            let expected = if biz {
                "a string, boolean or integer literal"
            } else {
                "a string literal"
            };
            cx.error_spanned_by(&value, format_args!("expected {expected}"));
        } else if let Lit::Int(int) = &value
            && let Err(error) = int.base10_parse::<i64>()
        {
            cx.push(error);
        } else if fixed.iter().any(|f| f.key == key) {
            cx.error(span, format_args!("duplicate `{list}` key `{key}`"));
        } else {
            fixed.push(Fixed { key, value });
        }
        Ok(())
    })?;
    Ok(fixed)
}

/// Skips the value of an unknown key (`= tokens` up to the next top-level comma, or a
/// parenthesized list), so that the keys after it are still read.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    let input: ParseStream<'_> = meta.input;
    if input.peek(syn::token::Paren) {
        input.parse::<proc_macro2::Group>()?;
        return Ok(());
    }
    if input.parse::<Option<Token![=]>>()?.is_none() {
        return Ok(());
    }
    input.step(|cursor| {
        let mut rest = *cursor;
        let mut angle_depth = 0usize;
        while let Some((tree, next)) = rest.token_tree() {
            if let TokenTree::Punct(punct) = &tree {
                match punct.as_char() {
                    ',' if angle_depth == 0 => break,
                    '<' => angle_depth += 1,
                    '>' => angle_depth = angle_depth.saturating_sub(1),
                    _ => {}
                }
            }
            rest = next;
        }
        Ok(((), rest))
    })
}

/// Parses the `#[alipay(...)]` and `#[serde(...)]` attributes of a field. `upload` is whether
/// the struct has `#[alipay(upload)]` (file fields need it).
pub(crate) fn field(cx: &Ctxt, field: &Ident, attrs: &[Attribute], upload: bool) -> FieldAttrs {
    let mut out = FieldAttrs {
        role: Role::Biz,
        default: false,
        path: None,
        serde: Vec::new(),
        serde_keys: SerdeKeys::default(),
    };
    let mut seen = Seen::default();
    let default_name = field.to_string().trim_start_matches("r#").to_owned();

    for attr in attrs {
        if attr.path().is_ident("serde") {
            peek_serde(attr, &mut out.serde_keys);
            out.serde.push(attr.clone());
            continue;
        }
        if !attr.path().is_ident("alipay") {
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            let key = key_name(&meta.path);
            if !matches!(key.as_str(), "text" | "file" | "path" | "default") {
                cx.error_spanned_by(
                    &meta.path,
                    format_args!(
                        "unknown alipay field attribute `{key}` (expected `text`, `file`, \
                         `path` or `default`)"
                    ),
                );
                return skip_value(&meta);
            }
            let first = seen.first(cx, &meta.path, &key);
            if key == "default" {
                flag(&meta)?;
                out.default = true;
                return Ok(());
            }
            if key == "path" {
                flag(&meta)?;
                out.path = Some(span_of(&meta.path));
                return Ok(());
            }
            let name = if meta.input.peek(Token![=]) {
                let lit: LitStr = meta.value()?.parse()?;
                if lit.value().is_empty() {
                    cx.error(lit.span(), "the parameter name cannot be empty");
                }
                lit.value()
            } else {
                flag(&meta)?;
                default_name.clone()
            };
            if !first {
                return Ok(());
            }
            let span = span_of(&meta.path);
            if !matches!(out.role, Role::Biz) {
                cx.error(span, "a field is either `text` or `file`, not both");
            } else if key == "text" {
                out.role = Role::Text { name, span };
            } else {
                if !upload {
                    cx.error(
                        span,
                        "a `file` field needs `#[alipay(upload)]` on the struct",
                    );
                }
                out.role = Role::File { name, span };
            }
            Ok(())
        });
        if let Err(error) = result {
            cx.push(error);
        }
    }
    out
}

/// Notes the serde keys of one `#[serde(...)]` field attribute that matter here. Anything it
/// cannot read is left for serde itself to report.
fn peek_serde(attr: &Attribute, keys: &mut SerdeKeys) {
    let _ignored = attr.parse_nested_meta(|meta| {
        match key_name(&meta.path).as_str() {
            "skip_serializing_if" => keys.skip_serializing_if = true,
            "skip" | "skip_serializing" | "serialize_with" | "with" => {
                keys.no_serialize_bound = true;
            }
            _ => {}
        }
        skip_value(&meta)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method_is_valid(name: &str) -> bool {
        let cx = Ctxt::new();
        let valid = check_method(&cx, &LitStr::new(name, Span::call_site()));
        assert_eq!(valid, cx.check().is_ok());
        valid
    }

    #[test]
    fn method_names() {
        for ok in [
            "alipay.trade.query",
            "alipay.trade.page.pay",
            "koubei.v2.shop",
            "a.b",
        ] {
            assert!(method_is_valid(ok), "{ok}");
        }
        for bad in [
            "",
            "alipay",
            ".alipay.trade",
            "alipay.trade.",
            "alipay..trade",
            "Alipay.Trade",
            "alipay.trade_query",
            "alipay.trade-query",
            "alipay .trade",
        ] {
            assert!(!method_is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn all_mistakes_are_collected() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[alipay(methd = "a.b", method = "A", local, response = R, upload)]
            #[alipay(method = "a.b")]
            struct S {}
        };
        let cx = Ctxt::new();
        let attrs = container(&cx, &input.attrs, input.ident.span());
        let errors: Vec<String> = cx
            .check()
            .expect_err("mistakes")
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors.len(), 5, "{errors:#?}");
        assert!(errors[0].starts_with("unknown alipay attribute `methd`"));
        assert!(errors[1].starts_with("invalid Alipay method name `A`"));
        assert!(errors[2].starts_with("`response` and `local` cannot be combined"));
        assert_eq!(errors[3], "duplicate alipay attribute `method`");
        assert!(errors[4].starts_with("an `upload` request is sent to the gateway"));
        assert!(attrs.method.is_none());
        assert!(attrs.response.is_some() && attrs.local.is_some());
    }
}
