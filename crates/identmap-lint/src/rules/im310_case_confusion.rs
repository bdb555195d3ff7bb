//! IM310: case confusion.

use std::collections::HashMap;

use identmap::cockroach::CaseMode;

use crate::config::Severity;
use crate::lex::{self, Kind};
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM310",
    name: "case-confusion",
    default_severity: Severity::Warning,
    dialects: "all",
    summary: "Rules that differ only by case, upper-case text that case-insensitive matching makes dead, or a mixed-case literal in a case-sensitive dialect.",
    docs: r#"## What it does
Reports three kinds of case confusion:
- two rules of one map whose system identities differ only by case;
- in CockroachDB's case-insensitive mode (current releases), an upper-case range such as `[A-Z]`
  in a regex without its lower-case counterpart: matching ignores case, so the distinction is
  dead; and upper-case letters in a database user, which CockroachDB always lowercases;
- in a case-sensitive dialect (older CockroachDB, PostgreSQL), a literal identity in mixed case,
  which matches only that exact spelling.

## Why it matters
Identity providers do not agree on case (`Carl@Example.com` vs `carl@example.com`): a rule that
relies on case either does not do what it says, or stops working when the database (or the
provider) changes.

## Example
```text
https://idp.example.com Carl@Example.com carl
https://idp.example.com carl@example.com carl
```

## How to fix
Write identities and users in lower case and let the dialect's case handling do the rest; in a
case-sensitive dialect use `(?i)` where any case must match."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    let insensitive = m.is_cockroach() && m.case() == CaseMode::Insensitive;
    let mut seen: HashMap<(&str, String), usize> = HashMap::new();
    for (i, r) in m.rules.iter().enumerate() {
        let key = (r.map.text.as_str(), r.ident.text.to_lowercase());
        if let Some(&j) = seen.get(&key) {
            let e = &m.rules[j];
            if e.ident.text != r.ident.text {
                out.push(
                    Finding::new(
                        &INFO,
                        r.file,
                        r.ident.span,
                        format!("differs only by case from the identity on line {}", e.line),
                    )
                    .primary("same letters, other case")
                    .label(e.ident.span, "this one")
                    .help(if insensitive {
                        "matching ignores case: the rules match the same identities; keep one"
                    } else {
                        "matching is case-sensitive here: decide which spelling is meant, or use (?i)"
                    }),
                );
            }
        } else {
            seen.insert(key, i);
        }
        if insensitive {
            if let Some(re) = &r.regex {
                let toks = lex::tokens(&re.pattern, true);
                for t in toks.iter().filter(|t| t.kind == Kind::Class) {
                    let class = &re.pattern[t.at..t.at + t.len];
                    if class.contains("A-Z") && !class.contains("a-z") {
                        out.push(
                            Finding::new(&INFO, r.file, r.ident.span, format!("`{class}` also matches lower case: CockroachDB matches case-insensitively"))
                                .primary("case distinction is dead")
                                .help("write the class in lower case; matching ignores case anyway"),
                        );
                        break;
                    }
                }
            }
        }
        if m.is_cockroach() && r.user.text.chars().any(char::is_uppercase) {
            out.push(
                Finding::new(
                    &INFO,
                    r.file,
                    r.user.span,
                    format!(
                        "CockroachDB lowercases produced users: `{}` becomes `{}`",
                        r.user.text,
                        identmap::normalize_username(&r.user.text)
                    ),
                )
                .primary("upper case is dead here")
                .help("write the user in lower case"),
            );
        }
        if !insensitive && r.regex.is_none() {
            let t = &r.ident.text;
            if t.chars().any(char::is_uppercase) && t.chars().any(char::is_lowercase) {
                out.push(
                    Finding::new(&INFO, r.file, r.ident.span, format!("the mixed-case literal `{t}` matches only this exact spelling (matching is case-sensitive here)"))
                        .primary("exact case only")
                        .help("use the spelling the identity provider sends, or a regex with (?i)"),
                );
            }
        }
    }
}
