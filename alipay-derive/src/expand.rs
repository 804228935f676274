//! The generated code: `Method` plus `Request` or `LocalRequest`, the hidden `biz_content`
//! serializer, the `METHOD` constant and the builder.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Generics, Lifetime, LitStr, Path, Type};

use crate::ast::{Container, Field, mentions_params};
use crate::attr::Role;
use crate::builder;
use crate::ctxt::Ctxt;
use crate::fallback;

/// Expands `#[derive(Request)]` on `input`. With mistakes in the input, the output is their
/// `compile_error!`s plus placeholder impls, so that code using the struct does not fail too.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let cont = Container::from_ast(&cx, input);
    let checked = cx.check();

    let builder = cont
        .fields
        .as_deref()
        .map(|fields| builder::expand(&cont, fields));
    let builder_item = builder.as_ref().map(|b| &b.item);
    let builder_impls = builder.as_ref().map(|b| &b.impls);
    let method_const = cont.attrs.method.as_ref().map(|m| method_const(&cont, m));
    let (errors, impls) = match (checked, cont.fields.as_deref()) {
        (Ok(()), Some(fields)) => (None, impl_traits(&cont, fields)),
        (Err(errors), _) => (Some(errors.into_compile_error()), fallback::expand(&cont)),
        (Ok(()), None) => unreachable!("a struct without named fields is reported as an error"),
    };

    quote! {
        #errors
        #builder_item
        const _: () = {
            #method_const
            #builder_impls
            #impls
        };
    }
}

/// The inherent `METHOD` constant.
fn method_const(cont: &Container<'_>, method: &LitStr) -> TokenStream {
    let ident = cont.ident;
    let vis = cont.vis;
    let (impl_generics, ty_generics, where_clause) = cont.generics.split_for_impl();
    let doc = format!("The Alipay method name: `{}`.", method.value());
    quote! {
        #[allow(dead_code, clippy::redundant_static_lifetimes)]
        impl #impl_generics #ident #ty_generics #where_clause {
            #[doc = #doc]
            #vis const METHOD: &'static str = #method;
        }
    }
}

