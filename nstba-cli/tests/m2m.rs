//! OAuth 2.0 M2M in the built `nstba` binary against the emulator: `configure --m2m`, `token m2m`,
//! `whoami`, and the demo M2M set of `nstba mock`. No output may hold the private key or the token.

use nstba::mock::{MockNetSuite, DEMO_ACCOUNT};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ALL_VARS: [&str; 12] = [
    "NETSUITE_ACCOUNT_ID",
    "NETSUITE_CONSUMER_KEY",
    "NETSUITE_CONSUMER_SECRET",
    "NETSUITE_TOKEN_ID",
    "NETSUITE_TOKEN_SECRET",
    "NETSUITE_BASE_URL",
    "NETSUITE_RESTLET_URL",
    "NETSUITE_CONCURRENCY",
    "NETSUITE_CLIENT_ID",
    "NETSUITE_CERTIFICATE_ID",
    "NETSUITE_PRIVATE_KEY_PATH",
    "NETSUITE_SCOPES",
];

fn tempdir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "nstba-m2m-test-{}-{tag}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn command(config: &Path, args: &[&str], vars: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nstba"));
    cmd.args(args)
        .env("XDG_CONFIG_HOME", config)
        .env_remove("NSTBA_PROFILE");
    for name in ALL_VARS {
        cmd.env_remove(name);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

async fn run(config: &Path, args: &[&str], vars: &[(&str, String)], stdin: &str) -> Output {
    let mut cmd = command(config, args, vars);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = cmd.spawn().expect("run nstba");
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Lines of the PEM body: none may appear in any output.
fn pem_lines(ns: &MockNetSuite) -> Vec<String> {
    ns.m2m_private_key_pem()
        .expose_secret()
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 8)
        .map(str::to_owned)
        .collect()
}

#[track_caller]
fn assert_no_secret(o: &Output, secrets: &[String]) {
    let (out, err) = text(o);
    for t in [out, err] {
        assert!(!t.contains("PRIVATE KEY"), "key printed: {t}");
        for s in secrets {
            assert!(!t.contains(s.as_str()), "secret printed: {t}");
        }
    }
}

/// Words that look like an access token (long hex or base64url runs), other than the client id.
fn token_like(t: &str) -> Vec<&str> {
    let client_id = nstba::mock::DEMO_M2M_CLIENT_ID;
    t.split(|c: char| c.is_whitespace() || c == '"' || c == ',')
        .filter(|w| {
            w.len() >= 40
                && w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
                && !w.contains("netsuite")
                && *w != client_id
        })
        .collect()
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

async fn bearer_get(ns: &MockNetSuite, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!(
            "{}/services/rest/record/v1/customer/1",
            ns.base_url()
        ))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configure_token_and_whoami_with_m2m() {
    let ns = MockNetSuite::builder().demo_data().start().await.unwrap();
    let config = tempdir("config");
    let keys = tempdir("keys");
    let key = keys.join("m2m.pem");
    ns.write_private_key(&key).unwrap();
    let secrets = pem_lines(&ns);
    let answers = format!(
        "{DEMO_ACCOUNT}\n{}\n{}\n{}\n",
        ns.m2m_client_id(),
        ns.m2m_certificate_id(),
        key.display()
    );

    // A key others can read is refused, and nothing is stored.
    chmod(&key, 0o644);
    let out = run(&config, &["configure", "--m2m"], &[], &answers).await;
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("0644") && err.contains("chmod 600"), "{err}");
    assert!(!config.join("nstba/credentials.toml").exists());
    assert_no_secret(&out, &secrets);

    // Not a private key at all: refused, naming the file only.
    let junk = keys.join("junk.pem");
    std::fs::write(&junk, "hello\n").unwrap();
    chmod(&junk, 0o600);
    let junk_answers = answers.replace(&key.display().to_string(), &junk.display().to_string());
    let out = run(&config, &["configure", "--m2m"], &[], &junk_answers).await;
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("junk.pem"), "{err}");

    // Owner-only: stored, with the path and never the key.
    chmod(&key, 0o600);
    let out = run(
        &config,
        &[
            "configure",
            "--m2m",
            "--scopes",
            "rest_webservices,restlets",
        ],
        &[],
        &answers,
    )
    .await;
    let (_, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert_no_secret(&out, &secrets);
    let stored = std::fs::read_to_string(config.join("nstba/credentials.toml")).unwrap();
    assert!(stored.contains(ns.m2m_client_id()), "{stored}");
    assert!(stored.contains("private_key_path"), "{stored}");
    assert!(stored.contains("restlets"), "{stored}");
    for s in &secrets {
        assert!(!stored.contains(s.as_str()), "the key is in the profile");
    }

    // token m2m: expiry and scopes, not the token.
    let base = [("NETSUITE_BASE_URL", ns.base_url())];
    let out = run(&config, &["token", "m2m"], &base, "").await;
    let (stdout, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(stdout.contains("expires:  in 3600 s"), "{stdout}");
    assert!(
        stdout.contains("scopes:   rest_webservices,restlets"),
        "{stdout}"
    );
    assert!(token_like(&stdout).is_empty(), "{stdout}");
    assert!(token_like(&err).is_empty(), "{err}");
    assert_no_secret(&out, &secrets);

    // --print: the token alone on stdout, and it opens the emulator.
    let out = run(&config, &["token", "m2m", "--print"], &base, "").await;
    let (stdout, err) = text(&out);
    assert!(out.status.success(), "{err}");
    let token = stdout.trim();
    assert_eq!(token.lines().count(), 1, "{stdout}");
    assert!(
        err.contains("expires in 3600 s") && err.contains("rest_webservices,restlets"),
        "{err}"
    );
    assert!(!err.contains(token));
    assert_eq!(bearer_get(&ns, token).await, 200);
    assert_no_secret(&out, &secrets);

    // whoami: OAuth 2.0 M2M, and the token request works.
    let out = run(&config, &["whoami"], &base, "").await;
    let (stdout, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(stdout.contains("auth:         OAuth 2.0 M2M"), "{stdout}");
    assert!(stdout.contains("OK"), "{stdout}");
    assert!(token_like(&stdout).is_empty(), "{stdout}");
    assert_no_secret(&out, &secrets);

    // The same from variables alone (no profile), and with a wrong certificate id: exit 1, the
    // bare OAuth error, and the Login Audit Trail hint.
    let empty = tempdir("empty");
    let mut vars = vec![
        ("NETSUITE_ACCOUNT_ID", DEMO_ACCOUNT.to_owned()),
        ("NETSUITE_CLIENT_ID", ns.m2m_client_id().to_owned()),
        (
            "NETSUITE_CERTIFICATE_ID",
            ns.m2m_certificate_id().to_owned(),
        ),
        ("NETSUITE_PRIVATE_KEY_PATH", key.display().to_string()),
        ("NETSUITE_BASE_URL", ns.base_url()),
    ];
    let out = run(&empty, &["token", "m2m"], &vars, "").await;
    let (stdout, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(stdout.contains("scopes:   rest_webservices\n"), "{stdout}");
    vars[2].1 = "not-our-certificate".into();
    let out = run(&empty, &["token", "m2m"], &vars, "").await;
    let (_, err) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("invalid_client") && err.contains("Login Audit Trail"),
        "{err}"
    );
    assert_no_secret(&out, &secrets);
    // A key file opened up later is refused at use too.
    vars[2].1 = ns.m2m_certificate_id().to_owned();
    chmod(&key, 0o640);
    let out = run(&empty, &["token", "m2m"], &vars, "").await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("chmod 600"));

    // TBA variables: whoami says TBA.
    let tba = vec![
        ("NETSUITE_ACCOUNT_ID", DEMO_ACCOUNT.to_owned()),
        (
            "NETSUITE_CONSUMER_KEY",
            nstba::mock::DEMO_CONSUMER_KEY.to_owned(),
        ),
        (
            "NETSUITE_CONSUMER_SECRET",
            nstba::mock::DEMO_CONSUMER_SECRET.to_owned(),
        ),
        ("NETSUITE_TOKEN_ID", nstba::mock::DEMO_TOKEN_ID.to_owned()),
        (
            "NETSUITE_TOKEN_SECRET",
            nstba::mock::DEMO_TOKEN_SECRET.to_owned(),
        ),
        ("NETSUITE_BASE_URL", ns.base_url()),
    ];
    let out = run(&empty, &["whoami"], &tba, "").await;
    let (stdout, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(stdout.contains("auth:         TBA"), "{stdout}");
    let _ = std::fs::remove_dir_all(&keys);
}

/// `nstba mock` without variables prints the demo M2M set; its key file is owner-only and works.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_prints_a_working_demo_m2m_set() {
    use std::io::BufRead;
    let config = tempdir("mock");
    let mut cmd = command(&config, &["mock", "--port", "0"], &[]);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut vars: Vec<(&str, String)> = Vec::new();
    let mut printed = Vec::new();
    while vars.len() < 6 {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("nstba mock prints the demo M2M set");
        printed.push(line.clone());
        let Some((name, value)) = line
            .trim()
            .strip_prefix("export ")
            .and_then(|l| l.split_once('='))
        else {
            continue;
        };
        let name = ALL_VARS.into_iter().find(|v| *v == name).unwrap();
        if name == "NETSUITE_ACCOUNT_ID" || !name.contains("CONSUMER") && !name.contains("TOKEN_") {
            vars.push((name, value.to_owned()));
        }
    }
    let key_path = PathBuf::from(
        &vars
            .iter()
            .find(|(n, _)| *n == "NETSUITE_PRIVATE_KEY_PATH")
            .unwrap()
            .1,
    );
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let key_text = std::fs::read_to_string(&key_path).unwrap();
    let out = run(&config, &["token", "m2m"], &vars, "").await;
    let (stdout, err) = text(&out);
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(key_path.parent().unwrap());
    assert!(out.status.success(), "{err}");
    assert!(
        stdout.contains("scopes:   rest_webservices,restlets"),
        "{stdout}"
    );
    let all = printed.join("\n");
    for line in key_text.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!all.contains(line), "key printed: {all}");
    }
}

