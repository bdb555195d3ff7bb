//! The per-issuer literal index: whole identities, suffixes and prefixes in one hash table,
//! probed with keyed hashes of the identity's canonical bytes behind a bit filter — a suffix or
//! prefix length only where the identity has, at the literal's inner edge, a byte some literal of
//! that length has there; infix literals in a q-gram filter (`infix.rs`); literal-less rules in a
//! position filter (`always.rs`, those anchored at either end), lazy DFAs (the rest, when there
//! are many) or a list.
//!
//! The hashes are keyed by per-matcher random constants. A collision only adds a candidate
//! (every candidate is then checked exactly), so it costs time, never correctness.

use core::hash::{BuildHasher, BuildHasherDefault, Hasher};

use foldhash::fast::FixedState;
use std::collections::HashMap;

use regex_automata::hybrid::dfa::{Cache, OverlappingState, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures, NFA};
use regex_automata::util::pool::Pool;
use regex_automata::{Anchored, Input, MatchKind};
use regex_syntax::hir::{Hir, Look};

use super::always::{self, Filter};
use super::classify::Item;
use super::infix::Infix;
use super::subject::Subject;

/// The keyed hashes of the literal table, one per kind of key: each hashes the UTF-8 bytes of a
/// literal's canonical characters (ASCII upper case, fold representatives), word at a time, so
/// that the probes of one lookup are independent of each other.
#[derive(Clone, Debug)]
pub(super) struct Keys {
    whole: FixedState,
    suffix: FixedState,
    prefix: FixedState,
    /// The infix filter's multiplier.
    infix: u64,
}

impl Keys {
    pub(super) fn random() -> Keys {
        let s = foldhash::fast::RandomState::default();
        Keys {
            whole: FixedState::with_seed(s.hash_one(1u64)),
            suffix: FixedState::with_seed(s.hash_one(2u64)),
            prefix: FixedState::with_seed(s.hash_one(3u64)),
            infix: s.hash_one(4u64),
        }
    }
}

/// The canonical UTF-8 bytes of literal items.
fn canon_bytes(items: &[Item]) -> Vec<u8> {
    let mut s = String::with_capacity(items.len());
    s.extend(items.iter().map(|i| i.canon()));
    s.into_bytes()
}

#[derive(Default)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Table = HashMap<u64, Vec<u32>, BuildHasherDefault<IdHasher>>;

/// One slot of the finished table (16 bytes, four to a cache line): a key and its rules, held
/// inline when there is one (most keys), else as a range of the shared arena.
#[derive(Clone, Copy, Default)]
struct Slot {
    key: u64,
    /// The rule (`len == 1`) or the arena start.
    at: u32,
    /// Number of rules; 0 marks an empty slot.
    len: u32,
}

/// The finished table: open addressing with linear probing, at most half full, so a probe is
/// usually one cache line (the keys are already uniform hashes).
#[derive(Default)]
struct Flat {
    slots: Box<[Slot]>,
    mask: usize,
    len: usize,
}

impl Flat {
    fn build(table: &Table, arena: &mut Vec<u32>) -> Flat {
        let cap = (table.len() * 2).next_power_of_two().max(8);
        let mut slots = vec![Slot::default(); cap];
        let mask = cap - 1;
        for (&key, list) in table {
            let (at, len) = match list.as_slice() {
                [one] => (*one, 1),
                _ => {
                    let at = arena.len() as u32;
                    arena.extend_from_slice(list);
                    (at, list.len() as u32)
                }
            };
            let mut i = key as usize & mask;
            while slots[i].len != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = Slot { key, at, len };
        }
        Flat { slots: slots.into(), mask, len: table.len() }
    }

