//! Typed field handles: a [`Field<R, K>`] belongs to record type `R` and has kind `K` (a marker from
//! [`kind`]); the operators it offers depend on `K`, so `starts_with` on a number, `greater` on a
//! text field, or combining filters of two record types does not compile. Each operator builds a
//! [`Filter<R>`]; the renderers live in [`crate::filter`].

use crate::filter::{Compare, Cond, DateCompare, Filter, Range, TextMatch, Value};
use crate::values::{Date as NsDate, DateTime as NsDateTime};
use crate::{FieldInfo, RecordId};
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
    /// A sublist: no filter operators; names the sublist where one is expected (the sublists an
    /// update replaces instead of merging).
    #[derive(Clone, Copy, Debug)]
    pub enum Sublist {}
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

    fn cond(&self, cond: Cond) -> Filter<R> {
        Filter::cond(self.info, cond)
    }

    fn compare(&self, op: Compare, value: Value) -> Filter<R> {
        self.cond(Cond::Compare(op, value))
    }

    fn any_of_values(&self, not: bool, values: Vec<Value>) -> Filter<R> {
        self.cond(Cond::AnyOf { not, values })
    }

    fn empty(&self, not: bool) -> Filter<R> {
        self.cond(Cond::Empty { not })
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

fn number(v: impl NumberValue) -> Value {
    Value::Number(v.to_number_text())
}

fn ids<I: Into<RecordId>>(ids: impl IntoIterator<Item = I>) -> Vec<Value> {
    ids.into_iter()
        .map(|i| Value::Id(i.into().as_str().to_owned()))
        .collect()
}

fn id(id: impl Into<RecordId>) -> Value {
    Value::Id(id.into().as_str().to_owned())
}

impl<R> Field<R, kind::Text> {
    /// `IS "value"` (SuiteQL `=`).
    pub fn is(&self, value: impl Into<String>) -> Filter<R> {
        self.compare(Compare::Is, Value::Text(value.into()))
    }
    /// `IS_NOT "value"` (SuiteQL `<>`).
    pub fn is_not(&self, value: impl Into<String>) -> Filter<R> {
        self.compare(Compare::IsNot, Value::Text(value.into()))
    }
    /// `CONTAIN "value"` (SuiteQL `LIKE '%value%'`).
    pub fn contains(&self, value: impl Into<String>) -> Filter<R> {
        self.cond(Cond::Text(TextMatch::Contain, value.into()))
    }
    /// `CONTAIN_NOT "value"`.
    pub fn not_contains(&self, value: impl Into<String>) -> Filter<R> {
        self.cond(Cond::Text(TextMatch::ContainNot, value.into()))
    }
    /// `START_WITH "value"` (SuiteQL `LIKE 'value%'`).
    pub fn starts_with(&self, value: impl Into<String>) -> Filter<R> {
        self.cond(Cond::Text(TextMatch::StartWith, value.into()))
    }
    /// `END_WITH "value"` (SuiteQL `LIKE '%value'`).
    pub fn ends_with(&self, value: impl Into<String>) -> Filter<R> {
        self.cond(Cond::Text(TextMatch::EndWith, value.into()))
    }
    /// `EMPTY` (SuiteQL `IS NULL`).
    pub fn is_empty(&self) -> Filter<R> {
        self.empty(false)
    }
    /// `EMPTY_NOT` (SuiteQL `IS NOT NULL`).
    pub fn is_not_empty(&self) -> Filter<R> {
        self.empty(true)
    }
}

impl<R> Field<R, kind::Number> {
    /// `EQUAL n`.
    pub fn equal(&self, n: impl NumberValue) -> Filter<R> {
        self.compare(Compare::Equal, number(n))
    }
    /// `EQUAL_NOT n`.
    pub fn not_equal(&self, n: impl NumberValue) -> Filter<R> {
        self.compare(Compare::EqualNot, number(n))
    }
    /// `GREATER n`.
    pub fn greater(&self, n: impl NumberValue) -> Filter<R> {
        self.compare(Compare::Greater, number(n))
    }
    /// `GREATER_OR_EQUAL n`.
    pub fn greater_or_equal(&self, n: impl NumberValue) -> Filter<R> {
        self.compare(Compare::GreaterOrEqual, number(n))
    }
    /// `LESS n`.
    pub fn less(&self, n: impl NumberValue) -> Filter<R> {
        self.compare(Compare::Less, number(n))
    }
    /// `LESS_OR_EQUAL n`.
    pub fn less_or_equal(&self, n: impl NumberValue) -> Filter<R> {
        self.compare(Compare::LessOrEqual, number(n))
    }
    /// `BETWEEN [low, high]` (inclusive).
    pub fn between(&self, low: impl NumberValue, high: impl NumberValue) -> Filter<R> {
        self.cond(Cond::Range(Range::Between, number(low), number(high)))
    }
    /// `ANY_OF [a, b, …]`.
    pub fn any_of<N: NumberValue>(&self, values: impl IntoIterator<Item = N>) -> Filter<R> {
        self.any_of_values(false, values.into_iter().map(number).collect())
    }
    /// `EMPTY`.
    pub fn is_empty(&self) -> Filter<R> {
        self.empty(false)
    }
    /// `EMPTY_NOT`.
    pub fn is_not_empty(&self) -> Filter<R> {
        self.empty(true)
    }
}

impl<R> Field<R, kind::Boolean> {
    /// `IS true` / `IS false` (SuiteQL `= 'T'` / `= 'F'`).
    pub fn is(&self, value: bool) -> Filter<R> {
        self.compare(Compare::Is, Value::Bool(value))
    }
}

impl<R> Field<R, kind::Date> {
    fn date(&self, op: DateCompare, d: impl DateValue) -> Filter<R> {
        self.cond(Cond::Date(op, d.to_date()))
    }
    /// `ON "date"`: that day.
    pub fn on(&self, d: impl DateValue) -> Filter<R> {
        self.date(DateCompare::On, d)
    }
    /// `BEFORE "date"`: strictly before that day.
    pub fn before(&self, d: impl DateValue) -> Filter<R> {
        self.date(DateCompare::Before, d)
    }
    /// `AFTER "date"`: strictly after that day.
    pub fn after(&self, d: impl DateValue) -> Filter<R> {
        self.date(DateCompare::After, d)
    }
    /// `ON_OR_BEFORE "date"`.
    pub fn on_or_before(&self, d: impl DateValue) -> Filter<R> {
        self.date(DateCompare::OnOrBefore, d)
    }
    /// `ON_OR_AFTER "date"`.
    pub fn on_or_after(&self, d: impl DateValue) -> Filter<R> {
        self.date(DateCompare::OnOrAfter, d)
    }
    /// `WITHIN ["from", "to"]`: both days included.
    pub fn within(&self, from: impl DateValue, to: impl DateValue) -> Filter<R> {
        self.cond(Cond::Range(
            Range::Within,
            Value::Date(from.to_date()),
            Value::Date(to.to_date()),
        ))
    }
    /// `EMPTY`.
    pub fn is_empty(&self) -> Filter<R> {
        self.empty(false)
    }
}

impl<R> Field<R, kind::Reference> {
    /// `ANY_OF [id, …]`: references one of these records (SuiteQL `IN`).
    pub fn any_of<I: Into<RecordId>>(&self, values: impl IntoIterator<Item = I>) -> Filter<R> {
        self.any_of_values(false, ids(values))
    }
    /// `ANY_OF_NOT [id, …]`.
    pub fn none_of<I: Into<RecordId>>(&self, values: impl IntoIterator<Item = I>) -> Filter<R> {
        self.any_of_values(true, ids(values))
    }
    /// `EMPTY`: no reference.
    pub fn is_empty(&self) -> Filter<R> {
        self.empty(false)
    }
}

impl<R> Field<R, kind::Id> {
    /// `id EQUAL n`.
    pub fn is(&self, value: impl Into<RecordId>) -> Filter<R> {
        self.compare(Compare::Equal, id(value))
    }
    /// `id ANY_OF [a, b]`.
    pub fn any_of<I: Into<RecordId>>(&self, values: impl IntoIterator<Item = I>) -> Filter<R> {
        self.any_of_values(false, ids(values))
    }
    /// `id GREATER n` (keyset paging).
    pub fn greater(&self, value: impl Into<RecordId>) -> Filter<R> {
        self.compare(Compare::Greater, id(value))
    }
    /// `id LESS n`.
    pub fn less(&self, value: impl Into<RecordId>) -> Filter<R> {
        self.compare(Compare::Less, id(value))
    }
}
