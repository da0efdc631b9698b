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
    /// CSV with a header row (columns of the first page; NetSuite omits null columns).
    Csv,
    /// One JSON array.
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
    let mut out = Writer::new(args.format, BufWriter::new(sink));
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

struct Writer<W: Write> {
    format: Format,
    /// Plain output (jsonl, json); taken by `csv` on the first CSV row.
    out: Option<W>,
    csv: Option<csv::Writer<W>>,
    rows: u64,
    columns: Option<Vec<String>>,
}

fn io(e: std::io::Error) -> Failure {
    Failure::Usage(format!("cannot write the output: {e}"))
}

impl<W: Write> Writer<W> {
    fn new(format: Format, out: W) -> Self {
        Writer {
            format,
            out: Some(out),
            csv: None,
            rows: 0,
            columns: None,
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
            }
            Format::Json => {
                let first = self.rows == 0;
                let out = self.plain();
                out.write_all(if first { b"[\n" } else { b",\n" })
                    .map_err(io)?;
                serde_json::to_writer(&mut *out, row).map_err(|e| io(e.into()))?;
            }
            Format::Csv => {
                let columns = self
                    .columns
                    .get_or_insert_with(|| row.keys().cloned().collect());
                if let Some(extra) = row.keys().find(|k| !columns.contains(k)) {
                    return Err(Failure::Usage(format!(
                        "row {} has column {extra:?}, which the first row did not (NetSuite omits null columns); use --format jsonl, or select the column with NVL(…) so it is never null",
                        self.rows + 1
                    )));
                }
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
        }
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<(), Failure> {
        if let Some(mut writer) = self.csv.take() {
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
