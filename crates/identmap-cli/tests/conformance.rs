//! The conformance suite: every record of `testdata/conformance/*.jsonl` through the library,
//! by way of the `identmap eval` code, in one harness that reports every failure at once.
//!
//! `IDENTMAP_CASE=text` runs only the records whose id, note or config contains `text`.

use identmap::cockroach::CaseMode;
use identmap_cli::eval;
use identmap_cli::eval::cockroach::Engine;
use serde_json::Value;

const COCKROACH: &str = include_str!("../../../testdata/conformance/cockroach.jsonl");
const COCKROACH_REGEX: &str = include_str!("../../../testdata/conformance/cockroach-regex.jsonl");
const POSTGRES: &str = include_str!("../../../testdata/conformance/postgres.jsonl");
const PG_UNSUPPORTED: &str = include_str!("../../../testdata/postgres-unsupported.txt");
/// Cases built from the specs (`testdata/spec-cases/`), each with a `note` naming its section.
const SPEC_COCKROACH: &str = include_str!("../../../testdata/spec-cases/cockroach.jsonl");
const SPEC_POSTGRES: &str = include_str!("../../../testdata/spec-cases/postgres.jsonl");

struct Report {
    name: &'static str,
    run: usize,
    failures: Vec<String>,
    notes: Vec<String>,
}

impl Report {
    fn new(name: &'static str) -> Report {
        Report { name, run: 0, failures: Vec::new(), notes: Vec::new() }
    }

    fn finish(self) {
        let summary = format!(
            "{}: {} records run, {} failed{}",
            self.name,
            self.run,
            self.failures.len(),
            if self.notes.is_empty() { String::new() } else { format!(", {} notes", self.notes.len()) }
        );
        let mut text = summary.clone();
        for f in self.failures.iter().take(60) {
            text.push_str("\n  ");
            text.push_str(f);
        }
        assert!(self.failures.is_empty(), "{text}");
        assert!(self.run > 0 || std::env::var("IDENTMAP_CASE").is_ok(), "{}: no records ran", self.name);
    }
}

fn records(src: &str) -> impl Iterator<Item = (usize, Value)> + '_ {
    let filter = std::env::var("IDENTMAP_CASE").ok();
    src.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).filter_map(move |(i, l)| {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        let keep = filter.as_deref().is_none_or(|f| {
            ["id", "note", "config"]
                .iter()
                .any(|k| v.get(*k).and_then(Value::as_str).is_some_and(|s| s.contains(f)))
        });
        keep.then_some((i + 1, v))
    })
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        format!("{}…", &s[..s.char_indices().nth(300).map_or(s.len(), |(i, _)| i)])
    } else {
        s
    }
}

/// Regex syntax errors compare `ok:false` and the `unable to parse line N` prefix only (the rest
/// is Go's wording); everything else compares exactly.
fn cockroach_equal(got: &Value, want: &Value) -> (bool, bool) {
    if got == want {
        return (true, true);
    }
    let err = |v: &Value| v.get("error").and_then(Value::as_str).map(str::to_string);
    match (err(got), err(want)) {
        (Some(g), Some(w)) if w.contains(": error parsing regexp: ") => {
            let prefix = |s: &str| s.split(": error parsing regexp: ").next().map(str::to_string);
            (g.contains(": error parsing regexp: ") && prefix(&g) == prefix(&w), false)
        }
        _ => (false, false),
    }
}

fn run_cockroach(name: &'static str, src: &str) {
    let mut report = Report::new(name);
    for (line, record) in records(src) {
        for (case, key, engine) in [
            (CaseMode::Insensitive, "expect_ci", Engine::Matcher),
            (CaseMode::Sensitive, "expect_cs", Engine::Matcher),
            (CaseMode::Insensitive, "expect_ci", Engine::Reference),
            (CaseMode::Sensitive, "expect_cs", Engine::Reference),
        ] {
            let Some(want) = record.get(key) else {
                continue;
            };
            report.run += 1;
            let got = eval::cockroach::eval(&record, Some(case), engine);
            let (ok, exact) = cockroach_equal(&got, want);
            let note = record.get("note").and_then(Value::as_str).unwrap_or("");
            if !ok {
                report.failures.push(format!(
                    "line {line} [{} {engine:?}] {note}: config {} identity {}\n      want {}\n      got  {}",
                    case.name(),
                    short(&record["config"]),
                    short(record.get("identity").unwrap_or(&Value::Null)),
                    short(want),
                    short(&got)
                ));
            } else if !exact {
                report.notes.push(format!("line {line} [{}]: regex error wording differs", case.name()));
            }
        }
    }
    report.finish();
}

#[test]
fn cockroach_records() {
    run_cockroach("cockroach.jsonl", COCKROACH);
}

