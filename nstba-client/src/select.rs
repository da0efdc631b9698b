//! Typed SuiteQL: `SELECT <the struct's columns> FROM <its table> WHERE <filter> ORDER BY …`, rows
//! decoded from NetSuite's string values into the field types using `T::FIELDS`.
//!
//! SuiteQL shows dates in the account's (user's) date-format preference, date-only even for
//! timestamps, and the response does not say which format. So date and date-time fields are
//! selected as `TO_CHAR(col, 'YYYY-MM-DD"T"HH24:MI:SS') AS col`: the right date and time whatever
//! the preference, without the caller knowing it.

use crate::{Client, Error, Result};
use futures_util::stream::{self, BoxStream, StreamExt};
use nstba_record::types::{table_of, type_filter};
use nstba_record::{Field, FieldInfo, FieldKind, Filter, Record};
use serde_json::{Map, Value};

/// A typed SuiteQL query over `T`'s table. Build with [`TypedRecords::select`](crate::TypedRecords::select).
///
/// ```
/// # use nstba::{Record, RecordId};
/// # #[derive(Record, Debug)] #[netsuite(record = "customer")]
/// # pub struct Customer { #[netsuite(id)] pub id: Option<RecordId>, pub company_name: Option<String>, pub balance: Option<f64> }
/// # let client = nstba::client::Client::builder().credentials(nstba_mock::MockNetSuite::demo_credentials()).base_url("http://127.0.0.1:9").build()?;
/// use nstba::typed::ClientExt;
/// let f = Customer::fields();
/// let q = client.typed::<Customer>().select().filter(f.balance.greater(0)).order_by_desc(f.balance);
/// assert_eq!(
///     q.to_sql()?,
///     "SELECT id, companyname, balance FROM customer WHERE balance > 0 ORDER BY balance DESC, id"
/// );
/// // Only some columns (the id is always selected): the other fields stay `None`.
/// let q = client.typed::<Customer>().select().columns([f.balance.info()]);
/// assert_eq!(q.to_sql()?, "SELECT id, balance FROM customer ORDER BY id");
/// # Ok::<(), nstba::client::Error>(())
/// ```
#[must_use = "queries do nothing until streamed"]
pub struct Select<T> {
    client: Client,
    filter: Option<Filter<T>>,
    order: Vec<(&'static str, bool)>,
    page_size: Option<u32>,
    only: Option<Vec<&'static str>>,
}

/// The `TO_CHAR` format typed SuiteQL selects dates with: fixed whatever the account's
/// date-format preference, with the time.
pub const DATE_TIME_FORMAT: &str = "YYYY-MM-DD\"T\"HH24:MI:SS";

/// The select-list expression of one field: `TO_CHAR(col, '…') AS col` for dates, else the column.
fn select_expr(f: &FieldInfo) -> String {
    if f.kind == FieldKind::Date {
        format!("TO_CHAR({c}, '{DATE_TIME_FORMAT}') AS {c}", c = f.column)
    } else {
        f.column.to_owned()
    }
}

impl<T> std::fmt::Debug for Select<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Select")
            .field("filter", &self.filter)
            .field("order", &self.order)
            .finish()
    }
}

impl<T: Record> Select<T> {
    pub(crate) fn new(client: Client) -> Self {
        Select {
            client,
            filter: None,
            order: Vec::new(),
            page_size: None,
            only: None,
        }
    }

    /// Selects only these fields (and the id); the others decode as absent. Fields of another
    /// record type, sublists and `skip_select` fields are refused when the query is built.
    ///
    /// Take the infos from the field handles: `.columns([f.email.info(), f.balance.info()])`.
    pub fn columns(mut self, fields: impl IntoIterator<Item = &'static FieldInfo>) -> Self {
        self.only = Some(fields.into_iter().map(|f| f.name).collect());
        self
    }

