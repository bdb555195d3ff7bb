//! Classifying a pattern once, from its `Hir`: the items of a literal, a *shape* that needs no
//! regex engine, and the literal that indexes it.

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look};

use crate::fold::fold_char;

/// One character position of a literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Item {
    /// Exactly this character.
    Exact(char),
    /// Any character of this simple case-folding orbit (the orbit's smallest member).
    Orbit(char),
}

impl Item {
    /// The canonical character: what the item hashes as.
    pub(super) fn canon(self) -> char {
        match self {
            Item::Exact(c) => fold_char(c),
            Item::Orbit(c) => c,
        }
    }

    #[inline]
    pub(super) fn matches(self, c: char) -> bool {
        match self {
            Item::Exact(x) => x == c,
            Item::Orbit(x) => {
                if c.is_ascii() {
                    c.to_ascii_uppercase() == x
                } else {
                    fold_char(c) == x
                }
            }
        }
    }
}

/// How a literal compares against an ASCII identity, decided once.
#[derive(Clone, Debug)]
enum AsciiForm {
    /// Every item is a case-insensitive ASCII letter or caseless ASCII: compare canonical
    /// (uppercase) bytes.
    Folded(Bytes),
    /// Every item is an exact ASCII character: compare the bytes themselves.
    Exact(Bytes),
    /// Some item needs a non-ASCII character: no ASCII identity matches.
    Never,
    /// Mixed exact and folded items: compare item by item.
    Mixed,
}

/// Bytes held inline when short (most literals), so that a check reads no other cache line.
#[derive(Clone, Debug)]
enum Bytes {
    Inline(u8, [u8; 38]),
    Heap(Box<[u8]>),
}

impl Bytes {
    fn new(v: Vec<u8>) -> Bytes {
        let mut buf = [0u8; 38];
        match (buf.get_mut(..v.len()), u8::try_from(v.len())) {
            (Some(dst), Ok(n)) => {
                dst.copy_from_slice(&v);
                Bytes::Inline(n, buf)
            }
            _ => Bytes::Heap(v.into()),
        }
    }

    #[inline]
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Inline(n, buf) => &buf[..usize::from(*n)],
            Bytes::Heap(b) => b,
        }
    }
}

/// A literal: its items, and a fast form for ASCII identities.
#[derive(Clone, Debug)]
#[repr(C)]
pub(super) struct Lit {
    /// Read first by a lookup (ASCII identities): kept at the start.
    ascii: AsciiForm,
    items: Box<[Item]>,
}

impl Lit {
    pub(super) fn new(items: Vec<Item>) -> Lit {
        let ascii = if items.iter().any(|i| match i {
            Item::Exact(c) | Item::Orbit(c) => !c.is_ascii(),
        }) {
            AsciiForm::Never
        } else if items.iter().all(|i| matches!(i, Item::Orbit(_))) {
            AsciiForm::Folded(Bytes::new(items.iter().map(|i| i.canon() as u8).collect()))
        } else if items.iter().all(|i| matches!(i, Item::Exact(_))) {
            let bytes: Vec<u8> =
                items.iter().map(|i| if let Item::Exact(c) = i { *c as u8 } else { 0 }).collect();
            // An exact ASCII character without case is also its own fold: a literal of
            // caseless characters compares the same either way.
            if bytes.iter().all(|b| !b.is_ascii_alphabetic()) {
                AsciiForm::Folded(Bytes::new(bytes))
            } else {
                AsciiForm::Exact(Bytes::new(bytes))
            }
        } else {
            AsciiForm::Mixed
        };
        Lit { items: items.into(), ascii }
    }

    /// Length in characters.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the literal matches the identity's characters `at..at + len`.
    #[inline]
    pub(super) fn matches_at(&self, s: &super::subject::Subject<'_>, at: usize) -> bool {
        let n = self.items.len();
        if n == 0 {
            return true;
        }
        if s.is_ascii() {
            match &self.ascii {
                AsciiForm::Folded(b) => return s.canon_bytes()[at..at + n] == *b.as_slice(),
                AsciiForm::Exact(b) => return s.text().as_bytes()[at..at + n] == *b.as_slice(),
                AsciiForm::Never => return false,
                AsciiForm::Mixed => {}
            }
        }
        self.items.iter().enumerate().all(|(k, it)| it.matches(s.char_at(at + k)))
    }
}

/// A set of characters, with an ASCII bitmap for the common case.
#[derive(Clone, Debug)]
pub(super) struct CharClass {
    ascii: u128,
    ranges: Box<[(char, char)]>,
}

