//! The REST record API `/services/rest/record/v1`.

use super::paging::{page_links, paging, MAX_RESULTS};
use super::problem::{self, Problem, Resp, COLLECTION, SINGULAR};
use super::{validation, Ctx};
use crate::store::{canon, is_ident, StoreError};
use hyper::StatusCode;
use serde_json::{json, Map, Value};

pub(crate) const PREFIX: &str = "/services/rest/record/v1";

/// Runs a handler body, turning its problem into a response.
fn answer(ctx: &Ctx, f: impl FnOnce(&Ctx, &str) -> Result<Resp, Problem>) -> Resp {
    match f(ctx, ctx.segment("type")) {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

/// `GET /{type}`: a page of ids.
pub(crate) fn list(ctx: &Ctx) -> Resp {
    answer(ctx, list_page)
}

/// `POST /{type}`: creates a record.
pub(crate) fn create(ctx: &Ctx) -> Resp {
    answer(ctx, create_record)
}

/// `GET /{type}/{id}`: one record.
pub(crate) fn get(ctx: &Ctx) -> Resp {
    answer(ctx, |ctx, ty| get_one(ctx, ty, ctx.segment("id")))
}

/// `PATCH /{type}/{id}`: updates a record.
pub(crate) fn patch(ctx: &Ctx) -> Resp {
    answer(ctx, |ctx, ty| patch_record(ctx, ty, ctx.segment("id")))
}

/// `PUT /{type}/eid:{externalId}`: upserts a record.
pub(crate) fn put(ctx: &Ctx) -> Resp {
    answer(ctx, |ctx, ty| put_record(ctx, ty, ctx.segment("id")))
}

/// `DELETE /{type}/{id}`: deletes a record.
pub(crate) fn delete(ctx: &Ctx) -> Resp {
    answer(ctx, |ctx, ty| delete_record(ctx, ty, ctx.segment("id")))
}

/// `GET /{type}/{id}/{sublist}`: the expanded sublist or subrecord.
pub(crate) fn get_sublist(ctx: &Ctx) -> Resp {
    answer(ctx, |ctx, ty| {
        get_sub(ctx, ty, ctx.segment("id"), ctx.segment("sublist"))
    })
}

/// Any other path under `/services/rest/record/v1` (the `{rest}` segments): the 404 NetSuite gives.
pub(crate) fn no_such_resource(ctx: &Ctx) -> Resp {
    let rest = ctx.segment("rest");
    let first = rest.split('/').next().unwrap_or("");
    let problem = if rest.is_empty() {
        Problem::new(
            404,
            "NONEXISTENT_ID",
            "A record type is required: /services/rest/record/v1/{recordType}.",
        )
    } else if first != "metadata-catalog" && !is_ident(first) {
        Problem::new(
            404,
            "NONEXISTENT_ID",
            format!("Record type '{first}' does not exist."),
        )
    } else {
        Problem::new(
            404,
            "NONEXISTENT_ID",
            format!("The requested path {} does not exist.", ctx.path),
        )
    };
    problem.into_response()
}

/// An id segment: internal id or `eid:<external id>`.
enum IdRef {
    Internal(i64),
    External(String),
}

fn parse_id(s: &str) -> Result<IdRef, Problem> {
    if let Some(eid) = s.strip_prefix("eid:") {
        if eid.is_empty() {
            return Err(Problem::new(400, "INVALID_ID", "The external id is empty."));
        }
        return Ok(IdRef::External(eid.to_owned()));
    }
    // System records have negative ids (`-5` is the system employee); 0 is never an id.
    match s.parse::<i64>() {
        Ok(n) if n != 0 => Ok(IdRef::Internal(n)),
        _ => Err(Problem::new(
            400,
            "INVALID_ID",
            format!("Invalid record id '{s}': use an internal id (digits) or eid:<external id>."),
        )),
    }
}

fn resolve(ctx: &Ctx, ty: &str, s: &str) -> Result<i64, Problem> {
    let missing = || {
        Problem::not_found(format!(
            "The record instance does not exist. Provide a valid record instance ID: {ty} {s}."
        ))
    };
    match parse_id(s)? {
        IdRef::Internal(id) => Ok(id),
        IdRef::External(eid) => ctx.store().find_eid(ty, &eid).ok_or_else(missing),
    }
}

pub(crate) fn record_href(ctx: &Ctx, ty: &str, id: i64) -> String {
    format!("{}{PREFIX}/{}/{id}", ctx.base, canon(ty))
}

fn links(href: &str) -> Value {
    json!([{"rel": "self", "href": href}])
}

pub(crate) fn parse_body(ctx: &Ctx) -> Result<Map<String, Value>, Problem> {
    if ctx.body.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::invalid_content(
            "The request body is empty: a JSON object is required.",
        ));
    }
    match serde_json::from_slice::<Value>(&ctx.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Problem::invalid_content(
            "Invalid content in the request body: a JSON object is required.",
        )),
        Err(e) => Err(Problem::invalid_content(format!(
            "Invalid content in the request body: the JSON is malformed ({e})."
        ))),
    }
}

