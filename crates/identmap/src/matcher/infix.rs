//! The infix literal index: every occurrence, in an identity's canonical bytes, of any of an
//! issuer's infix literals.
//!
//! Each literal is keyed by its first `q` bytes (`q`: the shortest literal's length, at most 8), a
//! *gram*. A lookup reads the gram at every position of the identity — one word load, a mask and
//! a keyed multiply each, independent of each other — and tests one bit of a small filter; only
//! where the bit is set does it look the gram up and compare the literals that start with it.
//! Unlike an automaton walk, no step waits for the previous one, and the filter stays in cache.

use super::index::Cands;
use super::subject::PAD;

/// Filter bits per distinct gram (a false positive costs one binary search, never a wrong answer).
const BITS_PER_GRAM: usize = 128;

/// A literal (canonical bytes) and the rules that require it, sorted.
type Literal = (Box<[u8]>, Box<[u32]>);

pub(super) struct Infix {
    /// The gram length in bytes (1..=8).
    q: usize,
    /// Keeps the gram's `q` bytes of a little-endian word.
    mask: u64,
    /// The filter's keyed odd multiplier, and the shift that keeps its top bits.
    mul: u64,
    shift: u32,
    filter: Box<[u64]>,
    /// `(gram, literal)`, sorted.
    grams: Box<[(u64, u32)]>,
    /// The literals (canonical bytes) and the rules of each, sorted.
    lits: Box<[Literal]>,
}

impl core::fmt::Debug for Infix {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Infix")
            .field("q", &self.q)
            .field("literals", &self.lits.len())
            .finish_non_exhaustive()
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
    pub(super) fn new(mut list: Vec<(Vec<u8>, u32)>, seed: u64) -> Option<Infix> {
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
        let q = lits.iter().map(|(l, _)| l.len()).min()?.min(8);
        let mask = if q == 8 { u64::MAX } else { (1u64 << (8 * q)) - 1 };
        let mut grams: Vec<(u64, u32)> =
            lits.iter().enumerate().map(|(i, (l, _))| (word(l) & mask, i as u32)).collect();
        grams.sort_unstable();
        let distinct = grams.windows(2).filter(|w| w[0].0 != w[1].0).count() + 1;
        let bits = (distinct * BITS_PER_GRAM).next_power_of_two().max(64);
        let shift = 64 - bits.trailing_zeros();
        let mul = seed | 1;
        let mut filter = vec![0u64; bits / 64];
        for &(g, _) in &grams {
            let b = (g.wrapping_mul(mul) >> shift) as usize;
            filter[b / 64] |= 1 << (b % 64);
        }
        let lits = lits.into_iter().map(|(l, r)| (l, r.into_boxed_slice())).collect();
        Some(Infix { q, mask, mul, shift, filter: filter.into(), grams: grams.into(), lits })
    }

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
                self.at(g, &padded[i..n], out);
            }
        }
    }

    #[inline(never)]
    fn at(&self, g: u64, text: &[u8], out: &mut Cands) {
        let from = self.grams.partition_point(|&(x, _)| x < g);
        for &(x, lit) in &self.grams[from..] {
            if x != g {
                break;
            }
            let (bytes, rules) = &self.lits[lit as usize];
            if text.starts_with(bytes) {
                out.extend(rules);
            }
        }
    }
}
