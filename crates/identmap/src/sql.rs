//! Reading `SET CLUSTER SETTING name = '…';` statements out of a `.sql` file.
//!
//! CockroachDB admins keep their identity map (and the JWT settings) as SQL. This module finds
//! every `SET CLUSTER SETTING` statement, unescapes its string literal (`'…'` with doubled quotes,
//! or `e'…'` with backslash escapes), and keeps a map from each byte of the unescaped value back
//! to the file, so that problems found in the value point at the right place in the file.
//!
//! ```
//! use identmap::sql::{parse_settings, IDENTITY_MAP};
//! let file = "-- maps\nSET CLUSTER SETTING server.identity_map.configuration = 'm a b\nm c ''d''';\n";
//! let parsed = parse_settings(file);
//! assert!(parsed.errors().is_empty());
//! let s = parsed.setting(IDENTITY_MAP).unwrap();
//! assert_eq!(s.text(), Some("m a b\nm c 'd'"));
//! // The `'d'` of the value sits at bytes 10..13 of the value and 80..85 of the file ('' each).
//! let span = s.source_span(identmap::Span::new(10, 13));
//! assert_eq!(&file[span.range()], "''d''");
//! ```

use core::fmt;

use crate::Span;

/// The name of the identity-map setting.
pub const IDENTITY_MAP: &str = "server.identity_map.configuration";

/// One `SET CLUSTER SETTING` statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    name: String,
    name_span: Span,
    statement: Span,
    value: Value,
}

/// The value of a setting.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    /// A string literal: its unescaped text, the literal's span, and for every byte of the text
    /// the file offset it came from (plus one entry for the end).
    Str { text: String, span: Span, offsets: Vec<usize> },
    /// Anything else (`true`, `42`, `DEFAULT`, …), as written.
    Other { raw: String, span: Span },
}

impl Setting {
    /// The setting name, lowercased (`server.identity_map.configuration`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the name is in the file.
    #[must_use]
    pub fn name_span(&self) -> Span {
        self.name_span
    }

    /// The whole statement (without the `;`).
    #[must_use]
    pub fn statement_span(&self) -> Span {
        self.statement
    }

    /// The unescaped text of a string value; `None` for other values.
    #[must_use]
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Str { text, .. } => Some(text),
            Value::Other { .. } => None,
        }
    }

    /// The value as written in the file (a string literal with its quotes, or a keyword/number).
    #[must_use]
    pub fn value_span(&self) -> Span {
        match &self.value {
            Value::Str { span, .. } | Value::Other { span, .. } => *span,
        }
    }

    /// A non-string value as written (`true`, `42`); `None` for a string.
    #[must_use]
    pub fn raw(&self) -> Option<&str> {
        match &self.value {
            Value::Other { raw, .. } => Some(raw),
            Value::Str { .. } => None,
        }
    }

    /// Map a span in the unescaped value to the file. For a non-string value, the value's span.
    #[must_use]
    pub fn source_span(&self, span: Span) -> Span {
        match &self.value {
            Value::Str { offsets, .. } => {
                let at = |i: usize| offsets.get(i).or(offsets.last()).copied().unwrap_or(0);
                if span.is_empty() {
                    Span::empty(at(span.start))
                } else {
                    // The end is one past the source bytes of the last value byte.
                    let last = at(span.end - 1);
                    let next = at(span.end).max(last + 1);
                    Span::new(at(span.start), next)
                }
            }
            Value::Other { span: s, .. } => *s,
        }
    }
}

/// A problem reading the SQL file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlError {
    message: String,
    span: Span,
}

impl SqlError {
    /// What is wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SqlError {}

/// Every `SET CLUSTER SETTING` statement of a file, and every problem found reading them.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    settings: Vec<Setting>,
    errors: Vec<SqlError>,
}

impl Settings {
    /// The statements in file order.
    #[must_use]
    pub fn all(&self) -> &[Setting] {
        &self.settings
    }

