//! IM204: a pattern that accepts (nearly) every identity.

use crate::config::Severity;
use crate::lang::{self, Domain, Outcome};
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::rules::im003_not_analysed as not_analysed;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM204",
    name: "matches-everything",
    default_severity: Severity::Warning,
    dialects: "all",
    summary: "The pattern accepts (nearly) every identity.",
    docs: r#"## What it does
Decides with a DFA whether the pattern matches every non-empty identity without control
characters (`/`, `/.*`, `/^(.*)$`, `/^.+$`). The check is exact: a pattern that rejects even one
such identity is not reported.

## Why it matters
Every identity the issuer vouches for gets the user. With `\1` anyone becomes whatever user
their identity spells, including privileged ones (see IM203).

## Example
```text
https://idp.example.com /^(.*)$ \1
```

## How to fix
Match only the identities meant, for example one domain: `/^([a-z0-9._-]+)@example\.com$`."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    let domain = Domain { utf8: true, printable: true, nonempty: true };
    for r in &m.rules {
        let Some(re) = &r.regex else { continue };
        let Some(hir) = &re.hir else { continue };
        // A pattern whose shortest match is 2 characters cannot match a 1-character identity.
        if hir.properties().minimum_len().is_none_or(|n| n >= 2) {
            continue;
        }
        let outcome = not_analysed::decide(&INFO, r, hir, |l| lang::some_non_member(l, domain), out);
        if outcome == Some(Outcome::None) {
            out.push(
                Finding::new(
                    &INFO,
                    r.file,
                    r.ident.span,
                    format!("`/{}` matches every identity", re.pattern),
                )
                .primary("accepts everything")
                .help("match only the identities meant, e.g. one domain: `/^([a-z0-9._-]+)@example\\.com$`"),
            );
        }
    }
}