#[test]
fn cockroach_regex_records() {
    run_cockroach("cockroach-regex.jsonl", COCKROACH_REGEX);
}

#[test]
fn spec_cockroach_records() {
    run_cockroach("spec-cases/cockroach.jsonl", SPEC_COCKROACH);
}

fn pg_errors_equal(got: &Value, want: &Value) -> bool {
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        }
    };
    let (g, w) = (list(got), list(want));
    g.len() == w.len()
        && g.iter().zip(&w).all(|(g, w)| {
            if w.starts_with("invalid regular expression \"") {
                // Compare the `invalid regular expression "<re>"` prefix; the reason is ARE's.
                let cut = |s: &str| s.find("\": ").map(|i| s[..i].to_string());
                cut(g) == cut(w)
            } else {
                g == w
            }
        })
}

/// The key of a record in `testdata/postgres-unsupported.txt`.
fn pg_key(r: &Value) -> String {
    format!(
        "{} {} {} {}",
        r["version"],
        r["id"].as_str().unwrap_or(""),
        r["system_user"].as_str().unwrap_or(""),
        r["db_user"].as_str().unwrap_or("")
    )
}

#[test]
fn postgres_records() {
    let listed: Vec<String> = PG_UNSUPPORTED
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim().to_string()))
        .collect();
    run_postgres("postgres.jsonl", POSTGRES, Some(listed));
}

/// The spec cases expect a decision for every record: none is answered `unsupported`.
#[test]
fn spec_postgres_records() {
    run_postgres("spec-cases/postgres.jsonl", SPEC_POSTGRES, None);
}

/// Run postgres records. With `listed`, records answered `unsupported` are collected and must be
/// exactly the list; without, an `unsupported` answer is a failure.
fn run_postgres(name: &'static str, src: &str, listed: Option<Vec<String>>) {
    let mut answered_unsupported = Vec::new();
    let mut report = Report::new(name);
    for (line, record) in records(src) {
        report.run += 1;
        let got = eval::postgres::eval(&record);
        let id = record["id"].as_str().unwrap_or("");
        let version = &record["version"];
        let mut fail = |what: String| {
            report.failures.push(format!("line {line} v{version} {id}: {what}\n      got {}", short(&got)))
        };
        match record["kind"].as_str() {
            Some("parse") => {
                let want_parsed = record["expect"] == "parsed";
                if got["parsed"] != Value::Bool(want_parsed) {
                    fail(format!("parsed should be {want_parsed}"));
                } else if !want_parsed && !pg_errors_equal(&got["errors"], &record["expect"]["parse_error"]) {
                    fail(format!("errors should be {}", short(&record["expect"]["parse_error"])));
                } else if let Some(view) = record.get("view") {
                    let gv = &got["view"];
                    let same = match (gv.as_array(), view.as_array()) {
                        (Some(g), Some(w)) => {
                            g.len() == w.len()
                                && g.iter().zip(w).all(|(g, w)| {
                                    w.as_object().is_some_and(|wo| {
                                        wo.iter().all(|(k, wv)| {
                                            match (k.as_str(), wv.as_str(), g[k].as_str()) {
                                                ("error", Some(we), Some(ge)) => {
                                                    pg_errors_equal(&Value::from(ge), &Value::from(we))
                                                }
                                                _ => &g[k] == wv,
                                            }
                                        }) && g.as_object().is_some_and(|go| go.len() == wo.len())
                                    })
                                })
                        }
                        _ => false,
                    };
                    if !same {
                        fail(format!("view should be {}", short(view)));
                    }
                }
            }
            Some("match") => {
                let decision = got["decision"].as_str().unwrap_or("");
                if decision == "unsupported" && listed.is_some() {
                    answered_unsupported.push(pg_key(&record));
                    continue;
                }
                if record["expect"].as_str() != Some(decision) {
                    fail(format!("decision should be {}", record["expect"]));
                    continue;
                }
                let want_log: Vec<&str> = record
                    .get("server_log")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter().filter_map(Value::as_str).filter(|l| !l.starts_with("client:")).collect()
                    })
                    .unwrap_or_default();
                let got_log: Vec<&str> = got["log"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if want_log != got_log {
                    fail(format!("log should be {want_log:?}"));
                }
            }
            _ => fail("unknown kind".into()),
        }
    }
    if let (Some(listed), Err(_)) = (listed, std::env::var("IDENTMAP_CASE")) {
        answered_unsupported.sort();
        answered_unsupported.dedup();
        let mut listed_sorted = listed;
        listed_sorted.sort();
        if answered_unsupported != listed_sorted {
            report.failures.push(format!(
                "testdata/postgres-unsupported.txt lists {listed_sorted:?} but the records answered unsupported are {answered_unsupported:?}"
            ));
        }
    }
    report.finish();
}
