//! The compiled matcher: one index per issuer, built once, answering in nanoseconds with exactly
//! the reference evaluator's answers ([`Ruleset::map`]).
//!
//! Each rule is classified once from its pattern:
//! * literal identities (and regexes that are a literal between `^` and `$`) go into a hash table
//!   keyed by the identity's case-folded form;
//! * regexes of a simple *shape* (`^P(C{n,m})S$`, `^L`, `L$`, `L`) are matched with no regex
//!   engine: literal compares and a per-character class test, the capture being a slice; so are
//!   counted class sequences anchored at both ends, such as `^([a-z]{2})([0-9]{3,9})$`, where
//!   every item but one has a fixed count (`seq.rs`; alternations and `x?` expand into a few of
//!   them, tried in Go's priority order);
//! * every other regex is checked on the reference evaluator's NFA (below);
//! * each rule is a candidate only when the identity carries its required literal: a suffix or
//!   prefix (one keyed hash per literal length, probed in one table behind a bit filter, and only
//!   where the identity has a byte such literals start or end with), or an infix (a q-gram
//!   filter read at every position, see `infix.rs`). Rules with no literal that are anchored at
//!   either end go through a bit-parallel position filter (the lengths and the bytes at the first
//!   and last offsets each rule allows, `always.rs`); the unanchored rest share lazy DFAs (all
//!   matches, no captures). Either names a superset of the rules that match; only those are
//!   checked.
//!
//! Regex checks run on the reference evaluator's own compiled NFA (a bounded backtracker, the
//! PikeVM for very long identities), so the Matcher never compiles a pattern a second time.
//! There is no `explain` here: [`Ruleset::explain`] is the trace (every rule tried, captures,
//! outcome), and it gives the same users as the Matcher (property-tested).
//!
//! ```
//! use identmap::cockroach::{Options, Ruleset};
//! use identmap::Matcher;
//!
//! let rules = Ruleset::parse(
//!     "iss /^(.*)@example\\.com$ \\1\niss carl@example.com admin\niss /^svc-([a-z]+)$ svc_\\1",
//!     Options::default(),
//! )?;
//! let m = Matcher::new(&rules)?;
//! assert_eq!(m.map("iss", "Carl@Example.com").users(), ["carl", "admin"]);
//! assert!(m.is_mapped("iss", "svc-backup", "SVC_BACKUP"));
//! assert!(!m.map("other", "carl@example.com").map_found());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod always;
mod classify;
mod index;
mod infix;
mod seq;
mod subject;

use core::fmt;
use std::borrow::Cow;
use std::collections::HashMap;

use regex_automata::nfa::thompson::backtrack::{self, BoundedBacktracker};
use regex_automata::nfa::thompson::pikevm::PikeVM;
use regex_automata::nfa::thompson::NFA;
use regex_automata::util::pool::{Pool, PoolGuard};
use regex_automata::{Anchored, Input};
use regex_syntax::hir::{Hir, Look};

use self::classify::{Item, Key, Lit, Shape};
use self::index::{Cands, Index, Keys};
use self::seq::Seq;
use self::subject::Subject;
use crate::cockroach::{CaseMode, PatternKind, Ruleset};
use crate::normalize_username;

/// Configuration of a [`Matcher`] build. Every knob is optional; unset knobs take defaults.
#[derive(Clone, Debug, Default)]
pub struct Config {
    shapes: Option<bool>,
}

impl Config {
    /// A configuration with every knob unset.
    #[must_use]
    pub fn new() -> Config {
        Config::default()
    }

    /// Whether simple shapes are matched without a regex engine (default `true`). Turning it off
    /// is for testing: every regex then runs its own compiled regex.
    #[must_use]
    pub fn shapes(mut self, yes: bool) -> Config {
        self.shapes = Some(yes);
        self
    }

    /// The `shapes` setting.
    #[must_use]
    pub fn get_shapes(&self) -> bool {
        self.shapes.unwrap_or(true)
    }
}

/// Builds a [`Matcher`] from a parsed [`Ruleset`].
#[derive(Clone, Debug, Default)]
pub struct Builder {
    config: Config,
}

impl Builder {
    /// A builder with the default configuration.
    #[must_use]
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Set the configuration.
    pub fn configure(&mut self, config: Config) -> &mut Builder {
        self.config = config;
        self
    }

    /// Compile `rules`.
    ///
    /// # Errors
    /// When a pattern's compiled form exceeds identmap's size limits.
    pub fn build(&self, rules: &Ruleset) -> Result<Matcher, BuildError> {
        build(&self.config, rules)
    }
}

