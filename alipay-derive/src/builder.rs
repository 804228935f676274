//! The builder: `Struct::builder()` returning `StructBuilder`, whose `build` exists only once
//! every required field is set.
//!
//! The builder has one type parameter per required field: `()` while the field is unset, and
//! `(T,)` once its setter has stored the value. Each setter is defined only for the `()` state,
//! and `build` requires every state to implement a per-field trait implemented only by `(T,)`.
//! That trait carries `#[diagnostic::on_unimplemented]`, so calling `build` without a required
//! field fails to compile with "missing required field `name` of `Struct`".

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{GenericParam, Generics, Ident};

use crate::ast::{Container, Field, mentions_params};

/// The builder's code: the builder struct (placed next to the request struct so that it can
/// be named) and its impls (placed in the `const _` block with the trait impls).
pub(crate) struct Builder {
    /// The builder struct.
    pub(crate) item: TokenStream,
    /// `Struct::builder()`, the setters, `build` and the helper traits.
    pub(crate) impls: TokenStream,
}

/// The per-field pieces of the builder.
struct Slot<'f, 'a> {
    /// The field.
    field: &'f Field<'a>,
    /// For a required field, its state type parameter and its marker trait.
    required: Option<(Ident, Ident)>,
}

/// Generates the builder of `cont`, whose named fields are `fields`.
pub(crate) fn expand(cont: &Container<'_>, fields: &[Field<'_>]) -> Builder {
    let ident = cont.ident;
    let vis = cont.vis;
    let builder = format_ident!("{}Builder", ident, span = ident.span());
    let (impl_generics, ty_generics, where_clause) = cont.generics.split_for_impl();
    let marker = quote!(::core::marker::PhantomData);

    let mut used_states: Vec<String> = Vec::new();
    let slots: Vec<Slot<'_, '_>> = fields
        .iter()
        .map(|field| {
            let required = field.is_required().then(|| {
                let camel = camel_case(&field.name());
                let mut state = format!("__{camel}");
                while used_states.contains(&state) {
                    state.push('_');
                }
                used_states.push(state.clone());
                (
                    Ident::new(&state, Span::call_site()),
                    format_ident!("__Needs{}", state.trim_start_matches('_')),
                )
            });
            Slot { field, required }
        })
        .collect();
    let states: Vec<&Ident> = slots
        .iter()
        .filter_map(|s| s.required.as_ref())
        .map(|r| &r.0)
        .collect();
    let params = param_args(cont.generics);

    // The builder struct, with every state defaulting to "unset".
    let mut struct_generics = cont.generics.clone();
    for state in &states {
        struct_generics.params.push(syn::parse_quote!(#state = ()));
    }
    let storage = slots.iter().map(|slot| {
        let name = slot.field.ident;
        let ty = slot.field.ty;
        match (&slot.required, slot.field.option) {
            (Some((state, _)), _) => quote!(#name: #state),
            (None, Some(_)) => quote!(#name: #ty),
            (None, None) => quote!(#name: ::core::option::Option<#ty>),
        }
    });
    let required_list = list(
        slots
            .iter()
            .filter(|s| s.required.is_some())
            .map(|s| s.field),
    );
    let struct_doc = format!(
        "A builder for [`{ident}`], returned by [`{ident}::builder`].\n\n{}Call [`build`]({builder}::build) \
         to get the request; a required field left unset is a compile error that names it.",
        if required_list.is_empty() {
            "Every field is optional. ".to_owned()
        } else {
            format!("Set the required fields ({required_list}) and any optional ones. ")
        }
    );
    let item = quote! {
        #[doc = #struct_doc]
        #[must_use = "a builder does nothing until `.build()` is called"]
        #vis struct #builder #struct_generics #where_clause {
            #(#storage,)*
            __alipay_marker: #marker<fn() -> #ident #ty_generics>,
        }
    };

    // `Struct::builder()`.
    let unset_inits = slots.iter().map(|slot| {
        let name = slot.field.ident;
        if slot.required.is_some() {
            quote!(#name: ())
        } else {
            quote!(#name: ::core::option::Option::None)
        }
    });
    let unset_args = states.iter().map(|_| quote!(()));
    let builder_doc = format!(
        "Starts a [`{builder}`] for this request. Set the required fields{}, then call \
         [`build`]({builder}::build).",
        if required_list.is_empty() {
            String::new()
        } else {
            format!(" ({required_list})")
        }
    );
    let start = quote! {
        #[allow(dead_code)]
        impl #impl_generics #ident #ty_generics #where_clause {
            #[doc = #builder_doc]
            #vis fn builder() -> #builder<#(#params,)* #(#unset_args),*> {
                #builder {
                    #(#unset_inits,)*
                    __alipay_marker: #marker,
                }
            }
        }
    };

    // One impl per required field: its setter, from the unset state to the set state.
    let required_setters = slots.iter().filter_map(|slot| {
        let (state, _) = slot.required.as_ref()?;
        let name = slot.field.ident;
        let ty = slot.field.ty;
        let others: Vec<&Ident> = states.iter().copied().filter(|s| *s != state).collect();
        let generics = with_params(cont.generics, &others);
        let (impl_generics, _, _) = generics.split_for_impl();
        let before = states
            .iter()
            .map(|s| if *s == state { quote!(()) } else { quote!(#s) });
        let after = states.iter().map(|s| {
            if *s == state {
                quote!((#ty,))
            } else {
                quote!(#s)
            }
        });
        let moves = slots.iter().map(|other| {
            let other = other.field.ident;
            if other == name {
                quote!(#name: (::core::convert::Into::into(value),))
            } else {
                quote!(#other: self.#other)
            }
        });
        let summary = format!("Sets `{}` (required).", slot.field.name());
        let docs = &slot.field.docs;
        Some(quote! {
            #[allow(dead_code)]
            impl #impl_generics #builder<#(#params,)* #(#before),*> #where_clause {
                #[doc = #summary]
                #[doc = ""]
                #(#docs)*
                #vis fn #name(
                    self,
                    value: impl ::core::convert::Into<#ty>,
                ) -> #builder<#(#params,)* #(#after),*> {
                    #builder {
                        #(#moves,)*
                        __alipay_marker: #marker,
                    }
                }
            }
        })
    });

    // The optional setters and `build`, in any state.
    let optional_setters = slots.iter().filter(|s| s.required.is_none()).map(|slot| {
        let name = slot.field.ident;
        let docs = &slot.field.docs;
        match slot.field.option {
            Some(inner) => {
                let maybe = format_ident!("maybe_{}", name);
                let summary = format!("Sets `{}` (optional).", slot.field.name());
                let maybe_doc = format!(
                    "Sets `{0}` when `value` is `Some`, or leaves it out when it is `None` (see \
                     [`{0}`](Self::{0})).",
                    slot.field.name()
                );
                quote! {
                    #[doc = #summary]
                    #[doc = ""]
                    #(#docs)*
                    #vis fn #name(mut self, value: impl ::core::convert::Into<#inner>) -> Self {
                        self.#name = ::core::option::Option::Some(::core::convert::Into::into(value));
                        self
                    }

                    #[doc = #maybe_doc]
                    #vis fn #maybe(mut self, value: ::core::option::Option<#inner>) -> Self {
                        self.#name = value;
                        self
                    }
                }
            }
            None => {
                let ty = slot.field.ty;
                let summary = format!(
                    "Sets `{}` (optional: `Default::default()` when not set).",
                    slot.field.name()
                );
                quote! {
                    #[doc = #summary]
                    #[doc = ""]
                    #(#docs)*
                    #vis fn #name(mut self, value: impl ::core::convert::Into<#ty>) -> Self {
                        self.#name = ::core::option::Option::Some(::core::convert::Into::into(value));
                        self
                    }
                }
            }
        }
    });
    let build_bounds = slots.iter().filter_map(|slot| {
        let ty = slot.field.ty;
        match &slot.required {
            Some((state, needs)) => Some(quote!(#state: #needs<#ty>)),
            None if slot.field.attrs.default
                && slot.field.option.is_none()
                && mentions_params(cont.generics, ty) =>
            {
                Some(quote_spanned!(ty.span()=> #ty: ::core::default::Default))
            }
            None => None,
        }
    });
    let build_fields = slots.iter().map(|slot| {
        let name = slot.field.ident;
        let ty = slot.field.ty;
        match (&slot.required, slot.field.option) {
            (Some((_, needs)), _) => quote!(#name: #needs::__value(self.#name)),
            (None, Some(_)) => quote!(#name: self.#name),
            (None, None) => quote_spanned! {ty.span()=>
                #name: ::core::option::Option::unwrap_or_default(self.#name)
            },
        }
    });
    let generics = with_params(cont.generics, &states);
    let (all_impl_generics, _, _) = generics.split_for_impl();
    let build_doc = format!(
        "Builds the [`{ident}`]. Compiles only once every required field is set{}.",
        if required_list.is_empty() {
            String::new()
        } else {
            format!(" ({required_list})")
        }
    );
    let rest = quote! {
        #[allow(dead_code, private_bounds)]
        impl #all_impl_generics #builder<#(#params,)* #(#states),*> #where_clause {
            #(#optional_setters)*

            #[doc = #build_doc]
            #vis fn build(self) -> #ident #ty_generics
            where
                #(#build_bounds,)*
            {
                #ident {
                    #(#build_fields,)*
                }
            }
        }
    };

    // The per-field traits that name a missing field.
    let traits = slots.iter().filter_map(|slot| {
        let (_, needs) = slot.required.as_ref()?;
        let field = slot.field.name();
        let message = format!("missing required field `{field}` of `{ident}`");
        let label = format!("`{field}` was never set on this builder");
        let note = format!("call `.{field}(...)` before `.build()`");
        let doc = format!("Implemented by the builder state of a set `{field}`.");
        Some(quote! {
            #[doc = #doc]
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait #needs<__V> {
                /// The value that was set.
                fn __value(self) -> __V;
            }

            impl<__V> #needs<__V> for (__V,) {
                #[inline]
                fn __value(self) -> __V {
                    self.0
                }
            }
        })
    });

    Builder {
        item,
        impls: quote! {
            #(#traits)*
            #start
            #(#required_setters)*
            #rest
        },
    }
}

/// `a_b_c` → `ABC`-style camel case (`refund_amount` → `RefundAmount`).
fn camel_case(name: &str) -> String {
    name.split('_')
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The fields as a list for docs: "`a`, `b`".
fn list<'f, 'a: 'f>(fields: impl Iterator<Item = &'f Field<'a>>) -> String {
    fields
        .map(|f| format!("`{}`", f.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The struct's generic parameters as arguments: `'a`, `T`, `N`.
pub(crate) fn param_args(generics: &Generics) -> Vec<TokenStream> {
    generics
        .params
        .iter()
        .map(|param| match param {
            GenericParam::Lifetime(l) => {
                let lifetime = &l.lifetime;
                quote!(#lifetime)
            }
            GenericParam::Type(t) => {
                let ident = &t.ident;
                quote!(#ident)
            }
            GenericParam::Const(c) => {
                let ident = &c.ident;
                quote!(#ident)
            }
        })
        .collect()
}

/// The struct's generics followed by the type parameters `extra`.
fn with_params(generics: &Generics, extra: &[&Ident]) -> Generics {
    let mut generics = generics.clone();
    for ident in extra {
        generics.params.push(syn::parse_quote!(#ident));
    }
    generics
}
