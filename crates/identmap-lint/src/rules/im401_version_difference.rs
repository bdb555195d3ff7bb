//! IM401: the meaning differs between PostgreSQL 15 and 16+.

use identmap::Span;

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM401",
    name: "version-difference",
    default_severity: Severity::Warning,
    dialects: "postgres",
    summary:
        "The meaning differs between PostgreSQL 15 and 16+ (`all`, `+x`, `/x` in the user field; includes).",
    docs: r#"## What it does
Reports what PostgreSQL 15 and 16+ read differently: an unquoted `all`, `+role` or `/regex` in
the database-user field (16+: keywords and regexes; 15: literal role names), and `include`,
`include_if_exists`, `include_dir` lines (16+: directives; 15: a broken two-field line).

## Why it matters
The same file grants different access after an upgrade (or a downgrade, or on a replica of
another version); 15 refuses a file with include lines altogether.

## Example
```text
certmap /^(.*)@example\.com$ +staff
include more_maps.conf
```

## How to fix
Quote a literal role name (`"all"`, `"+staff"`), and keep include directives for 16+ clusters."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    let Some(v) = m.pg_version() else { return };
    for r in &m.rules {
        if r.user.quoted {
            continue;
        }
        let t = &r.user.text;
        let what = if t == "all" {
            "`all` is any role in 16+ and a role named `all` in 15"
        } else if t.starts_with('+') {
            "`+role` is a membership check in 16+ and a role name starting with `+` in 15"
        } else if t.starts_with('/') {
            "`/…` is a regex in 16+ and a role name starting with `/` in 15"
        } else {
            continue;
        };
        out.push(
            Finding::new(&INFO, r.file, r.user.span, format!("{what} (linting for {v})"))
                .primary("version-dependent")
                .help("quote it (`\"…\"`) to mean the literal role name in every version"),
        );
    }
    for (i, f) in m.files.iter().enumerate().filter(|(_, f)| f.inside.is_none()) {
        let mut start = 0;
        for line in f.text.split('\n') {
            let words: Vec<&str> = line.split('#').next().unwrap_or("").split_whitespace().collect();
            if words.len() == 2
                && matches!(words[0].trim_matches('"'), "include" | "include_if_exists" | "include_dir")
            {
                let at = start + line.find(words[0]).unwrap_or(0);
                out.push(
                    Finding::new(
                        &INFO,
                        i,
                        Span::new(at, at + words[0].len()),
                        format!("`{}` is a directive in PostgreSQL 16+ only; 15 reads it as a broken map line and refuses the file (linting for {v})", words[0].trim_matches('"')),
                    )
                    .primary("16+ only")
                    .help("keep include directives for 16+ clusters"),
                );
            }
            start += line.len() + 1;
        }
    }
}