pub(crate) fn store_error(e: StoreError) -> Problem {
    match e {
        StoreError::DuplicateExternalId(eid) => Problem::new(
            400,
            "USER_ERROR",
            format!("A record with the external ID '{eid}' already exists."),
        )
        .at("externalId"),
        StoreError::NotFound => Problem::not_found("The record instance does not exist."),
        StoreError::Sql(s) => Problem::new(
            400,
            "USER_ERROR",
            format!("The request could not be processed: {s}"),
        ),
    }
}

pub(crate) fn check_body_fields(body: &Map<String, Value>) -> Result<(), Problem> {
    for k in body.keys() {
        if k != "links" && !is_ident(k) {
            return Err(Problem::invalid_content(format!(
                "Invalid content in the request body: '{k}' is not a valid field name."
            ))
            .at(k));
        }
    }
    if let Some(v) = body.get("externalId") {
        if !(v.is_string() || v.is_number() || v.is_null()) {
            return Err(Problem::invalid_content(
                "Invalid content in the request body: externalId must be a string.",
            )
            .at("externalId"));
        }
    }
    Ok(())
}

/// Gives references written as `{"externalId": …}` their internal id, as NetSuite stores them
/// (top-level fields and sublist lines). Unknown external ids are kept as written.
pub(crate) fn resolve_refs(ctx: &Ctx, ty: &str, body: &mut Map<String, Value>) {
    fn fix(ctx: &Ctx, ty: &str, key: &str, o: &mut Map<String, Value>) {
        if o.contains_key("id") || o.contains_key("items") {
            return;
        }
        let Some(eid) = o.get("externalId").and_then(Value::as_str) else {
            return;
        };
        if let Some(id) = ctx.store().find_eid(&ref_type(key, ty), eid) {
            o.insert("id".into(), Value::String(id.to_string()));
        }
    }
    for (k, v) in body.iter_mut() {
        let Value::Object(o) = v else { continue };
        if let Some(Value::Array(lines)) = o.get_mut("items") {
            for line in lines.iter_mut() {
                if let Value::Object(line) = line {
                    for (lk, lv) in line.iter_mut() {
                        if let Value::Object(lo) = lv {
                            fix(ctx, ty, lk, lo);
                        }
                    }
                }
            }
        } else {
            fix(ctx, ty, k, o);
        }
    }
}

fn create_record(ctx: &Ctx, ty: &str) -> Result<Resp, Problem> {
    let mut body = parse_body(ctx)?;
    check_body_fields(&body)?;
    validation::check(ctx, ty, &body)?;
    resolve_refs(ctx, ty, &mut body);
    let id = ctx.store().create(ty, body).map_err(store_error)?;
    Ok(problem::no_content(Some(&record_href(ctx, ty, id))))
}

