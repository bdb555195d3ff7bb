//! Checking a claim against identmap's reference evaluators: an example identity is reported
//! only when mapping it really gives what the finding says.

use identmap::normalize_username;
use identmap::postgres::{Decision, IdentFile, Roles};

use crate::model::{Model, Rule};

/// Longest example identity evaluated (the reference evaluator is a PikeVM: its time grows with
/// the identity times the pattern). Longer examples are not used, so nothing is claimed.
pub(crate) const MAX_EXAMPLE: usize = 512;

/// What the cockroach rule `r` alone produces for `identity` (before normalization), `None` when
/// it does not match or cannot be evaluated.
pub(crate) fn cockroach_produce(m: &Model<'_>, r: &Rule, identity: &str) -> Option<String> {
    if identity.len() > MAX_EXAMPLE {
        return None;
    }
    m.ruleset.as_ref()?.rules().get(r.index)?.produce(identity)
}

/// The user the cockroach rule `r` adds for `identity` (normalized; none for the empty user).
pub(crate) fn cockroach_users(m: &Model<'_>, r: &Rule, identity: &str) -> Option<Vec<String>> {
    let p = cockroach_produce(m, r, identity);
    Some(p.filter(|p| !p.is_empty()).map(|p| normalize_username(&p)).into_iter().collect())
}

/// Whether the cockroach rule `r` matches `identity` but produces the empty user.
pub(crate) fn cockroach_empty_user(m: &Model<'_>, r: &Rule, identity: &str) -> bool {
    cockroach_produce(m, r, identity).is_some_and(|p| p.is_empty())
}

fn pg_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Whether the postgres rule `r`, alone in a file, lets `system_user` log in as `role`.
pub(crate) fn postgres_allows(m: &Model<'_>, r: &Rule, system_user: &str, role: &str) -> bool {
    if system_user.len() > MAX_EXAMPLE {
        return false;
    }
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
        cockroach_produce(m, r, identity).is_some()
    } else {
        match (&r.regex, r.regex.as_ref().and_then(|re| re.hir.as_ref())) {
            _ if identity.len() > MAX_EXAMPLE => false,
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
