//! The borrowed model of the derive input: the struct, its fields and their parsed attributes, with
//! the spans errors point at.

use crate::attr::{self, Container, Errors, FieldAttrs, Kind};
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Type, Visibility};

/// How a field's Rust type maps to NetSuite.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Shape {
    /// A filterable scalar of this kind.
    Scalar(Kind),
    /// `RecordId`.
    Id,
    /// `Sublist<T>`.
    Sublist,
    /// A subrecord (`#[netsuite(subrecord)]`).
    Subrecord,
    /// Not mappable (error reported in validation).
    Unknown,
}

pub(crate) struct Input<'a> {
    pub ident: &'a Ident,
    pub vis: &'a Visibility,
    pub attrs: Container,
    pub fields: Vec<Field<'a>>,
}

pub(crate) struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    /// The type inside `Option<…>`, or the type itself.
    pub inner: &'a Type,
    pub optional: bool,
    pub attrs: FieldAttrs,
    pub shape: Shape,
}

/// The last path segment of a type and its single generic argument, if any.
fn last_segment(ty: &Type) -> Option<(&Ident, Option<&Type>)> {
    let Type::Path(tp) = ty else { return None };
    if tp.qself.is_some() {
        return None;
    }
    let seg = tp.path.segments.last()?;
    let arg = match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match a.args.first() {
            Some(syn::GenericArgument::Type(t)) => Some(t),
            _ => None,
        },
        _ => None,
    };
    Some((&seg.ident, arg))
}

fn unwrap_option(ty: &Type) -> (&Type, bool) {
    match last_segment(ty) {
        Some((id, Some(inner))) if id == "Option" => (inner, true),
        _ => (ty, false),
    }
}

fn shape_of(inner: &Type, attrs: &FieldAttrs) -> Shape {
    if attrs.subrecord.is_some() {
        return Shape::Subrecord;
    }
    if let Some((k, _)) = attrs.kind {
        return Shape::Scalar(k);
    }
    let Some((id, arg)) = last_segment(inner) else {
        return Shape::Unknown;
    };
    let name = id.to_string();
    match (name.as_str(), arg) {
        ("String", None) => Shape::Scalar(Kind::String),
        ("bool", None) => Shape::Scalar(Kind::Boolean),
        (
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
            | "usize" | "f32" | "f64",
            None,
        ) => Shape::Scalar(Kind::Number),
        ("Date" | "DateTime", None) => Shape::Scalar(Kind::Date),
        ("RecordRef", None) => Shape::Scalar(Kind::Reference),
        // A select list is filtered by its id.
        ("SelectValue", Some(_)) => Shape::Scalar(Kind::String),
        // A multi-select is a collection of references: not a scalar, no filter handle.
        ("MultiSelect", None) => Shape::Subrecord,
        ("RecordId", None) => Shape::Id,
        ("Sublist", Some(_)) => Shape::Sublist,
        _ => Shape::Unknown,
    }
}

impl<'a> Input<'a> {
    /// Builds the model; `None` when the input is not a struct with named fields and no generics.
    pub(crate) fn from_syn(input: &'a DeriveInput, errors: &mut Errors) -> Option<Input<'a>> {
        let attrs = attr::container(&input.attrs, errors);
        let mut ok = true;
        if let Some(p) = input.generics.params.first().map(|p| p.span()).or(input
            .generics
            .where_clause
            .as_ref()
            .map(|w| w.where_token.span))
        {
            errors.at(
                p,
                "#[derive(Record)] does not support generic structs: a NetSuite record type is concrete",
            );
            ok = false;
        }
        let named = match &input.data {
            Data::Struct(s) => match &s.fields {
                Fields::Named(n) => Some(n),
                Fields::Unnamed(u) => {
                    errors.at(
                        u.paren_token.span.join(),
                        "#[derive(Record)] needs named fields: each field maps to a NetSuite field by name; tuple structs are not supported",
                    );
                    None
                }
                Fields::Unit => {
                    errors.at(
                        input.ident.span(),
                        "#[derive(Record)] needs a struct with named fields; unit structs are not supported",
                    );
                    None
                }
            },
            Data::Enum(e) => {
                errors.at(
                    e.enum_token.span,
                    "#[derive(Record)] is for structs: enums are not supported",
                );
                None
            }
            Data::Union(u) => {
                errors.at(
                    u.union_token.span,
                    "#[derive(Record)] is for structs: unions are not supported",
                );
                None
            }
        };
        let named = named?;
        let fields = named
            .named
            .iter()
            .filter_map(|f| {
                let ident = f.ident.as_ref()?;
                let attrs = attr::field(&f.attrs, errors);
                let (inner, optional) = unwrap_option(&f.ty);
                let shape = shape_of(inner, &attrs);
                Some(Field {
                    ident,
                    ty: &f.ty,
                    inner,
                    optional,
                    attrs,
                    shape,
                })
            })
            .collect();
        ok.then_some(Input {
            ident: &input.ident,
            vis: &input.vis,
            attrs,
            fields,
        })
    }
}

impl Field<'_> {
    /// The JSON / `q=` name.
    pub(crate) fn wire(&self) -> String {
        if self.attrs.id.is_some() {
            "id".to_owned()
        } else if self.attrs.external_id.is_some() {
            "externalId".to_owned()
        } else if let Some(c) = &self.attrs.custom {
            c.value()
        } else if let Some(r) = &self.attrs.rename {
            r.value()
        } else {
            nstba_record::names::camel_case(&self.ident.to_string())
        }
    }

    /// The token naming the wire name (for error spans).
    pub(crate) fn wire_span(&self) -> Span {
        self.attrs
            .custom
            .as_ref()
            .or(self.attrs.rename.as_ref())
            .map(|l| l.span())
            .unwrap_or_else(|| self.ident.span())
    }

    /// The SuiteQL column.
    pub(crate) fn column(&self) -> String {
        match &self.attrs.column {
            Some(c) => c.value(),
            None => self.wire().to_ascii_lowercase(),
        }
    }
}
