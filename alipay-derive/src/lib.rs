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

/// Derives `Method`, `Request` or `LocalRequest`, the `METHOD` constant and the builder of an
/// Alipay request struct. See `alipay::Request`.
#[proc_macro_derive(Request, attributes(alipay, serde))]
pub fn derive_request(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