    /// The effective value of `name`: the last statement that sets it.
    #[must_use]
    pub fn setting(&self, name: &str) -> Option<&Setting> {
        self.settings.iter().rev().find(|s| s.name == name)
    }

    /// Problems: unterminated literals or comments, bad escapes, statements without a value.
    #[must_use]
    pub fn errors(&self) -> &[SqlError] {
        &self.errors
    }
}

/// Read every `SET CLUSTER SETTING name = value` (or `TO value`) statement of `src`. Other
/// statements and comments (`--`, `/* */`) are skipped. Never fails: problems are collected.
#[must_use]
pub fn parse_settings(src: &str) -> Settings {
    let mut out = Settings::default();
    let mut lx = Lexer { src, pos: 0 };
    loop {
        let tokens = match lx.statement() {
            Ok(Some(t)) => t,
            Ok(None) => break,
            Err(e) => {
                out.errors.push(e);
                break;
            }
        };
        if let Some(setting) = setting_of(src, &tokens, &mut out.errors) {
            out.settings.push(setting);
        }
    }
    out
}

#[derive(Clone, Debug)]
enum Tok {
    Word(Span),
    Str { text: String, offsets: Vec<usize>, span: Span },
    Punct(Span),
}

impl Tok {
    fn span(&self) -> Span {
        match self {
            Tok::Word(s) | Tok::Punct(s) | Tok::Str { span: s, .. } => *s,
        }
    }
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + ahead).copied()
    }

    /// The tokens of the next statement (up to `;` or the end); `None` at the end of input.
    fn statement(&mut self) -> Result<Option<Vec<Tok>>, SqlError> {
        let mut toks = Vec::new();
        loop {
            self.skip_space_and_comments()?;
            let Some(b) = self.peek(0) else {
                return Ok(if toks.is_empty() { None } else { Some(toks) });
            };
            let start = self.pos;
            match b {
                b';' => {
                    self.pos += 1;
                    if toks.is_empty() {
                        continue;
                    }
                    return Ok(Some(toks));
                }
                b'\'' => toks.push(self.string(start, false)?),
                b'e' | b'E' if self.peek(1) == Some(b'\'') => {
                    self.pos += 1;
                    toks.push(self.string(start, true)?);
                }
                b'"' => {
                    let end =
                        self.src[start + 1..].find('"').map(|i| start + 1 + i + 1).ok_or_else(|| {
                            SqlError {
                                message: "unterminated quoted identifier".into(),
                                span: Span::new(start, self.src.len()),
                            }
                        })?;
                    self.pos = end;
                    toks.push(Tok::Word(Span::new(start, end)));
                }
                b if b.is_ascii_alphanumeric()
                    || b == b'_'
                    || b == b'.'
                    || b >= 0x80
                    || b == b'-'
                    || b == b'+' =>
                {
                    let rest = &self.src[start..];
                    let len = rest
                        .find(|c: char| {
                            !(c.is_alphanumeric() || c == '_' || c == '.' || c == '$' || c == '-' || c == '+')
                        })
                        .unwrap_or(rest.len());
                    // `--` inside a word starts a comment.
                    // A word is at least one character (a non-alphanumeric one such as a combining
                    // mark stands alone).
                    let first = rest.chars().next().map_or(1, char::len_utf8);
                    let len = rest[..len].find("--").unwrap_or(len).max(first);
                    self.pos += len;
                    toks.push(Tok::Word(Span::new(start, start + len)));
                }
                _ => {
                    let len = self.src[start..].chars().next().map_or(1, char::len_utf8);
                    self.pos += len;
                    toks.push(Tok::Punct(Span::new(start, start + len)));
                }
            }
        }
    }

    fn skip_space_and_comments(&mut self) -> Result<(), SqlError> {
        loop {
            let rest = &self.src[self.pos..];
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.starts_with("--") {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else if trimmed.starts_with("/*") {
                let start = self.pos;
                let mut depth = 0usize;
                let bytes = self.src.as_bytes();
                loop {
                    match (bytes.get(self.pos), bytes.get(self.pos + 1)) {
                        (Some(b'/'), Some(b'*')) => {
                            depth += 1;
                            self.pos += 2;
                        }
                        (Some(b'*'), Some(b'/')) => {
                            depth -= 1;
                            self.pos += 2;
                            if depth == 0 {
                                break;
                            }
                        }
                        (Some(_), _) => self.pos += 1,
                        (None, _) => {
                            return Err(SqlError {
                                message: "unterminated /* comment".into(),
                                span: Span::new(start, self.src.len()),
                            })
                        }
                    }
                }
            } else {
                return Ok(());
            }
        }
    }

    /// A string literal starting at the quote at `self.pos`; `start` includes an `e` prefix.
    fn string(&mut self, start: usize, escapes: bool) -> Result<Tok, SqlError> {
        let bytes = self.src.as_bytes();
        self.pos += 1;
        let mut text = String::new();
        let mut offsets = Vec::new();
        loop {
            let Some(&b) = bytes.get(self.pos) else {
                return Err(SqlError {
                    message: "unterminated string literal".into(),
                    span: Span::new(start, self.src.len()),
                });
            };
            let at = self.pos;
            if b == b'\'' {
                if bytes.get(at + 1) == Some(&b'\'') {
                    text.push('\'');
                    offsets.push(at);
                    self.pos += 2;
                    continue;
                }
                self.pos += 1;
                offsets.push(at);
                return Ok(Tok::Str { text, offsets, span: Span::new(start, self.pos) });
            }
            if escapes && b == b'\\' {
                let (c, len) = self.escape(at)?;
                let mut buf = [0u8; 4];
                for _ in 0..c.encode_utf8(&mut buf).len() {
                    offsets.push(at);
                }
                text.push(c);
                self.pos = at + len;
                continue;
            }
            let c = self.src[at..].chars().next().unwrap_or('\u{fffd}');
            for i in 0..c.len_utf8() {
                offsets.push(at + i);
            }
            text.push(c);
            self.pos += c.len_utf8();
        }
    }

    /// A backslash escape at `at` in an `e'…'` literal: the character and the escape's length.
    fn escape(&self, at: usize) -> Result<(char, usize), SqlError> {
        let rest = &self.src[at + 1..];
        let bad = |len: usize, what: &str| SqlError {
            message: what.to_string(),
            span: Span::new(at, at + 1 + len),
        };
        let Some(c) = rest.chars().next() else {
            return Err(bad(0, "unterminated string literal"));
        };
        let hex = |n: usize| -> Result<(char, usize), SqlError> {
            let digits: String = rest[1..].chars().take(n).take_while(char::is_ascii_hexdigit).collect();
            if digits.len() != n && (c != 'x' || digits.is_empty()) {
                return Err(bad(1 + digits.len(), "invalid escape: expected hexadecimal digits"));
            }
            let v = u32::from_str_radix(&digits, 16).map_err(|_| bad(1 + digits.len(), "invalid escape"))?;
            let ch = char::from_u32(v)
                .ok_or_else(|| bad(1 + digits.len(), "invalid escape: not a Unicode scalar value"))?;
            Ok((ch, 2 + digits.len()))
        };
        Ok(match c {
            'n' => ('\n', 2),
            't' => ('\t', 2),
            'r' => ('\r', 2),
            'b' => ('\u{8}', 2),
            'f' => ('\u{c}', 2),
            'v' => ('\u{b}', 2),
            'a' => ('\u{7}', 2),
            'x' => hex(2)?,
            'u' => hex(4)?,
            'U' => hex(8)?,
            '0'..='7' => {
                let digits: String = rest.chars().take(3).take_while(|d| ('0'..='7').contains(d)).collect();
                let v =
                    u32::from_str_radix(&digits, 8).map_err(|_| bad(digits.len(), "invalid octal escape"))?;
                (char::from_u32(v).unwrap_or('\u{fffd}'), 1 + digits.len())
            }
            other => (other, 1 + other.len_utf8()),
        })
    }
}

