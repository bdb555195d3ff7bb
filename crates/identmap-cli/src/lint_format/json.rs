//! `json`: one object, `{"version": 1, "diagnostics": […], "summary": {…}}`. The shape is a
//! stable interface, documented in the README ("Linting", JSON output), built by
//! [`identmap_lint::report_json`] (the browser playground shows the same objects).

use identmap_lint::Report;

pub(super) fn render(reports: &[Report]) -> String {
    let mut s = serde_json::to_string_pretty(&identmap_lint::report_json(reports))
        .unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}
