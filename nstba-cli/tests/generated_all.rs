//! Everything at once: `nstba generate` over every record type in the emulator's metadata catalog
//! plus every catalog fixture of nstba-codegen (the 2019–2025 real-shape catalogs and the older
//! ones) writes ONE module tree, committed in `tests/generated_all/` and compiled into this test
//! crate; every record the emulator holds decodes into it.
//!
//! A record type that several documents define (`customer`, `salesOrder`, and most of the emulator's
//! types, which the real-shape fixtures describe too) is generated once, from the first document
//! given (the `--schema` files, then the fetched `--records`), and `nstba generate` names it. So the
//! emulator's records are decoded here into types generated from the real-shape catalogs: the
//! emulator serves what those catalogs describe.
//!
//! Modules nstba-codegen's own tests already keep byte for byte (`generated_real/`, `generated/`) are
//! symbolic links to those, so each generated module is committed once.
//!
//! After a deliberate change to the generator or the emulator's catalog:
//! `NSTBA_BLESS=1 cargo test -p nstba-cli --test generated_all`, then review the diff.

// Kept exactly as generated; not every item is used here.
#[rustfmt::skip]
#[allow(dead_code, unused_imports)]
#[path = "generated_all/mod.rs"]
mod generated_all;

use futures_util::TryStreamExt;
use nstba::client::Client;
use nstba::mock::{
    MockNetSuite, DEMO_ACCOUNT, DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET, DEMO_TOKEN_ID,
    DEMO_TOKEN_SECRET,
};
use nstba::{ClientExt, TypedRecord};
use std::path::{Path, PathBuf};

/// The catalog fixtures of nstba-codegen, relative to its `tests/fixtures/`.
const FIXTURES: [&str; 7] = [
    "real/names.swagger.json",
    "real/references.swagger.json",
    "real/transactions.swagger.json",
    "real/vendorBill.schema.json",
    "customer.swagger.json",
    "salesOrder.schema.json",
    "customrecord_pm_milestone.schema.json",
];

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nstba-all-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sorted_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Where nstba-codegen's own tests keep the module `name` with exactly this text, as a path
/// relative to `tests/generated_all/` (for a symbolic link from there).
fn shared_copy(name: &str, text: &str) -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/generated_all");
    ["generated_real", "generated"]
        .iter()
        .map(|dir| {
            Path::new("../../../nstba-codegen/tests")
                .join(dir)
                .join(name)
        })
        .find(|rel| std::fs::read_to_string(here.join(rel)).is_ok_and(|kept| kept == text))
}

/// Every record of `T` the emulator lists, fetched and decoded into the generated type.
async fn decode_all<T: TypedRecord>(client: &Client) -> usize {
    let records: Vec<T> = client
        .typed::<T>()
        .list_all()
        .records()
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", T::RECORD_TYPE));
    records.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_emulator_type_and_every_fixture_generate_one_tree_that_compiles_and_decodes() {
    let ns = MockNetSuite::builder().demo_data().start().await.unwrap();
    let client = Client::builder()
        .credentials(ns.credentials())
        .base_url(ns.base_url())
        .build()
        .unwrap();
    let types = client.metadata_catalog().await.unwrap();
    assert!(
        types.len() >= 10,
        "the demo data holds ten record types: {types:?}"
    );

    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../nstba-codegen/tests/fixtures");
    let out = scratch("out");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_nstba"));
    cmd.arg("generate").arg("--out").arg(&out);
    for f in FIXTURES {
        cmd.arg("--schema").arg(fixtures.join(f));
    }
    cmd.arg("--records").arg(types.join(","));
    for name in nstba::core::ENV_VARIABLES {
        cmd.env_remove(name);
    }
    cmd.env("NETSUITE_ACCOUNT_ID", DEMO_ACCOUNT)
        .env("NETSUITE_CONSUMER_KEY", DEMO_CONSUMER_KEY)
        .env("NETSUITE_CONSUMER_SECRET", DEMO_CONSUMER_SECRET)
        .env("NETSUITE_TOKEN_ID", DEMO_TOKEN_ID)
        .env("NETSUITE_TOKEN_SECRET", DEMO_TOKEN_SECRET)
        .env("NETSUITE_BASE_URL", ns.base_url())
        .env("XDG_CACHE_HOME", scratch("cache"))
        .env("XDG_CONFIG_HOME", scratch("config"))
        .env_remove("NSTBA_PROFILE");
    let run = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    // The duplicates are named, not dropped silently.
    for dup in ["customer", "salesOrder"] {
        assert!(
            stderr.contains(&format!("warning: `{dup}` is defined more than once")),
            "{stderr}"
        );
    }

    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/generated_all");
    if std::env::var_os("NSTBA_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        std::fs::create_dir_all(&committed).unwrap();
        for name in sorted_files(&out) {
            let fresh = std::fs::read_to_string(out.join(&name)).unwrap();
            match shared_copy(&name, &fresh) {
                // The module nstba-codegen's own tests already keep: linked, not copied.
                Some(target) => std::os::unix::fs::symlink(target, committed.join(&name)).unwrap(),
                None => std::fs::write(committed.join(&name), fresh).unwrap(),
            }
        }
    }
    let written = sorted_files(&out);
    assert_eq!(written, sorted_files(&committed));
    for name in &written {
        let fresh = std::fs::read_to_string(out.join(name)).unwrap();
        let kept = std::fs::read_to_string(committed.join(name)).unwrap();
        assert!(
            fresh == kept,
            "{name} differs from tests/generated_all/: regenerate with NSTBA_BLESS=1"
        );
        // One committed copy of each generated module: a module nstba-codegen's tests keep is a
        // link to theirs here.
        let is_link = std::fs::symlink_metadata(committed.join(name))
            .unwrap()
            .file_type()
            .is_symlink();
        assert_eq!(
            is_link,
            shared_copy(name, &fresh).is_some(),
            "{name}: regenerate with NSTBA_BLESS=1"
        );
    }
    // The tree compiled into this crate (one generated type per emulator record type, or this
    // would not compile), and every emulator record decodes into it.
    use generated_all::*;
    let mut decoded = 0;
    decoded += decode_all::<Account>(&client).await;
    decoded += decode_all::<Currency>(&client).await;
    decoded += decode_all::<Customer>(&client).await;
    decoded += decode_all::<Employee>(&client).await;
    decoded += decode_all::<InventoryItem>(&client).await;
    decoded += decode_all::<Invoice>(&client).await;
    decoded += decode_all::<PurchaseOrder>(&client).await;
    decoded += decode_all::<SalesOrder>(&client).await;
    decoded += decode_all::<Subsidiary>(&client).await;
    decoded += decode_all::<Vendor>(&client).await;
    assert_eq!(types.len(), 10, "a new emulator type needs its line above");
    assert!(decoded >= 10, "{decoded}");

    let _ = std::fs::remove_dir_all(&out);
}
