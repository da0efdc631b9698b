//! Typed `#[derive(nstba::Record)]` modules from NetSuite's metadata catalog.
//!
//! This is the generator behind `nstba generate`, as a library, so that a build script can turn
//! catalog documents into Rust at build time. It reads the two shapes the REST metadata catalog
//! serves (see [`schema`]) and writes one struct per record type, one per sublist line or
//! subrecord, and an enum (with an `Unknown(String)` fallback) per list of values.
//!
//! # What the catalog's constructs become
//!
//! | catalog | Rust |
//! |---|---|
//! | `$ref` to `nsResource`, to a record type of the document (itself too: `account.parent`), a `oneOf` of those, a 2019 `/metadata-catalog/record/<type>` path | `RecordRef` (never the referenced schema inlined) |
//! | `$ref` to `nsResourceCollection` (multi-select) | `nstba::record::MultiSelect` |
//! | `<type>-<sublist>Collection` → `<type>-<sublist>Element` | `Sublist<TypeSublist>` |
//! | subrecord (`<type>-billingAddress`), inline object | a `#[netsuite(subrecord)]` struct; its `id` a `RecordId` (numeric ids occur) |
//! | `{id: {enum: […]}, refName}` object (2025) or `enum` string (2019–2020) | `SelectValue<TypeField>` of a `SelectList` enum: reads both forms, keeps `refName` and unknown ids, writes `{"id": …}` |
//! | `readOnly: true` | `#[netsuite(read_only)]` |
//! | record-level `x-ns-filterable` | `#[netsuite(no_filter)]` on every field not listed: no filter handle |
//! | `x-ns-custom-field`, `custentity…` / `cseg_…` | `#[netsuite(custom = …)]` / `rename` |
//!
//! Enum and struct names are qualified by their record (`SalesOrderStatus`, `SalesOrderItem`), so
//! any number of catalogs generate into one module tree; a name that would still collide gets a
//! trailing `_`.
//!
//! The output is built as `quote!` token streams and printed by `prettyplease`, nothing else: it is
//! the same bytes on every machine, whether or not `rustfmt` is installed, and the crate starts no
//! process. Generated code names everything by absolute path (`::nstba::…`, `::core::…`), so it
//! compiles in any module of a crate that depends on `nstba`.
//!
//! This crate does no I/O over the network and pulls in no HTTP stack: fetching a catalog from an
//! account needs credentials and a client, and lives in the `nstba` command line
//! (`nstba generate --records customer,salesOrder` caches the documents it fetches; those cache
//! files are accepted by [`Generator::add_file`]). Commit the catalog files you generate from, or
//! fetch them with the command line, and generate from the files.
//!
//! # One document, one source
//!
//! ```
//! let catalog = serde_json::json!({
//!     "type": "object",
//!     "properties": {
//!         "id": {"type": "string", "title": "Internal ID"},
//!         "name": {"type": "string", "title": "Name"},
//!         "custrecord_pm_hours": {"type": "number", "format": "float", "x-ns-custom-field": true}
//!     },
//!     "links": [{"rel": "self", "href": "/services/rest/record/v1/customrecord_pm_milestone/{id}"}]
//! });
//! let source = nstba_codegen::generate(&catalog, &nstba_codegen::Options::new())?;
//! assert!(source.contains("pub struct CustomrecordPmMilestone {"));
//! assert!(source.contains("#[netsuite(custom = \"custrecord_pm_hours\")]"));
//! # Ok::<(), nstba_codegen::CodegenError>(())
//! ```
//!
//! # In a build script
//!
//! [`Generator::single_file`] gives one source of inline modules, fit for `include!` (it has no
//! inner attribute at its top level). `build.rs`:
//!
//! ```no_run
//! use std::path::PathBuf;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     println!("cargo::rerun-if-changed=catalog");
//!     let mut generator = nstba_codegen::Generator::new();
//!     let mut files: Vec<PathBuf> = std::fs::read_dir("catalog")?
//!         .map(|entry| entry.map(|e| e.path()))
//!         .collect::<Result<_, _>>()?;
//!     files.sort();
//!     for file in &files {
//!         generator.add_file(file)?;
//!     }
//!     let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
//!     std::fs::write(out.join("netsuite.rs"), generator.single_file()?)?;
//!     Ok(())
//! }
//! ```
//!
//! and in the crate: `pub mod netsuite { include!(concat!(env!("OUT_DIR"), "/netsuite.rs")); }`.
//! `nstba-codegen/examples/build-script` in the repository is such a crate, built and tested with
//! the workspace.
//!
//! # Module files
//!
//! [`Generator::modules`] gives what `nstba generate --out DIR` writes: one file per record type
//! (`customer.rs`, `sales_order.rs`, …) and a `mod.rs` that declares and re-exports them.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod emit;
mod names;
pub mod schema;

