//! Rendering `identmap lint`'s reports: `full` (miette), `concise`, `json`, `sarif` and
//! `github`. Every renderer takes the reports in the order of the files on the command line and
//! keeps each report's diagnostic order (file, byte offset, code), so output is deterministic.

mod concise;
mod full;
mod github;
mod json;
mod sarif;

use identmap_lint::Report;

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

pub use identmap_lint::{summary_line, Counts, Position};

use identmap_lint::range;
