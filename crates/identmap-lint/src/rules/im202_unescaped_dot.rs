//! IM202: an unescaped `.` inside a domain-like literal part.

use identmap::Span;

use crate::config::Severity;
use crate::lex::{self, Kind, Tok};
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::{eval, Finding};

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM202",
    name: "unescaped-dot",
    default_severity: Severity::Error,
    dialects: "all",
    summary: "An unescaped `.` inside a domain-like literal part matches any character.",
    docs: r#"## What it does
Reports a `.` that stands between two literal name parts of a domain (`@corp.example.com`,
`x.example.com`): in a regex `.` is *any character*.

## Why it matters
`/^(.*)@example.com$` also matches `bob@exampleXcom`: whoever can register `examplexcom` (or get
an identity provider to issue such a name) gets the user.

## Example
```text
https://accounts.google.com /^(.*)@example.com$ \1
```

## How to fix
Escape the dot: `/^(.*)@example\.com$`. The fix does exactly that, which only shrinks the set of
identities that match."#,
};

fn is_label_char(t: &Tok) -> Option<char> {
    match t.kind {
        Kind::Plain(c) if c.is_ascii_alphanumeric() || c == '-' => Some(c),
        _ => None,
    }
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for r in &m.rules {
        let Some(re) = &r.regex else { continue };
        // ARE's `***=` director and `q` option make the whole pattern literal.
        let are_literal = !m.is_cockroach()
            && (re.pattern.starts_with("***=")
                || re
                    .pattern
                    .strip_prefix("(?")
                    .is_some_and(|f| f.chars().take_while(char::is_ascii_alphabetic).any(|c| c == 'q')));
        if re.hir.is_none() || are_literal {
            continue;
        }
        let toks = lex::tokens(&re.pattern, m.is_cockroach());
        for (i, t) in toks.iter().enumerate() {
            if t.kind != Kind::Plain('.') {
                continue;
            }
            let before: Vec<char> = toks[..i].iter().rev().map_while(is_label_char).collect();
            let after: Vec<char> = toks[i + 1..].iter().map_while(is_label_char).collect();
            let letters_after = after.iter().take_while(|c| c.is_ascii_alphabetic()).count();
            if before.is_empty() || letters_after < 2 {
                continue;
            }
            // Domain-like: the label run is preceded by `@` or a dot, or followed by a dot.
            let pre = toks[..i - before.len()].last().map(|t| t.kind);
            let post = toks.get(i + 1 + after.len()).map(|t| t.kind);
            let dotty = |k: Option<Kind>| matches!(k, Some(Kind::Plain('@' | '.') | Kind::Escape('.')));
            if !dotty(pre) && !matches!(post, Some(Kind::Plain('.') | Kind::Escape('.'))) {
                continue;
            }
            let label: String = before.iter().rev().collect();
            let next: String = after.iter().collect();
            let mut msg =
                format!("unescaped `.` between `{label}` and `{next}` matches any character, not just a dot");
            // An example: the pattern's own witness with the dot replaced by `x`, verified.
            if let Some(ex) = example(m, r, &re.pattern, t) {
                msg.push_str(&format!(": `{ex}` matches too"));
            }
            let mut f = Finding::new(&INFO, r.file, r.ident.span, msg)
                .primary("any character")
                .help("escape it: `\\.`");
            if let Some(ps) = r.pattern_span(m) {
                let dot = Span::new(ps.start + t.at, ps.start + t.at + 1);
                f.span = dot;
                f = f.fix("escape the dot", vec![(dot, "\\.".to_string())]);
            }
            out.push(f);
        }
    }
}

/// An identity that matches only because the dot is unescaped.
fn example(m: &Model<'_>, r: &crate::model::Rule, pattern: &str, dot: &Tok) -> Option<String> {
    // Escape every other dot, and make this one a literal `x`: a witness of that pattern matches
    // the original with `x` where the dot is.
    let mut p = String::with_capacity(pattern.len() + 1);
    p.push_str(&pattern[..dot.at]);
    p.push('x');
    p.push_str(&pattern[dot.at + 1..]);
    let hir = if m.is_cockroach() {
        identmap::syntax::go(&p, m.case()).ok()?.hir().clone()
    } else {
        identmap::syntax::are(&p).ok()?.hir()?.clone()
    };
    let w = String::from_utf8(crate::witness::witness(&hir, None)?).ok()?;
    eval::matches(m, r, &w).then_some(w)
}
