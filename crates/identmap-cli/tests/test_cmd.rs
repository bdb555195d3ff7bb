//! `identmap test` end to end: passing and failing expectation files, the summary line, exit
//! codes, JUnit XML, malformed files and maps the database would not load.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn identmap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_identmap"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .stdin(Stdio::null())
        .output()
        .expect("identmap runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_examples_pass() {
    let out = identmap(&["test", "examples/cockroach.expect", "examples/pg_ident.expect"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout), "15 passed, 0 failed\n");
}

#[test]
fn passing_file_over_maps_sql_and_pg_ident() {
    let out = identmap(&["test", "testdata/expectations/pass.expect"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(text(&out.stdout), "9 passed, 0 failed\n");
}

#[test]
fn failures_say_expected_and_actual() {
    let out = identmap(&["test", "testdata/expectations/fail.expect"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "testdata/expectations/fail.expect:4: FAILED expect https://accounts.google.com carl@example.com -> carl root: expected carl, root; got carl",
            "testdata/expectations/fail.expect:5: FAILED expect https://nobody.example x@example.com -> x: expected x; got (none) (no rule has this issuer)",
            "testdata/expectations/fail.expect:9: FAILED allow certmap bob@example.com -> analyst: expected allow, got deny (LOG: no match in usermap \"certmap\" for user \"analyst\" authenticated as \"bob@example.com\")",
            "2 passed, 3 failed",
        ]
    );
}

#[test]
fn roles_flag_gives_the_role_graph() {
    // Line 9 of fail.expect passes once the role graph says analyst is in `reporting`.
    let out = identmap(&["test", "--roles", "examples/roles.json", "testdata/expectations/fail.expect"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).ends_with("3 passed, 2 failed\n"), "{}", text(&out.stdout));
}

#[test]
fn several_files_one_summary_and_junit() {
    let dir = std::env::temp_dir().join(format!("identmap-test-cmd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let xml_path = dir.join("junit.xml");
    let out = identmap(&[
        "test",
        "--junit",
        xml_path.to_str().expect("utf-8"),
        "testdata/expectations/pass.expect",
        "testdata/expectations/fail.expect",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).ends_with("11 passed, 3 failed\n"), "{}", text(&out.stdout));
    let xml = std::fs::read_to_string(&xml_path).expect("JUnit written");
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains(r#"<testsuites name="identmap test" tests="14" skipped="0" failures="3" errors="0">"#),
        "{xml}"
    );
    assert!(xml.contains(r#"<testsuite name="testdata/expectations/pass.expect" tests="9""#), "{xml}");
    assert!(xml.contains(r#"<testsuite name="testdata/expectations/fail.expect" tests="5""#), "{xml}");
    // names and messages are escaped
    assert!(
        xml.contains("line 4: expect https://accounts.google.com carl@example.com -&gt; carl root"),
        "{xml}"
    );
    assert!(xml.contains(r#"message="expected carl, root; got carl""#), "{xml}");
    assert!(xml.contains("&quot;certmap&quot;"), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 14);
    assert_eq!(xml.matches("<failure ").count(), 3);
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn malformed_files_and_unloadable_maps_exit_2() {
    let out = identmap(&["test", "testdata/expectations/malformed.expect"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no partial run: {}", text(&out.stdout));
    assert_eq!(
        text(&out.stderr),
        "identmap: testdata/expectations/malformed.expect:4: `expect` needs `->` before the expected users\n"
    );

    let out = identmap(&["test", "testdata/expectations/rejected-map.expect"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("identmap: testdata/expectations/rejected-map.expect:2: map ../lint/mistakes.map: "),
        "{err}"
    );
    assert!(err.contains("CockroachDB rejects this config"), "{err}");

    let out = identmap(&["test", "testdata/expectations/no-such.expect"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("testdata/expectations/no-such.expect"), "{}", text(&out.stderr));

    let out = identmap(&["test", "examples/roles.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("identmap: examples/roles.json:1: "), "{}", text(&out.stderr));

    // a file with no expectations is an error, not a silent pass
    let out = identmap(&["test", "testdata/lint/clean.map"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));

    let out = identmap(&["test"]);
    assert_eq!(out.status.code(), Some(2), "files are required");
}
