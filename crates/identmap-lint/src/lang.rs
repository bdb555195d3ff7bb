//! Languages of patterns as DFAs, and bounded searches over their products: emptiness,
//! inclusion, universality, each with a witness string.
//!
//! A pattern's language here is the set of identities it matches the way the databases search:
//! unanchored (a match anywhere; `^`/`$` and word boundaries are the DFA's look-around
//! assertions). Every DFA is built under explicit size limits and every search under a state
//! budget; when a limit is hit the answer is [`Outcome::Unknown`], never a guess.

use std::collections::HashMap;
use std::collections::VecDeque;

use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::nfa::thompson;
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::{Anchored, MatchKind};
use regex_syntax::hir::Hir;

/// Size limits of one DFA (bytes).
const NFA_LIMIT: usize = 1 << 20;
const DFA_LIMIT: usize = 4 << 20;
/// Product states a search may visit.
pub(crate) const BUDGET: usize = 50_000;

/// A pattern's language as a DFA (all matches, unanchored start).
#[derive(Debug)]
pub(crate) struct Lang {
    dfa: dense::DFA<Vec<u32>>,
    start: StateID,
}

impl Lang {
    /// `None` when the DFA would exceed the limits or uses what a DFA cannot (Unicode word
    /// boundaries).
    pub(crate) fn new(hir: &Hir) -> Option<Lang> {
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().nfa_size_limit(Some(NFA_LIMIT)).shrink(true))
            .build_from_hir(hir)
            .ok()?;
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .match_kind(MatchKind::All)
                    .start_kind(StartKind::Unanchored)
                    .minimize(false)
                    .dfa_size_limit(Some(DFA_LIMIT))
                    .determinize_size_limit(Some(DFA_LIMIT)),
            )
            .build_from_nfa(&nfa)
            .ok()?;
        let start = dfa.start_state(&start::Config::new().anchored(Anchored::No)).ok()?;
        if dfa.is_quit_state(start) {
            return None;
        }
        Some(Lang { dfa, start })
    }
}

/// Where one component of a product is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Status {
    /// It has matched (an unanchored match: every extension matches too).
    Matched,
    /// In this DFA state, no match yet.
    At(StateID),
}

/// The answer of a bounded search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A shortest string with the property.
    Found(Vec<u8>),
    /// Proved: no string has it.
    None,
    /// The limits were hit.
    Unknown,
}

/// What strings a search ranges over.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Domain {
    /// Only valid UTF-8.
    pub(crate) utf8: bool,
    /// No control characters (an identity an identity provider would issue).
    pub(crate) printable: bool,
    /// Not the empty string.
    pub(crate) nonempty: bool,
}

impl Domain {
    pub(crate) const ANY_UTF8: Domain = Domain { utf8: true, printable: false, nonempty: false };
}

/// The UTF-8 validator's next state (0 = at a character boundary), or `None` for invalid input.
fn utf8_next(state: u8, b: u8) -> Option<u8> {
    let cont = (0x80..=0xbf).contains(&b);
    match state {
        0 => match b {
            0x00..=0x7f => Some(0),
            0xc2..=0xdf => Some(1),
            0xe0 => Some(4),
            0xed => Some(5),
            0xe1..=0xec | 0xee..=0xef => Some(2),
            0xf0 => Some(6),
            0xf1..=0xf3 => Some(3),
            0xf4 => Some(7),
            _ => None,
        },
        1 => cont.then_some(0),
        2 => cont.then_some(1),
        3 => cont.then_some(2),
        4 => (0xa0..=0xbf).contains(&b).then_some(1),
        5 => (0x80..=0x9f).contains(&b).then_some(1),
        6 => (0x90..=0xbf).contains(&b).then_some(2),
        7 => (0x80..=0x8f).contains(&b).then_some(2),
        _ => None,
    }
}

