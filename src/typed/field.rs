//! Typed field handles and filters.
//!
//! A [`Field<R, K>`] belongs to record type `R` and has kind `K` (a marker from [`kind`]); the
//! operators it offers depend on `K`, so `starts_with` on a number, `greater` on a text field, or
//! combining filters of two record types does not compile. A [`Filter<R>`] renders to NetSuite's
//! list `q=` syntax ([`Filter::to_query`]) and to a SuiteQL `WHERE` condition
//! ([`Filter::to_suiteql`]), quoting and escaping every value.
//!
//! ```
//! use nstba::{Record, RecordId, RecordRef};
//! use nstba::client::values::Date;
//!
//! #[derive(Record, Debug)]
//! #[netsuite(record = "customer")]
//! pub struct Customer {
//!     #[netsuite(id)]
//!     pub id: Option<RecordId>,
//!     pub email: Option<String>,
//!     pub balance: Option<f64>,
//!     pub is_inactive: Option<bool>,
//!     pub date_created: Option<Date>,
//!     pub subsidiary: Option<RecordRef>,
//! }
//!
//! let f = Customer::fields();
//! let filter = f.email.starts_with("ap@")
//!     .and(f.balance.greater(100.0))
//!     .and(f.is_inactive.is(false).or(f.date_created.after(Date::new(2024, 1, 31).unwrap())));
//! assert_eq!(
//!     filter.to_query()?,
//!     r#"email START_WITH "ap@" AND balance GREATER 100 AND (isInactive IS false OR dateCreated AFTER "1/31/2024")"#
//! );
//! assert_eq!(
//!     filter.to_suiteql()?,
//!     r"email LIKE 'ap@%' ESCAPE '\' AND balance > 100 AND (isinactive = 'F' OR datecreated >= TO_DATE('2024-02-01', 'YYYY-MM-DD'))"
//! );
//! assert_eq!(f.subsidiary.any_of(["1", "2"]).to_query()?, "subsidiary ANY_OF [1, 2]");
//! # Ok::<(), nstba::typed::FilterError>(())
//! ```
//!
//! ```compile_fail
//! # use nstba::{Record, RecordId};
//! # #[derive(Record)] #[netsuite(record = "customer")]
//! # pub struct Customer { #[netsuite(id)] pub id: Option<RecordId>, pub balance: Option<f64> }
//! Customer::fields().balance.starts_with("1"); // numbers have no START_WITH
//! ```

use crate::client::values::{Date as NsDate, DateTime as NsDateTime};
use crate::client::{FieldInfo, RecordId};
use core::fmt;
use core::marker::PhantomData;

/// Marker types for the kind of a [`Field`]; each kind offers its own operators.
pub mod kind {
    /// The internal id: `EQUAL`, `ANY_OF`, `GREATER`, `LESS`.
    #[derive(Clone, Copy, Debug)]
    pub enum Id {}
    /// Text: `IS`, `CONTAIN`, `START_WITH`, `END_WITH`, `EMPTY`.
    #[derive(Clone, Copy, Debug)]
    pub enum Text {}
    /// Number: `EQUAL`, `GREATER`, `LESS`, `BETWEEN`, `ANY_OF`, `EMPTY`.
    #[derive(Clone, Copy, Debug)]
    pub enum Number {}
    /// Boolean: `IS`.
    #[derive(Clone, Copy, Debug)]
    pub enum Boolean {}
    /// Date or date-time: `ON`, `BEFORE`, `AFTER`, `ON_OR_BEFORE`, `ON_OR_AFTER`, `WITHIN`, `EMPTY`.
    #[derive(Clone, Copy, Debug)]
    pub enum Date {}
    /// Reference to another record: `ANY_OF`, `ANY_OF_NOT`, `EMPTY`.
    #[derive(Clone, Copy, Debug)]
    pub enum Reference {}
}

/// A typed handle on one field of record type `R`, of kind `K`. Obtained from `R::fields()`.
pub struct Field<R, K> {
    info: &'static FieldInfo,
    _p: PhantomData<fn() -> (R, K)>,
}

impl<R, K> Clone for Field<R, K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R, K> Copy for Field<R, K> {}

impl<R, K> fmt::Debug for Field<R, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field({})", self.info.wire)
    }
}