impl CharClass {
    pub(super) fn new(cls: &ClassUnicode) -> CharClass {
        let mut ascii = 0u128;
        for r in cls.ranges() {
            for b in (r.start() as u32)..=(r.end() as u32).min(127) {
                ascii |= 1 << b;
            }
        }
        CharClass { ascii, ranges: cls.ranges().iter().map(|r| (r.start(), r.end())).collect() }
    }

    #[inline]
    pub(super) fn contains(&self, c: char) -> bool {
        let u = c as u32;
        if u < 128 {
            return self.ascii & (1 << u) != 0;
        }
        crate::ranges::contains(&self.ranges, c)
    }

    /// Whether every ASCII byte is either in the class or not a concern: used to skip the
    /// per-character check for `.`-like classes on ASCII text.
    pub(super) fn all_ascii_but(&self) -> u128 {
        // Bits 0..=127: every ASCII byte, DEL (127) included.
        !self.ascii
    }
}

/// The one capture group of a shape: a repetition of a class.
#[derive(Clone, Debug)]
pub(super) struct Cap {
    pub(super) class: CharClass,
    pub(super) min: u32,
    pub(super) max: Option<u32>,
}

/// A pattern matched with no regex engine: `^P(C{min,max})S$`, `^L$`, `^L`, `L$` or `L`.
#[derive(Clone, Debug)]
pub(super) struct Shape {
    pub(super) start: bool,
    pub(super) end: bool,
    pub(super) prefix: Lit,
    /// Only with both anchors.
    pub(super) cap: Option<Cap>,
    pub(super) suffix: Lit,
}

/// How a pattern is indexed: the literal a matching identity must contain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Key {
    /// The whole identity is this literal.
    Whole(Vec<Item>),
    /// The identity ends with it.
    Suffix(Vec<Item>),
    /// The identity starts with it.
    Prefix(Vec<Item>),
    /// The identity contains it.
    Infix(Vec<Item>),
    /// No required literal: a candidate for every identity.
    None,
}

/// A top-level element of the pattern.
enum Elem<'h> {
    Lit(Item),
    Start,
    End,
    Other(&'h Hir),
}

fn orbit_of(c: char) -> ClassUnicode {
    let mut cls = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
    cls.case_fold_simple();
    cls
}

/// A class that is one character, or exactly one case-folding orbit, as a literal item.
fn class_item(cls: &ClassUnicode) -> Option<Item> {
    let ranges = cls.ranges();
    let first = ranges.first()?.start();
    if ranges.len() == 1 && ranges[0].start() == ranges[0].end() {
        return Some(Item::Exact(first));
    }
    if ranges.iter().map(|r| r.end() as u32 - r.start() as u32 + 1).sum::<u32>() > 4 {
        return None;
    }
    if first.is_ascii_uppercase() {
        // `(?i)` letters, nearly every class here: the orbit of an ASCII letter is its two cases,
        // plus the Kelvin sign for K and the long s for S. No case-folding table lookup.
        let lower = first.to_ascii_lowercase();
        let extra = match first {
            'K' => Some('\u{212A}'),
            'S' => Some('\u{17F}'),
            _ => None,
        };
        let same = |r: &ClassUnicodeRange, c: char| r.start() == c && r.end() == c;
        let orbit = match (ranges, extra) {
            ([u, l], None) => same(u, first) && same(l, lower),
            ([u, l, x], Some(e)) => same(u, first) && same(l, lower) && same(x, e),
            _ => false,
        };
        return orbit.then_some(Item::Orbit(first));
    }
    (orbit_of(first).ranges() == ranges).then(|| Item::Orbit(fold_char(first)))
}

fn elems(hir: &Hir) -> Vec<Elem<'_>> {
    let children: &[Hir] = match hir.kind() {
        HirKind::Concat(c) => c,
        _ => core::slice::from_ref(hir),
    };
    let mut out = Vec::with_capacity(children.len() + 16);
    for h in children {
        match h.kind() {
            HirKind::Literal(lit) => match core::str::from_utf8(&lit.0) {
                Ok(s) => out.extend(s.chars().map(|c| Elem::Lit(Item::Exact(c)))),
                Err(_) => out.push(Elem::Other(h)),
            },
            HirKind::Class(Class::Unicode(cls)) => match class_item(cls) {
                Some(item) => out.push(Elem::Lit(item)),
                None => out.push(Elem::Other(h)),
            },
            HirKind::Look(Look::Start) => out.push(Elem::Start),
            HirKind::Look(Look::End) => out.push(Elem::End),
            HirKind::Empty => {}
            _ => out.push(Elem::Other(h)),
        }
    }
    out
}

