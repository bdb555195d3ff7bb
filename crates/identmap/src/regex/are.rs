//! PostgreSQL's ARE (Henry Spencer's advanced regular expressions), as `pg_ident.conf` regexes are
//! compiled (`REG_ADVANCED`, C collation) and matched (byte-wise), translated to a byte-oriented
//! `Hir`.
//!
//! The pattern is read the way PostgreSQL's engine reads it: one `chr` per byte (the map is
//! compiled before any database encoding is chosen, i.e. SQL_ASCII), C-locale character classes
//! (ASCII only), ASCII-only case folding. The scanner keeps the engine's lexical contexts and one
//! token of look-ahead so that, of several problems in one pattern, the error reported is the one
//! PostgreSQL reports.
//!
//! * Accepted and translated: literals and every escape, `.`, brackets (ranges, classes, collating
//!   elements and equivalence classes including the POSIX character names), `\d \s \w \D \S \W`,
//!   anchors `^ $ \A \Z`, word constraints `\m \M \y \Y [[:<:]] [[:>:]]`, groups, `(?:…)`, `(?#…)`
//!   comments, all quantifiers (greedy and non-greedy), the `***=` and `***:` directors, the
//!   embedded options `b c e i m n p q s t w x` (`e` and `b` switch to ERE and BRE syntax, both
//!   translated too).
//! * Accepted but not translatable (`hir: None`, see [`Unsupported`]): back-references inside
//!   the pattern, lookahead and lookbehind, nesting deeper than
//!   [`DEPTH_LIMIT`], patterns whose expansion exceeds [`SIZE_LIMIT`].
//! * Which text group 1 captures: ARE picks the longest (or, for a non-greedy RE, the shortest)
//!   match at the leftmost start and then resolves subexpressions left to right, each longest or
//!   shortest; the `Hir` is matched leftmost-first. A static analysis sets
//!   [`AreRegex::capture_risk`] unless group 1 provably comes out the same once the overall spans
//!   agree (see the field's documentation for what the caller must still compare).

mod lex;

use core::fmt;

use regex_syntax::hir::{Capture, Class, ClassBytes, ClassBytesRange, Hir, Look, Repetition};

use crate::Span;
use lex::{Ctx, La, Lexer, Tok};

/// Deepest group nesting identmap translates (PostgreSQL has no such limit).
pub(crate) const DEPTH_LIMIT: usize = 32;
/// Largest estimated expansion (in characters/assertions, after bounded repetitions are
/// unrolled) identmap translates. PostgreSQL itself refuses patterns whose NFA grows too big
/// (`regular expression is too complex`; for a plain chain of characters that happens near
/// 43 000 of them, e.g. `(?:a{255}){169}`), a limit that depends on its NFA construction and is
/// not reproduced: below this bound PostgreSQL accepts the shapes measured, above it the pattern
/// is reported unsupported rather than guessed.
pub(crate) const SIZE_LIMIT: u64 = 30_000;

/// A construct that PostgreSQL accepts but identmap cannot evaluate faithfully.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unsupported {
    /// What it is, in words (e.g. `back-reference \1 inside the pattern`).
    pub(crate) construct: String,
    /// Where it is in the pattern.
    pub(crate) span: Span,
}

/// A translated ARE pattern.
#[derive(Clone, Debug)]
pub(crate) struct AreRegex {
    /// The byte-oriented `Hir` (`utf8(false)`), or `None` when the pattern compiles in
    /// PostgreSQL but cannot be evaluated by identmap (see `unsupported`).
    pub(crate) hir: Option<Hir>,
    /// Number of capturing groups.
    pub(crate) groups: usize,
    /// Why `hir` is `None`.
    pub(crate) unsupported: Option<Unsupported>,
    /// Set when the pattern matches faithfully but the text that capture group 1 takes may differ
    /// between ARE's POSIX-like rules and leftmost-first (alternation, non-greedy quantifiers).
    ///
    /// When `None`, group 1 is the same under both rules *provided the overall match spans
    /// agree*: for a greedy RE (`prefers_shortest == false`) that is when the leftmost-first span
    /// equals the leftmost-longest span; for a non-greedy RE (`prefers_shortest == true`) the
    /// leftmost-first span has been shown statically to be the shortest one, which is ARE's.
    pub(crate) capture_risk: Option<Unsupported>,
    /// ARE's whole-RE preference is "shortest" (the first quantifier with a preference is
    /// non-greedy). The overall match PostgreSQL reports is then the *shortest* match at the
    /// leftmost start, so comparing against the leftmost-longest span does not apply.
    pub(crate) prefers_shortest: bool,
}

