//! IM106: an ARE construct identmap cannot evaluate faithfully.

use identmap::Span;

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM106",
    name: "unsupported-regex",
    default_severity: Severity::Error,
    dialects: "postgres",
    summary: "A regex construct that identmap cannot evaluate faithfully.",
    docs: r#"## What it does
Reports PostgreSQL regexes that use constructs identmap cannot simulate exactly: back-references
inside the pattern, lookahead and lookbehind, and patterns too large to expand.

## Why it matters
identmap (and this linter's analyses) cannot say what such a rule does; PostgreSQL accepts it.
The map cannot be tested offline, and the other rules say nothing about it.

## Example
```text
certmap /^(?=.*admin)(.*)$ \1
```

## How to fix
Rewrite the pattern without the construct (lookaround can usually become an explicit
alternation; `\1` inside the pattern an explicit literal), or accept that it cannot be checked."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for r in &m.rules {
        let Some(re) = &r.regex else { continue };
        let Some((what, at)) = re.are.as_ref().and_then(|a| a.unsupported()) else { continue };
        let span = r
            .pattern_span(m)
            .map_or(r.ident.span, |p| Span::new(p.start + at.start, (p.start + at.end).min(p.end)));
        out.push(
            Finding::new(
                &INFO,
                r.file,
                span,
                format!("identmap cannot evaluate `/{}` faithfully: {what}", re.pattern),
            )
            .primary(what.to_string())
            .label(r.ident.span, "this rule is not analysed")
            .help("rewrite the pattern without this construct, or accept that the rule cannot be simulated"),
        );
    }
}
