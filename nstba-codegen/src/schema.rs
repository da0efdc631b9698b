//! Reading NetSuite metadata-catalog documents into a small model.
//!
//! Two shapes are understood:
//! - OpenAPI 3 (`Accept: application/swagger+json`): every record type in `components.schemas` (a name
//!   without `-`, not `…Collection`, not `ns…`), sublists as `<type>-<sublist>Collection` whose `items`
//!   are `<type>-<sublist>Element`, subrecords as `<type>-<sublist>-<subrecord>`;
//! - JSON Schema (`Accept: application/schema+json`), one record per document, the record type taken
//!   from the `self` link (`/services/rest/record/v1/<type>/{id}`) or else the file name.
//!
//! References (`$ref` to `nsResource` or `…/nsLink`) become `RecordRef`s.

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
    /// A reference to another record.
    Reference,
    /// `enum` values of a string property.
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
        });
    }
    Ok(out)
}

fn type_of(
    owner: &str,
    wire: &str,
    p: &Value,
    defs: &Map<String, Value>,
    structs: &mut BTreeMap<String, Vec<FieldModel>>,
    depth: usize,
) -> Result<FieldType, SchemaError> {
    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
        let target = ref_name(r);
        if matches!(target, "nsResource" | "nsLink") {
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
                .and_then(Value::as_str)
                .map(ref_name);
            return match element {
                Some("nsResource" | "nsLink") => Ok(FieldType::Json),
                Some(el) => {
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
        if def.get("properties").is_some() {
            if !structs.contains_key(target) {
                structs.insert(target.to_owned(), Vec::new());
                let f = fields_of(target, def, defs, structs, depth + 1)?;
                structs.insert(target.to_owned(), f);
            }
            return Ok(FieldType::Subrecord(target.to_owned()));
        }
        return Ok(FieldType::Json);
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
        _ => FieldType::Json,
    })
}
