//! IM302: a `#` inside a pattern or user starts a comment.

use identmap::Span;

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM302",
    name: "hash-in-field",
    default_severity: Severity::Error,
    dialects: "all",
    summary: "A `#` inside a field starts a comment: the rest of the line is cut.",
    docs: r#"## What it does
Reports a `#` that is glued to a field (not preceded by white space). CockroachDB cuts every
line at its first `#`, whatever surrounds it; PostgreSQL does the same for an unquoted `#`.

## Why it matters
`m /^a#b$ u` becomes `m /^a`: two fields and a rejected configuration, or (when three fields
remain) a different rule than written, e.g. an unanchored regex.

## Example
```text
https://idp.example.com /^team#(.*)$ \1
```

## How to fix
Avoid `#` in CockroachDB maps (`\x23` in a regex); in PostgreSQL quote the token
(`"/^team#(.*)$"`)."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    let files: Vec<usize> = if m.is_cockroach() {
        vec![m.map_file]
    } else {
        (0..m.files.len()).filter(|&i| m.files[i].inside.is_none()).collect()
    };
    for file in files {
        let text = m.text(file);
        let limit = m.truncation.as_ref().map_or(text.len(), |t| t.span().start);
        let mut start = 0;
        for line in text[..limit].split('\n') {
            if let Some(at) = hash_at(line, m.is_cockroach()) {
                let before = &line[..at];
                let glued = before.chars().next_back().is_some_and(|c| !c.is_whitespace());
                if glued && !before.trim().is_empty() && !line[at + 1..].trim_start().starts_with("identmap:")
                {
                    let cut = line[at..].trim_end_matches('\r');
                    out.push(
                        Finding::new(
                            &INFO,
                            file,
                            Span::new(start + at, start + at + 1),
                            format!("`#` starts a comment even inside a field: `{cut}` is cut from the line"),
                        )
                        .primary("comment starts here")
                        .help(if m.is_cockroach() {
                            "CockroachDB has no escape for `#` in a map line; in a regex write `\\x23`"
                        } else {
                            "quote the token: `\"…#…\"`"
                        }),
                    );
                }
            }
            start += line.len() + 1;
        }
    }
}

/// The comment's `#`: the first one (cockroach), or the first outside quotes (postgres).
fn hash_at(line: &str, cockroach: bool) -> Option<usize> {
    if cockroach {
        return line.find('#');
    }
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}