    /// Adds a `WHERE` condition (several are combined with `AND`).
    pub fn filter(mut self, filter: Filter<T>) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(f) => f.and(filter),
            None => filter,
        });
        self
    }

    /// Orders by this field, ascending. The id is always the last ordering key, so paging is stable.
    pub fn order_by<K>(mut self, field: Field<T, K>) -> Self {
        self.order.push((field.info().column, true));
        self
    }

    /// Orders by this field, descending.
    pub fn order_by_desc<K>(mut self, field: Field<T, K>) -> Self {
        self.order.push((field.info().column, false));
        self
    }

    /// Rows per page, 1..=1000.
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    /// The fields this query selects, in declaration order.
    fn selected(&self) -> Result<Vec<&'static FieldInfo>> {
        let selectable = |f: &FieldInfo| f.kind != FieldKind::Sublist && f.selected;
        if let Some(only) = &self.only {
            for name in only {
                match T::FIELDS.iter().find(|f| f.name == *name) {
                    Some(f) if selectable(f) => {}
                    Some(f) => {
                        return Err(crate::ErrorKind::InvalidInput {
                            what: "columns",
                            reason: format!(
                            "`{}` of `{}` has no SuiteQL column (a sublist or skip_select field)",
                            f.name,
                            T::RECORD_TYPE
                        ),
                        }
                        .into())
                    }
                    None => {
                        return Err(crate::ErrorKind::InvalidInput {
                            what: "columns",
                            reason: format!("`{name}` is not a field of `{}`", T::RECORD_TYPE),
                        }
                        .into())
                    }
                }
            }
        }
        Ok(T::FIELDS
            .iter()
            .filter(|f| selectable(f))
            .filter(|f| match &self.only {
                Some(only) => f.wire == "id" || only.contains(&f.name),
                None => true,
            })
            .collect())
    }

    /// The condition that narrows a shared table to `T`'s record type (`type = 'SalesOrd'` in
    /// `transaction`, `itemtype = … AND subtype = …` in `item`, `searchstage = 'Lead'` in
    /// `customer`: [`nstba_record::types::type_filter`]). A record type whose rows cannot be told
    /// apart is an error rather than a query over the whole table. A table named by
    /// `#[netsuite(table = "…")]` is taken as it is.
    fn type_condition() -> Result<Option<String>> {
        if !T::TABLE.eq_ignore_ascii_case(&table_of(T::RECORD_TYPE)) {
            return Ok(None);
        }
        let conditions =
            type_filter(T::RECORD_TYPE).map_err(|e| crate::ErrorKind::InvalidInput {
                what: "record type",
                reason: e.to_string(),
            })?;
        if conditions.is_empty() {
            return Ok(None);
        }
        let sql: Vec<String> = conditions
            .iter()
            .map(|(column, value)| format!("{column} = '{value}'"))
            .collect();
        Ok(Some(sql.join(" AND ")))
    }

    /// The SuiteQL text.
    pub fn to_sql(&self) -> Result<String> {
        let columns: Vec<String> = self.selected()?.into_iter().map(select_expr).collect();
        let mut sql = format!("SELECT {} FROM {}", columns.join(", "), T::TABLE);
        match (Self::type_condition()?, &self.filter) {
            (Some(cond), Some(f)) => {
                sql.push_str(&format!(" WHERE {cond} AND ("));
                sql.push_str(&f.to_suiteql()?);
                sql.push(')');
            }
            (Some(cond), None) => sql.push_str(&format!(" WHERE {cond}")),
            (None, Some(f)) => {
                sql.push_str(" WHERE ");
                sql.push_str(&f.to_suiteql()?);
            }
            (None, None) => {}
        }
        sql.push_str(" ORDER BY ");
        let id = T::FIELDS
            .iter()
            .find(|f| f.wire == "id")
            .map_or("id", |f| f.column);
        let mut keys: Vec<String> = self
            .order
            .iter()
            .filter(|(c, _)| *c != id)
            .map(|(c, asc)| {
                if *asc {
                    (*c).to_owned()
                } else {
                    format!("{c} DESC")
                }
            })
            .collect();
        match self.order.iter().find(|(c, _)| *c == id) {
            Some((_, false)) => keys.push(format!("{id} DESC")),
            _ => keys.push(id.to_owned()),
        }
        sql.push_str(&keys.join(", "));
        Ok(sql)
    }

    /// A lazy stream of decoded rows, page after page (signed, limited and retried by the client).
    pub fn stream(self) -> BoxStream<'static, Result<T>> {
        let sql = match self.to_sql() {
            Ok(sql) => sql,
            Err(e) => return stream::once(async move { Err::<T, Error>(e) }).boxed(),
        };
        let mut q = self.client.suiteql::<Map<String, Value>>(sql);
        if let Some(n) = self.page_size {
            q = q.page_size(n);
        }
        q.stream()
            .enumerate()
            .map(|(i, row)| row.and_then(|r| decode_row_numbered::<T>(r, Some(i + 1))))
            .boxed()
    }
}

fn number(s: &str) -> Option<Value> {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(Value::from(i));
    }
    if let Ok(u) = t.parse::<u64>() {
        return Some(Value::from(u));
    }
    let f = t.parse::<f64>().ok().filter(|f| f.is_finite())?;
    // `3.0` reads into integer fields too.
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if f.fract() == 0.0 && f.abs() < EXACT {
        return Some(Value::from(f as i64));
    }
    serde_json::Number::from_f64(f).map(Value::Number)
}