    #[inline]
    fn get(&self, key: u64) -> Option<Slot> {
        if self.slots.is_empty() {
            return None;
        }
        let mut i = key as usize & self.mask;
        loop {
            let slot = self.slots[i];
            if slot.len == 0 {
                return None;
            }
            if slot.key == key {
                return Some(slot);
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// The index of one issuer's rules.
#[derive(Default)]
pub(super) struct Index {
    table: Table,
    flat: Flat,
    arena: Vec<u32>,
    filter: Box<[u64]>,
    filter_shift: u32,
    has_whole: bool,
    /// The lengths (in characters) of the suffix literals, each with the canonical first bytes
    /// of its literals: a suffix length is probed only when the identity has one of them there.
    suffix_lens: Vec<Edge>,
    /// The canonical last bytes of every suffix literal.
    suffix_last: ByteSet,
    /// The same for prefix literals, by their last byte.
    prefix_lens: Vec<Edge>,
    /// The canonical first bytes of every prefix literal.
    prefix_first: ByteSet,
    infix: Option<Infix>,
    infix_pending: Vec<(Vec<u8>, u32)>,
    always: Vec<u32>,
    /// With many literal-less rules: the anchored ones (`^` or `$`) in a position filter
    /// (`always.rs`) that names a superset of the rules that can match: one for ASCII
    /// identities, one for the others.
    always_filter: Option<(Filter, Filter)>,
    /// With many literal-less rules: the unanchored ones in lazy DFAs over chunks of them (no
    /// captures, all matches), so that a lookup runs a few automata instead of every rule's
    /// regex; each with the rules it covers.
    always_sets: Vec<(AlwaysSet, Vec<u32>)>,
    /// Literal-less rules no automaton covers: checked on every lookup.
    always_plain: Vec<u32>,
}

/// A set of bytes.
#[derive(Clone, Copy, Debug, Default)]
struct ByteSet([u64; 4]);

impl ByteSet {
    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    #[inline]
    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] >> (b & 63) & 1 != 0
    }
}

/// A literal length of the suffix or prefix index, with the bytes its literals have at the
/// edge that lies inside the identity (a suffix's first byte, a prefix's last byte).
#[derive(Clone, Copy, Debug)]
struct Edge {
    len: usize,
    bytes: ByteSet,
}

fn add_edge(edges: &mut Vec<Edge>, len: usize, byte: u8) {
    let i = match edges.binary_search_by_key(&len, |e| e.len) {
        Ok(i) => i,
        Err(i) => {
            edges.insert(i, Edge { len, bytes: ByteSet::default() });
            i
        }
    };
    edges[i].bytes.insert(byte);
}

/// Literal-less rules with this many or more share automata.
const SET_MIN: usize = 16;
/// Patterns per shared automaton (bounds each one's NFA and lazy-DFA states).
const SET_CHUNK: usize = 1024;

type CachePool = Pool<Cache, Box<dyn Fn() -> Cache + Send + Sync>>;

struct AlwaysSet {
    dfa: std::sync::Arc<DFA>,
    caches: CachePool,
    /// The shortest identity (in bytes) any of the patterns can match: a match is a substring of
    /// the identity, at least this long. (The sets hold unanchored patterns only, so there is no
    /// upper bound.)
    min_len: usize,
}

impl AlwaysSet {
    fn new(hirs: &[&Hir]) -> Result<AlwaysSet, String> {
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .which_captures(WhichCaptures::None)
                    .nfa_size_limit(Some(crate::regex::NFA_SIZE_LIMIT)),
            )
            .build_many_from_hir(hirs)
            .map_err(|e| e.to_string())?;
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(32 << 20)
                    .skip_cache_capacity_check(true)
                    .minimum_cache_clear_count(None),
            )
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        let dfa = std::sync::Arc::new(dfa);
        let for_pool = std::sync::Arc::clone(&dfa);
        let caches: CachePool = Pool::new(Box::new(move || for_pool.create_cache()));
        let min_len = hirs.iter().filter_map(|h| h.properties().minimum_len()).min().unwrap_or(0);
        Ok(AlwaysSet { dfa, caches, min_len })
    }

    /// The indices (into the set's patterns) of every pattern that matches, or `None` when the
    /// lazy DFA could not answer (then every rule must be checked).
    fn matches(&self, hay: &str, out: &mut Vec<usize>) -> Option<()> {
        if hay.len() < self.min_len {
            return Some(());
        }
        let mut cache = self.caches.get();
        let input = Input::new(hay).anchored(Anchored::No);
        let mut state = OverlappingState::start();
        loop {
            self.dfa.try_search_overlapping_fwd(&mut cache, &input, &mut state).ok()?;
            match state.get_match() {
                Some(m) => out.push(m.pattern().as_usize()),
                None => return Some(()),
            }
        }
    }
}

impl core::fmt::Debug for Index {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Index")
            .field("keys", &self.flat.len)
            .field("suffix_lens", &self.suffix_lens.iter().map(|e| e.len).collect::<Vec<_>>())
            .field("prefix_lens", &self.prefix_lens.iter().map(|e| e.len).collect::<Vec<_>>())
            .field("infix", &self.infix)
            .field("always", &self.always.len())
            .field("always_filter", &self.always_filter)
            .field("always_sets", &self.always_sets.len())
            .finish_non_exhaustive()
    }
}

