//! IM306: a rule that can never match.

use regex_syntax::hir::{Hir, HirKind, Look};

use crate::config::Severity;
use crate::lang::{self, Domain, Outcome};
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::rules::im003_not_analysed as not_analysed;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM306",
    name: "never-matches",
    default_severity: Severity::Warning,
    dialects: "all",
    summary: "A rule that can never match: its pattern accepts no identity.",
    docs: r#"## What it does
Decides with a DFA whether any (valid UTF-8) identity matches the pattern: contradictory
anchors (`^alice$/`, `a^b`), empty classes and the like accept nothing.

## Why it matters
The rule does nothing, yet it reads as if it grants access: someone expects it to work and it
silently does not.

## Example
```text
https://idp.example.com /^alice$/ alice
```

## How to fix
Correct the pattern (here: drop the trailing `/`), or delete the rule."#,
};

/// Cheap proof of non-emptiness: `[^] middle [$]` with no assertion in the middle and a
/// satisfiable length.
fn obviously_nonempty(h: &Hir) -> bool {
    if h.properties().minimum_len().is_none() {
        return false;
    }
    let parts: &[Hir] = match h.kind() {
        HirKind::Concat(v) => v,
        _ => std::slice::from_ref(h),
    };
    let mut inner = parts;
    if let Some((f, rest)) = inner.split_first() {
        if matches!(f.kind(), HirKind::Look(Look::Start)) {
            inner = rest;
        }
    }
    if let Some((l, rest)) = inner.split_last() {
        if matches!(l.kind(), HirKind::Look(Look::End)) {
            inner = rest;
        }
    }
    inner.iter().all(|x| x.properties().look_set().is_empty() && x.properties().minimum_len().is_some())
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for r in &m.rules {
        let Some(re) = &r.regex else { continue };
        let Some(hir) = &re.hir else { continue };
        if obviously_nonempty(hir) {
            continue;
        }
        let domain =
            if m.is_cockroach() { Domain::ANY_UTF8 } else { Domain { utf8: false, ..Domain::ANY_UTF8 } };
        let outcome = not_analysed::decide(&INFO, r, hir, |l| lang::some_member(l, domain), out);
        if outcome == Some(Outcome::None) {
            out.push(
                Finding::new(
                    &INFO,
                    r.file,
                    r.ident.span,
                    format!("`/{}` matches no identity: this rule never applies", re.pattern),
                )
                .primary("matches nothing")
                .help("correct the pattern, or delete the rule"),
            );
        }
    }
}
