//! The literal-less rules of one issuer that are anchored at either end: a bit-parallel
//! *position filter* that names, for an identity, a superset of the rules that can match it
//! (never fewer), so that only those are checked.
//!
//! For each rule, computed once by walking its pattern's NFA byte by byte (the reference
//! evaluator's own NFA; look-arounds are taken as always true and captures as nothing, which
//! only widens the sets):
//! * the lengths in bytes a match can have (exactly, up to 62, then "63 or more"; every length
//!   from the shortest match on when only one end is anchored);
//! * for a `^`-anchored pattern, the bytes that can occur at each of the first [`K`] offsets of a
//!   match (which then starts at 0);
//! * for a `$`-anchored pattern, the same for the last [`K`] offsets, walking the NFA backwards.
//!
//! Each is computed twice: for ASCII identities (only the NFA's ASCII edges: under `(?i)` the
//! Kelvin sign and the long s would otherwise make every letter 1 to 3 bytes long) and for any.
//!
//! Rules are laid out in blocks of 64, ordered by the lengths they accept. Each block holds, for
//! each position and each byte class (bytes no rule tells apart), the `u64` of its rules that
//! allow it, next to each other in memory; a lookup ANDs the words of the identity's bytes block
//! by block and stops at the first zero. Lengths are a separate, length-major array, so that the
//! blocks an identity's length excludes are skipped by one sequential scan. Memory and time are
//! linear in the rules: no automaton state to build at lookup time, nothing to thrash.

use std::collections::HashMap;

use regex_automata::nfa::thompson::{State, NFA};
use regex_automata::util::primitives::StateID;
use regex_syntax::hir::{Hir, Look};

/// Positions looked at from each anchored end.
const K: usize = 32;

/// Length buckets: lengths `0..LEN_BUCKETS - 1` exactly, then one bucket for the rest.
const LEN_BUCKETS: usize = 64;

/// A set of bytes.
type ByteSet = [u64; 4];

const ALL: ByteSet = [u64::MAX; 4];

fn add_range(set: &mut ByteSet, lo: u8, hi: u8) {
    let (lo, hi) = (u32::from(lo), u32::from(hi));
    for (w, word) in set.iter_mut().enumerate() {
        let (base, top) = (64 * w as u32, 64 * w as u32 + 63);
        if lo > top || hi < base {
            continue;
        }
        let from = lo.max(base) - base;
        let to = hi.min(top) - base;
        // Bits `from..=to`.
        *word |= (u64::MAX >> (63 - (to - from))) << from;
    }
}

fn has(set: &ByteSet, b: u8) -> bool {
    set[usize::from(b >> 6)] & (1 << (b & 63)) != 0
}

/// Distinct byte sets, numbered (profiles hold numbers, not 32-byte sets).
struct Sets {
    ids: HashMap<ByteSet, u16>,
    list: Vec<ByteSet>,
}

impl Sets {
    fn new() -> Sets {
        let mut sets = Sets { ids: HashMap::new(), list: Vec::new() };
        sets.id(ALL);
        sets
    }

    /// The set's number; past `u16::MAX` distinct sets, the number of "every byte" (a superset).
    fn id(&mut self, set: ByteSet) -> u16 {
        if let Some(&id) = self.ids.get(&set) {
            return id;
        }
        match u16::try_from(self.list.len()) {
            Ok(id) => {
                self.list.push(set);
                self.ids.insert(set, id);
                id
            }
            Err(_) => 0,
        }
    }
}

/// What one rule allows (for ASCII identities, or for any).
#[derive(Clone)]
struct Profile {
    /// Bit `l` (`l < 63`): a match may be `l` bytes long; bit 63: 63 bytes or more.
    lens: u64,
    /// The sets (numbers in [`Sets`]) of bytes allowed at offsets `0..K` from the start (every
    /// byte when not `^`-anchored).
    prefix: [u16; K],
    /// The same at offsets `0..K` from the end (the last byte first).
    suffix: [u16; K],
}

