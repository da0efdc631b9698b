//! Code generation. Every path is absolute (`#krate::__private::…`, `::core::…`) so user items named
//! `Result`, `Option`, `Some`, `Vec`, `String`, … cannot capture it.

use crate::ast::{Field, Input, Shape};
use crate::attr::{Errors, Kind};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::DeriveInput;

/// The derive: parse → validate → expand, or all errors plus stub impls.
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let model = Input::from_syn(input, &mut errors);
    if let Some(m) = &model {
        crate::valid::check(m, &mut errors);
    }
    match (errors.into_result(), model) {
        (None, Some(m)) => expand(&m),
        (Some(e), model) => {
            let mut out = e.to_compile_error();
            if input.generics.params.is_empty() {
                let krate = model
                    .as_ref()
                    .and_then(|m| m.attrs.krate.clone())
                    .map(|p| quote!(#p))
                    .unwrap_or_else(|| quote!(::nstba));
                let subrecord = model.as_ref().is_some_and(|m| m.attrs.subrecord.is_some());
                out.extend(stubs(&input.ident, &krate, subrecord, model.is_none()));
                if let Some(m) = model.as_ref().filter(|_| !subrecord) {
                    out.extend(typed_items(m, &quote!(#krate::__private), true));
                }
            }
            out
        }
        (None, None) => TokenStream::new(),
    }
}

/// Impls that let the rest of the user's crate type-check while the real error is shown. With a
/// model, [`typed_items`] adds `<Name>Fields`, `<Name>Patch`, `fields()` and `patch()`; without one
/// (`typed`), an opaque `TypedRecord` impl stands in.
fn stubs(ident: &syn::Ident, krate: &TokenStream, subrecord: bool, typed: bool) -> TokenStream {
    let p = quote!(#krate::__private);
    let mut out = quote! {
        #[automatically_derived]
        impl #p::serde::Serialize for #ident {
            fn serialize<__S: #p::serde::Serializer>(&self, _: __S) -> ::core::result::Result<__S::Ok, __S::Error> {
                ::core::unreachable!()
            }
        }
        #[automatically_derived]
        impl<'de> #p::serde::Deserialize<'de> for #ident {
            fn deserialize<__D: #p::serde::Deserializer<'de>>(_: __D) -> ::core::result::Result<Self, __D::Error> {
                ::core::unreachable!()
            }
        }
    };
    if !subrecord {
        out.extend(quote! {
            #[automatically_derived]
            impl #p::nstba_record::Record for #ident {
                const RECORD_TYPE: &'static str = "";
                const TABLE: &'static str = "";
                const FIELDS: &'static [#p::nstba_record::FieldInfo] = &[];
                fn id(&self) -> ::core::option::Option<&#p::nstba_record::RecordId> {
                    ::core::option::Option::None
                }
            }
        });
    }
    if !subrecord && typed {
        out.extend(quote! {
            #[automatically_derived]
            impl #p::nstba_record::TypedRecord for #ident {
                type Fields = ();
                type Patch = ();
                fn fields() -> Self::Fields {}
            }
        });
    }
    out
}