impl<R, K> Field<R, K> {
    #[doc(hidden)]
    pub const fn __new(info: &'static FieldInfo) -> Self {
        Field {
            info,
            _p: PhantomData,
        }
    }

    /// The field's description (Rust name, wire name, SuiteQL column, kind).
    pub fn info(&self) -> &'static FieldInfo {
        self.info
    }

    /// The JSON / `q=` name, e.g. for `get(..).fields([f.email.wire()])`.
    pub fn wire(&self) -> &'static str {
        self.info.wire
    }

    /// The SuiteQL column.
    pub fn column(&self) -> &'static str {
        self.info.column
    }

    fn cond(&self, op: Op, values: Vec<Value>) -> Filter<R> {
        Filter {
            node: Node::Cond {
                field: self.info,
                op,
                values,
            },
            _r: PhantomData,
        }
    }
}

/// A value that can be compared with a number field: integers and finite floats.
pub trait NumberValue {
    /// The decimal text, or `None` for NaN and infinities.
    fn to_number_text(&self) -> Option<String>;
}

macro_rules! int_value {
    ($($t:ty)*) => {$(
        impl NumberValue for $t {
            fn to_number_text(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
int_value!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

impl NumberValue for f64 {
    fn to_number_text(&self) -> Option<String> {
        self.is_finite().then(|| self.to_string())
    }
}

impl NumberValue for f32 {
    fn to_number_text(&self) -> Option<String> {
        f64::from(*self).to_number_text()
    }
}

/// A value that can be compared with a date field: a [`Date`](NsDate) or the date of a
/// [`DateTime`](NsDateTime).
pub trait DateValue {
    /// The calendar date compared.
    fn to_date(&self) -> NsDate;
}

impl DateValue for NsDate {
    fn to_date(&self) -> NsDate {
        *self
    }
}

impl DateValue for NsDateTime {
    fn to_date(&self) -> NsDate {
        self.date()
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Value {
    Text(String),
    /// Finite number text, or `None` for a rejected value (reported when rendering).
    Number(Option<String>),
    Bool(bool),
    Date(NsDate),
    Id(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Is,
    IsNot,
    Contain,
    ContainNot,
    StartWith,
    EndWith,
    Equal,
    EqualNot,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Between,
    AnyOf,
    AnyOfNot,
    On,
    Before,
    After,
    OnOrBefore,
    OnOrAfter,
    Within,
    Empty,
    EmptyNot,
}

impl Op {
    fn keyword(self) -> &'static str {
        match self {
            Op::Is => "IS",
            Op::IsNot => "IS_NOT",
            Op::Contain => "CONTAIN",
            Op::ContainNot => "CONTAIN_NOT",
            Op::StartWith => "START_WITH",
            Op::EndWith => "END_WITH",
            Op::Equal => "EQUAL",
            Op::EqualNot => "EQUAL_NOT",
            Op::Greater => "GREATER",
            Op::GreaterOrEqual => "GREATER_OR_EQUAL",
            Op::Less => "LESS",
            Op::LessOrEqual => "LESS_OR_EQUAL",
            Op::Between => "BETWEEN",
            Op::AnyOf => "ANY_OF",
            Op::AnyOfNot => "ANY_OF_NOT",
            Op::On => "ON",
            Op::Before => "BEFORE",
            Op::After => "AFTER",
            Op::OnOrBefore => "ON_OR_BEFORE",
            Op::OnOrAfter => "ON_OR_AFTER",
            Op::Within => "WITHIN",
            Op::Empty => "EMPTY",
            Op::EmptyNot => "EMPTY_NOT",
        }
    }
}

#[derive(Clone, Debug)]
enum Node {
    Cond {
        field: &'static FieldInfo,
        op: Op,
        values: Vec<Value>,
    },
    And(Vec<Node>),
    Or(Vec<Node>),
}

/// A filter on records of type `R`: conditions on its fields combined with [`Filter::and`] and
/// [`Filter::or`].
pub struct Filter<R> {
    node: Node,
    _r: PhantomData<fn() -> R>,
}

impl<R> Clone for Filter<R> {
    fn clone(&self) -> Self {
        Filter {
            node: self.node.clone(),
            _r: PhantomData,
        }
    }
}

impl<R> fmt::Debug for Filter<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_query() {
            Ok(q) => write!(f, "Filter({q})"),
            Err(e) => write!(f, "Filter(<{e}>)"),
        }
    }
}

/// A filter that cannot be rendered (a NaN or infinite number, an empty `ANY_OF` list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    field: &'static str,
    reason: &'static str,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "filter on `{}`: {}", self.field, self.reason)
    }
}

impl std::error::Error for FilterError {}

impl From<FilterError> for crate::client::Error {
    fn from(e: FilterError) -> Self {
        crate::client::ErrorKind::InvalidInput {
            what: "filter",
            reason: e.to_string(),
        }
        .into()
    }
}

impl<R> Filter<R> {
    /// Both this filter and `other`.
    pub fn and(self, other: Filter<R>) -> Filter<R> {
        Filter {
            node: join(self.node, other.node, true),
            _r: PhantomData,
        }
    }

    /// This filter or `other`.
    pub fn or(self, other: Filter<R>) -> Filter<R> {
        Filter {
            node: join(self.node, other.node, false),
            _r: PhantomData,
        }
    }

    /// The NetSuite record list `q=` expression (`companyName START_WITH "A" AND balance GREATER 0`).
    pub fn to_query(&self) -> Result<String, FilterError> {
        let mut out = String::new();
        render_q(&self.node, &mut out, false)?;
        Ok(out)
    }

    /// The SuiteQL condition for a `WHERE` clause, on the fields' columns.
    pub fn to_suiteql(&self) -> Result<String, FilterError> {
        let mut out = String::new();
        render_sql(&self.node, &mut out, false)?;
        Ok(out)
    }
}

fn error(field: &'static FieldInfo, reason: &'static str) -> FilterError {
    FilterError {
        field: field.name,
        reason,
    }
}

fn q_quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

fn bare_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn q_value(field: &'static FieldInfo, v: &Value, out: &mut String) -> Result<(), FilterError> {
    match v {
        Value::Text(s) => q_quote(s, out),
        Value::Number(Some(n)) => out.push_str(n),
        Value::Number(None) => return Err(error(field, "a number must be finite")),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Date(d) => q_quote(&d.to_netsuite(), out),
        Value::Id(s) if bare_id(s) => out.push_str(s),
        Value::Id(s) => q_quote(s, out),
    }
    Ok(())
}

/// `a AND b` (`and`) or `a OR b`: when `a` is already such a group, `b` joins it (and so do `b`'s
/// parts when `b` is one too); otherwise a new group of the two.
fn join(a: Node, b: Node, and: bool) -> Node {
    let group = |parts| {
        if and {
            Node::And(parts)
        } else {
            Node::Or(parts)
        }
    };
    let parts_of = |n: Node| match n {
        Node::And(parts) if and => Ok(parts),
        Node::Or(parts) if !and => Ok(parts),
        other => Err(other),
    };
    match parts_of(a) {
        Err(a) => group(vec![a, b]),
        Ok(mut parts) => {
            match parts_of(b) {
                Ok(more) => parts.extend(more),
                Err(b) => parts.push(b),
            }
            group(parts)
        }
    }
}

/// `a AND b` / `a OR b`, parenthesised when nested; each part rendered by `render` (the same
/// grouping for `q=` and SuiteQL).
fn render_group(
    and: bool,
    parts: &[Node],
    out: &mut String,
    nested: bool,
    render: fn(&Node, &mut String, bool) -> Result<(), FilterError>,
) -> Result<(), FilterError> {
    let sep = if and { " AND " } else { " OR " };
    if nested {
        out.push('(');
    }
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        render(p, out, true)?;
    }
    if nested {
        out.push(')');
    }
    Ok(())
}

fn render_q(node: &Node, out: &mut String, nested: bool) -> Result<(), FilterError> {
    match node {
        Node::Cond { field, op, values } => {
            out.push_str(field.wire);
            out.push(' ');
            out.push_str(op.keyword());
            match (op, values.as_slice()) {
                (Op::Empty | Op::EmptyNot, _) => {}
                (Op::AnyOf | Op::AnyOfNot, []) => {
                    return Err(error(field, "ANY_OF needs at least one value"))
                }
                (Op::AnyOf | Op::AnyOfNot | Op::Between | Op::Within, vs) => {
                    out.push_str(" [");
                    for (i, v) in vs.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        q_value(field, v, out)?;
                    }
                    out.push(']');
                }
                (_, [v]) => {
                    out.push(' ');
                    q_value(field, v, out)?;
                }
                _ => return Err(error(field, "wrong number of values")),
            }
        }
        Node::And(parts) | Node::Or(parts) => {
            render_group(matches!(node, Node::And(_)), parts, out, nested, render_q)?
        }
    }
    Ok(())
}

/// A SuiteQL string literal: `'` doubled.
pub(crate) fn sql_quote(s: &str, out: &mut String) {
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

fn sql_date(d: &NsDate, out: &mut String) {
    out.push_str("TO_DATE('");
    out.push_str(&d.to_string());
    out.push_str("', 'YYYY-MM-DD')");
}

fn next_day(d: &NsDate) -> NsDate {
    NsDate::new(d.year(), d.month(), d.day() + 1)
        .or_else(|| NsDate::new(d.year(), d.month() + 1, 1))
        .or_else(|| NsDate::new(d.year() + 1, 1, 1))
        .unwrap_or(*d)
}

fn sql_value(field: &'static FieldInfo, v: &Value, out: &mut String) -> Result<(), FilterError> {
    match v {
        Value::Text(s) => sql_quote(s, out),
        Value::Number(Some(n)) => out.push_str(n),
        Value::Number(None) => return Err(error(field, "a number must be finite")),
        Value::Bool(b) => out.push_str(if *b { "'T'" } else { "'F'" }),
        Value::Date(d) => sql_date(d, out),
        Value::Id(s) if bare_id(s) => out.push_str(s),
        Value::Id(s) => sql_quote(s, out),
    }
    Ok(())
}

fn render_sql(node: &Node, out: &mut String, nested: bool) -> Result<(), FilterError> {
    match node {
        Node::Cond { field, op, values } => {
            let col = field.column;
            let one = |out: &mut String, sym: &str| -> Result<(), FilterError> {
                let [v] = values.as_slice() else {
                    return Err(error(field, "wrong number of values"));
                };
                out.push_str(col);
                out.push_str(sym);
                sql_value(field, v, out)
            };
            let text = || match values.as_slice() {
                [Value::Text(s)] => Ok(s.as_str()),
                _ => Err(error(field, "wrong number of values")),
            };
            let date = || match values.as_slice() {
                [Value::Date(d)] => Ok(*d),
                _ => Err(error(field, "wrong number of values")),
            };
            let like = |out: &mut String, not: bool, pattern: String| {
                out.push_str(col);
                out.push_str(if not { " NOT LIKE " } else { " LIKE " });
                sql_quote(&pattern, out);
                out.push_str(" ESCAPE '\\'");
            };
            match op {
                Op::Is | Op::Equal => one(out, " = ")?,
                Op::IsNot | Op::EqualNot => one(out, " <> ")?,
                Op::Greater => one(out, " > ")?,
                Op::GreaterOrEqual => one(out, " >= ")?,
                Op::Less => one(out, " < ")?,
                Op::LessOrEqual => one(out, " <= ")?,
                Op::Contain => like(out, false, like_pattern("%", text()?, "%")),
                Op::ContainNot => like(out, true, like_pattern("%", text()?, "%")),
                Op::StartWith => like(out, false, like_pattern("", text()?, "%")),
                Op::EndWith => like(out, false, like_pattern("%", text()?, "")),
                Op::Empty => {
                    out.push_str(col);
                    out.push_str(" IS NULL");
                }
                Op::EmptyNot => {
                    out.push_str(col);
                    out.push_str(" IS NOT NULL");
                }
                Op::AnyOf | Op::AnyOfNot => {
                    if values.is_empty() {
                        return Err(error(field, "ANY_OF needs at least one value"));
                    }
                    out.push_str(col);
                    out.push_str(if *op == Op::AnyOf {
                        " IN ("
                    } else {
                        " NOT IN ("
                    });
                    for (i, v) in values.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        sql_value(field, v, out)?;
                    }
                    out.push(')');
                }
                Op::Between | Op::Within => {
                    let [a, b] = values.as_slice() else {
                        return Err(error(field, "wrong number of values"));
                    };
                    if let (Value::Date(a), Value::Date(b)) = (a, b) {
                        // [a, b] whole days: a <= col < b + 1 day (date-times included).
                        out.push('(');
                        out.push_str(col);
                        out.push_str(" >= ");
                        sql_date(a, out);
                        out.push_str(" AND ");
                        out.push_str(col);
                        out.push_str(" < ");
                        sql_date(&next_day(b), out);
                        out.push(')');
                    } else {
                        out.push_str(col);
                        out.push_str(" BETWEEN ");
                        sql_value(field, a, out)?;
                        out.push_str(" AND ");
                        sql_value(field, b, out)?;
                    }
                }
                Op::On => {
                    let d = date()?;
                    out.push('(');
                    out.push_str(col);
                    out.push_str(" >= ");
                    sql_date(&d, out);
                    out.push_str(" AND ");
                    out.push_str(col);
                    out.push_str(" < ");
                    sql_date(&next_day(&d), out);
                    out.push(')');
                }
                Op::Before => {
                    out.push_str(col);
                    out.push_str(" < ");
                    sql_date(&date()?, out);
                }
                Op::OnOrAfter => {
                    out.push_str(col);
                    out.push_str(" >= ");
                    sql_date(&date()?, out);
                }
                Op::After => {
                    out.push_str(col);
                    out.push_str(" >= ");
                    sql_date(&next_day(&date()?), out);
                }
                Op::OnOrBefore => {
                    out.push_str(col);
                    out.push_str(" < ");
                    sql_date(&next_day(&date()?), out);
                }
            }
        }
        Node::And(parts) | Node::Or(parts) => {
            render_group(matches!(node, Node::And(_)), parts, out, nested, render_sql)?
        }
    }
    Ok(())
}

fn number(v: impl NumberValue) -> Value {
    Value::Number(v.to_number_text())
}

impl<R> Field<R, kind::Text> {
    /// `IS "value"` (SuiteQL `=`).
    pub fn is(&self, value: impl Into<String>) -> Filter<R> {
        self.cond(Op::Is, vec![Value::Text(value.into())])
    }
    /// `IS_NOT "value"` (SuiteQL `<>`).
    pub fn is_not(&self, value: impl Into<String>) -> Filter<R> {
        self.cond(Op::IsNot, vec![Value::Text(value.into())])
    }
    /// `CONTAIN "value"` (SuiteQL `LIKE '%value%'`).
    pub fn contains(&self, value: impl Into<String>) -> Filter<R> {
        self.cond(Op::Contain, vec![Value::Text(value.into())])
    }
    /// `CONTAIN_NOT "value"`.
    pub fn not_contains(&self, value: impl Into<String>) -> Filter<R> {
        self.cond(Op::ContainNot, vec![Value::Text(value.into())])
    }
    /// `START_WITH "value"` (SuiteQL `LIKE 'value%'`).
    pub fn starts_with(&self, value: impl Into<String>) -> Filter<R> {
        self.cond(Op::StartWith, vec![Value::Text(value.into())])
    }
    /// `END_WITH "value"` (SuiteQL `LIKE '%value'`).
    pub fn ends_with(&self, value: impl Into<String>) -> Filter<R> {
        self.cond(Op::EndWith, vec![Value::Text(value.into())])
    }
    /// `EMPTY` (SuiteQL `IS NULL`).
    pub fn is_empty(&self) -> Filter<R> {
        self.cond(Op::Empty, Vec::new())
    }
    /// `EMPTY_NOT` (SuiteQL `IS NOT NULL`).
    pub fn is_not_empty(&self) -> Filter<R> {
        self.cond(Op::EmptyNot, Vec::new())
    }
}

impl<R> Field<R, kind::Number> {
    /// `EQUAL n`.
    pub fn equal(&self, n: impl NumberValue) -> Filter<R> {
        self.cond(Op::Equal, vec![number(n)])
    }
    /// `EQUAL_NOT n`.
    pub fn not_equal(&self, n: impl NumberValue) -> Filter<R> {
        self.cond(Op::EqualNot, vec![number(n)])
    }
    /// `GREATER n`.
    pub fn greater(&self, n: impl NumberValue) -> Filter<R> {
        self.cond(Op::Greater, vec![number(n)])
    }
    /// `GREATER_OR_EQUAL n`.
    pub fn greater_or_equal(&self, n: impl NumberValue) -> Filter<R> {
        self.cond(Op::GreaterOrEqual, vec![number(n)])
    }
    /// `LESS n`.
    pub fn less(&self, n: impl NumberValue) -> Filter<R> {
        self.cond(Op::Less, vec![number(n)])
    }
    /// `LESS_OR_EQUAL n`.
    pub fn less_or_equal(&self, n: impl NumberValue) -> Filter<R> {
        self.cond(Op::LessOrEqual, vec![number(n)])
    }
    /// `BETWEEN [low, high]` (inclusive).
    pub fn between(&self, low: impl NumberValue, high: impl NumberValue) -> Filter<R> {
        self.cond(Op::Between, vec![number(low), number(high)])
    }
    /// `ANY_OF [a, b, …]`.
    pub fn any_of<N: NumberValue>(&self, values: impl IntoIterator<Item = N>) -> Filter<R> {
        self.cond(Op::AnyOf, values.into_iter().map(number).collect())
    }
    /// `EMPTY`.
    pub fn is_empty(&self) -> Filter<R> {
        self.cond(Op::Empty, Vec::new())
    }
    /// `EMPTY_NOT`.
    pub fn is_not_empty(&self) -> Filter<R> {
        self.cond(Op::EmptyNot, Vec::new())
    }
}

impl<R> Field<R, kind::Boolean> {
    /// `IS true` / `IS false` (SuiteQL `= 'T'` / `= 'F'`).
    pub fn is(&self, value: bool) -> Filter<R> {
        self.cond(Op::Is, vec![Value::Bool(value)])
    }
}

impl<R> Field<R, kind::Date> {
    /// `ON "date"`: that day.
    pub fn on(&self, d: impl DateValue) -> Filter<R> {
        self.cond(Op::On, vec![Value::Date(d.to_date())])
    }
    /// `BEFORE "date"`: strictly before that day.
    pub fn before(&self, d: impl DateValue) -> Filter<R> {
        self.cond(Op::Before, vec![Value::Date(d.to_date())])
    }
    /// `AFTER "date"`: strictly after that day.
    pub fn after(&self, d: impl DateValue) -> Filter<R> {
        self.cond(Op::After, vec![Value::Date(d.to_date())])
    }
    /// `ON_OR_BEFORE "date"`.
    pub fn on_or_before(&self, d: impl DateValue) -> Filter<R> {
        self.cond(Op::OnOrBefore, vec![Value::Date(d.to_date())])
    }
    /// `ON_OR_AFTER "date"`.
    pub fn on_or_after(&self, d: impl DateValue) -> Filter<R> {
        self.cond(Op::OnOrAfter, vec![Value::Date(d.to_date())])
    }
    /// `WITHIN ["from", "to"]`: both days included.
    pub fn within(&self, from: impl DateValue, to: impl DateValue) -> Filter<R> {
        self.cond(
            Op::Within,
            vec![Value::Date(from.to_date()), Value::Date(to.to_date())],
        )
    }
    /// `EMPTY`.
    pub fn is_empty(&self) -> Filter<R> {
        self.cond(Op::Empty, Vec::new())
    }
}

impl<R> Field<R, kind::Reference> {
    /// `ANY_OF [id, …]`: references one of these records (SuiteQL `IN`).
    pub fn any_of<I: Into<RecordId>>(&self, ids: impl IntoIterator<Item = I>) -> Filter<R> {
        self.cond(
            Op::AnyOf,
            ids.into_iter()
                .map(|i| Value::Id(i.into().as_str().to_owned()))
                .collect(),
        )
    }
    /// `ANY_OF_NOT [id, …]`.
    pub fn none_of<I: Into<RecordId>>(&self, ids: impl IntoIterator<Item = I>) -> Filter<R> {
        self.cond(
            Op::AnyOfNot,
            ids.into_iter()
                .map(|i| Value::Id(i.into().as_str().to_owned()))
                .collect(),
        )
    }
    /// `EMPTY`: no reference.
    pub fn is_empty(&self) -> Filter<R> {
        self.cond(Op::Empty, Vec::new())
    }
}

impl<R> Field<R, kind::Id> {
    /// `id EQUAL n`.
    pub fn is(&self, id: impl Into<RecordId>) -> Filter<R> {
        self.cond(Op::Equal, vec![Value::Id(id.into().as_str().to_owned())])
    }
    /// `id ANY_OF [a, b]`.
    pub fn any_of<I: Into<RecordId>>(&self, ids: impl IntoIterator<Item = I>) -> Filter<R> {
        self.cond(
            Op::AnyOf,
            ids.into_iter()
                .map(|i| Value::Id(i.into().as_str().to_owned()))
                .collect(),
        )
    }
    /// `id GREATER n` (keyset paging).
    pub fn greater(&self, id: impl Into<RecordId>) -> Filter<R> {
        self.cond(Op::Greater, vec![Value::Id(id.into().as_str().to_owned())])
    }
    /// `id LESS n`.
    pub fn less(&self, id: impl Into<RecordId>) -> Filter<R> {
        self.cond(Op::Less, vec![Value::Id(id.into().as_str().to_owned())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::FieldKind;

    struct R;
    static EMAIL: FieldInfo = FieldInfo {
        name: "email",
        wire: "email",
        column: "email",
        kind: FieldKind::String,
    };
    static BAL: FieldInfo = FieldInfo {
        name: "balance",
        wire: "balance",
        column: "balance",
        kind: FieldKind::Number,
    };
    static DATE: FieldInfo = FieldInfo {
        name: "d",
        wire: "tranDate",
        column: "trandate",
        kind: FieldKind::Date,
    };

    #[test]
    fn escaping() {
        let e: Field<R, kind::Text> = Field::__new(&EMAIL);
        let f = e.is(r#"a"b\c'd"#);
        assert_eq!(f.to_query().unwrap(), r#"email IS "a\"b\\c'd""#);
        assert_eq!(f.to_suiteql().unwrap(), r#"email = 'a"b\c''d'"#);
        let f = e.contains("50%_off\\");
        assert_eq!(
            f.to_suiteql().unwrap(),
            r"email LIKE '%50\%\_off\\%' ESCAPE '\'"
        );
        let f = e.starts_with("' OR 1=1 --");
        assert_eq!(
            f.to_suiteql().unwrap(),
            r"email LIKE ''' OR 1=1 --%' ESCAPE '\'"
        );
    }

    #[test]
    fn numbers_and_nesting() {
        let b: Field<R, kind::Number> = Field::__new(&BAL);
        let e: Field<R, kind::Text> = Field::__new(&EMAIL);
        assert!(b.greater(f64::NAN).to_query().is_err());
        assert!(b.any_of(Vec::<u32>::new()).to_suiteql().is_err());
        let f = b.between(1, 2).or(e.is_empty()).and(b.any_of([1, 2, 3]));
        assert_eq!(
            f.to_query().unwrap(),
            "(balance BETWEEN [1, 2] OR email EMPTY) AND balance ANY_OF [1, 2, 3]"
        );
        assert_eq!(
            f.to_suiteql().unwrap(),
            "(balance BETWEEN 1 AND 2 OR email IS NULL) AND balance IN (1, 2, 3)"
        );
    }

    #[test]
    fn dates() {
        let d: Field<R, kind::Date> = Field::__new(&DATE);
        let end = NsDate::new(2024, 12, 31).unwrap();
        assert_eq!(
            d.on(end).to_suiteql().unwrap(),
            "(trandate >= TO_DATE('2024-12-31', 'YYYY-MM-DD') AND trandate < TO_DATE('2025-01-01', 'YYYY-MM-DD'))"
        );
        assert_eq!(
            d.on_or_before(end).to_query().unwrap(),
            "tranDate ON_OR_BEFORE \"12/31/2024\""
        );
        assert_eq!(
            d.within(
                NsDate::new(2024, 2, 28).unwrap(),
                NsDate::new(2024, 2, 29).unwrap()
            )
            .to_query()
            .unwrap(),
            "tranDate WITHIN [\"2/28/2024\", \"2/29/2024\"]"
        );
    }
}
