//! `nstba generate`: typed `#[derive(Record)]` modules from NetSuite's metadata catalog.
//!
//! The generator is the `nstba-codegen` library; this module adds the command line around it:
//! fetching and caching the account's catalog (`--records`, which needs the HTTP client that the
//! library stays free of) and writing the modules.

mod fetch;

use crate::Failure;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `nstba generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// A metadata-catalog document: JSON Schema (`application/schema+json`) or OpenAPI 3
    /// (`application/swagger+json`). Repeatable.
    #[arg(long = "schema", value_name = "FILE.json")]
    pub schemas: Vec<PathBuf>,
    /// Record types to fetch from the account's metadata catalog (comma-separated), e.g.
    /// `customer,salesOrder`.
    #[arg(long, value_delimiter = ',', value_name = "TYPES")]
    pub records: Vec<String>,
    /// Directory for the generated modules.
    #[arg(long, default_value = "src/netsuite")]
    pub out: PathBuf,
    /// With `--records`: fetch again even when a cached schema exists.
    #[arg(long)]
    pub refresh: bool,
}

/// `nstba generate`.
pub fn run(args: GenerateArgs, profile: Option<&str>) -> Result<(), Failure> {
    if args.schemas.is_empty() && args.records.is_empty() {
        return Err(Failure::Usage(
            "nothing to generate: give --schema FILE.json or --records customer,salesOrder".into(),
        ));
    }
    let mut files = args.schemas.clone();
    if !args.records.is_empty() {
        files.extend(fetch::schemas(&args.records, args.refresh, profile)?);
    }
    let usage = |e: nstba_codegen::CodegenError| Failure::Usage(e.to_string());
    let mut generator = nstba_codegen::Generator::new();
    for file in &files {
        generator.add_file(file).map_err(usage)?;
    }
    for record_type in generator.duplicates() {
        eprintln!(
            "warning: `{record_type}` is defined more than once; generated from the first document \
             given (--schema files come before --records)"
        );
    }
    for module in generator.modules().map_err(usage)? {
        let path = module.write_into(&args.out).map_err(usage)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
