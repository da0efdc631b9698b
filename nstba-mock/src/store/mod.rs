//! The SQLite record store: one table of JSON bodies, plus one TEMP view per record type for SuiteQL.
//!
//! Two connections, each behind its own mutex: the *records* connection serves the record API and
//! every write; the *query* connection runs SuiteQL (with its TEMP views) on a snapshot, so a long
//! query neither waits for nor blocks record reads and writes. With a database file both open it in
//! WAL mode; in memory, the query connection holds a copy of the records database: copied whole
//! (SQLite's online backup) by the first query, then kept current row by row: each write notes its
//! (type, id), and the next query copies just those rows (a whole copy again only after more than
//! 50 000 untracked changes). Each write also learns the shape of its body (which keys are
//! references, sublists, line fields), so a view is rebuilt only when a type's shape changes, from
//! that shape, without scanning rows. A caller that may wait on either mutex belongs on a blocking
//! thread, never on an async worker.

pub(crate) mod dates;
pub(crate) mod qparse;
pub(crate) mod suiteql;
mod transaction_types;

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// A store failure that maps to a NetSuite error.
#[derive(Debug)]
pub(crate) enum StoreError {
    /// The external id is taken by another record of the type.
    DuplicateExternalId(String),
    /// The record does not exist.
    NotFound,
    /// SQLite failed.
    Sql(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::DuplicateExternalId(e) => write!(f, "duplicate external id {e:?}"),
            StoreError::NotFound => f.write_str("record not found"),
            StoreError::Sql(s) => f.write_str(s),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sql(e.to_string())
    }
}

/// The records connection and what is known about the stored records.
pub(crate) struct Inner {
    pub conn: Connection,
    /// Record type (lower case) → lower-cased field name → field name as first seen.
    pub fields: HashMap<String, BTreeMap<String, String>>,
    /// Record types whose SuiteQL view must be rebuilt (their shape changed).
    pub dirty: HashSet<String>,
    /// Record type (lower case) → what its stored bodies look like, learned as they are written.
    pub shapes: HashMap<String, Shape>,
    /// In memory: the rows written since the query connection's copy was last brought up to date.
    pub changed: HashSet<(String, i64)>,
    /// In memory: too many rows changed to track one by one; the next query copies everything.
    pub changed_overflow: bool,
    /// Whether writes are tracked in `changed` (in memory; a database file is shared instead).
    track_changes: bool,
    /// Bumped on every write: cached SuiteQL counts are valid for one generation.
    pub generation: u64,
    /// (record type, id) → refName, valid for `ref_generation`.
    ref_names: HashMap<(String, i64), Option<String>>,
    ref_generation: u64,
}

/// The most changed rows tracked one by one before the next query copies the whole database.
const CHANGED_MAX: usize = 50_000;

/// The shape of a record type's stored bodies, as far as SuiteQL views need it: learned from each
/// body written, so a view is rebuilt only when the shape changes and never by scanning the rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    /// Top-level key as stored → (some value is a reference object, some value is a sublist).
    pub keys: BTreeMap<String, (bool, bool)>,
    /// Sublist key as stored → line key as stored → some value is an object (a reference).
    pub lines: BTreeMap<String, BTreeMap<String, bool>>,
}

impl Shape {
    /// Learns from one body; whether anything new was learned.
    fn learn(&mut self, body: &Map<String, Value>) -> bool {
        let mut changed = false;
        for (k, v) in body {
            if k == "links" {
                continue;
            }
            let (is_ref, is_sublist) = match v {
                Value::Object(o) => match o.get("items") {
                    None => (true, false),
                    Some(items) => (false, items.is_array()),
                },
                _ => (false, false),
            };
            let entry = match self.keys.get_mut(k) {
                Some(e) => e,
                None => {
                    changed = true;
                    self.keys.entry(k.clone()).or_default()
                }
            };
            if (is_ref && !entry.0) || (is_sublist && !entry.1) {
                changed = true;
                entry.0 |= is_ref;
                entry.1 |= is_sublist;
            }
            if let Some(Value::Array(items)) = v.get("items") {
                let line_keys = self.lines.entry(k.clone()).or_default();
                for line in items {
                    let Value::Object(line) = line else { continue };
                    for (lk, lv) in line {
                        let object = lv.is_object();
                        match line_keys.get_mut(lk) {
                            Some(seen) if *seen || !object => {}
                            Some(seen) => {
                                *seen = true;
                                changed = true;
                            }
                            None => {
                                line_keys.insert(lk.clone(), object);
                                changed = true;
                            }
                        }
                    }
                }
            }
        }
        changed
    }
}

