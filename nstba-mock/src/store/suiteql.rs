//! The SuiteQL engine: SuiteQL run by SQLite over one TEMP view per record type (and NetSuite's
//! `transaction` / `transactionline` tables), on the store's query connection.

use super::transaction_types::TRANSACTION_TYPES;
use super::{is_ident, QueryConn, Shape, Store};
use nstba_record::suiteql::select_list;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::sync::atomic::Ordering::Relaxed;

use std::collections::{BTreeMap, HashMap, HashSet};

/// Record type (lower case) → lower-cased field name → field name as first seen.
type Fields = HashMap<String, BTreeMap<String, String>>;

/// One SuiteQL row in NetSuite's order: `"links": []` first, then the non-null columns in SELECT
/// order, every value a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row(pub Vec<(String, String)>);

impl serde::Serialize for Row {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len() + 1))?;
        m.serialize_entry("links", &[(); 0])?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Runs `q`; returns the total row count and one page of rows.
///
/// Blocks while another query runs, and for as long as this one runs (at most the store's query
/// timeout): call it on a blocking thread. Record reads and writes on the records connection go on
/// meanwhile.
pub(crate) fn query(
    store: &Store,
    q: &str,
    limit: usize,
    offset: usize,
) -> Result<(usize, Vec<Row>), String> {
    let without_comments = strip_comments(q);
    let q = without_comments.trim().trim_end_matches(';').trim();
    if q.is_empty() {
        return Err("the query is empty".into());
    }
    let verbatim = verbatim_columns(q);
    let date_format = store.date_format;
    let rewritten = oracle_to_sqlite(q);
    let q = rewritten.as_str();
    let mut inner = store.lock_query();
    // Bring the query side up to date, holding the query connection so that queries see the data
    // and views in the order they started; the records connection is held only for this. In memory,
    // the rows written since the last query are copied one by one (a full copy only the first time,
    // or after more changes than are tracked); a database file is shared, nothing to copy. Views are
    // rebuilt only for record types whose shape changed, from the shapes learned as bodies were
    // written: never by scanning the rows.
    let (dirty, fields, shapes, generation) = {
        let mut records = store.lock();
        if let Some(copied) = inner.copied {
            let full = copied.is_none() || records.changed_overflow;
            if full {
                records.changed.clear();
                records.changed_overflow = true;
                copy_database(&records.conn, &mut inner.conn)
                    .map_err(|e| format!("cannot copy the records for the query: {e}"))?;
                records.changed_overflow = false;
                store.sync.full_copies.fetch_add(1, Relaxed);
            } else if copied != Some(records.generation) {
                let changed = std::mem::take(&mut records.changed);
                match apply_changes(&records.conn, &mut inner.conn, &changed) {
                    Ok(n) => {
                        store.sync.rows_synced.fetch_add(n, Relaxed);
                    }
                    Err(e) => {
                        records.changed_overflow = true;
                        return Err(format!("cannot copy the records for the query: {e}"));
                    }
                }
            }
            inner.copied = Some(Some(records.generation));
        }
        let dirty: HashSet<String> = std::mem::take(&mut records.dirty);
        let (fields, shapes) = if dirty.is_empty() {
            (Fields::new(), HashMap::new())
        } else {
            let shapes: HashMap<String, Shape> = dirty
                .iter()
                .filter_map(|t| Some((t.clone(), records.shapes.get(t)?.clone())))
                .collect();
            (records.fields.clone(), shapes)
        };
        (dirty, fields, shapes, records.generation)
    };
    let QueryConn { conn, omitted, .. } = &mut *inner;
    match refresh_views(conn, &dirty, &fields, &shapes, omitted) {
        Ok(n) => {
            store.sync.views_rebuilt.fetch_add(n, Relaxed);
        }
        Err(e) => {
            // Not poisoned: the next query tries again.
            store.lock().dirty.extend(dirty);
            return Err(format!("cannot prepare the record views: {e}"));
        }
    }
    // A watchdog interrupts queries that run too long (e.g. an unbounded recursive CTE).
    let timeout = store.query_timeout;
    let (done, watch) = std::sync::mpsc::channel::<()>();
    let interrupt = inner.conn.get_interrupt_handle();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = watch.recv_timeout(timeout) {
            interrupt.interrupt();
        }
    });
    let _done = done;
    // From here on only NetSuite's tables (the TEMP views) are visible to the statements prepared.
    let guard = inner.guard.clone();
    let _guarded = guard.enter();
    let omitted = inner.omitted.clone();
    let explain = |e: rusqlite::Error| explain_omitted(guard.clean(e), &omitted);
    {
        let stmt = inner.conn.prepare(q).map_err(explain)?;
        if !stmt.readonly() {
            return Err("only SELECT queries are allowed".into());
        }
        if stmt.column_count() == 0 {
            return Err("the statement returns no columns".into());
        }
    }
    #[cfg(test)]
    {
        let hook = store
            .query_hook
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(hook) = hook {
            hook();
        }
    }
    let total = match inner.counts.get(q, generation) {
        Some(n) => n,
        None => {
            let n: i64 = inner
                .conn
                .query_row(&format!("SELECT COUNT(*) FROM ({q}\n)"), [], |r| r.get(0))
                .map_err(explain)?;
            let n = n.max(0) as usize;
            inner.counts.insert(q, generation, n);
            let (entries, bytes) = inner.counts.size();
            store
                .sync
                .count_entries
                .store(entries, std::sync::atomic::Ordering::Relaxed);
            store
                .sync
                .count_bytes
                .store(bytes, std::sync::atomic::Ordering::Relaxed);
            n
        }
    };
    let mut stmt = inner
        .conn
        .prepare(&format!(
            "SELECT * FROM ({q}\n) LIMIT {limit} OFFSET {offset}"
        ))
        .map_err(explain)?;
    let names: Vec<String> = stmt
        .column_names()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let mut rows = stmt.query([]).map_err(explain)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(explain)? {
        let mut item = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let v = match row.get_ref(i).map_err(explain)? {
                ValueRef::Null => continue,
                ValueRef::Integer(n) => n.to_string(),
                ValueRef::Real(f) => format_real(f),
                ValueRef::Text(t) => {
                    let text = String::from_utf8_lossy(t);
                    // Dates and timestamps come back date-only, in the account's format, unless
                    // the column is a TO_CHAR with its own format.
                    match super::dates::parse_iso(&text) {
                        Some(d) if !verbatim.is(i, name) => {
                            date_format.format(d.year, d.month, d.day)
                        }
                        _ => text.into_owned(),
                    }
                }
                ValueRef::Blob(_) => continue,
            };
            // A repeated column name keeps its first value, as a JSON object would.
            if !item.iter().any(|(k, _)| k == name) {
                item.push((name.clone(), v));
            }
        }
        out.push(Row(item));
    }
    Ok((total, out))
}