pub use emit::Module;

use schema::{RecordModel, SchemaError};
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};

/// Why generating failed. Every variant names the file, directory or record type at fault.
#[derive(Debug)]
#[non_exhaustive]
pub enum CodegenError {
    /// A catalog file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// A catalog file is not JSON.
    NotJson {
        /// The file.
        path: PathBuf,
        /// Where the JSON parser stopped.
        source: serde_json::Error,
    },
    /// A document is JSON but not a catalog document this generator understands.
    Schema {
        /// The file it came from, when it came from a file.
        path: Option<PathBuf>,
        /// What is wrong with it.
        source: SchemaError,
    },
    /// The output directory could not be created.
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// A generated file could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The generator built code it cannot print (a bug in this crate: please report it with the
    /// catalog document).
    Internal {
        /// The record type being generated.
        record_type: String,
        /// What went wrong.
        message: String,
    },
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, source } => {
                write!(f, "cannot read schema file {}: {source}", path.display())
            }
            Self::NotJson { path, source } => {
                write!(f, "schema file {} is not JSON: {source}", path.display())
            }
            Self::Schema {
                path: Some(path),
                source,
            } => write!(f, "schema file {}: {source}", path.display()),
            Self::Schema { path: None, source } => write!(f, "catalog document: {source}"),
            Self::CreateDir { path, source } => {
                write!(f, "cannot create {}: {source}", path.display())
            }
            Self::Write { path, source } => write!(f, "cannot write {}: {source}", path.display()),
            Self::Internal {
                record_type,
                message,
            } => write!(
                f,
                "internal error in the code generated for {record_type}: {message}"
            ),
        }
    }
}

impl std::error::Error for CodegenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. }
            | Self::CreateDir { source, .. }
            | Self::Write { source, .. } => Some(source),
            Self::NotJson { source, .. } => Some(source),
            Self::Schema { source, .. } => Some(source),
            Self::Internal { .. } => None,
        }
    }
}

/// Settings of [`generate`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    record_type: Option<String>,
}

impl Options {
    /// The defaults: the record type is taken from the document.
    pub fn new() -> Self {
        Self::default()
    }

    /// The record type of a JSON Schema document that has no `self` link naming it (the catalog's
    /// documents have one; a hand-trimmed copy may not). OpenAPI documents name their types.
    pub fn record_type(mut self, record_type: impl Into<String>) -> Self {
        self.record_type = Some(record_type.into());
        self
    }
}

/// Generates the record types of one catalog document as one source of inline modules (see
/// [`Generator::single_file`]).
///
/// # Errors
///
/// [`CodegenError::Schema`] when the document is not a catalog document, or is a JSON Schema whose
/// record type is neither in a `self` link nor given by [`Options::record_type`].
pub fn generate(document: &Value, options: &Options) -> Result<String, CodegenError> {
    let mut generator = Generator::new();
    generator.add_document(document, options.record_type.as_deref().unwrap_or(""))?;
    generator.single_file()
}

/// Collects catalog documents, then writes the modules for all their record types.
///
/// A record type given twice is generated once, from the first document that had it. Output is
/// ordered by record type, so it does not depend on the order documents were added in.
#[derive(Debug, Clone, Default)]
pub struct Generator {
    models: Vec<RecordModel>,
}

impl Generator {
    /// An empty generator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the record types of one catalog document: OpenAPI 3 (`application/swagger+json`, any
    /// number of types) or JSON Schema (`application/schema+json`, one type, named by its `self`
    /// link or else by `record_type`).
    ///
    /// # Errors
    ///
    /// [`CodegenError::Schema`] when the document is neither shape, a `$ref` points nowhere, or a
    /// JSON Schema names no record type and `record_type` is empty.
    pub fn add_document(
        &mut self,
        document: &Value,
        record_type: &str,
    ) -> Result<&mut Self, CodegenError> {
        let models = parse(document, record_type)
            .map_err(|source| CodegenError::Schema { path: None, source })?;
        self.models.extend(models);
        Ok(self)
    }