impl Profile {
    fn open() -> Profile {
        Profile { lens: u64::MAX, prefix: [0; K], suffix: [0; K] }
    }
}

/// Edges of a graph over `0..n`, in compressed rows.
#[derive(Default)]
struct Edges {
    eps_at: Vec<u32>,
    eps: Vec<u32>,
    byte_at: Vec<u32>,
    bytes: Vec<(u8, u8, u32)>,
}

impl Edges {
    fn clear(&mut self) {
        self.eps_at.clear();
        self.eps.clear();
        self.byte_at.clear();
        self.bytes.clear();
    }

    fn eps(&self, s: u32) -> &[u32] {
        let s = s as usize;
        &self.eps[self.eps_at[s] as usize..self.eps_at[s + 1] as usize]
    }

    fn bytes(&self, s: u32) -> &[(u8, u8, u32)] {
        let s = s as usize;
        &self.bytes[self.byte_at[s] as usize..self.byte_at[s + 1] as usize]
    }

    /// `into` becomes this graph with every edge reversed.
    fn reverse_into(&self, into: &mut Edges) {
        into.clear();
        let n = self.eps_at.len() - 1;
        into.eps_at.resize(n + 1, 0);
        into.byte_at.resize(n + 1, 0);
        for &t in &self.eps {
            into.eps_at[t as usize + 1] += 1;
        }
        for &(_, _, t) in &self.bytes {
            into.byte_at[t as usize + 1] += 1;
        }
        for i in 0..n {
            into.eps_at[i + 1] += into.eps_at[i];
            into.byte_at[i + 1] += into.byte_at[i];
        }
        into.eps.resize(self.eps.len(), 0);
        into.bytes.resize(self.bytes.len(), (0, 0, 0));
        let mut fill_eps = into.eps_at.clone();
        let mut fill_bytes = into.byte_at.clone();
        for s in 0..n as u32 {
            for &t in self.eps(s) {
                let at = &mut fill_eps[t as usize];
                into.eps[*at as usize] = s;
                *at += 1;
            }
            for &(lo, hi, t) in self.bytes(s) {
                let at = &mut fill_bytes[t as usize];
                into.bytes[*at as usize] = (lo, hi, s);
                *at += 1;
            }
        }
    }
}

/// Buffers reused from one rule to the next.
#[derive(Default)]
struct Scratch {
    /// NFA state to graph state (`u32::MAX`: not seen).
    map: Vec<u32>,
    order: Vec<StateID>,
    fwd: Edges,
    rev: Edges,
    accept: Vec<u32>,
    is_accept: Vec<bool>,
    is_start: Vec<bool>,
    seen: Vec<u32>,
    cur: Vec<u32>,
    next: Vec<u32>,
}

impl Scratch {
    /// The graph of the states of `nfa` reachable from its anchored start (local 0).
    fn load(&mut self, nfa: &NFA) {
        self.map.clear();
        self.map.resize(nfa.states().len(), u32::MAX);
        self.order.clear();
        self.fwd.clear();
        self.accept.clear();
        let Scratch { map, order, fwd, accept, .. } = self;
        let queue = core::cell::RefCell::new(order);
        let id = |s: StateID| -> u32 {
            let slot = &mut map[s.as_usize()];
            if *slot == u32::MAX {
                let mut order = queue.borrow_mut();
                *slot = order.len() as u32;
                order.push(s);
            }
            *slot
        };
        let mut id = id;
        id(nfa.start_anchored());
        let mut i = 0;
        loop {
            let Some(&sid) = queue.borrow().get(i) else { break };
            fwd.eps_at.push(fwd.eps.len() as u32);
            fwd.byte_at.push(fwd.bytes.len() as u32);
            match nfa.state(sid) {
                State::ByteRange { trans } => fwd.bytes.push((trans.start, trans.end, id(trans.next))),
                State::Sparse(sp) => {
                    for t in sp.transitions.iter() {
                        fwd.bytes.push((t.start, t.end, id(t.next)));
                    }
                }
                State::Dense(d) => {
                    for (b, &next) in d.transitions.iter().enumerate() {
                        if next != StateID::ZERO {
                            fwd.bytes.push((b as u8, b as u8, id(next)));
                        }
                    }
                }
                State::Look { next, .. } | State::Capture { next, .. } => fwd.eps.push(id(*next)),
                State::Union { alternates } => {
                    for &a in alternates.iter() {
                        fwd.eps.push(id(a));
                    }
                }
                State::BinaryUnion { alt1, alt2 } => {
                    fwd.eps.push(id(*alt1));
                    fwd.eps.push(id(*alt2));
                }
                State::Fail => {}
                State::Match { .. } => accept.push(i as u32),
            }
            i += 1;
        }
        fwd.eps_at.push(fwd.eps.len() as u32);
        fwd.byte_at.push(fwd.bytes.len() as u32);
        let n = self.order.len();
        self.is_accept.clear();
        self.is_accept.resize(n, false);
        for &a in &self.accept {
            self.is_accept[a as usize] = true;
        }
        self.is_start.clear();
        self.is_start.resize(n, false);
        self.is_start[0] = true;
    }

