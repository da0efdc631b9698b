//! `nstba suiteql "SELECT …" [--format jsonl|csv|json] [--out FILE]`: streams every row.

use crate::net::{self, failure};
use crate::Failure;
use clap::{Args, ValueEnum};
use futures_util::StreamExt;
use serde_json::{Map, Value};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row: the query's columns in SELECT order (with `*`, every column seen, in
    /// first-seen order), no `links`, empty cells where NetSuite left a NULL column out.
    Csv,
    /// One JSON array of objects with the same columns as CSV (null where NetSuite left one out).
    Json,
}

/// Arguments of `nstba suiteql`.
#[derive(Debug, Args)]
pub struct SuiteQlArgs {
    /// The query. Order by a unique key (e.g. `ORDER BY id`) so pages neither skip nor repeat rows.
    query: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// Write rows to this file instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Rows per page (1..=1000).
    #[arg(long, default_value_t = 1000)]
    page_size: u32,
    /// Continue past NetSuite's 100 000-row cap by keyset on this unique column; the query must
    /// `ORDER BY` it ascending.
    #[arg(long, value_name = "COLUMN")]
    keyset: Option<String>,
}

/// `nstba suiteql`.
pub fn run(args: SuiteQlArgs, profile: Option<&str>) -> Result<(), Failure> {
    let client = net::client(profile)?;
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", path.display())))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = Writer::new(
        args.format,
        BufWriter::new(sink),
        select_columns(&args.query),
    );
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} rows, {msg} pages, {per_sec} [{elapsed}]",
            )
            .expect("a valid template"),
        );
        bar
    });
    net::runtime()?.block_on(async move {
        let mut query = client
            .suiteql::<Map<String, Value>>(args.query)
            .page_size(args.page_size);
        if let Some(column) = args.keyset {
            query = query.keyset(column);
        }
        let mut pages = query.pages();
        let mut n_pages = 0u64;
        while let Some(page) = pages.next().await {
            let page = page.map_err(failure)?;
            n_pages += 1;
            for row in &page.items {
                out.row(row)?;
            }
            if let Some(bar) = &progress {
                bar.inc(page.items.len() as u64);
                bar.set_message(n_pages.to_string());
            }
        }
        out.finish()?;
        if let Some(bar) = progress {
            bar.finish();
        }
        Ok(())
    })
}

/// The result columns a query names, in SELECT order: `SELECT a, b AS c, t.d FROM …` → `a`, `c`,
/// `d` (lower-cased, as NetSuite sends them). `None` when the list has a `*` (or cannot be read):
/// then the columns are those the rows have.
pub(crate) fn select_columns(query: &str) -> Option<Vec<String>> {
    let items = nstba::record::suiteql::select_list(query);
    if items.is_empty() {
        return None;
    }
    let mut names = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let mut item = item.trim();
        if n == 0 {
            for kw in ["distinct ", "all "] {
                if item.len() > kw.len() && item[..kw.len()].eq_ignore_ascii_case(kw) {
                    item = item[kw.len()..].trim_start();
                }
            }
        }
        if item == "*" || item.ends_with(".*") {
            return None;
        }
        let words: Vec<&str> = item.split_whitespace().collect();
        let last = *words.last()?;
        let ident = |w: &str| {
            let w = w.trim_matches('"');
            !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        let name = if words.len() >= 2 && ident(last) && !last.ends_with(')') {
            // `expr AS alias` or `expr alias`.
            last.trim_matches('"').to_owned()
        } else if words.len() == 1 {
            // `t.d` → `d`.
            item.rsplit('.')
                .next()
                .unwrap_or(item)
                .trim_matches('"')
                .to_owned()
        } else {
            item.to_owned()
        };
        names.push(name.to_ascii_lowercase());
    }
    (!names.is_empty()).then_some(names)
}

/// One output row with its columns in order (JSON objects keep this order when written).
struct Ordered<'a>(Vec<(&'a str, Option<&'a Value>)>);

impl serde::Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

struct Writer<W: Write> {
    format: Format,
    /// Plain output (jsonl, json); taken by `csv` on the first CSV row.
    out: Option<W>,
    csv: Option<csv::Writer<W>>,
    rows: u64,
    /// The columns (csv, json): from the SELECT list, or when it has `*`, from the rows at the end.
    columns: Option<Vec<String>>,
    /// Rows held until every column is known (csv/json of a `SELECT *`).
    held: Vec<Map<String, Value>>,
}

fn io(e: std::io::Error) -> Failure {
    Failure::Usage(format!("cannot write the output: {e}"))
}

impl<W: Write> Writer<W> {
    fn new(format: Format, out: W, columns: Option<Vec<String>>) -> Self {
        Writer {
            format,
            out: Some(out),
            csv: None,
            rows: 0,
            columns,
            held: Vec::new(),
        }
    }

    fn plain(&mut self) -> &mut W {
        self.out.as_mut().expect("plain output is open")
    }

    fn row(&mut self, row: &Map<String, Value>) -> Result<(), Failure> {
        match self.format {
            Format::Jsonl => {
                let out = self.plain();
                serde_json::to_writer(&mut *out, row).map_err(|e| io(e.into()))?;
                out.write_all(b"\n").map_err(io)?;
                self.rows += 1;
                Ok(())
            }
            Format::Json | Format::Csv if self.columns.is_none() => {
                self.held.push(row.clone());
                Ok(())
            }
            Format::Json | Format::Csv => self.write_row(row),
        }
    }

