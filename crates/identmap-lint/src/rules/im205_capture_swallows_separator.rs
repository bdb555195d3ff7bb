//! IM205: group 1 can swallow the separator that follows it.

use regex_syntax::hir::{Hir, HirKind};

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::{eval, witness, Finding};

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM205",
    name: "capture-swallows-separator",
    default_severity: Severity::Warning,
    dialects: "all",
    summary: "A capture can swallow the separator: `(.*)@` lets `a@evil.com@corp.com` produce `a@evil.com`.",
    docs: r#"## What it does
Finds the literal separator that follows capture group 1 in the pattern (`@`, `/`, `\`, `:`,
`|`) and checks whether group 1 can itself contain it. It builds an identity where it does,
and reports it only when identmap's reference evaluator confirms the produced user contains
the separator.

## Why it matters
`/^(.*)@corp\.com$ \1` maps `a@evil.com@corp.com` to the user `a@evil.com`: the part an
attacker controls ends up in the user name, and two different identities can reach users that
were never meant to exist.

## Example
```text
https://idp.example.com /^(.*)@corp\.com$ \1
```

## How to fix
Exclude the separator from the capture: `/^([^@]+)@corp\.com$`."#,
};

const SEPARATORS: [char; 5] = ['@', '/', '\\', ':', '|'];

/// The character right after group 1 in its concatenation, if it is a literal.
fn follower(h: &Hir) -> Option<char> {
    match h.kind() {
        HirKind::Concat(v) => {
            for (i, x) in v.iter().enumerate() {
                if matches!(x.kind(), HirKind::Capture(c) if c.index == 1) {
                    return match v.get(i + 1).map(Hir::kind) {
                        Some(HirKind::Literal(l)) => std::str::from_utf8(&l.0).ok()?.chars().next(),
                        _ => None,
                    };
                }
                if let Some(c) = follower(x) {
                    return Some(c);
                }
            }
            None
        }
        HirKind::Capture(c) => follower(&c.sub),
        HirKind::Alternation(v) => v.iter().find_map(follower),
        HirKind::Repetition(r) => follower(&r.sub),
        _ => None,
    }
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for r in &m.rules {
        if !r.substitutes() {
            continue;
        }
        let Some(hir) = r.regex.as_ref().and_then(|re| re.hir.as_ref()) else { continue };
        let Some(sep) = follower(hir).filter(|c| SEPARATORS.contains(c)) else { continue };
        let Some(at) = r.substitute_at else { continue };
        for cap in [format!("a{sep}evil.example"), format!("a{sep}b"), format!("{sep}a")] {
            let Some(id) = witness::witness(hir, Some((1, &cap))).and_then(|w| String::from_utf8(w).ok())
            else {
                continue;
            };
            let user = format!("{}{cap}{}", &r.user.text[..at], &r.user.text[at + 2..]);
            let expect = if m.is_cockroach() { identmap::normalize_username(&user) } else { user };
            if !eval::maps_to(m, r, &id, &expect) {
                continue;
            }
            out.push(
                Finding::new(
                    &INFO,
                    r.file,
                    r.ident.span,
                    format!("group 1 can contain the separator `{sep}` that follows it: the identity `{id}` produces the user `{expect}`"),
                )
                .primary(format!("`{sep}` can be captured"))
                .help(format!("exclude the separator from the capture, e.g. `([^{sep}]+)`")),
            );
            break;
        }
    }
}