/// The result columns shown as computed (`TO_CHAR(…)`), not as account-formatted dates: by position
/// when the SELECT list has no `*`, otherwise by alias.
struct Verbatim {
    positions: Option<Vec<bool>>,
    aliases: Vec<String>,
}

impl Verbatim {
    fn is(&self, i: usize, name: &str) -> bool {
        match &self.positions {
            Some(p) => p.get(i).copied().unwrap_or(false),
            None => self.aliases.iter().any(|a| a == name),
        }
    }
}

fn verbatim_columns(q: &str) -> Verbatim {
    let items = select_list(q);
    let mut flags = Vec::new();
    let mut aliases = Vec::new();
    let mut star = false;
    for (n, item) in items.iter().enumerate() {
        let mut item = item.as_str();
        if n == 0 {
            for kw in ["DISTINCT ", "ALL "] {
                if item.len() > kw.len()
                    && item
                        .get(..kw.len())
                        .is_some_and(|h| h.eq_ignore_ascii_case(kw))
                {
                    item = item.get(kw.len()..).unwrap_or("").trim_start();
                }
            }
        }
        star |= item == "*" || item.ends_with(".*");
        let is_to_char = item.len() > 8
            && item
                .get(..8)
                .is_some_and(|h| h.eq_ignore_ascii_case("TO_CHAR("));
        flags.push(is_to_char);
        if is_to_char {
            if let Some(alias) = item.rsplit(|c: char| c.is_whitespace()).next() {
                aliases.push(alias.trim_matches('"').to_ascii_lowercase());
            }
        }
    }
    Verbatim {
        positions: (!star).then_some(flags),
        aliases,
    }
}

