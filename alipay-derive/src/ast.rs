//! The derive input, read into the shape the code generators need: the struct, its request
//! attributes, and each field with its role.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{
    Attribute, Data, DeriveInput, Fields, GenericArgument, Generics, Ident, PathArguments, Type,
    Visibility,
};

use crate::attr::{self, ContainerAttrs, FieldAttrs, Role};
use crate::ctxt::Ctxt;

/// A request struct.
pub(crate) struct Container<'a> {
    /// The struct's name.
    pub(crate) ident: &'a Ident,
    /// The struct's visibility, given to the builder and the inherent items.
    pub(crate) vis: &'a Visibility,
    /// The struct's generics.
    pub(crate) generics: &'a Generics,
    /// The struct's `#[alipay(...)]` keys.
    pub(crate) attrs: ContainerAttrs,
    /// The named fields; `None` when the input is not a struct with named fields.
    pub(crate) fields: Option<Vec<Field<'a>>>,
}

/// A named field of the request struct.
pub(crate) struct Field<'a> {
    /// The field's name.
    pub(crate) ident: &'a Ident,
    /// The field's type as written.
    pub(crate) ty: &'a Type,
    /// `T` when the type is written `Option<T>`.
    pub(crate) option: Option<&'a Type>,
    /// The field's doc comments, repeated on its builder setter.
    pub(crate) docs: Vec<&'a Attribute>,
    /// The field's `#[alipay(...)]` and `#[serde(...)]` attributes.
    pub(crate) attrs: FieldAttrs,
}

impl Field<'_> {
    /// Whether the builder must be given this field before `build` (neither `Option` nor
    /// `#[alipay(default)]`).
    pub(crate) fn is_required(&self) -> bool {
        self.option.is_none() && !self.attrs.default
    }

    /// The field's name without `r#`.
    pub(crate) fn name(&self) -> String {
        unraw(self.ident)
    }
}

impl<'a> Container<'a> {
    /// Reads the derive input. Always returns what could be read; mistakes go to `cx`.
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Self {
        let attrs = attr::container(cx, &input.attrs, input.ident.span());
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(
                    named
                        .named
                        .iter()
                        .filter_map(|field| {
                            let ident = field.ident.as_ref()?;
                            let attrs =
                                attr::field(cx, ident, &field.attrs, attrs.upload.is_some());
                            Some(Field {
                                ident,
                                ty: &field.ty,
                                option: option_inner(&field.ty),
                                docs: field
                                    .attrs
                                    .iter()
                                    .filter(|a| a.path().is_ident("doc"))
                                    .collect(),
                                attrs,
                            })
                        })
                        .collect(),
                ),
                Fields::Unnamed(_) => {
                    cx.error(
                        input.ident.span(),
                        "`#[derive(Request)]` needs a struct with named fields, not a tuple \
                         struct: each field is a named Alipay parameter",
                    );
                    None
                }
                Fields::Unit => {
                    cx.error(
                        input.ident.span(),
                        "`#[derive(Request)]` needs a struct with named fields, not a unit \
                         struct: write `struct Name {}` for a request without parameters",
                    );
                    None
                }
            },
            Data::Enum(data) => {
                cx.error(
                    data.enum_token.span,
                    "`#[derive(Request)]` supports only structs with named fields, not enums",
                );
                None
            }
            Data::Union(data) => {
                cx.error(
                    data.union_token.span,
                    "`#[derive(Request)]` supports only structs with named fields, not unions",
                );
                None
            }
        };
        let container = Container {
            ident: &input.ident,
            vis: &input.vis,
            generics: &input.generics,
            attrs,
            fields,
        };
        container.check(cx);
        container
    }

    /// Checks what the attributes alone cannot: parameter names set twice and builder method
    /// names that clash.
    fn check(&self, cx: &Ctxt) {
        let Some(fields) = &self.fields else { return };

        let mut text_names: Vec<&str> = self.attrs.fixed_text.iter().map(|f| &*f.key).collect();
        let mut file_names: Vec<&str> = Vec::new();
        for field in fields {
            match &field.attrs.role {
                Role::Text { name, span } => {
                    if text_names.contains(&name.as_str()) {
                        cx.error(*span, format_args!("text parameter `{name}` is set twice"));
                    }
                    text_names.push(name);
                }
                Role::File { name, span } => {
                    if file_names.contains(&name.as_str()) {
                        cx.error(*span, format_args!("file part `{name}` is set twice"));
                    }
                    file_names.push(name);
                }
                Role::Biz => {}
            }
        }
        self.check_path_fields(cx, fields);

        let setters: Vec<String> = fields
            .iter()
            .flat_map(|f| {
                let maybe = f.option.map(|_| format!("maybe_{}", f.name()));
                std::iter::once(f.name()).chain(maybe)
            })
            .collect();
        for field in fields {
            let name = field.name();
            if name == "build" {
                cx.error(
                    field.ident.span(),
                    "a field named `build` would clash with the builder's `build` method",
                );
            } else if setters.iter().filter(|s| **s == name).count() > 1 {
                cx.error(
                    field.ident.span(),
                    format_args!(
                        "the builder setter `{name}` would be generated twice (once for an \
                         `Option` field's `maybe_` setter)"
                    ),
                );
            }
        }
    }
}

