//! Reading NetSuite metadata-catalog documents into a small model.
//!
//! Two shapes are understood:
//! - OpenAPI 3 (`Accept: application/swagger+json`): every record type in `components.schemas` (a name
//!   without `-`, not `…Collection`, not `ns…`), sublists as `<type>-<sublist>Collection` whose `items`
//!   are `<type>-<sublist>Element`, subrecords as `<type>-<sublist>-<subrecord>`;
//! - JSON Schema (`Accept: application/schema+json`), one record per document, the record type taken
//!   from the `self` link (`/services/rest/record/v1/<type>/{id}`) or else the file name.
//!
//! References become `RecordRef`s: `$ref` to `nsResource` or `…/nsLink`, to a record type of the
//! same document (`invoice.entity` → `customer`, `account.parent` → `account`), a `oneOf` of those,
//! or a 2019 `/rest/platform/v1/metadata-catalog/record/<type>` path; they are never inlined.
//! `nsResourceCollection` is a multi-select; select lists are `enum` strings or
//! `{id: {enum}, refName}` objects; the record's `x-ns-filterable` list marks the filterable fields.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A record type read from the catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordModel {
    /// The REST record type (`customer`).
    pub record_type: String,
    /// The record's own fields.
    pub fields: Vec<FieldModel>,
    /// Sublist element and subrecord types this record needs, by schema name.
    pub structs: BTreeMap<String, Vec<FieldModel>>,
}

/// One property.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldModel {
    /// The JSON name.
    pub wire: String,
    /// `title`, if any.
    pub title: Option<String>,
    /// The value type.
    pub ty: FieldType,
    /// `nullable: true`.
    pub nullable: bool,
    /// `readOnly: true`.
    pub read_only: bool,
    /// `x-ns-custom-field: true` (or a custom-field script id).
    pub custom: bool,
    /// Usable in `q=` filters: listed in the record's `x-ns-filterable` (every field when the
    /// record has no such list).
    pub filterable: bool,
}

/// The value type of a property.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// `string`.
    Text,
    /// `boolean`.
    Bool,
    /// `integer` / `int64`.
    I64,
    /// `integer` / `int32`.
    I32,
    /// `number` / `double` (or no format).
    F64,
    /// `number` / `float`.
    F32,
    /// `string` / `date`.
    Date,
    /// `string` / `date-time`.
    DateTime,
    /// A reference to another record: `$ref` to `nsResource`, to a record type of the document
    /// (itself included), a 2019 `/metadata-catalog/record/<type>` path, or a `oneOf` of these.
    Reference,
    /// A multi-select field (`$ref nsResourceCollection`).
    MultiSelect,
    /// A select list: `enum` values of a string property (old catalogs) or of the `id` of an
    /// `{id, refName}` object (2025 catalogs).
    Enum(Vec<String>),
    /// A sublist whose lines are the named struct.
    Sublist(String),
    /// A subrecord of the named struct.
    Subrecord(String),
    /// Anything else (kept as JSON).
    Json,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError(pub String);

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SchemaError {}

/// Reads one catalog document. `fallback_name` (usually the file stem) names a JSON Schema record
/// whose document has no `self` link.
pub fn parse_document(doc: &Value, fallback_name: &str) -> Result<Vec<RecordModel>, SchemaError> {
    let obj = doc
        .as_object()
        .ok_or_else(|| SchemaError("the document is not a JSON object".into()))?;
    if obj.contains_key("openapi") || obj.contains_key("swagger") {
        let schemas = obj
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(Value::as_object)
            .ok_or_else(|| SchemaError("OpenAPI document without components.schemas".into()))?;
        let mut out = Vec::new();
        for (name, schema) in schemas {
            if is_record_schema_name(name) && schema.get("properties").is_some() {
                out.push(record(name, schema, schemas)?);
            }
        }
        if out.is_empty() {
            return Err(SchemaError(
                "no record type found in components.schemas".into(),
            ));
        }
        Ok(out)
    } else if obj.contains_key("properties") {
        let name = self_link_type(obj).unwrap_or_else(|| {
            fallback_name
                .split('.')
                .next()
                .unwrap_or(fallback_name)
                .to_owned()
        });
        let empty = Map::new();
        let definitions = obj
            .get("definitions")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        Ok(vec![record(&name, doc, definitions)?])
    } else {
        Err(SchemaError(
            "not a metadata-catalog document: expected `openapi` + `components.schemas`, or a JSON Schema with `properties`".into(),
        ))
    }
}