/// Copies the records database into the query connection's main database (its TEMP views stay).
fn copy_database(from: &Connection, to: &mut Connection) -> rusqlite::Result<()> {
    // Every page in one step: both connections are held, nothing can change meanwhile.
    rusqlite::backup::Backup::new(from, to)?.run_to_completion(
        i32::MAX,
        std::time::Duration::ZERO,
        None,
    )
}

fn clean(e: rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            "the query ran too long and was stopped".to_owned()
        }
        rusqlite::Error::SqliteFailure(_, Some(msg)) => match msg.strip_prefix("no such table: ") {
            Some(table) => unknown_table(table),
            None => msg,
        },
        rusqlite::Error::MultipleStatement => "only one statement is allowed".into(),
        other => other.to_string(),
    }
}

/// NetSuite's answer to a table it does not have.
fn unknown_table(table: &str) -> String {
    let table = table.rsplit('.').next().unwrap_or(table);
    format!("Search error occurred: Record '{table}' was not found.")
}

/// What the query connection's authorizer lets user SQL see: while a guard is entered, top-level SQL
/// may not read SQLite's own tables (`sqlite_master`, `sqlite_temp_master`, …) or the store's table
/// (`nstba_record`), run a PRAGMA (or read a `pragma_…` table), or ATTACH a database. The TEMP views
/// built over the store's table still read it: SQLite names the view as the accessor.
#[derive(Default)]
pub(crate) struct Guard {
    on: std::sync::atomic::AtomicBool,
    /// The table the last denial was about.
    denied: std::sync::Mutex<Option<String>>,
}

/// While alive, the guard denies what user SQL may not see.
pub(crate) struct Entered<'a>(&'a Guard);

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.0.on.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Guard {
    /// Installs the authorizer on the query connection.
    pub fn install(conn: &mut Connection) -> rusqlite::Result<std::sync::Arc<Guard>> {
        use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
        let guard = std::sync::Arc::new(Guard::default());
        let g = guard.clone();
        conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            if !g.on.load(std::sync::atomic::Ordering::SeqCst) {
                return Authorization::Allow;
            }
            let denied = match ctx.action {
                AuthAction::Read { table_name, .. } if ctx.accessor.is_none() => {
                    is_internal_table(table_name).then(|| table_name.to_owned())
                }
                AuthAction::Pragma { pragma_name, .. } => Some(format!("pragma_{pragma_name}")),
                AuthAction::Attach { .. } | AuthAction::Detach { .. } => Some(String::new()),
                _ => None,
            };
            match denied {
                Some(name) => {
                    *g.denied.lock().unwrap_or_else(|e| e.into_inner()) = Some(name);
                    Authorization::Deny
                }
                None => Authorization::Allow,
            }
        }))?;
        Ok(guard)
    }

    /// Denies until the returned value is dropped.
    pub fn enter(&self) -> Entered<'_> {
        *self.denied.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.on.store(true, std::sync::atomic::Ordering::SeqCst);
        Entered(self)
    }

    /// The error of a user statement: a denied table reads like an unknown one.
    pub fn clean(&self, e: rusqlite::Error) -> String {
        let denied = self.denied.lock().unwrap_or_else(|e| e.into_inner()).take();
        match denied {
            Some(name) if !name.is_empty() => unknown_table(&name),
            Some(_) => "only SELECT queries are allowed".into(),
            None => clean(e),
        }
    }
}

