//! IM303: Perl-style delimiters `/^alice$/`.

use identmap::Span;

use crate::config::Severity;
use crate::lex::{self, Kind};
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM303",
    name: "perl-delimiters",
    default_severity: Severity::Error,
    dialects: "all",
    summary: "Perl-style delimiters `/^alice$/`: the trailing `/` is part of the pattern.",
    docs: r#"## What it does
Reports a regex that ends with an unescaped `/` after `$` or that starts with `^` and ends
with `/`: the author wrote `/…/` as in Perl or JavaScript. Only the leading `/` marks a regex;
the trailing one is a literal slash the identity must contain.

## Why it matters
`/^alice$/` requires a `/` after the end of the identity: it never matches (PostgreSQL users
hit this with `/^spiffe:\/\/…$/`). Without `$` the rule matches identities with a slash in them
only, which is not what was meant either.

## Example
```text
https://idp.example.com /^alice@example\.com$/ alice
```

## How to fix
Remove the trailing `/`. There is no automatic fix: removing it makes a rule that matched
nothing start matching, which must be a deliberate change."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    for r in &m.rules {
        let Some(re) = &r.regex else { continue };
        let toks = lex::tokens(&re.pattern, m.is_cockroach());
        let Some(last) = toks.last() else { continue };
        if last.kind != Kind::Plain('/') {
            continue;
        }
        let before_dollar = toks.len() >= 2 && toks[toks.len() - 2].kind == Kind::Plain('$');
        if !before_dollar && !re.pattern.starts_with('^') {
            continue;
        }
        let span =
            r.pattern_span(m).map_or(r.ident.span, |p| Span::new(p.start + last.at, p.start + last.at + 1));
        let what = if before_dollar { "it can never match" } else { "identities must contain a `/` here" };
        out.push(
            Finding::new(
                &INFO,
                r.file,
                span,
                format!(
                    "`/{}` ends with a Perl-style delimiter `/`: the slash is part of the pattern, so {what}",
                    re.pattern
                ),
            )
            .primary("literal `/`")
            .help("only the leading `/` marks a regex: remove the trailing `/`"),
        );
    }
}
