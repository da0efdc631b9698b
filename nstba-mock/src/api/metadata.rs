//! The metadata catalog, `/services/rest/record/v1/metadata-catalog[/{type}]`, for the record types
//! the emulator holds.
//!
//! Each type's schema is described from its stored records (up to 200 of them): strings, numbers,
//! booleans, `YYYY-MM-DD` dates and date-times, references (`{"id": …}`), sublists (`{"items": […]}`)
//! and subrecords (other objects); script ids with a custom-field prefix are marked
//! `x-ns-custom-field`. `Accept: application/swagger+json` gives OpenAPI 3 (`components.schemas` with
//! `<type>`, `<type>Collection`, `<type>-<sublist>Collection` / `Element`, `nsResource`, `nsLink`); any
//! other `Accept` gives the JSON Schema (draft-06 hyper-schema) form with `definitions`.

use super::problem::{Problem, Resp};
use super::Ctx;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const PREFIX: &str = "/services/rest/record/v1";
const SAMPLE: usize = 200;

/// `GET /metadata-catalog`: every record type the emulator holds; with `?select=a,b` and
/// `Accept: application/swagger+json`, one OpenAPI document of those types (references between
/// them are `$ref`s to each other, as in real catalogs).
pub(crate) fn catalog(ctx: &Ctx) -> Resp {
    if let Some(select) = ctx.param("select") {
        if ctx.accept.contains("swagger") || ctx.accept.contains("openapi") {
            let store = ctx.store();
            let mut described = Vec::new();
            for t in select.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let Some(name) = store.type_name(t) else {
                    return Problem::new(
                        404,
                        "NONEXISTENT_ID",
                        format!("The record type '{t}' is not in the metadata catalog."),
                    )
                    .into_response();
                };
                let shape = describe_records(&store.sample(&name, SAMPLE));
                described.push((name, shape));
            }
            return json_response("application/swagger+json", &openapi(&described));
        }
    }
    let items: Vec<Value> = ctx
        .store()
        .types()
        .into_iter()
        .map(|t| {
            let href = format!("{}{PREFIX}/metadata-catalog/{t}", ctx.base);
            json!({
                "name": t,
                "links": [
                    {"rel": "canonical", "href": href, "mediaType": "application/json"},
                    {"rel": "alternate", "href": href, "mediaType": "application/swagger+json"},
                    {"rel": "describedby", "href": href, "mediaType": "application/schema+json"},
                ]
            })
        })
        .collect();
    json_response("application/json", &json!({ "items": items }))
}

/// `GET /metadata-catalog/{type}`: one record type's schema, in the form `Accept` asks for.
pub(crate) fn describe(ctx: &Ctx) -> Resp {
    let record_type = ctx.segment("type");
    let store = ctx.store();
    let Some(name) = store.type_name(record_type) else {
        return Problem::new(
            404,
            "NONEXISTENT_ID",
            format!("The record type '{record_type}' is not in the metadata catalog."),
        )
        .into_response();
    };
    let shape = describe_records(&store.sample(&name, SAMPLE));
    if ctx.accept.contains("swagger") || ctx.accept.contains("openapi") {
        json_response("application/swagger+json", &openapi(&[(name, shape)]))
    } else {
        json_response("application/schema+json", &json_schema(&name, &shape, ctx))
    }
}

fn json_response(content_type: &'static str, body: &Value) -> Resp {
    super::problem::json_response(hyper::StatusCode::OK, body, content_type)
}

/// The inferred shape of one property.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Text,
    Date,
    DateTime,
    Integer,
    Number,
    Boolean,
    Reference,
    /// A select-list value `{"id", "refName"}`, with the ids seen.
    Enum(std::collections::BTreeSet<String>),
    /// A multi-select: an array of references.
    MultiSelect,
    Sublist(Box<Object>),
    Subrecord(Box<Object>),
    Unknown,
}

/// Properties of an object, with whether any sample was null.
#[derive(Debug, Clone, PartialEq, Default)]
struct Object(BTreeMap<String, (Shape, bool)>);