/// Why a [`Matcher`] could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    rule: usize,
    message: String,
}

impl BuildError {
    /// The index of the rule (in [`Ruleset::rules`]) that failed.
    #[must_use]
    pub fn rule(&self) -> usize {
        self.rule
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}: {}", self.rule, self.message)
    }
}

impl std::error::Error for BuildError {}

/// The users an identity maps to, from [`Matcher::map`]: literal users are borrowed from the
/// matcher, substituted ones are owned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping<'m> {
    map_found: bool,
    users: Vec<Cow<'m, str>>,
}

impl<'m> Mapping<'m> {
    /// Whether the issuer names a map.
    #[must_use]
    pub fn map_found(&self) -> bool {
        self.map_found
    }

    /// The users, normalized, in rule order, de-duplicated as the dialect says.
    #[must_use]
    pub fn users(&self) -> &[Cow<'m, str>] {
        &self.users
    }
}

#[derive(Debug)]
enum Check {
    /// The identity equals this literal (a literal rule, or a regex `^L$`).
    Whole(Lit),
    /// A shape, matched without a regex engine.
    Shape(Shape),
    /// A counted class sequence (`seq.rs`), matched without a regex engine.
    Seq(Seq),
    /// A regex, run on the reference evaluator's NFA.
    Regex(Box<RegexCheck>),
}

#[derive(Debug)]
enum User {
    /// No `\1`: the template, and its normalized form, borrowed by every result.
    Literal { raw: Box<str>, normalized: Box<str> },
    /// `\1` at byte `at`.
    Subst { raw: Box<str>, at: usize },
}

/// One rule as the lookups read it: the user first, then the check, one record per 64-byte line
/// boundary, so that a literal rule (the user, the check's tag and its literal's bytes) lies in two
/// adjacent cache lines.
#[derive(Debug)]
#[repr(C, align(64))]
struct MRule {
    user: User,
    check: Check,
}

/// A compiled identity map. `Send + Sync`: share one across threads.
#[derive(Debug)]
pub struct Matcher {
    case: CaseMode,
    keys: Keys,
    issuers: Issuers,
    rules: Vec<MRule>,
    scratch: Scratch,
}

fn build(config: &Config, rules: &Ruleset) -> Result<Matcher, BuildError> {
    let case = rules.case();
    let keys = Keys::random();
    let mut issuers: HashMap<Box<str>, Index, foldhash::fast::RandomState> =
        HashMap::with_hasher(foldhash::fast::RandomState::default());
    // Each issuer's literal-less patterns, for its shared automata (borrowed from the ruleset).
    let mut always: HashMap<&str, Vec<(&Hir, &NFA)>, foldhash::fast::RandomState> =
        HashMap::with_hasher(foldhash::fast::RandomState::default());
    let mut mrules = Vec::with_capacity(rules.rules().len());
    for (index, rule) in rules.rules().iter().enumerate() {
        let err = |message: String| BuildError { rule: index, message };
        let rule_id = u32::try_from(index).map_err(|_| err("too many rules".into()))?;
        let map_name = rule.map_name().text();
        let (check, key) = match (rule.kind(), rule.compiled()) {
            (PatternKind::Regex, Some((hir, vm))) => {
                let (key, shape) = classify::classify(hir, rule.groups(), config.get_shapes());
                let check = match (&key, shape) {
                    (Key::Whole(items), _) if rule.groups() == 0 => Check::Whole(Lit::new(items.clone())),
                    (_, Some(shape)) => Check::Shape(shape),
                    (_, None) => match Seq::new(hir, rule.groups()).filter(|_| config.get_shapes()) {
                        Some(seq) => Check::Seq(seq),
                        None => Check::Regex(Box::new(RegexCheck::new(vm, hir).map_err(err)?)),
                    },
                };
                if matches!(key, Key::None) {
                    always.entry(map_name).or_default().push((hir, vm.get_nfa()));
                }
                (check, key)
            }
            _ => {
                let text = rule.identity().text();
                let mut items: Vec<Item> = Vec::with_capacity(text.len());
                items.extend(text.chars().map(|c| match case {
                    CaseMode::Sensitive => Item::Exact(c),
                    CaseMode::Insensitive => Item::Orbit(crate::fold::fold_char(c)),
                }));
                (Check::Whole(Lit::new(items.clone())), Key::Whole(items))
            }
        };
        let issuer = match issuers.get_mut(map_name) {
            Some(i) => i,
            None => issuers.entry(map_name.into()).or_default(),
        };
        match key {
            Key::Whole(items) => issuer.add_whole(&keys, &items, rule_id),
            Key::Suffix(items) => issuer.add_suffix(&keys, &items, rule_id),
            Key::Prefix(items) => issuer.add_prefix(&keys, &items, rule_id),
            Key::Infix(items) => issuer.add_infix(&items, rule_id),
            Key::None => issuer.add_always(rule_id),
        }
        let template = rule.user().text();
        let user = match rule.substitute_at() {
            Some(at) => User::Subst { raw: template.into(), at },
            None => User::Literal { raw: template.into(), normalized: normalize_username(template).into() },
        };
        mrules.push(MRule { check, user });
    }
    for (name, issuer) in &mut issuers {
        let pats = always.get(&**name).map_or(&[][..], Vec::as_slice);
        issuer.finish(&keys, pats).map_err(|message| BuildError { rule: 0, message })?;
    }
    Ok(Matcher {
        case,
        keys,
        issuers: Issuers::new(issuers),
        rules: mrules,
        scratch: Scratch::new().map_err(|message| BuildError { rule: 0, message })?,
    })
}

