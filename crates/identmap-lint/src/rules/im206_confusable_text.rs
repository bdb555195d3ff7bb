//! IM206: confusable or mixed-script characters in an identity or user.

use unicode_security::confusable_detection::skeleton;
use unicode_security::MixedScript;

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM206",
    name: "confusable-text",
    default_severity: Severity::Warning,
    dialects: "all",
    summary: "Confusable or mixed-script characters (Unicode look-alikes) in an identity or user.",
    docs: r#"## What it does
Checks the system identity and the database user of every rule for Unicode look-alikes (UTS #39,
with the `unicode-security` crate): text that mixes scripts (Latin `a` next to Cyrillic `а`), and
text in one non-Latin script whose skeleton is plain ASCII (it reads as an ASCII name but is
not).

## Why it matters
A rule for `аlice@example.com` (Cyrillic `а`) does not match `alice@example.com`; worse, a
reviewer cannot see the difference, and a look-alike identity may be registrable by someone
else.

## Example
```text
https://idp.example.com аlice@example.com alice
```

## How to fix
Retype the text in plain ASCII, or (if the non-ASCII text is intended) write it so that no mixed
scripts remain."#,
};

fn problem(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    if !text.is_single_script() {
        return Some(format!("`{text}` mixes scripts (Unicode look-alikes)"));
    }
    let skel: String = skeleton(text).collect();
    (skel.is_ascii() && skel != text).then(|| format!("`{text}` is confusable with the ASCII text `{skel}`"))
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for r in &m.rules {
        for (f, what) in [(&r.ident, "identity"), (&r.user, "user")] {
            if let Some(p) = problem(&f.text) {
                out.push(
                    Finding::new(&INFO, r.file, f.span, format!("the {what} {p}"))
                        .primary("look-alike characters")
                        .help("retype it in plain ASCII, or avoid mixing scripts"),
                );
            }
        }
    }
}
