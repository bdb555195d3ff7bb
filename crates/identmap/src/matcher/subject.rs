//! An identity prepared for matching: its characters, and its canonical (case-folded) form for
//! hashing. ASCII identities — nearly all of them — need no preparation at all.

use crate::fold::fold_char;

/// ASCII identities up to this many bytes keep their canonical form on the stack.
const INLINE: usize = 64;

/// Zero bytes after the canonical form ([`Subject::canon_padded`]), so that a word can be read
/// at every position.
pub(super) const PAD: usize = 8;

/// The identity, indexed by character.
pub(super) struct Subject<'a> {
    orig: &'a str,
    /// `None` for ASCII (character i is byte i); otherwise the characters and the byte offset of
    /// each in `orig` (plus the end).
    wide: Option<Wide>,
    /// For an ASCII identity: its ASCII upper case (the canonical form) and [`PAD`] zero bytes,
    /// inline when short.
    upper: [u8; INLINE],
    upper_heap: Vec<u8>,
}

struct Wide {
    chars: Vec<char>,
    obounds: Vec<usize>,
    /// The fold representatives, as UTF-8, and [`PAD`] zero bytes.
    canon: Vec<u8>,
    /// The byte offset in `canon` of each character (plus the end).
    cbounds: Vec<usize>,
}

impl<'a> Subject<'a> {
    pub(super) fn new(orig: &'a str) -> Subject<'a> {
        if orig.is_ascii() {
            let mut upper = [0u8; INLINE];
            let mut upper_heap = Vec::new();
            match upper.get_mut(..orig.len() + PAD) {
                Some(dst) => ascii_upper(&mut dst[..orig.len()], orig.as_bytes()),
                None => {
                    upper_heap = orig.to_ascii_uppercase().into_bytes();
                    upper_heap.extend_from_slice(&[0; PAD]);
                }
            }
            return Subject { orig, wide: None, upper, upper_heap };
        }
        let chars: Vec<char> = orig.chars().collect();
        let mut obounds = Vec::with_capacity(chars.len() + 1);
        let mut canon = String::with_capacity(orig.len());
        let mut cbounds = Vec::with_capacity(chars.len() + 1);
        for (i, c) in orig.char_indices() {
            obounds.push(i);
            cbounds.push(canon.len());
            let f = fold_char(c);
            canon.push(f);
        }
        obounds.push(orig.len());
        cbounds.push(canon.len());
        let mut canon = canon.into_bytes();
        canon.extend_from_slice(&[0; PAD]);
        let wide = Some(Wide { chars, obounds, canon, cbounds });
        Subject { orig, wide, upper: [0; INLINE], upper_heap: Vec::new() }
    }

    #[inline]
    pub(super) fn text(&self) -> &'a str {
        self.orig
    }

    /// Number of characters.
    #[inline]
    pub(super) fn len(&self) -> usize {
        match &self.wide {
            None => self.orig.len(),
            Some(w) => w.chars.len(),
        }
    }

    /// Character `i`.
    #[inline]
    pub(super) fn char_at(&self, i: usize) -> char {
        match &self.wide {
            None => self.orig.as_bytes()[i] as char,
            Some(w) => w.chars[i],
        }
    }

    /// The canonical text: the fold representatives as UTF-8 (ASCII upper case for an ASCII
    /// identity, where byte `i` is character `i`).
    #[inline]
    pub(super) fn canon_bytes(&self) -> &[u8] {
        let padded = self.canon_padded();
        &padded[..padded.len() - PAD]
    }

    /// [`Subject::canon_bytes`] followed by [`PAD`] zero bytes.
    #[inline]
    pub(super) fn canon_padded(&self) -> &[u8] {
        match &self.wide {
            None if self.orig.len() + PAD <= INLINE => &self.upper[..self.orig.len() + PAD],
            None => &self.upper_heap,
            Some(w) => &w.canon,
        }
    }

    /// For a non-ASCII identity, the byte offset in [`Subject::canon_bytes`] of each character
    /// (plus the end); empty for ASCII.
    pub(super) fn canon_bounds(&self) -> &[usize] {
        self.wide.as_ref().map_or(&[], |w| &w.cbounds)
    }

    /// The original text of characters `i..j`.
    #[inline]
    pub(super) fn slice(&self, i: usize, j: usize) -> &'a str {
        match &self.wide {
            None => &self.orig[i..j],
            Some(w) => &self.orig[w.obounds[i]..w.obounds[j]],
        }
    }

    /// Whether the identity is ASCII.
    #[inline]
    pub(super) fn is_ascii(&self) -> bool {
        self.wide.is_none()
    }
}

/// `dst` = the ASCII upper case of `src` (ASCII, same length), eight bytes at a time.
#[inline]
fn ascii_upper(dst: &mut [u8], src: &[u8]) {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    let mut d = dst.chunks_exact_mut(8);
    let mut s = src.chunks_exact(8);
    for (d, s) in (&mut d).zip(&mut s) {
        let mut w = [0u8; 8];
        w.copy_from_slice(s);
        let x = u64::from_le_bytes(w);
        // Every byte is below 0x80, so no sum carries into the next byte: bit 7 of
        // `x + (0x80 - b'a')` says `>= b'a'`, of `x + (0x80 - b'z' - 1)` says `> b'z'`.
        let lower =
            (x + ONES * u64::from(0x80 - b'a')) & !(x + ONES * u64::from(0x80 - b'z' - 1)) & (ONES * 0x80);
        d.copy_from_slice(&(x ^ (lower >> 2)).to_le_bytes());
    }
    for (d, s) in d.into_remainder().iter_mut().zip(s.remainder()) {
        *d = s.to_ascii_uppercase();
    }
}

#[cfg(test)]
mod tests {
    use super::ascii_upper;

    #[test]
    fn ascii_upper_is_to_ascii_uppercase() {
        let all: Vec<u8> = (0u8..128).collect();
        for start in 0..all.len() {
            for len in [0, 1, 7, 8, 9, 17, 64] {
                let src = &all[start..(start + len).min(all.len())];
                let mut dst = vec![0u8; src.len()];
                ascii_upper(&mut dst, src);
                assert_eq!(dst, src.to_ascii_uppercase(), "{src:?}");
            }
        }
    }
}
