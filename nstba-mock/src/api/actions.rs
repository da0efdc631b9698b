//! Record actions (`POST /{type}/{id}/@approve`, `@reject`) and attach/detach
//! (`POST /{type}/{id}/!attach/{contact|file}/{id}`, `!detach/…`).
//!
//! Actions set `approvalStatus` (`{"id":"2","refName":"Approved"}` / `{"id":"3","refName":"Rejected"}`);
//! approving a sales order or purchase order pending approval (status `A`) also moves it to
//! `B` (Pending Fulfillment / Pending Receipt). A record already approved or rejected: `400
//! USER_ERROR`. An unknown action: `400 INVALID_PARAMETER`.
//!
//! Attachments are visible as sublists of the record: contacts in `contactRoles` (lines
//! `{"contact": {"id"}, "role": {"id"}?}`, one per contact: attaching again replaces the role), files
//! in `files` (lines `{"file": {"id"}}`, one per file). The attached record must exist (a `contact` or
//! `file` record); detaching what is not attached changes nothing (204).

use super::problem::{self, Problem, Resp};
use super::records::{load, parse_body, store_error};
use super::Ctx;
use crate::store::canon;
use serde_json::{json, Map, Value};

/// The record actions the emulator knows.
pub(crate) const ACTIONS: &[&str] = &["approve", "reject"];

/// `POST /{type}/{id}/@{action}`.
pub(crate) fn action(ctx: &Ctx) -> Resp {
    run_action(ctx).unwrap_or_else(Problem::into_response)
}

/// `POST /{type}/{id}/!attach/{what}/{whatId}`.
pub(crate) fn attach(ctx: &Ctx) -> Resp {
    run_attach(ctx, true).unwrap_or_else(Problem::into_response)
}

/// `POST /{type}/{id}/!detach/{what}/{whatId}`.
pub(crate) fn detach(ctx: &Ctx) -> Resp {
    run_attach(ctx, false).unwrap_or_else(Problem::into_response)
}

fn enum_id(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn run_action(ctx: &Ctx) -> Result<Resp, Problem> {
    let ty = ctx.segment("type");
    let action = ctx.segment("action");
    if !ACTIONS.contains(&action) {
        return Err(Problem::new(
            400,
            "INVALID_PARAMETER",
            format!(
                "Unknown record action '@{}' on {ty}: the actions are @approve and @reject.",
                action.escape_debug()
            ),
        ));
    }
    let (id, rec) = load(ctx, ty, ctx.segment("id"))?;
    match enum_id(rec.get("approvalStatus")) {
        Some("2") => {
            return Err(Problem::new(
                400,
                "USER_ERROR",
                format!("The {ty} {id} is already approved."),
            ))
        }
        Some("3") => {
            return Err(Problem::new(
                400,
                "USER_ERROR",
                format!("The {ty} {id} is already rejected."),
            ))
        }
        _ => {}
    }
    let mut patch = Map::new();
    if action == "approve" {
        patch.insert(
            "approvalStatus".into(),
            json!({"id": "2", "refName": "Approved"}),
        );
        let next = match canon(ty).as_str() {
            "salesorder" => Some("Pending Fulfillment"),
            "purchaseorder" => Some("Pending Receipt"),
            _ => None,
        };
        if let Some(name) = next.filter(|_| enum_id(rec.get("status")) == Some("A")) {
            patch.insert("status".into(), json!({"id": "B", "refName": name}));
        }
    } else {
        patch.insert(
            "approvalStatus".into(),
            json!({"id": "3", "refName": "Rejected"}),
        );
    }
    ctx.store()
        .update(ty, id, patch, &[])
        .map_err(store_error)?;
    Ok(problem::no_content(None))
}

/// (sublist, line field, record type) of an attachment kind.
fn kind(what: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match what.to_ascii_lowercase().as_str() {
        "contact" => Some(("contactRoles", "contact", "contact")),
        "file" => Some(("files", "file", "file")),
        _ => None,
    }
}

fn run_attach(ctx: &Ctx, attach: bool) -> Result<Resp, Problem> {
    let ty = ctx.segment("type");
    let what = ctx.segment("what");
    let verb = if attach { "attached" } else { "detached" };
    let Some((sublist, field, what_type)) = kind(what) else {
        return Err(Problem::new(
            400,
            "INVALID_PARAMETER",
            format!(
                "Only contacts and files can be {verb}: '{}' is neither.",
                what.escape_debug()
            ),
        ));
    };
    let what_id = ctx.segment("whatId");
    let (id, rec) = load(ctx, ty, ctx.segment("id"))?;
    let other: i64 = what_id
        .parse()
        .ok()
        .filter(|n| *n != 0 && ctx.store().get(what_type, *n).is_some())
        .ok_or_else(|| {
            Problem::not_found(format!(
                "The record instance does not exist. Provide a valid record instance ID: {what_type} {what_id}."
            ))
        })?;
    let role = if attach && !ctx.body.iter().all(u8::is_ascii_whitespace) {
        let body = parse_body(ctx)?;
        match body.get("role") {
            None | Some(Value::Null) => None,
            Some(Value::Object(o))
                if o.get("id").is_some_and(|v| v.is_string() || v.is_number()) =>
            {
                Some(json!({"id": scalar(&o["id"])}))
            }
            Some(v @ (Value::String(_) | Value::Number(_))) => Some(json!({"id": scalar(v)})),
            Some(_) => {
                return Err(Problem::invalid_content(
                    "Invalid content in the request body: role must be {\"id\": …}.",
                )
                .at("role"))
            }
        }
    } else {
        None
    };
    let mut lines: Vec<Value> = rec
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(sublist))
        .and_then(|(_, v)| v.get("items"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let is_it = |l: &Value| {
        l.get(field)
            .and_then(|r| r.get("id"))
            .and_then(crate::store::id_of)
            == Some(other)
    };
    let before = lines.len();
    if attach {
        let mut line = json!({ field: {"id": other.to_string()} });
        if let Some(role) = role {
            line["role"] = role;
        }
        match lines.iter_mut().find(|l| is_it(l)) {
            Some(existing) => {
                if let (Some(n), Value::Object(o)) = (existing.get("line").cloned(), &mut line) {
                    o.insert("line".into(), n);
                }
                *existing = line;
            }
            None => lines.push(line),
        }
    } else {
        lines.retain(|l| !is_it(l));
        if lines.len() == before {
            return Ok(problem::no_content(None));
        }
    }
    let mut patch = Map::new();
    patch.insert(sublist.into(), json!({ "items": lines }));
    ctx.store()
        .update(ty, id, patch, &[sublist.to_owned()])
        .map_err(store_error)?;
    Ok(problem::no_content(None))
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