/// Up to this many map names are found by a scan (no hashing of a long issuer URL).
const SCAN: usize = 16;

/// The map names and their indexes: a scan of (length, last eight bytes) for a few names, a
/// hash map for many; either way the name is then compared whole.
#[derive(Debug)]
struct Issuers {
    names: Vec<Box<str>>,
    tags: Vec<(usize, u64)>,
    indexes: Vec<Index>,
    by_name: HashMap<Box<str>, usize, foldhash::fast::RandomState>,
}

/// A name's last eight bytes (fewer, zero-padded, when shorter).
#[inline]
fn tail_word(name: &str) -> u64 {
    let b = name.as_bytes();
    let mut w = [0u8; 8];
    let from = b.len().saturating_sub(8);
    w[..b.len() - from].copy_from_slice(&b[from..]);
    u64::from_le_bytes(w)
}

impl Issuers {
    fn new(map: HashMap<Box<str>, Index, foldhash::fast::RandomState>) -> Issuers {
        let mut entries: Vec<(Box<str>, Index)> = map.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let tags = entries.iter().map(|(n, _)| (n.len(), tail_word(n))).collect();
        let by_name = entries.iter().enumerate().map(|(i, (n, _))| (n.clone(), i)).collect();
        let (names, indexes) = entries.into_iter().unzip();
        Issuers { names, tags, indexes, by_name }
    }

    #[inline]
    fn get(&self, name: &str) -> Option<&Index> {
        if self.names.len() <= SCAN {
            let tag = (name.len(), tail_word(name));
            let i = self.tags.iter().zip(&self.names).position(|(t, n)| *t == tag && **n == *name)?;
            self.indexes.get(i)
        } else {
            self.by_name.get(name).and_then(|&i| self.indexes.get(i))
        }
    }
}

/// A regex check on the reference evaluator's own NFA (shared, not compiled again): a bounded
/// backtracker for identities of ordinary length, the PikeVM beyond.
#[derive(Debug)]
struct RegexCheck {
    bt: BoundedBacktracker,
    vm: PikeVM,
    /// Every match starts with `^`: search from position 0 only.
    anchored: bool,
}

impl RegexCheck {
    fn new(vm: &PikeVM, hir: &Hir) -> Result<RegexCheck, String> {
        let bt = BoundedBacktracker::new_from_nfa(vm.get_nfa().clone()).map_err(|e| e.to_string())?;
        let anchored = hir.properties().look_set_prefix().contains(Look::Start);
        Ok(RegexCheck { bt, vm: vm.clone(), anchored })
    }

    /// Group 1 of the leftmost-first match, as the reference evaluator's PikeVM finds it.
    fn search<'s>(&self, hay: &'s str, scratch: &mut backtrack::Cache) -> Option<Option<&'s str>> {
        let input = Input::new(hay).anchored(if self.anchored { Anchored::Yes } else { Anchored::No });
        let mut slots = [None; 4];
        let found = match self.bt.try_search_slots(scratch, &input, &mut slots) {
            Ok(found) => found,
            Err(_) => {
                // Longer than the backtracker's bounded memory allows: the PikeVM, whose memory
                // does not grow with the identity.
                let mut cache = self.vm.create_cache();
                self.vm.search_slots(&mut cache, &input, &mut slots)
            }
        };
        found?;
        Some(match (slots[2], slots[3]) {
            (Some(a), Some(b)) => Some(&hay[a.get()..b.get()]),
            _ => None,
        })
    }
}