fn describe_records(records: &[Map<String, Value>]) -> Object {
    let mut obj = Object::default();
    for r in records {
        merge_object(&mut obj, r);
    }
    obj.0.insert("id".into(), (Shape::Text, false));
    obj
}

fn merge_object(obj: &mut Object, value: &Map<String, Value>) {
    for (k, v) in value {
        if k == "links" {
            continue;
        }
        let entry = obj.0.entry(k.clone()).or_insert((Shape::Unknown, false));
        if v.is_null() {
            entry.1 = true;
            continue;
        }
        let prev = std::mem::replace(&mut entry.0, Shape::Unknown);
        entry.0 = if crate::store::is_enum_field(k) {
            let mut ids = match prev {
                Shape::Enum(ids) => ids,
                _ => Default::default(),
            };
            let id = match v {
                Value::Object(o) => o.get("id").cloned().unwrap_or(Value::Null),
                other => other.clone(),
            };
            if let Some(id) = id.as_str() {
                ids.insert(id.to_owned());
            }
            Shape::Enum(ids)
        } else {
            merge(prev, v)
        };
    }
}

fn merge(prev: Shape, v: &Value) -> Shape {
    let seen = shape_of(v);
    match (prev, seen) {
        (Shape::Unknown, s) => s,
        (Shape::Integer, Shape::Number) | (Shape::Number, Shape::Integer) => Shape::Number,
        (Shape::Date, Shape::DateTime) | (Shape::DateTime, Shape::Date) => Shape::DateTime,
        (Shape::Sublist(mut a), Shape::Sublist(b)) => {
            for (k, (s, n)) in b.0 {
                let e = a.0.entry(k).or_insert((Shape::Unknown, false));
                e.1 |= n;
                if s != Shape::Unknown && e.0 == Shape::Unknown {
                    e.0 = s;
                }
            }
            Shape::Sublist(a)
        }
        (Shape::Subrecord(mut a), Shape::Subrecord(b)) => {
            for (k, v) in b.0 {
                a.0.entry(k).or_insert(v);
            }
            Shape::Subrecord(a)
        }
        (p, s) if p == s => p,
        // Disagreeing samples: text is the one shape every value can be written as.
        _ => Shape::Text,
    }
}

fn shape_of(v: &Value) -> Shape {
    match v {
        Value::Bool(_) => Shape::Boolean,
        Value::Number(n) if n.is_i64() || n.is_u64() => Shape::Integer,
        Value::Number(_) => Shape::Number,
        Value::String(s) if is_date(s) => Shape::Date,
        Value::String(s) if is_date_time(s) => Shape::DateTime,
        Value::String(_) => Shape::Text,
        Value::Object(m) => match m.get("items") {
            Some(Value::Array(items)) => {
                let mut line = Object::default();
                for item in items {
                    if let Value::Object(o) = item {
                        merge_object(&mut line, o);
                    }
                }
                Shape::Sublist(Box::new(line))
            }
            // A reference has an id and at most a refName beside it; an object with more fields
            // (an address with its own numeric id) is a subrecord.
            _ if (m.contains_key("id") || m.contains_key("externalId"))
                && m.keys()
                    .all(|k| matches!(k.as_str(), "id" | "externalId" | "refName" | "links")) =>
            {
                Shape::Reference
            }
            _ => {
                let mut sub = Object::default();
                merge_object(&mut sub, m);
                Shape::Subrecord(Box::new(sub))
            }
        },
        Value::Array(a)
            if !a.is_empty()
                && a.iter().all(|e| {
                    e.as_object()
                        .is_some_and(|o| o.contains_key("id") || o.contains_key("externalId"))
                }) =>
        {
            Shape::MultiSelect
        }
        Value::Array(_) | Value::Null => Shape::Unknown,
    }
}

/// Fields NetSuite marks `readOnly: true` (system-set), beside `id`.
const READ_ONLY: &[&str] = &["createdDate", "dateCreated", "lastModifiedDate", "total"];