/// PostgreSQL's rejection of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AreError {
    /// The ARE engine's reason, e.g. `parentheses () not balanced`.
    pub(crate) reason: &'static str,
    /// Where in the pattern.
    pub(crate) span: Span,
}

impl fmt::Display for AreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)
    }
}

fn err(reason: &'static str, start: usize, end: usize) -> AreError {
    AreError { reason, span: Span::new(start, end) }
}

// ---------------------------------------------------------------------------------------------
// Byte sets and character classes (C locale).

/// Character classes, C locale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cc {
    Alnum,
    Alpha,
    Ascii,
    Blank,
    Cntrl,
    Digit,
    Graph,
    Lower,
    Print,
    Punct,
    Space,
    Upper,
    Xdigit,
    Word,
}

fn lookup_class(name: &[u8]) -> Option<Cc> {
    Some(match name {
        b"alnum" => Cc::Alnum,
        b"alpha" => Cc::Alpha,
        b"ascii" => Cc::Ascii,
        b"blank" => Cc::Blank,
        b"cntrl" => Cc::Cntrl,
        b"digit" => Cc::Digit,
        b"graph" => Cc::Graph,
        b"lower" => Cc::Lower,
        b"print" => Cc::Print,
        b"punct" => Cc::Punct,
        b"space" => Cc::Space,
        b"upper" => Cc::Upper,
        b"xdigit" => Cc::Xdigit,
        b"word" => Cc::Word,
        _ => return None,
    })
}

/// POSIX character names usable in `[[.name.]]` and `[[=name=]]`.
const CHAR_NAMES: &[(&str, u8)] = &[
    ("NUL", 0),
    ("SOH", 1),
    ("STX", 2),
    ("ETX", 3),
    ("EOT", 4),
    ("ENQ", 5),
    ("ACK", 6),
    ("BEL", 7),
    ("alert", 7),
    ("BS", 8),
    ("backspace", 8),
    ("HT", 9),
    ("tab", 9),
    ("LF", 10),
    ("newline", 10),
    ("VT", 11),
    ("vertical-tab", 11),
    ("FF", 12),
    ("form-feed", 12),
    ("CR", 13),
    ("carriage-return", 13),
    ("SO", 14),
    ("SI", 15),
    ("DLE", 16),
    ("DC1", 17),
    ("DC2", 18),
    ("DC3", 19),
    ("DC4", 20),
    ("NAK", 21),
    ("SYN", 22),
    ("ETB", 23),
    ("CAN", 24),
    ("EM", 25),
    ("SUB", 26),
    ("ESC", 27),
    ("IS4", 28),
    ("FS", 28),
    ("IS3", 29),
    ("GS", 29),
    ("IS2", 30),
    ("RS", 30),
    ("IS1", 31),
    ("US", 31),
    ("space", b' '),
    ("exclamation-mark", b'!'),
    ("quotation-mark", b'"'),
    ("number-sign", b'#'),
    ("dollar-sign", b'$'),
    ("percent-sign", b'%'),
    ("ampersand", b'&'),
    ("apostrophe", b'\''),
    ("left-parenthesis", b'('),
    ("right-parenthesis", b')'),
    ("asterisk", b'*'),
    ("plus-sign", b'+'),
    ("comma", b','),
    ("hyphen", b'-'),
    ("hyphen-minus", b'-'),
    ("period", b'.'),
    ("full-stop", b'.'),
    ("slash", b'/'),
    ("solidus", b'/'),
    ("zero", b'0'),
    ("one", b'1'),
    ("two", b'2'),
    ("three", b'3'),
    ("four", b'4'),
    ("five", b'5'),
    ("six", b'6'),
    ("seven", b'7'),
    ("eight", b'8'),
    ("nine", b'9'),
    ("colon", b':'),
    ("semicolon", b';'),
    ("less-than-sign", b'<'),
    ("equals-sign", b'='),
    ("greater-than-sign", b'>'),
    ("question-mark", b'?'),
    ("commercial-at", b'@'),
    ("left-square-bracket", b'['),
    ("backslash", b'\\'),
    ("reverse-solidus", b'\\'),
    ("right-square-bracket", b']'),
    ("circumflex", b'^'),
    ("circumflex-accent", b'^'),
    ("underscore", b'_'),
    ("low-line", b'_'),
    ("grave-accent", b'`'),
    ("left-brace", b'{'),
    ("left-curly-bracket", b'{'),
    ("vertical-line", b'|'),
    ("right-brace", b'}'),
    ("right-curly-bracket", b'}'),
    ("tilde", b'~'),
    ("DEL", 127),
];