fn kind_tokens(shape: Shape, p: &TokenStream) -> TokenStream {
    let fk = quote!(#p::nstba_record::FieldKind);
    match shape {
        Shape::Scalar(Kind::String) => quote!(#fk::String),
        Shape::Scalar(Kind::Number) => quote!(#fk::Number),
        Shape::Scalar(Kind::Boolean) => quote!(#fk::Boolean),
        Shape::Scalar(Kind::Date) => quote!(#fk::Date),
        Shape::Scalar(Kind::Reference) => quote!(#fk::Reference),
        Shape::Sublist | Shape::Subrecord | Shape::Unknown => {
            quote!(#fk::Sublist)
        }
        Shape::Id => quote!(#fk::String),
    }
}

/// The marker type of a field handle; `None` for fields that cannot be filtered (a sublist gets a
/// `kind::Sublist` handle, which has no operators but names the sublist).
fn handle_kind(f: &Field<'_>, p: &TokenStream) -> Option<TokenStream> {
    let k = quote!(#p::nstba_record::kind);
    // A sublist's handle has no filter operators: it names the sublist (`replace`).
    if f.shape == Shape::Sublist && f.attrs.id.is_none() {
        return Some(quote!(#k::Sublist));
    }
    if f.attrs.no_filter.is_some() {
        return None;
    }
    if f.attrs.id.is_some() {
        return Some(quote!(#k::Id));
    }
    Some(match f.shape {
        Shape::Scalar(Kind::String) | Shape::Id => quote!(#k::Text),
        Shape::Scalar(Kind::Number) => quote!(#k::Number),
        Shape::Scalar(Kind::Boolean) => quote!(#k::Boolean),
        Shape::Scalar(Kind::Date) => quote!(#k::Date),
        Shape::Scalar(Kind::Reference) => quote!(#k::Reference),
        _ => return None,
    })
}

fn expand(m: &Input<'_>) -> TokenStream {
    let krate = match &m.attrs.krate {
        Some(p) => quote!(#p),
        None => quote!(::nstba),
    };
    let p = quote!(#krate::__private);
    let serde_path = syn::LitStr::new(
        &format!("{krate}::__private::serde").replace(' ', ""),
        Span::call_site(),
    );
    let ident = m.ident;

    // Serialize: present values only; an empty sublist is not sent; read-only fields never are.
    let ser_entries = m
        .fields
        .iter()
        .filter(|f| f.attrs.read_only.is_none())
        .map(|f| {
            let name = f.ident;
            let wire = f.wire();
            // Spanned on the field type: a type without `Serialize` is reported there.
            let span = syn::spanned::Spanned::span(f.ty);
            let helper = if f.optional {
                quote!(opt)
            } else if f.shape == Shape::Sublist {
                quote!(sublist)
            } else {
                quote!(value)
            };
            quote_spanned! {span=>
                #p::nstba_record::ser::#helper(&mut __m, #wire, &self.#name)?;
            }
        });
    let wire_fields = m.fields.iter().map(|f| {
        let name = f.ident;
        let ty = f.ty;
        let wire = f.wire();
        let default = (f.optional || f.shape == Shape::Sublist).then(|| quote!(default,));
        quote!(#[serde(#default rename = #wire)] #name: #ty)
    });
    let moves = m.fields.iter().map(|f| {
        let name = f.ident;
        quote!(#name: __w.#name)
    });
    let mut out = quote! {
        #[automatically_derived]
        impl #p::serde::Serialize for #ident {
            fn serialize<__S>(&self, __s: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: #p::serde::Serializer,
            {
                let mut __m = #p::serde::Serializer::serialize_map(__s, ::core::option::Option::None)?;
                #(#ser_entries)*
                #p::serde::ser::SerializeMap::end(__m)
            }
        }

        const _: () = {
            #[derive(#p::serde::Deserialize)]
            #[serde(crate = #serde_path)]
            struct __NstbaWire {
                #(#wire_fields,)*
            }

            #[automatically_derived]
            impl<'de> #p::serde::Deserialize<'de> for #ident {
                fn deserialize<__D>(__d: __D) -> ::core::result::Result<Self, __D::Error>
                where
                    __D: #p::serde::Deserializer<'de>,
                {
                    let __w = <__NstbaWire as #p::serde::Deserialize<'de>>::deserialize(__d)?;
                    ::core::result::Result::Ok(#ident { #(#moves,)* })
                }
            }
        };
    };
    if m.attrs.subrecord.is_some() {
        return out;
    }

    let record = m.attrs.record_type();
    let table = m
        .attrs
        .table
        .as_ref()
        .map(|t| t.value())
        .unwrap_or_else(|| nstba_record::types::table_of(&record));
    let infos = m.fields.iter().map(|f| {
        let name = f.ident.to_string();
        let name = name.strip_prefix("r#").unwrap_or(&name);
        let wire = f.wire();
        let column = f.column();
        let read_only = f.attrs.read_only.is_some();
        let selected = f.attrs.skip_select.is_none();
        let kind = if f.attrs.id.is_some() {
            quote!(#p::nstba_record::FieldKind::Number)
        } else {
            kind_tokens(f.shape, &p)
        };
        quote! {
            #p::nstba_record::FieldInfo {
                name: #name, wire: #wire, column: #column, kind: #kind,
                read_only: #read_only, selected: #selected,
            }
        }
    });
    let id_body = match m.fields.iter().find(|f| f.attrs.id.is_some()) {
        Some(f) if f.optional => {
            let n = f.ident;
            quote!(::core::option::Option::as_ref(&self.#n))
        }
        Some(f) => {
            let n = f.ident;
            quote!(::core::option::Option::Some(&self.#n))
        }
        None => quote!(::core::option::Option::None),
    };

    out.extend(quote! {
        #[automatically_derived]
        impl #p::nstba_record::Record for #ident {
            const RECORD_TYPE: &'static str = #record;
            const TABLE: &'static str = #table;
            const FIELDS: &'static [#p::nstba_record::FieldInfo] = &[#(#infos,)*];
            fn id(&self) -> ::core::option::Option<&#p::nstba_record::RecordId> {
                #id_body
            }
        }

    });
    out.extend(typed_items(m, &p, false));
    out
}

/// `<Name>Fields` (typed handles), `<Name>Patch`, `impl TypedRecord` and the inherent `fields()` /
/// `patch()`. With `stub`, the bodies that depend on a valid model are `unreachable!()` (the derive
/// reported an error; these only keep the user's code type-checking).
fn typed_items(m: &Input<'_>, p: &TokenStream, stub: bool) -> TokenStream {
    let ident = m.ident;
    let vis = m.vis;
    let record = m.attrs.record_type();
    let fields_ident = format_ident!("{}Fields", ident);
    let patch_ident = format_ident!("{}Patch", ident);
    let handles: Vec<_> = m
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| handle_kind(f, p).map(|k| (i, f, k)))
        .collect();
    let handle_decls = handles.iter().map(|(_, f, k)| {
        let name = f.ident;
        let doc = format!("`{}` (SuiteQL column `{}`).", f.wire(), f.column());
        quote!(#[doc = #doc] pub #name: #p::nstba_record::Field<#ident, #k>)
    });
    let handle_inits = handles.iter().map(|(i, f, _)| {
        let name = f.ident;
        quote!(#name: #p::nstba_record::Field::__new(&<#ident as #p::nstba_record::Record>::FIELDS[#i]))
    });
    let patchable: Vec<_> = m
        .fields
        .iter()
        .filter(|f| f.attrs.id.is_none() && f.attrs.read_only.is_none())
        .collect();
    let patch_decls = patchable.iter().map(|f| {
        let name = f.ident;
        let inner = f.inner;
        let doc = format!("`{}`: unchanged (default), cleared or set.", f.wire());
        quote!(#[doc = #doc] pub #name: #p::nstba_record::Patch<#inner>)
    });
    let patch_defaults = patchable.iter().map(|f| {
        let name = f.ident;
        quote!(#name: #p::nstba_record::Patch::Unchanged)
    });
    let patch_entries = patchable.iter().map(|f| {
        let name = f.ident;
        let wire = f.wire();
        let span = syn::spanned::Spanned::span(f.ty);
        quote_spanned! {span=>
            #p::nstba_record::ser::patch(&mut __m, #wire, &self.#name)?;
        }
    });
    let fields_name = fields_ident.to_string();
    let fields_doc = format!(
        "Typed field handles of [`{ident}`], for filters (`q=`) and SuiteQL: `{ident}::fields()`."
    );
    let patch_doc = format!(
        "A partial update of [`{ident}`]: each field is left unchanged (the default), cleared (`null`) or set."
    );
    let fields_fn_doc = format!("Typed field handles of `{record}`, for filters and SuiteQL.");
    let patch_fn_doc = "An empty patch: every field left unchanged.";

    let patch_ser_body = if stub {
        quote!(::core::unreachable!())
    } else {
        quote! {
            let mut __m = #p::serde::Serializer::serialize_map(__s, ::core::option::Option::None)?;
            #(#patch_entries)*
            #p::serde::ser::SerializeMap::end(__m)
        }
    };
    let fields_body = if stub {
        quote!(::core::unreachable!())
    } else {
        quote!(#fields_ident { #(#handle_inits,)* })
    };
    quote! {
        #[doc = #fields_doc]
        #vis struct #fields_ident {
            #(#handle_decls,)*
        }

        #[automatically_derived]
        impl ::core::clone::Clone for #fields_ident {
            fn clone(&self) -> Self {
                *self
            }
        }

        #[automatically_derived]
        impl ::core::marker::Copy for #fields_ident {}

        #[automatically_derived]
        impl ::core::fmt::Debug for #fields_ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Formatter::write_str(f, #fields_name)
            }
        }

        #[doc = #patch_doc]
        #vis struct #patch_ident {
            #(#patch_decls,)*
        }

        #[automatically_derived]
        impl ::core::default::Default for #patch_ident {
            fn default() -> Self {
                #patch_ident { #(#patch_defaults,)* }
            }
        }

        #[automatically_derived]
        impl #p::serde::Serialize for #patch_ident {
            fn serialize<__S>(&self, __s: __S) -> ::core::result::Result<__S::Ok, __S::Error>
            where
                __S: #p::serde::Serializer,
            {
                #patch_ser_body
            }
        }

        #[automatically_derived]
        impl #p::nstba_record::TypedRecord for #ident {
            type Fields = #fields_ident;
            type Patch = #patch_ident;
            fn fields() -> #fields_ident {
                #fields_body
            }
        }

        #[automatically_derived]
        impl #ident {
            #[doc = #fields_fn_doc]
            #vis fn fields() -> #fields_ident {
                <#ident as #p::nstba_record::TypedRecord>::fields()
            }

            #[doc = #patch_fn_doc]
            #vis fn patch() -> #patch_ident {
                ::core::default::Default::default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::derive;

    #[test]
    fn crate_override_replaces_every_facade_path() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[netsuite(record = "customer", crate = "renamed")]
            pub struct Customer {
                #[netsuite(id)]
                pub id: Option<RecordId>,
                pub company_name: Option<String>,
                pub lines: Sublist<Line>,
            }
        };
        let out = derive(&input).to_string();
        assert!(out.contains("renamed :: __private"), "{out}");
        assert!(!out.contains(":: nstba ::"), "{out}");
        assert!(out.contains("automatically_derived"));
    }

    #[test]
    fn names_that_reach_suiteql_are_checked() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[netsuite(record = "customer", table = "customer; DROP")]
            pub struct Customer {
                #[netsuite(id)]
                pub id: Option<RecordId>,
                #[netsuite(column = "a b")]
                pub a: Option<String>,
                #[netsuite(rename = "x\"y")]
                pub b: Option<String>,
            }
        };
        let out = derive(&input).to_string();
        assert_eq!(out.matches("compile_error").count(), 3, "{out}");
    }

    #[test]
    fn errors_come_with_stubs() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[netsuite(record = "custmer", bogus)]
            pub struct Customer {
                pub company_name: Option<Vec<u8>>,
            }
        };
        let out = derive(&input).to_string();
        assert_eq!(out.matches("compile_error").count(), 4, "{out}");
        assert!(out.contains("did you mean `customer`"));
        assert!(out.contains("impl :: nstba :: __private :: nstba_record :: Record for Customer"));
    }
}
