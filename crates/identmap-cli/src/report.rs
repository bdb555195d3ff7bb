//! Rendering problems with miette: a source snippet, a labelled span, and help.

use identmap::Span;
use miette::{GraphicalReportHandler, LabeledSpan, MietteDiagnostic, NamedSource, Report, Severity};

/// One problem to show.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// A short code (`cockroach::fields`, …).
    pub code: &'static str,
    /// The message, in the database's own words where it has them.
    pub message: String,
    /// Where, in the file.
    pub span: Span,
    /// What the label under the span says.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// Render problems against their source, in order, as text. Colour follows the terminal and
/// `NO_COLOR`.
#[must_use]
pub fn render(name: &str, text: &str, problems: &[Problem]) -> String {
    let handler = GraphicalReportHandler::new().with_width(100);
    let mut out = String::new();
    for p in problems {
        let mut d = MietteDiagnostic::new(p.message.clone())
            .with_severity(p.severity)
            .with_code(p.code)
            .with_label(LabeledSpan::new_with_span(Some(p.label.clone()), (p.span.start, p.span.len())));
        if let Some(h) = &p.help {
            d = d.with_help(h.clone());
        }
        let report = Report::new(d).with_source_code(NamedSource::new(name, text.to_string()));
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            out.push_str(&p.message);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}
