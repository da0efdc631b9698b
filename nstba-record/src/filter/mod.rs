//! The filter tree: conditions on fields of one record type, combined with `AND` / `OR`. Each
//! condition holds exactly the values its operator takes (one value, two for a range, a list for
//! `ANY_OF`, none for `EMPTY`), so a wrong number of values cannot be built. Two renderers read the
//! tree: NetSuite's list `q=` syntax ([`Filter::to_query`], in `query`) and a SuiteQL `WHERE`
//! condition ([`Filter::to_suiteql`], in `suiteql`).

mod query;
mod suiteql;

use crate::values::Date;
use crate::FieldInfo;
use core::fmt;
use core::marker::PhantomData;

/// One operand.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Text(String),
    /// Finite number text, or `None` for a rejected value (reported when rendering).
    Number(Option<String>),
    Bool(bool),
    Date(Date),
    Id(String),
}

/// Comparisons with one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compare {
    Is,
    IsNot,
    Equal,
    EqualNot,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

/// Text matches (one text value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextMatch {
    Contain,
    ContainNot,
    StartWith,
    EndWith,
}

/// Whole-day date comparisons (one date).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DateCompare {
    On,
    Before,
    After,
    OnOrBefore,
    OnOrAfter,
}

/// Inclusive ranges (two values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Range {
    Between,
    Within,
}

/// One condition, with exactly the operands its operator takes.
#[derive(Clone, Debug)]
pub(crate) enum Cond {
    Compare(Compare, Value),
    Text(TextMatch, String),
    Date(DateCompare, Date),
    Range(Range, Value, Value),
    /// `ANY_OF` / `ANY_OF_NOT`; an empty list is reported when rendering (it depends on the data).
    AnyOf {
        not: bool,
        values: Vec<Value>,
    },
    /// `EMPTY` / `EMPTY_NOT`.
    Empty {
        not: bool,
    },
}

#[derive(Clone, Debug)]
pub(crate) enum Node {
    Cond {
        field: &'static FieldInfo,
        cond: Cond,
    },
    And(Vec<Node>),
    Or(Vec<Node>),
}

/// A filter on records of type `R`: conditions on its fields combined with [`Filter::and`] and
/// [`Filter::or`]. Built from typed field handles ([`crate::Field`]).
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

impl FilterError {
    /// The Rust name of the field whose condition could not be rendered.
    pub fn field(&self) -> &'static str {
        self.field
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "filter on `{}`: {}", self.field, self.reason)
    }
}

impl std::error::Error for FilterError {}

pub(crate) fn error(field: &'static FieldInfo, reason: &'static str) -> FilterError {
    FilterError {
        field: field.name,
        reason,
    }
}

impl<R> Filter<R> {
    pub(crate) fn cond(field: &'static FieldInfo, cond: Cond) -> Self {
        Filter {
            node: Node::Cond { field, cond },
            _r: PhantomData,
        }
    }

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
        query::render(&self.node, &mut out, false)?;
        Ok(out)
    }

    /// The SuiteQL condition for a `WHERE` clause, on the fields' columns.
    pub fn to_suiteql(&self) -> Result<String, FilterError> {
        let mut out = String::new();
        suiteql::render(&self.node, &mut out, false)?;
        Ok(out)
    }
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

/// Renders one node into `out`; `nested` is true inside a group.
type Render = fn(&Node, &mut String, bool) -> Result<(), FilterError>;

/// `a AND b` / `a OR b`, parenthesised when nested; each part rendered by `render` (the same
/// grouping for `q=` and SuiteQL).
pub(crate) fn render_group(
    node: &Node,
    out: &mut String,
    nested: bool,
    render: Render,
) -> Result<(), FilterError> {
    let (sep, parts) = match node {
        Node::And(parts) => (" AND ", parts),
        Node::Or(parts) => (" OR ", parts),
        Node::Cond { .. } => return render(node, out, nested),
    };
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

/// Internal ids made only of digits are written bare; anything else is quoted.
pub(crate) fn bare_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use crate::field::{kind, Field};
    use crate::values::Date;
    use crate::{FieldInfo, FieldKind};

    struct R;
    static EMAIL: FieldInfo = FieldInfo {
        name: "email",
        wire: "email",
        column: "email",
        kind: FieldKind::String,
        read_only: false,
        selected: true,
    };
    static BAL: FieldInfo = FieldInfo {
        name: "balance",
        wire: "balance",
        column: "balance",
        kind: FieldKind::Number,
        read_only: false,
        selected: true,
    };
    static DATE: FieldInfo = FieldInfo {
        name: "d",
        wire: "tranDate",
        column: "trandate",
        kind: FieldKind::Date,
        read_only: false,
        selected: true,
    };
    static SUB: FieldInfo = FieldInfo {
        name: "subsidiary",
        wire: "subsidiary",
        column: "subsidiary",
        kind: FieldKind::Reference,
        read_only: false,
        selected: true,
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
        let empty = b.any_of(Vec::<u32>::new());
        assert_eq!(empty.to_suiteql().unwrap_err().field(), "balance");
        assert!(empty.to_query().is_err());
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
    fn references() {
        let s: Field<R, kind::Reference> = Field::__new(&SUB);
        let f = s.none_of(["1", "x y"]).or(s.is_empty());
        assert_eq!(
            f.to_query().unwrap(),
            r#"subsidiary ANY_OF_NOT [1, "x y"] OR subsidiary EMPTY"#
        );
        assert_eq!(
            f.to_suiteql().unwrap(),
            "subsidiary NOT IN (1, 'x y') OR subsidiary IS NULL"
        );
    }

    #[test]
    fn dates() {
        let d: Field<R, kind::Date> = Field::__new(&DATE);
        let end = Date::new(2024, 12, 31).unwrap();
        assert_eq!(
            d.on(end).to_suiteql().unwrap(),
            "(trandate >= TO_DATE('2024-12-31', 'YYYY-MM-DD') AND trandate < TO_DATE('2025-01-01', 'YYYY-MM-DD'))"
        );
        assert_eq!(
            d.on_or_before(end).to_query().unwrap(),
            "tranDate ON_OR_BEFORE \"12/31/2024\""
        );
        let within = d.within(
            Date::new(2024, 2, 28).unwrap(),
            Date::new(2024, 2, 29).unwrap(),
        );
        assert_eq!(
            within.to_query().unwrap(),
            "tranDate WITHIN [\"2/28/2024\", \"2/29/2024\"]"
        );
        assert_eq!(
            within.to_suiteql().unwrap(),
            "(trandate >= TO_DATE('2024-02-28', 'YYYY-MM-DD') AND trandate < TO_DATE('2024-03-01', 'YYYY-MM-DD'))"
        );
    }
}
