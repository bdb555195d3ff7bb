//! What every renderer of a [`Report`] needs, whatever its format: positions (line, character
//! and UTF-16 columns) of byte spans, counts by severity, the summary line, and the one JSON
//! shape (`identmap lint --format json`, and the browser playground's diagnostics).
//!
//! ```
//! use identmap_lint::{lint, report_json, Config, Input, Position};
//!
//! let text = "# é\nhttps://idp.example.com /bob bob\n";
//! let report = lint(&Input::Map { name: "ids.map", text }, &Config::default());
//! let json = report_json(std::slice::from_ref(&report));
//! let d = &json["diagnostics"][0];
//! assert_eq!((d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()), (Some("IM201"), Some(2), Some(25)));
//! assert_eq!(json["summary"]["errors"], 1);
//! assert_eq!(Position::of(text, 4), Position { line: 1, column: 4, column_utf16: 4 });
//! ```

use identmap::Span;
use serde_json::{json, Value};

use crate::{Diagnostic, Report, Severity};

/// The version of the JSON shape; it changes only when a field changes meaning or goes away.
pub const JSON_VERSION: u32 = 1;

/// Counts of findings by severity, over every report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Findings at `error`.
    pub errors: usize,
    /// Findings at `warning`.
    pub warnings: usize,
    /// Findings at `info`.
    pub infos: usize,
}

impl Counts {
    /// Count the findings of `reports`.
    #[must_use]
    pub fn of(reports: &[Report]) -> Counts {
        let mut c = Counts::default();
        for d in reports.iter().flat_map(Report::diagnostics) {
            match d.severity() {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }

    /// All findings.
    #[must_use]
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// The human summary line: `3 findings (1 error, 2 warnings, 0 infos) in 2 files` or
/// `no findings in 1 file`.
#[must_use]
pub fn summary_line(reports: &[Report]) -> String {
    let c = Counts::of(reports);
    let files = plural(reports.len(), "file", "files");
    if c.total() == 0 {
        return format!("no findings in {files}");
    }
    format!(
        "{} ({}, {}, {}) in {files}",
        plural(c.total(), "finding", "findings"),
        plural(c.errors, "error", "errors"),
        plural(c.warnings, "warning", "warnings"),
        plural(c.infos, "info", "infos"),
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A position in a source text: 1-based line, 1-based column in Unicode scalar values and in
/// UTF-16 code units (SARIF's and editors' unit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counting characters (Unicode scalar values).
    pub column: usize,
    /// 1-based column, counting UTF-16 code units.
    pub column_utf16: usize,
}

impl Position {
    /// The position of byte `offset` of `text` (clamped to the text, and back to a character
    /// boundary).
    #[must_use]
    pub fn of(text: &str, offset: usize) -> Position {
        let at = char_floor(text, offset);
        let before = &text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let head = &text[line_start..at];
        Position { line, column: head.chars().count() + 1, column_utf16: head.encode_utf16().count() + 1 }
    }
}

/// `offset` clamped to `text` and moved back to a character boundary.
fn char_floor(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The offset of byte `offset` of `text` in UTF-16 code units from the start of the text
/// (JavaScript's string index, the unit of browser editors such as CodeMirror), clamped to the
/// text and moved back to a character boundary.
///
/// ```
/// assert_eq!(identmap_lint::utf16_offset("a\u{1f600}b", 5), 3);
/// ```
#[must_use]
pub fn utf16_offset(text: &str, offset: usize) -> usize {
    text[..char_floor(text, offset)].encode_utf16().count()
}

/// The start and end positions of a diagnostic's `span` in its file (the end is exclusive: the
/// position just after the last character).
#[must_use]
pub fn range(report: &Report, d: &Diagnostic, span: Span) -> (Position, Position) {
    let text = report.source(d.file()).unwrap_or("");
    (Position::of(text, span.start), Position::of(text, span.end))
}

/// The JSON shape of `identmap lint --format json`: `{"version": 1, "diagnostics": […],
/// "summary": {…}}`, documented in the README ("Linting", JSON output). Reports in the order of
/// the inputs, each report's diagnostics in its own order.
#[must_use]
pub fn report_json(reports: &[Report]) -> Value {
    let diagnostics: Vec<Value> =
        reports.iter().flat_map(|r| r.diagnostics().iter().map(move |d| diagnostic_json(r, d))).collect();
    let c = Counts::of(reports);
    json!({
        "version": JSON_VERSION,
        "diagnostics": diagnostics,
        "summary": {
            "files": reports.len(),
            "errors": c.errors,
            "warnings": c.warnings,
            "infos": c.infos,
        },
    })
}

fn span_json(s: Span) -> Value {
    json!({"start": s.start, "end": s.end})
}

/// One diagnostic of [`report_json`].
#[must_use]
pub fn diagnostic_json(r: &Report, d: &Diagnostic) -> Value {
    let (start, end) = range(r, d, d.span());
    let labels: Vec<Value> = d
        .labels()
        .iter()
        .map(|l| {
            let (ls, le) = range(r, d, l.span());
            json!({
                "message": l.message(),
                "line": ls.line,
                "column": ls.column,
                "end_line": le.line,
                "end_column": le.column,
                "span": span_json(l.span()),
            })
        })
        .collect();
    let fix = d.fix().map(|f| {
        json!({
            "description": f.description(),
            "edits": f.edits().iter().map(|e| json!({
                "file": e.file(),
                "span": span_json(e.span()),
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
        "span": span_json(d.span()),
        "labels": labels,
        "help": d.help(),
        "fix": fix,
        "url": d.url(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_utf16() {
        let t = "ab\nx\u{e9}\u{1f600}yz\n";
        assert_eq!(Position::of(t, 0), Position { line: 1, column: 1, column_utf16: 1 });
        assert_eq!(Position::of(t, 3), Position { line: 2, column: 1, column_utf16: 1 });
        // after x (1 byte), é (2 bytes), 😀 (4 bytes): 3 chars, 4 UTF-16 units
        assert_eq!(Position::of(t, 10), Position { line: 2, column: 4, column_utf16: 5 });
        // inside é: back to its start
        assert_eq!(Position::of(t, 5), Position { line: 2, column: 2, column_utf16: 2 });
        assert_eq!(Position::of(t, 999).line, 3);
        assert_eq!(utf16_offset(t, 10), 7);
        assert_eq!(utf16_offset(t, 999), t.encode_utf16().count());
    }
}
