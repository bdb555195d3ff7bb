//! IM003: an analysis that could not decide within identmap's limits says so.

use regex_syntax::hir::Hir;

use crate::config::Severity;
use crate::lang::{Lang, Outcome};
use crate::model::Rule;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM003",
    name: "not-analysed",
    default_severity: Severity::Info,
    dialects: "all",
    summary: "A language analysis could not decide this pattern within identmap's size limits.",
    docs: r"## What it does
The rules that reason about the set of identities a pattern matches (IM204 matches-everything,
IM306 never-matches) build a DFA of the pattern under explicit size limits and search it under a
state budget. When a limit is hit the analysis has no answer; instead of guessing, the linter
reports this finding naming the rule that could not decide. It is never a verdict about the
pattern itself.

## Why it matters
A silent linter reads as a clean bill of health. Saying *not analysed* tells the reviewer that
this one pattern was not checked by that rule, so a person has to look at it.

## Example
```text
https://idp.example.com /^(?:|[a-z]*a[a-z]{25})$ x
```

## How to fix
Usually nothing is wrong. Simplify the pattern if you can (counted repetitions after an
unbounded one blow up automata), or suppress with a reason:
`# identmap: allow IM003 — reviewed by hand`.",
};

/// Build the language of `r`'s pattern `hir` and run `search` on it for `rule`. When either
/// gives up (DFA over the size limits, search over its budget), push the IM003 finding and
/// return `None`: the caller reports nothing of its own.
pub(crate) fn decide(
    rule: &RuleInfo,
    r: &Rule,
    hir: &Hir,
    search: impl FnOnce(&Lang) -> Outcome,
    out: &mut Vec<Finding>,
) -> Option<Outcome> {
    let why = match Lang::new(hir).map(|l| search(&l)) {
        Some(Outcome::Unknown) => "the search exceeded its state budget",
        Some(outcome) => return Some(outcome),
        None => "the pattern's automaton exceeds identmap's size limits",
    };
    out.push(
        Finding::new(
            &INFO,
            r.file,
            r.ident.span,
            format!("{} ({}) not analysed: {why}", rule.code, rule.name),
        )
        .primary("not analysed")
        .help("review this pattern by hand for what the rule checks"),
    );
    None
}