/// SQLite's own tables, the store's, and pragma table-valued functions.
fn is_internal_table(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("sqlite_") || lower.starts_with("pragma_") || lower == "nstba_record"
}

/// The longest query text whose count is cached.
const COUNT_KEY_MAX: usize = 16 * 1024;
/// The most counts cached.
const COUNT_ENTRIES_MAX: usize = 1000;
/// The most bytes of query text the count cache holds.
const COUNT_BYTES_MAX: usize = 2 * 1024 * 1024;

/// Cached SuiteQL counts, valid for one store generation, bounded in entries and bytes (a query
/// longer than [`COUNT_KEY_MAX`] is counted every time instead).
#[derive(Default)]
pub(crate) struct CountCache {
    map: HashMap<String, (u64, usize)>,
    bytes: usize,
}

impl CountCache {
    /// The count of `q` at `generation`, if cached.
    pub fn get(&self, q: &str, generation: u64) -> Option<usize> {
        match self.map.get(q) {
            Some((g, n)) if *g == generation => Some(*n),
            _ => None,
        }
    }

    /// Remembers the count of `q` at `generation`.
    pub fn insert(&mut self, q: &str, generation: u64, n: usize) {
        if q.len() > COUNT_KEY_MAX {
            return;
        }
        // Counts of an older generation are useless: drop them all when full.
        if self.map.len() >= COUNT_ENTRIES_MAX || self.bytes + q.len() > COUNT_BYTES_MAX {
            self.map.clear();
            self.bytes = 0;
        }
        if self.map.insert(q.to_owned(), (generation, n)).is_none() {
            self.bytes += q.len();
        }
    }

    /// (entries, bytes of query text) held.
    pub fn size(&self) -> (usize, usize) {
        (self.map.len(), self.bytes)
    }
}

/// `q` with every comment (`-- …` to the end of the line, `/* … */`) replaced by a space, outside
/// string literals and quoted identifiers.
pub(crate) fn strip_comments(q: &str) -> String {
    let mut out = String::with_capacity(q.len());
    let mut chars = q.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                // To the closing quote ('' and "" close and reopen: same result).
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
                out.push('\n');
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = '\0';
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                out.push(' ');
            }
            c => out.push(c),
        }
    }
    out
}