/// The character a collating-element name stands for.
fn element(name: &[u8]) -> Option<u32> {
    if let [c] = name {
        return Some(u32::from(*c));
    }
    CHAR_NAMES.iter().find(|(n, _)| n.as_bytes() == name).map(|&(_, c)| u32::from(c))
}

/// A set of bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ByteSet([u64; 4]);

impl ByteSet {
    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    fn remove(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] &= !(1 << (b & 63));
    }

    fn range(lo: u8, hi: u8) -> ByteSet {
        let mut s = ByteSet::default();
        for b in lo..=hi {
            s.insert(b);
        }
        s
    }

    fn union(&mut self, other: &ByteSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }

    fn negated(&self) -> ByteSet {
        ByteSet(self.0.map(|w| !w))
    }

    fn filter(pred: impl Fn(u8) -> bool) -> ByteSet {
        let mut s = ByteSet::default();
        for b in 0..=255u8 {
            if pred(b) {
                s.insert(b);
            }
        }
        s
    }

    /// Add character `c` (values above 255 match no byte), with its ASCII case variant when
    /// `icase`.
    fn add_chr(&mut self, c: u32, icase: bool) {
        if let Ok(b) = u8::try_from(c) {
            self.insert(b);
            if icase && b.is_ascii_alphabetic() {
                self.insert(b ^ 0x20);
            }
        }
    }

    fn to_hir(self) -> Hir {
        let mut ranges = Vec::new();
        let mut b: u16 = 0;
        while b < 256 {
            // Every value of `b` here is at most 255.
            let lo = u8::try_from(b).unwrap_or(u8::MAX);
            if self.contains(lo) {
                let mut hi = lo;
                while hi < 255 && self.contains(hi + 1) {
                    hi += 1;
                }
                ranges.push(ClassBytesRange::new(lo, hi));
                b = u16::from(hi) + 1;
            } else {
                b += 1;
            }
        }
        Hir::class(Class::Bytes(ClassBytes::new(ranges)))
    }
}

