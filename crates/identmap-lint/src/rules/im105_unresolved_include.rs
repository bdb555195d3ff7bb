//! IM105: an include or `@file` that cannot be resolved, or nesting deeper than 10.

use identmap::postgres::LoadErrorKind;

use crate::config::Severity;
use crate::model::{Model, ParseProblem};
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM105",
    name: "unresolved-include",
    default_severity: Severity::Error,
    dialects: "postgres",
    summary: "An include or `@file` that cannot be resolved, or nesting deeper than 10.",
    docs: r#"## What it does
Follows `@file`, `include`, `include_if_exists` and `include_dir` as PostgreSQL does (relative to
the including file) and reports files that cannot be opened and nesting deeper than 10 levels.

## Why it matters
PostgreSQL counts the whole file as broken: on reload the previous map stays in force (your
change silently does not apply), at startup no map is loaded at all.

## Example
```text
include mappings.d/partners.conf
```
when `mappings.d/partners.conf` does not exist.

## How to fix
Fix the path, create the file, or use `include_if_exists` for an optional file."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    if let Some(e) = &m.unreadable {
        if m.pg_version().is_some() {
            out.push(
                Finding::new(
                    &INFO,
                    m.map_file,
                    identmap::Span::empty(0),
                    format!("the file cannot be read: {}", e.reason()),
                )
                .primary("unreadable"),
            );
        }
    }
    for p in &m.problems {
        let ParseProblem::Postgres { file, error } = p else { continue };
        if matches!(
            error.kind(),
            LoadErrorKind::FileNotFound
                | LoadErrorKind::CannotOpen
                | LoadErrorKind::NestingTooDeep
                | LoadErrorKind::Refused
        ) {
            out.push(
                Finding::new(&INFO, *file, error.location().span(), error.message())
                    .primary("cannot be resolved")
                    .help("fix the path (relative to this file), or use `include_if_exists` for an optional file; nesting is limited to 10 levels"),
            );
        }
    }
}
