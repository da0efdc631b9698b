//! The output does not depend on a `rustfmt` being installed: the crate starts no process, and
//! generating with no program reachable on `PATH` gives the committed bytes.
//!
//! One test in this file, so that changing `PATH` affects no other test's process.

use std::path::Path;

#[test]
fn output_is_the_same_with_no_rustfmt_reachable() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // No process anywhere in the library's sources.
    let mut sources = 0;
    for entry in std::fs::read_dir(root.join("src")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        sources += 1;
        for needle in ["std::process", "Command::new", "\"rustfmt\""] {
            assert!(
                !text.contains(needle),
                "{} mentions {needle}",
                path.display()
            );
        }
    }
    assert!(sources >= 4, "read the crate's sources");

    // No program reachable at all: a `rustfmt` call, if one crept in, could not change the output.
    let empty = std::env::temp_dir().join(format!("nstba-codegen-no-path-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    std::env::set_var("PATH", &empty);
    std::env::remove_var("RUSTFMT");

    let mut generator = nstba_codegen::Generator::new();
    for f in [
        "customer.swagger.json",
        "salesOrder.schema.json",
        "customrecord_pm_milestone.schema.json",
    ] {
        generator
            .add_file(root.join("tests/fixtures").join(f))
            .unwrap();
    }
    for module in generator.modules().unwrap() {
        let committed =
            std::fs::read_to_string(root.join("tests/generated").join(&module.file_name)).unwrap();
        assert!(
            module.source == committed,
            "{} differs from tests/generated/{} with PATH emptied",
            module.file_name,
            module.file_name
        );
    }
    let _ = std::fs::remove_dir(&empty);
}
