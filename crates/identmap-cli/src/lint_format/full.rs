//! `full`: miette's graphical report for each finding (source snippet, labelled spans, help,
//! the code and a link to the rule's documentation), then a summary line.

use identmap_lint::Report;
use miette::{GraphicalReportHandler, GraphicalTheme};

/// How `full` output looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours and unicode box drawing (a terminal that did not ask for `NO_COLOR`).
    pub color: bool,
    /// Unicode box drawing without colour (a terminal with `NO_COLOR`).
    pub unicode: bool,
    /// Wrap at this width.
    pub width: usize,
}

impl Style {
    /// Plain ASCII, no colour, 100 columns: files, pipes and CI logs (and the snapshot tests).
    pub const PLAIN: Style = Style { color: false, unicode: false, width: 100 };

    /// The style for a destination: colour only on a terminal and only when `NO_COLOR` is unset
    /// or empty (<https://no-color.org>).
    #[must_use]
    pub fn for_destination(is_terminal: bool, no_color: Option<&str>) -> Style {
        let no_color = no_color.is_some_and(|v| !v.is_empty());
        match (is_terminal, no_color) {
            (false, _) => Style::PLAIN,
            (true, true) => Style { color: false, unicode: true, width: 100 },
            (true, false) => Style { color: true, unicode: true, width: 100 },
        }
    }
}

pub(super) fn render(reports: &[Report], style: &Style) -> String {
    let theme = match (style.color, style.unicode) {
        (true, _) => GraphicalTheme::unicode(),
        (false, true) => GraphicalTheme::unicode_nocolor(),
        (false, false) => GraphicalTheme::none(),
    };
    // On a terminal the code is a hyperlink to the rule's page; elsewhere the URL is printed.
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(style.color);
    let mut out = String::new();
    for d in reports.iter().flat_map(Report::diagnostics) {
        if handler.render_report(&mut out, d).is_err() {
            out.push_str(d.message());
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&super::summary_line(reports));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(Style::for_destination(true, None).color);
        assert!(Style::for_destination(true, Some("")).color, "an empty NO_COLOR is unset");
        assert!(!Style::for_destination(true, Some("1")).color);
        assert!(Style::for_destination(true, Some("1")).unicode);
        assert_eq!(Style::for_destination(false, None), Style::PLAIN);
    }
}