fn utf8_class(b: u8) -> u8 {
    match b {
        0x00..=0x7f => 0,
        0x80..=0x8f => 1,
        0x90..=0x9f => 2,
        0xa0..=0xbf => 3,
        0xc2..=0xdf => 4,
        0xe0 => 5,
        0xe1..=0xec | 0xee..=0xef => 6,
        0xed => 7,
        0xf0 => 8,
        0xf1..=0xf3 => 9,
        0xf4 => 10,
        _ => 11,
    }
}

/// Bytes in the order witnesses should prefer them.
fn preference() -> Vec<u8> {
    let mut v: Vec<u8> = Vec::with_capacity(256);
    v.extend(b'a'..=b'z');
    v.extend(b'0'..=b'9');
    v.extend(b"_.-@");
    v.extend(b'A'..=b'Z');
    v.extend(0x20..=0x7e);
    v.extend(0x80..=0xff);
    v.extend(0x00..0x20);
    v.push(0x7f);
    let mut seen = [false; 256];
    v.retain(|&b| !std::mem::replace(&mut seen[usize::from(b)], true));
    v
}

/// One representative byte per class of the joint partition of `langs` (and of UTF-8).
fn alphabet(langs: &[&Lang], domain: Domain) -> Vec<u8> {
    static PREF: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let mut seen: HashMap<[u8; 3], ()> = HashMap::new();
    let mut out = Vec::new();
    for &b in PREF.get_or_init(preference) {
        if domain.printable && (b < 0x20 || b == 0x7f) {
            continue;
        }
        let mut key = [0u8; 3];
        for (k, l) in key.iter_mut().zip(langs) {
            *k = l.dfa.byte_classes().get(b);
        }
        key[2] = if domain.utf8 { utf8_class(b) } else { 0 };
        if seen.insert(key, ()).is_none() {
            out.push(b);
        }
    }
    out
}

/// Breadth-first search of the product of `langs` (and the domain's constraints) for a shortest
/// string whose end-of-input flags (`true` = that language matches it) satisfy `accept`.
/// `hopeless` prunes product states from which no acceptable string can follow.
pub(crate) fn search(
    langs: &[&Lang],
    domain: Domain,
    accept: &dyn Fn(&[bool]) -> bool,
    hopeless: &dyn Fn(&[Status]) -> bool,
) -> Outcome {
    // At most two languages: the key is a fixed array (no allocation per product state).
    type Key = ([Status; 2], u8, bool);
    let n = langs.len();
    if n == 0 || n > 2 {
        return Outcome::Unknown;
    }
    let sigma = alphabet(langs, domain);
    let mut first = [Status::Matched; 2];
    for (s, l) in first.iter_mut().zip(langs) {
        *s = Status::At(l.start);
    }
    let start: Key = (first, 0, false);
    let mut parent: HashMap<Key, Option<(Key, u8)>> = HashMap::new();
    let mut queue = VecDeque::new();
    parent.insert(start, None);
    queue.push_back(start);
    let mut flags = [false; 2];
    while let Some(key) = queue.pop_front() {
        let (states, u8state, nonempty) = key;
        // At the end of input here?
        if u8state == 0 && (nonempty || !domain.nonempty) {
            for i in 0..n {
                flags[i] = match states[i] {
                    Status::Matched => true,
                    Status::At(id) => langs[i].dfa.is_match_state(langs[i].dfa.next_eoi_state(id)),
                };
            }
            if accept(&flags[..n]) {
                return Outcome::Found(path(&parent, &key));
            }
        }
        'bytes: for &b in &sigma {
            let nu = if domain.utf8 {
                match utf8_next(u8state, b) {
                    Some(x) => x,
                    None => continue,
                }
            } else {
                0
            };
            let mut next = [Status::Matched; 2];
            for i in 0..n {
                next[i] = match states[i] {
                    Status::Matched => Status::Matched,
                    Status::At(id) => {
                        let d = &langs[i].dfa;
                        let s = d.next_state(id, b);
                        if d.is_quit_state(s) {
                            return Outcome::Unknown;
                        }
                        if d.is_match_state(s) {
                            Status::Matched
                        } else {
                            Status::At(s)
                        }
                    }
                };
            }
            if hopeless(&next[..n]) {
                continue 'bytes;
            }
            let nk: Key = (next, nu, true);
            if parent.contains_key(&nk) {
                continue;
            }
            if parent.len() >= BUDGET {
                return Outcome::Unknown;
            }
            parent.insert(nk, Some((key, b)));
            queue.push_back(nk);
        }
    }
    Outcome::None
}