fn format_real(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// The SQL of one view column over the JSON `src` at `path` (a JSON path literal).
///
/// Reference fields (objects with an id) become their id with NUMERIC affinity, so `subsidiary = 1`
/// and `subsidiary = '1'` both match; other fields keep their JSON value with booleans as 'T'/'F'.
fn column_sql(src: &str, key: &str, is_ref: bool) -> String {
    let p = format!("'$.\"{key}\"'");
    let id = format!("json_extract({src}, '$.\"{key}\".id')");
    if is_ref {
        format!(
            "CAST(CASE json_type({src}, {p}) WHEN 'object' THEN {id} WHEN 'array' THEN NULL \
             ELSE json_extract({src}, {p}) END AS NUMERIC)"
        )
    } else {
        format!(
            "CASE json_type({src}, {p}) WHEN 'true' THEN 'T' WHEN 'false' THEN 'F' \
             WHEN 'object' THEN {id} WHEN 'array' THEN NULL ELSE json_extract({src}, {p}) END"
        )
    }
}

/// The most field columns one view holds: SQLite allows 2 000 columns in a result, and a view
/// also has `id` and `externalid`. Fields beyond (standard fields first, then custom ones, each in
/// name order) are left out of the view, with a
/// clear error when a query names one; the type's other fields stay queryable.
pub(crate) const VIEW_COLUMNS_MAX: usize = 1_900;

/// Field (lower case) left out of a view → (record type, fields the type has).
pub(crate) type Omitted = HashMap<String, (String, usize)>;

/// The error of a query naming a column left out of a view because of [`VIEW_COLUMNS_MAX`].
fn explain_omitted(msg: String, omitted: &Omitted) -> String {
    let Some(column) = msg
        .strip_prefix("no such column: ")
        .and_then(|rest| rest.split_whitespace().next())
    else {
        return msg;
    };
    let field = column
        .rsplit('.')
        .next()
        .unwrap_or(column)
        .to_ascii_lowercase();
    match omitted.get(&field) {
        Some((ty, n)) => format!(
            "Field '{field}' of record type '{ty}' is not available to SuiteQL: the type has {n} fields, more than the {VIEW_COLUMNS_MAX} one query table can hold; read it through the REST record API."
        ),
        None => msg,
    }
}

/// Copies the rows written since the last query to the query connection's copy: each is replaced
/// by its current version, or removed. Returns how many rows were touched.
fn apply_changes(
    from: &Connection,
    to: &mut Connection,
    changed: &HashSet<(String, i64)>,
) -> rusqlite::Result<u64> {
    use rusqlite::OptionalExtension;
    let tx = to.transaction()?;
    {
        let mut read =
            from.prepare_cached("SELECT eid, body FROM nstba_record WHERE type = ?1 AND id = ?2")?;
        let mut upsert = tx.prepare(
            "INSERT OR REPLACE INTO nstba_record (type, id, eid, body) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut delete = tx.prepare("DELETE FROM nstba_record WHERE type = ?1 AND id = ?2")?;
        for (ty, id) in changed {
            let row = read
                .query_row(rusqlite::params![ty, id], |r| {
                    Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?))
                })
                .optional()?;
            match row {
                Some((eid, body)) => upsert.execute(rusqlite::params![ty, id, eid, body])?,
                None => delete.execute(rusqlite::params![ty, id])?,
            };
        }
    }
    tx.commit()?;
    Ok(changed.len() as u64)
}

/// Rebuilds the TEMP view of every record type whose shape changed; returns how many views were
/// (re)built. Costs O(columns), never a scan of the rows.
fn refresh_views(
    conn: &Connection,
    dirty: &HashSet<String>,
    fields: &Fields,
    shapes: &HashMap<String, Shape>,
    omitted: &mut Omitted,
) -> rusqlite::Result<u64> {
    if dirty.is_empty() {
        return Ok(0);
    }
    let mut built = 0;
    let touches_transactions = dirty
        .iter()
        .any(|t| TRANSACTION_TYPES.iter().any(|(ty, _)| ty == t));
    let touches_items = dirty.iter().any(|t| item_types().any(|i| i == *t));
    let empty = Shape::default();
    for ty in dirty {
        if !is_ident(ty) {
            continue;
        }
        let shape = shapes.get(ty).unwrap_or(&empty);
        let is_ref = |name: &str| {
            !super::is_enum_field(name) && shape.keys.get(name).is_some_and(|(r, _)| *r)
        };
        omitted.retain(|_, (t, _)| t != ty);
        let mut cols = vec!["id AS id".to_owned(), "eid AS externalid".to_owned()];
        if let Some(fields) = fields.get(ty) {
            // Standard fields first, then custom ones, each in name order.
            let mut usable: Vec<(&String, &String)> = fields
                .iter()
                .filter(|(lower, name)| *lower != "id" && *lower != "externalid" && is_ident(name))
                .collect();
            usable.sort_by_key(|(lower, _)| nstba_record::names::is_custom_field_id(lower));
            for (n, (lower, name)) in usable.iter().enumerate() {
                if n >= VIEW_COLUMNS_MAX {
                    omitted.insert((*lower).clone(), (ty.clone(), usable.len()));
                    continue;
                }
                cols.push(format!(
                    "{} AS \"{lower}\"",
                    column_sql("body", name, is_ref(name))
                ));
            }
        }
        let sql = format!(
            "DROP VIEW IF EXISTS temp.\"{ty}\"; CREATE TEMP VIEW \"{ty}\" AS SELECT {} FROM nstba_record WHERE type = '{ty}';",
            cols.join(", ")
        );
        conn.execute_batch(&sql)?;
        built += 1;
        // One view per sublist: `{type}_{sublist}` with the parent id, `line` and the line's fields.
        let sublists = shape
            .keys
            .iter()
            .filter(|(k, (_, sub))| *sub && is_ident(k));
        for (name, _) in sublists {
            let lower = name.to_ascii_lowercase();
            let Some(line_keys) = shape.lines.get(name).filter(|l| !l.is_empty()) else {
                continue;
            };
            let mut seen = std::collections::BTreeSet::new();
            let mut cols = vec![format!("r.id AS \"{ty}\"")];
            for (key, is_ref) in line_keys {
                let l = key.to_ascii_lowercase();
                if !is_ident(key) || l == *ty || !seen.insert(l.clone()) {
                    continue;
                }
                if cols.len() > VIEW_COLUMNS_MAX {
                    break;
                }
                let is_ref = *is_ref && !super::is_enum_field(key);
                cols.push(format!("{} AS \"{l}\"", column_sql("l.value", key, is_ref)));
            }
            let view = format!("{ty}_{lower}");
            let sql = format!(
                "DROP VIEW IF EXISTS temp.\"{view}\"; CREATE TEMP VIEW \"{view}\" AS SELECT {} \
                 FROM nstba_record r, json_each(r.body, '$.\"{name}\".items') l \
                 WHERE r.type = '{ty}' AND json_type(r.body, '$.\"{name}\".items') = 'array';",
                cols.join(", ")
            );
            conn.execute_batch(&sql)?;
            built += 1;
        }
    }
    if touches_transactions {
        transaction_views(conn, fields)?;
        built += 1;
    }
    if touches_items {
        item_view(conn, fields)?;
        built += 1;
    }
    Ok(built)
}