fn setting_of(src: &str, toks: &[Tok], errors: &mut Vec<SqlError>) -> Option<Setting> {
    let word = |i: usize| match toks.get(i) {
        Some(Tok::Word(s)) => Some(src[s.range()].to_ascii_lowercase()),
        _ => None,
    };
    if word(0).as_deref() != Some("set")
        || word(1).as_deref() != Some("cluster")
        || word(2).as_deref() != Some("setting")
    {
        return None;
    }
    let statement = toks[0].span().cover(toks[toks.len() - 1].span());
    let Some(Tok::Word(name_span)) = toks.get(3) else {
        errors
            .push(SqlError { message: "SET CLUSTER SETTING without a setting name".into(), span: statement });
        return None;
    };
    let name = src[name_span.range()].trim_matches('"').to_ascii_lowercase();
    let mut i = 4;
    match toks.get(i) {
        Some(Tok::Punct(s)) if &src[s.range()] == "=" => i += 1,
        Some(Tok::Word(s)) if src[s.range()].eq_ignore_ascii_case("to") => i += 1,
        _ => {
            errors.push(SqlError {
                message: format!("SET CLUSTER SETTING {name}: expected `=` or `TO` and a value"),
                span: statement,
            });
            return None;
        }
    }
    let value = match &toks[i.min(toks.len())..] {
        [Tok::Str { text, offsets, span }] => {
            Value::Str { text: text.clone(), span: *span, offsets: offsets.clone() }
        }
        [] => {
            errors.push(SqlError {
                message: format!("SET CLUSTER SETTING {name}: missing value"),
                span: statement,
            });
            return None;
        }
        rest => {
            let span = rest[0].span().cover(rest[rest.len() - 1].span());
            Value::Other { raw: src[span.range()].to_string(), span }
        }
    };
    Some(Setting { name, name_span: *name_span, statement, value })
}

