//! The infix literal index: every occurrence, in an identity's canonical bytes, of any of an
//! issuer's infix literals.
//!
//! Each literal is keyed by one of its windows of `q` bytes (`q`: the shortest literal's length,
//! at most 8), a *gram*: the window the fewest other literals were keyed by so far, so that
//! `ADMIN1`, `ADMIN10` and `ADMIN100` get three different grams. A lookup reads the gram at every position of the identity — one word load, a mask and
//! a keyed multiply each, independent of each other — and tests one bit of a small filter (the
//! product's top bits, which depend on every byte of the gram; 64 bits per gram: a few kilobytes,
//! in L1 at 100,000 rules); only
//! where the bit is set does it look the gram up and compare the literals that start with it.
//! Unlike an automaton walk, no step waits for the previous one, and the filter stays in cache.
//!
//! When many literals share a gram (say, one literal is a single character, so `q` is 1), the
//! comparisons at each hit would grow with the number of literals: then an Aho-Corasick automaton
//! finds every occurrence instead, in time linear in the identity whatever the literals.

use super::index::Cands;
use super::subject::PAD;

/// Filter bits per distinct gram (about 1.5 % false positives per position; a false positive
/// costs one binary search, never a wrong answer).
const BITS_PER_GRAM: usize = 64;

/// Beyond this many literals sharing one gram, the automaton is used.
const MAX_SHARED: usize = 8;

/// A literal (canonical bytes) and the rules that require it, sorted.
type Literal = (Box<[u8]>, Box<[u32]>);

/// How an issuer's infix literals are found: by grams, or by the automaton when many literals
/// share a gram.
pub(super) enum Infix {
    Grams(Grams),
    Automaton(Automaton),
}

/// The gram filter and the literals behind it.
pub(super) struct Grams {
    /// The gram length in bytes (1..=8).
    q: usize,
    /// Keeps the gram's `q` bytes of a little-endian word.
    mask: u64,
    /// The filter's keyed odd multiplier, and the shift that keeps the top bits (the bit index).
    mul: u64,
    shift: u32,
    filter: Box<[u64]>,
    /// `(gram, literal, offset of the gram in the literal)`, sorted.
    grams: Box<[(u64, u32, u32)]>,
    /// The literals (canonical bytes) and the rules of each, sorted.
    lits: Box<[Literal]>,
}

/// Every occurrence of every literal, by an Aho-Corasick automaton (a DFA when it fits).
pub(super) struct Automaton {
    ac: aho_corasick::AhoCorasick,
    rules: Box<[Box<[u32]>]>,
}

impl core::fmt::Debug for Infix {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Infix::Grams(g) => f
                .debug_struct("Grams")
                .field("q", &g.q)
                .field("literals", &g.lits.len())
                .finish_non_exhaustive(),
            Infix::Automaton(a) => f.debug_struct("Automaton").field("literals", &a.rules.len()).finish(),
        }
    }
}

fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    let n = bytes.len().min(8);
    w[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(w)
}