fn is_record_schema_name(name: &str) -> bool {
    !name.contains('-') && !name.ends_with("Collection") && !name.starts_with("ns")
}

fn self_link_type(obj: &Map<String, Value>) -> Option<String> {
    obj.get("links")?.as_array()?.iter().find_map(|l| {
        let href = l.get("href")?.as_str()?;
        let rest = href.split("/record/v1/").nth(1)?;
        let ty = rest.split('/').next()?;
        (!ty.is_empty() && ty != "metadata-catalog").then(|| ty.to_owned())
    })
}

fn record(
    name: &str,
    schema: &Value,
    defs: &Map<String, Value>,
) -> Result<RecordModel, SchemaError> {
    let mut structs = BTreeMap::new();
    let fields = fields_of(name, schema, defs, &mut structs, 0)?;
    Ok(RecordModel {
        record_type: name.to_owned(),
        fields,
        structs,
    })
}

fn ref_name(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

fn fields_of(
    owner: &str,
    schema: &Value,
    defs: &Map<String, Value>,
    structs: &mut BTreeMap<String, Vec<FieldModel>>,
    depth: usize,
) -> Result<Vec<FieldModel>, SchemaError> {
    if depth > 8 {
        return Err(SchemaError(format!(
            "{owner}: sub-structures nested too deeply"
        )));
    }
    let props = schema
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| SchemaError(format!("{owner}: no `properties` object")))?;
    let filterable: Option<Vec<&str>> = schema
        .get("x-ns-filterable")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    let mut out = Vec::with_capacity(props.len());
    for (wire, p) in props {
        if wire == "links" {
            continue;
        }
        let flag = |k: &str| p.get(k).and_then(Value::as_bool).unwrap_or(false);
        let ty = type_of(owner, wire, p, defs, structs, depth)?;
        out.push(FieldModel {
            wire: wire.clone(),
            title: p.get("title").and_then(Value::as_str).map(str::to_owned),
            ty,
            nullable: flag("nullable"),
            read_only: flag("readOnly"),
            custom: flag("x-ns-custom-field") || crate::names::is_custom_id(wire),
            filterable: filterable
                .as_ref()
                .is_none_or(|list| list.contains(&wire.as_str())),
        });
    }
    Ok(out)
}

/// Whether a `$ref` names a record type rather than a sublist, subrecord or helper schema: the
/// generic reference schemas, the 2019 JSON-Schema record paths
/// (`/rest/platform/v1/metadata-catalog/record/<type>`), and any record schema of the document
/// (`#/components/schemas/customer`, the record itself included: `account.parent` → `account`).
/// The wire value of each is a reference object, never the whole record: inlining the target would
/// duplicate types and recurse forever.
fn is_reference(r: &str, target: &str, defs: &Map<String, Value>) -> bool {
    if matches!(target, "nsResource" | "nsLink") {
        return true;
    }
    if r.contains("/metadata-catalog/record/") && !target.contains('-') {
        return true;
    }
    is_record_schema_name(target)
        && defs
            .get(target)
            .is_some_and(|d| d.get("properties").is_some())
}

/// The enum ids of a 2025-style select-list object
/// (`{type: object, properties: {id: {type: string, enum: […]}, refName: {type: string}}}`).
fn select_object_values(p: &Value) -> Option<Vec<String>> {
    let props = p.get("properties")?.as_object()?;
    let id = props.get("id")?;
    let values: Vec<String> = id
        .get("enum")?
        .as_array()?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let only_id_and_name = props
        .keys()
        .all(|k| matches!(k.as_str(), "id" | "refName" | "links"));
    (only_id_and_name && !values.is_empty()).then_some(values)
}

/// An inline object that is a reference: only `id` / `refName` / `externalId` / `links`.
fn is_reference_object(p: &Value) -> bool {
    p.get("properties")
        .and_then(Value::as_object)
        .is_some_and(|props| {
            props.contains_key("id")
                && props
                    .keys()
                    .all(|k| matches!(k.as_str(), "id" | "refName" | "externalId" | "links"))
        })
}

