//! `POST /services/rest/record/v1/{type}/{id}/!transform/{targetType}`: a new record made from an
//! existing one (a sales order's fulfillment or invoice, a purchase order's receipt or bill…).
//!
//! The new record gets the source's header fields ([`COPIED`]), its `item` lines (each with
//! `orderLine` = the source line; fulfillments also `itemReceive: true`), `createdFrom` = the source,
//! and the target's opening status; payments get an `apply` line for the source instead of item lines.
//! The optional body is merged on top (a field in the body replaces the copied one, `null` drops it).
//! Answer: `204` + `Location` of the new record. Unknown source: `404 NONEXISTENT_ID`; a pair not in
//! [`TRANSFORMS`]: `400 USER_ERROR`; a source pending approval or rejected: `400 USER_ERROR`.

use super::problem::{self, Problem, Resp};
use super::records::{check_body_fields, load, parse_body, record_href, resolve_refs, store_error};
use super::{validation, Ctx};
use crate::store::canon;
use serde_json::{json, Map, Value};

/// Source type (lower case) → the target types it transforms into.
pub(crate) const TRANSFORMS: &[(&str, &[&str])] = &[
    ("salesorder", &["itemFulfillment", "invoice", "cashSale"]),
    ("purchaseorder", &["itemReceipt", "vendorBill"]),
    ("estimate", &["salesOrder", "invoice", "cashSale"]),
    ("invoice", &["customerPayment", "creditMemo"]),
    ("returnauthorization", &["creditMemo", "itemReceipt"]),
    ("vendorbill", &["vendorPayment"]),
];

/// Header fields copied from the source.
pub(crate) const COPIED: &[&str] = &[
    "entity",
    "currency",
    "subsidiary",
    "location",
    "department",
    "class",
    "memo",
    "exchangeRate",
    "terms",
    "salesRep",
    "otherRefNum",
    "billingAddress",
    "shippingAddress",
];

/// The handler.
pub(crate) fn transform(ctx: &Ctx) -> Resp {
    run(ctx).unwrap_or_else(Problem::into_response)
}

/// The id of a select-list value stored as `{"id": …}` or bare.
fn enum_id(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn run(ctx: &Ctx) -> Result<Resp, Problem> {
    let ty = ctx.segment("type");
    let target_seg = ctx.segment("target");
    let targets = TRANSFORMS
        .iter()
        .find(|(src, _)| *src == canon(ty))
        .map_or(&[][..], |(_, t)| *t);
    let Some(target) = targets
        .iter()
        .find(|t| t.eq_ignore_ascii_case(target_seg))
        .copied()
    else {
        let allowed = if targets.is_empty() {
            "none".to_owned()
        } else {
            targets.join(", ")
        };
        return Err(Problem::new(
            400,
            "USER_ERROR",
            format!(
                "A {ty} cannot be transformed into a {target_seg} (a {ty} transforms into: {allowed})."
            ),
        ));
    };
    let (src_id, src) = load(ctx, ty, ctx.segment("id"))?;
    let mut body = if ctx.body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        parse_body(ctx)?
    };
    check_body_fields(&body)?;
    validation::check(ctx, target, &body)?;
    resolve_refs(ctx, target, &mut body);

    let approval = enum_id(src.get("approvalStatus"));
    let pending = matches!(canon(ty).as_str(), "salesorder" | "purchaseorder")
        && enum_id(src.get("status")) == Some("A");
    if pending || approval == Some("1") {
        return Err(Problem::new(
            400,
            "USER_ERROR",
            format!("The {ty} {src_id} is pending approval: approve it before transforming it."),
        ));
    }
    if approval == Some("3") {
        return Err(Problem::new(
            400,
            "USER_ERROR",
            format!("The {ty} {src_id} was rejected and cannot be transformed."),
        ));
    }

    let mut new = copy(&src, src_id, target);
    for (k, v) in body {
        if v.is_null() {
            new.remove(&k);
        } else {
            new.insert(k, v);
        }
    }
    let id = ctx.store().create(target, new).map_err(store_error)?;
    Ok(problem::no_content(Some(&record_href(ctx, target, id))))
}

/// The new record before the body is merged.
fn copy(src: &Map<String, Value>, src_id: i64, target: &str) -> Map<String, Value> {
    let mut new = Map::new();
    for f in COPIED {
        if let Some(v) = src.get(*f) {
            new.insert((*f).to_owned(), v.clone());
        }
    }
    new.insert("createdFrom".into(), json!({"id": src_id.to_string()}));
    let total = src.get("total").cloned();
    let t = canon(target);
    if t == "customerpayment" || t == "vendorpayment" {
        if t == "customerpayment" {
            if let Some(e) = new.remove("entity") {
                new.insert("customer".into(), e);
            }
        }
        let mut line = json!({"doc": {"id": src_id.to_string()}, "apply": true});
        if let Some(total) = &total {
            line["amount"] = total.clone();
            new.insert("payment".into(), total.clone());
        }
        new.insert("apply".into(), json!({"items": [line]}));
        return new;
    }
    let lines: Vec<Value> = src
        .get("item")
        .and_then(|s| s.get("items"))
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .filter_map(Value::as_object)
                .map(|l| {
                    let mut line = l.clone();
                    if let Some(n) = line.remove("line") {
                        line.insert("orderLine".into(), n);
                    }
                    if t == "itemfulfillment" || t == "itemreceipt" {
                        line.insert("itemReceive".into(), Value::Bool(true));
                    }
                    Value::Object(line)
                })
                .collect()
        })
        .unwrap_or_default();
    let sum: Option<f64> = lines
        .iter()
        .map(|l| l.get("amount").and_then(Value::as_f64))
        .sum();
    if !lines.is_empty() {
        new.insert("item".into(), json!({ "items": lines }));
    }
    if t != "itemfulfillment" && t != "itemreceipt" {
        match (sum, total) {
            (Some(sum), _) if !lines.is_empty() => {
                new.insert("total".into(), json!(sum));
            }
            (_, Some(total)) => {
                new.insert("total".into(), total);
            }
            _ => {}
        }
    }
    let status = match t.as_str() {
        "itemfulfillment" => Some(("shipStatus", "C", "Shipped")),
        "invoice" | "creditmemo" | "vendorbill" => Some(("status", "A", "Open")),
        "salesorder" => Some(("status", "B", "Pending Fulfillment")),
        "cashsale" => Some(("status", "C", "Deposited")),
        _ => None,
    };
    if let Some((field, id, name)) = status {
        new.insert(field.into(), json!({"id": id, "refName": name}));
    }
    new
}
