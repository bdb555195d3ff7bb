//! PostgreSQL's ARE (Henry Spencer's advanced regular expressions), as `pg_ident.conf` regexes are
//! compiled (`REG_ADVANCED`, C collation) and matched (byte-wise), translated to a byte-oriented
//! `Hir`.
//!
//! Interface contract (implemented by the ARE work item): see [`parse`].

use core::fmt;

use regex_syntax::hir::Hir;

use crate::Span;

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
    pub(crate) capture_risk: Option<Unsupported>,
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

/// Parse an ARE pattern (the field text after the leading `/`).
pub(crate) fn parse(pattern: &[u8]) -> Result<AreRegex, AreError> {
    // Placeholder until the ARE translator lands.
    let _ = pattern;
    Err(AreError { reason: "not yet implemented", span: Span::new(0, pattern.len()) })
}
