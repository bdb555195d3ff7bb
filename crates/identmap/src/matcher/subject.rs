//! An identity prepared for matching: its characters, and its canonical (case-folded) form for
//! hashing. ASCII identities — nearly all of them — need no preparation at all.

use crate::fold::fold_char;

/// The identity, indexed by character.
pub(super) struct Subject<'a> {
    orig: &'a str,
    /// `None` for ASCII (character i is byte i); otherwise the characters and the byte offset of
    /// each in `orig` (plus the end).
    wide: Option<Wide>,
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
            return Subject { orig, wide: None };
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
        Subject { orig, wide: Some(Wide { chars, obounds, canon: canon.into_bytes(), cbounds }) }
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

    /// The canonical text of a non-ASCII identity (for the infix automaton); an ASCII identity
    /// has none (its canonical bytes are its ASCII upper case, computed where needed).
    pub(super) fn canon_bytes(&self) -> &[u8] {
        self.wide.as_ref().map_or(&[], |w| &w.canon)
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
