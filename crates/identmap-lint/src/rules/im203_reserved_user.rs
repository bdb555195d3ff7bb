//! IM203: a rule that can produce a reserved or privileged user.

use identmap::normalize_username;

use crate::config::Severity;
use crate::model::{Model, Rule, UserKind};
use crate::registry::RuleInfo;
use crate::{eval, witness, Finding};

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM203",
    name: "reserved-user",
    default_severity: Severity::Error,
    dialects: "all",
    summary: "A rule can produce a reserved or privileged user (error for a literal target, warning by substitution).",
    docs: r#"## What it does
Reports rules whose database user is, or can become, a reserved or privileged name: `root`,
`admin`, `node`, `public`, `none`, anything starting with `pg_` or `crdb_internal_` (for
PostgreSQL also `postgres`), plus the configured `reserved_users`. A literal target is an error.
For a `\1` substitution the linter builds an identity that makes the capture produce the name
(by putting the name where group 1 is and completing the rest of the pattern), **verifies it with
identmap's reference evaluator**, and reports it as a warning with that identity. It also says
whether CockroachDB itself refuses that user at login (`root`, `node`, `public`, `none`, `pg_*`
and `crdb_internal_*` are refused by the HBA mapper and for JWT logins; `admin` is not).

## Why it matters
`/^(.*)@corp\.com$ \1` lets anyone who can get the identity `root@corp.com` (or
`admin@corp.com`) issued become that user. Mapping to a privileged user should be an explicit,
reviewed, literal rule.

## Example
```text
https://idp.example.com /^(.*)@corp\.com$ \1
https://idp.example.com ops@corp.com root
```

## How to fix
Restrict the capture so it cannot produce those names (for example a prefix in the user:
`corp_\1`), or list the allowed users explicitly."#,
};

const BUILTIN: [&str; 5] = ["root", "admin", "node", "public", "none"];
const PREFIXES: [(&str, &str); 2] = [("pg_", "pg_read_all_data"), ("crdb_internal_", "crdb_internal_x")];

/// The reserved name `user` matches, if any (already normalized).
pub(crate) fn reserved_name(m: &Model<'_>, user: &str) -> Option<String> {
    if BUILTIN.contains(&user) || (!m.is_cockroach() && user == "postgres") {
        return Some(user.to_string());
    }
    if PREFIXES.iter().any(|(p, _)| user.starts_with(p)) {
        return Some(user.to_string());
    }
    m.config.reserved_users().iter().any(|r| r == user).then(|| user.to_string())
}

fn norm(m: &Model<'_>, s: &str) -> String {
    if m.is_cockroach() {
        normalize_username(s)
    } else {
        s.to_string()
    }
}

fn refusal(m: &Model<'_>, user: &str) -> &'static str {
    if !m.is_cockroach() {
        return "";
    }
    if identmap::cockroach::is_reserved(user) {
        " (CockroachDB itself refuses this user: the HBA mapper rejects the mapping and JWT logins as a reserved user are refused)"
    } else {
        " (CockroachDB does not refuse this user at login)"
    }
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for r in &m.rules {
        if r.user_kind != UserKind::Plain {
            continue;
        }
        if r.substitutes() {
            by_substitution(m, r, out);
        } else {
            let user = norm(m, &r.user.text);
            if let Some(name) = reserved_name(m, &user) {
                out.push(
                    Finding::new(&INFO, r.file, r.user.span, format!("this rule maps to the reserved user `{name}`{}", refusal(m, &name)))
                        .primary("reserved or privileged user")
                        .label(r.ident.span, "identities matching this")
                        .help("map to a dedicated, unprivileged user; privileged access should not come from an identity map"),
                );
            }
        }
    }
}

fn by_substitution(m: &Model<'_>, r: &Rule, out: &mut Vec<Finding>) {
    let Some(at) = r.substitute_at else { return };
    let Some(hir) = r.regex.as_ref().and_then(|re| re.hir.as_ref()) else { return };
    let (p, s) = (&r.user.text[..at], &r.user.text[at + 2..]);
    let (np, ns) = (norm(m, p), norm(m, s));
    // A literal prefix that is itself reserved: every produced user is.
    if let Some((pre, _)) = PREFIXES.iter().find(|(pre, _)| np.starts_with(pre)) {
        out.push(
            Finding::new(
                &INFO,
                r.file,
                r.user.span,
                format!(
                    "every user this rule produces starts with `{pre}`: all are reserved{}",
                    refusal(m, pre)
                ),
            )
            .primary("reserved prefix")
            .help("use a prefix that is not reserved"),
        );
        return;
    }
    // Candidate captures: what group 1 must be for the user to be each reserved name.
    let mut targets: Vec<String> = BUILTIN.iter().map(|s| (*s).to_string()).collect();
    if !m.is_cockroach() {
        targets.push("postgres".to_string());
    }
    targets.extend(PREFIXES.iter().map(|(_, ex)| (*ex).to_string()));
    targets.extend(m.config.reserved_users().iter().cloned());
    for target in targets {
        let Some(mid) = target.strip_prefix(np.as_str()).and_then(|t| t.strip_suffix(ns.as_str())) else {
            continue;
        };
        if mid.is_empty() {
            continue;
        }
        // Group 1 must be able to hold that many bytes (a cheap filter before the evaluator).
        if let Some(g) = witness::group(hir, 1) {
            let p = g.properties();
            if p.minimum_len().is_none_or(|n| mid.len() < n) || p.maximum_len().is_some_and(|x| mid.len() > x)
            {
                continue;
            }
        }
        let Some(id) = witness::witness(hir, Some((1, mid))).and_then(|w| String::from_utf8(w).ok()) else {
            continue;
        };
        let user = format!("{p}{mid}{s}");
        let expect = norm(m, &user);
        if reserved_name(m, &expect).is_none() || !eval::maps_to(m, r, &id, &expect) {
            continue;
        }
        out.push(
            Finding::new(
                &INFO,
                r.file,
                r.user.span,
                format!(
                    "the substitution can produce the reserved user `{expect}`: the identity `{id}` maps to it{}",
                    refusal(m, &expect)
                ),
            )
            .severity(Severity::Warning)
            .primary(format!("`{id}` → `{expect}`"))
            .label(r.ident.span, "group 1 can capture a reserved name")
            .help("restrict what group 1 can capture, or put a non-reserved prefix in the user (`corp_\\1`)"),
        );
        return;
    }
}
