//! Go `regexp/syntax` (as of Go 1.27, Perl flags) translated to a `regex_syntax` `Hir`.
//!
//! Interface contract:
//! * [`parse`] accepts exactly what Go's `regexp.Compile` accepts, and the `Hir` matches exactly
//!   as Go matches (leftmost-first; ASCII `\d \w \s \b`; `(?i)` simple case folding; …).
//! * On rejection it returns a [`GoError`] whose `Display` is Go's own text:
//!   ``error parsing regexp: <code>: `<fragment>` ``.
//!
//! The parser follows the structure of Go's own (`regexp/syntax/parse.go`): a flat stack of
//! parsed pieces with pseudo-entries for `(` and `|`, literal strings built incrementally,
//! alternations factored (common prefixes taken out, single characters merged into classes), and
//! Go's free-list node count. That is what makes Go's limits come out the same: the height of
//! the tree (`expression nests too deeply`), the compiled-size estimate (`expression too
//! large`), and the repeat-count product (`invalid repeat count`). The parse itself never
//! recurses deeper than Go's height limit (1000) on the Rust stack.
//!
//! The pattern text is never handed to `regex-syntax`'s parser; only Unicode tables are taken
//! from `regex-syntax`, by parsing a generated `\p{…}` for a name Go accepts (see [`names`]).
//!
//! Known gaps:
//! * the Unicode tables are `regex-syntax`'s (Unicode 16) where Go 1.27 uses Unicode 17: the
//!   scripts new in Unicode 17 are accepted but empty, and characters first assigned in Unicode
//!   17 are in no category;
//! * compiling a `Hir` nested close to Go's limit (999 capture groups) recurses in
//!   `regex-automata`'s compiler, which needs more than a 2 MiB thread stack in debug builds.

mod names;
#[cfg(test)]
mod tests;

use core::fmt;
use std::collections::HashMap;

use regex_syntax::hir::{Capture, Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look, Repetition};

use crate::Span;

/// A translated Go pattern.
#[derive(Clone, Debug)]
pub(crate) struct GoRegex {
    /// The pattern as a Unicode (`utf8`) `Hir`. Capture group indices are Go's.
    pub(crate) hir: Hir,
    /// Number of capture groups (Go's `NumSubexp`).
    pub(crate) groups: usize,
    /// The parse tree's height (Go's limit: 1000).
    pub(crate) height: u32,
}

/// Go's rejection of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GoError {
    /// Go's error code text, e.g. `missing closing )`.
    pub(crate) code: &'static str,
    /// Go's `Expr` fragment.
    pub(crate) fragment: String,
    /// Where in the pattern text (byte offsets into the string given to [`parse`]).
    pub(crate) span: Span,
}

impl fmt::Display for GoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code, self.fragment)
    }
}

// Go's ErrorCode texts.
const ERR_INVALID_CHAR_CLASS: &str = "invalid character class";
const ERR_INVALID_CHAR_RANGE: &str = "invalid character class range";
const ERR_INVALID_ESCAPE: &str = "invalid escape sequence";
const ERR_INVALID_NAMED_CAPTURE: &str = "invalid named capture";
const ERR_INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const ERR_INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const ERR_INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const ERR_MISSING_BRACKET: &str = "missing closing ]";
const ERR_MISSING_PAREN: &str = "missing closing )";
const ERR_MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const ERR_TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";
const ERR_UNEXPECTED_PAREN: &str = "unexpected )";
const ERR_NESTING_DEPTH: &str = "expression nests too deeply";
const ERR_LARGE: &str = "expression too large";

// `ERR_INVALID_CHAR_CLASS` is part of Go's vocabulary but Go's parser never reports it.
const _: &str = ERR_INVALID_CHAR_CLASS;

/// Go's `maxHeight`: the largest parse-tree height accepted.
const MAX_HEIGHT: u32 = 1000;
/// Go's `maxSize`: the compiled-size estimate limit, in instructions (128 MiB / 40 bytes).
const MAX_SIZE: i64 = (128 << 20) / 40;
/// Go's `maxRunes`: the limit on runes held by all literal and class nodes (128 MiB / 4 bytes).
const MAX_RUNES: usize = (128 << 20) / 4;
/// Go's `maxRepeat`: the largest count in `x{n,m}`, and of a product of nested counts.
const MAX_REPEAT: i64 = 1000;

// Parser flags (the subset of Go's `Flags` that can change; the Perl flags ClassNL, PerlX and
// UnicodeGroups are always on).
const FOLD_CASE: u16 = 1;
const DOT_NL: u16 = 1 << 1;
const ONE_LINE: u16 = 1 << 2;
const NON_GREEDY: u16 = 1 << 3;

