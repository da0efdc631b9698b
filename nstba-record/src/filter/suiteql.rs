//! The SuiteQL renderer: a `WHERE` condition on the fields' columns, every value quoted or written
//! as a literal (`'T'`/`'F'` for booleans, `TO_DATE(…)` for dates, `LIKE … ESCAPE '\'` for text
//! matches).

use super::{
    bare_id, error, render_group, Compare, Cond, DateCompare, FilterError, Node, Range, TextMatch,
    Value,
};
use crate::values::Date;
use crate::FieldInfo;

/// A SuiteQL string literal: `'` doubled.
fn sql_quote(s: &str, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
}

fn like_pattern(prefix: &str, s: &str, suffix: &str) -> String {
    let mut p = String::from(prefix);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push_str(suffix);
    p
}

fn date(d: &Date, out: &mut String) {
    out.push_str("TO_DATE('");
    out.push_str(&d.to_string());
    out.push_str("', 'YYYY-MM-DD')");
}

fn next_day(d: &Date) -> Date {
    Date::new(d.year(), d.month(), d.day() + 1)
        .or_else(|| Date::new(d.year(), d.month() + 1, 1))
        .or_else(|| Date::new(d.year() + 1, 1, 1))
        .unwrap_or(*d)
}

fn value(field: &'static FieldInfo, v: &Value, out: &mut String) -> Result<(), FilterError> {
    match v {
        Value::Text(s) => sql_quote(s, out),
        Value::Number(Some(n)) => out.push_str(n),
        Value::Number(None) => return Err(error(field, "a number must be finite")),
        Value::Bool(b) => out.push_str(if *b { "'T'" } else { "'F'" }),
        Value::Date(d) => date(d, out),
        Value::Id(s) if bare_id(s) => out.push_str(s),
        Value::Id(s) => sql_quote(s, out),
    }
    Ok(())
}

/// `(col >= from AND col < to + 1 day)`: whole days, date-times included.
fn days(col: &str, from: &Date, to: &Date, out: &mut String) {
    out.push('(');
    out.push_str(col);
    out.push_str(" >= ");
    date(from, out);
    out.push_str(" AND ");
    out.push_str(col);
    out.push_str(" < ");
    date(&next_day(to), out);
    out.push(')');
}

pub(super) fn render(node: &Node, out: &mut String, nested: bool) -> Result<(), FilterError> {
    let Node::Cond { field, cond } = node else {
        return render_group(node, out, nested, render);
    };
    let col = field.column;
    match cond {
        Cond::Compare(op, v) => {
            out.push_str(col);
            out.push_str(match op {
                Compare::Is | Compare::Equal => " = ",
                Compare::IsNot | Compare::EqualNot => " <> ",
                Compare::Greater => " > ",
                Compare::GreaterOrEqual => " >= ",
                Compare::Less => " < ",
                Compare::LessOrEqual => " <= ",
            });
            value(field, v, out)?;
        }
        Cond::Text(op, s) => {
            let (not, pattern) = match op {
                TextMatch::Contain => (false, like_pattern("%", s, "%")),
                TextMatch::ContainNot => (true, like_pattern("%", s, "%")),
                TextMatch::StartWith => (false, like_pattern("", s, "%")),
                TextMatch::EndWith => (false, like_pattern("%", s, "")),
            };
            out.push_str(col);
            out.push_str(if not { " NOT LIKE " } else { " LIKE " });
            sql_quote(&pattern, out);
            out.push_str(" ESCAPE '\\'");
        }
        Cond::Date(DateCompare::On, d) => days(col, d, d, out),
        Cond::Date(op, d) => {
            let (sym, bound) = match op {
                DateCompare::Before => (" < ", *d),
                DateCompare::OnOrAfter => (" >= ", *d),
                DateCompare::After => (" >= ", next_day(d)),
                DateCompare::OnOrBefore | DateCompare::On => (" < ", next_day(d)),
            };
            out.push_str(col);
            out.push_str(sym);
            date(&bound, out);
        }
        Cond::Range(_, Value::Date(from), Value::Date(to)) => days(col, from, to, out),
        Cond::Range(Range::Between | Range::Within, low, high) => {
            out.push_str(col);
            out.push_str(" BETWEEN ");
            value(field, low, out)?;
            out.push_str(" AND ");
            value(field, high, out)?;
        }
        Cond::AnyOf { values, .. } if values.is_empty() => {
            return Err(error(field, "ANY_OF needs at least one value"))
        }
        Cond::AnyOf { not, values } => {
            out.push_str(col);
            out.push_str(if *not { " NOT IN (" } else { " IN (" });
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                value(field, v, out)?;
            }
            out.push(')');
        }
        Cond::Empty { not } => {
            out.push_str(col);
            out.push_str(if *not { " IS NOT NULL" } else { " IS NULL" });
        }
    }
    Ok(())
}
