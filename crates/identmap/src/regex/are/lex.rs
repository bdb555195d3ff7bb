//! The tokenizer: the lexical contexts of Spencer's ARE scanner (main text, bound, bracket,
//! collating element / equivalence class / character class names, literal string), one token of
//! look-ahead, errors in the order the PostgreSQL engine raises them.

use super::{err, AreError, Cc};

pub(super) const EPAREN: &str = "parentheses () not balanced";
pub(super) const EBRACK: &str = "brackets [] not balanced";
pub(super) const ESUBREG: &str = "invalid backreference number";
pub(super) const BADRPT: &str = "quantifier operand invalid";
pub(super) const EESCAPE: &str = "invalid escape \\ sequence";
pub(super) const BADOPT: &str = "invalid embedded option";
pub(super) const ECTYPE: &str = "invalid character class";
pub(super) const BADBR: &str = "invalid repetition count(s)";
pub(super) const ERANGE: &str = "invalid character range";
pub(super) const EBRACE: &str = "braces {} not balanced";
pub(super) const ECOLLATE: &str = "invalid collating element";
pub(super) const BADPAT: &str = "invalid regexp (reg version 0.8)";
pub(super) const ASSERT: &str = "\"can't happen\" -- you found a bug";

/// The largest character value the engine accepts from `\x`, `\u`, `\U` escapes.
const CHR_MAX: u32 = 0x7fff_fffe;

/// Lookaround kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum La {
    AheadPos,
    AheadNeg,
    BehindPos,
    BehindNeg,
}

/// One token. Character values are the engine's `chr`s: one per pattern byte, but escapes can
/// name values above 255 (which no byte of a SQL_ASCII haystack can match).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    /// No token yet (start of the pattern).
    Empty,
    Eos,
    Plain(u32),
    Bar,
    /// `*`, `+`, `?`; the flag is greediness.
    Star(bool),
    Plus(bool),
    Quest(bool),
    /// `{` starting a bound.
    LBrace,
    /// `(` (capturing) or `(?:` (not).
    LParen(bool),
    Lacon(La),
    RParen,
    /// `[` or `[^` (negated).
    LBracket(bool),
    Dot,
    Caret,
    Dollar,
    SBegin,
    SEnd,
    WordStart,
    WordEnd,
    WBdry,
    NWBdry,
    ClassS(Cc),
    ClassC(Cc),
    Backref(u32),
    // Bound context.
    Digit(u32),
    Comma,
    /// `}`; the flag is greediness (`}?` is non-greedy).
    RBrace(bool),
    // Bracket context.
    RBracket,
    Range,
    CollEl,
    EClass,
    CClass,
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ctx {
    Ere,
    Bound,
    Brack,
    Cel,
    Ecl,
    Ccl,
    Quote,
}

pub(super) struct Lexer<'a> {
    pub(super) pat: &'a [u8],
    pub(super) pos: usize,
    pub(super) ctx: Ctx,
    /// ARE extensions (`REG_ADVF`); off in ERE mode (`(?e)`).
    pub(super) advf: bool,
    /// Basic-RE syntax (`(?b)`).
    pub(super) bre: bool,
    pub(super) expanded: bool,
    pub(super) cur: Tok,
    /// Where `cur` starts.
    pub(super) start: usize,
    last: Tok,
    /// Capturing groups opened so far (for the back-reference heuristic).
    pub(super) nsubexp: u32,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn digit_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'a'..=b'f' => Some(u32::from(c - b'a') + 10),
        b'A'..=b'F' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

impl<'a> Lexer<'a> {
    pub(super) fn new(pat: &'a [u8], pos: usize, ctx: Ctx, advf: bool, expanded: bool) -> Self {
        Lexer {
            pat,
            pos,
            ctx,
            advf,
            bre: false,
            expanded,
            cur: Tok::Empty,
            start: pos,
            last: Tok::Empty,
            nsubexp: 0,
        }
    }

    fn eos(&self) -> bool {
        self.pos >= self.pat.len()
    }

    fn peek(&self) -> Option<u8> {
        self.pat.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.pat.get(self.pos + k).copied()
    }

    fn error(&self, reason: &'static str) -> AreError {
        err(reason, self.start, self.pos)
    }