impl Inner {
    /// Notes a written body: its row for the query side's copy, its shape for the views.
    fn wrote(&mut self, ty: &str, id: i64, body: Option<&Map<String, Value>>) {
        if self.track_changes && !self.changed_overflow {
            if self.changed.len() >= CHANGED_MAX {
                self.changed.clear();
                self.changed_overflow = true;
            } else {
                self.changed.insert((ty.to_owned(), id));
            }
        }
        if let Some(body) = body {
            let is_new = !self.shapes.contains_key(ty);
            let shape = self.shapes.entry(ty.to_owned()).or_default();
            if shape.learn(body) || is_new {
                self.dirty.insert(ty.to_owned());
            }
        }
    }
}

/// The SuiteQL connection: its TEMP views and its cached counts.
pub(crate) struct QueryConn {
    pub conn: Connection,
    /// SuiteQL query → (generation, total rows), bounded in entries and bytes.
    pub counts: suiteql::CountCache,
    /// What the connection's authorizer lets SuiteQL see.
    pub guard: std::sync::Arc<suiteql::Guard>,
    /// Fields left out of a view (too many fields on the type), for a clear error.
    pub omitted: suiteql::Omitted,
    /// In memory: the generation of the records database last copied here (`None`: never; a
    /// database file needs no copy).
    pub copied: Option<Option<u64>>,
}

/// What keeping the SuiteQL side current has cost since the store was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SyncStats {
    /// Rows copied to (or removed from) the query connection one by one.
    pub rows_synced: u64,
    /// Full copies of the records database to the query connection.
    pub full_copies: u64,
    /// Record-type views (re)built.
    pub views_rebuilt: u64,
    /// Entries and bytes of query text in the count cache.
    pub count_cache: (usize, usize),
}

/// The counters behind [`SyncStats`].
#[derive(Default)]
pub(crate) struct SyncCounters {
    pub rows_synced: std::sync::atomic::AtomicU64,
    pub full_copies: std::sync::atomic::AtomicU64,
    pub views_rebuilt: std::sync::atomic::AtomicU64,
    pub count_entries: std::sync::atomic::AtomicUsize,
    pub count_bytes: std::sync::atomic::AtomicUsize,
}

/// A test hook run by SuiteQL while it holds the query connection, before the query runs.
#[cfg(test)]
pub(crate) type QueryHook = std::sync::Arc<dyn Fn() + Send + Sync>;

pub(crate) struct Store {
    inner: Mutex<Inner>,
    query: Mutex<QueryConn>,
    /// Canonical record type → the spelling first used (`salesorder` → `salesOrder`), for the
    /// metadata catalog.
    type_names: Mutex<HashMap<String, String>>,
    /// The longest a SuiteQL query may run.
    pub query_timeout: std::time::Duration,
    /// The account's date-format preference: how SuiteQL shows dates.
    pub date_format: dates::DateFormat,
    /// What keeping the SuiteQL side current has cost.
    pub sync: SyncCounters,
    #[cfg(test)]
    pub query_hook: Mutex<Option<QueryHook>>,
}

/// Opens one connection to a database file in WAL mode (readers and the writer do not wait for each
/// other), or to a private in-memory database.
fn connect(file: Option<&Path>) -> rusqlite::Result<Connection> {
    let conn = match file {
        Some(file) => {
            let conn = Connection::open(file)?;
            conn.busy_timeout(std::time::Duration::from_secs(30))?;
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            conn
        }
        None => Connection::open_in_memory()?,
    };
    register_functions(&conn)?;
    Ok(conn)
}

/// The canonical (lower-case) record type.
pub(crate) fn canon(record_type: &str) -> String {
    record_type.to_ascii_lowercase()
}

/// Select-list (enum) fields: served as `{"id": "B", "refName": "Pending Fulfillment"}` without
/// links (a bare id with `simpleEnumFormat=true`), their id as the SuiteQL column. One table.
pub(crate) const ENUM_FIELDS: &[&str] = &[
    "status",
    "country",
    "itemType",
    "orderStatus",
    "approvalStatus",
    "shipStatus",
];