impl Infix {
    /// `list`: each non-empty literal (canonical bytes) with one rule that requires it; `seed`
    /// keys the filter's hash.
    pub(super) fn new(mut list: Vec<(Vec<u8>, u32)>, seed: u64) -> Result<Option<Infix>, String> {
        list.retain(|(lit, _)| !lit.is_empty());
        list.sort();
        let mut lits: Vec<(Box<[u8]>, Vec<u32>)> = Vec::new();
        for (lit, rule) in list {
            match lits.last_mut() {
                Some((l, rules)) if **l == *lit => {
                    if rules.last() != Some(&rule) {
                        rules.push(rule);
                    }
                }
                _ => lits.push((lit.into(), vec![rule])),
            }
        }
        let Some(q) = lits.iter().map(|(l, _)| l.len()).min() else { return Ok(None) };
        let q = q.min(8);
        let mask = if q == 8 { u64::MAX } else { (1u64 << (8 * q)) - 1 };
        // Greedily, longest literals first (they have the most windows to choose from, and the
        // short ones take what is left): each literal takes its least used window.
        let mut order: Vec<usize> = (0..lits.len()).collect();
        order.sort_by_key(|&i| lits[i].0.len());
        let mut used: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
        let mut grams: Vec<(u64, u32, u32)> = Vec::with_capacity(lits.len());
        for &i in &order {
            let l = &lits[i].0;
            let (off, g) = (0..=l.len() - q)
                .map(|o| (o, word(&l[o..]) & mask))
                .min_by_key(|&(o, g)| (used.get(&g).copied().unwrap_or(0), o))
                .unwrap_or((0, word(l) & mask));
            *used.entry(g).or_default() += 1;
            grams.push((g, i as u32, off as u32));
        }
        grams.sort_unstable();
        let most_shared = used.values().copied().max().unwrap_or(0);
        if most_shared > MAX_SHARED {
            let ac = aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(lits.iter().map(|(l, _)| l))
                .or_else(|_| aho_corasick::AhoCorasick::new(lits.iter().map(|(l, _)| l)))
                .map_err(|e| e.to_string())?;
            let rules = lits.into_iter().map(|(_, r)| r.into_boxed_slice()).collect();
            return Ok(Some(Infix::Automaton(Automaton { ac, rules })));
        }
        let distinct = used.len();
        // At least 128 bits, so that the shift is below 64.
        let bits = (distinct * BITS_PER_GRAM).next_power_of_two().max(128);
        let shift = 64 - bits.trailing_zeros();
        let mul = seed | 1;
        let mut filter = vec![0u64; bits / 64];
        for &(g, _, _) in &grams {
            let b = (g.wrapping_mul(mul) >> shift) as usize;
            filter[b / 64] |= 1 << (b % 64);
        }
        let lits = lits.into_iter().map(|(l, r)| (l, r.into_boxed_slice())).collect();
        let grams = Grams { q, mask, mul, shift, filter: filter.into(), grams: grams.into(), lits };
        Ok(Some(Infix::Grams(grams)))
    }

    /// The rules of every literal that occurs in `padded` (canonical bytes followed by [`PAD`]
    /// zero bytes).
    #[inline]
    pub(super) fn find(&self, padded: &[u8], out: &mut Cands) {
        match self {
            Infix::Grams(g) => g.find(padded, out),
            Infix::Automaton(a) => {
                let text = &padded[..padded.len().saturating_sub(PAD)];
                for m in a.ac.find_overlapping_iter(text) {
                    out.extend(&a.rules[m.pattern().as_usize()]);
                }
            }
        }
    }
}

impl Grams {
    /// The rules of every literal that occurs in `padded` (canonical bytes followed by [`PAD`]
    /// zero bytes).
    #[inline]
    pub(super) fn find(&self, padded: &[u8], out: &mut Cands) {
        let n = padded.len().saturating_sub(PAD);
        if n < self.q {
            return;
        }
        for i in 0..=n - self.q {
            let Ok(w) = <[u8; 8]>::try_from(&padded[i..i + 8]) else { return };
            let g = u64::from_le_bytes(w) & self.mask;
            let b = (g.wrapping_mul(self.mul) >> self.shift) as usize;
            if self.filter[b / 64] >> (b % 64) & 1 != 0 {
                self.at(g, &padded[..n], i, out);
            }
        }
    }

