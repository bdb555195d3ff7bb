//! IM305: a duplicate rule, or one shadowed by an earlier rule.

use std::collections::HashMap;

use identmap::normalize_username;
use regex_syntax::hir::{Class, Hir, HirKind, Look, LookSet};

use crate::config::Severity;
use crate::lang::{self, Domain, Lang, Outcome};
use crate::model::{Model, Rule, UserKind};
use crate::registry::RuleInfo;
use crate::{eval, Finding};

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM305",
    name: "shadowed-rule",
    default_severity: Severity::Warning,
    dialects: "all",
    summary: "A duplicate rule, or one shadowed by an earlier rule that already maps the same identities to the same user.",
    docs: r#"## What it does
Reports a rule whose every identity is already mapped to the same user by an earlier rule of
the same map: exact duplicates (found by hashing), literal identities an earlier regex already
maps to the same user (found with one multi-pattern automaton per map, then proved by language
inclusion of DFAs and checked with the reference evaluator), and regexes with a literal user
that an earlier regex with the same user includes (DFA language inclusion, for groups small
enough to compare pairwise within a fixed budget; larger groups are not analysed).

## Why it matters
The later rule does nothing. Usually it was meant to do something else (a typo in the user or
the pattern), or it is left over and misleads the next reader.

## Example
```text
https://idp.example.com /^(.*)@example\.com$ \1
https://idp.example.com alice@example.com alice
```

## How to fix
Delete the redundant rule, or correct it to what it was meant to do."#,
};

/// Pairs of regex rules compared by DFA inclusion, at most, per lint run.
const PAIR_BUDGET: usize = 4_000;
/// Most regexes tried on one literal identity.
const CANDIDATE_LIMIT: usize = 256;
/// Largest group of regex rules with one literal user compared pairwise.
const GROUP_LIMIT: usize = 64;

fn user_key(m: &Model<'_>, r: &Rule) -> String {
    if m.is_cockroach() && !r.substitutes() {
        normalize_username(&r.user.text)
    } else {
        format!("{}{}", if r.user.quoted { "\"" } else { "" }, r.user.text)
    }
}

fn ident_key(m: &Model<'_>, r: &Rule) -> String {
    let t = &r.ident.text;
    if m.is_cockroach()
        && r.regex.is_none()
        && m.case() == identmap::cockroach::CaseMode::Insensitive
        && t.is_ascii()
    {
        t.to_ascii_lowercase()
    } else {
        t.clone()
    }
}

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    // 1. Duplicates, by hashing.
    let mut first: HashMap<(&str, String, String), usize> = HashMap::new();
    let mut dup = vec![false; m.rules.len()];
    for (i, r) in m.rules.iter().enumerate() {
        let key = (r.map.text.as_str(), ident_key(m, r), user_key(m, r));
        match first.get(&key) {
            Some(&j) => {
                dup[i] = true;
                let e = &m.rules[j];
                out.push(
                    Finding::new(&INFO, r.file, r.span, format!("duplicate of the rule on line {}", e.line))
                        .primary("does nothing")
                        .label(e.span, "same rule")
                        .help("delete one of them"),
                );
            }
            None => {
                first.insert(key, i);
            }
        }
    }
    // Per map, the rules with a plain user (`all`, `+role` and `/regex` users are left out).
    let mut maps: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in m.rules.iter().enumerate() {
        if r.user_kind == UserKind::Plain {
            maps.entry(r.map.text.as_str()).or_default().push(i);
        }
    }
    let mut names: Vec<&&str> = maps.keys().collect();
    names.sort();
    let mut budget = PAIR_BUDGET;
    for name in names {
        let idx = &maps[*name];
        literal_vs_regex(m, idx, &dup, out);
        regex_vs_regex(m, idx, &dup, &mut budget, out);
    }
}