/// Whether a field is a select-list (enum) field.
pub(crate) fn is_enum_field(key: &str) -> bool {
    ENUM_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(key))
}

/// Whether `s` is a safe identifier (record type, field name).
pub(crate) fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 100
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS nstba_record (
    type TEXT NOT NULL,
    id INTEGER NOT NULL,
    eid TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (type, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS nstba_record_eid ON nstba_record(type, eid) WHERE eid IS NOT NULL;
";

impl Store {
    /// Opens the database file at `path`, or a private in-memory database, with its two connections.
    pub fn open(path: Option<&Path>) -> Result<Store, StoreError> {
        let conn = connect(path)?;
        conn.execute_batch(SCHEMA)?;
        let mut query_conn = connect(path)?;
        let guard = suiteql::Guard::install(&mut query_conn)?;
        let mut inner = Inner {
            conn,
            fields: HashMap::new(),
            dirty: HashSet::new(),
            shapes: HashMap::new(),
            changed: HashSet::new(),
            changed_overflow: false,
            track_changes: path.is_none(),
            generation: 0,
            ref_names: HashMap::new(),
            ref_generation: 0,
        };
        // Learn the fields of records already in a database file.
        {
            let mut stmt = inner.conn.prepare(
                "SELECT DISTINCT r.type, j.key FROM nstba_record r, json_each(r.body) j",
            )?;
            let rows: Vec<(String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            drop(stmt);
            for (ty, key) in rows {
                learn(&mut inner.fields, &ty, &key);
                inner.dirty.insert(ty);
            }
            let mut stmt = inner.conn.prepare("SELECT type, body FROM nstba_record")?;
            let bodies: Vec<(String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            drop(stmt);
            for (ty, body) in bodies {
                if let Ok(body) = serde_json::from_str::<Map<String, Value>>(&body) {
                    inner.shapes.entry(ty).or_default().learn(&body);
                }
            }
        }
        Ok(Store {
            inner: Mutex::new(inner),
            query: Mutex::new(QueryConn {
                conn: query_conn,
                counts: suiteql::CountCache::default(),
                guard,
                omitted: suiteql::Omitted::new(),
                copied: path.is_none().then_some(None),
            }),
            type_names: Mutex::new(HashMap::new()),
            query_timeout: std::time::Duration::from_secs(10),
            date_format: dates::DateFormat::default(),
            sync: SyncCounters::default(),
            #[cfg(test)]
            query_hook: Mutex::new(None),
        })
    }

    /// The same store with this date-format preference.
    pub fn with_date_format(mut self, format: dates::DateFormat) -> Store {
        self.date_format = format;
        self
    }

    /// What keeping the SuiteQL side current has cost since the store was opened.
    pub fn sync_stats(&self) -> SyncStats {
        use std::sync::atomic::Ordering::Relaxed;
        let s = &self.sync;
        SyncStats {
            rows_synced: s.rows_synced.load(Relaxed),
            full_copies: s.full_copies.load(Relaxed),
            views_rebuilt: s.views_rebuilt.load(Relaxed),
            count_cache: (s.count_entries.load(Relaxed), s.count_bytes.load(Relaxed)),
        }
    }

    /// The records connection (waits while another request uses it).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The SuiteQL connection (waits while another query runs).
    pub fn lock_query(&self) -> MutexGuard<'_, QueryConn> {
        self.query.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Remembers how a record type is spelled (first spelling wins).
    fn remember(&self, record_type: &str) {
        let mut names = self.type_names.lock().unwrap_or_else(|e| e.into_inner());
        names
            .entry(canon(record_type))
            .or_insert_with(|| record_type.to_owned());
    }

    /// Every record type with at least one record, in its first spelling, sorted.
    pub fn types(&self) -> Vec<String> {
        let stored: Vec<String> = {
            let inner = self.lock();
            let Ok(mut stmt) = inner
                .conn
                .prepare_cached("SELECT DISTINCT type FROM nstba_record ORDER BY type")
            else {
                return Vec::new();
            };
            stmt.query_map([], |r| r.get(0))
                .map(|rows| rows.filter_map(Result::ok).collect())
                .unwrap_or_default()
        };
        let names = self.type_names.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<String> = stored
            .into_iter()
            .map(|t| names.get(&t).cloned().unwrap_or(t))
            .collect();
        out.sort();
        out
    }

    /// The type's first spelling, if it has records.
    pub fn type_name(&self, record_type: &str) -> Option<String> {
        let canonical = canon(record_type);
        self.types().into_iter().find(|t| canon(t) == canonical)
    }

    /// Up to `n` stored bodies of a type (lowest ids first), for describing it.
    pub fn sample(&self, record_type: &str, n: usize) -> Vec<Map<String, Value>> {
        let inner = self.lock();
        let Ok(mut stmt) = inner
            .conn
            .prepare_cached("SELECT body FROM nstba_record WHERE type = ?1 ORDER BY id LIMIT ?2")
        else {
            return Vec::new();
        };
        stmt.query_map(params![canon(record_type), n as i64], |r| {
            r.get::<_, String>(0)
        })
        .map(|rows| {
            rows.filter_map(Result::ok)
                .filter_map(|t| serde_json::from_str(&t).ok())
                .collect()
        })
        .unwrap_or_default()
    }

    /// Creates a record; returns its id.
    pub fn create(&self, record_type: &str, body: Map<String, Value>) -> Result<i64, StoreError> {
        self.remember(record_type);
        let mut inner = self.lock();
        create_in(&mut inner, &canon(record_type), body)
    }

    /// Bulk insert in one transaction.
    pub fn bulk(&self, record_type: &str, records: Vec<Value>) -> Result<usize, StoreError> {
        self.remember(record_type);
        let ty = canon(record_type);
        let mut inner = self.lock();
        let mut written = Vec::new();
        let Inner { conn, fields, .. } = &mut *inner;
        let tx = conn.transaction()?;
        let mut n = 0;
        {
            let mut next: i64 = tx.query_row(
                "SELECT COALESCE(MAX(id), 0) + 1 FROM nstba_record WHERE type = ?1",
                [&ty],
                |r| r.get(0),
            )?;
            let mut stmt = tx.prepare(
                "INSERT INTO nstba_record (type, id, eid, body) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for rec in records {
                let Value::Object(mut body) = rec else {
                    continue;
                };
                let id = match body.remove("id").as_ref().and_then(id_of) {
                    Some(id) => id,
                    None => next,
                };
                next = next.max(id + 1);
                normalize(&mut body);
                for k in body.keys() {
                    learn(fields, &ty, k);
                }
                let eid = body.get("externalId").and_then(scalar_string);
                let text = serde_json::to_string(&body).unwrap_or_else(|_| "{}".into());
                stmt.execute(params![ty, id, eid, text]).map_err(|e| {
                    if is_unique(&e) && e.to_string().contains(".eid") {
                        StoreError::DuplicateExternalId(eid.clone().unwrap_or_default())
                    } else if is_unique(&e) {
                        StoreError::Sql(format!("duplicate internal id {id} for {ty}"))
                    } else {
                        StoreError::from(e)
                    }
                })?;
                n += 1;
                written.push((id, body));
            }
        }
        tx.commit()?;
        for (id, body) in &written {
            inner.wrote(&ty, *id, Some(body));
        }
        inner.dirty.insert(ty);
        inner.generation += 1;
        Ok(n)
    }

    /// Test helper insert: never fails.
    pub fn insert_lenient(&self, record_type: &str, body: Value) -> i64 {
        let mut body = match body {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        self.remember(record_type);
        let mut inner = self.lock();
        let ty = canon(record_type);
        match create_in(&mut inner, &ty, body.clone()) {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(?e, "insert_record: storing without externalId");
                body.remove("externalId");
                create_in(&mut inner, &ty, body).unwrap_or(0)
            }
        }
    }

    /// The stored body with `id`.
    pub fn get(&self, record_type: &str, id: i64) -> Option<Map<String, Value>> {
        let inner = self.lock();
        get_in(&inner, &canon(record_type), id)
    }

    /// The display name of a record (for a reference's `refName`), read without parsing the body.
    pub fn ref_name(&self, record_type: &str, id: i64) -> Option<String> {
        let mut inner = self.lock();
        let key = (canon(record_type), id);
        if inner.ref_generation != inner.generation || inner.ref_names.len() > 100_000 {
            inner.ref_names.clear();
            inner.ref_generation = inner.generation;
        }
        if let Some(name) = inner.ref_names.get(&key) {
            return name.clone();
        }
        let name = inner
            .conn
            .prepare_cached(
                "SELECT coalesce(json_extract(body, '$.refName'), json_extract(body, '$.name'), \
                 json_extract(body, '$.companyName'), json_extract(body, '$.entityId'), \
                 json_extract(body, '$.itemId'), json_extract(body, '$.tranId'), \
                 json_extract(body, '$.acctName'), \
                 json_extract(body, '$.displayName'), json_extract(body, '$.symbol'), \
                 json_extract(body, '$.title')) FROM nstba_record WHERE type = ?1 AND id = ?2",
            )
            .ok()?
            .query_row(params![canon(record_type), id], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()
            .ok()
            .flatten()
            .flatten();
        inner.ref_names.insert(key, name.clone());
        name
    }

    /// The id of the record with this external id.
    pub fn find_eid(&self, record_type: &str, eid: &str) -> Option<i64> {
        let inner = self.lock();
        find_eid_in(&inner, &canon(record_type), eid)
    }

    /// Applies a PATCH: omitted unchanged, null clears, sublists merged or (listed in `replace`) replaced.
    pub fn update(
        &self,
        record_type: &str,
        id: i64,
        patch: Map<String, Value>,
        replace: &[String],
    ) -> Result<(), StoreError> {
        let ty = canon(record_type);
        let mut inner = self.lock();
        let mut body = get_in(&inner, &ty, id).ok_or(StoreError::NotFound)?;
        body.remove("id");
        // Sublists named in replace= but absent from the body lose every line.
        for name in replace {
            if !patch.keys().any(|k| k.eq_ignore_ascii_case(name)) {
                if let Some(Value::Object(sub)) = body
                    .iter_mut()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
                {
                    if sub.contains_key("items") {
                        sub.insert("items".into(), Value::Array(Vec::new()));
                    }
                }
            }
        }
        for (k, v) in patch {
            if k == "id" || k == "links" {
                continue;
            }
            match v {
                Value::Null => {
                    body.remove(&k);
                }
                Value::Object(mut obj) if obj.get("items").is_some_and(Value::is_array) => {
                    let new_items = match obj.remove("items") {
                        Some(Value::Array(a)) => a,
                        _ => Vec::new(),
                    };
                    let replace_all = replace.iter().any(|r| r.eq_ignore_ascii_case(&k));
                    let mut lines: Vec<Value> = if replace_all {
                        Vec::new()
                    } else {
                        match body.get(&k).and_then(|s| s.get("items")) {
                            Some(Value::Array(a)) => a.clone(),
                            _ => Vec::new(),
                        }
                    };
                    for line in new_items {
                        let Value::Object(mut line) = line else {
                            continue;
                        };
                        strip_links(&mut line);
                        let existing = line.get("line").and_then(id_of).and_then(|n| {
                            lines
                                .iter()
                                .position(|l| l.get("line").and_then(id_of) == Some(n))
                        });
                        match existing {
                            Some(pos) => {
                                if let Some(Value::Object(old)) = lines.get_mut(pos) {
                                    for (lk, lv) in line {
                                        if lv.is_null() {
                                            old.remove(&lk);
                                        } else {
                                            old.insert(lk, lv);
                                        }
                                    }
                                }
                            }
                            None => lines.push(Value::Object(line)),
                        }
                    }
                    number_lines(&mut lines);
                    body.insert(k.clone(), serde_json::json!({ "items": lines }));
                    learn(&mut inner.fields, &ty, &k);
                }
                mut other => {
                    if let Value::Object(o) = &mut other {
                        strip_links(o);
                    }
                    learn(&mut inner.fields, &ty, &k);
                    body.insert(k, other);
                }
            }
        }
        let eid = body.get("externalId").and_then(scalar_string);
        let text = serde_json::to_string(&body).unwrap_or_else(|_| "{}".into());
        inner
            .conn
            .prepare_cached(
                "UPDATE nstba_record SET eid = ?3, body = ?4 WHERE type = ?1 AND id = ?2",
            )?
            .execute(params![ty, id, eid, text])
            .map_err(|e| {
                if is_unique(&e) {
                    StoreError::DuplicateExternalId(eid.clone().unwrap_or_default())
                } else {
                    StoreError::from(e)
                }
            })?;
        inner.wrote(&ty, id, Some(&body));
        inner.generation += 1;
        Ok(())
    }

    pub fn delete(&self, record_type: &str, id: i64) -> bool {
        let mut inner = self.lock();
        let ty = canon(record_type);
        inner.generation += 1;
        let deleted = inner
            .conn
            .prepare_cached("DELETE FROM nstba_record WHERE type = ?1 AND id = ?2")
            .and_then(|mut s| s.execute(params![ty, id]))
            .map(|n| n > 0)
            .unwrap_or(false);
        if deleted {
            inner.wrote(&ty, id, None);
        }
        deleted
    }

    pub fn count(&self, record_type: &str) -> usize {
        let inner = self.lock();
        inner
            .conn
            .prepare_cached("SELECT COUNT(*) FROM nstba_record WHERE type = ?1")
            .and_then(|mut s| s.query_row([canon(record_type)], |r| r.get::<_, i64>(0)))
            .map(|n| n as usize)
            .unwrap_or(0)
    }

    /// The known fields of a type: lower-case → as first seen.
    pub fn fields(&self, record_type: &str) -> BTreeMap<String, String> {
        let inner = self.lock();
        inner
            .fields
            .get(&canon(record_type))
            .cloned()
            .unwrap_or_default()
    }

    /// Ids matching `where_sql` (over `body` and `id`), ordered by id, and the total count.
    pub fn list(
        &self,
        record_type: &str,
        where_sql: &str,
        args: &[rusqlite::types::Value],
        limit: usize,
        offset: usize,
    ) -> Result<(usize, Vec<i64>), StoreError> {
        let inner = self.lock();
        let ty = canon(record_type);
        let mut all: Vec<rusqlite::types::Value> = Vec::with_capacity(args.len() + 1);
        all.push(rusqlite::types::Value::Text(ty));
        all.extend(args.iter().cloned());
        let count_sql =
            format!("SELECT COUNT(*) FROM nstba_record WHERE type = ?1 AND ({where_sql})");
        let total: i64 = inner
            .conn
            .prepare_cached(&count_sql)?
            .query_row(rusqlite::params_from_iter(all.iter()), |r| r.get(0))?;
        let page_sql = format!(
            "SELECT id FROM nstba_record WHERE type = ?1 AND ({where_sql}) ORDER BY id LIMIT {limit} OFFSET {offset}"
        );
        let mut stmt = inner.conn.prepare_cached(&page_sql)?;
        let ids = stmt
            .query_map(rusqlite::params_from_iter(all.iter()), |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok((total as usize, ids))
    }
}

/// SuiteQL functions SQLite lacks. `TO_DATE(text, format)` understands the formats NetSuite accounts
/// use (`YYYY-MM-DD`, `MM/DD/YYYY`, `DD/MM/YYYY`, `DD.MM.YYYY`) and returns the ISO date, which
/// compares correctly with stored ISO dates and date-times; text it cannot read gives NULL.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "TO_DATE",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text: Option<String> = ctx.get(0)?;
            let format: Option<String> = ctx.get(1)?;
            Ok(text.zip(format).and_then(|(t, f)| to_iso_date(&t, &f)))
        },
    )?;
    // TO_CHAR(date, format) formats a date with its time; any other value becomes its text.
    conn.create_scalar_function(
        "TO_CHAR",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let value: Option<String> = match ctx.get_raw(0) {
                rusqlite::types::ValueRef::Null => None,
                rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
                rusqlite::types::ValueRef::Real(f) => Some(f.to_string()),
                rusqlite::types::ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                rusqlite::types::ValueRef::Blob(_) => None,
            };
            let format: Option<String> = ctx.get(1)?;
            Ok(value.map(|v| match format {
                Some(f) => dates::to_char(&v, &f).unwrap_or(v),
                None => v,
            }))
        },
    )
}

fn to_iso_date(text: &str, format: &str) -> Option<String> {
    let parts: Vec<&str> = text.trim().split(['-', '/', '.', ' ', 'T']).collect();
    let fmt: Vec<String> = format
        .trim()
        .split(['-', '/', '.', ' '])
        .map(str::to_ascii_uppercase)
        .collect();
    let mut y = None;
    let mut m = None;
    let mut d = None;
    for (f, p) in fmt.iter().zip(&parts) {
        let n: u32 = p.parse().ok()?;
        match f.as_str() {
            "YYYY" => y = Some(n),
            "MM" => m = Some(n),
            "DD" => d = Some(n),
            _ => return None,
        }
    }
    let (y, m, d) = (y?, m?, d?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn is_unique(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

fn learn(fields: &mut HashMap<String, BTreeMap<String, String>>, ty: &str, key: &str) {
    if key == "links" {
        return;
    }
    let map = fields.entry(ty.to_owned()).or_default();
    let lower = key.to_ascii_lowercase();
    map.entry(lower).or_insert_with(|| key.to_owned());
}

pub(crate) fn create_in(
    inner: &mut Inner,
    ty: &str,
    mut body: Map<String, Value>,
) -> Result<i64, StoreError> {
    body.remove("id");
    normalize(&mut body);
    let eid = body.get("externalId").and_then(scalar_string);
    if let Some(eid) = &eid {
        if find_eid_in(inner, ty, eid).is_some() {
            return Err(StoreError::DuplicateExternalId(eid.clone()));
        }
    }
    let id: i64 = inner
        .conn
        .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM nstba_record WHERE type = ?1")?
        .query_row([ty], |r| r.get(0))?;
    let text = serde_json::to_string(&body).unwrap_or_else(|_| "{}".into());
    inner
        .conn
        .prepare_cached("INSERT INTO nstba_record (type, id, eid, body) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![ty, id, eid, text])?;
    for k in body.keys() {
        learn(&mut inner.fields, ty, k);
    }
    inner.wrote(ty, id, Some(&body));
    inner.generation += 1;
    Ok(id)
}

pub(crate) fn get_in(inner: &Inner, ty: &str, id: i64) -> Option<Map<String, Value>> {
    let text: String = inner
        .conn
        .prepare_cached("SELECT body FROM nstba_record WHERE type = ?1 AND id = ?2")
        .ok()?
        .query_row(params![ty, id], |r| r.get(0))
        .optional()
        .ok()??;
    let mut map: Map<String, Value> = serde_json::from_str(&text).ok()?;
    map.insert("id".into(), Value::String(id.to_string()));
    Some(map)
}

pub(crate) fn find_eid_in(inner: &Inner, ty: &str, eid: &str) -> Option<i64> {
    inner
        .conn
        .prepare_cached("SELECT id FROM nstba_record WHERE type = ?1 AND eid = ?2")
        .ok()?
        .query_row(params![ty, eid], |r| r.get(0))
        .optional()
        .ok()?
}

/// An id from a JSON number or numeric string.
pub(crate) fn id_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Drops `links` everywhere, numbers sublist lines.
fn normalize(body: &mut Map<String, Value>) {
    strip_links(body);
    for (_, v) in body.iter_mut() {
        if let Value::Object(o) = v {
            if let Some(Value::Array(items)) = o.get_mut("items") {
                for line in items.iter_mut() {
                    if let Value::Object(l) = line {
                        strip_links(l);
                    }
                }
                number_lines(items);
                // Keep only the lines: totals are computed when rendered.
                o.retain(|k, _| k == "items");
            }
        }
    }
}

fn strip_links(o: &mut Map<String, Value>) {
    o.remove("links");
    for (_, v) in o.iter_mut() {
        if let Value::Object(inner) = v {
            inner.remove("links");
        }
    }
}

fn number_lines(items: &mut [Value]) {
    let mut next = items
        .iter()
        .filter_map(|l| l.get("line").and_then(id_of))
        .max()
        .unwrap_or(0)
        + 1;
    for line in items.iter_mut() {
        if let Value::Object(l) = line {
            if l.get("line").and_then(id_of).is_none() {
                l.insert("line".into(), Value::from(next));
                next += 1;
            }
        }
    }
}

#[cfg(test)]
mod to_date_tests {
    #[test]
    fn to_date() {
        assert_eq!(
            super::to_iso_date("2024-02-01", "YYYY-MM-DD").as_deref(),
            Some("2024-02-01")
        );
        assert_eq!(
            super::to_iso_date("2/1/2024", "MM/DD/YYYY").as_deref(),
            Some("2024-02-01")
        );
        assert_eq!(
            super::to_iso_date("01.02.2024", "DD.MM.YYYY").as_deref(),
            Some("2024-02-01")
        );
        assert_eq!(super::to_iso_date("x", "YYYY-MM-DD"), None);
        assert_eq!(super::to_iso_date("2024-13-01", "YYYY-MM-DD"), None);
    }
}
