//! What is generated when the input has mistakes: besides their `compile_error!`s, impls of
//! `Method` and (when the kind is known) `Request` or `LocalRequest` whose bodies never run,
//! so that code sending or encoding the struct does not report errors of its own.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::Container;
use crate::expand::{kind_impl, where_clause};

/// The placeholder impls for `cont`.
pub(crate) fn expand(cont: &Container<'_>) -> TokenStream {
    let krate = &cont.attrs.krate;
    let ident = cont.ident;
    let (impl_generics, ty_generics, _) = cont.generics.split_for_impl();
    let method_where = where_clause(cont.generics, &[]);
    let kind = kind_impl(cont, &[]);
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::request::Method for #ident #ty_generics #method_where {
            fn method(&self) -> &str {
                ::core::unreachable!("the derive of `Request` failed")
            }

            fn encode(
                &self,
                _: &mut #krate::request::Params,
            ) -> ::core::result::Result<(), #krate::EncodeError> {
                ::core::unreachable!("the derive of `Request` failed")
            }
        }

        #kind
    }
}