fn path<K: std::hash::Hash + Eq + Copy>(parent: &HashMap<K, Option<(K, u8)>>, end: &K) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = *end;
    while let Some(Some((p, b))) = parent.get(&at) {
        out.push(*b);
        at = *p;
    }
    out.reverse();
    out
}

impl Lang {
    fn dead(&self, s: Status) -> bool {
        matches!(s, Status::At(id) if self.dfa.is_dead_state(id))
    }
}

/// Some string of `domain` that `l` matches, or a proof there is none.
pub(crate) fn some_member(l: &Lang, domain: Domain) -> Outcome {
    search(&[l], domain, &|f| f[0], &|s| l.dead(s[0]))
}

/// A string of `domain` that `l` does not match, or a proof there is none.
pub(crate) fn some_non_member(l: &Lang, domain: Domain) -> Outcome {
    search(&[l], domain, &|f| !f[0], &|s| s[0] == Status::Matched)
}

/// A string `b` matches and `a` does not (so `L(b) ⊄ L(a)`), or a proof that `L(b) ⊆ L(a)`.
pub(crate) fn difference(b: &Lang, a: &Lang, domain: Domain) -> Outcome {
    search(&[b, a], domain, &|f| f[0] && !f[1], &|s| b.dead(s[0]) || s[1] == Status::Matched)
}

#[cfg(test)]
mod tests {
    use identmap::cockroach::CaseMode;

    use super::*;

    fn lang(p: &str) -> Lang {
        Lang::new(identmap::syntax::go(p, CaseMode::Sensitive).unwrap().hir()).unwrap()
    }

    #[test]
    fn emptiness_and_witnesses() {
        assert_eq!(some_member(&lang("^alice$/"), Domain::ANY_UTF8), Outcome::None);
        assert_eq!(some_member(&lang("a^b"), Domain::ANY_UTF8), Outcome::None);
        assert_eq!(
            some_member(&lang("^(.*)@x\\.com$"), Domain::ANY_UTF8),
            Outcome::Found(b"@x.com".to_vec())
        );
        assert_eq!(some_member(&lang("bob"), Domain::ANY_UTF8), Outcome::Found(b"bob".to_vec()));
    }

    #[test]
    fn universality() {
        let d = Domain { utf8: true, printable: true, nonempty: true };
        assert_eq!(some_non_member(&lang(""), d), Outcome::None);
        assert_eq!(some_non_member(&lang(".*"), d), Outcome::None);
        assert_eq!(some_non_member(&lang("^(.*)$"), d), Outcome::None);
        assert_eq!(some_non_member(&lang("^(.+)$"), d), Outcome::None);
        assert_eq!(some_non_member(&lang("^[a-z]+$"), d), Outcome::Found(b"0".to_vec()));
    }

    #[test]
    fn inclusion() {
        assert_eq!(difference(&lang("admin12"), &lang("admin1"), Domain::ANY_UTF8), Outcome::None);
        assert_eq!(
            difference(&lang("admin1"), &lang("admin12"), Domain::ANY_UTF8),
            Outcome::Found(b"admin1".to_vec())
        );
        assert_eq!(
            difference(&lang("^a.c$"), &lang("^a[.]c$"), Domain::ANY_UTF8),
            Outcome::Found(b"aac".to_vec())
        );
    }
}