/// Parse `pattern` with Go's syntax and flags (Perl flags, as `regexp.Compile`).
pub(crate) fn parse(pattern: &str) -> Result<GoRegex, GoError> {
    let mut p = Parser::new(pattern);
    let root = p.parse().map_err(|e| e.into_go(pattern))?;
    let groups = p.num_cap as usize;
    let hir = to_hir(&root);
    Ok(GoRegex { hir, groups, height: root.height })
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
#[cfg(test)]
pub(crate) fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if matches!(c, '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A parse error before it is attached to the pattern text.
#[derive(Debug)]
enum PErr {
    /// `code` with the fragment `start..end` of the pattern.
    At(&'static str, usize, usize),
    /// `code` with the whole pattern as fragment (Go's limit errors, `missing closing )`,
    /// `unexpected )`).
    Whole(&'static str),
    /// Go's trailing-backslash error: an empty fragment, at the backslash.
    TrailingBackslash(usize),
}

impl PErr {
    fn into_go(self, s: &str) -> GoError {
        match self {
            PErr::At(code, start, end) => GoError {
                code,
                fragment: s.get(start..end).unwrap_or_default().to_owned(),
                span: Span::new(start, end),
            },
            PErr::Whole(code) => GoError { code, fragment: s.to_owned(), span: Span::new(0, s.len()) },
            PErr::TrailingBackslash(at) => GoError {
                code: ERR_TRAILING_BACKSLASH,
                fragment: String::new(),
                span: Span::new(at, s.len()),
            },
        }
    }
}

type PResult<T> = Result<T, PErr>;

/// A node of Go's parse tree (the part of `regexp/syntax.Regexp` that matters here).
#[derive(Clone, Debug)]
enum Kind {
    NoMatch,
    EmptyMatch,
    /// A literal string; `fold` = Go's FoldCase flag on it. Runes are `u32` because Go accepts
    /// surrogate code points (`\x{D800}`), which never match.
    Literal {
        runes: Vec<u32>,
        fold: bool,
    },
    Class(ClassUnicode),
    /// A class built by merging the alternatives of `a|b|…`: ranges not yet canonical, so that
    /// each merge costs only the size of what is added.
    MergedClass(Vec<ClassUnicodeRange>),
    AnyCharNotNL,
    AnyChar,
    BeginLine,
    EndLine,
    BeginText,
    EndText,
    WordBoundary,
    NoWordBoundary,
    Capture(u32),
    Star,
    Plus,
    Quest,
    /// `x{min,max}`; `max == -1` for `x{min,}`.
    Repeat {
        min: i64,
        max: i64,
    },
    Concat,
    Alternate,
    /// Pseudo-op: an open parenthesis (capture index, 0 for `(?:`). Its `flags` are the flags
    /// to restore at the matching `)`.
    LeftParen(u32),
    /// Pseudo-op: a `|`.
    VerticalBar,
}

#[derive(Clone, Debug)]
struct Node {
    kind: Kind,
    flags: u16,
    subs: Vec<Node>,
    /// Go's `calcHeight`.
    height: u32,
    /// Go's `calcSize`.
    size: i64,
}

impl Node {
    fn new(kind: Kind, flags: u16, subs: Vec<Node>) -> Node {
        let mut n = Node { kind, flags, subs, height: 1, size: 1 };
        n.recompute();
        n
    }

    fn is_pseudo(&self) -> bool {
        matches!(self.kind, Kind::LeftParen(_) | Kind::VerticalBar)
    }

    /// Recompute `height` and `size` from the children's.
    fn recompute(&mut self) {
        self.height = 1 + self.subs.iter().map(|s| s.height).max().unwrap_or(0);
        let sub = self.subs.first().map_or(0, |s| s.size);
        let size = match &self.kind {
            Kind::Literal { runes, .. } => runes.len() as i64,
            Kind::Capture(_) | Kind::Star => sub.saturating_add(2),
            Kind::Plus | Kind::Quest => sub.saturating_add(1),
            Kind::Concat => self.subs.iter().fold(0i64, |a, s| a.saturating_add(s.size)),
            Kind::Alternate => self
                .subs
                .iter()
                .fold(0i64, |a, s| a.saturating_add(s.size))
                .saturating_add(self.subs.len().saturating_sub(1) as i64),
            Kind::Repeat { min, max } => {
                if *max == -1 {
                    if *min == 0 {
                        sub.saturating_add(2)
                    } else {
                        min.saturating_mul(sub).saturating_add(1)
                    }
                } else {
                    max.saturating_mul(sub).saturating_add(max - min)
                }
            }
            _ => 0,
        };
        self.size = size.max(1);
    }

    /// Runes Go stores in this node (`len(re.Rune)`).
    fn rune_len(&self) -> usize {
        match &self.kind {
            Kind::Literal { runes, .. } => runes.len(),
            Kind::Class(c) => 2 * c.ranges().len(),
            Kind::MergedClass(v) => 2 * v.len(),
            _ => 0,
        }
    }

    /// The ranges of a node for which `is_char_class` holds, not necessarily canonical.
    fn char_ranges(&self) -> Vec<ClassUnicodeRange> {
        match &self.kind {
            Kind::Class(c) => c.ranges().to_vec(),
            Kind::MergedClass(v) => v.clone(),
            _ => self.char_set().ranges().to_vec(),
        }
    }

    /// Go's `isCharClass`: a single-rune literal, a class, `.`, or `(?s:.)`.
    fn is_char_class(&self) -> bool {
        match &self.kind {
            Kind::Literal { runes, .. } => runes.len() == 1,
            Kind::Class(_) | Kind::MergedClass(_) | Kind::AnyChar | Kind::AnyCharNotNL => true,
            _ => false,
        }
    }

    /// The set of characters of a node for which `is_char_class` holds.
    fn char_set(&self) -> ClassUnicode {
        match &self.kind {
            Kind::Literal { runes, fold } => {
                let mut c = ClassUnicode::empty();
                if let Some(&r) = runes.first() {
                    push_range(&mut c, r, r);
                }
                if *fold {
                    c.case_fold_simple();
                }
                c
            }
            Kind::Class(c) => c.clone(),
            Kind::MergedClass(v) => ClassUnicode::new(v.iter().copied()),
            Kind::AnyChar => full_class(),
            Kind::AnyCharNotNL => not_nl_class(),
            _ => ClassUnicode::empty(),
        }
    }
}

/// Add `lo..=hi` (Go runes, which may include surrogates) to a Unicode class, leaving out the
/// surrogates and anything above U+10FFFF.
fn push_range(c: &mut ClassUnicode, lo: u32, hi: u32) {
    let hi = hi.min(0x10_FFFF);
    let mut add = |a: u32, b: u32| {
        if a <= b {
            if let (Some(a), Some(b)) = (char::from_u32(a), char::from_u32(b)) {
                c.push(ClassUnicodeRange::new(a, b));
            }
        }
    };
    if lo <= 0xD7FF {
        add(lo, hi.min(0xD7FF));
    }
    if hi >= 0xE000 {
        add(lo.max(0xE000), hi);
    }
}

fn full_class() -> ClassUnicode {
    ClassUnicode::new([ClassUnicodeRange::new('\0', char::MAX)])
}

fn not_nl_class() -> ClassUnicode {
    ClassUnicode::new([ClassUnicodeRange::new('\0', '\x09'), ClassUnicodeRange::new('\x0B', char::MAX)])
}

fn class_of(ranges: &[(char, char)]) -> ClassUnicode {
    ClassUnicode::new(ranges.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)))
}

/// The Perl classes (`\d \s \w`) and the POSIX classes, as Go defines them (ASCII only).
fn perl_group(c: u8) -> Option<(bool, &'static [(char, char)])> {
    const DIGIT: &[(char, char)] = &[('0', '9')];
    const SPACE: &[(char, char)] = &[('\t', '\n'), ('\x0C', '\r'), (' ', ' ')];
    const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
    Some(match c {
        b'd' => (false, DIGIT),
        b'D' => (true, DIGIT),
        b's' => (false, SPACE),
        b'S' => (true, SPACE),
        b'w' => (false, WORD),
        b'W' => (true, WORD),
        _ => return None,
    })
}

fn posix_group(name: &str) -> Option<(bool, &'static [(char, char)])> {
    let (negated, name) = match name.strip_prefix("[:^") {
        Some(rest) => (true, rest),
        None => (false, name.strip_prefix("[:")?),
    };
    let set: &'static [(char, char)] = match name {
        "alnum:]" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
        "alpha:]" => &[('A', 'Z'), ('a', 'z')],
        "ascii:]" => &[('\0', '\x7F')],
        "blank:]" => &[('\t', '\t'), (' ', ' ')],
        "cntrl:]" => &[('\0', '\x1F'), ('\x7F', '\x7F')],
        "digit:]" => &[('0', '9')],
        "graph:]" => &[('!', '~')],
        "lower:]" => &[('a', 'z')],
        "print:]" => &[(' ', '~')],
        "punct:]" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        "space:]" => &[('\t', '\r'), (' ', ' ')],
        "upper:]" => &[('A', 'Z')],
        "word:]" => &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        "xdigit:]" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
        _ => return None,
    };
    Some((negated, set))
}

/// Go's `nextRune` on the text from `pos`: the character and the position after it. At the end
/// of the text Go decodes `RuneError` of width 0 (not an error).
fn next_rune(s: &str, pos: usize) -> (char, usize) {
    match s.get(pos..).and_then(|t| t.chars().next()) {
        Some(c) => (c, pos + c.len_utf8()),
        None => ('\u{FFFD}', pos),
    }
}

fn byte_at(s: &str, pos: usize) -> Option<u8> {
    s.as_bytes().get(pos).copied()
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn unhex(c: char) -> Option<u32> {
    c.to_digit(16)
}

struct Parser<'a> {
    s: &'a str,
    flags: u16,
    stack: Vec<Node>,
    num_cap: u32,
    /// Nodes allocated (Go's `numRegexp`).
    num_regexp: usize,
    /// Nodes on Go's free list (reused before allocating).
    free: usize,
    /// Runes in all pushed nodes (Go's `numRunes`).
    num_runes: usize,
    /// Product of the repeat counts seen (Go's `repeats`).
    repeats: i64,
    /// Whether sizes are being checked (Go: `p.size != nil`).
    size_tracking: bool,
    /// Unicode classes already built, by table and fold flag.
    tables: HashMap<String, ClassUnicode>,
}

impl<'a> Parser<'a> {
    fn new(s: &'a str) -> Parser<'a> {
        Parser {
            s,
            flags: ONE_LINE,
            stack: Vec::new(),
            num_cap: 0,
            num_regexp: 0,
            free: 0,
            num_runes: 0,
            repeats: 0,
            size_tracking: false,
            tables: HashMap::new(),
        }
    }

    fn node(&mut self, kind: Kind, flags: u16, subs: Vec<Node>) -> Node {
        self.alloc();
        Node::new(kind, flags, subs)
    }

    /// Account for Go's `newRegexp`: it takes a node from its free list, or allocates one
    /// (counted in `numRegexp`, which decides when Go starts checking sizes).
    fn alloc(&mut self) {
        if self.free > 0 {
            self.free -= 1;
        } else {
            self.num_regexp += 1;
        }
    }

    /// Account for Go's `reuse`: a node goes back to the free list.
    fn reuse(&mut self, n: usize) {
        self.free += n;
    }

    // ---- limits -------------------------------------------------------------------------

    fn check_limits(&mut self, re: &Node) -> PResult<()> {
        if self.num_runes > MAX_RUNES {
            return Err(PErr::Whole(ERR_LARGE));
        }
        self.check_size(re)?;
        if re.height > MAX_HEIGHT {
            return Err(PErr::Whole(ERR_NESTING_DEPTH));
        }
        Ok(())
    }

    fn check_size(&mut self, re: &Node) -> PResult<()> {
        if !self.size_tracking {
            if self.repeats == 0 {
                self.repeats = 1;
            }
            if let Kind::Repeat { min, max } = re.kind {
                let mut n = if max == -1 { min } else { max };
                if n <= 0 {
                    n = 1;
                }
                if n > MAX_SIZE / self.repeats {
                    self.repeats = MAX_SIZE;
                } else {
                    self.repeats *= n;
                }
            }
            if (self.num_regexp as i64) < MAX_SIZE / self.repeats {
                return Ok(());
            }
            self.size_tracking = true;
            if self.stack.iter().any(|n| n.size > MAX_SIZE) {
                return Err(PErr::Whole(ERR_LARGE));
            }
        }
        if re.size > MAX_SIZE {
            return Err(PErr::Whole(ERR_LARGE));
        }
        Ok(())
    }

    // ---- stack --------------------------------------------------------------------------

    /// Go's `push`.
    fn push(&mut self, mut re: Node) -> PResult<()> {
        self.num_runes = self.num_runes.saturating_add(re.rune_len());
        if let Kind::Class(c) = &re.kind {
            if let Some((r, fold)) = class_as_literal(c) {
                let lit_flags = if fold { self.flags | FOLD_CASE } else { self.flags & !FOLD_CASE };
                if self.maybe_concat(Some(r), lit_flags) {
                    return Ok(());
                }
                re.kind = Kind::Literal { runes: vec![r], fold };
                re.flags = lit_flags;
                re.recompute();
            } else {
                self.maybe_concat(None, 0);
            }
        } else {
            self.maybe_concat(None, 0);
        }
        self.check_limits(&re)?;
        self.stack.push(re);
        Ok(())
    }

    /// Go's `maybeConcat`: merge the two literals on top of the stack if they have the same
    /// fold flag. With `r`, reuse the freed top node for the literal `r` (returns true).
    fn maybe_concat(&mut self, r: Option<u32>, flags: u16) -> bool {
        let n = self.stack.len();
        if n < 2 {
            return false;
        }
        let (lower, upper) = self.stack.split_at_mut(n - 1);
        let (Some(re2), Some(re1)) = (lower.last_mut(), upper.first_mut()) else {
            return false;
        };
        let (Kind::Literal { runes: runes2, fold: fold2 }, Kind::Literal { runes: runes1, fold: fold1 }) =
            (&mut re2.kind, &mut re1.kind)
        else {
            return false;
        };
        if fold1 != fold2 {
            return false;
        }
        runes2.extend_from_slice(runes1);
        re2.recompute();
        if let Some(r) = r {
            *runes1 = vec![r];
            *fold1 = flags & FOLD_CASE != 0;
            re1.flags = flags;
            re1.recompute();
            return true;
        }
        self.stack.pop();
        self.reuse(1);
        false
    }

    fn literal(&mut self, r: u32) -> PResult<()> {
        let fold = self.flags & FOLD_CASE != 0;
        let r = if fold { min_fold(r) } else { r };
        let re = self.node(Kind::Literal { runes: vec![r], fold }, self.flags, Vec::new());
        self.push(re)
    }

    fn op(&mut self, kind: Kind) -> PResult<()> {
        let re = self.node(kind, self.flags, Vec::new());
        self.push(re)
    }

    /// Go's `repeat`. `before` is where the operator starts, `after` just past it; returns the
    /// position after an optional non-greedy `?`.
    fn repeat(
        &mut self,
        kind: Kind,
        before: usize,
        after: usize,
        last_repeat: Option<usize>,
    ) -> PResult<usize> {
        let mut flags = self.flags;
        let mut after = after;
        if byte_at(self.s, after) == Some(b'?') {
            after += 1;
            flags ^= NON_GREEDY;
        }
        if let Some(lr) = last_repeat {
            return Err(PErr::At(ERR_INVALID_REPEAT_OP, lr, after));
        }
        let sub = match self.stack.pop() {
            Some(sub) if !sub.is_pseudo() => sub,
            other => {
                if let Some(o) = other {
                    self.stack.push(o);
                }
                return Err(PErr::At(ERR_MISSING_REPEAT_ARGUMENT, before, after));
            }
        };
        let (is_counted, min, max) = match kind {
            Kind::Repeat { min, max } => (true, min, max),
            _ => (false, 0, 0),
        };
        let re = self.node(kind, flags, vec![sub]);
        self.check_limits(&re)?;
        let valid = !is_counted || (min < 2 && max < 2) || repeat_is_valid(&re, MAX_REPEAT);
        self.stack.push(re);
        if !valid {
            return Err(PErr::At(ERR_INVALID_REPEAT_SIZE, before, after));
        }
        Ok(after)
    }

    /// Index of the first stack entry above the topmost pseudo-op.
    fn above_pseudo(&self) -> usize {
        let mut i = self.stack.len();
        while i > 0 && !self.stack[i - 1].is_pseudo() {
            i -= 1;
        }
        i
    }

    fn concat(&mut self) -> PResult<()> {
        self.maybe_concat(None, 0);
        let i = self.above_pseudo();
        let subs = self.stack.split_off(i);
        if subs.is_empty() {
            let re = self.node(Kind::EmptyMatch, self.flags, Vec::new());
            return self.push(re);
        }
        let re = self.collapse(subs, true)?;
        self.push(re)
    }

    fn alternate(&mut self) -> PResult<()> {
        let i = self.above_pseudo();
        let subs = self.stack.split_off(i);
        if subs.is_empty() {
            let re = self.node(Kind::NoMatch, self.flags, Vec::new());
            return self.push(re);
        }
        let re = self.collapse(subs, false)?;
        self.push(re)
    }

    /// Go's `collapse`: a concatenation (or alternation) of `subs`, flattening nested ones.
    fn collapse(&mut self, subs: Vec<Node>, concat: bool) -> PResult<Node> {
        if subs.len() == 1 {
            if let Some(only) = subs.into_iter().next() {
                return Ok(only);
            }
            return Ok(self.node(Kind::EmptyMatch, self.flags, Vec::new()));
        }
        let flat = self.flatten(subs, concat);
        if concat {
            return Ok(Node::new(Kind::Concat, self.flags, flat));
        }
        self.alternation(flat)
    }

    /// The start of Go's `collapse`: a new node whose children are `subs`, with children of the
    /// same kind spliced in.
    fn flatten(&mut self, subs: Vec<Node>, concat: bool) -> Vec<Node> {
        self.alloc();
        let mut flat = Vec::with_capacity(subs.len());
        for sub in subs {
            let same = match sub.kind {
                Kind::Concat => concat,
                Kind::Alternate => !concat,
                _ => false,
            };
            if same {
                flat.extend(sub.subs);
                self.reuse(1);
            } else {
                flat.push(sub);
            }
        }
        flat
    }

    /// The alternation of `subs` (at least two, already flattened), factored like Go's
    /// `factor`: common literal prefixes (round 1) and common leading classes (round 2) are
    /// taken out of the alternatives, runs of single characters and classes become one class
    /// (round 3), runs of empty matches one empty match (round 4). This shapes the tree, and so
    /// Go's height and size checks. Go recurses for the alternatives that share a prefix; here
    /// an explicit stack of frames does, so that no input can exhaust the Rust stack.
    fn alternation(&mut self, subs: Vec<Node>) -> PResult<Node> {
        let items = self.group_strings(subs)?;
        let mut frames = vec![AltFrame { depth: 0, round: 1, next: 0, items }];
        loop {
            let Some(top) = frames.last_mut() else {
                return Ok(Node::new(Kind::EmptyMatch, self.flags, Vec::new()));
            };
            let depth = top.depth;
            // The next shared prefix whose alternatives still need factoring.
            let start = top.next.min(top.items.len());
            let pending = top.items[start..].iter_mut().enumerate().find_map(|(i, item)| match item {
                Item::Pending(prefix, suffixes) => {
                    let suffixes = std::mem::take(suffixes);
                    let prefix = std::mem::replace(prefix, Node::new(Kind::EmptyMatch, 0, vec![]));
                    *item = Item::Waiting(prefix);
                    Some((start + i, suffixes))
                }
                _ => None,
            });
            if let Some((at, suffixes)) = pending {
                top.next = at;
                if suffixes.len() == 1 {
                    if let Some(only) = suffixes.into_iter().next() {
                        self.finish_waiting(&mut frames, only);
                    }
                    continue;
                }
                // Each nested factoring puts a concatenation and an alternation of at least two
                // alternatives under the one above: past half Go's height limit the result is
                // too tall.
                if 2 * (depth + 1) > MAX_HEIGHT as usize {
                    return Err(PErr::Whole(ERR_NESTING_DEPTH));
                }
                let flat = self.flatten(suffixes, false);
                let items = self.group_strings(flat)?;
                frames.push(AltFrame { depth: depth + 1, round: 1, next: 0, items });
                continue;
            }
            top.next = 0;
            let items = std::mem::take(&mut top.items);
            let nodes: Vec<Node> = items
                .into_iter()
                .filter_map(|item| match item {
                    Item::Done(n) => Some(n),
                    _ => None,
                })
                .collect();
            if top.round == 1 {
                top.round = 2;
                top.items = self.group_leading(nodes)?;
                continue;
            }
            frames.pop();
            let mut nodes = self.merge_classes(nodes);
            let node = if nodes.len() == 1 {
                self.reuse(1);
                nodes.pop().unwrap_or_else(|| Node::new(Kind::EmptyMatch, 0, vec![]))
            } else {
                Node::new(Kind::Alternate, self.flags, nodes)
            };
            if frames.is_empty() {
                return Ok(node);
            }
            self.finish_waiting(&mut frames, node);
        }
    }

    /// The factored alternatives `suffix` of the waiting prefix in the top frame are done.
    fn finish_waiting(&mut self, frames: &mut [AltFrame], suffix: Node) {
        let Some(top) = frames.last_mut() else {
            return;
        };
        let at = top.next;
        top.next += 1;
        if let Some(item) = top.items.get_mut(at) {
            if let Item::Waiting(prefix) =
                std::mem::replace(item, Item::Done(Node::new(Kind::EmptyMatch, 0, vec![])))
            {
                self.alloc();
                *item = Item::Done(Node::new(Kind::Concat, 0, vec![prefix, suffix]));
            }
        }
    }

    /// Rounds 3 and 4 of Go's `factor`.
    fn merge_classes(&mut self, subs: Vec<Node>) -> Vec<Node> {
        if subs.len() < 2 {
            return subs;
        }
        let mut out: Vec<Node> = Vec::with_capacity(subs.len());
        let mut run: Vec<Node> = Vec::new();
        let mut merged = 0;
        let mut flush = |run: &mut Vec<Node>, out: &mut Vec<Node>| {
            if run.len() == 1 {
                out.append(run);
            } else if run.len() > 1 {
                merged += run.len() - 1;
                let mut ranges = Vec::new();
                for n in run.iter() {
                    ranges.extend(n.char_ranges());
                }
                let set = ClassUnicode::new(ranges);
                let flags = run.first().map_or(0, |n| n.flags);
                run.clear();
                out.push(Node::new(Kind::Class(set), flags, Vec::new()));
            }
        };
        for sub in subs {
            if sub.is_char_class() {
                run.push(sub);
            } else {
                flush(&mut run, &mut out);
                out.push(sub);
            }
        }
        flush(&mut run, &mut out);
        self.reuse(merged);
        // Round 4: collapse runs of empty matches.
        let mut res: Vec<Node> = Vec::with_capacity(out.len());
        for sub in out {
            let both_empty = matches!(sub.kind, Kind::EmptyMatch)
                && matches!(res.last().map(|n| &n.kind), Some(Kind::EmptyMatch));
            if !both_empty {
                res.push(sub);
            }
        }
        res
    }

    /// Round 1 of Go's `factor`: `ABC|ABD|AEF` becomes `A(?:B(?:C|D)|EF)`. The alternatives
    /// sharing a prefix are returned as pending, to be factored in turn.
    fn group_strings(&mut self, subs: Vec<Node>) -> PResult<Vec<Item>> {
        if subs.len() < 2 {
            return Ok(subs.into_iter().map(Item::Done).collect());
        }
        let mut out: Vec<Item> = Vec::with_capacity(subs.len());
        let mut run: Vec<Node> = Vec::new();
        let mut prefix: Vec<u32> = Vec::new();
        let mut prefix_fold = false;
        let mut iter = subs.into_iter();
        loop {
            let next = iter.next();
            if let Some(n) = next.as_ref() {
                let (istr, ifold) = leading_string(n);
                if ifold == prefix_fold {
                    let same = prefix.iter().zip(istr).take_while(|(a, b)| a == b).count();
                    if same > 0 {
                        prefix.truncate(same);
                        run.extend(next);
                        continue;
                    }
                }
            }
            if run.len() == 1 {
                out.extend(run.drain(..).map(Item::Done));
            } else if run.len() > 1 {
                let lit = self.node(
                    Kind::Literal { runes: prefix.clone(), fold: prefix_fold },
                    if prefix_fold { FOLD_CASE } else { 0 },
                    Vec::new(),
                );
                let mut suffixes = Vec::with_capacity(run.len());
                for n in run.drain(..) {
                    let n = self.remove_leading_string(n, prefix.len());
                    self.check_limits(&n)?;
                    suffixes.push(n);
                }
                out.push(Item::Pending(lit, suffixes));
            }
            let Some(n) = next else { break };
            let (istr, ifold) = leading_string(&n);
            prefix = istr.to_vec();
            prefix_fold = ifold;
            run.push(n);
        }
        Ok(out)
    }

    /// Go's `removeLeadingString`: drop the first `count` runes of the leading literal.
    fn remove_leading_string(&mut self, mut re: Node, count: usize) -> Node {
        if matches!(re.kind, Kind::Concat) && !re.subs.is_empty() {
            let first = re.subs.remove(0);
            let first = self.remove_leading_string(first, count);
            if matches!(first.kind, Kind::EmptyMatch) {
                self.reuse(1);
                match re.subs.len() {
                    0 => {
                        re.kind = Kind::EmptyMatch;
                        re.subs.clear();
                    }
                    1 => {
                        self.reuse(1);
                        if let Some(only) = re.subs.pop() {
                            return only;
                        }
                    }
                    _ => {}
                }
            } else {
                re.subs.insert(0, first);
            }
            re.recompute();
            return re;
        }
        if let Kind::Literal { runes, .. } = &mut re.kind {
            runes.drain(..count.min(runes.len()));
            if runes.is_empty() {
                re.kind = Kind::EmptyMatch;
            }
            re.recompute();
        }
        re
    }

    /// Round 2 of Go's `factor`: alternatives that start with the same class (or fixed repeat
    /// of a class) share it: `[a-z]x|[a-z]y` becomes `[a-z](?:x|y)`. The alternatives sharing
    /// it are returned as pending, to be factored in turn.
    fn group_leading(&mut self, subs: Vec<Node>) -> PResult<Vec<Item>> {
        if subs.len() < 2 {
            return Ok(subs.into_iter().map(Item::Done).collect());
        }
        let mut out: Vec<Item> = Vec::with_capacity(subs.len());
        let mut run: Vec<Node> = Vec::new();
        let mut first: Option<Node> = None;
        let mut iter = subs.into_iter();
        loop {
            let next = iter.next();
            if let (Some(n), Some(f)) = (next.as_ref(), first.as_ref()) {
                if factorable(f) && leading_regexp(n).is_some_and(|i| go_equal(f, i)) {
                    run.extend(next);
                    continue;
                }
            }
            if run.len() == 1 {
                out.extend(run.drain(..).map(Item::Done));
            } else if run.len() > 1 {
                let mut suffixes = Vec::with_capacity(run.len());
                for (j, n) in run.drain(..).enumerate() {
                    let n = self.remove_leading_regexp(n, j != 0);
                    self.check_limits(&n)?;
                    suffixes.push(n);
                }
                let prefix = first.take().unwrap_or_else(|| Node::new(Kind::EmptyMatch, 0, Vec::new()));
                out.push(Item::Pending(prefix, suffixes));
            }
            let Some(n) = next else { break };
            // Only a class, or a fixed repeat of one, is ever shared: keep nothing else.
            first = leading_regexp(&n).filter(|f| factorable(f)).cloned();
            run.push(n);
        }
        Ok(out)
    }

    /// Go's `removeLeadingRegexp`.
    fn remove_leading_regexp(&mut self, mut re: Node, reuse: bool) -> Node {
        if matches!(re.kind, Kind::Concat) && !re.subs.is_empty() {
            if reuse {
                self.reuse(1);
            }
            re.subs.remove(0);
            match re.subs.len() {
                0 => {
                    re.kind = Kind::EmptyMatch;
                }
                1 => {
                    self.reuse(1);
                    if let Some(only) = re.subs.pop() {
                        return only;
                    }
                }
                _ => {}
            }
            re.recompute();
            return re;
        }
        if reuse {
            self.reuse(1);
        }
        self.node(Kind::EmptyMatch, 0, Vec::new())
    }

    fn parse_vertical_bar(&mut self) -> PResult<()> {
        self.concat()?;
        if !self.swap_vertical_bar() {
            self.op(Kind::VerticalBar)?;
        }
        Ok(())
    }

    /// Go's `swapVerticalBar`.
    fn swap_vertical_bar(&mut self) -> bool {
        let n = self.stack.len();
        if n >= 3
            && matches!(self.stack[n - 2].kind, Kind::VerticalBar)
            && self.stack[n - 1].is_char_class()
            && self.stack[n - 3].is_char_class()
        {
            if let Some(re1) = self.stack.pop() {
                self.reuse(1);
                let add = re1.char_ranges();
                let re3 = &mut self.stack[n - 3];
                if let Kind::MergedClass(v) = &mut re3.kind {
                    add.into_iter().for_each(|r| append_range(v, r));
                } else {
                    let mut v = re3.char_ranges();
                    add.into_iter().for_each(|r| append_range(&mut v, r));
                    re3.kind = Kind::MergedClass(v);
                    re3.subs.clear();
                    re3.recompute();
                }
            }
            return true;
        }
        if n >= 2 && matches!(self.stack[n - 2].kind, Kind::VerticalBar) {
            self.stack.swap(n - 1, n - 2);
            return true;
        }
        false
    }

    fn parse_right_paren(&mut self) -> PResult<()> {
        self.concat()?;
        if self.swap_vertical_bar() {
            self.stack.pop();
        }
        self.alternate()?;
        if self.stack.len() < 2 {
            return Err(PErr::Whole(ERR_UNEXPECTED_PAREN));
        }
        let (Some(re1), Some(re2)) = (self.stack.pop(), self.stack.pop()) else {
            return Err(PErr::Whole(ERR_UNEXPECTED_PAREN));
        };
        let Kind::LeftParen(cap) = re2.kind else {
            return Err(PErr::Whole(ERR_UNEXPECTED_PAREN));
        };
        self.flags = re2.flags;
        if cap == 0 {
            self.push(re1)
        } else {
            // Go turns the `(` node itself into the capture: no new node.
            let re = Node::new(Kind::Capture(cap), re2.flags, vec![re1]);
            self.push(re)
        }
    }

    // ---- the main loop ------------------------------------------------------------------

    fn parse(&mut self) -> PResult<Node> {
        let s = self.s;
        let len = s.len();
        let mut pos = 0;
        let mut last_repeat: Option<usize> = None;
        while pos < len {
            let mut repeat: Option<usize> = None;
            match s.as_bytes()[pos] {
                b'(' => {
                    if byte_at(s, pos + 1) == Some(b'?') {
                        pos = self.parse_perl_flags(pos)?;
                    } else {
                        self.num_cap += 1;
                        let cap = self.num_cap;
                        self.op(Kind::LeftParen(cap))?;
                        pos += 1;
                    }
                }
                b'|' => {
                    self.parse_vertical_bar()?;
                    pos += 1;
                }
                b')' => {
                    self.parse_right_paren()?;
                    pos += 1;
                }
                b'^' => {
                    let k = if self.flags & ONE_LINE != 0 { Kind::BeginText } else { Kind::BeginLine };
                    self.op(k)?;
                    pos += 1;
                }
                b'$' => {
                    let k = if self.flags & ONE_LINE != 0 { Kind::EndText } else { Kind::EndLine };
                    self.op(k)?;
                    pos += 1;
                }
                b'.' => {
                    let k = if self.flags & DOT_NL != 0 { Kind::AnyChar } else { Kind::AnyCharNotNL };
                    self.op(k)?;
                    pos += 1;
                }
                b'[' => pos = self.parse_class(pos)?,
                b @ (b'*' | b'+' | b'?') => {
                    let kind = match b {
                        b'*' => Kind::Star,
                        b'+' => Kind::Plus,
                        _ => Kind::Quest,
                    };
                    let after = self.repeat(kind, pos, pos + 1, last_repeat)?;
                    repeat = Some(pos);
                    pos = after;
                }
                b'{' => match parse_repeat(s, pos) {
                    None => {
                        self.literal(u32::from('{'))?;
                        pos += 1;
                    }
                    Some((min, max, after)) => {
                        if !(0..=MAX_REPEAT).contains(&min) || max > MAX_REPEAT || (max >= 0 && min > max) {
                            return Err(PErr::At(ERR_INVALID_REPEAT_SIZE, pos, after));
                        }
                        let after = self.repeat(Kind::Repeat { min, max }, pos, after, last_repeat)?;
                        repeat = Some(pos);
                        pos = after;
                    }
                },
                b'\\' => pos = self.parse_backslash(pos)?,
                _ => {
                    let (c, next) = next_rune(s, pos);
                    self.literal(u32::from(c))?;
                    // `pos` is always on a character boundary; never stall regardless.
                    pos = next.max(pos + 1);
                }
            }
            last_repeat = repeat;
        }
        self.concat()?;
        if self.swap_vertical_bar() {
            self.stack.pop();
        }
        self.alternate()?;
        if self.stack.len() != 1 {
            return Err(PErr::Whole(ERR_MISSING_PAREN));
        }
        self.stack.pop().ok_or(PErr::Whole(ERR_MISSING_PAREN))
    }

    /// A backslash outside a class.
    fn parse_backslash(&mut self, pos: usize) -> PResult<usize> {
        let s = self.s;
        match byte_at(s, pos + 1) {
            Some(b'A') => {
                self.op(Kind::BeginText)?;
                return Ok(pos + 2);
            }
            Some(b'b') => {
                self.op(Kind::WordBoundary)?;
                return Ok(pos + 2);
            }
            Some(b'B') => {
                self.op(Kind::NoWordBoundary)?;
                return Ok(pos + 2);
            }
            Some(b'C') => return Err(PErr::At(ERR_INVALID_ESCAPE, pos, pos + 2)),
            Some(b'Q') => {
                let start = pos + 2;
                let (end, next) = match s.get(start..).and_then(|t| t.find("\\E")) {
                    Some(i) => (start + i, start + i + 2),
                    None => (s.len(), s.len()),
                };
                let lit = s.get(start..end).unwrap_or_default();
                for c in lit.chars() {
                    self.literal(u32::from(c))?;
                }
                return Ok(next);
            }
            Some(b'z') => {
                self.op(Kind::EndText)?;
                return Ok(pos + 2);
            }
            _ => {}
        }
        if let Some((class, rest)) = self.parse_unicode_class(pos)? {
            let re = self.node(Kind::Class(class), self.flags, Vec::new());
            self.push(re)?;
            return Ok(rest);
        }
        if let Some((class, rest)) = self.parse_perl_class_escape(pos) {
            let re = self.node(Kind::Class(class), self.flags, Vec::new());
            self.push(re)?;
            return Ok(rest);
        }
        // Go allocated a class node for the tries above and gives it back.
        self.alloc();
        self.reuse(1);
        let (c, rest) = parse_escape(s, pos)?;
        self.literal(c)?;
        Ok(rest)
    }

    /// Go's `parsePerlFlags`, for text starting with `(?` at `pos`.
    fn parse_perl_flags(&mut self, pos: usize) -> PResult<usize> {
        let s = self.s;
        let t = &s[pos..];
        let tb = t.as_bytes();
        let starts_with_p = tb.len() > 4 && tb[2] == b'P' && tb[3] == b'<';
        let starts_with_name = tb.len() > 3 && tb[2] == b'<';
        if starts_with_p || starts_with_name {
            let expr_start = if starts_with_p { 4 } else { 3 };
            let Some(end) = t.find('>') else {
                return Err(PErr::At(ERR_INVALID_NAMED_CAPTURE, pos, s.len()));
            };
            let name = t.get(expr_start..end).unwrap_or_default();
            if name.is_empty() || !name.chars().all(|c| c == '_' || is_alnum(c)) {
                return Err(PErr::At(ERR_INVALID_NAMED_CAPTURE, pos, pos + end + 1));
            }
            self.num_cap += 1;
            let cap = self.num_cap;
            self.op(Kind::LeftParen(cap))?;
            return Ok(pos + end + 1);
        }

        let mut t = pos + 2;
        let mut flags = self.flags;
        let mut sign = 1;
        let mut saw_flag = false;
        while t < s.len() {
            let (c, next) = next_rune(s, t);
            t = next;
            match c {
                'i' => {
                    flags |= FOLD_CASE;
                    saw_flag = true;
                }
                'm' => {
                    flags &= !ONE_LINE;
                    saw_flag = true;
                }
                's' => {
                    flags |= DOT_NL;
                    saw_flag = true;
                }
                'U' => {
                    flags |= NON_GREEDY;
                    saw_flag = true;
                }
                '-' => {
                    if sign < 0 {
                        break;
                    }
                    sign = -1;
                    flags = !flags;
                    saw_flag = false;
                }
                ':' | ')' => {
                    if sign < 0 {
                        if !saw_flag {
                            break;
                        }
                        flags = !flags;
                    }
                    if c == ':' {
                        self.op(Kind::LeftParen(0))?;
                    }
                    self.flags = flags & (FOLD_CASE | DOT_NL | ONE_LINE | NON_GREEDY);
                    return Ok(t);
                }
                _ => break,
            }
        }
        Err(PErr::At(ERR_INVALID_PERL_OP, pos, t))
    }

    /// Go's `parsePerlClassEscape`: `\d \D \s \S \w \W` at `pos`.
    fn parse_perl_class_escape(&self, pos: usize) -> Option<(ClassUnicode, usize)> {
        if byte_at(self.s, pos) != Some(b'\\') {
            return None;
        }
        let (negated, set) = perl_group(byte_at(self.s, pos + 1)?)?;
        Some((self.group(negated, set), pos + 2))
    }

    /// Go's `appendGroup`: the class, folded under `(?i)`, then negated.
    fn group(&self, negated: bool, set: &[(char, char)]) -> ClassUnicode {
        let mut c = class_of(set);
        if self.flags & FOLD_CASE != 0 {
            c.case_fold_simple();
        }
        if negated {
            c.negate();
        }
        c
    }

    /// Go's `parseUnicodeClass`: `\pN`, `\p{Name}`, `\PN`, `\P{Name}`, `\p{^Name}` at `pos`.
    fn parse_unicode_class(&mut self, pos: usize) -> PResult<Option<(ClassUnicode, usize)>> {
        let s = self.s;
        if byte_at(s, pos) != Some(b'\\') {
            return Ok(None);
        }
        let mut negated = match byte_at(s, pos + 1) {
            Some(b'p') => false,
            Some(b'P') => true,
            _ => return Ok(None),
        };
        let (c, t) = next_rune(s, pos + 2);
        let (seq_end, name) = if c != '{' {
            (t, s.get(pos + 2..t).unwrap_or_default())
        } else {
            let Some(end) = s[pos..].find('}') else {
                return Err(PErr::At(ERR_INVALID_CHAR_RANGE, pos, s.len()));
            };
            (pos + end + 1, s.get(pos + 3..pos + end).unwrap_or_default())
        };
        let name = match name.strip_prefix('^') {
            Some(rest) => {
                negated = !negated;
                rest
            }
            None => name,
        };
        let Some(table) = names::lookup(name) else {
            return Err(PErr::At(ERR_INVALID_CHAR_RANGE, pos, seq_end));
        };
        let fold = self.flags & FOLD_CASE != 0;
        let key = format!("{table:?}/{fold}");
        let mut class = match self.tables.get(&key) {
            Some(c) => c.clone(),
            None => {
                let mut c = match table {
                    names::Table::Any => full_class(),
                    names::Table::Ascii => class_of(&[('\0', '\x7F')]),
                    names::Table::Empty => ClassUnicode::empty(),
                    names::Table::Assigned => {
                        let mut c = rs_table("gc=Cn");
                        c.negate();
                        c
                    }
                    names::Table::Gc(list) => {
                        let mut c = ClassUnicode::empty();
                        for gc in list {
                            c.union(&rs_table(&format!("gc={gc}")));
                        }
                        c
                    }
                    names::Table::Script(sc) => rs_table(&format!("sc={sc}")),
                };
                if fold {
                    c.case_fold_simple();
                }
                self.tables.insert(key, c.clone());
                c
            }
        };
        if negated {
            class.negate();
        }
        Ok(Some((class, seq_end)))
    }

    /// Go's `parseClass`, for text starting with `[` at `pos`.
    fn parse_class(&mut self, pos: usize) -> PResult<usize> {
        let s = self.s;
        let fold = self.flags & FOLD_CASE != 0;
        let mut t = pos + 1;
        let mut negated = false;
        if byte_at(s, t) == Some(b'^') {
            negated = true;
            t += 1;
        }
        let mut class = ClassUnicode::empty();
        let mut first = true;
        while t >= s.len() || s.as_bytes()[t] != b']' || first {
            first = false;
            // POSIX [:alnum:] etc.
            if s.len() > t + 2 && s.as_bytes()[t] == b'[' && s.as_bytes()[t + 1] == b':' {
                if let Some(i) = s[t + 2..].find(":]") {
                    let end = t + 2 + i + 2;
                    let name = &s[t..end];
                    let Some((neg, set)) = posix_group(name) else {
                        return Err(PErr::At(ERR_INVALID_CHAR_RANGE, t, end));
                    };
                    class.union(&self.group(neg, set));
                    t = end;
                    continue;
                }
            }
            if let Some((c, rest)) = self.parse_unicode_class(t)? {
                class.union(&c);
                t = rest;
                continue;
            }
            if let Some((c, rest)) = self.parse_perl_class_escape(t) {
                class.union(&c);
                t = rest;
                continue;
            }
            // A single character or a range.
            let rng = t;
            let (lo, next) = parse_class_char(s, t, pos)?;
            t = next;
            let mut hi = lo;
            if s.len() >= t + 2 && s.as_bytes()[t] == b'-' && s.as_bytes()[t + 1] != b']' {
                t += 1;
                let (h, next) = parse_class_char(s, t, pos)?;
                t = next;
                hi = h;
                if hi < lo {
                    return Err(PErr::At(ERR_INVALID_CHAR_RANGE, rng, t));
                }
            }
            let mut r = ClassUnicode::empty();
            push_range(&mut r, lo, hi);
            if fold {
                r.case_fold_simple();
            }
            class.union(&r);
        }
        t += 1; // the ]
        if negated {
            class.negate();
        }
        let re = self.node(Kind::Class(class), self.flags, Vec::new());
        self.push(re)?;
        Ok(t)
    }
}

/// The `regex-syntax` table for `\p{query}` (a generated query for a name Go accepts).
fn rs_table(query: &str) -> ClassUnicode {
    let pattern = format!("\\p{{{query}}}");
    match regex_syntax::ParserBuilder::new().build().parse(&pattern) {
        Ok(hir) => match hir.kind() {
            HirKind::Class(Class::Unicode(c)) => c.clone(),
            HirKind::Literal(lit) => {
                let mut c = ClassUnicode::empty();
                for ch in String::from_utf8_lossy(&lit.0).chars() {
                    c.push(ClassUnicodeRange::new(ch, ch));
                }
                c
            }
            _ => ClassUnicode::empty(),
        },
        Err(_) => ClassUnicode::empty(),
    }
}

/// Go's `appendRange`: add `r` to the ranges `v`, widening the last or next-to-last range when
/// `r` overlaps or touches it (so merging `a|b|c|…` stays small, as in Go).
fn append_range(v: &mut Vec<ClassUnicodeRange>, r: ClassUnicodeRange) {
    let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
    let n = v.len();
    for i in [1, 2] {
        if n >= i {
            let last = v[n - i];
            let (rlo, rhi) = (u32::from(last.start()), u32::from(last.end()));
            if lo <= rhi + 1 && rlo <= hi + 1 {
                let (a, b) = (lo.min(rlo), hi.max(rhi));
                if let (Some(a), Some(b)) = (char::from_u32(a), char::from_u32(b)) {
                    v[n - i] = ClassUnicodeRange::new(a, b);
                    return;
                }
            }
        }
    }
    v.push(r);
}

/// Go's `push` turns a class of one character into a literal, and a class of exactly one
/// character and its simple case fold into a case-folded literal.
fn class_as_literal(c: &ClassUnicode) -> Option<(u32, bool)> {
    let ranges = c.ranges();
    let count: u32 = ranges.iter().map(|r| u32::from(r.end()) - u32::from(r.start()) + 1).take(3).sum();
    let first = ranges.first()?.start();
    if ranges.len() == 1 && count == 1 {
        return Some((u32::from(first), false));
    }
    if count == 2 && ranges.len() <= 2 {
        let mut orbit = ClassUnicode::new([ClassUnicodeRange::new(first, first)]);
        orbit.case_fold_simple();
        if orbit == *c {
            return Some((u32::from(first), true));
        }
    }
    None
}

/// One alternation being factored: a frame of Go's recursion `collapse` → `factor` →
/// `collapse`.
struct AltFrame {
    /// How many factorings this alternation is nested in.
    depth: usize,
    /// The round of `factor` whose pending prefixes are being worked on (1 or 2).
    round: u8,
    /// Index of the item waiting for (or the first that may need) factoring.
    next: usize,
    items: Vec<Item>,
}

/// An alternative of a frame.
enum Item {
    /// Finished.
    Done(Node),
    /// A shared prefix and the alternatives that follow it, still to be factored.
    Pending(Node, Vec<Node>),
    /// A shared prefix whose alternatives are being factored in the frame above.
    Waiting(Node),
}

/// Go's `leadingString`: the literal an alternative starts with, and its fold flag.
fn leading_string(re: &Node) -> (&[u32], bool) {
    let re = match re.kind {
        Kind::Concat => re.subs.first().unwrap_or(re),
        _ => re,
    };
    match &re.kind {
        Kind::Literal { runes, fold } => (runes, *fold),
        _ => (&[], false),
    }
}

/// Whether round 2 of Go's `factor` may share `f`: a class, or a fixed repeat of one.
fn factorable(f: &Node) -> bool {
    f.is_char_class()
        || (matches!(f.kind, Kind::Repeat { min, max } if min == max)
            && f.subs.first().is_some_and(Node::is_char_class))
}

/// Go's `leadingRegexp`: the first piece of an alternative.
fn leading_regexp(re: &Node) -> Option<&Node> {
    match re.kind {
        Kind::EmptyMatch => None,
        Kind::Concat if !re.subs.is_empty() => {
            re.subs.first().filter(|s| !matches!(s.kind, Kind::EmptyMatch))
        }
        _ => Some(re),
    }
}

/// Go's `Regexp.Equal`, for the nodes round 2 of `factor` compares (classes, and fixed repeats
/// of classes). As in current Go, literals and classes compare their fold flag too.
fn go_equal(x: &Node, y: &Node) -> bool {
    let same_fold = x.flags & FOLD_CASE == y.flags & FOLD_CASE;
    match (&x.kind, &y.kind) {
        (Kind::Literal { runes: a, .. }, Kind::Literal { runes: b, .. }) => same_fold && a == b,
        (Kind::Class(_) | Kind::MergedClass(_), Kind::Class(_) | Kind::MergedClass(_)) => {
            same_fold && x.char_set() == y.char_set()
        }
        (Kind::AnyChar, Kind::AnyChar) | (Kind::AnyCharNotNL, Kind::AnyCharNotNL) => true,
        (Kind::Repeat { min: a, max: b }, Kind::Repeat { min: c, max: d }) => {
            a == c
                && b == d
                && x.flags & NON_GREEDY == y.flags & NON_GREEDY
                && match (x.subs.first(), y.subs.first()) {
                    (Some(xs), Some(ys)) => xs.is_char_class() && go_equal(xs, ys),
                    _ => false,
                }
        }
        _ => false,
    }
}

/// Go's `minFoldRune`: the smallest rune simple case folding makes equivalent to `r`.
fn min_fold(r: u32) -> u32 {
    let Some(c) = char::from_u32(r) else {
        return r;
    };
    let mut cls = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
    cls.case_fold_simple();
    cls.ranges().first().map_or(r, |x| u32::from(x.start()).min(r))
}

/// Go's `repeatIsValid`, with an explicit stack.
fn repeat_is_valid(re: &Node, n: i64) -> bool {
    let mut work: Vec<(&Node, i64)> = vec![(re, n)];
    while let Some((re, mut n)) = work.pop() {
        if let Kind::Repeat { min, max } = re.kind {
            let mut m = max;
            if m == 0 {
                continue;
            }
            if m < 0 {
                m = min;
            }
            if m > n {
                return false;
            }
            if m > 0 {
                n /= m;
            }
        }
        for sub in &re.subs {
            work.push((sub, n));
        }
    }
    true
}

/// Go's `parseInt`: a decimal number without leading zeros; `-1` when it reaches 10^8.
fn parse_int(s: &str, pos: usize) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let first = *b.get(pos)?;
    if !first.is_ascii_digit() {
        return None;
    }
    if first == b'0' && b.get(pos + 1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut end = pos;
    while b.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    let mut n: i64 = 0;
    for &d in &b[pos..end] {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some((n, end))
}

/// Go's `parseRepeat`: `{min}`, `{min,}` (max = -1) or `{min,max}` at `pos`; `min == -1` when a
/// number is too big. `None` when the text is not of that form (the `{` is then a literal).
fn parse_repeat(s: &str, pos: usize) -> Option<(i64, i64, usize)> {
    let b = s.as_bytes();
    if b.get(pos) != Some(&b'{') {
        return None;
    }
    let (mut min, mut t) = parse_int(s, pos + 1)?;
    let max;
    match b.get(t) {
        None => return None,
        Some(b',') => {
            t += 1;
            match b.get(t) {
                None => return None,
                Some(b'}') => max = -1,
                Some(_) => {
                    let (m, next) = parse_int(s, t)?;
                    t = next;
                    max = m;
                    if m < 0 {
                        min = -1;
                    }
                }
            }
        }
        Some(_) => max = min,
    }
    if b.get(t) != Some(&b'}') {
        return None;
    }
    Some((min, max, t + 1))
}

/// Go's `parseEscape` for the backslash at `pos`: the rune and the position after the escape.
fn parse_escape(s: &str, pos: usize) -> PResult<(u32, usize)> {
    let t = pos + 1;
    if t >= s.len() {
        return Err(PErr::TrailingBackslash(pos));
    }
    let (c, mut t) = next_rune(s, t);
    let invalid = |end: usize| PErr::At(ERR_INVALID_ESCAPE, pos, end);
    let octal = |t: usize| byte_at(s, t).filter(|b| (b'0'..=b'7').contains(b));
    match c {
        '1'..='7' | '0' => {
            if c != '0' && octal(t).is_none() {
                // A single non-zero digit is a backreference: not supported.
                return Err(invalid(t));
            }
            let mut r = u32::from(c) - u32::from('0');
            for _ in 1..3 {
                let Some(d) = octal(t) else { break };
                r = r * 8 + u32::from(d - b'0');
                t += 1;
            }
            Ok((r, t))
        }
        'x' => {
            if t >= s.len() {
                return Err(invalid(t));
            }
            let (c, next) = next_rune(s, t);
            t = next;
            if c == '{' {
                let mut nhex = 0;
                let mut r: u32 = 0;
                loop {
                    if t >= s.len() {
                        return Err(invalid(t));
                    }
                    let (c, next) = next_rune(s, t);
                    t = next;
                    if c == '}' {
                        break;
                    }
                    let Some(v) = unhex(c) else {
                        return Err(invalid(t));
                    };
                    r = r * 16 + v;
                    if r > 0x10_FFFF {
                        return Err(invalid(t));
                    }
                    nhex += 1;
                }
                if nhex == 0 {
                    return Err(invalid(t));
                }
                return Ok((r, t));
            }
            let x = unhex(c);
            let (c, next) = next_rune(s, t);
            t = next;
            match (x, unhex(c)) {
                (Some(x), Some(y)) => Ok((x * 16 + y, t)),
                _ => Err(invalid(t)),
            }
        }
        'a' => Ok((7, t)),
        'f' => Ok((12, t)),
        'n' => Ok((10, t)),
        'r' => Ok((13, t)),
        't' => Ok((9, t)),
        'v' => Ok((11, t)),
        _ if c.is_ascii() && !is_alnum(c) => Ok((u32::from(c), t)),
        _ => Err(invalid(t)),
    }
}

/// Go's `parseClassChar`: one (possibly escaped) character inside a class; `class_start` is the
/// position of the class's `[` (for `missing closing ]`).
fn parse_class_char(s: &str, pos: usize, class_start: usize) -> PResult<(u32, usize)> {
    if pos >= s.len() {
        return Err(PErr::At(ERR_MISSING_BRACKET, class_start, s.len()));
    }
    if byte_at(s, pos) == Some(b'\\') {
        return parse_escape(s, pos);
    }
    let (c, next) = next_rune(s, pos);
    Ok((u32::from(c), next))
}

// ---- Hir ------------------------------------------------------------------------------------

fn look(l: Look) -> Hir {
    Hir::look(l)
}

fn class_hir(c: ClassUnicode) -> Hir {
    Hir::class(Class::Unicode(c))
}

/// Translate a parse tree into a `Hir`. Recursion is bounded by Go's height limit (1000).
fn to_hir(n: &Node) -> Hir {
    let sub = |i: usize| n.subs.get(i).map_or_else(Hir::empty, to_hir);
    let greedy = n.flags & NON_GREEDY == 0;
    let rep =
        |min: u32, max: Option<u32>| Hir::repetition(Repetition { min, max, greedy, sub: Box::new(sub(0)) });
    match &n.kind {
        Kind::NoMatch | Kind::LeftParen(_) | Kind::VerticalBar => Hir::fail(),
        Kind::EmptyMatch => Hir::empty(),
        Kind::Literal { runes, fold } => literal_hir(runes, *fold),
        Kind::Class(c) => class_hir(c.clone()),
        Kind::MergedClass(v) => class_hir(ClassUnicode::new(v.iter().copied())),
        Kind::AnyCharNotNL => class_hir(not_nl_class()),
        Kind::AnyChar => class_hir(full_class()),
        Kind::BeginLine => look(Look::StartLF),
        Kind::EndLine => look(Look::EndLF),
        Kind::BeginText => look(Look::Start),
        Kind::EndText => look(Look::End),
        Kind::WordBoundary => look(Look::WordAscii),
        Kind::NoWordBoundary => look(Look::WordAsciiNegate),
        Kind::Capture(index) => Hir::capture(Capture { index: *index, name: None, sub: Box::new(sub(0)) }),
        Kind::Star => rep(0, None),
        Kind::Plus => rep(1, None),
        Kind::Quest => rep(0, Some(1)),
        Kind::Repeat { min, max } => {
            let min = u32::try_from(*min).unwrap_or(0);
            let max = u32::try_from(*max).ok();
            rep(min, max)
        }
        Kind::Concat => Hir::concat(n.subs.iter().map(to_hir).collect()),
        Kind::Alternate => Hir::alternation(n.subs.iter().map(to_hir).collect()),
    }
}

fn literal_hir(runes: &[u32], fold: bool) -> Hir {
    let mut parts: Vec<Hir> = Vec::new();
    let mut text = String::new();
    for &r in runes {
        let Some(c) = char::from_u32(r) else {
            // A surrogate: Go accepts it, but it never matches valid UTF-8.
            if !text.is_empty() {
                parts.push(Hir::literal(std::mem::take(&mut text).into_bytes()));
            }
            parts.push(class_hir(ClassUnicode::empty()));
            continue;
        };
        if fold {
            let mut cls = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
            cls.case_fold_simple();
            if cls.ranges().len() > 1 || cls.ranges().first().is_some_and(|r| r.start() != r.end()) {
                if !text.is_empty() {
                    parts.push(Hir::literal(std::mem::take(&mut text).into_bytes()));
                }
                parts.push(class_hir(cls));
                continue;
            }
        }
        text.push(c);
    }
    if !text.is_empty() {
        parts.push(Hir::literal(text.into_bytes()));
    }
    Hir::concat(parts)
}