    /// A walk from `starts` over `edges`, one step per byte no greater than `top`, for up to
    /// `steps` (at most 64) steps: the bytes allowed at the first `K` steps, and the steps at which an `accepting`
    /// state is reached (bit 63: at 63 or later, or still walking). When the far end is not
    /// anchored, a match may be followed by anything: from the first accepting step on, every
    /// byte and every length is allowed.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        seen: &mut Vec<u32>,
        cur: &mut Vec<u32>,
        next: &mut Vec<u32>,
        edges: &Edges,
        starts: &[u32],
        accepting: &[bool],
        far_anchored: bool,
        top: u8,
        steps: u32,
    ) -> ([ByteSet; K], u64) {
        let mut sets = [[0u64; 4]; K];
        let mut lens = 0u64;
        seen.clear();
        seen.resize(accepting.len(), u32::MAX);
        next.clear();
        next.extend_from_slice(starts);
        for i in 0..steps {
            // The epsilon closure of `next` into `cur` (`next` is the stack).
            cur.clear();
            while let Some(s) = next.pop() {
                if seen[s as usize] == i {
                    continue;
                }
                seen[s as usize] = i;
                cur.push(s);
                next.extend_from_slice(edges.eps(s));
            }
            if cur.is_empty() {
                break;
            }
            if i == 63 {
                lens |= 1 << 63;
                break;
            }
            if cur.iter().any(|&s| accepting[s as usize]) {
                if !far_anchored {
                    lens |= u64::MAX << i;
                    for rest in sets.iter_mut().skip(i as usize) {
                        *rest = ALL;
                    }
                    break;
                }
                lens |= 1 << i;
            }
            for &s in cur.iter() {
                for &(lo, hi, t) in edges.bytes(s) {
                    if lo > top {
                        continue;
                    }
                    if let Some(slot) = sets.get_mut(i as usize) {
                        add_range(slot, lo, hi.min(top));
                    }
                    next.push(t);
                }
            }
        }
        (sets, lens)
    }

    /// The profiles of one pattern: for ASCII identities, and for any.
    fn profiles(&mut self, hir: &Hir, nfa: &NFA, sets: &mut [Sets; 2]) -> [Profile; 2] {
        let p = hir.properties();
        let start = p.look_set_prefix().contains(Look::Start);
        let end = p.look_set_suffix().contains(Look::End);
        let mut out = [Profile::open(), Profile::open()];
        if !(start || end) {
            return out;
        }
        self.load(nfa);
        if end {
            self.fwd.reverse_into(&mut self.rev);
        }
        for (k, top) in [0x7F, 0xFF].into_iter().enumerate() {
            let prof = &mut out[k];
            if start {
                let (pos, lens) = Scratch::walk(
                    &mut self.seen,
                    &mut self.cur,
                    &mut self.next,
                    &self.fwd,
                    &[0],
                    &self.is_accept,
                    end,
                    top,
                    64,
                );
                for (slot, set) in prof.prefix.iter_mut().zip(pos) {
                    *slot = sets[k].id(set);
                }
                prof.lens &= lens;
            }
            if end {
                let (pos, lens) = Scratch::walk(
                    &mut self.seen,
                    &mut self.cur,
                    &mut self.next,
                    &self.rev,
                    &self.accept,
                    &self.is_start,
                    start,
                    top,
                    // Anchored at both ends, the forward walk has given the lengths: only the
                    // positions are needed.
                    if start { K as u32 } else { 64 },
                );
                for (slot, set) in prof.suffix.iter_mut().zip(pos) {
                    *slot = sets[k].id(set);
                }
                if !start {
                    prof.lens &= lens;
                }
            }
        }
        out
    }
}

