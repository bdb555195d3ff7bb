//! IM207: the target `all`, or `+role` on a broad pattern (PostgreSQL 16+).

use crate::config::Severity;
use crate::model::{Model, UserKind};
use crate::registry::RuleInfo;
use crate::rules::im201_unanchored_regex::anchored;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM207",
    name: "all-roles",
    default_severity: Severity::Warning,
    dialects: "postgres 16+",
    summary: "The target `all` (any role, superusers included) or `+role` on a broad pattern.",
    docs: r#"## What it does
Reports an unquoted `all` in the database-user field (PostgreSQL 16+: the identity may log in as
*any* role, superusers included), and an unquoted `+role` membership check whose system-user
pattern is an unanchored regex.

## Why it matters
`all` hands every role, including `postgres`, to whoever matches the system-user field.
`+role` is safer, but on a broad pattern it still lets anyone who matches pick any member role.

## Example
```text
certmap /^(.*)@example\.com$ all
```

## How to fix
Name the roles (or one group with `+group` on an anchored pattern). To mean a role literally
called `all`, quote it: `"all"`."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    if m.pg_version().is_none_or(|v| !v.has_includes()) {
        return;
    }
    for r in &m.rules {
        match r.user_kind {
            UserKind::All => out.push(
                Finding::new(
                    &INFO,
                    r.file,
                    r.user.span,
                    "`all` lets a matching system user log in as any role, superusers included",
                )
                .primary("any role")
                .label(r.ident.span, "whoever matches this")
                .help("name the roles, or use `+group`; quote `\"all\"` for a role literally called all"),
            ),
            UserKind::Member => {
                let broad = r
                    .regex
                    .as_ref()
                    .and_then(|re| re.hir.as_ref())
                    .is_some_and(|h| anchored(h) != (true, true));
                if broad {
                    out.push(
                        Finding::new(
                            &INFO,
                            r.file,
                            r.user.span,
                            format!("`{}` on an unanchored pattern: anyone whose name contains a match may log in as any member of the role", r.user.text),
                        )
                        .primary("membership check")
                        .label(r.ident.span, "unanchored")
                        .help("anchor the system-user pattern (`^…$`)"),
                    );
                }
            }
            UserKind::Plain | UserKind::Regex => {}
        }
    }
}
