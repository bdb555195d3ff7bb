//! IM003: an analysis that could not decide within identmap's limits says so.

use crate::config::Severity;
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

/// The finding for `rule` (the rule that could not decide) on `r`'s pattern.
pub(crate) fn finding(rule: &RuleInfo, r: &Rule, why: &str) -> Finding {
    Finding::new(&INFO, r.file, r.ident.span, format!("{} ({}) not analysed: {why}", rule.code, rule.name))
        .primary("not analysed")
        .help("review this pattern by hand for what the rule checks")
}

/// Why [`crate::lang::Lang::new`] gave up.
pub(crate) const TOO_BIG: &str = "the pattern's automaton exceeds identmap's size limits";
/// Why a bounded search gave up.
pub(crate) const BUDGET: &str = "the search exceeded its state budget";
