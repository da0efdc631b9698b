//! The built `nstba` binary on NetSuite's real SuiteQL shapes: rows whose NULL columns are left out
//! export to CSV and JSON in SELECT order; `nstba mock --date-format` sets the account's date format.

use nstba::client::Client;
use nstba::mock::{
    MockNetSuite, DEMO_ACCOUNT, DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET, DEMO_TOKEN_ID,
    DEMO_TOKEN_SECRET,
};
use serde_json::Value;
use std::process::{Command, Output, Stdio};

async fn run(ns: &MockNetSuite, args: &[&str]) -> Output {
    let config = std::env::temp_dir().join(format!("nstba-real-shapes-{}", std::process::id()));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nstba"));
    cmd.args(args)
        .env("XDG_CONFIG_HOME", &config)
        .env_remove("NSTBA_PROFILE")
        .env_remove("NETSUITE_CONCURRENCY")
        .env("NETSUITE_ACCOUNT_ID", DEMO_ACCOUNT)
        .env("NETSUITE_CONSUMER_KEY", DEMO_CONSUMER_KEY)
        .env("NETSUITE_CONSUMER_SECRET", DEMO_CONSUMER_SECRET)
        .env("NETSUITE_TOKEN_ID", DEMO_TOKEN_ID)
        .env("NETSUITE_TOKEN_SECRET", DEMO_TOKEN_SECRET)
        .env("NETSUITE_BASE_URL", ns.base_url())
        .env("NETSUITE_RESTLET_URL", ns.restlet_url())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tokio::task::spawn_blocking(move || cmd.output().expect("run nstba"))
        .await
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "nstba failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_and_json_keep_rows_whose_null_columns_netsuite_left_out() {
    let ns = MockNetSuite::builder().demo_data().start().await.unwrap();
    // The system employee (-5, first row) has no email and no supervisor: NetSuite leaves the
    // columns out of its item; later rows have them.
    let q = "SELECT e.id, e.email AS mail, supervisor, entityid FROM employee e ORDER BY id";
    let csv = ok(&run(&ns, &["suiteql", q, "--format", "csv", "--page-size", "2"]).await);
    assert_eq!(
        csv,
        "id,mail,supervisor,entityid\n\
         -5,,,-System-\n\
         1,ada@honeycomb.example,,Ada Admin\n\
         2,bo@honeycomb.example,1,Bo Buyer\n\
         3,cy@honeycomb.example,2,Cy Clerk\n"
    );
    let json = ok(&run(&ns, &["suiteql", q, "--format", "json"]).await);
    // Keys in SELECT order, no links, null for a column left out.
    assert!(
        json.starts_with(
            "[\n{\"id\":\"-5\",\"mail\":null,\"supervisor\":null,\"entityid\":\"-System-\"},"
        ),
        "{json}"
    );
    let rows: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2]["supervisor"], "1");

    // SELECT *: every column any row has, `links` never one of them.
    let csv = ok(&run(
        &ns,
        &[
            "suiteql",
            "SELECT * FROM employee ORDER BY id",
            "--format",
            "csv",
        ],
    )
    .await);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert!(!header.contains(&"links"), "{header:?}");
    for col in ["id", "email", "supervisor", "entityid", "hiredate"] {
        assert!(header.contains(&col), "{col} in {header:?}");
    }
    assert_eq!(lines.count(), 4);
    let email = header.iter().position(|c| *c == "email").unwrap();
    let first: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(first[email], "");
    assert_eq!(first.len(), header.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_date_format_flag_sets_the_suiteql_date_format() {
    use std::io::BufRead;
    let bad = Command::new(env!("CARGO_BIN_EXE_nstba"))
        .args(["mock", "--port", "0", "--date-format", "YY/MM/DD"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YY/MM/DD"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_nstba"))
        .args(["mock", "--port", "0", "--date-format", "DD-Mon-YYYY"])
        .env_remove("NETSUITE_ACCOUNT_ID")
        .env_remove("NETSUITE_CONSUMER_KEY")
        .env_remove("NETSUITE_CONSUMER_SECRET")
        .env_remove("NETSUITE_TOKEN_ID")
        .env_remove("NETSUITE_TOKEN_SECRET")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
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
    let base_url = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("nstba mock prints its base URL");
        if let Some(url) = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
        {
            break url.trim_end_matches('/').to_owned();
        }
    };
    let client = Client::builder()
        .credentials(MockNetSuite::demo_credentials())
        .base_url(base_url)
        .build()
        .unwrap();
    let rows: Vec<serde_json::Map<String, Value>> = client
        .suiteql::<serde_json::Map<String, Value>>(
            "SELECT trandate, TO_CHAR(trandate, 'YYYY-MM-DD') AS iso FROM transaction WHERE id = 8841",
        )
        .stream()
        .collect_rows()
        .await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(rows[0]["trandate"], "30-Jun-2025");
    assert_eq!(rows[0]["iso"], "2025-06-30");
}

trait CollectRows<T> {
    async fn collect_rows(self) -> Vec<T>;
}

impl<T, S: futures_util::Stream<Item = Result<T, nstba::client::Error>> + Unpin> CollectRows<T>
    for S
{
    async fn collect_rows(self) -> Vec<T> {
        use futures_util::TryStreamExt;
        self.try_collect().await.expect("rows")
    }
}
