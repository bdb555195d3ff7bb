//! Byte spans into a source text, and line/column numbers computed on demand.

use core::fmt;
use core::ops::Range;

/// A half-open byte range `start..end` into a source text.
///
/// Every line, field and token the parsers produce carries one, so that a linter or an editor can
/// point at it.
///
/// ```
/// use identmap::Span;
/// let s = Span::new(2, 5);
/// assert_eq!(s.len(), 3);
/// assert_eq!(&"m alice bob"[s.range()], "ali");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (clamped so that `end >= start`).
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Span {
        let end = if end < start { start } else { end };
        Span { start, end }
    }

    /// An empty span at `at`.
    #[must_use]
    pub const fn empty(at: usize) -> Span {
        Span { start: at, end: at }
    }

    /// Length in bytes.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The span as a `Range<usize>`.
    #[must_use]
    pub const fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// This span moved `by` bytes to the right.
    #[must_use]
    pub const fn shift(&self, by: usize) -> Span {
        Span { start: self.start + by, end: self.end + by }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Line starts of a text, for turning byte offsets into 1-based line and column numbers.
///
/// Lines end at `\n` only (a lone `\r` does not end a line), as in both dialects.
///
/// ```
/// use identmap::LineIndex;
/// let idx = LineIndex::new("a b c\nd e f\n");
/// assert_eq!(idx.line_col(7), (2, 2));
/// assert_eq!(idx.line_count(), 3);
/// ```
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Index the line starts of `text`.
    #[must_use]
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr_iter(text.as_bytes()).map(|i| i + 1));
        LineIndex { starts, len: text.len() }
    }

    /// Number of lines (a text ending in `\n` has an empty last line).
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line of a byte offset (offsets past the end give the last line).
    #[must_use]
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset.min(self.len)) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// 1-based line and 1-based byte column of a byte offset.
    #[must_use]
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        (line, offset.min(self.len) - self.starts[line - 1] + 1)
    }

    /// Byte span of 1-based line `line`, without its `\n`; `None` past the end.
    #[must_use]
    pub fn line_span(&self, line: usize) -> Option<Span> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).map_or(self.len, |next| next - 1);
        Some(Span::new(start, end))
    }
}

fn memchr_iter(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i)
}
