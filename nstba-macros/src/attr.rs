//! The `#[netsuite(…)]` attribute grammar: container keys and field keys, with unknown and duplicate
//! keys reported (all of them, each at its own token).

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitStr, Token};

/// Collects errors so every problem of one derive is reported together.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    pub(crate) fn at(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    pub(crate) fn into_result(self) -> Option<syn::Error> {
        self.0
    }
}

/// The keys `#[netsuite(…)]` takes on the struct. The one list: [`container`] matches on the enum,
/// so a key listed here but not handled does not compile, and error messages list these names.
#[derive(Clone, Copy)]
enum ContainerKey {
    Record,
    Table,
    Unchecked,
    Subrecord,
    Crate,
}

const CONTAINER_KEYS: &[(&str, ContainerKey)] = &[
    ("record", ContainerKey::Record),
    ("table", ContainerKey::Table),
    ("unchecked", ContainerKey::Unchecked),
    ("subrecord", ContainerKey::Subrecord),
    ("crate", ContainerKey::Crate),
];

/// The keys `#[netsuite(…)]` takes on a field (one list, as for [`ContainerKey`]).
#[derive(Clone, Copy)]
enum FieldKey {
    Id,
    ExternalId,
    Rename,
    Custom,
    Column,
    Kind,
    Subrecord,
    ReadOnly,
    SkipSelect,
    NoFilter,
}

const FIELD_KEYS: &[(&str, FieldKey)] = &[
    ("id", FieldKey::Id),
    ("external_id", FieldKey::ExternalId),
    ("rename", FieldKey::Rename),
    ("custom", FieldKey::Custom),
    ("column", FieldKey::Column),
    ("kind", FieldKey::Kind),
    ("subrecord", FieldKey::Subrecord),
    ("read_only", FieldKey::ReadOnly),
    ("skip_select", FieldKey::SkipSelect),
    ("no_filter", FieldKey::NoFilter),
];

/// `#[netsuite(…)]` on the struct.
#[derive(Default)]
pub(crate) struct Container {
    pub record: Option<LitStr>,
    pub table: Option<LitStr>,
    pub unchecked: Option<Span>,
    pub subrecord: Option<Span>,
    pub krate: Option<syn::Path>,
}

impl Container {
    /// The `record = "…"` value (empty for a subrecord or when missing: reported by `valid`).
    pub(crate) fn record_type(&self) -> String {
        self.record.as_ref().map(|r| r.value()).unwrap_or_default()
    }
}

/// A field kind named in `kind = "…"`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    String,
    Number,
    Boolean,
    Date,
    Reference,
}

impl Kind {
    pub(crate) fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "string" => Kind::String,
            "number" => Kind::Number,
            "boolean" => Kind::Boolean,
            "date" => Kind::Date,
            "reference" => Kind::Reference,
            _ => return None,
        })
    }
}

/// `#[netsuite(…)]` on a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub id: Option<Span>,
    pub external_id: Option<Span>,
    pub rename: Option<LitStr>,
    pub custom: Option<LitStr>,
    pub column: Option<LitStr>,
    pub kind: Option<(Kind, Span)>,
    pub subrecord: Option<Span>,
    pub read_only: Option<Span>,
    pub skip_select: Option<Span>,
    /// `no_filter`: the field is not usable in `q=` filters (not in the record's `x-ns-filterable`
    /// list), so it gets no typed handle.
    pub no_filter: Option<Span>,
}