/// A text every match of `hir` contains, ASCII lower-cased (letters under case folding count
/// as their lower case; a non-ASCII character ends a run). `None` when there is none.
fn required_literal(hir: &Hir) -> Option<String> {
    fn ch(h: &Hir) -> Option<char> {
        match h.kind() {
            HirKind::Literal(l) => {
                let s = std::str::from_utf8(&l.0).ok()?;
                let mut it = s.chars();
                let c = it.next()?;
                (it.next().is_none() && c.is_ascii()).then(|| c.to_ascii_lowercase())
            }
            HirKind::Class(Class::Unicode(u)) => {
                let chars: Vec<char> = u.iter().flat_map(|r| r.start()..=r.end()).take(4).collect();
                let ascii: Vec<char> = chars.iter().copied().filter(char::is_ascii).collect();
                match ascii.as_slice() {
                    [c] => Some(c.to_ascii_lowercase()),
                    [a, b] if a.eq_ignore_ascii_case(b) => Some(a.to_ascii_lowercase()),
                    _ => None,
                }
            }
            HirKind::Class(Class::Bytes(bc)) => {
                let bytes: Vec<u8> = bc.iter().flat_map(|r| r.start()..=r.end()).take(3).collect();
                match bytes.as_slice() {
                    [c] if c.is_ascii() => Some(char::from(c.to_ascii_lowercase())),
                    [a, b] if a.is_ascii() && a.eq_ignore_ascii_case(b) => {
                        Some(char::from(a.to_ascii_lowercase()))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
    fn walk(h: &Hir, best: &mut String) {
        match h.kind() {
            HirKind::Concat(v) => {
                let mut run = String::new();
                for x in v {
                    if let HirKind::Literal(l) = x.kind() {
                        match std::str::from_utf8(&l.0).ok().filter(|s| s.is_ascii()) {
                            Some(s) => run.push_str(&s.to_ascii_lowercase()),
                            None => run.clear(),
                        }
                    } else if let Some(c) = ch(x) {
                        run.push(c);
                    } else if matches!(x.kind(), HirKind::Look(_)) {
                        // Zero-width: the run continues.
                    } else {
                        if run.len() > best.len() {
                            *best = std::mem::take(&mut run);
                        }
                        run.clear();
                        walk(x, best);
                    }
                    if run.len() > best.len() {
                        best.clone_from(&run);
                    }
                }
            }
            HirKind::Capture(c) => walk(&c.sub, best),
            HirKind::Repetition(r) if r.min >= 1 => walk(&r.sub, best),
            HirKind::Literal(l) => {
                if let Some(s) =
                    std::str::from_utf8(&l.0).ok().filter(|s| s.is_ascii() && s.len() > best.len())
                {
                    *best = s.to_ascii_lowercase();
                }
            }
            _ => {}
        }
    }
    let mut best = String::new();
    walk(hir, &mut best);
    (!best.is_empty()).then_some(best)
}

fn literal_hir(m: &Model<'_>, r: &Rule) -> Hir {
    if m.is_cockroach() {
        identmap::syntax::go_literal(&r.ident.text, m.case()).hir().clone()
    } else {
        // PostgreSQL compares a literal system user ASCII-case-insensitively under
        // `krb_caseins_users`: take every ASCII case variant, so the claim holds either way.
        use regex_syntax::hir::{ClassBytes, ClassBytesRange};
        let mut parts = vec![Hir::look(Look::Start)];
        for &b in r.ident.text.as_bytes() {
            let mut c = ClassBytes::new([ClassBytesRange::new(b, b)]);
            if b.is_ascii_alphabetic() {
                let o = if b.is_ascii_lowercase() { b.to_ascii_uppercase() } else { b.to_ascii_lowercase() };
                c.push(ClassBytesRange::new(o, o));
            }
            parts.push(Hir::class(Class::Bytes(c)));
        }
        parts.push(Hir::look(Look::End));
        Hir::concat(parts)
    }
}

fn shadowed(out: &mut Vec<Finding>, a: &Rule, b: &Rule) {
    out.push(
        Finding::new(
            &INFO,
            b.file,
            b.span,
            format!("shadowed by the rule on line {}: it already maps every identity this rule matches to the same user", a.line),
        )
        .primary("does nothing")
        .label(a.span, "this earlier rule covers it")
        .help("delete the redundant rule, or correct it"),
    );
}

/// Literal identities that an earlier regex of the same map already maps to the same user.
/// Candidates come from an Aho-Corasick automaton over each regex's required literal (regexes
/// without one are always candidates); each candidate is run on the identity, then the inclusion
/// is proved with DFAs.
fn literal_vs_regex(m: &Model<'_>, idx: &[usize], dup: &[bool], out: &mut Vec<Finding>) {
    let mut lits = Vec::new();
    let mut owners = Vec::new();
    let mut always = Vec::new();
    for &i in idx {
        let Some(hir) = m.rules[i].regex.as_ref().and_then(|re| re.hir.as_ref()) else { continue };
        match required_literal(hir) {
            Some(l) => {
                lits.push(l);
                owners.push(i);
            }
            None => always.push(i),
        }
    }
    // Regexes without a required literal are candidates for every literal: beyond a bound they
    // are not analysed (each candidate costs a run of the reference evaluator).
    if always.len() > CANDIDATE_LIMIT {
        always.clear();
    }
    if owners.is_empty() && always.is_empty() {
        return;
    }
    let Ok(ac) = aho_corasick::AhoCorasick::new(&lits) else { return };
    let mut cands: Vec<usize> = Vec::new();
    for &bi in idx {
        let b = &m.rules[bi];
        if b.regex.is_some() || dup[bi] {
            continue;
        }
        let hay = b.ident.text.to_ascii_lowercase();
        cands.clear();
        cands.extend(ac.find_overlapping_iter(&hay).map(|mt| owners[mt.pattern().as_usize()]));
        cands.extend(always.iter().copied());
        cands.retain(|&a| a < bi);
        cands.sort_unstable();
        cands.dedup();
        cands.truncate(CANDIDATE_LIMIT);
        let want = user_key(m, b);
        for &ai in &cands {
            let a = &m.rules[ai];
            if covers(m, a, b, &want) {
                shadowed(out, a, b);
                break;
            }
        }
    }
}

/// The text group 1 of the cockroach rule `a` captures in `identity` (from the user it produces).
fn capture(m: &Model<'_>, a: &Rule, identity: &str) -> Option<String> {
    let at = a.substitute_at?;
    let produced = eval::cockroach_produce(m, a, identity)?;
    let (p, s) = (&a.user.text[..at], &a.user.text[at + 2..]);
    produced.strip_prefix(p)?.strip_suffix(s).map(str::to_string)
}

/// Whether the regex rule `a` maps every identity of the literal rule `b` to `want`.
fn covers(m: &Model<'_>, a: &Rule, b: &Rule, want: &str) -> bool {
    let same_user = if m.is_cockroach() {
        eval::cockroach_users(m, a, &b.ident.text).is_some_and(|u| u == [want])
    } else {
        !a.substitutes() && user_key(m, a) == want && eval::matches(m, a, &b.ident.text)
    };
    // …for every identity the later rule matches (its case variants, in insensitive mode).
    // In insensitive mode `b` also matches its case variants, and `a` captures them as written:
    // their normalized users agree only for ASCII letters whose case orbit is ASCII (not `k`,
    // which folds with U+212A KELVIN SIGN, nor `s`, with U+017F LONG S).
    // When `b` has such letters, it is enough that group 1 captures none of them and nothing in
    // `a` can tell a variant apart (no `(?-i)`, no word-boundary assertions).
    let odd = |t: &str| t.contains(['k', 'K', 's', 'S']);
    let variants_agree = !a.substitutes()
        || m.case() == identmap::cockroach::CaseMode::Sensitive
        || (b.ident.text.is_ascii()
            && (!odd(&b.ident.text)
                || (capture(m, a, &b.ident.text).is_some_and(|c| !odd(&c))
                    && a.regex.as_ref().is_some_and(|re| {
                        !re.pattern.contains("(?-")
                            && re.hir.as_ref().is_some_and(|h| {
                                h.properties()
                                    .look_set()
                                    .subtract(LookSet::empty().insert(Look::Start).insert(Look::End))
                                    .is_empty()
                            })
                    }))));
    if !same_user || !variants_agree {
        return false;
    }
    let (Some(la), Some(lb)) =
        (a.regex.as_ref().and_then(|re| re.hir.as_ref()).and_then(Lang::new), Lang::new(&literal_hir(m, b)))
    else {
        return false;
    };
    lang::difference(&lb, &la, Domain::ANY_UTF8) == Outcome::None
}

/// Regexes with a literal user included in an earlier regex with the same user.
fn regex_vs_regex(m: &Model<'_>, idx: &[usize], dup: &[bool], budget: &mut usize, out: &mut Vec<Finding>) {
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for &i in idx {
        let r = &m.rules[i];
        if r.regex.as_ref().is_some_and(|re| re.hir.is_some()) && !r.substitutes() && !dup[i] {
            groups.entry(user_key(m, r)).or_default().push(i);
        }
    }
    let mut keys: Vec<&String> = groups.keys().collect();
    keys.sort();
    for k in keys {
        let g = &groups[k];
        if g.len() < 2 || g.len() > GROUP_LIMIT {
            continue;
        }
        let langs: Vec<Option<Lang>> = g
            .iter()
            .map(|&i| m.rules[i].regex.as_ref().and_then(|re| re.hir.as_ref()).and_then(Lang::new))
            .collect();
        for (bj, &bi) in g.iter().enumerate() {
            for aj in 0..bj {
                if *budget == 0 {
                    return;
                }
                *budget -= 1;
                let (Some(la), Some(lb)) = (&langs[aj], &langs[bj]) else { continue };
                if lang::difference(lb, la, Domain::ANY_UTF8) == Outcome::None {
                    shadowed(out, &m.rules[g[aj]], &m.rules[bi]);
                    break;
                }
            }
        }
    }
}
