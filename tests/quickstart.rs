//! `cargo run --example quickstart` in both modes: no `NETSUITE_*` (embedded emulator), and with
//! `NETSUITE_*` + `NETSUITE_BASE_URL` pointing at an emulator (read-only, then `--write`).

use nstba::core::{AccountId, Credentials};
use nstba_mock::MockNetSuite;
use std::path::PathBuf;
use std::process::Command;

const VARS: [(&str, &str); 5] = [
    ("NETSUITE_ACCOUNT_ID", "7654321_SB2"),
    (
        "NETSUITE_CONSUMER_KEY",
        "quickstart-consumer-key-0123456789",
    ),
    (
        "NETSUITE_CONSUMER_SECRET",
        "quickstart-consumer-secret-0123456789",
    ),
    ("NETSUITE_TOKEN_ID", "quickstart-token-id-0123456789"),
    (
        "NETSUITE_TOKEN_SECRET",
        "quickstart-token-secret-0123456789",
    ),
];

/// `cargo test` builds the examples next to the test binaries: `target/debug/examples/quickstart`.
fn example() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?;
    let path = dir
        .join("examples")
        .join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    path.exists().then_some(path)
}

fn command(exe: &PathBuf) -> Command {
    let mut cmd = Command::new(exe);
    for (name, _) in VARS {
        cmd.env_remove(name);
    }
    for name in nstba::client::CLIENT_ENV_VARIABLES {
        cmd.env_remove(name);
    }
    cmd
}

fn run(mut cmd: Command) -> String {
    let out = cmd.output().expect("quickstart runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "quickstart failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn embedded_emulator_tour() {
    let Some(exe) = example() else {
        eprintln!("quickstart example not built; skipped");
        return;
    };
    let out = run(command(&exe));
    for step in [
        "1. signing: header + explain",
        "2. create",
        "3. get",
        "4. update",
        "5. typed list filter",
        "6. typed SuiteQL",
        "7. delete",
        "gone: true",
    ] {
        assert!(out.contains(step), "missing {step:?} in:\n{out}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn account_mode_is_read_only_unless_write() {
    let Some(exe) = example() else {
        eprintln!("quickstart example not built; skipped");
        return;
    };
    let creds = Credentials::new(
        AccountId::parse(VARS[0].1).unwrap(),
        VARS[1].1,
        VARS[2].1,
        VARS[3].1,
        VARS[4].1,
    )
    .unwrap();
    let mock = MockNetSuite::builder()
        .demo_data()
        .credentials(creds)
        .start()
        .await
        .unwrap();
    let before = mock.record_count("customer");
    let base = mock.base_url();
    let read_only = {
        let mut cmd = command(&exe);
        cmd.envs(VARS).env("NETSUITE_BASE_URL", &base);
        tokio::task::spawn_blocking(move || run(cmd)).await.unwrap()
    };
    assert!(
        read_only.contains("typed SuiteQL (read-only)"),
        "{read_only}"
    );
    assert!(
        read_only.contains("typed get of the first row"),
        "{read_only}"
    );
    assert!(read_only.contains("Acme Corporation"), "{read_only}");
    assert!(!read_only.contains("(--write)"), "{read_only}");
    assert_eq!(mock.record_count("customer"), before);

    let write = {
        let mut cmd = command(&exe);
        cmd.envs(VARS)
            .env("NETSUITE_BASE_URL", &base)
            .arg("--write");
        tokio::task::spawn_blocking(move || run(cmd)).await.unwrap()
    };
    assert!(write.contains("deleted"), "{write}");
    assert_eq!(mock.record_count("customer"), before);
}
