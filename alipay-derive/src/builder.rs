//! The builder: `Struct::builder()` returning `StructBuilder`, whose `build` exists only once
//! every required field is set.
//!
//! The builder has one type parameter per required field: `()` while the field is unset, and
//! `(T,)` once its setter has stored the value. A required field's setter needs its state to
//! implement a per-field trait implemented only by `()`, and `build` needs every state to
//! implement a per-field trait implemented only by `(T,)`. Both traits carry
//! `#[diagnostic::on_unimplemented]`, so a field left unset fails to compile with "missing
//! required field `name` of `Struct`", and a field set twice with "`name` of `Struct` is set
//! twice".

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{GenericParam, Generics, Ident};

use crate::ast::{Container, Field, mentions_params, mentions_type_params};

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
    /// The builder's field that stores it (`__name`, so that it is not mistaken for the setter
    /// in error messages).
    store: Ident,
    /// For a required field, its state.
    required: Option<Required>,
}

/// The typestate of a required field.
struct Required {
    /// The builder's type parameter: `()` when unset, `(T,)` when set.
    state: Ident,
    /// The trait `build` requires of the state (implemented by `(T,)`), which names the field
    /// when it is missing.
    needs: Ident,
    /// The trait the setter requires of the state (implemented by `()`), which names the field
    /// when it is set twice.
    unset: Ident,
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
                let mut camel = camel_case(&field.name());
                while used_states.contains(&camel) {
                    camel.push('_');
                }
                used_states.push(camel.clone());
                Required {
                    state: format_ident!("__{}", camel),
                    needs: format_ident!("__Needs{}", camel),
                    unset: format_ident!("__Unset{}", camel),
                }
            });
            Slot {
                field,
                store: format_ident!("__{}", field.ident),
                required,
            }
        })
        .collect();
    let states: Vec<&Ident> = slots
        .iter()
        .filter_map(|s| s.required.as_ref())
        .map(|r| &r.state)
        .collect();
    let params = param_args(cont.generics);
    let required_list = list(
        slots
            .iter()
            .filter(|s| s.required.is_some())
            .map(|s| s.field),
    );
    let required_note = if required_list.is_empty() {
        String::new()
    } else {
        format!(" ({required_list})")
    };

    // The builder struct, with every state defaulting to "unset".
    let mut struct_generics = cont.generics.clone();
    for state in &states {
        struct_generics.params.push(syn::parse_quote!(#state = ()));
    }
    let storage = slots.iter().map(|slot| {
        let store = &slot.store;
        let ty = slot.field.ty;
        match (&slot.required, slot.field.option) {
            (Some(required), _) => {
                let state = &required.state;
                quote!(#store: #state)
            }
            (None, Some(_)) => quote!(#store: #ty),
            (None, None) => quote!(#store: ::core::option::Option<#ty>),
        }
    });
    let struct_doc = format!(
        "A builder for [`{ident}`], returned by [`{ident}::builder`].\n\n\
         Set the required fields{required_note} and any optional ones, then call \
         [`build`]({builder}::build). Leaving a required field unset, or setting a field twice, \
         is a compile error that names the field."
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
        let store = &slot.store;
        if slot.required.is_some() {
            quote!(#store: ())
        } else {
            quote!(#store: ::core::option::Option::None)
        }
    });
    let unset_args = states.iter().map(|_| quote!(()));
    let builder_doc = format!(
        "Starts a [`{builder}`] for this request. Set the required fields{required_note}, then \
         call [`build`]({builder}::build)."
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

    // The setters of the required fields: each moves its field from unset to set.
    let required_setters = slots.iter().filter_map(|slot| {
        let required = slot.required.as_ref()?;
        let (state, unset) = (&required.state, &required.unset);
        let name = slot.field.ident;
        let ty = slot.field.ty;
        let (param, convert) = setter_param(cont, ty);
        let after = states.iter().map(|s| {
            if *s == state {
                quote!((#ty,))
            } else {
                quote!(#s)
            }
        });
        let moves = slots.iter().map(|other| {
            let store = &other.store;
            if other.field.ident == name {
                quote!(#store: (#convert,))
            } else {
                quote!(#store: self.#store)
            }
        });
        let summary = format!("Sets `{}` (required).", slot.field.name());
        let docs = &slot.field.docs;
        Some(quote! {
            #[doc = #summary]
            #[doc = ""]
            #(#docs)*
            #vis fn #name(
                self,
                value: #param,
            ) -> #builder<#(#params,)* #(#after),*>
            where
                #state: #unset,
            {
                #builder {
                    #(#moves,)*
                    __alipay_marker: #marker,
                }
            }
        })
    });

    // The setters of the optional fields, which may be called again.
    let optional_setters = slots.iter().filter(|s| s.required.is_none()).map(|slot| {
        let name = slot.field.ident;
        let store = &slot.store;
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
                let (param, convert) = setter_param(cont, inner);
                quote! {
                    #[doc = #summary]
                    #[doc = ""]
                    #(#docs)*
                    #vis fn #name(mut self, value: #param) -> Self {
                        self.#store = ::core::option::Option::Some(#convert);
                        self
                    }

                    #[doc = #maybe_doc]
                    #vis fn #maybe(mut self, value: ::core::option::Option<#inner>) -> Self {
                        self.#store = value;
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
                let (param, convert) = setter_param(cont, ty);
                quote! {
                    #[doc = #summary]
                    #[doc = ""]
                    #(#docs)*
                    #vis fn #name(mut self, value: #param) -> Self {
                        self.#store = ::core::option::Option::Some(#convert);
                        self
                    }
                }
            }
        }
    });

    // `build`, once every required field is set.
    let build_bounds = slots.iter().filter_map(|slot| {
        let ty = slot.field.ty;
        match &slot.required {
            Some(Required { state, needs, .. }) => Some(quote!(#state: #needs<#ty>)),
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
        let store = &slot.store;
        let ty = slot.field.ty;
        match (&slot.required, slot.field.option) {
            (Some(Required { needs, .. }), _) => quote!(#name: #needs::__value(self.#store)),
            (None, Some(_)) => quote!(#name: self.#store),
            (None, None) => quote_spanned! {ty.span()=>
                #name: ::core::option::Option::unwrap_or_default(self.#store)
            },
        }
    });
    let build_doc = format!(
        "Builds the [`{ident}`]. Compiles only once every required field is set{required_note}."
    );
    let generics = with_params(cont.generics, &states);
    let (all_impl_generics, _, _) = generics.split_for_impl();
    let setters_and_build = quote! {
        #[allow(dead_code, private_bounds)]
        impl #all_impl_generics #builder<#(#params,)* #(#states),*> #where_clause {
            #(#required_setters)*

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

    // The per-field traits that name a field missing or set twice.
    let traits = slots.iter().filter_map(|slot| {
        let Required { needs, unset, .. } = slot.required.as_ref()?;
        let field = slot.field.name();
        let missing = format!("missing required field `{field}` of `{ident}`");
        let missing_label = format!("`{field}` was never set on this builder");
        let missing_note = format!("call `.{field}(...)` before `.build()`");
        let twice = format!("`{field}` of `{ident}` is set twice");
        let twice_label = format!("`{field}` was already set on this builder");
        let twice_note = "each required field is set exactly once";
        let needs_doc = format!("Implemented by the builder state of a set `{field}`.");
        let unset_doc = format!("Implemented by the builder state of an unset `{field}`.");
        Some(quote! {
            #[doc = #needs_doc]
            #[diagnostic::on_unimplemented(
                message = #missing,
                label = #missing_label,
                note = #missing_note,
            )]
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

            #[doc = #unset_doc]
            #[diagnostic::on_unimplemented(message = #twice, label = #twice_label, note = #twice_note)]
            trait #unset {}

            impl #unset for () {}
        })
    });

    Builder {
        item,
        impls: quote! {
            #(#traits)*
            #start
            #setters_and_build
        },
    }
}

/// A setter's parameter type for a field of type `ty`, and the expression that converts the
/// parameter `value` to `ty`: `impl Into<ty>`, or `ty` itself when it uses a type parameter of
/// the struct (which `impl Into<_>` would leave impossible to infer from the argument).
fn setter_param(cont: &Container<'_>, ty: &syn::Type) -> (TokenStream, TokenStream) {
    if mentions_type_params(cont.generics, ty) {
        (quote!(#ty), quote!(value))
    } else {
        (
            quote!(impl ::core::convert::Into<#ty>),
            quote!(::core::convert::Into::into(value)),
        )
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

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn camel_case_of_field_names() {
        assert_eq!(camel_case("refund_amount"), "RefundAmount");
        assert_eq!(camel_case("a"), "A");
        assert_eq!(camel_case("__x__y"), "XY");
        assert_eq!(camel_case("v2_name"), "V2Name");
    }
}