fn class_set(cc: Cc, icase: bool) -> ByteSet {
    let cc = match cc {
        Cc::Lower | Cc::Upper if icase => Cc::Alpha,
        other => other,
    };
    match cc {
        Cc::Alnum => ByteSet::filter(|b| b.is_ascii_alphanumeric()),
        Cc::Alpha => ByteSet::filter(|b| b.is_ascii_alphabetic()),
        Cc::Ascii => ByteSet::range(0, 0x7f),
        Cc::Blank => ByteSet::filter(|b| b == b' ' || b == b'\t'),
        Cc::Cntrl => ByteSet::filter(|b| b <= 0x1f || (0x7f..=0x9f).contains(&b)),
        Cc::Digit => ByteSet::range(b'0', b'9'),
        Cc::Graph => ByteSet::range(0x21, 0x7e),
        Cc::Lower => ByteSet::range(b'a', b'z'),
        Cc::Print => ByteSet::range(0x20, 0x7e),
        Cc::Punct => ByteSet::filter(|b| b.is_ascii_punctuation()),
        Cc::Space => ByteSet::filter(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')),
        Cc::Upper => ByteSet::range(b'A', b'Z'),
        Cc::Xdigit => ByteSet::filter(|b| b.is_ascii_hexdigit()),
        Cc::Word => ByteSet::filter(|b| b.is_ascii_alphanumeric() || b == b'_'),
    }
}

// ---------------------------------------------------------------------------------------------
// The parsed tree.

#[derive(Clone, Debug)]
enum Node {
    Set(ByteSet),
    Look(Look),
    Concat(Vec<Node>),
    Alt(Vec<Node>, Span),
    Cap(u32, Box<Node>),
    Repeat { min: u32, max: Option<u32>, greedy: bool, exact: bool, span: Span, sub: Box<Node> },
}

fn concat(mut v: Vec<Node>) -> Node {
    if v.len() == 1 {
        v.pop().unwrap_or(Node::Concat(Vec::new()))
    } else {
        Node::Concat(v)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    Top,
    Cap(u32),
    NonCap,
    Lacon,
}

struct Frame {
    kind: FrameKind,
    branches: Vec<Node>,
    cur: Vec<Node>,
    open: Span,
    /// Inside a lookaround constraint (parentheses do not capture, back-references are errors).
    lacon: bool,
    /// Too deep: contents are validated but not kept.
    discard: bool,
}

impl Frame {
    fn new(kind: FrameKind, open: Span, lacon: bool, discard: bool) -> Frame {
        Frame { kind, branches: Vec::new(), cur: Vec::new(), open, lacon, discard }
    }

    fn finish(mut self) -> Node {
        if self.discard {
            return Node::Concat(Vec::new());
        }
        let last = concat(core::mem::take(&mut self.cur));
        if self.branches.is_empty() {
            last
        } else {
            self.branches.push(last);
            Node::Alt(self.branches, self.open)
        }
    }
}

/// Compile-flag state after the directors and embedded options.
#[derive(Clone, Copy, Debug, Default)]
struct Flags {
    extended: bool,
    advf: bool,
    quote: bool,
    icase: bool,
    nlstop: bool,
    nlanch: bool,
    expanded: bool,
}

/// Directors (`***=`, `***:`) and leading embedded options. Returns the flags and where the RE
/// proper starts.
fn prefixes(p: &[u8]) -> Result<(Flags, usize), AreError> {
    let mut f = Flags { extended: true, advf: true, ..Flags::default() };
    let mut pos = 0;
    if p.len() >= 4 && p.starts_with(b"***") {
        match p[3] {
            b'?' => return Err(err(lex::BADPAT, 0, 4)),
            b'=' => {
                f = Flags { quote: true, ..Flags::default() };
                return Ok((f, 4));
            }
            b':' => pos = 4,
            _ => return Err(err(lex::BADRPT, 0, 4)),
        }
    }
    let rest = &p[pos..];
    if rest.len() >= 3 && rest[0] == b'(' && rest[1] == b'?' && rest[2].is_ascii_alphabetic() {
        let open = pos;
        pos += 2;
        while let Some(&c) = p.get(pos).filter(|c| c.is_ascii_alphabetic()) {
            match c {
                b'b' => {
                    f.extended = false;
                    f.advf = false;
                    f.quote = false;
                }
                b'c' => f.icase = false,
                b'e' => {
                    f.extended = true;
                    f.advf = false;
                    f.quote = false;
                }
                b'i' => f.icase = true,
                b'm' | b'n' => {
                    f.nlstop = true;
                    f.nlanch = true;
                }
                b'p' => {
                    f.nlstop = true;
                    f.nlanch = false;
                }
                b'q' => {
                    f.quote = true;
                    f.extended = false;
                    f.advf = false;
                }
                b's' => {
                    f.nlstop = false;
                    f.nlanch = false;
                }
                b't' => f.expanded = false,
                b'w' => {
                    f.nlstop = false;
                    f.nlanch = true;
                }
                b'x' => f.expanded = true,
                _ => return Err(err(lex::BADOPT, pos, pos + 1)),
            }
            pos += 1;
        }
        if p.get(pos) != Some(&b')') {
            return Err(err(lex::BADOPT, open, pos));
        }
        pos += 1;
        if f.quote {
            f.expanded = false;
            f.nlstop = false;
            f.nlanch = false;
        }
    }
    Ok((f, pos))
}

struct Parser<'a> {
    lx: Lexer<'a>,
    flags: Flags,
    /// `closed[n]`: capturing group `n` (1-based; slot 0 unused) has been closed.
    closed: Vec<bool>,
    unsupported: Option<Unsupported>,
    frames: Vec<Frame>,
}

type Quant = (u32, Option<u32>, bool, bool);

impl<'a> Parser<'a> {
    fn note(&mut self, construct: &str, span: Span) {
        if self.unsupported.is_none() {
            self.unsupported = Some(Unsupported { construct: construct.to_owned(), span });
        }
    }

    fn top(&mut self) -> &mut Frame {
        // `frames` always holds the top-level frame; keep that true even if it were not.
        if self.frames.is_empty() {
            self.frames.push(Frame::new(FrameKind::Top, Span::empty(0), false, true));
        }
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    fn push(&mut self, node: Node) {
        let top = self.top();
        if !top.discard {
            top.cur.push(node);
        }
    }

    fn span(&self) -> Span {
        Span::new(self.lx.start, self.lx.pos)
    }

    fn error(&self, reason: &'static str) -> AreError {
        err(reason, self.lx.start, self.lx.pos)
    }

    fn open(&mut self, kind: FrameKind, lacon: bool) {
        let span = self.span();
        let discard = self.top().discard || self.frames.len() > DEPTH_LIMIT;
        if discard {
            self.note("nesting too deep for identmap", span);
        }
        self.frames.push(Frame::new(kind, span, lacon, discard));
    }

    fn run(&mut self) -> Result<Node, AreError> {
        self.lx.next()?;
        loop {
            let span = self.span();
            let atom = match self.lx.cur {
                Tok::Eos => {
                    if self.frames.len() > 1 {
                        return Err(self.error(lex::EPAREN));
                    }
                    break;
                }
                Tok::Bar => {
                    let top = self.top();
                    let branch = concat(core::mem::take(&mut top.cur));
                    if !top.discard {
                        top.branches.push(branch);
                    }
                    self.lx.next()?;
                    continue;
                }
                Tok::RParen if self.frames.len() == 1 => {
                    if self.lx.advf || self.lx.bre {
                        return Err(self.error(lex::EPAREN));
                    }
                    // ERE: an unmatched `)` is an ordinary character.
                    self.lx.next()?;
                    self.literal(u32::from(b')'))
                }
                Tok::RParen => {
                    let frame =
                        self.frames.pop().unwrap_or_else(|| Frame::new(FrameKind::Top, span, false, true));
                    let kind = frame.kind;
                    let node = frame.finish();
                    self.lx.next()?;
                    match kind {
                        FrameKind::Lacon | FrameKind::Top => {
                            self.push(Node::Concat(Vec::new()));
                            continue;
                        }
                        FrameKind::Cap(n) => {
                            if let Some(slot) = self.closed.get_mut(n as usize) {
                                *slot = true;
                            }
                            Node::Cap(n, Box::new(node))
                        }
                        FrameKind::NonCap => node,
                    }
                }
                Tok::Caret
                | Tok::Dollar
                | Tok::SBegin
                | Tok::SEnd
                | Tok::WordStart
                | Tok::WordEnd
                | Tok::WBdry
                | Tok::NWBdry => {
                    let look = match self.lx.cur {
                        Tok::Caret if self.flags.nlanch => Look::StartLF,
                        Tok::Caret | Tok::SBegin => Look::Start,
                        Tok::Dollar if self.flags.nlanch => Look::EndLF,
                        Tok::Dollar | Tok::SEnd => Look::End,
                        Tok::WordStart => Look::WordStartAscii,
                        Tok::WordEnd => Look::WordEndAscii,
                        Tok::WBdry => Look::WordAscii,
                        _ => Look::WordAsciiNegate,
                    };
                    self.push(Node::Look(look));
                    self.lx.next()?;
                    continue;
                }
                Tok::Lacon(kind) => {
                    let what = match kind {
                        La::AheadPos => "lookahead constraint (?=…)",
                        La::AheadNeg => "negative lookahead constraint (?!…)",
                        La::BehindPos => "lookbehind constraint (?<=…)",
                        La::BehindNeg => "negative lookbehind constraint (?<!…)",
                    };
                    self.note(what, span);
                    self.open(FrameKind::Lacon, true);
                    self.lx.next()?;
                    continue;
                }
                Tok::Star(_) | Tok::Plus(_) | Tok::Quest(_) | Tok::LBrace => {
                    return Err(self.error(lex::BADRPT));
                }
                Tok::Plain(c) => {
                    self.lx.next()?;
                    self.literal(c)
                }
                Tok::LBracket(negated) => {
                    let set = self.bracket(negated)?;
                    self.lx.next()?;
                    Node::Set(set)
                }
                Tok::ClassS(cc) => {
                    self.lx.next()?;
                    Node::Set(class_set(cc, self.flags.icase))
                }
                Tok::ClassC(cc) => {
                    self.lx.next()?;
                    Node::Set(class_set(cc, self.flags.icase).negated())
                }
                Tok::Dot => {
                    self.lx.next()?;
                    let mut all = ByteSet::default().negated();
                    if self.flags.nlstop {
                        all.remove(b'\n');
                    }
                    Node::Set(all)
                }
                Tok::LParen(cap) => {
                    let lacon = self.top().lacon;
                    if cap && !lacon {
                        self.lx.nsubexp += 1;
                        let n = self.lx.nsubexp;
                        self.closed.push(false);
                        self.open(FrameKind::Cap(n), false);
                    } else {
                        self.open(FrameKind::NonCap, lacon);
                    }
                    self.lx.next()?;
                    continue;
                }
                Tok::Backref(n) => {
                    if self.top().lacon || !self.closed.get(n as usize).copied().unwrap_or(false) {
                        return Err(self.error(lex::ESUBREG));
                    }
                    self.note(&format!("back-reference \\{n} inside the pattern"), span);
                    self.lx.next()?;
                    Node::Concat(Vec::new())
                }
                _ => return Err(self.error(lex::ASSERT)),
            };
            let qstart = self.lx.start;
            let quant = self.quantifier()?;
            let node = match quant {
                None | Some((1, Some(1), _, true)) => atom,
                Some((min, max, greedy, exact)) => Node::Repeat {
                    min,
                    max,
                    greedy,
                    exact,
                    span: Span::new(span.start, self.lx.start.max(qstart)),
                    sub: Box::new(atom),
                },
            };
            self.push(node);
        }
        let top =
            self.frames.pop().unwrap_or_else(|| Frame::new(FrameKind::Top, Span::empty(0), false, true));
        Ok(top.finish())
    }

    fn literal(&self, c: u32) -> Node {
        let mut s = ByteSet::default();
        s.add_chr(c, self.flags.icase);
        Node::Set(s)
    }

    fn quantifier(&mut self) -> Result<Option<Quant>, AreError> {
        let q = match self.lx.cur {
            Tok::Star(g) => (0, None, g, false),
            Tok::Plus(g) => (1, None, g, false),
            Tok::Quest(g) => (0, Some(1), g, false),
            Tok::LBrace => return self.bound().map(Some),
            _ => return Ok(None),
        };
        self.lx.next()?;
        Ok(Some(q))
    }

    fn scannum(&mut self) -> Result<u32, AreError> {
        let mut n = 0u32;
        while let Tok::Digit(d) = self.lx.cur {
            if n >= 255 {
                break;
            }
            n = n * 10 + d;
            self.lx.next()?;
        }
        if matches!(self.lx.cur, Tok::Digit(_)) || n > 255 {
            return Err(self.error(lex::BADBR));
        }
        Ok(n)
    }

    fn bound(&mut self) -> Result<Quant, AreError> {
        self.lx.next()?;
        let m = self.scannum()?;
        if self.lx.cur == Tok::Comma {
            self.lx.next()?;
            let n = if matches!(self.lx.cur, Tok::Digit(_)) { Some(self.scannum()?) } else { None };
            if n.is_some_and(|n| m > n) {
                return Err(self.error(lex::BADBR));
            }
            let Tok::RBrace(greedy) = self.lx.cur else {
                return Err(self.error(lex::BADBR));
            };
            self.lx.next()?;
            Ok((m, n, greedy, false))
        } else {
            if !matches!(self.lx.cur, Tok::RBrace(_)) {
                return Err(self.error(lex::BADBR));
            }
            self.lx.next()?;
            Ok((m, Some(m), true, true))
        }
    }

    /// A bracket expression; `cur` is its `[`. Leaves `cur` on the closing `]`.
    fn bracket(&mut self, negated: bool) -> Result<ByteSet, AreError> {
        let icase = self.flags.icase;
        self.lx.next()?;
        let mut set = ByteSet::default();
        let mut complemented = Vec::new();
        while !matches!(self.lx.cur, Tok::RBracket | Tok::Eos) {
            self.brackpart(&mut set, &mut complemented)?;
        }
        for cc in complemented {
            set.union(&class_set(cc, icase).negated());
        }
        if negated {
            if self.flags.nlstop {
                set.insert(b'\n');
            }
            set = set.negated();
        }
        Ok(set)
    }

    /// The text of a `[.` `[=` `[:` name (the engine's `scanplain`).
    fn scanplain(&mut self) -> Result<&'a [u8], AreError> {
        let start = self.lx.pos;
        self.lx.next()?;
        let mut end = self.lx.pos;
        while let Tok::Plain(_) = self.lx.cur {
            end = self.lx.pos;
            self.lx.next()?;
        }
        self.lx.next()?;
        Ok(self.lx.pat.get(start..end).unwrap_or_default())
    }

    fn brackpart(&mut self, set: &mut ByteSet, complemented: &mut Vec<Cc>) -> Result<(), AreError> {
        let icase = self.flags.icase;
        let start = self.lx.start;
        let startc = match self.lx.cur {
            Tok::Range => return Err(self.error(lex::ERANGE)),
            Tok::Plain(c) => {
                self.lx.next()?;
                if self.lx.cur != Tok::Range {
                    set.add_chr(c, icase);
                    return Ok(());
                }
                c
            }
            Tok::CollEl => {
                let name = self.scanplain()?;
                element(name).ok_or_else(|| err(lex::ECOLLATE, start, self.lx.start))?
            }
            Tok::EClass => {
                let name = self.scanplain()?;
                let c = element(name).ok_or_else(|| err(lex::ECOLLATE, start, self.lx.start))?;
                set.add_chr(c, icase);
                return Ok(());
            }
            Tok::CClass => {
                let name = self.scanplain()?;
                let cc = lookup_class(name).ok_or_else(|| err(lex::ECTYPE, start, self.lx.start))?;
                set.union(&class_set(cc, icase));
                return Ok(());
            }
            Tok::ClassS(cc) => {
                set.union(&class_set(cc, icase));
                self.lx.next()?;
                return Ok(());
            }
            Tok::ClassC(cc) => {
                complemented.push(cc);
                self.lx.next()?;
                return Ok(());
            }
            _ => return Err(self.error(lex::ASSERT)),
        };
        if self.lx.cur == Tok::Range {
            self.lx.next()?;
            let endc = match self.lx.cur {
                Tok::Plain(c) => {
                    self.lx.next()?;
                    c
                }
                Tok::Range => {
                    self.lx.next()?;
                    u32::from(b'-')
                }
                Tok::CollEl => {
                    let estart = self.lx.start;
                    let name = self.scanplain()?;
                    element(name).ok_or_else(|| err(lex::ECOLLATE, estart, self.lx.start))?
                }
                _ => return Err(self.error(lex::ERANGE)),
            };
            if startc > endc {
                return Err(err(lex::ERANGE, start, self.lx.start));
            }
            if let Ok(lo) = u8::try_from(startc) {
                let hi = u8::try_from(endc).unwrap_or(u8::MAX);
                for b in lo..=hi {
                    set.add_chr(u32::from(b), icase);
                }
            }
        } else {
            set.add_chr(startc, icase);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Analysis: size, widths, greediness, capture risk.

fn size(node: &Node) -> u64 {
    match node {
        Node::Set(_) | Node::Look(_) => 1,
        Node::Concat(v) => v.iter().map(size).fold(0, u64::saturating_add),
        Node::Alt(v, _) => v.iter().map(size).fold(1, u64::saturating_add),
        Node::Cap(_, sub) => size(sub).saturating_add(2),
        Node::Repeat { min, max, sub, .. } => {
            let copies = u64::from(max.unwrap_or(*min)).max(1);
            size(sub).saturating_mul(copies).saturating_add(1)
        }
    }
}

/// The width of every match of `node`, if fixed.
fn width(node: &Node) -> Option<u64> {
    match node {
        Node::Set(_) => Some(1),
        Node::Look(_) => Some(0),
        Node::Concat(v) => v.iter().try_fold(0u64, |acc, n| width(n).map(|w| acc.saturating_add(w))),
        Node::Alt(v, _) => {
            let mut widths = v.iter().map(width);
            let first = widths.next()??;
            widths.all(|w| w == Some(first)).then_some(first)
        }
        Node::Cap(_, sub) => width(sub),
        Node::Repeat { min, max, sub, .. } => {
            let w = width(sub)?;
            if w == 0 {
                Some(0)
            } else if *max == Some(*min) {
                Some(w.saturating_mul(u64::from(*min)))
            } else {
                None
            }
        }
    }
}

fn contains_group1(node: &Node) -> bool {
    match node {
        Node::Set(_) | Node::Look(_) => false,
        Node::Concat(v) | Node::Alt(v, _) => v.iter().any(contains_group1),
        Node::Cap(n, sub) => *n == 1 || contains_group1(sub),
        Node::Repeat { sub, .. } => contains_group1(sub),
    }
}

/// ARE's greediness attribute: `Some(true)` greedy, `Some(false)` non-greedy, `None` none.
fn preference(node: &Node) -> Option<bool> {
    match node {
        Node::Set(_) | Node::Look(_) => None,
        Node::Concat(v) => v.iter().find_map(preference),
        Node::Alt(..) => Some(true),
        Node::Cap(_, sub) => preference(sub),
        Node::Repeat { exact: true, sub, .. } => preference(sub),
        Node::Repeat { greedy, .. } => Some(*greedy),
    }
}

/// The first construct in `node` for which leftmost-first and ARE may split a fixed span
/// differently: a non-greedy quantifier, an alternation of unequal widths, a quantifier whose
/// operand is not a single character.
fn first_ambiguity(node: &Node) -> Option<(&'static str, Span)> {
    match node {
        Node::Set(_) | Node::Look(_) => None,
        Node::Concat(v) => v.iter().find_map(first_ambiguity),
        Node::Alt(v, span) => {
            if width(node).is_none() {
                Some(("alternation", *span))
            } else {
                v.iter().find_map(first_ambiguity)
            }
        }
        Node::Cap(_, sub) => first_ambiguity(sub),
        Node::Repeat { min, max, greedy, exact, span, sub } => {
            if *exact || *max == Some(*min) {
                first_ambiguity(sub)
            } else if !greedy {
                Some(("non-greedy quantifier", *span))
            } else if !matches!(width(sub), Some(0 | 1)) {
                Some(("quantified group", *span))
            } else {
                first_ambiguity(sub)
            }
        }
    }
}

/// Why group 1 may differ, assuming the span `node` matches is the same under both rules.
fn risk(node: &Node) -> Option<(&'static str, Span)> {
    if !contains_group1(node) {
        return None;
    }
    match node {
        Node::Set(_) | Node::Look(_) => None,
        Node::Cap(1, _) => None,
        Node::Cap(_, sub) => risk(sub),
        Node::Alt(v, _) => v.iter().find(|n| contains_group1(n)).and_then(risk),
        Node::Concat(v) => {
            let others_fixed = v.iter().filter(|n| !contains_group1(n)).all(|n| width(n).is_some());
            if others_fixed {
                v.iter().find(|n| contains_group1(n)).and_then(risk)
            } else {
                first_ambiguity(node)
            }
        }
        Node::Repeat { min, max, exact, span, sub, .. } => {
            let fixed_count = *exact || *max == Some(*min);
            if fixed_count || width(sub).is_some_and(|w| w > 0) {
                if fixed_count && width(sub).is_none() && *min > 1 {
                    return Some(("quantified group", *span));
                }
                risk(sub)
            } else {
                Some(("quantified group", *span))
            }
        }
    }
}

/// The top-level pieces of a branch (flattening concatenations and captures without
/// quantifiers).
fn pieces<'n>(node: &'n Node, out: &mut Vec<&'n Node>) {
    match node {
        Node::Concat(v) => v.iter().for_each(|n| pieces(n, out)),
        Node::Cap(_, sub) => pieces(sub, out),
        other => out.push(other),
    }
}

/// For a non-greedy RE: is leftmost-first's match provably the shortest one at its start?
/// True when the only variable-width piece is one non-greedy quantifier on a single character.
fn lazy_span_exact(root: &Node) -> bool {
    let mut ps = Vec::new();
    pieces(root, &mut ps);
    let variable: Vec<&&Node> = ps.iter().filter(|n| width(n).is_none()).collect();
    match variable.as_slice() {
        [Node::Repeat { greedy: false, sub, .. }] => width(sub) == Some(1),
        _ => false,
    }
}

fn to_hir(node: &Node) -> Hir {
    match node {
        Node::Set(s) => s.to_hir(),
        Node::Look(l) => Hir::look(*l),
        Node::Concat(v) => Hir::concat(v.iter().map(to_hir).collect()),
        Node::Alt(v, _) => Hir::alternation(v.iter().map(to_hir).collect()),
        Node::Cap(n, sub) => Hir::capture(Capture { index: *n, name: None, sub: Box::new(to_hir(sub)) }),
        Node::Repeat { min, max, greedy, sub, .. } => {
            Hir::repetition(Repetition { min: *min, max: *max, greedy: *greedy, sub: Box::new(to_hir(sub)) })
        }
    }
}

/// Parse an ARE pattern (the field text after the leading `/`).
pub(crate) fn parse(pattern: &[u8]) -> Result<AreRegex, AreError> {
    let (flags, start) = prefixes(pattern)?;
    let ctx = if flags.quote { Ctx::Quote } else { Ctx::Ere };
    let lx = Lexer::new(pattern, start, ctx, flags.advf, flags.expanded);
    let mut p = Parser {
        lx,
        flags,
        closed: vec![false],
        unsupported: None,
        frames: vec![Frame::new(FrameKind::Top, Span::empty(0), false, false)],
    };
    p.lx.bre = !flags.quote && !flags.extended;
    let root = p.run()?;
    let groups = p.lx.nsubexp as usize;
    let mut unsupported = p.unsupported;
    if unsupported.is_none() && size(&root) > SIZE_LIMIT {
        unsupported = Some(Unsupported {
            construct: format!(
                "pattern too large for identmap (expands beyond {SIZE_LIMIT} elements; \
                 PostgreSQL may reject it as too complex)"
            ),
            span: Span::new(0, pattern.len()),
        });
    }
    if unsupported.is_some() {
        return Ok(AreRegex { hir: None, groups, unsupported, capture_risk: None, prefers_shortest: false });
    }
    let prefers_shortest = preference(&root) == Some(false);
    let mut capture_risk = None;
    if groups > 0 {
        let found = if prefers_shortest && !lazy_span_exact(&root) {
            first_ambiguity(&root).or(Some(("non-greedy quantifier", Span::new(0, pattern.len()))))
        } else {
            risk(&root)
        };
        capture_risk = found.map(|(what, span)| Unsupported {
            construct: format!(
                "{what}: group 1 may capture different text under ARE's longest/shortest rules"
            ),
            span,
        });
    }
    let hir = to_hir(&root);
    Ok(AreRegex { hir: Some(hir), groups, unsupported: None, capture_risk, prefers_shortest })
}

#[cfg(test)]
mod tests;
