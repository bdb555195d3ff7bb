//! The `identmap` binary end to end: exit codes, outputs, and `identmap eval` over the whole
//! conformance corpus giving exactly what the library gives.

mod common;

use std::process::Output;

fn identmap(args: &[&str], stdin: &[u8]) -> Output {
    common::run_in(&common::root(), args, stdin)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn eval_binary_matches_the_library_on_every_record() {
    for file in ["cockroach.jsonl", "cockroach-regex.jsonl", "postgres.jsonl"] {
        let path = format!("testdata/conformance/{file}");
        let input =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../").to_string() + &path)
                .expect("corpus");
        for engine in ["matcher", "reference"] {
            let out = identmap(&["eval", "--engine", engine, &path], b"");
            assert!(out.status.success(), "{file}: {}", text(&out.stderr));
            let got: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
            let lines: Vec<&str> = input.lines().filter(|l| !l.trim().is_empty()).collect();
            assert_eq!(got.len(), lines.len(), "{file}: one output line per record");
            let engine = if engine == "matcher" {
                identmap_cli::eval::cockroach::Engine::Matcher
            } else {
                identmap_cli::eval::cockroach::Engine::Reference
            };
            for (g, l) in got.iter().zip(lines) {
                assert_eq!(*g, identmap_cli::eval::eval_line_with(l, engine).to_string(), "{file}");
            }
        }
    }
}

#[test]
fn eval_survives_garbage() {
    let out = identmap(
        &["eval"],
        b"not json\n{\"dialect\":\"x\"}\n{}\n[1]\n{\"dialect\":\"cockroach\"}\n\xff\xfe\n",
    );
    assert!(out.status.success());
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 6);
    assert!(lines.iter().all(|l| l.starts_with("{\"ok\":false,\"error\":")), "{lines:?}");
}

#[test]
fn check_reports_every_problem_and_exits_1() {
    let out = identmap(&["check", "-"], b"m a b\nm /( x\nm a\nm /^a$ \\1\n");
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    assert!(s.contains("unable to parse line 2: error parsing regexp: missing closing ): `(?i)(`"), "{s}");
    assert!(s.contains("unable to parse line 3: \"m a\""), "{s}");
    assert!(s.contains("saw \\1 substitution on line 4, but pattern contains no subexpressions"), "{s}");
    assert!(s.contains("3 error(s)"), "{s}");
}

#[test]
fn check_clean_files_exit_0() {
    for f in ["examples/cockroach.map", "examples/pg_ident.conf"] {
        let out = identmap(&["check", f], b"");
        assert_eq!(out.status.code(), Some(0), "{f}: {}", text(&out.stdout));
        assert!(text(&out.stdout).contains(": ok: "));
    }
}

#[test]
fn check_sql_points_into_the_file() {
    let out = identmap(&["check", "examples/cockroach-docs.sql"], b"");
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    assert!(s.contains("invalid character class range: `9-0`"), "{s}");
    assert!(s.contains("cockroach-docs.sql:12:"), "{s}");
}