/// The standard item record types, lower-cased (`inventoryitem`, `serviceresaleitem`, …).
fn item_types() -> impl Iterator<Item = String> {
    nstba_record::types::ITEM_TYPES
        .iter()
        .map(|(t, _)| t.to_ascii_lowercase())
}

/// The columns of `item` that tell item record types apart, with their value for one type when its
/// records do not store them: the type's own conditions (`itemtype`, `subtype`, `islotitem`,
/// `isserialitem` from `nstba_record::types::ITEM_TYPES`), and `F` for the lot/serial flags of the
/// others.
const ITEM_KIND_COLUMNS: [&str; 4] = ["itemtype", "subtype", "islotitem", "isserialitem"];

fn item_kind_value(item_type: &str, column: &str) -> Option<&'static str> {
    let conditions = nstba_record::types::ITEM_TYPES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(item_type))
        .map_or(&[][..], |(_, c)| *c);
    match conditions.iter().find(|(c, _)| *c == column) {
        Some((_, value)) => Some(value),
        None if column.starts_with("is") => Some("F"),
        None => None,
    }
}

/// NetSuite's `item` table over every stored item record type (unless a record type of that name is
/// stored): the union of their views, NULL where a type lacks a column; `itemtype` is the stored
/// `itemType` select-list id (`InvtPart`), and the columns that tell item types apart
/// ([`ITEM_KIND_COLUMNS`]) come from the record type where the records do not store them.
fn item_view(conn: &Connection, fields: &Fields) -> rusqlite::Result<()> {
    if fields.contains_key("item") {
        return Ok(());
    }
    let stored: Vec<String> = item_types().filter(|t| fields.contains_key(t)).collect();
    let mut columns: Vec<String> = vec!["id".into(), "externalid".into()];
    columns.extend(ITEM_KIND_COLUMNS.iter().map(|c| (*c).to_owned()));
    for t in &stored {
        for (lower, name) in &fields[t] {
            if columns.len() >= VIEW_COLUMNS_MAX {
                break;
            }
            if is_ident(name) && !columns.contains(lower) {
                columns.push(lower.clone());
            }
        }
    }
    let selects: Vec<String> = stored
        .iter()
        .map(|t| {
            let cols: Vec<String> = columns
                .iter()
                .map(|c| {
                    let has = fields[t].get(c).is_some_and(|name| is_ident(name));
                    if c == "id" || c == "externalid" || has {
                        format!("\"{c}\"")
                    } else if let Some(v) = item_kind_value(t, c) {
                        format!("'{v}' AS \"{c}\"")
                    } else {
                        format!("NULL AS \"{c}\"")
                    }
                })
                .collect();
            format!("SELECT {} FROM temp.\"{t}\"", cols.join(", "))
        })
        .collect();
    let mut sql = "DROP VIEW IF EXISTS temp.\"item\";".to_owned();
    if !selects.is_empty() {
        sql.push_str(&format!(
            "CREATE TEMP VIEW \"item\" AS {};",
            selects.join(" UNION ALL ")
        ));
    }
    conn.execute_batch(&sql)
}

