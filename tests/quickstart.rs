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
/// A missing example fails the test (it must never pass because nothing ran).
fn example() -> PathBuf {
    example_named("quickstart")
}

fn example_named(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target/debug");
    let path = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} not built: run through `cargo test`, which builds the examples",
        path.display()
    );
    path
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
    let exe = example();
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
        "8. a sales order with its item lines and a select-list field",
        "status PendingFulfillment (id \"B\", \"Pending Fulfillment\")",
        "     line: item ",
    ] {
        assert!(out.contains(step), "missing {step:?} in:\n{out}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn account_mode_is_read_only_unless_write() {
    let exe = example();
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

#[test]
fn partly_set_variables_name_the_missing_ones_and_fail() {
    let exe = example();
    let mut cmd = command(&exe);
    cmd.envs(VARS[..2].iter().copied());
    let out = cmd.output().expect("quickstart runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for (missing, _) in &VARS[2..] {
        assert!(stderr.contains(missing), "{missing} not named: {stderr}");
    }
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("emulator"),
        "fell back to the emulator"
    );
}

/// The README's typed example is `examples/typed_records.rs` verbatim (so it compiles as shown), and
/// it runs against the emulator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_typed_example_compiles_as_shown_and_runs() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let example = std::fs::read_to_string(root.join("examples/typed_records.rs")).unwrap();
    assert!(
        readme.contains(&format!("```rust\n{example}```")),
        "README's typed example differs from examples/typed_records.rs"
    );

    let exe = example_named("typed_records");
    let mock = MockNetSuite::builder().demo_data().start().await.unwrap();
    let before = mock.record_count("customer");
    let creds = mock.credentials();
    let mut cmd = command(&exe);
    cmd.env("NETSUITE_ACCOUNT_ID", creds.account().realm())
        .env("NETSUITE_CONSUMER_KEY", creds.consumer_key())
        .env("NETSUITE_CONSUMER_SECRET", nstba_mock::DEMO_CONSUMER_SECRET)
        .env("NETSUITE_TOKEN_ID", creds.token_id())
        .env("NETSUITE_TOKEN_SECRET", nstba_mock::DEMO_TOKEN_SECRET)
        .env("NETSUITE_BASE_URL", mock.base_url());
    let out = tokio::task::spawn_blocking(move || run(cmd)).await.unwrap();
    assert!(out.contains("customers with an ap@ address"), "{out}");
    assert!(
        out.contains("customers with a credit limit over 1000"),
        "{out}"
    );
    assert_eq!(mock.record_count("customer"), before, "created and deleted");
}

/// The typed quickstart runs unchanged with OAuth 2.0 M2M variables: the emulator's token endpoint
/// verifies the assertion made from the key file, REST and SuiteQL accept the bearer token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_mode_runs_with_m2m_variables() {
    let exe = example();
    let mock = MockNetSuite::builder().demo_data().start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("nstba-quickstart-m2m-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("m2m-key.pem");
    mock.write_private_key(&key).unwrap();
    let before = mock.record_count("customer");
    let mut cmd = command(&exe);
    cmd.env("NETSUITE_ACCOUNT_ID", mock.credentials().account().realm())
        .env("NETSUITE_CLIENT_ID", mock.m2m_client_id())
        .env("NETSUITE_CERTIFICATE_ID", mock.m2m_certificate_id())
        .env("NETSUITE_PRIVATE_KEY_PATH", &key)
        .env("NETSUITE_BASE_URL", mock.base_url())
        .arg("--write");
    let out = tokio::task::spawn_blocking(move || run(cmd)).await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.contains("OAuth 2.0 M2M"), "{out}");
    assert!(out.contains("typed SuiteQL (read-only)"), "{out}");
    assert!(out.contains("Acme Corporation"), "{out}");
    assert!(out.contains("deleted"), "{out}");
    assert_eq!(mock.record_count("customer"), before);
    let c = mock.counters();
    assert_eq!(c.access_tokens_issued, 1, "{c:?}");
    assert_eq!(c.rejected, 0, "{c:?}");
}
