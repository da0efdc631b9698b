//! Rules across the container and its fields: record type, custom field prefixes, unique wire names,
//! exactly one id field, mappable types.

use crate::ast::{Input, Shape};
use crate::attr::Errors;
use crate::suggest::closest;
use nstba_record::names::{
    is_custom_field_id, is_custom_record_type, is_netsuite_id, CUSTOM_FIELD_PREFIXES,
};
use nstba_record::types::{is_standard, RECORD_TYPES};

pub(crate) fn check(input: &Input<'_>, errors: &mut Errors) {
    check_record_type(input, errors);
    check_fields(input, errors);
    check_id(input, errors);
    check_wire_names(input, errors);
}

fn check_record_type(input: &Input<'_>, errors: &mut Errors) {
    let c = &input.attrs;
    if c.subrecord.is_some() {
        if let Some(r) = &c.record {
            errors.at(
                r.span(),
                "a `subrecord` struct has no record type; remove `record`",
            );
        }
        if let Some(t) = &c.table {
            errors.at(
                t.span(),
                "a `subrecord` struct has no SuiteQL table; remove `table`",
            );
        }
        return;
    }
    if let Some(t) = &c.table {
        if !is_netsuite_id(&t.value()) {
            errors.at(t.span(), "a SuiteQL table is letters, digits and `_` only");
        }
    }
    let Some(record) = &c.record else {
        errors.at(
            input.ident.span(),
            "missing record type: add #[netsuite(record = \"customer\")] (or #[netsuite(subrecord)] for a sublist line or subrecord)",
        );
        return;
    };
    let value = record.value();
    if is_standard(&value) || c.unchecked.is_some() {
        if !is_netsuite_id(&value) {
            errors.at(
                record.span(),
                "a record type is letters, digits and `_` only",
            );
        }
        return;
    }
    if value.starts_with("customrecord") {
        if !is_custom_record_type(&value) {
            errors.at(
                record.span(),
                format!("`{value}` is not a custom record type id: expected `customrecord` followed by lower-case letters, digits or `_`"),
            );
        }
        return;
    }
    let hint = match closest(&value, RECORD_TYPES.iter().copied()) {
        Some(best) => format!("; did you mean `{best}`?"),
        None => String::new(),
    };
    errors.at(
        record.span(),
        format!("unknown NetSuite record type `{value}`{hint} (custom record types start with `customrecord`; add `unchecked` to accept another type)"),
    );
}

fn check_fields(input: &Input<'_>, errors: &mut Errors) {
    for f in &input.fields {
        let a = &f.attrs;
        if let Some(c) = &a.custom {
            let v = c.value();
            if !is_custom_field_id(&v) {
                errors.at(
                    c.span(),
                    format!(
                        "custom field id `{v}` has no known prefix: expected one of {} followed by the rest of the script id",
                        CUSTOM_FIELD_PREFIXES.join(", ")
                    ),
                );
            } else if !is_netsuite_id(&v) || v.bytes().any(|b| b.is_ascii_uppercase()) {
                errors.at(
                    c.span(),
                    "a custom field id is lower-case letters, digits and `_`",
                );
            }
            if let Some(r) = &a.rename {
                errors.at(
                    r.span(),
                    "`rename` and `custom` both name the field; keep one",
                );
            }
        }
        if let Some(r) = &a.rename {
            if !is_netsuite_id(&r.value()) {
                errors.at(r.span(), "a wire name is letters, digits and `_` only");
            }
        }
        if let Some(c) = &a.column {
            if !is_netsuite_id(&c.value()) {
                errors.at(c.span(), "a SuiteQL column is letters, digits and `_` only");
            }
        }
        if a.id.is_some() {
            for (other, span) in [
                ("rename", a.rename.as_ref().map(|l| l.span())),
                ("custom", a.custom.as_ref().map(|l| l.span())),
                ("external_id", a.external_id),
                ("subrecord", a.subrecord),
                ("kind", a.kind.map(|k| k.1)),
            ] {
                if let Some(span) = span {
                    errors.at(span, format!("the id field cannot also have `{other}`"));
                }
            }
            if f.shape != Shape::Id {
                errors.at(
                    syn::spanned::Spanned::span(f.ty),
                    "the id field must be `RecordId` or `Option<RecordId>`",
                );
            }
            continue;
        }
        if f.shape == Shape::Unknown {
            let ty = f.inner;
            let shown = quote::quote!(#ty).to_string().replace(' ', "");
            errors.at(
                syn::spanned::Spanned::span(f.inner),
                format!(
                    "cannot map `{shown}` to a NetSuite field: use String, bool, a number type, Date, DateTime, RecordRef, RecordId or Sublist<T> (optionally in Option), or add #[netsuite(kind = \"…\")] or #[netsuite(subrecord)]"
                ),
            );
        }
    }
}

fn check_id(input: &Input<'_>, errors: &mut Errors) {
    let ids: Vec<_> = input
        .fields
        .iter()
        .filter_map(|f| f.attrs.id.map(|s| (f, s)))
        .collect();
    if input.attrs.subrecord.is_some() {
        for (_, span) in &ids {
            errors.at(*span, "a `subrecord` struct has no id field");
        }
        return;
    }
    match ids.as_slice() {
        [] => errors.at(
            input.ident.span(),
            "missing id field: mark the internal id with #[netsuite(id)] (type `Option<RecordId>`)",
        ),
        [_] => {}
        [(_, first), rest @ ..] => {
            for (_, span) in rest {
                errors.at(
                    *span,
                    "duplicate id field: a record has one #[netsuite(id)]",
                );
            }
            errors.at(*first, "note: first id field is here");
        }
    }
}

fn check_wire_names(input: &Input<'_>, errors: &mut Errors) {
    let mut seen: Vec<(String, &syn::Ident, proc_macro2::Span)> = Vec::new();
    let mut id_seen = false;
    for f in &input.fields {
        if f.attrs.id.is_some() {
            // A second id field is reported by `check_id`.
            if std::mem::replace(&mut id_seen, true) {
                continue;
            }
        }
        let wire = f.wire();
        if let Some((_, first, first_span)) = seen.iter().find(|(w, _, _)| *w == wire) {
            errors.at(
                f.wire_span(),
                format!(
                    "fields `{first}` and `{}` have the same wire name `{wire}`",
                    f.ident
                ),
            );
            errors.at(*first_span, format!("note: `{first}` uses `{wire}` first"));
        } else {
            seen.push((wire, f.ident, f.wire_span()));
        }
    }
}