    /// Writes one csv/json row in the known columns.
    fn write_row(&mut self, row: &Map<String, Value>) -> Result<(), Failure> {
        let columns = self.columns.take().unwrap_or_default();
        let result = self.write_in(&columns, row);
        self.columns = Some(columns);
        result
    }

    fn write_in(&mut self, columns: &[String], row: &Map<String, Value>) -> Result<(), Failure> {
        if let Some(extra) = row
            .keys()
            .find(|k| *k != "links" && !columns.iter().any(|c| c == *k))
        {
            return Err(Failure::Usage(format!(
                "row {} has column {extra:?}, which is not among the SELECT list's columns {columns:?}; name it with `AS {extra}` or use --format jsonl",
                self.rows + 1
            )));
        }
        match self.format {
            Format::Csv => {
                if self.csv.is_none() {
                    let out = self.out.take().expect("plain output is open");
                    let mut writer = csv::Writer::from_writer(out);
                    writer
                        .write_record(columns.iter())
                        .map_err(|e| io(e.into()))?;
                    self.csv = Some(writer);
                }
                let cells = columns.iter().map(|c| match row.get(c) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                });
                let writer = self.csv.as_mut().expect("created above");
                writer.write_record(cells).map_err(|e| io(e.into()))?;
            }
            _ => {
                let first = self.rows == 0;
                let ordered = Ordered(
                    columns
                        .iter()
                        .map(|c| (c.as_str(), row.get(c).filter(|v| !v.is_null())))
                        .collect(),
                );
                let out = self.plain();
                out.write_all(if first { b"[\n" } else { b",\n" })
                    .map_err(io)?;
                serde_json::to_writer(&mut *out, &ordered).map_err(|e| io(e.into()))?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<(), Failure> {
        if self.columns.is_none() && !matches!(self.format, Format::Jsonl) {
            // `SELECT *`: every column any row has, in first-seen order, `links` left out.
            let mut columns: Vec<String> = Vec::new();
            for row in &self.held {
                for k in row.keys() {
                    if k != "links" && !columns.contains(k) {
                        columns.push(k.clone());
                    }
                }
            }
            let held = std::mem::take(&mut self.held);
            self.columns = Some(columns);
            for row in &held {
                self.write_row(row)?;
            }
        }
        if let Some(mut writer) = self.csv.take() {
            return writer.flush().map_err(io);
        }
        if matches!(self.format, Format::Csv) {
            // No rows: the header alone.
            let columns = self.columns.clone().unwrap_or_default();
            let out = self.out.take().expect("plain output is open");
            let mut writer = csv::Writer::from_writer(out);
            if !columns.is_empty() {
                writer.write_record(&columns).map_err(|e| io(e.into()))?;
            }
            return writer.flush().map_err(io);
        }
        let json = matches!(self.format, Format::Json);
        let rows = self.rows;
        let out = self.plain();
        if json {
            out.write_all(if rows == 0 { b"[]\n" } else { b"\n]\n" })
                .map_err(io)?;
        }
        out.flush().map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_of_a_select_list() {
        let cols = |q: &str| select_columns(q);
        assert_eq!(
            cols("SELECT a, b AS c, t.d FROM t").unwrap(),
            ["a", "c", "d"]
        );
        assert_eq!(
            cols("select distinct Id, NVL(phone, 'a, b') phone, TO_CHAR(d, 'YYYY') AS \"Y\" from t where x in (select y from z)")
                .unwrap(),
            ["id", "phone", "y"]
        );
        assert_eq!(cols("SELECT *, a FROM t"), None);
        assert_eq!(cols("SELECT t.* FROM t"), None);
        assert_eq!(cols("not a query"), None);
    }

    fn rows() -> Vec<Map<String, Value>> {
        let r = |v: Value| v.as_object().unwrap().clone();
        vec![
            r(serde_json::json!({"links": [], "id": "1", "name": "A"})),
            r(serde_json::json!({"links": [], "id": "2", "email": "b@x", "name": "B"})),
        ]
    }

    fn render(format: Format, columns: Option<Vec<String>>) -> String {
        let mut buf = Vec::new();
        let mut w = Writer::new(format, &mut buf, columns);
        for row in rows() {
            w.row(&row).unwrap();
        }
        w.finish().unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn null_columns_are_empty_cells_in_select_order() {
        let named = Some(vec!["id".into(), "email".into(), "name".into()]);
        assert_eq!(
            render(Format::Csv, named.clone()),
            "id,email,name\n1,,A\n2,b@x,B\n"
        );
        assert_eq!(
            render(Format::Json, named),
            "[\n{\"id\":\"1\",\"email\":null,\"name\":\"A\"},\n{\"id\":\"2\",\"email\":\"b@x\",\"name\":\"B\"}\n]\n"
        );
        // SELECT *: the union, first-seen order.
        assert_eq!(render(Format::Csv, None), "id,name,email\n1,A,\n2,B,b@x\n");
    }
}