/// A capture group 1 that is a repetition of one class (or one class).
fn cap_of(h: &Hir) -> Option<Cap> {
    let HirKind::Capture(cap) = h.kind() else { return None };
    if cap.index != 1 {
        return None;
    }
    match cap.sub.kind() {
        HirKind::Repetition(rep) => match rep.sub.kind() {
            HirKind::Class(Class::Unicode(cls)) => {
                Some(Cap { class: CharClass::new(cls), min: rep.min, max: rep.max })
            }
            _ => None,
        },
        HirKind::Class(Class::Unicode(cls)) => Some(Cap { class: CharClass::new(cls), min: 1, max: Some(1) }),
        HirKind::Literal(lit) => {
            // A captured literal: a class of one character repeated once per char is not a
            // shape; keep it general unless it is a single character.
            let s = core::str::from_utf8(&lit.0).ok()?;
            let mut it = s.chars();
            let c = it.next()?;
            it.next().is_none().then(|| Cap {
                class: CharClass::new(&ClassUnicode::new([ClassUnicodeRange::new(c, c)])),
                min: 1,
                max: Some(1),
            })
        }
        _ => None,
    }
}

/// How a pattern is indexed, and its shape if it has one (only looked for when `shapes`):
/// reads the pattern's top level once. `groups` is the pattern's capture count.
pub(super) fn classify(hir: &Hir, groups: usize, shapes: bool) -> (Key, Option<Shape>) {
    let els = elems(hir);
    let key = key(&els);
    let shape =
        if shapes && !(matches!(key, Key::Whole(_)) && groups == 0) { shape(&els, groups) } else { None };
    (key, shape)
}

/// The shape of a pattern, if it has one. `groups` is the pattern's capture count.
fn shape(els: &[Elem<'_>], groups: usize) -> Option<Shape> {
    let mut i = 0;
    let start = matches!(els.first(), Some(Elem::Start));
    if start {
        i += 1;
    }
    let mut j = els.len();
    let end = j > i && matches!(els[j - 1], Elem::End);
    if end {
        j -= 1;
    }
    let body = &els[i..j];
    let lits = |s: &[Elem<'_>]| -> Option<Vec<Item>> {
        s.iter().map(|e| if let Elem::Lit(it) = e { Some(*it) } else { None }).collect()
    };
    if let Some(all) = lits(body) {
        if groups != 0 {
            return None;
        }
        return Some(Shape { start, end, prefix: Lit::new(all), cap: None, suffix: Lit::new(Vec::new()) });
    }
    if !(start && end) || groups != 1 {
        return None;
    }
    let pos = body.iter().position(|e| matches!(e, Elem::Other(_)))?;
    let Elem::Other(h) = body[pos] else { return None };
    let cap = cap_of(h)?;
    Some(Shape {
        start,
        end,
        prefix: Lit::new(lits(&body[..pos])?),
        cap: Some(cap),
        suffix: Lit::new(lits(&body[pos + 1..])?),
    })
}

/// The index key of a pattern.
fn key(els: &[Elem<'_>]) -> Key {
    let start = matches!(els.first(), Some(Elem::Start));
    let end = matches!(els.last(), Some(Elem::End)) && els.len() > usize::from(start);
    let lit = |e: &Elem<'_>| if let Elem::Lit(it) = e { Some(*it) } else { None };
    if start && end {
        let body = &els[1..els.len() - 1];
        if let Some(all) = body.iter().map(lit).collect::<Option<Vec<_>>>() {
            return Key::Whole(all);
        }
    }
    if end {
        let suffix: Vec<Item> =
            els[..els.len() - 1].iter().rev().map_while(lit).collect::<Vec<_>>().into_iter().rev().collect();
        if !suffix.is_empty() {
            return Key::Suffix(suffix);
        }
    }
    if start {
        let prefix: Vec<Item> = els[1..].iter().map_while(lit).collect();
        if !prefix.is_empty() {
            return Key::Prefix(prefix);
        }
    }
    // The longest run of literal items anywhere at the top level.
    let mut best: Vec<Item> = Vec::new();
    let mut run: Vec<Item> = Vec::new();
    for e in els {
        match lit(e) {
            Some(it) => run.push(it),
            None => {
                if run.len() > best.len() {
                    best = core::mem::take(&mut run);
                }
                run.clear();
            }
        }
    }
    if run.len() > best.len() {
        best = run;
    }
    if best.is_empty() {
        Key::None
    } else {
        Key::Infix(best)
    }
}
