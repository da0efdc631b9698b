//! The validation preferences `X-NetSuite-PropertyNameValidation` and
//! `X-NetSuite-PropertyValueValidation` (each `Error`, `Warning` or `Ignore`).
//!
//! Names: NetSuite ignores a misspelled field silently unless the request sends
//! `X-NetSuite-PropertyNameValidation: Error`; then a body field the record type does not have is
//! `400 NONEXISTENT_FIELD`. The emulator knows a type's fields from the records stored so far (the
//! fields of every stored record of the type, case-insensitively), so a type without records accepts
//! every name. `Warning` (the default) and `Ignore` accept unknown names.
//!
//! Values: only the header's own value is checked (anything but `Error`/`Warning`/`Ignore` is a 400);
//! the emulator has no value schema to validate against.

use super::problem::Problem;
use super::Ctx;
use serde_json::{Map, Value};

/// The name-validation header.
pub(crate) const NAME_HEADER: &str = "x-netsuite-propertynamevalidation";
/// The value-validation header.
pub(crate) const VALUE_HEADER: &str = "x-netsuite-propertyvaluevalidation";

/// A validation preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Error,
    Warning,
    Ignore,
}

/// The level a header asks for (`default` when absent); a value other than the three is a 400.
fn level(ctx: &Ctx, header: &str, default: Level) -> Result<Level, Problem> {
    let Some(raw) = ctx.headers.get(header) else {
        return Ok(default);
    };
    let text = raw.to_str().unwrap_or("").trim();
    match text.to_ascii_lowercase().as_str() {
        "error" => Ok(Level::Error),
        "warning" => Ok(Level::Warning),
        "ignore" => Ok(Level::Ignore),
        _ => Err(Problem::new(
            400,
            "INVALID_PARAMETER",
            format!(
                "Invalid value '{}' of the header {}: use Error, Warning or Ignore.",
                text.escape_debug(),
                display_name(header)
            ),
        )),
    }
}

fn display_name(header: &str) -> &'static str {
    if header == NAME_HEADER {
        "X-NetSuite-PropertyNameValidation"
    } else {
        "X-NetSuite-PropertyValueValidation"
    }
}

/// Checks a write's body against the validation preferences of the request.
pub(crate) fn check(ctx: &Ctx, ty: &str, body: &Map<String, Value>) -> Result<(), Problem> {
    level(ctx, VALUE_HEADER, Level::Error)?;
    if level(ctx, NAME_HEADER, Level::Warning)? != Level::Error {
        return Ok(());
    }
    let known = ctx.store().fields(ty);
    if known.is_empty() {
        return Ok(());
    }
    for k in body.keys() {
        if matches!(k.as_str(), "links" | "id" | "externalId" | "refName") {
            continue;
        }
        if !known.contains_key(&k.to_ascii_lowercase()) {
            return Err(Problem::new(
                400,
                "NONEXISTENT_FIELD",
                format!("Field '{k}' does not exist on record type '{ty}'."),
            )
            .at(k));
        }
    }
    Ok(())
}
