//! IM101: a line without the fields the dialect needs.

use identmap::cockroach::ErrorKind;
use identmap::postgres::LoadErrorKind;

use crate::config::Severity;
use crate::model::{Model, ParseProblem};
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM101",
    name: "malformed-line",
    default_severity: Severity::Error,
    dialects: "all",
    summary: "A line does not have the fields the dialect needs.",
    docs: r#"## What it does
Reports a line the database cannot read as a rule (and, in a `.sql` input, a statement that
cannot be read: an unterminated string literal or comment). CockroachDB needs exactly three
white-space-separated fields (`<map-name> <system-identity> <database-user>`, no quoting);
PostgreSQL needs three fields of one token each (`missing entry at end of line`, `multiple
values in ident field`; 15 also refuses tokens over 10239 bytes).

## Why it matters
CockroachDB rejects the whole configuration at the first bad line (`SET CLUSTER SETTING` fails);
PostgreSQL keeps the previous file on reload and loads no map at all at startup.

## Example
```text
https://idp.example.com alice@example.com
```

## How to fix
Give every rule its three fields. In PostgreSQL quote a token that contains a comma, a `#` or
blanks (`"/^(.*)@a,b$"`)."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for p in &m.problems {
        match p {
            ParseProblem::Cockroach(e) if e.kind() == ErrorKind::Fields => {
                out.push(
                    Finding::new(&INFO, m.map_file, e.span(), e.message())
                        .primary("not three fields")
                        .help(e.help()),
                );
            }
            ParseProblem::Postgres { file, error } => {
                let ok = matches!(
                    error.kind(),
                    LoadErrorKind::MissingEntry | LoadErrorKind::MultipleValues | LoadErrorKind::TokenTooLong
                );
                if ok {
                    out.push(
                        Finding::new(&INFO, *file, error.location().span(), error.message())
                            .primary(error.message())
                            .help("a map line is `<map-name> <system-user> <database-user>`, one token each; quote tokens with commas, `#` or blanks"),
                    );
                }
            }
            ParseProblem::Sql(e) => out.push(
                Finding::new(
                    &INFO,
                    0,
                    e.span(),
                    format!("the SQL file cannot be read here: {}", e.message()),
                )
                .primary(e.message())
                .help("every statement is `SET CLUSTER SETTING name = 'value';`"),
            ),
            ParseProblem::Cockroach(_) => {}
        }
    }
}