impl Container<'_> {
    /// Checks that every placeholder of the v3 path has a `path` field and every `path` field a
    /// placeholder.
    fn check_path_fields(&self, cx: &Ctxt, fields: &[Field<'_>]) {
        let placeholders = self.attrs.v3.as_ref().map(|v3| &v3.placeholders);
        for field in fields {
            let Some(span) = field.attrs.path else {
                continue;
            };
            let name = field.name();
            if !matches!(field.attrs.role, Role::Biz) {
                cx.error(
                    span,
                    "a `path` field is a `biz_content` field (sent in the v3 path, and in \
                     `biz_content` over v2): it cannot be `text` or `file` too",
                );
            } else if let Some(placeholders) = placeholders {
                if !placeholders.contains(&name) {
                    cx.error(
                        span,
                        format_args!(
                            "field `{name}` is marked `path` but the v3 path has no \
                             `{{{name}}}` placeholder"
                        ),
                    );
                }
            } else if !self.attrs.v3_seen {
                cx.error(
                    span,
                    "a `path` field fills a placeholder of the v3 path: add \
                     `v3 = \"VERB /v3/...\"` to the struct's `#[alipay(...)]`",
                );
            }
        }
        let Some(v3) = &self.attrs.v3 else { return };
        for placeholder in &v3.placeholders {
            let filled = fields
                .iter()
                .any(|f| f.attrs.path.is_some() && f.name() == *placeholder);
            if !filled {
                cx.error(
                    v3.span,
                    format_args!(
                        "the v3 path placeholder `{{{placeholder}}}` has no field: add a field \
                         `{placeholder}` marked `#[alipay(path)]`"
                    ),
                );
            }
        }
    }
}

/// An identifier without its `r#` prefix.
pub(crate) fn unraw(ident: &Ident) -> String {
    let name = ident.to_string();
    name.strip_prefix("r#").map(str::to_owned).unwrap_or(name)
}

/// `T` when `ty` is written `Option<T>` (also `std::option::Option<T>` and
/// `core::option::Option<T>`). A type alias of `Option` is not recognized.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let is_option = match segments.as_slice() {
        [last] => last == "Option",
        [krate, module, last] => {
            (krate == "std" || krate == "core") && module == "option" && last == "Option"
        }
        _ => false,
    };
    if !is_option {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// Whether `tokens` mention one of the struct's generic parameters (or `Self`): such a type
/// is bounded in the `where` clause of the generated impls, while a concrete type is checked
/// once, on its own span.
pub(crate) fn mentions_params(generics: &Generics, tokens: &impl ToTokens) -> bool {
    let params = generics
        .lifetimes()
        .map(|p| p.lifetime.ident.clone())
        .chain(Some(Ident::new("Self", proc_macro2::Span::call_site())));
    mentions(generics, params, tokens)
}

/// Whether `tokens` mention one of the struct's type or const parameters: a builder setter of
/// such a type takes the type itself rather than `impl Into<_>`, which would leave the
/// parameter impossible to infer from the argument.
pub(crate) fn mentions_type_params(generics: &Generics, tokens: &impl ToTokens) -> bool {
    mentions(generics, std::iter::empty(), tokens)
}

/// Whether `tokens` mention a type or const parameter of `generics`, or one of `more`.
fn mentions(
    generics: &Generics,
    more: impl Iterator<Item = Ident>,
    tokens: &impl ToTokens,
) -> bool {
    fn walk(stream: TokenStream, params: &[Ident]) -> bool {
        stream.into_iter().any(|tree| match tree {
            TokenTree::Ident(ident) => params.contains(&ident),
            TokenTree::Group(group) => walk(group.stream(), params),
            _ => false,
        })
    }
    let params: Vec<Ident> = generics
        .type_params()
        .map(|p| p.ident.clone())
        .chain(generics.const_params().map(|p| p.ident.clone()))
        .chain(more)
        .collect();
    !params.is_empty() && walk(tokens.to_token_stream(), &params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_types() {
        let inner = |ty: Type| option_inner(&ty).map(|t| t.to_token_stream().to_string());
        assert_eq!(
            inner(syn::parse_quote!(Option<String>)).as_deref(),
            Some("String")
        );
        assert_eq!(
            inner(syn::parse_quote!(::std::option::Option<Vec<u8>>)).as_deref(),
            Some("Vec < u8 >")
        );
        assert_eq!(
            inner(syn::parse_quote!(core::option::Option<u8>)).as_deref(),
            Some("u8")
        );
        assert_eq!(inner(syn::parse_quote!(String)), None);
        assert_eq!(inner(syn::parse_quote!(my::Option<u8>)), None);
        assert_eq!(inner(syn::parse_quote!(<T as X>::Option)), None);
    }

    #[test]
    fn generic_mentions() {
        let generics: Generics = syn::parse_quote!(<'a, T, const N: usize>);
        let mentions = |ty: Type| mentions_params(&generics, &ty);
        assert!(mentions(syn::parse_quote!(Vec<T>)));
        assert!(mentions(syn::parse_quote!([u8; N])));
        assert!(mentions(syn::parse_quote!(&'a str)));
        assert!(mentions(syn::parse_quote!(Option<Box<Self>>)));
        assert!(!mentions(syn::parse_quote!(Vec<String>)));
        assert!(!mentions(syn::parse_quote!(&'static str)));
        let type_params = |ty: Type| mentions_type_params(&generics, &ty);
        assert!(type_params(syn::parse_quote!(Vec<T>)));
        assert!(!type_params(syn::parse_quote!(&'a str)));
    }
}