/// A key's two bits within its filter word (from bits the word index and the table slot do not
/// use much).
#[inline]
fn filter_bits(key: u64) -> u64 {
    (1 << ((key >> 20) & 63)) | (1 << ((key >> 26) & 63))
}

fn insert(table: &mut Table, key: u64, rule: u32) {
    let list = table.entry(key).or_default();
    if list.last() != Some(&rule) {
        list.push(rule);
    }
}

impl Index {
    pub(super) fn add_whole(&mut self, keys: &Keys, items: &[Item], rule: u32) {
        insert(&mut self.table, keys.whole.hash_one(&canon_bytes(items)[..]), rule);
        self.has_whole = true;
    }

    pub(super) fn add_suffix(&mut self, keys: &Keys, items: &[Item], rule: u32) {
        let bytes = canon_bytes(items);
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return self.add_always(rule) };
        insert(&mut self.table, keys.suffix.hash_one(&bytes[..]), rule);
        add_edge(&mut self.suffix_lens, items.len(), first);
        self.suffix_last.insert(last);
    }

    pub(super) fn add_prefix(&mut self, keys: &Keys, items: &[Item], rule: u32) {
        let bytes = canon_bytes(items);
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return self.add_always(rule) };
        insert(&mut self.table, keys.prefix.hash_one(&bytes[..]), rule);
        add_edge(&mut self.prefix_lens, items.len(), last);
        self.prefix_first.insert(first);
    }

    pub(super) fn add_infix(&mut self, items: &[Item], rule: u32) {
        let s: String = items.iter().map(|i| i.canon()).collect();
        self.infix_pending.push((s.into_bytes(), rule));
    }

    pub(super) fn add_always(&mut self, rule: u32) {
        self.always.push(rule);
    }

    /// Finish: build the filter, the infix automaton and the literal-less filter and sets
    /// (`always`: the pattern and reference NFA of each literal-less rule, in the order they were
    /// added).
    pub(super) fn finish(&mut self, keys: &Keys, always: &[(&Hir, &NFA)]) -> Result<(), String> {
        if self.always.len() >= SET_MIN && always.len() == self.always.len() {
            // Patterns anchored at either end go to the position filter; the others share
            // unanchored lazy DFAs, ordered by the lengths they can match, so that each automaton
            // covers a narrow range of identity lengths and most lookups skip most automata.
            let anchored = |h: &Hir| {
                h.properties().look_set_prefix().contains(Look::Start)
                    || h.properties().look_set_suffix().contains(Look::End)
            };
            let (filtered, mut rest): (Vec<_>, Vec<_>) = self
                .always
                .iter()
                .zip(always)
                .map(|(&rule, &(h, nfa))| (rule, h, nfa))
                .partition(|(_, h, _)| anchored(h));
            if !filtered.is_empty() {
                self.always_filter = Some(always::filters(&filtered));
            }
            rest.sort_by_key(|(rule, h, _)| {
                let p = h.properties();
                (p.maximum_len().is_none(), p.minimum_len(), p.maximum_len(), *rule)
            });
            for chunk in rest.chunks(SET_CHUNK) {
                let rules: Vec<u32> = chunk.iter().map(|(r, _, _)| *r).collect();
                let chunk_hirs: Vec<&Hir> = chunk.iter().map(|(_, h, _)| *h).collect();
                // A chunk too large for the size limits is simply not shared: its rules are
                // checked one by one, as without a set.
                match AlwaysSet::new(&chunk_hirs) {
                    Ok(set) => self.always_sets.push((set, rules)),
                    Err(_) => self.always_plain.extend_from_slice(&rules),
                }
            }
        } else {
            self.always_plain.clone_from(&self.always);
        }
        let table = core::mem::take(&mut self.table);
        self.flat = Flat::build(&table, &mut self.arena);
        // A blocked filter: 16 bits per key, two bits per key in one 64-bit word (about 1.4 %
        // false positives), small enough to stay in cache next to the table.
        let words = (table.len() * 16 / 64).next_power_of_two().max(1);
        self.filter_shift = 64 - words.trailing_zeros();
        let mut filter = vec![0u64; words];
        for &key in table.keys() {
            filter[self.filter_word(key)] |= filter_bits(key);
        }
        self.filter = filter.into();
        // Literals are canonical (ASCII upper case, fold representatives), and so is the text
        // searched (`Subject::canon_padded`).
        self.infix = Infix::new(core::mem::take(&mut self.infix_pending), keys.infix)?;
        Ok(())
    }

    #[inline]
    fn filter_word(&self, key: u64) -> usize {
        // `checked_shr`: with one word the shift is 64, and every key lands in word 0.
        key.checked_shr(self.filter_shift).unwrap_or(0) as usize
    }

    #[inline]
    fn probe(&self, key: u64, out: &mut Cands) {
        let bits = filter_bits(key);
        if self.filter[self.filter_word(key)] & bits != bits {
            return;
        }
        if let Some(slot) = self.flat.get(key) {
            if slot.len == 1 {
                out.push(slot.at);
            } else {
                out.extend(&self.arena[slot.at as usize..(slot.at + slot.len) as usize]);
            }
        }
    }

    /// Every rule whose required literal `s` carries, sorted and de-duplicated.
    pub(super) fn candidates(&self, keys: &Keys, s: &Subject<'_>, out: &mut Cands) {
        let n = s.len();
        // The canonical bytes, and the byte offset in them of character `i` (`i` itself for ASCII).
        let canon = s.canon_bytes();
        let wide = (!s.is_ascii()).then(|| s.canon_bounds());
        let at = |i: usize| wide.map_or(i, |b| b[i]);
        if let Some(&last) = canon.last() {
            if self.suffix_last.contains(last) {
                for e in &self.suffix_lens {
                    if e.len > n {
                        break;
                    }
                    let from = at(n - e.len);
                    if e.bytes.contains(canon[from]) {
                        self.probe(keys.suffix.hash_one(&canon[from..]), out);
                    }
                }
            }
        }
        if self.has_whole {
            self.probe(keys.whole.hash_one(canon), out);
        }
        if let Some(&first) = canon.first() {
            if self.prefix_first.contains(first) {
                for e in &self.prefix_lens {
                    if e.len > n {
                        break;
                    }
                    let to = at(e.len);
                    if e.bytes.contains(canon[to - 1]) {
                        self.probe(keys.prefix.hash_one(&canon[..to]), out);
                    }
                }
            }
        }
        if let Some(infix) = &self.infix {
            infix.find(s.canon_padded(), out);
        }
        out.extend(&self.always_plain);
        if let Some((ascii, any)) = &self.always_filter {
            let filter = if s.is_ascii() { ascii } else { any };
            filter.candidates(s.text().as_bytes(), |r| out.push(r));
        }
        let mut hits = Vec::new();
        for (set, rules) in &self.always_sets {
            hits.clear();
            match set.matches(s.text(), &mut hits) {
                Some(()) => {
                    for &h in &hits {
                        out.extend(&rules[h..=h]);
                    }
                }
                None => out.extend(rules),
            }
        }
        out.sort_dedup();
    }
}