#[cfg(test)]
mod tests {
    use super::{parse_settings, Setting, IDENTITY_MAP};
    use crate::Span;

    #[test]
    fn a_word_starting_with_a_non_alphanumeric_character_is_not_cut_inside_it() {
        // Found by fuzzing: U+0B3A (a combining mark, not alphanumeric) used to leave the lexer
        // inside the character.
        let src = "SET CLUSTER\u{0B3A}TING x = 'a';\nSET CLUSTER SETTING y = '\u{0B3A}';";
        let parsed = parse_settings(src);
        assert_eq!(parsed.setting("y").and_then(Setting::text), Some("\u{0B3A}"));
        assert!(parsed.setting("x").is_none());
    }

    #[test]
    fn escapes_and_offsets() {
        let src = "set cluster setting server.identity_map.configuration TO e'a\\tb\\n\\x41\\u00e9';";
        let p = parse_settings(src);
        let s = p.setting(IDENTITY_MAP).unwrap();
        assert_eq!(s.text(), Some("a\tb\nAé"));
        assert_eq!(&src[s.source_span(Span::new(1, 2)).range()], "\\t");
        assert_eq!(&src[s.source_span(Span::new(5, 7)).range()], "\\u00e9");
    }

    #[test]
    fn other_statements_comments_and_values() {
        let src = "/* x; */ SELECT 'a;b'; -- SET CLUSTER SETTING x = 'no';\nSET CLUSTER SETTING server.jwt_authentication.enabled = true;";
        let p = parse_settings(src);
        assert!(p.errors().is_empty());
        assert_eq!(p.all().len(), 1);
        assert_eq!(p.all()[0].raw(), Some("true"));
    }

    #[test]
    fn errors_have_spans() {
        let p = parse_settings("SET CLUSTER SETTING a = 'open");
        assert_eq!(p.errors().len(), 1);
        assert_eq!(p.errors()[0].span(), Span::new(24, 29));
        let p = parse_settings("SET CLUSTER SETTING a = e'\\uZZ'");
        assert_eq!(p.errors().len(), 1);
    }
}
