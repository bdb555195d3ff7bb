//! IM102: a regex the target engine does not compile.

use identmap::cockroach::ErrorKind;
use identmap::postgres::LoadErrorKind;

use crate::config::Severity;
use crate::model::{Model, ParseProblem};
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM102",
    name: "invalid-regex",
    default_severity: Severity::Error,
    dialects: "all",
    summary: "The regex does not compile in the target's engine.",
    docs: r#"## What it does
Compiles every `/regex` with the target's own syntax (Go's RE2 for CockroachDB, PostgreSQL's ARE)
and reports the engine's error at the offending part of the pattern.

## Why it matters
CockroachDB refuses the whole configuration; PostgreSQL refuses the file (on reload the old map
stays in force). The documentation's own example `/^([9-0]*)$` is rejected by Go:
`invalid character class range: 9-0`.

## Example
```text
https://accounts.google.com /^([9-0]*)$ \1
```

## How to fix
Correct the pattern in the target's dialect: `/^([0-9]*)$`. Remember that Go is not Perl or
Rust (no look-around, no back-references, repetition counts up to 1000) and that ARE rejects
repetition counts above 255."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for p in &m.problems {
        match p {
            ParseProblem::Cockroach(e) if matches!(e.kind(), ErrorKind::Regex | ErrorKind::TooLarge) => {
                out.push(
                    Finding::new(&INFO, m.map_file, e.span(), e.message())
                        .primary("the engine rejects this")
                        .help(e.help()),
                );
            }
            ParseProblem::Postgres { file, error } if error.kind() == LoadErrorKind::InvalidRegex => {
                out.push(
                    Finding::new(&INFO, *file, error.location().span(), error.message())
                        .primary("PostgreSQL rejects this regex")
                        .help("the pattern is a PostgreSQL ARE (advanced regular expression)"),
                );
            }
            _ => {}
        }
    }
}