/// NetSuite's `transaction` and `transactionline` tables over every transaction record type (unless
/// a record type of that name is stored): `transaction(id, externalid, type, tranid, trandate, entity,
/// status, memo, subsidiary, currency, total, createddate)` and `transactionline(transaction, id, linesequencenumber,
/// item, quantity, rate, amount, memo)` from each record's `item` sublist.
fn transaction_views(conn: &Connection, fields: &Fields) -> rusqlite::Result<()> {
    let kinds = TRANSACTION_TYPES
        .iter()
        .map(|(t, code)| format!("WHEN '{t}' THEN '{code}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let types = TRANSACTION_TYPES
        .iter()
        .map(|(t, _)| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let body = |k: &str| column_sql("body", k, false);
    let refd = |k: &str| column_sql("body", k, true);
    let line = |k: &str, is_ref: bool| column_sql("l.value", k, is_ref);
    let mut sql = String::new();
    if !fields.contains_key("transaction") {
        sql.push_str(&format!(
            "DROP VIEW IF EXISTS temp.\"transaction\"; CREATE TEMP VIEW \"transaction\" AS SELECT \
             id AS id, eid AS externalid, CASE type {kinds} END AS type, {} AS tranid, {} AS trandate, \
             {} AS entity, {} AS status, {} AS memo, {} AS subsidiary, {} AS currency, {} AS total, \
             {} AS createddate FROM nstba_record WHERE type IN ({types});",
            body("tranId"),
            body("tranDate"),
            refd("entity"),
            body("status"),
            body("memo"),
            refd("subsidiary"),
            refd("currency"),
            body("total"),
            body("createdDate"),
        ));
    }
    if !fields.contains_key("transactionline") {
        sql.push_str(&format!(
            "DROP VIEW IF EXISTS temp.\"transactionline\"; CREATE TEMP VIEW \"transactionline\" AS SELECT \
             r.id AS \"transaction\", {} AS id, {} AS linesequencenumber, {} AS item, {} AS quantity, \
             {} AS rate, {} AS amount, {} AS memo \
             FROM nstba_record r, json_each(r.body, '$.item.items') l \
             WHERE r.type IN ({types}) AND json_type(r.body, '$.item.items') = 'array';",
            line("line", false),
            line("line", false),
            line("item", true),
            line("quantity", false),
            line("rate", false),
            line("amount", false),
            line("memo", false),
        ));
    }
    conn.execute_batch(&sql)
}

/// Rewrites the Oracle-flavoured SuiteQL idioms SQLite lacks, outside string literals and quoted
/// identifiers: `NVL(` → `IFNULL(`, `BUILTIN.DF(x)` → `(x)`, `SYSDATE` → `CURRENT_TIMESTAMP`,
/// `FETCH FIRST|NEXT n ROWS ONLY` → `LIMIT n`.
pub(crate) fn oracle_to_sqlite(q: &str) -> String {
    let chars: Vec<char> = q.chars().collect();
    let mut out = String::with_capacity(q.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            // Copy the literal or quoted identifier as is ('' and "" escape the quote).
            out.push(c);
            i += 1;
            while i < chars.len() {
                out.push(chars[i]);
                if chars[i] == c {
                    if chars.get(i + 1) == Some(&c) {
                        out.push(c);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let upper = word.to_ascii_uppercase();
            let next_non_space = chars[i..].iter().find(|c| !c.is_whitespace()).copied();
            match upper.as_str() {
                "NVL" if next_non_space == Some('(') => out.push_str("IFNULL"),
                "BUILTIN.DF" if next_non_space == Some('(') => {}
                "SYSDATE" => out.push_str("CURRENT_TIMESTAMP"),
                "FETCH" => {
                    // FETCH FIRST|NEXT <n> ROW|ROWS ONLY
                    let rest: String = chars[i..].iter().collect();
                    let words: Vec<&str> = rest.split_whitespace().take(4).collect();
                    let is_fetch = words.len() == 4
                        && matches!(words[0].to_ascii_uppercase().as_str(), "FIRST" | "NEXT")
                        && words[1].bytes().all(|b| b.is_ascii_digit())
                        && matches!(words[2].to_ascii_uppercase().as_str(), "ROW" | "ROWS")
                        && words[3].eq_ignore_ascii_case("ONLY");
                    if is_fetch {
                        out.push_str("LIMIT ");
                        out.push_str(words[1]);
                        // Skip the four words.
                        let mut skipped = 0;
                        while i < chars.len() && skipped < 4 {
                            while i < chars.len() && chars[i].is_whitespace() {
                                i += 1;
                            }
                            while i < chars.len() && !chars[i].is_whitespace() {
                                i += 1;
                            }
                            skipped += 1;
                        }
                    } else {
                        out.push_str(&word);
                    }
                }
                _ => {
                    // `transaction` is a keyword to SQLite but NetSuite's main table: quote it.
                    let parts: Vec<String> = word
                        .split('.')
                        .map(|p| {
                            if p.eq_ignore_ascii_case("transaction") {
                                format!("\"{p}\"")
                            } else {
                                p.to_owned()
                            }
                        })
                        .collect();
                    out.push_str(&parts.join("."));
                }
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{oracle_to_sqlite, select_list, verbatim_columns};

    #[test]
    fn select_lists_and_to_char_columns() {
        assert_eq!(
            select_list("SELECT a, NVL(b, 'x, y') AS c, t.d FROM t WHERE e IN (SELECT f FROM g)"),
            ["a", "NVL(b, 'x, y') AS c", "t.d"]
        );
        let v = verbatim_columns("select id, TO_CHAR(d, 'YYYY') y, d from t");
        assert!(!v.is(0, "id") && v.is(1, "y") && !v.is(2, "d"));
        let v = verbatim_columns("SELECT *, to_char(d, 'YYYY-MM-DD') AS \"Iso\" FROM t");
        assert!(v.is(5, "iso") && !v.is(1, "d"));
    }

    #[test]
    fn oracle_idioms() {
        assert_eq!(
            oracle_to_sqlite("SELECT NVL(a, 'NVL(') , BUILTIN.DF(entity) FROM t WHERE d < SYSDATE FETCH FIRST 5 ROWS ONLY"),
            "SELECT IFNULL(a, 'NVL(') , (entity) FROM t WHERE d < CURRENT_TIMESTAMP LIMIT 5"
        );
        assert_eq!(
            oracle_to_sqlite("SELECT 'it''s' AS \"x\"\"y\" FROM t"),
            "SELECT 'it''s' AS \"x\"\"y\" FROM t"
        );
        assert_eq!(
            oracle_to_sqlite("SELECT fetch FROM t"),
            "SELECT fetch FROM t"
        );
        assert_eq!(oracle_to_sqlite("SELECT t.id FROM t"), "SELECT t.id FROM t");
        assert_eq!(
            oracle_to_sqlite("SELECT transaction.id, tl.Transaction FROM transaction JOIN x tl"),
            "SELECT \"transaction\".id, tl.\"Transaction\" FROM \"transaction\" JOIN x tl"
        );
    }
}
