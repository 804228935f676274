//! `#[derive(Request)]` for the `alipay` crate: implements `alipay::request::Method` and either
//! `alipay::request::Request` or `alipay::request::LocalRequest` for a request struct, and
//! generates its builder.
//!
//! The derive is documented where it is re-exported, as `alipay::Request`.

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

mod ast;
mod attr;
mod builder;
mod ctxt;
mod expand;
mod fallback;
#[cfg(test)]
mod tests;

/// Derives `alipay::request::Method` and either `alipay::request::Request` (a request sent to
/// the gateway) or `alipay::request::LocalRequest` (a request rendered locally), an inherent
/// `METHOD` constant and a builder, for a struct with named fields.
///
/// The example, compiled as a doctest, is on the re-export: `alipay::Request`.
///
/// # Struct attributes: `#[alipay(...)]`
///
/// - `method = "alipay.trade.refund"` (required): the method name, dot-separated lowercase
///   words and digits.
/// - `response = Type`: implements `Request` with `type Response = Type` (which must implement
///   `DeserializeOwned`) and the response key (`alipay_trade_refund_response`) computed at
///   compile time.
/// - `local`: implements `LocalRequest` instead (page, WAP and app payments, certification).
///   Exactly one of `response` and `local` is required.
/// - `upload`: the request is a multipart upload and may have `#[alipay(file)]` fields. Needs
///   `response`.
/// - `fixed_biz(key = value, ...)`: constant `biz_content` fields (string, boolean or integer
///   literals), written after the struct's fields, e.g.
///   `fixed_biz(product_code = "FAST_INSTANT_TRADE_PAY")`.
/// - `fixed_text(key = "value", ...)`: constant top-level text parameters, e.g.
///   `fixed_text(grant_type = "authorization_code")`.
/// - `v3 = "VERB /v3/path"`: the method's OpenAPI v3 route (`Method::v3`), e.g.
///   `v3 = "POST /v3/alipay/trade/query"`. The verb is `GET`, `POST`, `PUT`, `PATCH` or `DELETE`;
///   the path starts with `/v3/`; each `{field}` placeholder is filled (percent-encoded) from the
///   field of that name, which must be marked `#[alipay(path)]`. Not with `local`.
/// - `crate = path` (or `crate = "path"`): where the `alipay` crate is, for a re-export;
///   `::alipay` by default.
///
/// # Field attributes
///
/// - none: a `biz_content` field. The field's `#[serde(...)]` attributes apply (`rename`,
///   `skip_serializing_if`, `serialize_with`, `flatten`, …), and an `Option<T>` field is left
///   out when `None`. The type must implement `Serialize`.
/// - `#[alipay(text)]` or `#[alipay(text = "name")]`: a top-level text parameter, whose type
///   implements `TextParam` (left out when `None` or empty).
/// - `#[alipay(file)]` or `#[alipay(file = "name")]`: a `FilePart` or `Option<FilePart>` sent as
///   a multipart part. Needs `#[alipay(upload)]` on the struct.
/// - `#[alipay(path)]`: a `biz_content` field that fills the `{field}` placeholder of the `v3`
///   path (over v3 it leaves the body; over v2 it stays in `biz_content`).
/// - `#[alipay(default)]`: optional in the builder, `Default::default()` when not set.
///
/// # Generated items
///
/// - `Method::v3`, when the struct has a `v3` route.
/// - `Struct::METHOD`, the method name, and `Struct::builder()`, with the struct's visibility.
/// - `StructBuilder`: one setter per field, named after it, taking `impl Into<FieldType>`
///   (`impl Into<T>` for an `Option<T>` field, which also gets `maybe_field(Option<T>)`; the
///   type itself when it uses a type parameter of the struct, so that it can be inferred), and
///   `build()`. A field is required unless it is an `Option` or `#[alipay(default)]`; `build()`
///   compiles only once every required field is set, and a required field set twice does not
///   compile either. Both errors name the field.
#[proc_macro_derive(Request, attributes(alipay, serde))]
pub fn derive_request(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