    fn skip(&mut self) {
        loop {
            while self.peek().is_some_and(is_space) {
                self.pos += 1;
            }
            if self.peek() != Some(b'#') {
                break;
            }
            while self.peek().is_some_and(|c| c != b'\n') {
                self.pos += 1;
            }
        }
    }

    /// A trailing `?` making the preceding quantifier non-greedy (AREs only). Returns greediness.
    fn greedy(&mut self) -> bool {
        if self.advf && self.peek() == Some(b'?') {
            self.pos += 1;
            false
        } else {
            true
        }
    }

    /// Advance to the next token.
    pub(super) fn next(&mut self) -> Result<(), AreError> {
        loop {
            self.last = self.cur;
            if self.expanded && matches!(self.ctx, Ctx::Ere | Ctx::Bound) {
                self.skip();
            }
            self.start = self.pos;
            let Some(c) = self.peek() else {
                return match self.ctx {
                    Ctx::Ere | Ctx::Quote => {
                        self.cur = Tok::Eos;
                        Ok(())
                    }
                    Ctx::Bound => Err(self.error(EBRACE)),
                    Ctx::Brack | Ctx::Cel | Ctx::Ecl | Ctx::Ccl => Err(self.error(EBRACK)),
                };
            };
            self.pos += 1;
            let tok = match self.ctx {
                Ctx::Quote => Tok::Plain(u32::from(c)),
                Ctx::Bound => match c {
                    b'0'..=b'9' => Tok::Digit(u32::from(c - b'0')),
                    b',' => Tok::Comma,
                    b'}' if !self.bre => {
                        self.ctx = Ctx::Ere;
                        Tok::RBrace(self.greedy())
                    }
                    b'\\' if self.bre && self.peek() == Some(b'}') => {
                        self.pos += 1;
                        self.ctx = Ctx::Ere;
                        Tok::RBrace(true)
                    }
                    _ => return Err(self.error(BADBR)),
                },
                Ctx::Brack => self.bracket_token(c)?,
                Ctx::Cel | Ctx::Ecl | Ctx::Ccl => {
                    let closer = match self.ctx {
                        Ctx::Cel => b'.',
                        Ctx::Ecl => b'=',
                        _ => b':',
                    };
                    if c == closer && self.peek() == Some(b']') {
                        self.pos += 1;
                        self.ctx = Ctx::Brack;
                        Tok::End
                    } else {
                        Tok::Plain(u32::from(c))
                    }
                }
                Ctx::Ere if self.bre => self.bre_token(c)?,
                Ctx::Ere => match self.ere_token(c)? {
                    Some(t) => t,
                    None => continue, // a (?#...) comment
                },
            };
            self.cur = tok;
            return Ok(());
        }
    }

    fn bracket_token(&mut self, c: u8) -> Result<Tok, AreError> {
        Ok(match c {
            b']' => {
                if matches!(self.last, Tok::LBracket(_)) {
                    Tok::Plain(u32::from(c))
                } else {
                    self.ctx = Ctx::Ere;
                    Tok::RBracket
                }
            }
            b'\\' if self.advf => {
                if self.eos() {
                    return Err(self.error(EESCAPE));
                }
                match self.escape()? {
                    t @ (Tok::Plain(_) | Tok::ClassS(_) | Tok::ClassC(_)) => t,
                    _ => return Err(self.error(EESCAPE)),
                }
            }
            b'-' => {
                if matches!(self.last, Tok::LBracket(_)) || self.peek() == Some(b']') {
                    Tok::Plain(u32::from(c))
                } else {
                    Tok::Range
                }
            }
            b'[' => {
                let Some(d) = self.peek() else {
                    return Err(self.error(EBRACK));
                };
                match d {
                    b'.' => {
                        self.pos += 1;
                        self.ctx = Ctx::Cel;
                        Tok::CollEl
                    }
                    b'=' => {
                        self.pos += 1;
                        self.ctx = Ctx::Ecl;
                        Tok::EClass
                    }
                    b':' => {
                        self.pos += 1;
                        self.ctx = Ctx::Ccl;
                        Tok::CClass
                    }
                    _ => Tok::Plain(u32::from(c)),
                }
            }
            _ => Tok::Plain(u32::from(c)),
        })
    }

