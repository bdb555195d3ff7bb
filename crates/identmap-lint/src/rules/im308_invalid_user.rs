//! IM308: the produced user can never be a valid SQL user.

use regex_syntax::hir::{Class, Hir, HirKind};

use crate::config::Severity;
use crate::model::{Model, Rule, UserKind};
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM308",
    name: "invalid-user",
    default_severity: Severity::Warning,
    dialects: "all",
    summary: "The produced user can never be a valid SQL user (starts with a digit, contains `@`, longer than 63 bytes).",
    docs: r#"## What it does
Reports users that can never be valid: for CockroachDB a user that starts with a digit, contains
`@` or is longer than 63 bytes; for PostgreSQL a role longer than 63 bytes (the requested role is
cut to 63 bytes, so it can never be equal). For a `\1` substitution it reports only when *every*
produced user is invalid: the template's literal text makes it so, or every string group 1 can
capture starts with a digit.

## Why it matters
The mapping never lets anyone in. Typically the capture took the whole e-mail address (`@`) or
a numeric id where a prefix was meant (`sa_\1`).

## Example
```text
https://idp.example.com /^(.*)$ \1
https://idp.example.com /^([0-9]+)@sa\.example\.net$ \1
```

## How to fix
Capture only the user part, or add a prefix: `sa_\1`."#,
};

fn problem(m: &Model<'_>, user: &str, whole: bool) -> Option<String> {
    if user.len() > 63 && whole {
        return Some(format!("it is {} bytes long (at most 63)", user.len()));
    }
    if !m.is_cockroach() {
        return None;
    }
    if whole && user.starts_with(|c: char| c.is_ascii_digit()) {
        return Some("it starts with a digit".to_string());
    }
    if user.contains('@') {
        return Some("it contains `@`".to_string());
    }
    None
}

/// The first characters group 1's strings can start with, when all of them are known.
fn first_digits_only(h: &Hir) -> bool {
    fn first(h: &Hir) -> Option<Vec<(u32, u32)>> {
        match h.kind() {
            HirKind::Literal(l) => {
                let c = std::str::from_utf8(&l.0).ok()?.chars().next()?;
                Some(vec![(c as u32, c as u32)])
            }
            HirKind::Class(Class::Unicode(u)) => {
                Some(u.iter().map(|r| (r.start() as u32, r.end() as u32)).collect())
            }
            HirKind::Class(Class::Bytes(b)) => {
                Some(b.iter().map(|r| (u32::from(r.start()), u32::from(r.end()))).collect())
            }
            HirKind::Capture(c) => first(&c.sub),
            HirKind::Repetition(r) if r.min >= 1 => first(&r.sub),
            HirKind::Concat(v) => first(v.first()?),
            HirKind::Alternation(v) => v.iter().map(first).try_fold(Vec::new(), |mut acc, x| {
                acc.extend(x?);
                Some(acc)
            }),
            _ => None,
        }
    }
    fn group1(h: &Hir) -> Option<&Hir> {
        match h.kind() {
            HirKind::Capture(c) if c.index == 1 => Some(h),
            HirKind::Capture(c) => group1(&c.sub),
            HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().find_map(group1),
            HirKind::Repetition(r) => group1(&r.sub),
            _ => None,
        }
    }
    group1(h).and_then(first).is_some_and(|rs| {
        !rs.is_empty() && rs.iter().all(|&(a, b)| a >= u32::from(b'0') && b <= u32::from(b'9'))
    })
}

fn report(out: &mut Vec<Finding>, r: &Rule, user: &str, why: &str) {
    out.push(
        Finding::new(
            &INFO,
            r.file,
            r.user.span,
            format!("the user `{user}` can never be a valid SQL user: {why}"),
        )
        .primary("invalid user")
        .help("capture only the user part, or add a prefix (`sa_\\1`)"),
    );
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for r in &m.rules {
        if r.user_kind != UserKind::Plain {
            continue;
        }
        let norm = |s: &str| if m.is_cockroach() { identmap::normalize_username(s) } else { s.to_string() };
        if !r.substitutes() {
            let u = norm(&r.user.text);
            if let Some(why) = problem(m, &u, true) {
                report(out, r, &u, &why);
            }
            continue;
        }
        let Some(at) = r.substitute_at else { continue };
        let (p, s) = (norm(&r.user.text[..at]), norm(&r.user.text[at + 2..]));
        let fixed = format!("{p}{s}");
        let why = if fixed.len() > 63 {
            Some(format!("its literal part alone is {} bytes long (at most 63)", fixed.len()))
        } else if m.is_cockroach() && fixed.contains('@') {
            Some("its literal part contains `@`".to_string())
        } else if m.is_cockroach() && p.starts_with(|c: char| c.is_ascii_digit()) {
            Some("it starts with a digit".to_string())
        } else if m.is_cockroach()
            && p.is_empty()
            && r.regex.as_ref().and_then(|re| re.hir.as_ref()).is_some_and(first_digits_only)
        {
            Some("group 1 always starts with a digit".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            report(out, r, &r.user.text, &why);
        }
    }
}
