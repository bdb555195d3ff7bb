//! Rendering `identmap lint`'s reports: `full` (miette), `concise`, `json`, `sarif` and
//! `github`. Every renderer takes the reports in the order of the files on the command line and
//! keeps each report's diagnostic order (file, byte offset, code), so output is deterministic.

mod concise;
mod full;
mod github;
mod json;
mod sarif;

use identmap_lint::{Diagnostic, Report, Severity};

pub use full::Style;

/// The output formats of `identmap lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// A graphical report per finding (source snippet, labels, help, docs link) and a summary.
    Full,
    /// One line per finding: `path:line:col: severity[IMxxx] message`.
    Concise,
    /// One JSON object: `diagnostics` and `summary` (shape in the README).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::…`): annotations on the pull request.
    Github,
}

/// Render `reports` (one per linted input) in `format`. `style` only affects `full`.
#[must_use]
pub fn render(format: LintFormat, reports: &[Report], style: &Style) -> String {
    match format {
        LintFormat::Full => full::render(reports, style),
        LintFormat::Concise => concise::render(reports),
        LintFormat::Json => json::render(reports),
        LintFormat::Sarif => sarif::render(reports),
        LintFormat::Github => github::render(reports),
    }
}

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
        let mut at = offset.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let head = &text[line_start..at];
        Position { line, column: head.chars().count() + 1, column_utf16: head.encode_utf16().count() + 1 }
    }
}

/// The start and end positions of a diagnostic's span in its file (the end is exclusive: the
/// position just after the last character).
fn range(report: &Report, d: &Diagnostic, span: identmap::Span) -> (Position, Position) {
    let text = report.source(d.file()).unwrap_or("");
    (Position::of(text, span.start), Position::of(text, span.end))
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
    }
}
