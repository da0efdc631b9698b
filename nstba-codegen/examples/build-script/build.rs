//! Generates `$OUT_DIR/netsuite.rs` from every catalog document in `catalog/`.
//!
//! The documents are what NetSuite's metadata catalog serves (`GET
//! /services/rest/record/v1/metadata-catalog/<type>` with `Accept: application/schema+json` or
//! `application/swagger+json`), or the cache files `nstba generate --records <types>` keeps; they are
//! committed, so building needs no account and no network.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=catalog");
    let mut files: Vec<PathBuf> = std::fs::read_dir("catalog")?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|f| f.extension().is_some_and(|e| e == "json"));
    files.sort();

    let mut generator = nstba_codegen::Generator::new();
    for file in &files {
        generator.add_file(file)?;
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("cargo sets OUT_DIR")?);
    std::fs::write(out_dir.join("netsuite.rs"), generator.single_file()?)?;
    Ok(())
}
