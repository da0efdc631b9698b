//! The Python modules of the interop tests (independent OAuth 1.0a and JWT implementations). When
//! `python3` cannot import them they are installed with pip on first use — the command `.ci/run`
//! runs — so `cargo test --workspace` needs no manual step. A test that still cannot have them fails;
//! it never skips.

use std::process::{Command, Stdio};
use std::sync::Mutex;

/// Makes sure `python3` can import every module of `modules`, installing `packages` with pip when it
/// cannot. Panics, naming the command to run, when that does not help.
pub fn ensure_modules(modules: &[&str], packages: &[&str]) {
    // One pip at a time within a test binary.
    static PIP: Mutex<()> = Mutex::new(());
    let _one = PIP.lock().unwrap_or_else(|e| e.into_inner());
    let importable = || {
        Command::new("python3")
            .args(["-c", &format!("import {}", modules.join(", "))])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if importable() {
        return;
    }
    let pip = Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(packages)
        .status();
    assert!(
        importable(),
        "python3 cannot import {modules:?}, and `python3 -m pip install {}` did not help ({pip:?}); \
         install them (`bash .ci/run` does) — this interop test never skips",
        packages.join(" ")
    );
}