/// `Method` and `Request` or `LocalRequest` for a valid input.
fn impl_traits(cont: &Container<'_>, fields: &[Field<'_>]) -> TokenStream {
    let krate = &cont.attrs.krate;
    let ident = cont.ident;
    let (impl_generics, ty_generics, _) = cont.generics.split_for_impl();
    let biz_fields: Vec<&Field<'_>> = fields
        .iter()
        .filter(|f| matches!(f.attrs.role, Role::Biz))
        .collect();
    let biz = (!biz_fields.is_empty()).then(|| biz(cont, &biz_fields));
    let text_bounds = fields.iter().filter_map(|f| match f.attrs.role {
        Role::Text { .. } if mentions_params(cont.generics, f.ty) => {
            let ty = f.ty;
            Some(quote_spanned!(ty.span()=> #ty: #krate::request::TextParam))
        }
        _ => None,
    });
    let method_bounds: Vec<TokenStream> = biz
        .iter()
        .flat_map(|b| b.bounds.iter().cloned())
        .chain(text_bounds)
        .collect();
    let method_where = where_clause(cont.generics, &method_bounds);
    let biz_items = biz.as_ref().map(|b| &b.items);
    let biz_write = biz.as_ref().map(|b| &b.write);
    let fixed_biz = cont.attrs.fixed_biz.iter().map(|fixed| {
        let key = &fixed.key;
        let value = &fixed.value;
        quote!(__params.biz_value(#key, #value);)
    });
    let fixed_text = cont.attrs.fixed_text.iter().map(|fixed| {
        let key = &fixed.key;
        let value = &fixed.value;
        quote!(__params.text(#key, #value);)
    });
    let texts = fields.iter().filter_map(|f| {
        let Role::Text { name, .. } = &f.attrs.role else {
            return None;
        };
        let field = f.ident;
        Some(quote_spanned! {f.ty.span()=>
            __params.text_opt(#name, &self.#field);
        })
    });
    let files = fields.iter().filter_map(|f| {
        let Role::File { name, .. } = &f.attrs.role else {
            return None;
        };
        let field = f.ident;
        let part = quote!(#krate::request::FilePart);
        Some(if f.option.is_some() {
            quote_spanned! {f.ty.span()=>
                if let ::core::option::Option::Some(__part) = &self.#field {
                    __params.file(#name, <#part as ::core::clone::Clone>::clone(__part));
                }
            }
        } else {
            quote_spanned! {f.ty.span()=>
                __params.file(#name, <#part as ::core::clone::Clone>::clone(&self.#field));
            }
        })
    });

    let method = cont
        .attrs
        .method
        .as_ref()
        .expect("a valid input has a method");
    let v3 = cont.attrs.v3.as_ref().map(|v3| {
        let verb = syn::Ident::new(v3.verb, v3.span);
        let path = LitStr::new(&v3.path, v3.span);
        quote! {
            fn v3(&self) -> ::core::option::Option<#krate::v3::Route> {
                ::core::option::Option::Some(#krate::v3::Route::new(
                    #krate::v3::Verb::#verb,
                    #path,
                ))
            }
        }
    });
    let method_impl = quote! {
        #biz_items

        #[automatically_derived]
        impl #impl_generics #krate::request::Method for #ident #ty_generics #method_where {
            fn method(&self) -> &str {
                #method
            }

            fn encode(
                &self,
                __params: &mut #krate::request::Params,
            ) -> ::core::result::Result<(), #krate::EncodeError> {
                #biz_write
                #(#fixed_biz)*
                #(#fixed_text)*
                #(#texts)*
                #(#files)*
                ::core::result::Result::Ok(())
            }

            #v3
        }
    };
    let kind_impl = kind_impl(cont, &method_bounds);
    quote! {
        #method_impl
        #kind_impl
    }
}

/// `Request` (with the response key computed here) or `LocalRequest`. `method_bounds` are the
/// extra bounds of the `Method` impl, which `Request` and `LocalRequest` extend.
pub(crate) fn kind_impl(cont: &Container<'_>, method_bounds: &[TokenStream]) -> TokenStream {
    let krate = &cont.attrs.krate;
    let ident = cont.ident;
    let (impl_generics, ty_generics, _) = cont.generics.split_for_impl();
    if let Some(response) = &cont.attrs.response {
        let mut bounds = method_bounds.to_vec();
        if mentions_params(cont.generics, response) {
            bounds.push(quote_spanned! {response.span()=>
                #response: #krate::__private::serde::de::DeserializeOwned
            });
        }
        let where_clause = where_clause(cont.generics, &bounds);
        let key = cont.attrs.method.as_ref().map(|m| {
            let key = LitStr::new(
                &format!("{}_response", m.value().replace('.', "_")),
                m.span(),
            );
            quote! {
                fn response_key(&self) -> ::std::borrow::Cow<'_, str> {
                    ::std::borrow::Cow::Borrowed(#key)
                }
            }
        });
        quote! {
            #[automatically_derived]
            impl #impl_generics #krate::request::Request for #ident #ty_generics #where_clause {
                type Response = #response;
                #key
            }
        }
    } else if cont.attrs.local.is_some() {
        let where_clause = where_clause(cont.generics, method_bounds);
        quote! {
            #[automatically_derived]
            impl #impl_generics #krate::request::LocalRequest for #ident #ty_generics #where_clause {}
        }
    } else {
        TokenStream::new()
    }
}

/// The generated code that writes the `biz_content` fields.
struct Biz {
    /// The hidden serializer struct and the field assertions.
    items: TokenStream,
    /// The block of `encode` that writes the fields.
    write: TokenStream,
    /// The bounds the `Method` impl needs: `FieldType: Serialize` for each field whose type uses
    /// the struct's generic parameters.
    bounds: Vec<TokenStream>,
}

/// The hidden struct that borrows the `biz_content` fields and serializes them with the
/// user's `#[serde(...)]` field attributes.
///
/// A field type that does not implement `Serialize` must fail the build once, on that field.
/// So a concrete field type is asserted to implement it by a call of
/// `alipay::__private::assert_serialize` spanned on the type, and the serializer's impl is
/// bounded by `for<'__w> Type: Serialize` (a bound that is not "trivial", so it does not fail by
/// itself). `encode` reaches that impl through the autoref dispatch of `alipay::__private`,
/// which falls back to an unreachable method when the impl does not apply: the impl of `Method`
/// stays unconditional and code using the struct reports nothing more. A generic field type is
/// bounded in the `where` clause of `Method` instead.
fn biz(cont: &Container<'_>, fields: &[&Field<'_>]) -> Biz {
    let krate = &cont.attrs.krate;
    let ident = cont.ident;
    let serde = serde_path(krate);
    let (_, ty_generics, where_clause) = cont.generics.split_for_impl();
    let lifetime = Lifetime::new("'__alipay", Span::call_site());
    let mut generics = cont.generics.clone();
    generics.params.insert(0, syn::parse_quote!(#lifetime));
    let (struct_generics, _, _) = generics.split_for_impl();

    let checked: Vec<&Field<'_>> = fields
        .iter()
        .copied()
        .filter(|f| !f.attrs.serde_keys.no_serialize_bound)
        .collect();
    let (generic, concrete): (Vec<&Field<'_>>, Vec<&Field<'_>>) = checked
        .iter()
        .partition(|f| mentions_params(cont.generics, f.ty));
    let bounds: Vec<TokenStream> = generic
        .iter()
        .map(|f| {
            let ty = f.ty;
            quote_spanned!(ty.span()=> #ty: #serde::Serialize)
        })
        .collect();
    let serde_bound = generic
        .iter()
        .map(|f| {
            let ty = f.ty;
            quote!(#ty: #serde::Serialize)
        })
        .chain(concrete.iter().map(|f| {
            let ty = f.ty;
            quote!(for<'__w> #ty: #serde::Serialize)
        }))
        .map(|bound| bound.to_string())
        .fold(Vec::new(), |mut unique, bound| {
            if !unique.contains(&bound) {
                unique.push(bound);
            }
            unique
        })
        .join(", ");
    let serde_crate = LitStr::new(&serde.to_token_stream().to_string(), Span::call_site());
    let private = quote!(#krate::__private);
    let assertions = (!concrete.is_empty()).then(|| {
        let calls = concrete.iter().map(|f| {
            let ty = f.ty;
            quote_spanned!(ty.span()=> #private::assert_serialize::<#ty>();)
        });
        quote! {
            /// The concrete `biz_content` field types, each checked on its own span.
            #[allow(dead_code)]
            fn __alipay_assert_fields() {
                #(#calls)*
            }
        }
    });

    let struct_fields = fields.iter().map(|f| {
        let serde_attrs = &f.attrs.serde;
        let skip_none = (f.option.is_some() && !f.attrs.serde_keys.skip_serializing_if)
            .then(|| quote!(#[serde(skip_serializing_if = "::core::option::Option::is_none")]));
        let name = f.ident;
        let ty: &Type = f.ty;
        quote! {
            #(#serde_attrs)*
            #skip_none
            #name: &#lifetime #ty
        }
    });
    let items = quote! {
        #[derive(#serde::Serialize)]
        #[serde(crate = #serde_crate, bound = #serde_bound)]
        #[allow(dead_code)] // fields the user's attributes skip are never read
        struct __AlipayBiz #struct_generics #where_clause {
            #(#struct_fields,)*
            #[serde(skip)]
            __alipay_marker: ::core::marker::PhantomData<&#lifetime #ident #ty_generics>,
        }


        #assertions
    };
    let names = fields.iter().map(|f| f.ident);
    let write = quote! {
        {
            use #private::{BizNotSerialize as _, WriteBiz as _};
            (&#private::BizRef(&__AlipayBiz {
                #(#names: &self.#names,)*
                __alipay_marker: ::core::marker::PhantomData::<&Self>,
            }))
            .write_biz(__params)?;
        }
    };
    Biz {
        items,
        write,
        bounds,
    }
}

/// `krate::__private::serde`.
fn serde_path(krate: &Path) -> Path {
    syn::parse_quote!(#krate::__private::serde)
}

/// The struct's `where` clause with `extra` predicates appended.
pub(crate) fn where_clause(generics: &Generics, extra: &[TokenStream]) -> TokenStream {
    let predicates: Vec<TokenStream> = generics
        .where_clause
        .iter()
        .flat_map(|w| w.predicates.iter().map(ToTokens::to_token_stream))
        .chain(extra.iter().cloned())
        .collect();
    if predicates.is_empty() {
        TokenStream::new()
    } else {
        quote!(where #(#predicates),*)
    }
}