/// The position filter of one issuer's anchored literal-less rules.
pub(super) struct Filter {
    /// The rules, in block order (rule `64 * b + j` of this list is bit `j` of block `b`).
    rules: Vec<u32>,
    blocks: usize,
    /// Byte to class.
    class_of: [u8; 256],
    classes: usize,
    /// Prefix positions stored (0 or `K`), and suffix positions stored (0 or `K`).
    pre: usize,
    suf: usize,
    /// Block-major: block `b`, position `p` (prefix positions first), class `c` at
    /// `(b * (pre + suf) + p) * classes + c`.
    words: Box<[u64]>,
    /// Length-major: bucket `l`, block `b` at `l * blocks + b`.
    lens: Box<[u64]>,
}

impl core::fmt::Debug for Filter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Filter")
            .field("rules", &self.rules.len())
            .field("classes", &self.classes)
            .field("pre", &self.pre)
            .field("suf", &self.suf)
            .finish_non_exhaustive()
    }
}

/// The filters of `rules` (each with its pattern and the reference evaluator's NFA of it): one
/// for ASCII identities, one for any.
pub(super) fn filters(rules: &[(u32, &Hir, &NFA)]) -> (Filter, Filter) {
    let mut scratch = Scratch::default();
    let mut sets = [Sets::new(), Sets::new()];
    let mut ascii = Vec::with_capacity(rules.len());
    let mut any = Vec::with_capacity(rules.len());
    for &(rule, hir, nfa) in rules {
        let [a, b] = scratch.profiles(hir, nfa, &mut sets);
        ascii.push((rule, a));
        any.push((rule, b));
    }
    let [sets_ascii, sets_any] = sets;
    (Filter::new(ascii, &sets_ascii), Filter::new(any, &sets_any))
}

