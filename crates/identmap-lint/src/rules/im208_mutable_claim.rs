//! IM208: the configured JWT claim is mutable or user-controlled.

use identmap::sso::Claim;
use identmap::Span;

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM208",
    name: "mutable-claim",
    default_severity: Severity::Info,
    dialects: "sso",
    summary: "The configured claim is mutable or user-controlled where `sub`/`oid` would do.",
    docs: r#"## What it does
With the SSO settings (from the `.sql` file or the configuration), reports a
`server.jwt_authentication.claim` of `email`, `preferred_username`, `upn`, `unique_name` or
`name`.

## Why it matters
These claims can change, be reused after an account is deleted, or (depending on the identity
provider) be set by the user. The subject `sub` (or Microsoft's `oid`) is stable and unique per
issuer.

## Example
```sql
SET CLUSTER SETTING server.jwt_authentication.claim = 'email';
```

## How to fix
Use `sub` (leave the claim empty) or an immutable identifier claim, and map those identifiers."#,
};

const MUTABLE: [&str; 5] = ["email", "preferred_username", "upn", "unique_name", "name"];

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    if !m.is_cockroach() {
        return;
    }
    let Some((sso, file)) = &m.sso else { return };
    let name = match sso.claim() {
        Claim::Name(n) => n.as_str(),
        Claim::Pointer(p) => p.rsplit('/').next().unwrap_or(p),
        Claim::Subject => return,
    };
    if !MUTABLE.contains(&name) {
        return;
    }
    let (file, span) = match (file, sso.value_span("server.jwt_authentication.claim")) {
        (Some(f), Some(s)) => (*f, s),
        _ => (m.map_file, Span::empty(0)),
    };
    out.push(
        Finding::new(
            &INFO,
            file,
            span,
            format!("the JWT claim `{name}` is mutable or user-controlled; `sub` (or `oid`) is stable"),
        )
        .primary("mutable claim")
        .help("use the subject (`sub`, an empty claim setting) or an immutable identifier claim"),
    );
}
