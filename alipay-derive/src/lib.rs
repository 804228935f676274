//! `#[derive(Request)]` for the `alipay` crate.
use proc_macro::TokenStream;

/// Placeholder: replaced by the real derive.
#[proc_macro_derive(Request, attributes(alipay))]
pub fn derive_request(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
