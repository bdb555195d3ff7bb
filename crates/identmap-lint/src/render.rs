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

use std::borrow::Cow;

use identmap::{LineIndex, Span};
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
        Positions::new(text).position(offset)
    }
}

/// The positions in one text, indexed once (line starts, and the UTF-16 offset of each line
/// start), so that each lookup reads only its own line: many positions in a large text cost
/// linear time, not quadratic. [`Position::of`] and [`utf16_offset`] are the one-shot forms; a
/// [`Report`]'s files are indexed once, when the report is made ([`Report::positions`]).
///
/// ```
/// use identmap_lint::{Position, Positions};
///
/// let p = Positions::new("a\u{1f600}\nb\u{e9}c");
/// assert_eq!(p.position(9), Position { line: 2, column: 3, column_utf16: 3 });
/// assert_eq!(p.utf16(9), 6);
/// ```
#[derive(Clone, Debug)]
pub struct Positions<'t> {
    text: &'t str,
    index: Cow<'t, TextIndex>,
}

/// The index behind [`Positions`], owned apart from its text (a [`Report`]'s sources keep one).
#[derive(Clone, Debug)]
pub(crate) struct TextIndex {
    lines: LineIndex,
    /// The UTF-16 offset of each line's start (absent for an ASCII text: the byte offset).
    utf16_starts: Option<Vec<usize>>,
}

impl TextIndex {
    pub(crate) fn new(text: &str) -> TextIndex {
        let lines = LineIndex::new(text);
        let utf16_starts = (!text.is_ascii()).then(|| {
            let mut units = 0;
            let mut starts = Vec::with_capacity(lines.line_count());
            for line in 1..=lines.line_count() {
                starts.push(units);
                if let Some(span) = lines.line_span(line) {
                    // The line and its `\n` (one unit).
                    units += text[span.range()].encode_utf16().count() + 1;
                }
            }
            starts
        });
        TextIndex { lines, utf16_starts }
    }
}

impl<'t> Positions<'t> {
    /// Index `text`.
    #[must_use]
    pub fn new(text: &'t str) -> Positions<'t> {
        Positions { text, index: Cow::Owned(TextIndex::new(text)) }
    }

    /// `text` with the index made of it before.
    pub(crate) fn with_index(text: &'t str, index: &'t TextIndex) -> Positions<'t> {
        Positions { text, index: Cow::Borrowed(index) }
    }

    /// The line and the start of that line of byte `offset` (clamped to the text and moved back
    /// to a character boundary), and the offset so moved.
    fn locate(&self, offset: usize) -> (usize, usize, usize) {
        let at = char_floor(self.text, offset);
        let line = self.index.lines.line(at);
        let start = self.index.lines.line_span(line).map_or(0, |s| s.start);
        (line, start, at)
    }

    /// The position of byte `offset` (clamped to the text, and back to a character boundary).
    #[must_use]
    pub fn position(&self, offset: usize) -> Position {
        let (line, start, at) = self.locate(offset);
        let head = &self.text[start..at];
        Position { line, column: head.chars().count() + 1, column_utf16: head.encode_utf16().count() + 1 }
    }

    /// The offset of byte `offset` in UTF-16 code units from the start of the text (see
    /// [`utf16_offset`]).
    #[must_use]
    pub fn utf16(&self, offset: usize) -> usize {
        match &self.index.utf16_starts {
            None => offset.min(self.text.len()),
            Some(starts) => {
                let (line, start, at) = self.locate(offset);
                starts[line - 1] + self.text[start..at].encode_utf16().count()
            }
        }
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
    Positions::new(text).utf16(offset)
}

/// The start and end positions of a diagnostic's `span` in its file (the end is exclusive: the
/// position just after the last character).
#[must_use]
pub fn range(report: &Report, d: &Diagnostic, span: Span) -> (Position, Position) {
    let p = report.positions(d.file());
    (p.position(span.start), p.position(span.end))
}

/// The JSON shape of `identmap lint --format json`: `{"version": 1, "diagnostics": […],
/// "summary": {…}}`, documented in the README ("Linting", JSON output). Reports in the order of
/// the inputs, each report's diagnostics in its own order.
#[must_use]
pub fn report_json(reports: &[Report]) -> Value {
    let diagnostics: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.diagnostics().iter().map(move |d| diagnostic_json_in(&r.positions(d.file()), d)))
        .collect();
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
    diagnostic_json_in(&r.positions(d.file()), d)
}

/// [`diagnostic_json`] with the positions of the diagnostic's file already indexed.
fn diagnostic_json_in(p: &Positions<'_>, d: &Diagnostic) -> Value {
    let range = |s: Span| (p.position(s.start), p.position(s.end));
    let (start, end) = range(d.span());
    let labels: Vec<Value> = d
        .labels()
        .iter()
        .map(|l| {
            let (ls, le) = range(l.span());
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