const INLINE: usize = 24;

/// Candidate rule indices: on the stack for the common case.
pub(super) struct Cands {
    buf: [u32; INLINE],
    len: usize,
    spill: Vec<u32>,
}

impl Cands {
    pub(super) fn new() -> Cands {
        Cands { buf: [0; INLINE], len: 0, spill: Vec::new() }
    }

    #[inline]
    fn push(&mut self, rule: u32) {
        if self.spill.is_empty() && self.len < INLINE {
            self.buf[self.len] = rule;
            self.len += 1;
        } else {
            self.extend(&[rule]);
        }
    }

    #[inline]
    pub(super) fn extend(&mut self, rules: &[u32]) {
        if self.spill.is_empty() && self.len + rules.len() <= INLINE {
            self.buf[self.len..self.len + rules.len()].copy_from_slice(rules);
            self.len += rules.len();
        } else {
            if self.spill.is_empty() {
                self.spill.extend_from_slice(&self.buf[..self.len]);
            }
            self.spill.extend_from_slice(rules);
        }
    }

    pub(super) fn sort_dedup(&mut self) {
        if self.spill.is_empty() {
            let s = &mut self.buf[..self.len];
            // Insertion sort: a handful of candidates.
            for i in 1..s.len() {
                let mut j = i;
                while j > 0 && s[j - 1] > s[j] {
                    s.swap(j - 1, j);
                    j -= 1;
                }
            }
            let mut w = 0;
            for r in 0..self.len {
                if w == 0 || self.buf[w - 1] != self.buf[r] {
                    self.buf[w] = self.buf[r];
                    w += 1;
                }
            }
            self.len = w;
        } else {
            self.spill.sort_unstable();
            self.spill.dedup();
        }
    }

    #[inline]
    pub(super) fn as_slice(&self) -> &[u32] {
        if self.spill.is_empty() {
            &self.buf[..self.len]
        } else {
            &self.spill
        }
    }
}
