//! Compile-time checks of `#[derive(Record)]` and of the typed filters (trybuild UI tests).
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p nstba --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/shape/*.rs");
    t.compile_fail("tests/ui/record_type/*.rs");
    t.compile_fail("tests/ui/fields/*.rs");
    t.compile_fail("tests/ui/attrs/*.rs");
    t.compile_fail("tests/ui/filters/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
