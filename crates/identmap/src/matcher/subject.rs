//! An identity prepared for matching: its characters, and its canonical (case-folded) form for
//! hashing. ASCII identities — nearly all of them — need no preparation at all.

use crate::fold::fold_char;

/// ASCII identities up to this many bytes keep their canonical form on the stack.
const INLINE: usize = 64;

/// The identity, indexed by character.
pub(super) struct Subject<'a> {
    orig: &'a str,
    /// `None` for ASCII (character i is byte i); otherwise the characters and the byte offset of
    /// each in `orig` (plus the end).
    wide: Option<Wide>,
    /// For an ASCII identity: its ASCII upper case (the canonical form), inline when short.
    upper: [u8; INLINE],
    upper_heap: Vec<u8>,
}

struct Wide {
    chars: Vec<char>,
    obounds: Vec<usize>,
    /// The fold representatives, as UTF-8.
    canon: Vec<u8>,
    /// The byte offset in `canon` of each character (plus the end).
    cbounds: Vec<usize>,
}

impl<'a> Subject<'a> {
    pub(super) fn new(orig: &'a str) -> Subject<'a> {
        if orig.is_ascii() {
            let mut upper = [0u8; INLINE];
            let mut upper_heap = Vec::new();
            match upper.get_mut(..orig.len()) {
                Some(dst) => {
                    for (d, b) in dst.iter_mut().zip(orig.bytes()) {
                        *d = b.to_ascii_uppercase();
                    }
                }
                None => upper_heap = orig.to_ascii_uppercase().into_bytes(),
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
        let wide = Some(Wide { chars, obounds, canon: canon.into_bytes(), cbounds });
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
        match &self.wide {
            None if self.orig.len() <= INLINE => &self.upper[..self.orig.len()],
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
