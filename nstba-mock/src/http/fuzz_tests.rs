//! No panic on any input (issue 13): random paths, methods, `q=` filters and SuiteQL thrown at the
//! router, the filter parser and the SuiteQL engine. Deterministic: a fixed proptest seed.

use crate::http::routes;
use crate::store::{qparse, suiteql, Store};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeMap;

fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

/// Text mixing SQL and URL fragments with arbitrary characters.
fn fragments(words: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(words).prop_map(str::to_owned),
            1 => any::<String>(),
            1 => "[ -~]{0,12}",
        ],
        0..24,
    )
    .prop_map(|parts| parts.join(" "))
}

const PATH_WORDS: &[&str] = &[
    "/",
    "//",
    "services",
    "rest",
    "record",
    "v1",
    "customer",
    "metadata-catalog",
    "query",
    "suiteql",
    "%",
    "%2F",
    "%ZZ",
    "%00",
    "%FF%FE",
    "..",
    ".",
    "{type}",
    "*",
    "?",
    "#",
    "1",
    "-1",
    "eid:",
    "app",
    "site",
    "hosting",
    "restlet.nl",
    "auth",
    "oauth2",
    "token",
    "issuetoken",
];

const Q_WORDS: &[&str] = &[
    "companyName",
    "id",
    "email",
    "IS",
    "IS_NOT",
    "CONTAIN",
    "START_WITH",
    "ANY_OF",
    "BETWEEN",
    "EMPTY",
    "EMPTY_NOT",
    "AND",
    "OR",
    "(",
    ")",
    "\"",
    "\"x\"",
    "[",
    "]",
    ",",
    "1",
    "-1",
    "2024-01-01",
    "ON_OR_AFTER",
    "WITHIN",
    "\\",
    "\"\\\"\"",
];

const SQL_WORDS: &[&str] = &[
    "SELECT",
    "*",
    "id",
    "companyname",
    "FROM",
    "customer",
    "transaction",
    "transactionline",
    "item",
    "salesorder_item",
    "WHERE",
    "=",
    "<>",
    "'",
    "''",
    "\"",
    "(",
    ")",
    ",",
    "--",
    "/*",
    "*/",
    ";",
    "1",
    "0",
    "-1",
    "9223372036854775808",
    "NULL",
    "NVL(",
    "BUILTIN.DF(",
    "SYSDATE",
    "FETCH",
    "FIRST",
    "NEXT",
    "ROWS",
    "ONLY",
    "TO_CHAR(",
    "TO_DATE(",
    "'YYYY-MM-DD'",
    "ORDER BY",
    "GROUP BY",
    "HAVING",
    "UNION",
    "JOIN",
    "ON",
    "LIKE",
    "'%'",
    "IN",
    "WITH",
    "RECURSIVE",
    "AS",
    "sqlite_master",
    "nstba_record",
    "pragma_table_info(",
    "PRAGMA",
    "ATTACH",
    "DELETE",
    "INSERT",
    "UPDATE",
    "DROP",
    "COUNT(*)",
    "DISTINCT",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "ROWNUM",
    "\u{0}",
    "é",
    "\u{202e}",
    "x'00'",
    "1e308",
    "LIMIT",
    "OFFSET",
];

#[test]
fn the_router_takes_any_path_and_method() {
    let methods = prop::sample::select(
        &[
            "GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "", "G E T",
        ][..],
    );
    runner(2000)
        .run(&(methods, fragments(PATH_WORDS)), |(method, path)| {
            let path = path.replace(' ', "");
            let _ = routes::lookup(method, &path);
            let _ = routes::not_found(&path);
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_filter_parser_takes_any_query() {
    let fields: BTreeMap<String, String> = [("companyname", "companyName"), ("email", "email")]
        .into_iter()
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
    let empty = BTreeMap::new();
    runner(3000)
        .run(&fragments(Q_WORDS), |q| {
            let _ = qparse::to_sql(&q, &fields);
            let _ = qparse::to_sql(&q, &empty);
            Ok(())
        })
        .unwrap();
    // Deep nesting and long input.
    let deep = format!("{}companyName IS x{}", "(".repeat(5000), ")".repeat(5000));
    let _ = qparse::to_sql(&deep, &fields);
}

#[test]
fn the_suiteql_engine_takes_any_query() {
    let store = crate::open_store(
        None,
        std::time::Duration::from_millis(200),
        true,
        Vec::new(),
    )
    .unwrap();
    runner(1500)
        .run(
            &(fragments(SQL_WORDS), 0usize..2000, 0usize..100_000),
            |(q, limit, offset)| {
                let _ = suiteql::strip_comments(&q);
                let _ = suiteql::oracle_to_sqlite(&q);
                let _ = suiteql::query(&store, &q, limit.max(1), offset);
                // As the select list of a real query too.
                let wrapped = format!("SELECT {q} FROM customer");
                let _ = suiteql::query(&store, &wrapped, 10, 0);
                Ok(())
            },
        )
        .unwrap();
    // Still answering after all that.
    let (total, _) = suiteql::query(&store, "SELECT id FROM customer", 5, 0).unwrap();
    assert!(total > 0);
}

#[test]
fn suiteql_helpers_take_any_text() {
    runner(3000)
        .run(&any::<String>(), |q| {
            let _ = suiteql::strip_comments(&q);
            let _ = suiteql::oracle_to_sqlite(&q);
            let _ = crate::store::dates::parse_iso(&q);
            let _ = crate::store::dates::to_char(&q, &q);
            let _ = nstba_record::suiteql::select_list(&q);
            let _ = crate::http::audit::truncated(&q, 7);
            Ok(())
        })
        .unwrap();
    let _ = Store::open(None).map(|_| ());
}
