//! IM309: a non-ASCII or vertical-tab blank inside a cockroach line.

use identmap::Span;

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM309",
    name: "unicode-blank",
    default_severity: Severity::Warning,
    dialects: "cockroach",
    summary: "A vertical tab, no-break space or other non-ASCII blank inside a line belongs to a field.",
    docs: r#"## What it does
Reports white space inside a line that CockroachDB does not treat as a field separator: vertical
tab, no-break space (U+00A0), U+3000 and the other Unicode blanks. Only space, tab, form feed
and CR separate fields; the others are part of the field they touch (at the line's ends they are
trimmed).

## Why it matters
`m\u{a0}alice u` (copied from a web page or a word processor) is two fields, not three: the
configuration is rejected, or a field silently contains an invisible character and never
matches.

## Example
A no-break space between the identity and the user.

## How to fix
Replace it with an ordinary space."#,
};

fn is_odd_blank(c: char) -> bool {
    c.is_whitespace() && !matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r')
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    if !m.is_cockroach() {
        return;
    }
    let text = m.text(m.map_file);
    let limit = m.truncation.as_ref().map_or(text.len(), |t| t.span().start);
    let mut start = 0;
    for line in text[..limit].split('\n') {
        let content = line.find('#').map_or(line, |i| &line[..i]);
        let lead = content.len() - content.trim_start().len();
        let inner = content.trim();
        if let Some((i, c)) = inner.char_indices().find(|&(_, c)| is_odd_blank(c)) {
            let at = start + lead + i;
            out.push(
                Finding::new(
                    &INFO,
                    m.map_file,
                    Span::new(at, at + c.len_utf8()),
                    format!(
                        "U+{:04X} is not a field separator for CockroachDB: it is part of a field",
                        u32::from(c)
                    ),
                )
                .primary("not a separator")
                .help("replace it with an ordinary space"),
            );
        }
        start += line.len() + 1;
    }
}