    /// A main-context token in basic-RE syntax.
    fn bre_token(&mut self, c: u8) -> Result<Tok, AreError> {
        let at_start = matches!(self.last, Tok::Empty | Tok::LParen(_));
        Ok(match c {
            b'*' if at_start || self.last == Tok::Caret => Tok::Plain(u32::from(c)),
            b'*' => Tok::Star(true),
            b'[' => match self.ere_token(c)? {
                Some(t) => t,
                None => Tok::Plain(u32::from(c)),
            },
            b'.' => Tok::Dot,
            b'^' if at_start => Tok::Caret,
            b'$' => {
                if self.expanded {
                    self.skip();
                }
                if self.eos() || (self.peek() == Some(b'\\') && self.peek_at(1) == Some(b')')) {
                    Tok::Dollar
                } else {
                    Tok::Plain(u32::from(c))
                }
            }
            b'\\' => {
                let Some(d) = self.peek() else {
                    return Err(self.error(EESCAPE));
                };
                self.pos += 1;
                match d {
                    b'{' => {
                        self.ctx = Ctx::Bound;
                        Tok::LBrace
                    }
                    b'(' => Tok::LParen(true),
                    b')' => Tok::RParen,
                    b'<' => Tok::WordStart,
                    b'>' => Tok::WordEnd,
                    b'1'..=b'9' => Tok::Backref(u32::from(d - b'0')),
                    _ => Tok::Plain(u32::from(d)),
                }
            }
            _ => Tok::Plain(u32::from(c)),
        })
    }

    /// A main-context token; `None` for a comment (to be skipped).
    fn ere_token(&mut self, c: u8) -> Result<Option<Tok>, AreError> {
        Ok(Some(match c {
            b'|' => Tok::Bar,
            b'*' => Tok::Star(self.greedy()),
            b'+' => Tok::Plus(self.greedy()),
            b'?' => Tok::Quest(self.greedy()),
            b'{' => {
                if self.expanded {
                    self.skip();
                }
                if self.peek().is_some_and(|d| d.is_ascii_digit()) {
                    self.ctx = Ctx::Bound;
                    Tok::LBrace
                } else {
                    Tok::Plain(u32::from(c))
                }
            }
            b'(' => {
                if self.advf && self.peek() == Some(b'?') {
                    self.pos += 1;
                    let Some(d) = self.peek() else {
                        return Err(self.error(BADRPT));
                    };
                    self.pos += 1;
                    match d {
                        b':' => Tok::LParen(false),
                        b'#' => {
                            while self.peek().is_some_and(|e| e != b')') {
                                self.pos += 1;
                            }
                            if !self.eos() {
                                self.pos += 1;
                            }
                            return Ok(None);
                        }
                        b'=' => Tok::Lacon(La::AheadPos),
                        b'!' => Tok::Lacon(La::AheadNeg),
                        b'<' => {
                            let Some(e) = self.peek() else {
                                return Err(self.error(BADRPT));
                            };
                            self.pos += 1;
                            match e {
                                b'=' => Tok::Lacon(La::BehindPos),
                                b'!' => Tok::Lacon(La::BehindNeg),
                                _ => return Err(self.error(BADRPT)),
                            }
                        }
                        _ => return Err(self.error(BADRPT)),
                    }
                } else {
                    Tok::LParen(true)
                }
            }
            b')' => Tok::RParen,
            b'[' => {
                let word = |k: usize| self.peek_at(k);
                if self.pat.len() - self.pos >= 6
                    && word(0) == Some(b'[')
                    && word(1) == Some(b':')
                    && matches!(word(2), Some(b'<' | b'>'))
                    && word(3) == Some(b':')
                    && word(4) == Some(b']')
                    && word(5) == Some(b']')
                {
                    let start = word(2) == Some(b'<');
                    self.pos += 6;
                    if start {
                        Tok::WordStart
                    } else {
                        Tok::WordEnd
                    }
                } else {
                    self.ctx = Ctx::Brack;
                    if self.peek() == Some(b'^') {
                        self.pos += 1;
                        Tok::LBracket(true)
                    } else {
                        Tok::LBracket(false)
                    }
                }
            }
            b'.' => Tok::Dot,
            b'^' => Tok::Caret,
            b'$' => Tok::Dollar,
            b'\\' => {
                let Some(d) = self.peek() else {
                    return Err(self.error(EESCAPE));
                };
                if self.advf {
                    self.escape()?
                } else {
                    self.pos += 1;
                    Tok::Plain(u32::from(d))
                }
            }
            _ => Tok::Plain(u32::from(c)),
        }))
    }

