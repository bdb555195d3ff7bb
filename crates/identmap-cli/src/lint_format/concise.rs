//! `concise`: one line per finding, `path:line:col: severity[IMxxx] message`.

use std::fmt::Write as _;

use identmap_lint::Report;

pub(super) fn render(reports: &[Report]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in r.diagnostics() {
            let (start, _) = super::range(r, d, d.span());
            let _ = writeln!(
                out,
                "{}:{}:{}: {}[{}] {}",
                d.file(),
                start.line,
                start.column,
                d.severity(),
                d.code(),
                one_line(d.message())
            );
        }
    }
    let _ = writeln!(out, "{}", super::summary_line(reports));
    out
}

/// Messages are one line in this format.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}
