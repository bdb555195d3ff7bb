//! Reading a file the way PostgreSQL's `tokenize_auth_file` does: physical lines, backslash
//! continuation, blanks, comments, and the tokenizer of `next_token` (fields of comma-separated
//! tokens, quotes and the quoted flag, 15's token length limit).
//!
//! Everything here works on bytes and keeps byte offsets into the source text.

use nom::bytes::complete::{take_till, take_while};
use nom::IResult;

use crate::Span;

/// PostgreSQL 15's `MAX_TOKEN` − 1: the longest token 15 accepts.
pub(crate) const MAX_TOKEN_15: usize = 10239;

/// One logical line: physical lines joined by backslash continuation, with trailing CR/LF removed.
#[derive(Debug)]
pub(crate) struct JoinedLine {
    /// The joined text.
    pub(crate) text: Vec<u8>,
    /// `(offset in text, offset in source)` of every physical piece, ascending.
    segments: Vec<(usize, usize)>,
    /// 1-based number of the first physical line.
    pub(crate) line_number: usize,
    /// From the start of the first physical line to the end of the last one (without CR/LF).
    pub(crate) span: Span,
}

impl JoinedLine {
    /// Source offset of byte `off` of the joined text.
    fn source_offset(&self, off: usize) -> usize {
        let idx = match self.segments.binary_search_by(|(b, _)| b.cmp(&off)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        self.segments.get(idx).map_or(self.span.start, |&(b, s)| s + off.saturating_sub(b))
    }

    /// Source span of `start..end` of the joined text.
    pub(crate) fn source_span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let at = self.source_offset(start);
            return Span::empty(at.min(self.span.end));
        }
        Span::new(self.source_offset(start), self.source_offset(end - 1) + 1)
    }

    /// An empty source span at the end of the line.
    pub(crate) fn end_span(&self) -> Span {
        Span::empty(self.span.end)
    }
}

/// Split `src` into logical lines exactly as `tokenize_auth_file` reads them.
pub(crate) fn joined_lines(src: &str) -> JoinedLines<'_> {
    JoinedLines { src: src.as_bytes(), pos: 0, line_number: 1 }
}

/// Iterator over the logical lines of a text.
pub(crate) struct JoinedLines<'a> {
    src: &'a [u8],
    pos: usize,
    line_number: usize,
}

impl Iterator for JoinedLines<'_> {
    type Item = JoinedLine;

    fn next(&mut self) -> Option<JoinedLine> {
        if self.pos >= self.src.len() {
            return None;
        }
        let start = self.pos;
        let mut text: Vec<u8> = Vec::new();
        let mut segments = Vec::new();
        let mut last_backslash_len = 0usize;
        let mut continuations = 0usize;
        let mut end = start;
        while self.pos < self.src.len() {
            // pg_get_line_append: up to and including the next '\n'.
            let rest = &self.src[self.pos..];
            let piece_len = rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |i| i + 1);
            let before = text.len();
            segments.push((before, self.pos));
            text.extend_from_slice(&rest[..piece_len]);
            let mut content_end = self.pos + piece_len;
            while content_end > self.pos && matches!(self.src[content_end - 1], b'\n' | b'\r') {
                content_end -= 1;
            }
            end = content_end;
            self.pos += piece_len;
            // pg_strip_crlf works on strlen(): a NUL byte ends the buffer.
            // (The text before this piece holds no NUL: it was cut at the first one.)
            let mut len = text[before..].iter().position(|&b| b == 0).map_or(text.len(), |i| before + i);
            while len > 0 && matches!(text[len - 1], b'\n' | b'\r') {
                len -= 1;
            }
            text.truncate(len);
            if len > last_backslash_len && text.last() == Some(&b'\\') {
                text.pop();
                last_backslash_len = text.len();
                continuations += 1;
                continue;
            }
            break;
        }
        segments.retain(|&(b, _)| b < text.len() || b == 0);
        let line = JoinedLine { text, segments, line_number: self.line_number, span: Span::new(start, end) };
        self.line_number += continuations + 1;
        Some(line)
    }
}

/// PostgreSQL's `pg_isblank`: space, tab, CR. (A joined line holds no LF.)
pub(crate) fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r')
}

