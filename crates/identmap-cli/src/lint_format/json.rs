//! `json`: one object, `{"version": 1, "diagnostics": […], "summary": {…}}`. The shape is a
//! stable interface, documented in the README ("Linting", JSON output).

use identmap::Span;
use identmap_lint::{Diagnostic, Report};
use serde_json::{json, Value};

/// The version of the JSON shape; it changes only when a field changes meaning or goes away.
const VERSION: u32 = 1;

pub(super) fn render(reports: &[Report]) -> String {
    let diagnostics: Vec<Value> =
        reports.iter().flat_map(|r| r.diagnostics().iter().map(move |d| diagnostic(r, d))).collect();
    let c = super::Counts::of(reports);
    let out = json!({
        "version": VERSION,
        "diagnostics": diagnostics,
        "summary": {
            "files": reports.len(),
            "errors": c.errors,
            "warnings": c.warnings,
            "infos": c.infos,
        },
    });
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

fn span(s: Span) -> Value {
    json!({"start": s.start, "end": s.end})
}

fn diagnostic(r: &Report, d: &Diagnostic) -> Value {
    let (start, end) = super::range(r, d, d.span());
    let labels: Vec<Value> = d
        .labels()
        .iter()
        .map(|l| {
            let (ls, le) = super::range(r, d, l.span());
            json!({
                "message": l.message(),
                "line": ls.line,
                "column": ls.column,
                "end_line": le.line,
                "end_column": le.column,
                "span": span(l.span()),
            })
        })
        .collect();
    let fix = d.fix().map(|f| {
        json!({
            "description": f.description(),
            "edits": f.edits().iter().map(|e| json!({
                "file": e.file(),
                "span": span(e.span()),
                "replacement": e.replacement(),
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "code": d.code(),
        "name": d.rule_name(),
        "severity": d.severity().as_str(),
        "message": d.message(),
        "file": d.file(),
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "span": span(d.span()),
        "labels": labels,
        "help": d.help(),
        "fix": fix,
        "url": d.url(),
    })
}
