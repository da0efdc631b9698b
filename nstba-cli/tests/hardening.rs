//! The built `nstba` binary with hostile settings (issue 13): a non-ASCII consumer key is a usage
//! error naming the problem (never a panic, never the value), and a credentials file others can read
//! is used with a warning naming the file and the `chmod 600` fix.

use nstba::mock::{
    MockNetSuite, DEMO_ACCOUNT, DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET, DEMO_TOKEN_ID,
    DEMO_TOKEN_SECRET,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nstba-hardening-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn nstba(config: &Path, args: &[&str], vars: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nstba"));
    cmd.args(args)
        .env("XDG_CONFIG_HOME", config)
        .env_remove("NSTBA_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in nstba::core::ENV_VARIABLES.iter().chain(&[
        "NETSUITE_BASE_URL",
        "NETSUITE_RESTLET_URL",
        "NETSUITE_CONCURRENCY",
    ]) {
        cmd.env_remove(name);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoami_with_a_non_ascii_consumer_key_is_a_usage_error() {
    let ns = MockNetSuite::builder().demo_data().start().await.unwrap();
    let config = tempdir("nonascii");
    for key in [
        format!("{}é", &DEMO_CONSUMER_KEY[..40]),
        "ééééééééééééééééééééééééé".to_owned(),
        // The 8th byte inside a character: this one made `whoami` panic.
        format!("{}é{}", &DEMO_CONSUMER_KEY[..7], &DEMO_CONSUMER_KEY[8..]),
        format!("{} {}", &DEMO_CONSUMER_KEY[..30], &DEMO_CONSUMER_KEY[31..]),
        format!(
            "{}\u{430}{}",
            &DEMO_CONSUMER_KEY[..20],
            &DEMO_CONSUMER_KEY[21..]
        ),
    ] {
        let vars = [
            ("NETSUITE_ACCOUNT_ID", DEMO_ACCOUNT.to_owned()),
            ("NETSUITE_CONSUMER_KEY", key.clone()),
            ("NETSUITE_CONSUMER_SECRET", DEMO_CONSUMER_SECRET.to_owned()),
            ("NETSUITE_TOKEN_ID", DEMO_TOKEN_ID.to_owned()),
            ("NETSUITE_TOKEN_SECRET", DEMO_TOKEN_SECRET.to_owned()),
            ("NETSUITE_BASE_URL", ns.base_url()),
            ("NETSUITE_RESTLET_URL", ns.restlet_url()),
        ];
        let config = config.clone();
        let out = tokio::task::spawn_blocking(move || nstba(&config, &["whoami"], &vars))
            .await
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{key:?}: {stdout} {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.contains("consumer key"), "{stderr}");
        if key.is_ascii() {
            assert!(stderr.contains("whitespace"), "{stderr}");
        } else {
            assert!(stderr.contains("NETSUITE_CONSUMER_KEY"), "{stderr}");
            assert!(
                stderr.contains("non-ASCII character at position"),
                "{stderr}"
            );
        }
        // Neither the value nor any secret is printed.
        for secret in [key.trim(), DEMO_CONSUMER_SECRET, DEMO_TOKEN_SECRET] {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{stderr}"
            );
        }
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_readable_by_others_is_used_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let ns = MockNetSuite::builder().demo_data().start().await.unwrap();
    let config = tempdir("perms");
    let file = config.join("nstba").join("credentials.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        format!(
            "[default]\naccount_id = \"{DEMO_ACCOUNT}\"\nconsumer_key = \"{DEMO_CONSUMER_KEY}\"\nconsumer_secret = \"{DEMO_CONSUMER_SECRET}\"\ntoken_id = \"{DEMO_TOKEN_ID}\"\ntoken_secret = \"{DEMO_TOKEN_SECRET}\"\n"
        ),
    )
    .unwrap();
    let vars = vec![
        ("NETSUITE_BASE_URL", ns.base_url()),
        ("NETSUITE_RESTLET_URL", ns.restlet_url()),
    ];
    for (mode, warned) in [
        (0o644, true),
        (0o640, true),
        (0o604, true),
        (0o600, false),
        (0o400, false),
    ] {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        let (c, v) = (config.clone(), vars.clone());
        let out = tokio::task::spawn_blocking(move || nstba(&c, &["whoami"], &v))
            .await
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{mode:o}: {stdout} {stderr}");
        assert!(stdout.contains("OK"), "{stdout}");
        let warning = stderr.lines().find(|l| l.contains("warning"));
        assert_eq!(warning.is_some(), warned, "{mode:o}: {stderr}");
        if let Some(w) = warning {
            assert!(w.contains(&file.display().to_string()), "{w}");
            assert!(w.contains(&format!("chmod 600 {}", file.display())), "{w}");
            assert!(w.contains(&format!("{mode:03o}")), "{w}");
            assert_eq!(stderr.matches("warning").count(), 1, "{stderr}");
        }
        for secret in [DEMO_CONSUMER_SECRET, DEMO_TOKEN_SECRET] {
            assert!(!stdout.contains(secret) && !stderr.contains(secret));
        }
    }
}
