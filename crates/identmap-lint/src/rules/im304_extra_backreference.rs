//! IM304: `\2`…`\9`, or a second `\1`, in the user.

use identmap::Span;

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM304",
    name: "extra-backreference",
    default_severity: Severity::Warning,
    dialects: "all",
    summary: "`\\2`…`\\9`, or a second `\\1`, in the user: only the first `\\1` is ever replaced.",
    docs: r#"## What it does
Reports `\2` … `\9` and every `\1` after the first in the database-user field.

## Why it matters
Both databases replace only the first `\1` with group 1. Everything else stays literal: the user
`\1_\2` becomes `alice_\2`, which is almost never a real user.

## Example
```text
https://idp.example.com /^(.*)@(.*)$ \2_\1
```

## How to fix
Restructure so that the user needs only group 1 once (capture the whole part you need in
group 1)."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for r in &m.rules {
        if r.regex.is_none() {
            continue;
        }
        let u = &r.user.text;
        let exact = r.user.exact_span(m.text(r.file));
        let mut first = true;
        let bytes = u.as_bytes();
        let mut i = 0;
        while i + 1 < bytes.len() {
            if bytes[i] == b'\\' && bytes[i + 1].is_ascii_digit() && bytes[i + 1] != b'0' {
                let is_one = bytes[i + 1] == b'1';
                if !(is_one && first) {
                    let span = exact.map_or(r.user.span, |s| Span::new(s.start + i, s.start + i + 2));
                    let what = if is_one {
                        "a second `\\1`".to_string()
                    } else {
                        format!("`\\{}`", char::from(bytes[i + 1]))
                    };
                    out.push(
                        Finding::new(&INFO, r.file, span, format!("{what} in `{u}` is never substituted: only the first `\\1` is; this stays literal text"))
                            .primary("stays literal")
                            .help("only the first `\\1` (group 1) is ever substituted"),
                    );
                }
                if is_one {
                    first = false;
                }
                i += 2;
                continue;
            }
            i += 1;
        }
    }
}