type ScratchGuard<'a> = PoolGuard<'a, backtrack::Cache, Box<dyn Fn() -> backtrack::Cache + Send + Sync>>;

type ScratchPool = Pool<backtrack::Cache, Box<dyn Fn() -> backtrack::Cache + Send + Sync>>;

/// One backtracker cache per thread, shared by every rule's check (its size follows the search).
struct Scratch(ScratchPool);

impl Scratch {
    fn new() -> Result<Scratch, String> {
        let bt = BoundedBacktracker::new_from_nfa(NFA::always_match()).map_err(|e| e.to_string())?;
        Ok(Scratch(Pool::new(Box::new(move || bt.create_cache()))))
    }
}

impl fmt::Debug for Scratch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scratch")
    }
}

impl Matcher {
    /// Compile `rules` with the default configuration.
    ///
    /// # Errors
    /// When a pattern's compiled form exceeds identmap's size limits.
    pub fn new(rules: &Ruleset) -> Result<Matcher, BuildError> {
        Builder::new().build(rules)
    }

    /// A [`Builder`] to configure the build.
    #[must_use]
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// The case mode the rules were compiled for.
    #[must_use]
    pub fn case(&self) -> CaseMode {
        self.case
    }

    /// Whether the map name has any rules.
    #[must_use]
    pub fn has_map(&self, map_name: &str) -> bool {
        self.issuers.get(map_name).is_some()
    }

    /// All users `identity` maps to under `map_name`, exactly as [`Ruleset::map`].
    #[must_use]
    pub fn map<'m>(&'m self, map_name: &str, identity: &str) -> Mapping<'m> {
        let mut users = Vec::new();
        let map_found = self.map_into(map_name, identity, &mut users);
        Mapping { map_found, users }
    }

    /// [`Matcher::map`] into a reusable buffer (cleared first); returns whether the map exists.
    pub fn map_into<'m>(&'m self, map_name: &str, identity: &str, out: &mut Vec<Cow<'m, str>>) -> bool {
        out.clear();
        let Some(issuer) = self.issuers.get(map_name) else { return false };
        let subject = Subject::new(identity);
        let mut cands = Cands::new();
        issuer.candidates(&self.keys, &subject, &mut cands);
        let mut keys: Vec<Cow<'m, str>> = Vec::new();
        let mut scratch = None;
        for &r in cands.as_slice() {
            let rule = &self.rules[r as usize];
            let Some(g1) = self.check(rule, &subject, &mut scratch) else { continue };
            let (user, key): (Cow<'m, str>, Option<Cow<'m, str>>) = match &rule.user {
                User::Literal { raw, normalized } => (
                    Cow::Borrowed(&**normalized),
                    (self.case == CaseMode::Sensitive).then_some(Cow::Borrowed(&**raw)),
                ),
                User::Subst { raw, at } => {
                    let g1 = g1.unwrap_or("");
                    if raw.len() == 2 && g1.is_empty() {
                        continue; // the user would be empty: no match
                    }
                    let sensitive = self.case == CaseMode::Sensitive;
                    if raw.is_ascii() && g1.is_ascii() && !sensitive {
                        // ASCII: normalizing is lowercasing, part by part, in one allocation.
                        let mut u = String::with_capacity(raw.len() - 2 + g1.len());
                        for part in [&raw[..*at], g1, &raw[*at + 2..]] {
                            u.extend(part.bytes().map(|b| char::from(b.to_ascii_lowercase())));
                        }
                        (Cow::Owned(u), None)
                    } else {
                        let produced = substitute(raw, *at, g1);
                        let user = Cow::Owned(normalize_username(&produced));
                        (user, sensitive.then_some(Cow::Owned(produced)))
                    }
                }
            };
            match key {
                Some(k) => {
                    if keys.contains(&k) {
                        continue;
                    }
                    keys.push(k);
                }
                None => {
                    if out.contains(&user) {
                        continue;
                    }
                }
            }
            out.push(user);
        }
        true
    }

    /// Whether `identity` may log in as `user` under `map_name` (compared after normalizing
    /// `user`). Stops at the first rule that produces it.
    #[must_use]
    pub fn is_mapped(&self, map_name: &str, identity: &str, user: &str) -> bool {
        let Some(issuer) = self.issuers.get(map_name) else { return false };
        let want = normalize_username(user);
        let subject = Subject::new(identity);
        let mut cands = Cands::new();
        issuer.candidates(&self.keys, &subject, &mut cands);
        let mut scratch = None;
        cands.as_slice().iter().any(|&r| {
            let rule = &self.rules[r as usize];
            match (self.check(rule, &subject, &mut scratch), &rule.user) {
                (None, _) => false,
                (Some(_), User::Literal { normalized, .. }) => **normalized == want,
                (Some(g1), User::Subst { raw, at }) => {
                    let produced = substitute(raw, *at, g1.unwrap_or(""));
                    !produced.is_empty() && normalize_username(&produced) == want
                }
            }
        })
    }

    /// The JWT candidate list, exactly as [`Ruleset::jwt_candidates`].
    #[must_use]
    pub fn jwt_candidates<S: AsRef<str>>(&self, issuer: &str, principals: &[S]) -> Vec<String> {
        crate::cockroach::jwt_candidates_with(self.has_map(issuer), principals, |p| {
            self.map(issuer, p).users.into_iter().map(Cow::into_owned).collect()
        })
    }

    /// Whether the rule matches; `Some(group 1)` when it does (`None` inside when group 1 did not
    /// participate or there is none).
    fn check<'s, 'm>(
        &'m self,
        rule: &MRule,
        s: &Subject<'s>,
        scratch: &mut Option<ScratchGuard<'m>>,
    ) -> Option<Option<&'s str>> {
        match &rule.check {
            Check::Whole(lit) => (lit.len() == s.len() && lit.matches_at(s, 0)).then_some(None),
            Check::Shape(shape) => check_shape(shape, s),
            Check::Seq(seq) => seq.check(s),
            Check::Regex(re) => {
                let cache = scratch.get_or_insert_with(|| self.scratch.0.get());
                re.search(s.text(), cache)
            }
        }
    }
}

