//! IM201: a regex without both `^` and `$`.

use identmap::Span;
use regex_syntax::hir::{Hir, Look};

use crate::config::Severity;
use crate::model::{Model, Rule};
use crate::registry::RuleInfo;
use crate::{eval, witness, Finding};

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM201",
    name: "unanchored-regex",
    default_severity: Severity::Error,
    dialects: "all",
    summary: "A regex that is not anchored at both ends matches substrings of identities.",
    docs: r#"## What it does
Decides from the pattern's syntax tree whether every match must start at the beginning of the
identity (`^`, `\A`) and end at its end (`$`, `\z`). Both databases search regexes *unanchored*:
a pattern without them matches any identity that merely contains a match. (`^` and `$` under the
`(?m)` flag match at line breaks, so they do not count.)

## Why it matters
`/bob` matches `jimbob` and `bob.attacker@evil.example`; `/^(.*)@example\.com` matches
`x@example.com.evil.io`. Whoever can choose an identity that contains the text gets the user.

## Example
```text
https://idp.example.com /bob bob
https://idp.example.com /^(.*)@example\.com \1
```

## How to fix
Anchor both ends: `/^bob$`, `/^(.*)@example\.com$`. The fix adds the missing anchors (a pattern
with `|` is wrapped in `(?:…)` first), which can only shrink the set of identities that match."#,
};

pub(crate) fn anchored(hir: &Hir) -> (bool, bool) {
    let p = hir.properties();
    let start = p.look_set_prefix().contains(Look::Start);
    let end = p.look_set_suffix().contains(Look::End);
    (start, end)
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for r in &m.rules {
        let Some(re) = &r.regex else { continue };
        let Some(hir) = &re.hir else { continue };
        let (start, end) = anchored(hir);
        if start && end || perl_delimited(&re.pattern, m.is_cockroach()) {
            // `/^alice$/` is anchored as written: IM303 reports the stray delimiter.
            continue;
        }
        let missing = match (start, end) {
            (false, false) => "neither `^` nor `$`",
            (false, true) => "no `^`",
            _ => "no `$`",
        };
        let mut msg = format!(
            "the regex `/{}` has {missing}: it matches any identity that contains a match",
            re.pattern
        );
        if let Some(ex) = example(m, r, hir, start, end) {
            msg.push_str(&format!(", e.g. `{ex}`"));
        }
        let mut f = Finding::new(&INFO, r.file, r.ident.span, msg)
            .primary("unanchored")
            .help("anchor the pattern at both ends: `^…$`");
        if let Some(edits) = fix(m, r, start, end) {
            f = f.fix("anchor the regex at both ends", edits);
        }
        out.push(f);
    }
}

/// The pattern ends in `$/`: Perl-style delimiters (IM303), not a missing anchor.
fn perl_delimited(pattern: &str, go: bool) -> bool {
    let t = crate::lex::tokens(pattern, go);
    matches!(t.as_slice(), [.., a, b] if a.kind == crate::lex::Kind::Plain('$') && b.kind == crate::lex::Kind::Plain('/'))
}

/// An identity that has more than a match and still maps, verified with the evaluator.
fn example(m: &Model<'_>, r: &Rule, hir: &Hir, start: bool, end: bool) -> Option<String> {
    let w = String::from_utf8(witness::witness(hir, None)?).ok()?;
    let ex = format!("{}{w}{}", if start { "" } else { "evil-" }, if end { "" } else { ".evil.example" });
    eval::matches(m, r, &ex).then_some(ex)
}

/// Edits that add the missing anchors, verified to give an anchored pattern of the dialect.
fn fix(m: &Model<'_>, r: &Rule, start: bool, end: bool) -> Option<Vec<(Span, String)>> {
    let span = r.pattern_span(m)?;
    let pat = &r.regex.as_ref()?.pattern;
    if pat.contains("\\Q") || (!m.is_cockroach() && (pat.starts_with("(?") || pat.starts_with("***"))) {
        return None;
    }
    let (new, edits) = if pat.contains('|') {
        let new = format!("^(?:{pat})$");
        (new.clone(), vec![(span, new)])
    } else {
        let mut edits = Vec::new();
        if !start {
            edits.push((Span::empty(span.start), "^".to_string()));
        }
        if !end {
            edits.push((Span::empty(span.end), "$".to_string()));
        }
        (format!("{}{pat}{}", if start { "" } else { "^" }, if end { "" } else { "$" }), edits)
    };
    let ok = if m.is_cockroach() {
        identmap::syntax::go(&new, m.case()).is_ok_and(|p| anchored(p.hir()) == (true, true))
    } else {
        identmap::syntax::are(&new)
            .ok()
            .and_then(|p| p.hir().map(|h| anchored(h) == (true, true)))
            .unwrap_or(false)
    };
    ok.then_some(edits)
}
