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

/// `GET /metadata-catalog`: every record type the emulator holds.
pub(crate) fn catalog(ctx: &Ctx) -> Resp {
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
        json_response("application/swagger+json", &openapi(&name, &shape))
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
        entry.0 = merge(std::mem::replace(&mut entry.0, Shape::Unknown), v);
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
            _ if m.contains_key("id") || m.contains_key("externalId") => Shape::Reference,
            _ => {
                let mut sub = Object::default();
                merge_object(&mut sub, m);
                Shape::Subrecord(Box::new(sub))
            }
        },
        Value::Array(_) | Value::Null => Shape::Unknown,
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
    s.len() >= 19 && is_date(&s[..10]) && matches!(s.as_bytes()[10], b'T' | b' ')
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
fn property(
    name: &str,
    shape: &Shape,
    nullable: bool,
    owner: &str,
    reference: &str,
    schema_ref: &dyn Fn(&str) -> String,
    defs: &mut Map<String, Value>,
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
        Shape::Reference => {
            p.insert("$ref".into(), json!(reference));
        }
        Shape::Sublist(line) => {
            let collection = format!("{owner}-{name}Collection");
            let element = format!("{owner}-{name}Element");
            let element_schema = object_schema(&element, line, reference, schema_ref, defs);
            defs.insert(element.clone(), element_schema);
            defs.insert(
                collection.clone(),
                json!({
                    "type": "object",
                    "properties": {
                        "links": {"title": "Links", "type": "array", "readOnly": true, "items": {"$ref": reference}},
                        "items": {"title": "Items", "type": "array", "items": {"$ref": schema_ref(&element)}},
                        "totalResults": {"title": "Total Results", "type": "integer", "format": "int64", "readOnly": true}
                    }
                }),
            );
            p.insert("$ref".into(), json!(schema_ref(&collection)));
        }
        Shape::Subrecord(obj) => {
            let sub = format!("{owner}-{name}");
            let schema = object_schema(&sub, obj, reference, schema_ref, defs);
            defs.insert(sub.clone(), schema);
            p.insert("$ref".into(), json!(schema_ref(&sub)));
        }
    }
    if nullable
        && !matches!(
            shape,
            Shape::Reference | Shape::Sublist(_) | Shape::Subrecord(_)
        )
    {
        p.insert("nullable".into(), json!(true));
    }
    if name == "id" {
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
) -> Value {
    let mut props = Map::new();
    for (name, (shape, nullable)) in &obj.0 {
        let p = property(name, shape, *nullable, owner, reference, schema_ref, defs);
        props.insert(name.clone(), p);
    }
    json!({"type": "object", "properties": props})
}

fn filterable(obj: &Object) -> Vec<&str> {
    obj.0
        .iter()
        .filter(|(_, (s, _))| !matches!(s, Shape::Sublist(_) | Shape::Subrecord(_)))
        .map(|(k, _)| k.as_str())
        .collect()
}

fn json_schema(name: &str, obj: &Object, ctx: &Ctx) -> Value {
    let link = format!("{PREFIX}/metadata-catalog/nsLink");
    let schema_ref = |n: &str| format!("#/definitions/{n}");
    let mut defs = Map::new();
    let mut schema = object_schema(name, obj, &link, &schema_ref, &mut defs);
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

fn openapi(name: &str, obj: &Object) -> Value {
    let reference = "#/components/schemas/nsResource";
    let schema_ref = |n: &str| format!("#/components/schemas/{n}");
    let mut schemas = Map::new();
    let mut record = object_schema(name, obj, reference, &schema_ref, &mut schemas);
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
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/nsResource"}}}}),
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
