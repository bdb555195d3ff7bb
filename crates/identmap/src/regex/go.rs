//! Go `regexp/syntax` (as of Go 1.27, Perl flags) translated to a `regex_syntax` `Hir`.
//!
//! Interface contract (implemented by the Go-regex work item):
//! * [`parse`] accepts exactly what Go's `regexp.Compile` accepts, and the `Hir` matches exactly
//!   as Go matches (leftmost-first; ASCII `\d \w \s \b`; `(?i)` simple case folding; …).
//! * On rejection it returns a [`GoError`] whose `Display` is Go's own text:
//!   ``error parsing regexp: <code>: `<fragment>` ``.

use core::fmt;

use regex_syntax::hir::Hir;

use crate::Span;

/// A translated Go pattern.
#[derive(Clone, Debug)]
pub(crate) struct GoRegex {
    /// The pattern as a Unicode (`utf8`) `Hir`. Capture group indices are Go's.
    pub(crate) hir: Hir,
    /// Number of capture groups (Go's `NumSubexp`).
    pub(crate) groups: usize,
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

/// Parse `pattern` with Go's syntax and flags (Perl flags, as `regexp.Compile`).
pub(crate) fn parse(pattern: &str) -> Result<GoRegex, GoError> {
    // Placeholder until the Go translator lands: defer to regex-syntax.
    let hir = regex_syntax::ParserBuilder::new().build().parse(pattern).map_err(|e| GoError {
        code: "invalid or unsupported syntax",
        fragment: e.to_string(),
        span: Span::new(0, pattern.len()),
    })?;
    let groups = hir.properties().explicit_captures_len();
    Ok(GoRegex { hir, groups })
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
pub(crate) fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