    /// Adds the record types of a catalog file. A JSON Schema file without a `self` link is named
    /// by its file name up to the first `.` (`salesOrder.schema.json` → `salesOrder`). The cache
    /// files of `nstba generate --records` (the schema wrapped with its fetch time) are accepted
    /// as they are.
    ///
    /// # Errors
    ///
    /// [`CodegenError::Read`], [`CodegenError::NotJson`], or [`CodegenError::Schema`] naming the
    /// file.
    pub fn add_file(&mut self, path: impl AsRef<Path>) -> Result<&mut Self, CodegenError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| CodegenError::Read {
            path: path.to_owned(),
            source,
        })?;
        let document: Value =
            serde_json::from_str(&text).map_err(|source| CodegenError::NotJson {
                path: path.to_owned(),
                source,
            })?;
        let stem = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("record");
        // A file from the `--records` cache wraps the schema with its fetch time.
        let document = match (document.get("schema"), document.get("fetchedAt")) {
            (Some(inner), Some(_)) => inner,
            _ => &document,
        };
        let models = parse(document, stem).map_err(|source| CodegenError::Schema {
            path: Some(path.to_owned()),
            source,
        })?;
        self.models.extend(models);
        Ok(self)
    }

    /// Adds an already-read record type.
    pub fn add_model(&mut self, model: RecordModel) -> &mut Self {
        self.models.push(model);
        self
    }

    /// Record types that more than one added document defines, sorted: each is generated once,
    /// from the first document that had it.
    pub fn duplicates(&self) -> Vec<String> {
        let mut seen = std::collections::BTreeMap::<&str, usize>::new();
        for m in &self.models {
            *seen.entry(m.record_type.as_str()).or_default() += 1;
        }
        seen.into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(t, _)| t.to_owned())
            .collect()
    }

    /// The record types to generate: sorted, each once (the first one added wins).
    fn models(&self) -> Vec<RecordModel> {
        let mut models = self.models.clone();
        models.sort_by(|a, b| a.record_type.cmp(&b.record_type));
        models.dedup_by(|a, b| a.record_type == b.record_type);
        models
    }

    /// One module file per record type, sorted by record type, then the `mod.rs` that declares and
    /// re-exports them: what `nstba generate --out DIR` writes.
    ///
    /// # Errors
    ///
    /// [`CodegenError::Internal`] only (a bug in this crate).
    pub fn modules(&self) -> Result<Vec<Module>, CodegenError> {
        let models = self.models();
        let mut modules = Vec::with_capacity(models.len() + 1);
        for model in &models {
            modules.push(emit::module(model)?);
        }
        modules.push(emit::mod_rs(&models)?);
        Ok(modules)
    }

    /// Every record type as an inline `pub mod` (re-exported with `pub use module::*`) in one
    /// source, for `include!` from a build script's `OUT_DIR`.
    ///
    /// # Errors
    ///
    /// [`CodegenError::Internal`] only (a bug in this crate).
    pub fn single_file(&self) -> Result<String, CodegenError> {
        emit::single_file(&self.models())
    }
}

impl Module {
    /// Writes the module into `dir` (created if needed) and returns the file's path.
    ///
    /// # Errors
    ///
    /// [`CodegenError::CreateDir`] or [`CodegenError::Write`], naming the path.
    pub fn write_into(&self, dir: &Path) -> Result<PathBuf, CodegenError> {
        std::fs::create_dir_all(dir).map_err(|source| CodegenError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
        let path = dir.join(&self.file_name);
        std::fs::write(&path, &self.source).map_err(|source| CodegenError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }
}

/// [`schema::parse_document`], refusing a record type it could not name.
fn parse(document: &Value, fallback_name: &str) -> Result<Vec<RecordModel>, SchemaError> {
    let models = schema::parse_document(document, fallback_name)?;
    if models.iter().any(|m| m.record_type.is_empty()) {
        return Err(SchemaError(
            "the JSON Schema has no `self` link naming its record type: give the record type"
                .into(),
        ));
    }
    Ok(models)
}