/// Decodes one SuiteQL row (lower-case columns, string values, null columns omitted) into `T`:
/// `"T"`/`"F"` become booleans, numeric strings numbers, reference ids `{"id": …}`; dates keep
/// their text (the date types read NetSuite's formats).
///
/// ```
/// # use nstba::{Record, RecordId, RecordRef};
/// # #[derive(Record, Debug)] #[netsuite(record = "customer")]
/// # pub struct Customer { #[netsuite(id)] pub id: Option<RecordId>, pub is_inactive: Option<bool>,
/// #   pub balance: Option<f64>, pub subsidiary: Option<RecordRef>, pub date_created: Option<nstba::client::values::DateTime> }
/// let row = serde_json::json!({"links": [], "id": "7", "isinactive": "F", "balance": "12.50",
///                              "subsidiary": "2", "datecreated": "1/31/2024 1:45 pm"});
/// let c: Customer = nstba::typed::decode_row(serde_json::from_value(row)?)?;
/// assert_eq!(c.id.unwrap().as_str(), "7");
/// assert_eq!(c.is_inactive, Some(false));
/// assert_eq!(c.balance, Some(12.5));
/// assert_eq!(c.subsidiary.unwrap().id.as_deref(), Some("2"));
/// assert!(c.date_created.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decode_row<T: Record>(row: Map<String, Value>) -> Result<T> {
    decode_row_numbered(row, None)
}

/// [`decode_row`], with the row's number (1-based, over the whole query) for the error message.
fn decode_row_numbered<T: Record>(row: Map<String, Value>, row_number: Option<usize>) -> Result<T> {
    let mut obj = Map::new();
    for f in T::FIELDS {
        if f.kind == FieldKind::Sublist || !f.selected {
            continue;
        }
        let Some(v) = row
            .get(f.column)
            .or_else(|| row.get(&f.column.to_ascii_lowercase()))
        else {
            continue;
        };
        let v = match (f.kind, v) {
            (_, Value::Null) => continue,
            (_, Value::Number(n)) if f.wire == "id" => Value::String(n.to_string()),
            (FieldKind::Boolean, Value::String(s)) => match s.as_str() {
                "T" | "t" | "true" => Value::Bool(true),
                "F" | "f" | "false" => Value::Bool(false),
                _ => v.clone(),
            },
            (FieldKind::Number, Value::String(s)) if f.wire != "id" => {
                if s.trim().is_empty() {
                    continue;
                }
                number(s).unwrap_or_else(|| v.clone())
            }
            (FieldKind::Reference, Value::String(s)) => serde_json::json!({ "id": s }),
            (FieldKind::Reference, Value::Number(n)) => serde_json::json!({ "id": n.to_string() }),
            (FieldKind::String, Value::Number(n)) => Value::String(n.to_string()),
            (FieldKind::String, Value::Bool(b)) => Value::String(if *b { "T" } else { "F" }.into()),
            _ => v.clone(),
        };
        obj.insert(f.wire.to_owned(), v);
    }
    serde_path_to_error::deserialize::<_, T>(Value::Object(obj)).map_err(|e| {
        let path = e.path().to_string();
        // The wire name at the root of the path, back to the SuiteQL column it came from.
        let wire = path.split(['.', '[']).next().unwrap_or("");
        let column = T::FIELDS.iter().find(|f| f.wire == wire).map(|f| f.column);
        let value = column.and_then(|c| {
            row.get(c)
                .or_else(|| row.get(&c.to_ascii_lowercase()))
                .map(|v| v.to_string())
        });
        let row_part = row_number.map(|n| format!("row {n}, ")).unwrap_or_default();
        let column_part = match (column, value) {
            (Some(c), Some(v)) => format!("column `{c}` = {v}: "),
            (Some(c), None) => format!("column `{c}`: "),
            _ => String::new(),
        };
        crate::ErrorKind::Decode {
            method: "POST".to_owned(),
            path: crate::SUITEQL_PATH.to_owned(),
            status: 200,
            json_path: if path.is_empty() {
                ".".to_owned()
            } else {
                path.clone()
            },
            message: format!(
                "{row_part}{column_part}row of `{}`: {}",
                T::RECORD_TYPE,
                e.inner()
            ),
            body: String::new(),
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::number;
    use serde_json::json;

    #[test]
    fn numbers_from_strings() {
        assert_eq!(number("42"), Some(json!(42)));
        assert_eq!(number(" 3.0 "), Some(json!(3)));
        assert_eq!(number("12.50"), Some(json!(12.5)));
        assert_eq!(number("-0.25"), Some(json!(-0.25)));
        assert_eq!(
            number("18446744073709551615"),
            Some(json!(18446744073709551615u64))
        );
        assert_eq!(number("NaN"), None);
        assert_eq!(number("inf"), None);
        assert_eq!(number("abc"), None);
    }
}