fn replace_list(ctx: &Ctx) -> Vec<String> {
    ctx.param("replace")
        .map(|r| {
            r.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn patch_record(ctx: &Ctx, ty: &str, id: &str) -> Result<Resp, Problem> {
    let id = resolve(ctx, ty, id)?;
    let mut body = parse_body(ctx)?;
    check_body_fields(&body)?;
    validation::check(ctx, ty, &body)?;
    resolve_refs(ctx, ty, &mut body);
    ctx.store()
        .update(ty, id, body, &replace_list(ctx))
        .map_err(store_error)?;
    Ok(problem::no_content(None))
}

fn put_record(ctx: &Ctx, ty: &str, id: &str) -> Result<Resp, Problem> {
    let IdRef::External(eid) = parse_id(id)? else {
        return Err(Problem::new(
            400,
            "INVALID_ID",
            "PUT (upsert) needs an external id: /{recordType}/eid:{externalId}.",
        ));
    };
    let mut body = parse_body(ctx)?;
    check_body_fields(&body)?;
    validation::check(ctx, ty, &body)?;
    resolve_refs(ctx, ty, &mut body);
    let store = ctx.store();
    let id = match store.find_eid(ty, &eid) {
        Some(id) => {
            body.remove("externalId");
            store
                .update(ty, id, body, &replace_list(ctx))
                .map_err(store_error)?;
            id
        }
        None => {
            body.insert("externalId".into(), Value::String(eid));
            store.create(ty, body).map_err(store_error)?
        }
    };
    Ok(problem::no_content(Some(&record_href(ctx, ty, id))))
}

fn delete_record(ctx: &Ctx, ty: &str, id: &str) -> Result<Resp, Problem> {
    let id = resolve(ctx, ty, id)?;
    if ctx.store().delete(ty, id) {
        Ok(problem::no_content(None))
    } else {
        Err(Problem::not_found(format!(
            "The record instance does not exist. Provide a valid record instance ID: {ty} {id}."
        )))
    }
}

fn truthy(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "T" || v == "1")
}

pub(crate) fn load(
    ctx: &Ctx,
    ty: &str,
    id_seg: &str,
) -> Result<(i64, Map<String, Value>), Problem> {
    let id = resolve(ctx, ty, id_seg)?;
    let body = ctx.store().get(ty, id).ok_or_else(|| {
        Problem::not_found(format!(
            "The record instance does not exist. Provide a valid record instance ID: {ty} {id_seg}."
        ))
    })?;
    Ok((id, body))
}

fn get_one(ctx: &Ctx, ty: &str, id_seg: &str) -> Result<Resp, Problem> {
    let (id, body) = load(ctx, ty, id_seg)?;
    let expand = truthy(ctx.param("expandSubResources"));
    let wanted: Option<Vec<String>> = ctx.param("fields").map(|f| {
        f.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    });
    if let Some(wanted) = &wanted {
        let known = ctx.store().fields(ty);
        for f in wanted {
            let lower = f.to_ascii_lowercase();
            if lower != "id" && !known.contains_key(&lower) {
                return Err(Problem::new(
                    400,
                    "NONEXISTENT_FIELD",
                    format!("Field '{f}' does not exist on record type '{ty}'."),
                )
                .param("fields"));
            }
        }
    }
    let href = record_href(ctx, ty, id);
    let simple_enums = truthy(ctx.param("simpleEnumFormat"));
    let mut out = Map::new();
    out.insert("links".into(), links(&href));
    for (k, v) in body {
        if let Some(wanted) = &wanted {
            if k != "id" && !wanted.iter().any(|w| w.eq_ignore_ascii_case(&k)) {
                continue;
            }
        }
        let rendered = if is_enum_field(&k) {
            render_enum(&v, simple_enums)
        } else {
            match v {
                Value::Object(_) | Value::Array(_) => render_field(ctx, ty, &href, &k, &v, expand),
                scalar => scalar,
            }
        };
        out.insert(k, rendered);
    }
    Ok(problem::json_response(
        StatusCode::OK,
        &Value::Object(out),
        SINGULAR,
    ))
}

fn get_sub(ctx: &Ctx, ty: &str, id_seg: &str, sub: &str) -> Result<Resp, Problem> {
    let (id, body) = load(ctx, ty, id_seg)?;
    let href = record_href(ctx, ty, id);
    let Some((key, v)) = body
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case(sub) && (v.is_object() || is_multi_select(v)))
    else {
        return Err(Problem::new(
            404,
            "NONEXISTENT_FIELD",
            format!("'{sub}' is not a sublist or subrecord of this {ty}."),
        ));
    };
    let rendered = render_field(ctx, ty, &href, key, v, true);
    let ct = if v.get("items").is_some() || v.is_array() {
        COLLECTION
    } else {
        SINGULAR
    };
    Ok(problem::json_response(StatusCode::OK, &rendered, ct))
}

/// The record type (lower case) a reference field points at.
pub(crate) fn ref_type(field: &str, ty: &str) -> String {
    let lower = field.to_ascii_lowercase();
    let t = match lower.as_str() {
        "entity" if is_purchase(ty) => "vendor",
        "entity" | "customer" => "customer",
        "entitystatus" => "customerstatus",
        "item" => "inventoryitem",
        "parent" => return canon(ty),
        "salesrep" | "employee" | "supervisor" => "employee",
        "class" => "classification",
        "terms" => "term",
        "createdfrom" => "salesorder",
        other => other,
    };
    t.to_owned()
}

/// Purchase transactions, whose `entity` is a vendor.
fn is_purchase(ty: &str) -> bool {
    matches!(
        canon(ty).as_str(),
        "purchaseorder" | "vendorbill" | "vendorcredit" | "vendorpayment" | "itemreceipt"
    )
}

/// A reference as stored: an id or external id, at most a `refName` beside it. An object with other
/// fields (an address with its own numeric `id`) is a subrecord.
fn is_ref(o: &Map<String, Value>) -> bool {
    (o.contains_key("id") || o.contains_key("externalId"))
        && o.keys()
            .all(|k| matches!(k.as_str(), "id" | "externalId" | "refName" | "links"))
}

/// A multi-select as stored: an array of references.
fn is_multi_select(v: &Value) -> bool {
    matches!(v, Value::Array(a) if !a.is_empty() && a.iter().all(|e| e.as_object().is_some_and(is_ref)))
}

fn is_enum_field(key: &str) -> bool {
    crate::store::is_enum_field(key)
}

/// A select-list value: `{"id": "B", "refName": "Pending Fulfillment"}` (no links), or with
/// `simpleEnumFormat=true` the bare id. Stored as either form.
fn render_enum(v: &Value, simple: bool) -> Value {
    let (id, name) = match v {
        Value::Object(o) => {
            let id = o.get("id").cloned().unwrap_or(Value::Null);
            let name = o.get("refName").cloned().unwrap_or_else(|| id.clone());
            (id, name)
        }
        other => (other.clone(), other.clone()),
    };
    if simple {
        id
    } else {
        json!({"id": id, "refName": name})
    }
}

fn render_field(ctx: &Ctx, ty: &str, href: &str, key: &str, v: &Value, expand: bool) -> Value {
    match v {
        Value::Object(o) if o.get("items").is_some_and(Value::is_array) => {
            let sub_href = format!("{href}/{key}");
            if !expand {
                return json!({ "links": links(&sub_href) });
            }
            let items: Vec<Value> = o
                .get("items")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|l| {
                            // Each expanded line carries its own self link: `…/item/1`.
                            let mut line = Map::new();
                            if let Some(n) = l.get("line").and_then(crate::store::id_of) {
                                line.insert("links".into(), links(&format!("{sub_href}/{n}")));
                            }
                            if let Value::Object(fields) = render_nested(ctx, ty, l) {
                                line.extend(fields);
                            }
                            Value::Object(line)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let n = items.len();
            json!({"links": links(&sub_href), "count": n, "hasMore": false, "items": items,
                   "offset": 0, "totalResults": n})
        }
        Value::Array(a) if is_multi_select(v) => {
            let sub_href = format!("{href}/{key}");
            if !expand {
                return json!({ "links": links(&sub_href) });
            }
            let items: Vec<Value> = a
                .iter()
                .filter_map(Value::as_object)
                .map(|r| render_ref(ctx, ty, key, r))
                .collect();
            let n = items.len();
            json!({"links": links(&sub_href), "count": n, "hasMore": false, "items": items,
                   "offset": 0, "totalResults": n})
        }
        Value::Object(o) if is_ref(o) => render_ref(ctx, ty, key, o),
        Value::Object(o) => {
            let sub_href = format!("{href}/{key}");
            if !expand {
                return json!({ "links": links(&sub_href) });
            }
            let mut out = Map::new();
            out.insert("links".into(), links(&sub_href));
            for (k, v) in o {
                out.insert(k.clone(), render_nested(ctx, ty, &json!({k: v}))[k].clone());
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// A sublist line or subrecord content: references rendered, nested objects inline.
fn render_nested(ctx: &Ctx, ty: &str, v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, v) in o {
                let r = match v {
                    _ if is_enum_field(k) => render_enum(v, false),
                    Value::Object(inner) if is_ref(inner) => render_ref(ctx, ty, k, inner),
                    Value::Object(_) => render_nested(ctx, ty, v),
                    other => other.clone(),
                };
                out.insert(k.clone(), r);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn render_ref(ctx: &Ctx, ty: &str, key: &str, o: &Map<String, Value>) -> Value {
    let target = ref_type(key, ty);
    let store = ctx.store();
    let id = o.get("id").and_then(crate::store::id_of).or_else(|| {
        o.get("externalId")
            .and_then(Value::as_str)
            .and_then(|e| store.find_eid(&target, e))
    });
    let mut out = Map::new();
    if let Some(id) = id {
        out.insert("id".into(), Value::String(id.to_string()));
    } else if let Some(raw) = o.get("id") {
        out.insert("id".into(), raw.clone());
    }
    let ref_name = o
        .get("refName")
        .cloned()
        .or_else(|| store.ref_name(&target, id?).map(Value::String));
    if let Some(name) = ref_name {
        out.insert("refName".into(), name);
    }
    if let Some(eid) = o.get("externalId") {
        out.insert("externalId".into(), eid.clone());
    }
    let href = match id {
        Some(id) => format!("{}{PREFIX}/{target}/{id}", ctx.base),
        None => format!("{}{PREFIX}/{target}", ctx.base),
    };
    out.insert("links".into(), links(&href));
    Value::Object(out)
}

fn list_page(ctx: &Ctx, ty: &str) -> Result<Resp, Problem> {
    let (limit, offset) = paging(ctx)?;
    let q = ctx.param("q").filter(|q| !q.trim().is_empty());
    let (where_sql, args) = match q {
        Some(q) => {
            let fields = ctx.store().fields(ty);
            crate::store::qparse::to_sql(q, &fields)
                .map_err(|e| Problem::new(400, e.code, e.detail).param("q"))?
        }
        None => ("1".to_owned(), Vec::new()),
    };
    let (total, ids) = ctx
        .store()
        .list(ty, &where_sql, &args, limit, offset)
        .map_err(|e| match e {
            StoreError::Sql(s) => Problem::invalid_param("q", format!("Invalid search query: {s}")),
            other => store_error(other),
        })?;
    let base = format!("{}{PREFIX}/{}", ctx.base, canon(ty));
    let q_part = q
        .map(|q| format!("&q={}", nstba_core::encode(q)))
        .unwrap_or_default();
    let href_for = |off: usize| format!("{base}?limit={limit}&offset={off}{q_part}");
    let items: Vec<Value> = ids
        .iter()
        .map(|id| json!({"links": links(&format!("{base}/{id}")), "id": id.to_string()}))
        .collect();
    let body = json!({
        "links": page_links(href_for, limit, offset, total, None),
        "count": items.len(),
        "hasMore": offset + items.len() < total.min(MAX_RESULTS),
        "items": items,
        "offset": offset,
        "totalResults": total,
    });
    Ok(problem::json_response(StatusCode::OK, &body, COLLECTION))
}
