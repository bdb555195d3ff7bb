//! IM307: the substitution can produce an empty user.

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::{eval, witness, Finding};

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM307",
    name: "empty-user",
    default_severity: Severity::Warning,
    dialects: "cockroach",
    summary: "The substitution can produce an empty user: CockroachDB then treats the rule as not matching.",
    docs: r#"## What it does
For a user that is exactly `\1`, builds an identity for which group 1 captures nothing and checks
with the reference evaluator that the rule then produces the empty user.

## Why it matters
CockroachDB uses the empty string to mean "no match": the identity silently gets no user from
this rule. With `(.*)` it is usually a sign that `+` was meant.

## Example
```text
https://idp.example.com /^(.*)@example\.com$ \1
```
(the identity `@example.com` gives no user)

## How to fix
Require at least one character: `/^(.+)@example\.com$` or `([^@]+)`."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    if !m.is_cockroach() {
        return;
    }
    for r in &m.rules {
        if !r.substitutes() || r.user.text != "\\1" {
            continue;
        }
        let Some(hir) = r.regex.as_ref().and_then(|re| re.hir.as_ref()) else { continue };
        let Some(id) = witness::witness(hir, Some((1, ""))).and_then(|w| String::from_utf8(w).ok()) else {
            continue;
        };
        if eval::cockroach_empty_user(m, r, &id) {
            out.push(
                Finding::new(
                    &INFO,
                    r.file,
                    r.user.span,
                    format!("group 1 can be empty: the identity `{id}` produces the empty user, which CockroachDB treats as no match"),
                )
                .primary("can be empty")
                .label(r.ident.span, "group 1 can capture nothing")
                .help("require at least one character in group 1 (`+` instead of `*`)"),
            );
        }
    }
}
