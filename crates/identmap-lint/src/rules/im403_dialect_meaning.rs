//! IM403: a regex construct that means something else in the other dialect.

use identmap::Span;

use crate::config::Severity;
use crate::lex::{self, Kind};
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM403",
    name: "dialect-meaning",
    default_severity: Severity::Info,
    dialects: "all",
    summary: "A regex that is valid in the target engine but means something else in the other dialect.",
    docs: r#"## What it does
Points out regex constructs whose meaning differs between Go's RE2 (CockroachDB) and
PostgreSQL's ARE: `\b` (word boundary / backspace), `\B`, `\Z`, `\z`, `\A`, `\m`, `\M`, `\y`,
`\Y`, `\Q…\E`, `\p{…}`, and the embedded flags `s` and `m` (which mean different things).

## Why it matters
Maps are often moved between the two databases, or tested with the other engine: the same text
then matches different identities.

## Example
```text
https://idp.example.com /^\bbob\b$ bob
```

## How to fix
Use constructs with one meaning in both (explicit classes, `^`/`$`), or keep a note of which
engine the map is for."#,
};

fn meaning(c: char, go: bool) -> Option<&'static str> {
    Some(match (c, go) {
        ('b', true) => "`\\b` is a word boundary in Go but a backspace in PostgreSQL",
        ('B', true) => "`\\B` is a non-boundary in Go but a backslash in PostgreSQL",
        ('Q', true) => "`\\Q…\\E` quotes text in Go; PostgreSQL has no such escape",
        ('p' | 'P', true) => "`\\p{…}` is a Unicode class in Go; PostgreSQL has none",
        ('z', true) => "`\\z` is the end of text in Go; PostgreSQL rejects it",
        ('Z', false) => "`\\Z` is the end of text in PostgreSQL; Go rejects it",
        ('m' | 'M' | 'y' | 'Y', false) => {
            "this word-boundary escape exists in PostgreSQL only; Go rejects it"
        }
        ('A', false) => "`\\A` exists in both, but nothing else of ARE's escapes carries over",
        _ => return None,
    })
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    let go = m.is_cockroach();
    for r in &m.rules {
        let Some(re) = &r.regex else { continue };
        if re.hir.is_none() {
            continue;
        }
        let ps = r.pattern_span(m);
        let toks = lex::tokens(&re.pattern, go);
        let mut said = Vec::new();
        for t in &toks {
            let what = match t.kind {
                Kind::Escape(c) if c != 'A' => meaning(c, go),
                _ => None,
            };
            if let Some(what) = what {
                if said.contains(&what) {
                    continue;
                }
                said.push(what);
                let span = ps.map_or(r.ident.span, |p| Span::new(p.start + t.at, p.start + t.at + t.len));
                out.push(
                    Finding::new(&INFO, r.file, span, what)
                        .primary("means something else in the other dialect")
                        .help("use constructs with one meaning in both engines"),
                );
            }
        }
        if let Some(at) = flag_group(&re.pattern) {
            let span = ps.map_or(r.ident.span, |p| Span::new(p.start + at.0, p.start + at.1));
            out.push(
                Finding::new(
                    &INFO,
                    r.file,
                    span,
                    "the flags `s` and `m` mean different things in Go and PostgreSQL's ARE",
                )
                .primary("dialect-specific flag")
                .help("avoid `s`/`m` flags in maps that may move between databases"),
            );
        }
    }
}

/// The span of a `(?…)` flag group containing `s` or `m`.
fn flag_group(p: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = p[from..].find("(?") {
        let s = from + i;
        let body: String = p[s + 2..].chars().take_while(|c| c.is_ascii_alphabetic() || *c == '-').collect();
        let end = s + 2 + body.len();
        if (p[end..].starts_with(')') || p[end..].starts_with(':')) && body.contains(['s', 'm']) {
            return Some((s, end + 1));
        }
        from = s + 2;
    }
    None
}