    /// Digits in `base`, at least `min` and at most `max` of them (wrapping like the engine's
    /// unsigned arithmetic).
    fn digits(&mut self, base: u32, min: usize, max: usize) -> Result<u32, AreError> {
        let mut n: u32 = 0;
        let mut len = 0;
        while len < max {
            let Some(d) = self.peek().and_then(digit_value).filter(|&d| d < base) else {
                break;
            };
            self.pos += 1;
            n = n.wrapping_mul(base).wrapping_add(d);
            len += 1;
        }
        if len < min {
            return Err(self.error(EESCAPE));
        }
        Ok(n)
    }

    /// An ARE escape; the backslash has been eaten and a character follows.
    fn escape(&mut self) -> Result<Tok, AreError> {
        let Some(c) = self.peek() else {
            return Err(self.error(EESCAPE));
        };
        self.pos += 1;
        if !c.is_ascii_alphanumeric() {
            return Ok(Tok::Plain(u32::from(c)));
        }
        Ok(match c {
            b'a' => Tok::Plain(7),
            b'A' => Tok::SBegin,
            b'b' => Tok::Plain(8),
            b'B' => Tok::Plain(u32::from(b'\\')),
            b'c' => {
                let Some(d) = self.peek() else {
                    return Err(self.error(EESCAPE));
                };
                self.pos += 1;
                Tok::Plain(u32::from(d & 0o37))
            }
            b'd' => Tok::ClassS(Cc::Digit),
            b'D' => Tok::ClassC(Cc::Digit),
            b'e' => Tok::Plain(0o33),
            b'f' => Tok::Plain(0x0c),
            b'm' => Tok::WordStart,
            b'M' => Tok::WordEnd,
            b'n' => Tok::Plain(u32::from(b'\n')),
            b'r' => Tok::Plain(u32::from(b'\r')),
            b's' => Tok::ClassS(Cc::Space),
            b'S' => Tok::ClassC(Cc::Space),
            b't' => Tok::Plain(u32::from(b'\t')),
            b'u' | b'U' | b'x' => {
                let (min, max) = match c {
                    b'u' => (4, 4),
                    b'U' => (8, 8),
                    _ => (1, 255),
                };
                let v = self.digits(16, min, max)?;
                if v > CHR_MAX {
                    return Err(self.error(EESCAPE));
                }
                Tok::Plain(v)
            }
            b'v' => Tok::Plain(0x0b),
            b'w' => Tok::ClassS(Cc::Word),
            b'W' => Tok::ClassC(Cc::Word),
            b'y' => Tok::WBdry,
            b'Y' => Tok::NWBdry,
            b'Z' => Tok::SEnd,
            b'1'..=b'9' => {
                let save = self.pos;
                self.pos -= 1;
                let v = self.digits(10, 1, 255)?;
                // Engine heuristic: one digit, or a number not above the groups opened so far.
                #[allow(clippy::cast_possible_wrap)]
                let signed = v as i32;
                #[allow(clippy::cast_possible_wrap)]
                let nsub = self.nsubexp as i32;
                if self.pos == save || (signed > 0 && signed <= nsub) {
                    Tok::Backref(v)
                } else {
                    self.pos = save;
                    self.octal()?
                }
            }
            b'0' => self.octal()?,
            _ => return Err(self.error(EESCAPE)),
        })
    }

    /// An octal escape whose first digit was just consumed.
    fn octal(&mut self) -> Result<Tok, AreError> {
        self.pos -= 1;
        let mut v = self.digits(8, 1, 3)?;
        if v > 0xff {
            self.pos -= 1;
            v >>= 3;
        }
        Ok(Tok::Plain(v))
    }
}