/// A token as `next_token` returns it, with offsets into the joined line.
#[derive(Debug, Clone)]
pub(crate) struct RawToken {
    /// Dequoted text.
    pub(crate) text: Vec<u8>,
    /// Whether a quote came before any text (`initial_quote`).
    pub(crate) quoted: bool,
    /// Offsets into the joined line.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// What one call of `next_token` found.
#[derive(Debug)]
pub(crate) enum Next {
    /// A token, and whether an unquoted comma ended it.
    Token(RawToken, bool),
    /// Nothing more on the line (end of line or a comment).
    End,
    /// 15 only: a token reached the length limit; the rest of the line is discarded. The offset is
    /// where the token started.
    TooLong(usize),
}

fn separators(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(|c| is_blank(c) || c == b',')(i)
}

fn plain_run(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_till(|c| is_blank(c) || c == b',' || c == b'#' || c == b'"')(i)
}

fn quoted_run(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_till(|c| c == b'"')(i)
}

/// `next_token`: read one token of `line` starting at `pos`. Returns what was found and the
/// position after it (the character that ended the token is not consumed, except a comma).
pub(crate) fn next_token(line: &[u8], pos: usize, limit: Option<usize>) -> (Next, usize) {
    let input = line.get(pos..).unwrap_or(&[]);
    let Ok((rest, _)) = separators(input) else {
        return (Next::End, line.len());
    };
    let start = line.len() - rest.len();
    let mut i = start;
    let mut buf: Vec<u8> = Vec::new();
    let mut in_quote = false;
    let mut was_quote = false;
    let mut saw_quote = false;
    let mut initial_quote = false;
    let mut last = start;
    let mut comma = false;
    while i < line.len() {
        let c = line[i];
        if is_blank(c) && !in_quote {
            break;
        }
        if c == b'#' && !in_quote {
            i = line.len();
            break;
        }
        // Fast path: a run of ordinary bytes.
        if c != b'"' && c != b',' {
            let run = if in_quote { quoted_run(&line[i..]) } else { plain_run(&line[i..]) };
            let run_len = run.map_or(1, |(_, r)| r.len().max(1));
            if let Some(max) = limit {
                if buf.len() + run_len > max {
                    return (Next::TooLong(start), line.len());
                }
            }
            buf.extend_from_slice(&line[i..i + run_len]);
            was_quote = false;
            i += run_len;
            last = i;
            continue;
        }
        if let Some(max) = limit {
            if buf.len() >= max {
                return (Next::TooLong(start), line.len());
            }
        }
        if c == b',' && !in_quote {
            comma = true;
            i += 1;
            break;
        }
        if c != b'"' || was_quote {
            buf.push(c);
        }
        if in_quote && c == b'"' {
            was_quote = !was_quote;
        } else {
            was_quote = false;
        }
        if c == b'"' {
            in_quote = !in_quote;
            saw_quote = true;
            if buf.is_empty() {
                initial_quote = true;
            }
        }
        i += 1;
        last = i;
    }
    if saw_quote || !buf.is_empty() {
        (Next::Token(RawToken { text: buf, quoted: initial_quote, start, end: last }, comma), i)
    } else {
        (Next::End, i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &str) -> Vec<(usize, String)> {
        joined_lines(src).map(|l| (l.line_number, String::from_utf8_lossy(&l.text).into_owned())).collect()
    }

    fn tokens(line: &str, limit: Option<usize>) -> Vec<(String, bool, bool)> {
        let b = line.as_bytes();
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            match next_token(b, pos, limit) {
                (Next::Token(t, comma), p) => {
                    out.push((String::from_utf8_lossy(&t.text).into_owned(), t.quoted, comma));
                    pos = p;
                }
                (Next::End, _) => break,
                (Next::TooLong(_), _) => {
                    out.push(("<too long>".into(), false, false));
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn continuation() {
        assert_eq!(lines("ali\\\nce x\nb"), vec![(1, "alice x".into()), (3, "b".into())]);
        assert_eq!(lines("a\\\\\nb\n"), vec![(1, "a\\b".into())]);
        assert_eq!(lines("a \\\n\nb\n"), vec![(1, "a ".into()), (3, "b".into())]);
        assert_eq!(lines("a\\"), vec![(1, "a".into())]);
        assert_eq!(lines("a\r\nb\r\n"), vec![(1, "a".into()), (2, "b".into())]);
        assert_eq!(lines("a\\ \nb"), vec![(1, "a\\ ".into()), (2, "b".into())]);
        assert_eq!(lines(""), vec![]);
        assert_eq!(lines("\n\n"), vec![(1, "".into()), (2, "".into())]);
        // A NUL ends the buffer (strlen in pg_strip_crlf).
        assert_eq!(lines("ab\0cd\ne"), vec![(1, "ab".into()), (2, "e".into())]);
    }

    #[test]
    fn continuation_spans() {
        let src = "m ali\\\nce bob\n";
        let l = joined_lines(src).next().unwrap();
        assert_eq!(l.text, b"m alice bob");
        let s = l.source_span(2, 7);
        assert_eq!(&src[s.range()], "ali\\\nce");
        let s = l.source_span(8, 11);
        assert_eq!(&src[s.range()], "bob");
        assert_eq!(&src[l.span.range()], "m ali\\\nce bob");
    }

    #[test]
    fn tokenizer() {
        let t = |s| tokens(s, None);
        assert_eq!(
            t("m alice bob"),
            vec![("m".into(), false, false), ("alice".into(), false, false), ("bob".into(), false, false)]
        );
        assert_eq!(t("alice, bob"), vec![("alice".into(), false, true), ("bob".into(), false, false)]);
        assert_eq!(t("al\"i\"ce"), vec![("alice".into(), false, false)]);
        assert_eq!(t("\"al\"\"ice\""), vec![("al\"ice".into(), true, false)]);
        assert_eq!(t("\"\"\"\""), vec![("\"".into(), true, false)]);
        assert_eq!(t("\"\""), vec![("".into(), true, false)]);
        assert_eq!(t("\"a b"), vec![("a b".into(), true, false)]);
        assert_eq!(t("bob#x y"), vec![("bob".into(), false, false)]);
        assert_eq!(t("\"a#b\" c"), vec![("a#b".into(), true, false), ("c".into(), false, false)]);
        assert_eq!(t(",alice"), vec![("alice".into(), false, false)]);
        assert_eq!(t("\t a\r"), vec![("a".into(), false, false)]);
        assert_eq!(t("# only"), vec![]);
        assert_eq!(t("a\"b c\"d e"), vec![("ab cd".into(), false, false), ("e".into(), false, false)]);
    }

    #[test]
    fn token_limit() {
        let ok = "a".repeat(MAX_TOKEN_15);
        assert_eq!(tokens(&format!("{ok} b"), Some(MAX_TOKEN_15)).len(), 2);
        assert_eq!(tokens(&format!("{ok}a b"), Some(MAX_TOKEN_15))[0].0, "<too long>");
        assert_eq!(tokens(&format!("{ok},b"), Some(MAX_TOKEN_15))[0].0, "<too long>");
        assert_eq!(tokens(&format!("{ok}a b"), None).len(), 2);
    }
}
