//! The README's shell commands, run as written (placeholders filled in) against the built `nstba`:
//! the "Sign a request from the shell" block through bash, every `nstba …` line of the command
//! overview checked against the command's own `--help`, and `nstba mock` started and stopped with
//! Ctrl-C. A README command that stops working fails here.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

fn readme() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first fenced block of `lang` after the heading `heading`.
fn block(readme: &str, heading: &str, lang: &str) -> String {
    let at = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no heading {heading:?}"));
    let fence = format!("```{lang}\n");
    let start = readme[at..].find(&fence).expect("a fenced block") + at + fence.len();
    let end = readme[start..].find("```").expect("closing fence") + start;
    readme[start..end].to_owned()
}

fn nstba() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nstba"));
    cmd.env(
        "XDG_CONFIG_HOME",
        std::env::temp_dir().join("nstba-readme-no-config"),
    )
    .stdin(Stdio::null());
    for v in nstba::core::ENV_VARIABLES {
        cmd.env_remove(v);
    }
    cmd
}

const SECRET: &str = "readme-secret-0123456789abcdef0123456789";

#[test]
fn sign_block_runs_as_written() {
    // The README's placeholders, filled in: consumer key, consumer secret, token id, token secret.
    let mut script = block(&readme(), "## Sign a request from the shell", "sh");
    for value in ["readme-consumer-key", SECRET, "readme-token-id", SECRET] {
        script = script.replacen('…', value, 1);
    }
    assert!(!script.contains('…'), "{script}");
    assert!(
        script.contains("cargo run -q --bin nstba -- sign"),
        "{script}"
    );
    // `cargo run -q --bin nstba -- ARGS` is the built binary with ARGS; curl is not run (no network in
    // tests): it checks it was handed a TBA header for the URL.
    let prelude = format!(
        r#"set -euo pipefail
cargo() {{ [ "$1 $2 $3 $4 $5" = "run -q --bin nstba --" ] || {{ echo "unexpected cargo $*" >&2; exit 97; }}; shift 5; "{bin}" "$@"; }}
curl() {{ [ "$1" = "-H" ] && case "$2" in "Authorization: OAuth realm=\"1234567_SB1\""*) ;; *) echo "bad header: $2" >&2; exit 98;; esac; echo "curl got a signed request for $3"; }}
"#,
        bin = env!("CARGO_BIN_EXE_nstba")
    );
    let out = nstba_shell(&(prelude + &script));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("curl got a signed request for https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer?limit=5"), "{stdout}");
    assert!(
        stdout.contains("<platformCore:tokenPassport") || stdout.contains("tokenPassport"),
        "{stdout}"
    );
    assert!(
        stderr.contains("GET&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com"),
        "explain shows the base string: {stderr}"
    );
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "a secret was printed"
    );
}

fn nstba_shell(script: &str) -> std::process::Output {
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(script).stdin(Stdio::null());
    cmd.env(
        "XDG_CONFIG_HOME",
        std::env::temp_dir().join("nstba-readme-no-config"),
    );
    for v in nstba::core::ENV_VARIABLES {
        cmd.env_remove(v);
    }
    cmd.output().expect("bash runs")
}

fn help(path: &[&str]) -> String {
    let out = nstba()
        .args(path)
        .arg("--help")
        .output()
        .expect("nstba runs");
    assert!(
        out.status.success(),
        "`nstba {} --help` failed: {}",
        path.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_command_in_the_overview_exists_with_its_flags() {
    let text = readme();
    let overview = block(&text, "## The `nstba` command", "sh");
    assert!(text.contains("cargo run -q --bin nstba -- …"));
    help(&[]);
    let mut checked = 0;
    for line in overview.lines().filter(|l| l.starts_with("nstba ")) {
        let command = line.split('#').next().unwrap_or(line);
        let words: Vec<&str> = command.split_whitespace().skip(1).collect();
        // The subcommand path: leading words that `--help` of the level above lists.
        let mut path: Vec<&str> = Vec::new();
        let mut usage = help(&[]);
        for w in &words {
            let listed = usage
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{w} ")) || l.trim() == *w);
            if w.starts_with('-') || w.starts_with('[') || !listed {
                break;
            }
            path.push(w);
            usage = help(&path);
        }
        assert!(
            !path.is_empty(),
            "README line names no nstba command: {line}"
        );
        for flag in words
            .iter()
            .map(|w| w.trim_start_matches('['))
            .filter(|w| w.starts_with("--"))
            .map(|w| w.split(['=', ']']).next().unwrap_or(w))
        {
            assert!(
                usage.contains(flag),
                "`nstba {}` has no {flag} (README line: {line})",
                path.join(" ")
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 10,
        "only {checked} commands found in the overview"
    );
}

#[test]
fn mock_starts_and_stops_on_ctrl_c() {
    let overview = block(&readme(), "## The `nstba` command", "sh");
    assert!(overview.contains("nstba mock [--port 8080]"), "{overview}");
    let mut child = nstba()
        .args(["mock", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nstba mock starts");
    let stdout = child.stdout.take().expect("stdout");
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
    let mut printed = Vec::new();
    loop {
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("nstba mock prints that it is ready");
        let ready = line.starts_with("Press Ctrl-C to stop");
        printed.push(line);
        if ready {
            break;
        }
    }
    assert!(
        printed
            .iter()
            .any(|l| l.contains("listening on http://127.0.0.1:")),
        "{printed:?}"
    );
    // Ctrl-C is SIGINT.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = child.wait().expect("nstba mock exits");
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(5)) {
        printed.push(line);
    }
    assert!(exit.success(), "nstba mock exited with {exit}: {printed:?}");
    assert!(
        printed.iter().any(|l| l.starts_with("stopped:")),
        "{printed:?}"
    );
}
