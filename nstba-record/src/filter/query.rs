//! The `q=` renderer: NetSuite's record list filter syntax (`field OPERATOR value`, strings in double
//! quotes, dates in the account's default `M/D/YYYY` format, lists in brackets).

use super::{
    bare_id, error, render_group, Compare, Cond, DateCompare, FilterError, Node, Range, TextMatch,
    Value,
};
use crate::FieldInfo;

impl Compare {
    fn keyword(self) -> &'static str {
        match self {
            Compare::Is => "IS",
            Compare::IsNot => "IS_NOT",
            Compare::Equal => "EQUAL",
            Compare::EqualNot => "EQUAL_NOT",
            Compare::Greater => "GREATER",
            Compare::GreaterOrEqual => "GREATER_OR_EQUAL",
            Compare::Less => "LESS",
            Compare::LessOrEqual => "LESS_OR_EQUAL",
        }
    }
}

impl TextMatch {
    fn keyword(self) -> &'static str {
        match self {
            TextMatch::Contain => "CONTAIN",
            TextMatch::ContainNot => "CONTAIN_NOT",
            TextMatch::StartWith => "START_WITH",
            TextMatch::EndWith => "END_WITH",
        }
    }
}

impl DateCompare {
    fn keyword(self) -> &'static str {
        match self {
            DateCompare::On => "ON",
            DateCompare::Before => "BEFORE",
            DateCompare::After => "AFTER",
            DateCompare::OnOrBefore => "ON_OR_BEFORE",
            DateCompare::OnOrAfter => "ON_OR_AFTER",
        }
    }
}

impl Range {
    fn keyword(self) -> &'static str {
        match self {
            Range::Between => "BETWEEN",
            Range::Within => "WITHIN",
        }
    }
}

fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn value(field: &'static FieldInfo, v: &Value, out: &mut String) -> Result<(), FilterError> {
    match v {
        Value::Text(s) => quote(s, out),
        Value::Number(Some(n)) => out.push_str(n),
        Value::Number(None) => return Err(error(field, "a number must be finite")),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Date(d) => quote(&d.to_netsuite(), out),
        Value::Id(s) if bare_id(s) => out.push_str(s),
        Value::Id(s) => quote(s, out),
    }
    Ok(())
}

fn list<'a>(
    field: &'static FieldInfo,
    values: impl IntoIterator<Item = &'a Value>,
    out: &mut String,
) -> Result<(), FilterError> {
    out.push_str(" [");
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        value(field, v, out)?;
    }
    out.push(']');
    Ok(())
}

pub(super) fn render(node: &Node, out: &mut String, nested: bool) -> Result<(), FilterError> {
    let Node::Cond { field, cond } = node else {
        return render_group(node, out, nested, render);
    };
    out.push_str(field.wire);
    out.push(' ');
    match cond {
        Cond::Compare(op, v) => {
            out.push_str(op.keyword());
            out.push(' ');
            value(field, v, out)?;
        }
        Cond::Text(op, s) => {
            out.push_str(op.keyword());
            out.push(' ');
            quote(s, out);
        }
        Cond::Date(op, d) => {
            out.push_str(op.keyword());
            out.push(' ');
            quote(&d.to_netsuite(), out);
        }
        Cond::Range(op, low, high) => {
            out.push_str(op.keyword());
            list(field, [low, high], out)?;
        }
        Cond::AnyOf { values, .. } if values.is_empty() => {
            return Err(error(field, "ANY_OF needs at least one value"))
        }
        Cond::AnyOf { not, values } => {
            out.push_str(if *not { "ANY_OF_NOT" } else { "ANY_OF" });
            list(field, values, out)?;
        }
        Cond::Empty { not } => out.push_str(if *not { "EMPTY_NOT" } else { "EMPTY" }),
    }
    Ok(())
}
