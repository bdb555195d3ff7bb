//! IM301: a map name that is not a configured issuer.

use std::collections::HashSet;

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM301",
    name: "issuer-mismatch",
    default_severity: Severity::Warning,
    dialects: "all (with SSO settings)",
    summary:
        "The map name differs from a configured issuer (trailing slash, case, scheme) or is not among them.",
    docs: r#"## What it does
With the SSO settings, compares every map name of the identity map with the configured issuers
(`server.jwt_authentication.issuers.configuration`, any of its three forms). For JWT logins the
map name *is* the token's `iss`, compared byte for byte.

## Why it matters
`https://accounts.google.com/` (trailing slash) and `https://accounts.google.com` are different
issuers: the rules under the other spelling are never used, and every login from that issuer
falls back to the token's own principal (or fails). The documentation itself shows both forms.

## Example
```sql
SET CLUSTER SETTING server.jwt_authentication.issuers.configuration = 'https://accounts.google.com';
SET CLUSTER SETTING server.identity_map.configuration = 'https://accounts.google.com/ /^(.*)@example\.com$ \1';
```

## How to fix
Spell the map name exactly as the issuer (`iss`) is configured and issued."#,
};

fn strip_scheme(s: &str) -> &str {
    s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).unwrap_or(s)
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    if !m.is_cockroach() {
        return;
    }
    let Some((sso, _)) = &m.sso else { return };
    let issuers: Vec<&str> = sso.issuers().iter().collect();
    if issuers.is_empty() {
        return;
    }
    let mut seen = HashSet::new();
    for r in &m.rules {
        let name = r.map.text.as_str();
        if !seen.insert(name) || sso.issuers().contains(name) {
            continue;
        }
        let near = issuers.iter().find_map(|iss| {
            let how = if iss.trim_end_matches('/') == name.trim_end_matches('/') {
                "a trailing slash"
            } else if iss.eq_ignore_ascii_case(name) {
                "case"
            } else if strip_scheme(iss) == strip_scheme(name) {
                "the scheme"
            } else if strip_scheme(iss)
                .trim_end_matches('/')
                .eq_ignore_ascii_case(strip_scheme(name).trim_end_matches('/'))
            {
                "spelling (slash, case or scheme)"
            } else {
                return None;
            };
            Some((*iss, how))
        });
        let looks_like_issuer = name.contains("://") || name.contains('.');
        let msg = match near {
            Some((iss, how)) => format!(
                "the map name `{name}` differs from the configured issuer `{iss}` only by {how}: tokens carry `iss` exactly, so these rules are never used"
            ),
            None if looks_like_issuer => format!(
                "the map name `{name}` is not among the configured issuers ({}): JWT logins never use these rules",
                issuers.join(", ")
            ),
            None => continue,
        };
        out.push(
            Finding::new(&INFO, r.file, r.map.span, msg)
                .primary("map name")
                .help("spell the map name exactly as the issuer is configured"),
        );
    }
}