fn type_of(
    owner: &str,
    wire: &str,
    p: &Value,
    defs: &Map<String, Value>,
    structs: &mut BTreeMap<String, Vec<FieldModel>>,
    depth: usize,
) -> Result<FieldType, SchemaError> {
    // `oneOf` / `anyOf` of references (`invoice.entity`: customer, nsResource, vendor) is a reference.
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(members) = p.get(key).and_then(Value::as_array) {
            let refs: Vec<&str> = members
                .iter()
                .filter_map(|m| m.get("$ref").and_then(Value::as_str))
                .collect();
            if !refs.is_empty()
                && refs.len() == members.len()
                && refs.iter().all(|r| is_reference(r, ref_name(r), defs))
            {
                return Ok(FieldType::Reference);
            }
            if key == "allOf" && members.len() == 1 {
                return type_of(owner, wire, &members[0], defs, structs, depth);
            }
            return Ok(FieldType::Json);
        }
    }
    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
        let target = ref_name(r);
        if target == "nsResourceCollection" {
            return Ok(FieldType::MultiSelect);
        }
        if is_reference(r, target, defs) {
            return Ok(FieldType::Reference);
        }
        let Some(def) = defs.get(target) else {
            return Err(SchemaError(format!(
                "{owner}.{wire}: $ref {r:?} points to no schema in the document"
            )));
        };
        // A sublist collection: its `items` array holds the line schema.
        if target.ends_with("Collection") {
            let element = def
                .get("properties")
                .and_then(|p| p.get("items"))
                .and_then(|i| i.get("items"))
                .and_then(|i| i.get("$ref"))
                .and_then(Value::as_str);
            return match element {
                Some(el_ref) if is_reference(el_ref, ref_name(el_ref), defs) => {
                    Ok(FieldType::MultiSelect)
                }
                Some(el_ref) => {
                    let el = ref_name(el_ref);
                    let el_schema = defs.get(el).ok_or_else(|| {
                        SchemaError(format!(
                            "{owner}.{wire}: sublist line schema {el:?} is missing"
                        ))
                    })?;
                    if !structs.contains_key(el) {
                        structs.insert(el.to_owned(), Vec::new());
                        let f = fields_of(el, el_schema, defs, structs, depth + 1)?;
                        structs.insert(el.to_owned(), f);
                    }
                    Ok(FieldType::Sublist(el.to_owned()))
                }
                None => Ok(FieldType::Json),
            };
        }
        if let Some(values) = select_object_values(def) {
            return Ok(FieldType::Enum(values));
        }
        if def.get("properties").is_some() {
            if !structs.contains_key(target) {
                structs.insert(target.to_owned(), Vec::new());
                let f = fields_of(target, def, defs, structs, depth + 1)?;
                structs.insert(target.to_owned(), f);
            }
            return Ok(FieldType::Subrecord(target.to_owned()));
        }
        return type_of(owner, wire, def, defs, structs, depth);
    }
    let format = p.get("format").and_then(Value::as_str).unwrap_or("");
    Ok(match p.get("type").and_then(Value::as_str) {
        Some("string") => {
            if let Some(values) = p.get("enum").and_then(Value::as_array) {
                let values: Vec<String> = values
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect();
                if values.is_empty() {
                    FieldType::Text
                } else {
                    FieldType::Enum(values)
                }
            } else {
                match format {
                    "date" => FieldType::Date,
                    "date-time" => FieldType::DateTime,
                    _ => FieldType::Text,
                }
            }
        }
        Some("boolean") => FieldType::Bool,
        Some("integer") => match format {
            "int32" => FieldType::I32,
            _ => FieldType::I64,
        },
        Some("number") => match format {
            "float" => FieldType::F32,
            _ => FieldType::F64,
        },
        Some("object") | None if p.get("properties").is_some() => {
            if let Some(values) = select_object_values(p) {
                FieldType::Enum(values)
            } else if is_reference_object(p) {
                FieldType::Reference
            } else {
                // An inline subrecord: a struct named after its owner and field.
                let name = format!("{owner}-{wire}");
                if !structs.contains_key(&name) {
                    structs.insert(name.clone(), Vec::new());
                    let f = fields_of(&name, p, defs, structs, depth + 1)?;
                    structs.insert(name.clone(), f);
                }
                FieldType::Subrecord(name)
            }
        }
        _ => FieldType::Json,
    })
}
