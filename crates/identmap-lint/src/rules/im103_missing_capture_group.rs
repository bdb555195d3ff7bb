//! IM103: `\1` in the user but no capture group in the pattern.

use identmap::cockroach::ErrorKind;

use crate::config::Severity;
use crate::model::{Model, ParseProblem, UserKind};
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM103",
    name: "missing-capture-group",
    default_severity: Severity::Error,
    dialects: "all",
    summary: "`\\1` in the user but the pattern has no capture group.",
    docs: r#"## What it does
Reports a database user that contains `\1` when the system-identity pattern has no capture group
(a literal, or a regex with only `(?:…)` groups).

## Why it matters
CockroachDB rejects the whole configuration (`saw \1 substitution on line N, but pattern contains
no subexpressions`). PostgreSQL loads the file but, when the regex matches, denies the login at
once and stops trying later lines (`regular expression "…" has no subexpressions as requested by
backreference`); with a literal system user `\1` is not substituted at all.

## Example
```text
https://idp.example.com /^.*@example\.com$ \1
```

## How to fix
Capture what the user should be: `/^(.*)@example\.com$ \1`, or write the user out."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for p in &m.problems {
        if let ParseProblem::Cockroach(e) = p {
            if e.kind() == ErrorKind::NoSubexpression {
                out.push(
                    Finding::new(&INFO, m.map_file, e.span(), e.message())
                        .primary("`\\1` has no group to take")
                        .help(e.help()),
                );
            }
        }
    }
    if m.is_cockroach() {
        return;
    }
    for r in &m.rules {
        let Some(at) = r.substitute_at else { continue };
        if r.user_kind != UserKind::Plain {
            continue;
        }
        let span = r
            .user
            .exact_span(m.text(r.file))
            .map_or(r.user.span, |s| identmap::Span::new(s.start + at, s.start + at + 2));
        match &r.regex {
            Some(re) if re.groups == 0 => out.push(
                Finding::new(
                    &INFO,
                    r.file,
                    span,
                    format!(
                        "regular expression \"{}\" has no subexpressions as requested by backreference in \"{}\": PostgreSQL denies at once when it matches and stops trying later lines",
                        re.pattern, r.user.text
                    ),
                )
                .primary("no group 1")
                .label(r.ident.span, "this pattern has no capture group")
                .help("add a capture group `(…)` to the pattern, or remove `\\1`"),
            ),
            None => out.push(
                Finding::new(
                    &INFO,
                    r.file,
                    span,
                    format!("`\\1` is only substituted after a regex; with the literal system user `{}` the role is literally `{}`", r.ident.text, r.user.text),
                )
                .primary("not substituted")
                .help("make the system user a regex with a capture group, or write the role out"),
            ),
            Some(_) => {}
        }
    }
}