#[test]
fn invalid_utf8_is_an_error_with_its_location() {
    let out = identmap(&["check", "-"], b"m a b\nm \xff c\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("<stdin>:2:3: invalid UTF-8 (byte 0xff)"), "{}", text(&out.stderr));
}

#[test]
fn map_answers_and_explains() {
    let args = [
        "map",
        "examples/cockroach.map",
        "--issuer",
        "https://accounts.google.com",
        "--identity",
        "Carl@Example.com",
        "--explain",
        "--format",
        "json",
    ];
    let out = identmap(&args, b"");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["users"], serde_json::json!(["carl"]));
    assert_eq!(v["jwt_users"], serde_json::json!(["carl"]));
    assert_eq!(v["trace"][0]["outcome"], "added");
    assert_eq!(v["trace"][0]["captures"][1], "Carl");
    // No user: exit 1.
    let out = identmap(&["map", "examples/cockroach.map", "--issuer", "nobody", "--identity", "x"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("not found"));
}

#[test]
fn map_postgres_with_a_role_graph() {
    let base = ["map", "examples/pg_ident.conf", "--map", "certmap", "--system-user", "bob@example.com"];
    let allow = identmap(
        &[&base[..], &["--db-user", "reporting_member", "--role-graph", "examples/roles.json"]].concat(),
        b"",
    );
    assert_eq!(allow.status.code(), Some(0), "{}", text(&allow.stdout));
    let deny = identmap(&[&base[..], &["--db-user", "someone_else", "--format", "json"]].concat(), b"");
    assert_eq!(deny.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&deny.stdout).expect("json");
    assert_eq!(v["decision"], "deny");
    assert_eq!(
        v["log"][0],
        "no match in usermap \"certmap\" for user \"someone_else\" authenticated as \"bob@example.com\""
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(identmap(&["map", "examples/cockroach.map"], b"").status.code(), Some(2));
    assert_eq!(identmap(&["check", "no/such/file"], b"").status.code(), Some(2));
    assert_eq!(identmap(&["frobnicate"], b"").status.code(), Some(2));
}

/// A reader that goes away (`| head -c1`) ends the output quietly and the command keeps its own
/// exit status; a full disk is an error naming standard output. Never a panic.
#[test]
#[cfg(unix)]
fn closed_or_full_stdout_is_not_a_panic() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let map: String = (0..1500).map(|i| format!("idp /u{i}-(.*)@x\\.com \\1\n")).collect();
    let dir = std::env::temp_dir().join(format!("identmap-stdout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("big.map");
    std::fs::write(&file, &map).expect("write map");
    let file = file.to_str().expect("utf-8 path");
    let cases: [(&[&str], i32); 4] = [
        (&["lint", "--no-config", "--format", "json", file], 1),
        (&["lint", "--no-config", file], 1),
        (&["map", file, "--issuer", "idp", "--identity", "u1-a@x.com", "--explain"], 0),
        (&["check", "--dialect", "cockroach", file], 0),
    ];
    for (args, status) in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_identmap"))
            .args(args)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("identmap runs");
        // Read one byte, then close the pipe, as `head -c1` does.
        let mut one = [0u8; 1];
        let mut out = child.stdout.take().expect("stdout");
        let _ = out.read(&mut one);
        drop(out);
        let done = child.wait_with_output().expect("identmap finishes");
        let err = String::from_utf8_lossy(&done.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(done.status.code(), Some(status), "{args:?}: {err}");
    }
    if std::path::Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let done = Command::new(env!("CARGO_BIN_EXE_identmap"))
            .args(["lint", "--no-config", file])
            .stdout(full)
            .output()
            .expect("identmap runs");
        let err = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{err}");
        assert!(err.contains("cannot write to standard output"), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Files named inside files must be regular files, and every read is bounded: `map /dev/zero` in
/// an expectation file, an `include` of a FIFO, `identmap check /dev/zero` are clear errors, never
/// a hang or gigabytes of memory. A refused include is identmap's limit, not PostgreSQL's verdict.
#[test]
#[cfg(unix)]
fn devices_and_fifos_named_in_files_are_refused() {
    let dir = std::env::temp_dir().join(format!("identmap-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let fifo = dir.join("fifo.conf");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    std::fs::write(dir.join("zero.expect"), "map /dev/zero\nexpect m a -> b\n").expect("write");
    let out = common::run_in(&dir, &["test", "zero.expect"], b"");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("/dev/zero: not a regular file"), "{err}");
    let out = common::run_in(&dir, &["check", "/dev/zero"], b"");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("larger than identmap's input limit"), "{err}");
    if made {
        std::fs::write(dir.join("pg_ident.conf"), "m alice alice\ninclude fifo.conf\n").expect("write");
        let out = common::run_in(&dir, &["check", "pg_ident.conf"], b"");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains("identmap cannot say what PostgreSQL 16 does with this file"), "{text}");
        assert!(!text.contains("PostgreSQL rejects this line"), "{text}");
        let out = common::run_in(
            &dir,
            &["map", "pg_ident.conf", "--map", "m", "--system-user", "alice", "--db-user", "alice"],
            b"",
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("unsupported"), "{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