impl Filter {
    fn new(mut profs: Vec<(u32, Profile)>, sets: &Sets) -> Filter {
        // Rules of similar lengths share blocks, so that most blocks are skipped by length alone;
        // among those, rules with the same sets at the same positions, so that a block's word
        // drops to zero early.
        profs.sort_by(|(r, p), (q, o)| {
            (p.lens.trailing_zeros(), p.lens.leading_zeros(), &p.prefix, &p.suffix, r).cmp(&(
                o.lens.trailing_zeros(),
                o.lens.leading_zeros(),
                &o.prefix,
                &o.suffix,
                q,
            ))
        });
        let pre = if profs.iter().any(|(_, p)| p.prefix.iter().any(|&s| s != 0)) { K } else { 0 };
        let suf = if profs.iter().any(|(_, p)| p.suffix.iter().any(|&s| s != 0)) { K } else { 0 };
        // Byte classes: bytes that every set treats alike.
        let mut class_of = [0u8; 256];
        let mut sigs: HashMap<Vec<u64>, u8> = HashMap::new();
        for b in 0..=255u8 {
            let mut sig = vec![0u64; sets.list.len().div_ceil(64)];
            for (k, set) in sets.list.iter().enumerate() {
                if has(set, b) {
                    sig[k / 64] |= 1 << (k % 64);
                }
            }
            // At most 256 classes: one per byte.
            let next = sigs.len() as u8;
            class_of[usize::from(b)] = *sigs.entry(sig).or_insert(next);
        }
        let classes = sigs.len();
        // Each set as a bit mask of classes, through a representative byte of each class.
        let mut rep = vec![0u8; classes];
        for b in (0..=255u8).rev() {
            rep[usize::from(class_of[usize::from(b)])] = b;
        }
        let blocks = profs.len().div_ceil(64);
        let stride = (pre + suf) * classes;
        let mut words = vec![0u64; blocks * stride];
        let mut lens = vec![0u64; LEN_BUCKETS * blocks];
        for (k, (_, p)) in profs.iter().enumerate() {
            let (b, bit) = (k / 64, 1u64 << (k % 64));
            let block = &mut words[b * stride..(b + 1) * stride];
            for (pos, &set) in p.prefix[..pre].iter().chain(&p.suffix[..suf]).enumerate() {
                let set = &sets.list[usize::from(set)];
                for (c, &r) in rep.iter().enumerate() {
                    if has(set, r) {
                        block[pos * classes + c] |= bit;
                    }
                }
            }
            for (l, w) in lens.chunks_mut(blocks).enumerate() {
                if p.lens & (1 << l) != 0 {
                    w[b] |= bit;
                }
            }
        }
        Filter {
            rules: profs.iter().map(|(r, _)| *r).collect(),
            blocks,
            class_of,
            classes,
            pre,
            suf,
            words: words.into(),
            lens: lens.into(),
        }
    }

