//! Checking a claim against identmap's reference evaluators: an example identity is reported
//! only when mapping it really gives what the finding says.

use identmap::cockroach::{Options, Ruleset, StepOutcome};
use identmap::postgres::{Decision, IdentFile, Roles};

use crate::model::{Model, Rule};

/// The rule alone, as the database parses it.
fn single(m: &Model<'_>, r: &Rule) -> Option<Ruleset> {
    let line = format!("{} {} {}", r.map.text, r.ident.text, r.user.text);
    Ruleset::parse(&line, Options::new().case(m.case())).ok()
}

/// What the cockroach rule `r` does with `identity`: the users it adds (normalized), or `None`
/// when the rule cannot be evaluated.
pub(crate) fn cockroach_users(m: &Model<'_>, r: &Rule, identity: &str) -> Option<Vec<String>> {
    Some(single(m, r)?.map(&r.map.text, identity).into_users())
}

/// Whether the cockroach rule `r` matches `identity` but produces the empty user.
pub(crate) fn cockroach_empty_user(m: &Model<'_>, r: &Rule, identity: &str) -> bool {
    single(m, r).is_some_and(|rs| {
        rs.explain(&r.map.text, identity).steps.iter().any(|s| s.outcome == StepOutcome::EmptyUser)
    })
}

fn pg_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Whether the postgres rule `r`, alone in a file, lets `system_user` log in as `role`.
pub(crate) fn postgres_allows(m: &Model<'_>, r: &Rule, system_user: &str, role: &str) -> bool {
    let Some(v) = m.pg_version() else { return false };
    // Quoting keeps every token's text; the database-user keywords are not used by the callers.
    let line = format!("{} {} {}\n", pg_quote(&r.map.text), pg_quote(&r.ident.text), pg_quote(&r.user.text));
    let file = IdentFile::parse_str(&line, v);
    let check = file.check(&r.map.text, system_user, role, false, &Roles::new());
    *check.decision() == Decision::Allow
}

/// Whether rule `r` maps `identity` to `user` (normalized for cockroach), per the reference
/// evaluator of the dialect.
pub(crate) fn maps_to(m: &Model<'_>, r: &Rule, identity: &str, user: &str) -> bool {
    if m.is_cockroach() {
        cockroach_users(m, r, identity).is_some_and(|u| u.iter().any(|x| x == user))
    } else {
        postgres_allows(m, r, identity, user)
    }
}

/// Whether rule `r` matches `identity` at all.
pub(crate) fn matches(m: &Model<'_>, r: &Rule, identity: &str) -> bool {
    if m.is_cockroach() {
        single(m, r).is_some_and(|rs| rs.explain(&r.map.text, identity).steps.iter().any(|s| s.matched()))
    } else {
        match (&r.regex, r.regex.as_ref().and_then(|re| re.hir.as_ref())) {
            (Some(_), Some(hir)) => {
                let re = regex_automata::meta::Builder::new()
                    .configure(
                        regex_automata::meta::Config::new().utf8_empty(false).nfa_size_limit(Some(8 << 20)),
                    )
                    .build_from_hir(hir);
                re.is_ok_and(|re| re.is_match(regex_automata::Input::new(identity.as_bytes())))
            }
            (Some(_), None) => false,
            (None, _) => r.ident.text == identity,
        }
    }
}
