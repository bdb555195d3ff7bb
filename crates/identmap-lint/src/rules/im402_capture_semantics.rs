//! IM402: ARE and Perl-style engines choose different captures, or `\b`.

use identmap::Span;

use crate::config::Severity;
use crate::lex::{self, Kind};
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM402",
    name: "are-capture-semantics",
    default_severity: Severity::Warning,
    dialects: "postgres",
    summary: "ARE and Perl-style engines choose different captures here, or `\\b` (backspace in ARE).",
    docs: r#"## What it does
For a PostgreSQL regex whose group 1 feeds `\1`, reports constructs where ARE's POSIX-like rules
can capture other text than a Perl-style engine: a first quantifier that is non-greedy (which
makes the *whole* regex non-greedy in ARE) and alternations whose branches overlap. Also reports
`\b`, which is a backspace in ARE, not a word boundary.

## Why it matters
`/Y*?([0-9]{1,3})` on `XY1234Z` captures `1` in PostgreSQL but `123` in Perl, Python or Rust:
maps tested with another engine grant different roles in production.

## Example
```text
certmap "/^(a|ab)(c|bcd)(d*)$" \1
```

## How to fix
Make group 1 unambiguous (anchors, no overlapping alternatives, greedy quantifiers); use `\y`
for a word boundary."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    if m.is_cockroach() {
        return;
    }
    for r in &m.rules {
        let Some(re) = &r.regex else { continue };
        let ps = r.pattern_span(m);
        if r.substitutes() {
            if let Some((what, at)) = re.are.as_ref().and_then(|a| a.capture_risk()) {
                let span =
                    ps.map_or(r.ident.span, |p| Span::new(p.start + at.start, (p.start + at.end).min(p.end)));
                out.push(
                    Finding::new(&INFO, r.file, span, format!("in `/{}` {what}", re.pattern))
                        .primary("ARE may capture other text")
                        .label(r.user.span, "uses group 1")
                        .help("make group 1 unambiguous: anchors, non-overlapping alternatives, greedy quantifiers"),
                );
            }
        }
        for t in lex::tokens(&re.pattern, false) {
            if t.kind == Kind::Escape('b') {
                let span = ps.map_or(r.ident.span, |p| Span::new(p.start + t.at, p.start + t.at + t.len));
                out.push(
                    Finding::new(
                        &INFO,
                        r.file,
                        span,
                        "`\\b` is a backspace character in PostgreSQL's ARE, not a word boundary",
                    )
                    .primary("backspace")
                    .help("use `\\y` for a word boundary (`\\m` start, `\\M` end of a word)"),
                );
            }
        }
    }
}