/// Walks every `netsuite` key of `attrs`; `on_key` handles a known key and returns `false` for an
/// unknown one. Duplicate keys are reported at the second use with a note at the first.
fn walk<K: Copy>(
    attrs: &[Attribute],
    known: &[(&'static str, K)],
    errors: &mut Errors,
    mut on_key: impl FnMut(K, &'static str, &ParseNestedMeta<'_>, &mut Errors) -> syn::Result<()>,
) {
    let names = || known.iter().map(|(name, _)| *name);
    let mut seen: Vec<(String, Span)> = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("netsuite")) {
        if let syn::Meta::Path(p) = &attr.meta {
            errors.at(p_span(p), "expected `#[netsuite(…)]` with at least one key");
            continue;
        }
        let res = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(|i| {
                    let s = i.to_string();
                    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
                })
                .unwrap_or_default();
            let span = p_span(&meta.path);
            let Some(&(name, k)) = known.iter().find(|(name, _)| *name == key) else {
                let shown = if key.is_empty() {
                    "this path".to_owned()
                } else {
                    format!("`{key}`")
                };
                let hint = match crate::suggest::closest(&key, names()) {
                    Some(best) => format!("; did you mean `{best}`?"),
                    None => String::new(),
                };
                errors.at(
                    span,
                    format!(
                        "unknown netsuite attribute key {shown}{hint} (expected one of: {})",
                        names().collect::<Vec<_>>().join(", ")
                    ),
                );
                skip_value(&meta)?;
                return Ok(());
            };
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                errors.at(span, format!("duplicate netsuite attribute key `{key}`"));
                errors.at(*first, "note: first one here");
                skip_value(&meta)?;
                return Ok(());
            }
            seen.push((key, span));
            on_key(k, name, &meta, errors)
        });
        if let Err(e) = res {
            errors.push(e);
        }
    }
}

fn p_span(p: &syn::Path) -> Span {
    p.segments
        .first()
        .map(|s| s.ident.span())
        .unwrap_or_else(Span::call_site)
}

fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
        let _: proc_macro2::TokenStream = _content.parse()?;
    }
    Ok(())
}

fn flag(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<Span> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format!("`{key}` takes no value")));
    }
    Ok(p_span(&meta.path))
}

fn string(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<LitStr> {
    if !meta.input.peek(Token![=]) {
        return Err(meta.error(format!("expected `{key} = \"…\"`")));
    }
    meta.value()?.parse::<LitStr>()
}

pub(crate) fn container(attrs: &[Attribute], errors: &mut Errors) -> Container {
    let mut c = Container::default();
    walk(attrs, CONTAINER_KEYS, errors, |k, key, meta, errors| {
        match k {
            ContainerKey::Record => c.record = Some(string(meta, key)?),
            ContainerKey::Table => c.table = Some(string(meta, key)?),
            ContainerKey::Unchecked => c.unchecked = Some(flag(meta, key)?),
            ContainerKey::Subrecord => c.subrecord = Some(flag(meta, key)?),
            ContainerKey::Crate => {
                let lit = string(meta, key)?;
                match lit.parse::<syn::Path>() {
                    Ok(p) => c.krate = Some(p),
                    Err(_) => errors.at(lit.span(), "`crate` must be a path such as \"::nstba\""),
                }
            }
        }
        Ok(())
    });
    c
}

pub(crate) fn field(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
    let mut f = FieldAttrs::default();
    walk(attrs, FIELD_KEYS, errors, |k, key, meta, errors| {
        match k {
            FieldKey::Id => f.id = Some(flag(meta, key)?),
            FieldKey::ExternalId => f.external_id = Some(flag(meta, key)?),
            FieldKey::Subrecord => f.subrecord = Some(flag(meta, key)?),
            FieldKey::ReadOnly => f.read_only = Some(flag(meta, key)?),
            FieldKey::SkipSelect => f.skip_select = Some(flag(meta, key)?),
            FieldKey::NoFilter => f.no_filter = Some(flag(meta, key)?),
            FieldKey::Rename => f.rename = Some(string(meta, key)?),
            FieldKey::Custom => f.custom = Some(string(meta, key)?),
            FieldKey::Column => f.column = Some(string(meta, key)?),
            FieldKey::Kind => {
                let lit = string(meta, key)?;
                match Kind::parse(&lit.value()) {
                    Some(k) => f.kind = Some((k, lit.span())),
                    None => errors.at(
                        lit.span(),
                        "unknown kind; expected \"string\", \"number\", \"boolean\", \"date\" or \"reference\"",
                    ),
                }
            }
        }
        Ok(())
    });
    f
}