    /// The literals keyed by gram `g`, found at byte `i` of `text`.
    #[inline(never)]
    fn at(&self, g: u64, text: &[u8], i: usize, out: &mut Cands) {
        let from = self.grams.partition_point(|&(x, _, _)| x < g);
        for &(x, lit, off) in &self.grams[from..] {
            if x != g {
                break;
            }
            let (bytes, rules) = &self.lits[lit as usize];
            let start = i.wrapping_sub(off as usize);
            if start <= i && text.get(start..).is_some_and(|t| t.starts_with(bytes)) {
                out.extend(rules);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Infix, PAD};
    use crate::matcher::index::Cands;
    use proptest::prelude::*;

    fn found(infix: &Infix, text: &[u8]) -> Vec<u32> {
        let mut padded = text.to_vec();
        padded.extend_from_slice(&[0; PAD]);
        let mut out = Cands::new();
        infix.find(&padded, &mut out);
        out.sort_dedup();
        out.as_slice().to_vec()
    }

    fn naive(list: &[(Vec<u8>, u32)], text: &[u8]) -> Vec<u32> {
        let mut v: Vec<u32> = list
            .iter()
            .filter(|(l, _)| !l.is_empty() && text.windows(l.len()).any(|w| w == &l[..]))
            .map(|(_, r)| *r)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn many_literals_on_one_gram_use_the_automaton() {
        // Thirty literals over two bytes, one of them one byte long: some gram of one byte is
        // shared by more than eight.
        let list: Vec<(Vec<u8>, u32)> = (1..=4usize)
            .flat_map(|len| {
                (0..1u32 << len).map(move |bits| {
                    (0..len).map(|k| if bits >> k & 1 == 1 { b'A' } else { b'@' }).collect::<Vec<u8>>()
                })
            })
            .zip(0..)
            .collect();
        let infix = Infix::new(list.clone(), 12345).unwrap().unwrap();
        assert!(matches!(infix, Infix::Automaton(_)));
        assert_eq!(found(&infix, b"xA@Ax"), naive(&list, b"xA@Ax"));
        assert_eq!(found(&infix, b"xA@Ax").len(), 5); // A, @, A@, @A, A@A
    }

    #[test]
    fn a_literal_is_keyed_by_its_least_shared_window() {
        let list = vec![(b"ADMIN1".to_vec(), 1), (b"ADMIN10".to_vec(), 10), (b"ADMIN100".to_vec(), 100)];
        let infix = Infix::new(list.clone(), 99).unwrap().unwrap();
        let Infix::Grams(g) = &infix else { panic!("expected grams") };
        let grams: std::collections::BTreeSet<u64> = g.grams.iter().map(|x| x.0).collect();
        assert_eq!(grams.len(), 3);
        assert_eq!(found(&infix, b"XADMIN100Y"), [1, 10, 100]);
        assert_eq!(found(&infix, b"DMIN100"), Vec::<u32>::new());
    }

    #[test]
    fn distinct_grams_use_the_filter() {
        let list = vec![(b"ADMIN1".to_vec(), 3), (b"@PARTNER2.COM".to_vec(), 1), (b"ADMIN12".to_vec(), 2)];
        let infix = Infix::new(list.clone(), 7).unwrap().unwrap();
        assert!(matches!(infix, Infix::Grams(_)));
        assert_eq!(found(&infix, b"XADMIN12@PARTNER2.COM"), [1, 2, 3]);
        assert_eq!(found(&infix, b"ADMIN"), Vec::<u32>::new());
        assert!(Infix::new(Vec::new(), 7).unwrap().is_none());
    }

    proptest! {
        #[test]
        fn finds_exactly_the_literals_that_occur(
            lits in prop::collection::vec(prop::collection::vec(prop::sample::select(b"AB@.".to_vec()), 0..10), 0..24),
            text in prop::collection::vec(prop::sample::select(b"AB@.x".to_vec()), 0..40),
            seed in any::<u64>(),
        ) {
            let list: Vec<(Vec<u8>, u32)> = lits.into_iter().zip(0..).collect();
            match Infix::new(list.clone(), seed).unwrap() {
                Some(infix) => prop_assert_eq!(found(&infix, &text), naive(&list, &text)),
                None => prop_assert!(naive(&list, &text).is_empty()),
            }
        }
    }
}