/// Every network command works with M2M variables alone: record, SuiteQL and RESTlet calls carry a
/// bearer token from the emulator's token endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_commands_work_with_m2m_variables() {
    let ns = MockNetSuite::builder()
        .demo_data()
        .restlet("customscript_echo", "1", |call| {
            Ok(serde_json::json!({"method": call.method}))
        })
        .start()
        .await
        .unwrap();
    let config = tempdir("m2m-commands");
    let key = config.join("key.pem");
    ns.write_private_key(&key).unwrap();
    let vars = vec![
        ("NETSUITE_ACCOUNT_ID", DEMO_ACCOUNT.to_owned()),
        ("NETSUITE_CLIENT_ID", ns.m2m_client_id().to_owned()),
        (
            "NETSUITE_CERTIFICATE_ID",
            ns.m2m_certificate_id().to_owned(),
        ),
        ("NETSUITE_PRIVATE_KEY_PATH", key.display().to_string()),
        ("NETSUITE_BASE_URL", ns.base_url()),
        ("NETSUITE_RESTLET_URL", ns.restlet_url()),
    ];
    let get = run(&config, &["record", "get", "customer", "1"], &vars, "").await;
    let (out, err) = text(&get);
    assert!(get.status.success(), "{out}\n{err}");
    assert!(out.contains("companyName"), "{out}");
    let sql = run(
        &config,
        &[
            "suiteql",
            "SELECT id FROM customer ORDER BY id",
            "--format",
            "jsonl",
        ],
        &vars,
        "",
    )
    .await;
    let (out, err) = text(&sql);
    assert!(sql.status.success(), "{out}\n{err}");
    assert!(out.lines().count() >= 2, "{out}");
    let restlet = run(
        &config,
        &["restlet", "--script", "customscript_echo", "--deploy", "1"],
        &vars,
        "",
    )
    .await;
    let (out, err) = text(&restlet);
    assert!(restlet.status.success(), "{out}\n{err}");
    assert!(out.contains("GET"), "{out}");
    for o in [&get, &sql, &restlet] {
        assert_no_secret(o, &pem_lines(&ns));
    }
    assert!(ns.counters().access_tokens_issued >= 3);
    let _ = std::fs::remove_dir_all(&config);
}
