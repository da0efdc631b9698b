//! `nstba sign` / `nstba passport` run as a user would: the built binary, environment variables in,
//! one line out.

use std::process::{Command, Output};

const CS: &str = "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5";
const TS: &str = "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295";

fn nstba(args: &[&str], env: &[(&str, &str)]) -> Output {
    let config = tempdir("empty-config");
    nstba_in(&config, args, env, None)
}

/// A fresh directory under the target dir (no extra crates needed for temp dirs).
fn tempdir(tag: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "nstba-cli-test-{}-{tag}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn nstba_in(
    config: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nstba"));
    cmd.args(args)
        .env("XDG_CONFIG_HOME", config)
        .env_remove("NSTBA_PROFILE");
    for name in nstba::core::ENV_VARIABLES {
        cmd.env_remove(name);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("run nstba");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().expect("wait for nstba")
}

/// Oracle's published example credentials (../shared/vectors, vector "oracle-rest-get").
fn oracle_env(account: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("NETSUITE_ACCOUNT_ID", account),
        (
            "NETSUITE_CONSUMER_KEY",
            "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
        ),
        ("NETSUITE_CONSUMER_SECRET", CS),
        (
            "NETSUITE_TOKEN_ID",
            "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
        ),
        ("NETSUITE_TOKEN_SECRET", TS),
    ]
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn assert_no_secret(out: &Output) {
    for stream in [text(&out.stdout), text(&out.stderr)] {
        assert!(!stream.contains(CS) && !stream.contains(TS), "{stream}");
    }
}

#[test]
fn sign_reproduces_oracles_published_signature() {
    let out = nstba(
        &[
            "sign",
            "--nonce",
            "fjaLirsIcCGVZWzBX0pg",
            "--timestamp",
            "1508242306",
            "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40",
        ],
        &oracle_env("123456"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "exactly one line: {stdout}");
    assert_eq!(
        stdout.trim_end(),
        "OAuth realm=\"123456\", \
         oauth_consumer_key=\"ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4\", \
         oauth_token=\"2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc\", \
         oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"1508242306\", \
         oauth_nonce=\"fjaLirsIcCGVZWzBX0pg\", oauth_version=\"1.0\", \
         oauth_signature=\"B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D\""
    );
    assert!(out.stderr.is_empty());
    assert_no_secret(&out);
}

#[test]
fn explain_goes_to_stderr_and_names_the_base_string() {
    let out = nstba(
        &[
            "sign",
            "-X",
            "post",
            "--explain",
            "--nonce",
            "abcdefghij",
            "--timestamp",
            "1700000000",
            "https://1234567-SB1.suitetalk.api.netsuite.com:443/services/rest/query/v1/suiteql?limit=10&offset=0",
        ],
        &oracle_env("1234567-sb1"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 1);
    assert!(text(&out.stdout).starts_with("OAuth realm=\"1234567_SB1\", "));
    let err = text(&out.stderr);
    assert!(err.contains("base URI:    https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql"), "{err}");
    assert!(err.contains("  limit=10\n"), "{err}");
    assert!(
        err.contains("base string: POST&https%3A%2F%2F1234567-sb1.suitetalk"),
        "{err}"
    );
    assert_no_secret(&out);
}

#[test]
fn random_nonce_and_clock_by_default() {
    let url = "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/customer";
    let a = text(&nstba(&["sign", url], &oracle_env("123456")).stdout);
    let b = text(&nstba(&["sign", url], &oracle_env("123456")).stdout);
    assert_ne!(a, b, "two signings must use different nonces");
    let header = nstba::core::OAuthHeader::parse(a.trim()).unwrap();
    assert!(header.get("oauth_nonce").unwrap().len() >= 20);
    let ts: u64 = header.get("oauth_timestamp").unwrap().parse().unwrap();
    assert!(ts.abs_diff(nstba::core::unix_now()) < 60);
}

#[test]
fn passport_prints_the_token_passport() {
    let out = nstba(
        &[
            "passport",
            "--nonce",
            "passportNonce1",
            "--timestamp",
            "1700000000",
        ],
        &oracle_env("1234567_sb1"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let xml = text(&out.stdout);
    assert!(xml.starts_with("<platformMsgs:tokenPassport "), "{xml}");
    assert!(xml.contains("<platformCore:account>1234567_SB1</platformCore:account>"));
    assert!(xml.contains("<platformCore:signature algorithm=\"HMAC-SHA256\">"));
    assert_no_secret(&out);
}

#[test]
fn bad_input_is_one_line_exit_2_no_secret() {
    let url = "https://123456.suitetalk.api.netsuite.com/x";
    let mut missing = oracle_env("123456");
    missing.retain(|(k, _)| *k != "NETSUITE_TOKEN_ID" && *k != "NETSUITE_CONSUMER_KEY");
    let mut bad_account = oracle_env("123456");
    bad_account[0] = ("NETSUITE_ACCOUNT_ID", "1234567.sb1");
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec!["sign", url],
            missing,
            "NETSUITE_CONSUMER_KEY, NETSUITE_TOKEN_ID",
        ),
        (vec!["sign", url], bad_account, "\"1234567.sb1\""),
        (
            vec!["sign", "/services/rest/record/v1/customer"],
            oracle_env("123456"),
            "cannot sign URL",
        ),
        (
            vec!["sign", "ftp://example.com/x"],
            oracle_env("123456"),
            "only absolute http",
        ),
        (
            vec!["sign", "--nonce", "abc", url],
            oracle_env("123456"),
            "invalid nonce",
        ),
        (vec!["passport"], vec![], "NETSUITE_ACCOUNT_ID"),
    ];
    for (args, env, needle) in cases {
        let out = nstba(&args, &env);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_no_secret(&out);
    }
    // A usage error (clap) also exits 2.
    assert_eq!(
        nstba(&["sign"], &oracle_env("123456")).status.code(),
        Some(2)
    );
}

#[test]
fn configure_stores_a_private_profile_that_sign_uses_and_env_overrides() {
    let config = tempdir("configure");
    let answers = format!(
        "1234567-sb1\nef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4\n{CS}\n2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc\n{TS}\n"
    );
    let out = nstba_in(
        &config,
        &["configure", "--profile", "sandbox"],
        &[],
        Some(&answers),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_no_secret(&out);
    let file = config.join("nstba/credentials.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "credentials file mode {mode:o}");
    }
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(stored.contains("[sandbox]") && stored.contains("account_id = \"1234567_SB1\""));

    let args = [
        "sign",
        "--profile",
        "sandbox",
        "--nonce",
        "abcdefghij",
        "--timestamp",
        "1700000000",
        "https://1234567-sb1.suitetalk.api.netsuite.com/x",
    ];
    let from_profile = nstba_in(&config, &args, &[], None);
    assert!(
        from_profile.status.success(),
        "{}",
        text(&from_profile.stderr)
    );
    assert!(text(&from_profile.stdout).starts_with("OAuth realm=\"1234567_SB1\""));
    // A variable overrides the file.
    let overridden = nstba_in(&config, &args, &[("NETSUITE_ACCOUNT_ID", "7654321")], None);
    assert!(
        text(&overridden.stdout).starts_with("OAuth realm=\"7654321\""),
        "{}",
        text(&overridden.stdout)
    );

    // A profile that does not exist is a configuration error.
    let missing = nstba_in(
        &config,
        &["sign", "--profile", "prod", "https://h.example/x"],
        &[],
        None,
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("profile \"prod\" not found"));

    // Reconfiguring keeps the file private even if someone loosened it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let again = nstba_in(&config, &["configure"], &[], Some(&answers));
        assert!(again.status.success());
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