/// Polymorphic references: (record type, field) → the record types it may point at.
const POLYMORPHIC: &[(&str, &str, &[&str])] = &[("invoice", "entity", &["customer", "vendor"])];

/// How the OpenAPI document writes a reference from `owner.field`: `$ref` to the record type when
/// that type is in the document, `oneOf` for polymorphic ones, `nsResource` otherwise.
struct Refs<'a> {
    /// The record types of the document, as spelled there.
    types: &'a [String],
}

impl Refs<'_> {
    fn in_doc(&self, lower: &str) -> Option<&str> {
        self.types
            .iter()
            .find(|t| t.eq_ignore_ascii_case(lower))
            .map(String::as_str)
    }

    fn reference(&self, root: &str, field: &str) -> Value {
        let schema = |n: &str| json!({ "$ref": format!("#/components/schemas/{n}") });
        if let Some((_, _, targets)) = POLYMORPHIC
            .iter()
            .find(|(t, f, _)| t.eq_ignore_ascii_case(root) && *f == field)
        {
            let mut names: Vec<&str> = targets.iter().filter_map(|t| self.in_doc(t)).collect();
            if !names.is_empty() {
                names.push("nsResource");
                names.sort_by_key(|n| n.to_ascii_lowercase());
                return json!({ "oneOf": names.iter().map(|n| schema(n)).collect::<Vec<_>>() });
            }
        }
        let target = super::records::ref_type(field, root);
        match self.in_doc(&target) {
            Some(name) => schema(name),
            None => schema("nsResource"),
        }
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_date_time(s: &str) -> bool {
    s.len() >= 19 && s.get(..10).is_some_and(is_date) && matches!(s.as_bytes()[10], b'T' | b' ')
}

fn is_custom(name: &str) -> bool {
    nstba_record::names::is_custom_field_id(name)
}

/// `companyName` → `Company Name`.
fn title(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for (i, c) in name.chars().enumerate() {
        if c == '_' {
            out.push(' ');
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            out.push(' ');
        }
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    out
}

/// Writes one property; `reference` and `schema_ref` give the `$ref` forms of the two documents.
#[allow(clippy::too_many_arguments)]
fn property(
    name: &str,
    shape: &Shape,
    nullable: bool,
    owner: &str,
    reference: &str,
    schema_ref: &dyn Fn(&str) -> String,
    defs: &mut Map<String, Value>,
    refs: Option<(&Refs<'_>, &str)>,
) -> Value {
    let mut p = Map::new();
    p.insert("title".into(), json!(title(name)));
    match shape {
        Shape::Text | Shape::Unknown => {
            p.insert("type".into(), json!("string"));
        }
        Shape::Date => {
            p.insert("type".into(), json!("string"));
            p.insert("format".into(), json!("date"));
        }
        Shape::DateTime => {
            p.insert("type".into(), json!("string"));
            p.insert("format".into(), json!("date-time"));
        }
        Shape::Integer => {
            p.insert("type".into(), json!("integer"));
            p.insert("format".into(), json!("int64"));
        }
        Shape::Number => {
            p.insert("type".into(), json!("number"));
            p.insert("format".into(), json!("double"));
        }
        Shape::Boolean => {
            p.insert("type".into(), json!("boolean"));
        }
        Shape::Reference => match refs {
            Some((refs, root)) => {
                if let Value::Object(r) = refs.reference(root, name) {
                    p.extend(r);
                }
            }
            None => {
                p.insert("$ref".into(), json!(reference));
            }
        },
        Shape::Enum(ids) => {
            p.insert("type".into(), json!("object"));
            p.insert(
                "properties".into(),
                json!({"id": {"title": "Internal identifier", "type": "string", "enum": ids},
                       "refName": {"title": "Reference Name", "type": "string"}}),
            );
        }
        Shape::MultiSelect => {
            p.insert("$ref".into(), json!(schema_ref("nsResourceCollection")));
        }
        Shape::Sublist(line) => {
            let collection = format!("{owner}-{name}Collection");
            let element = format!("{owner}-{name}Element");
            let mut element_schema =
                object_schema(&element, line, reference, schema_ref, defs, refs);
            if let Value::Object(e) = &mut element_schema {
                let key = if line.0.contains_key("line") {
                    json!({"present": true, "name": "line"})
                } else {
                    json!({"present": false})
                };
                e.insert("x-ns-sublistkey".into(), key);
                e.insert("x-ns-filterable".into(), json!([]));
            }
            defs.insert(element.clone(), element_schema);
            defs.insert(
                collection.clone(),
                json!({
                    "type": "object",
                    "properties": {
                        "links": {"title": "Links", "type": "array", "readOnly": true, "items": {"$ref": reference}},
                        "items": {"title": "Items", "type": "array", "items": {"$ref": schema_ref(&element)}},
                        "count": {"title": "Count", "type": "integer", "format": "int64", "readOnly": true},
                        "hasMore": {"title": "Has More", "type": "boolean", "readOnly": true},
                        "offset": {"title": "Offset", "type": "integer", "format": "int64", "readOnly": true},
                        "totalResults": {"title": "Total Results", "type": "integer", "format": "int64", "readOnly": true}
                    }
                }),
            );
            p.insert("$ref".into(), json!(schema_ref(&collection)));
        }
        Shape::Subrecord(obj) => {
            let sub = format!("{owner}-{name}");
            let schema = object_schema(&sub, obj, reference, schema_ref, defs, refs);
            defs.insert(sub.clone(), schema);
            p.insert("$ref".into(), json!(schema_ref(&sub)));
        }
    }
    if nullable
        && !matches!(
            shape,
            Shape::Reference | Shape::Sublist(_) | Shape::Subrecord(_) | Shape::MultiSelect
        )
    {
        p.insert("nullable".into(), json!(true));
    }
    if name == "id" || READ_ONLY.contains(&name) {
        p.insert("readOnly".into(), json!(true));
    }
    if is_custom(name) {
        p.insert("x-ns-custom-field".into(), json!(true));
    }
    Value::Object(p)
}

fn object_schema(
    owner: &str,
    obj: &Object,
    reference: &str,
    schema_ref: &dyn Fn(&str) -> String,
    defs: &mut Map<String, Value>,
    refs: Option<(&Refs<'_>, &str)>,
) -> Value {
    let mut props = Map::new();
    for (name, (shape, nullable)) in &obj.0 {
        let p = property(
            name, shape, *nullable, owner, reference, schema_ref, defs, refs,
        );
        props.insert(name.clone(), p);
    }
    json!({"type": "object", "properties": props})
}

fn filterable(obj: &Object) -> Vec<&str> {
    obj.0
        .iter()
        .filter(|(_, (s, _))| {
            !matches!(
                s,
                Shape::Sublist(_) | Shape::Subrecord(_) | Shape::MultiSelect
            )
        })
        .map(|(k, _)| k.as_str())
        .collect()
}

fn json_schema(name: &str, obj: &Object, ctx: &Ctx) -> Value {
    let link = format!("{PREFIX}/metadata-catalog/nsLink");
    let schema_ref = |n: &str| format!("#/definitions/{n}");
    let mut defs = Map::new();
    let mut schema = object_schema(name, obj, &link, &schema_ref, &mut defs, None);
    let s = schema.as_object_mut().expect("an object");
    s.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-06/hyper-schema#"),
    );
    s.insert("title".into(), json!(title(name)));
    if !defs.is_empty() {
        s.insert("definitions".into(), Value::Object(defs));
    }
    s.insert("x-ns-filterable".into(), json!(filterable(obj)));
    s.insert(
        "links".into(),
        json!([{"rel": "self", "href": format!("{PREFIX}/{name}/{{id}}"), "method": "GET"},
               {"rel": "collection", "href": format!("{}{PREFIX}/{name}", ctx.base), "method": "GET"}]),
    );
    schema
}

/// The OpenAPI document of these record types: references between them are `$ref`s to each other.
fn openapi(described: &[(String, Object)]) -> Value {
    let reference = "#/components/schemas/nsResource";
    let schema_ref = |n: &str| format!("#/components/schemas/{n}");
    let types: Vec<String> = described.iter().map(|(n, _)| n.clone()).collect();
    let refs = Refs { types: &types };
    let mut schemas = Map::new();
    for (name, obj) in described {
        let name = name.as_str();
        let mut record = object_schema(
            name,
            obj,
            reference,
            &schema_ref,
            &mut schemas,
            Some((&refs, name)),
        );
        let r = record.as_object_mut().expect("an object");
        r.insert("x-ns-filterable".into(), json!(filterable(obj)));
        r.insert("x-ns-support-level".into(), json!("beta"));
        schemas.insert(name.to_owned(), record);
        schemas.insert(
            format!("{name}Collection"),
            json!({"type": "object", "properties": {
                "links": {"type": "array", "items": {"$ref": "#/components/schemas/nsLink"}},
                "items": {"type": "array", "items": {"$ref": schema_ref(name)}},
                "count": {"type": "integer", "format": "int64"},
                "hasMore": {"type": "boolean"},
                "offset": {"type": "integer", "format": "int64"},
                "totalResults": {"type": "integer", "format": "int64"}}}),
        );
    }
    schemas.insert("nsResource".into(), json!({"type": "object", "properties": {
        "id": {"title": "Internal identifier", "type": "string"},
        "refName": {"title": "Reference Name", "type": "string"},
        "externalId": {"title": "External identifier", "type": "string"},
        "links": {"title": "Links", "type": "array", "readOnly": true, "items": {"$ref": "#/components/schemas/nsLink"}}}}));
    schemas.insert(
        "nsLink".into(),
        json!({"type": "object", "properties": {
        "rel": {"title": "Relationship", "type": "string"},
        "href": {"title": "Hypertext Reference", "type": "string"}}}),
    );
    schemas.insert(
        "nsResourceCollection".into(),
        json!({"type": "object", "properties": {
        "links": {"type": "array", "items": {"$ref": "#/components/schemas/nsLink"}},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/nsResource"}},
        "count": {"type": "integer", "format": "int64"},
        "hasMore": {"type": "boolean"},
        "offset": {"type": "integer", "format": "int64"},
        "totalResults": {"type": "integer", "format": "int64"}}}),
    );
    schemas.insert("nsError".into(), json!({"type": "object", "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "number"},
        "o:errorDetails": {"type": "array", "items": {"type": "object", "properties": {
            "detail": {"type": "string"}, "o:errorCode": {"type": "string"}, "o:errorPath": {"type": "string"}}}}}}));
    json!({
        "openapi": "3.0.1",
        "info": {"title": "NetSuite REST Record API (nstba-mock)", "version": "1.0"},
        "paths": {},
        "components": {"schemas": schemas}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let recs: Vec<Map<String, Value>> = vec![
            serde_json::from_value(
                json!({"companyName": "A", "balance": 1, "tranDate": "2026-01-02",
                "subsidiary": {"id": "1"}, "item": {"items": [{"line": 1, "rate": 2.5}]},
                "custentity_tier": "Gold", "createdAt": "2026-01-02T03:04:05Z", "flag": true}),
            )
            .unwrap(),
            serde_json::from_value(json!({"balance": 1.5, "memo": null})).unwrap(),
        ];
        let obj = describe_records(&recs);
        assert_eq!(obj.0["balance"].0, Shape::Number);
        assert_eq!(obj.0["tranDate"].0, Shape::Date);
        assert_eq!(obj.0["createdAt"].0, Shape::DateTime);
        assert_eq!(obj.0["subsidiary"].0, Shape::Reference);
        assert!(obj.0["memo"].1);
        assert!(matches!(obj.0["item"].0, Shape::Sublist(_)));
        assert_eq!(title("companyName"), "Company Name");
        assert!(is_custom("custentity_tier") && !is_custom("customer"));
    }
}
