//! `identmap eval`: batch evaluation of JSON records — the records of the conformance corpus
//! (`testdata/conformance/*.jsonl`) — one JSON result per record. `expect*` fields are ignored.
//!
//! This is a stable interface for tooling; the shapes are documented in the README.

pub mod cockroach;
pub mod postgres;

use serde_json::{json, Value};

/// Evaluate one input line. Never panics: a line that is not a JSON object, or a record of an
/// unknown dialect, gives `{"ok":false,"error":…}`.
#[must_use]
pub fn eval_line(line: &str) -> Value {
    eval_line_with(line, cockroach::Engine::Matcher)
}

/// [`eval_line`] with a choice of evaluator (cockroach records, and postgres `match` records).
#[must_use]
pub fn eval_line_with(line: &str, engine: cockroach::Engine) -> Value {
    match serde_json::from_str::<Value>(line) {
        Ok(record) => eval_record_with(&record, engine),
        Err(e) => json!({"ok": false, "error": format!("not a JSON record: {e}")}),
    }
}

/// Evaluate one parsed record.
#[must_use]
pub fn eval_record(record: &Value) -> Value {
    eval_record_with(record, cockroach::Engine::Matcher)
}

/// [`eval_record`] with a choice of evaluator (cockroach records, and postgres `match` records).
#[must_use]
pub fn eval_record_with(record: &Value, engine: cockroach::Engine) -> Value {
    match record.get("dialect").and_then(Value::as_str) {
        Some("cockroach") => cockroach::eval(record, None, engine),
        Some("postgres") => postgres::eval_with(record, engine),
        Some(other) => json!({"ok": false, "error": format!("unknown dialect {other:?}")}),
        None => json!({"ok": false, "error": "record has no string field \"dialect\""}),
    }
}