    /// Every rule that may match `hay` (a superset of those that do), in block order.
    #[inline]
    pub(super) fn candidates(&self, hay: &[u8], mut out: impl FnMut(u32)) {
        let n = hay.len();
        let bucket = n.min(LEN_BUCKETS - 1);
        let Some(lens) = self.lens.get(bucket * self.blocks..(bucket + 1) * self.blocks) else { return };
        let classes = self.classes;
        let stride = (self.pre + self.suf) * classes;
        let pre = self.pre.min(n);
        let suf = self.suf.min(n);
        // Where the identity's byte at each looked-at position reads in a block, once: from both
        // ends alternately (first byte, last byte, second, ...), so that a block whose rules fail
        // at either end drops out early.
        let mut at = [0usize; 2 * K];
        let mut len = 0;
        for i in 0..pre.max(suf) {
            if i < pre {
                at[len] = i * classes + usize::from(self.class_of[usize::from(hay[i])]);
                len += 1;
            }
            if i < suf {
                at[len] = (self.pre + i) * classes + usize::from(self.class_of[usize::from(hay[n - 1 - i])]);
                len += 1;
            }
        }
        let at = &at[..len];
        for (b, &len_word) in lens.iter().enumerate() {
            if len_word == 0 {
                continue;
            }
            let words = &self.words[b * stride..(b + 1) * stride];
            let mut w = len_word;
            for &a in at {
                w &= words[a];
                if w == 0 {
                    break;
                }
            }
            while w != 0 {
                let j = w.trailing_zeros() as usize;
                w &= w - 1;
                out(self.rules[b * 64 + j]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cockroach::{CaseMode, Options, Ruleset};

    const PATTERNS: &[&str] = &[
        "^([0-9]{3})[._-]([0-9]{4})[._-]([0-9]{2})$",
        "^([a-z]{2})([0-9]{3,9})$",
        "^[a-z]{4}[0-9]{2}(.{3,})$",
        "^([0-9]{2}|[a-z]{3}[0-9]{1})$",
        "^(\\w{2})(\\d{1})(\\w{3})$",
        "^([a-z]+)[._]([0-9]{2})$",
        "^[ks]{2}$",
        "^(.*)[0-9]{2}$",
        "^[0-9]{2}",
        "[a-z]{2}$",
        "\\b[0-9]$",
        "^\\b[a-z]",
        "(?m)^[0-9]{2}$",
        "^$",
        "^.{40,}$",
        "^[é\u{212A}]{2}x$",
        "^(?-i)[a-z]{3}$",
    ];

    const IDENTITIES: &[&str] = &[
        "",
        "1",
        "12",
        "ab",
        "Ab",
        "kS",
        "\u{212A}\u{17F}",
        "\u{212A}\u{212A}x",
        "éÉx",
        "123.4567-89",
        "ab123",
        "AB123456789",
        "abcd12xyz",
        "abcd12\u{e9}\u{e9}\u{e9}",
        "abc1",
        "a1b2c3",
        "ab_1cd",
        "xyz.12",
        "zz99",
        "9\n12",
        "12\nab",
        "x!",
        "0123456789012345678901234567890123456789012345678901234567890123456789",
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz12",
    ];

    /// Every rule that matches an identity is among the filter's candidates, in both case modes,
    /// through the ASCII filter or the other one as the identity is.
    #[test]
    fn candidates_are_a_superset_of_the_matches() {
        for case in [CaseMode::Insensitive, CaseMode::Sensitive] {
            let text: String = PATTERNS.iter().map(|p| format!("iss /{p} u\n")).collect();
            let rules = Ruleset::parse(&text, Options::new().case(case)).unwrap();
            let pats: Vec<(u32, &Hir, &NFA)> = rules
                .rules()
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let (h, vm) = r.compiled().unwrap();
                    (i as u32, h, vm.get_nfa())
                })
                .collect();
            let (ascii, any) = filters(&pats);
            let mut pruned = 0;
            for id in IDENTITIES {
                let filter = if id.is_ascii() { &ascii } else { &any };
                let mut cands = Vec::new();
                filter.candidates(id.as_bytes(), |r| cands.push(r));
                for (i, r) in rules.rules().iter().enumerate() {
                    let (hir, vm) = r.compiled().unwrap();
                    let anchored = hir.properties().look_set_prefix().contains(Look::Start)
                        || hir.properties().look_set_suffix().contains(Look::End);
                    let matched = vm.is_match(&mut vm.create_cache(), *id);
                    let cand = cands.contains(&(i as u32));
                    if anchored {
                        assert!(
                            !matched || cand,
                            "{case:?}: {:?} matches {id:?} but is no candidate",
                            PATTERNS[i]
                        );
                        pruned += usize::from(!cand);
                    } else {
                        assert!(cand, "an unanchored pattern is always a candidate");
                    }
                }
            }
            // The filter does prune (most pairs do not match).
            assert!(pruned > IDENTITIES.len() * PATTERNS.len() / 2, "{case:?}: pruned {pruned}");
        }
    }

    /// The profile of a counted class sequence is exact: each position's bytes and the length.
    #[test]
    fn profile_of_a_counted_sequence() {
        let rules = Ruleset::parse("iss /^([0-9]{3})[._-]([a-z]{2})$ u", Options::default()).unwrap();
        let (hir, vm) = rules.rules()[0].compiled().unwrap();
        let mut sets = [Sets::new(), Sets::new()];
        let [ascii, any] = Scratch::default().profiles(hir, vm.get_nfa(), &mut sets);
        assert_eq!(ascii.lens, 1 << 6);
        let show = |id: u16| -> String {
            let set = &sets[0].list[usize::from(id)];
            (0..=127u8).filter(|&b| has(set, b)).map(char::from).collect()
        };
        let prefix: Vec<String> = ascii.prefix[..7].iter().map(|&s| show(s)).collect();
        let letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        assert_eq!(prefix, ["0123456789", "0123456789", "0123456789", "-._", letters, letters, ""]);
        assert_eq!(show(ascii.suffix[0]), letters);
        assert_eq!(show(ascii.suffix[2]), "-._");
        // Any identity: the Kelvin sign (3 bytes) and the long s (2 bytes) make 6 to 10 bytes.
        assert_eq!(any.lens, (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10));
    }
}