fn check_shape<'s>(shape: &Shape, s: &Subject<'s>) -> Option<Option<&'s str>> {
    let n = s.len();
    let (p, q) = (shape.prefix.len(), shape.suffix.len());
    match &shape.cap {
        Some(cap) => {
            // ^P(C{min,max})S$: the middle is determined.
            if p + q > n || !shape.prefix.matches_at(s, 0) || !shape.suffix.matches_at(s, n - q) {
                return None;
            }
            let mid = n - p - q;
            if mid < cap.min as usize || cap.max.is_some_and(|m| mid > m as usize) {
                return None;
            }
            if s.is_ascii() {
                let bytes = &s.text().as_bytes()[p..n - q];
                let outside = cap.class.all_ascii_but();
                if bytes.iter().any(|&b| outside & (1 << b) != 0) {
                    return None;
                }
            } else if !(p..n - q).all(|i| cap.class.contains(s.char_at(i))) {
                return None;
            }
            Some(Some(s.slice(p, n - q)))
        }
        None => {
            let lit = &shape.prefix;
            let ok = match (shape.start, shape.end) {
                (true, true) => p == n && lit.matches_at(s, 0),
                (true, false) => p <= n && lit.matches_at(s, 0),
                (false, true) => p <= n && lit.matches_at(s, n - p),
                (false, false) => p <= n && (0..=n - p).any(|i| lit.matches_at(s, i)),
            };
            ok.then_some(None)
        }
    }
}

fn substitute(raw: &str, at: usize, g1: &str) -> String {
    let mut s = String::with_capacity(raw.len() + g1.len());
    s.push_str(&raw[..at]);
    s.push_str(g1);
    s.push_str(&raw[at + 2..]);
    s
}

#[cfg(test)]
mod tests {
    use super::{Matcher, SCAN};
    use crate::cockroach::{Options, Ruleset};

    /// Map names found by the scan and by the hash map, including names of one length with the
    /// same last eight bytes, and names that are not there.
    #[test]
    fn map_names_are_found_by_scan_and_by_hash() {
        for count in [1, 3, SCAN, SCAN + 1, 40] {
            let names: Vec<String> =
                (0..count).map(|i| format!("https://issuer-{i:02}.example.com/same-tail")).collect();
            let text: String = names.iter().enumerate().map(|(i, n)| format!("{n} id{i} u{i}\n")).collect();
            let rules = Ruleset::parse(&text, Options::default()).unwrap();
            let m = Matcher::new(&rules).unwrap();
            for (i, n) in names.iter().enumerate() {
                assert!(m.has_map(n));
                assert_eq!(m.map(n, &format!("id{i}")).users(), [format!("u{i}")]);
                assert!(m.map(n, &format!("id{}", i + 1)).users().is_empty());
            }
            for missing in
                ["https://issuer-99.example.com/same-tail", "", "tail", "https://issuer-00.example.com"]
            {
                assert!(!m.has_map(missing), "{missing}");
            }
        }
    }
}
