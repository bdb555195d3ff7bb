//! The dialects' regex syntax trees, for analyses outside the core (the linter).
//!
//! Each dialect's translator turns a pattern into a `regex_syntax::hir::Hir` that means exactly
//! what the target database means by it (Go's RE2 for the cockroach dialect, PostgreSQL's ARE
//! matched byte-wise for the postgres dialect). This module hands those trees out, so that a
//! caller can decide properties of a pattern (anchoring, emptiness, language inclusion) with
//! `regex-automata` instead of reading the pattern text.
//!
//! ```
//! use identmap::cockroach::CaseMode;
//! use identmap::syntax;
//!
//! let p = syntax::go("^(.*)@example\\.com$", CaseMode::Insensitive).unwrap();
//! assert_eq!(p.groups(), 1);
//! assert!(p.hir().properties().look_set_prefix().contains(regex_syntax::hir::Look::Start));
//!
//! let e = syntax::go("^([9-0]*)$", CaseMode::Sensitive).unwrap_err();
//! assert_eq!(e.span(), identmap::Span::new(3, 6));
//! assert!(e.message().contains("invalid character class range"));
//! ```

use core::fmt;

use regex_syntax::hir::Hir;

use crate::cockroach::CaseMode;
use crate::regex::{are, go};
use crate::Span;

/// A translated pattern: its syntax tree and its number of capture groups.
#[derive(Clone, Debug)]
pub struct Pattern {
    hir: Hir,
    groups: usize,
}

impl Pattern {
    /// The syntax tree. Capture group indices are the dialect's (group 1 is the one `\1` names).
    #[must_use]
    pub fn hir(&self) -> &Hir {
        &self.hir
    }

    /// The number of capture groups.
    #[must_use]
    pub fn groups(&self) -> usize {
        self.groups
    }
}

/// A pattern the dialect rejects: the engine's message and where in the pattern text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    message: String,
    span: Span,
}

impl SyntaxError {
    /// The engine's message (Go: `error parsing regexp: …`; ARE: the reason).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Byte span in the pattern text given.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// A cockroach regex (the system-identity text after its `/`) as CockroachDB compiles it in
/// `case` mode: in [`CaseMode::Insensitive`] with a `(?i)` prefix.
///
/// # Errors
/// Go's rejection, with the span mapped back into `pattern`.
pub fn go(pattern: &str, case: CaseMode) -> Result<Pattern, SyntaxError> {
    let prefix = if case == CaseMode::Insensitive { "(?i)" } else { "" };
    let full = format!("{prefix}{pattern}");
    match go::parse(&full) {
        Ok(p) => Ok(Pattern { hir: p.hir, groups: p.groups }),
        Err(e) => {
            let s = e.span.start.saturating_sub(prefix.len()).min(pattern.len());
            let t = e.span.end.saturating_sub(prefix.len()).clamp(s, pattern.len());
            Err(SyntaxError { message: e.to_string(), span: Span::new(s, t) })
        }
    }
}

/// A cockroach literal system identity as CockroachDB compiles it: `^QuoteMeta(literal)$`, with
/// `(?i)` in [`CaseMode::Insensitive`].
#[must_use]
pub fn go_literal(literal: &str, case: CaseMode) -> Pattern {
    let mut quoted = String::with_capacity(literal.len() * 2 + 2);
    quoted.push('^');
    for c in literal.chars() {
        if matches!(c, '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('$');
    match go(&quoted, case) {
        Ok(p) => p,
        // QuoteMeta output always parses; a pathological size is the only way here, and an
        // exact literal of the same text is then the same language.
        Err(_) => Pattern {
            hir: Hir::concat(vec![
                Hir::look(regex_syntax::hir::Look::Start),
                Hir::literal(literal.as_bytes()),
                Hir::look(regex_syntax::hir::Look::End),
            ]),
            groups: 0,
        },
    }
}

/// A postgres regex (the token text after its `/`) as PostgreSQL's ARE engine reads it.
#[derive(Clone, Debug)]
pub struct ArePattern {
    hir: Option<Hir>,
    groups: usize,
    unsupported: Option<(String, Span)>,
    capture_risk: Option<(String, Span)>,
    prefers_shortest: bool,
}

impl ArePattern {
    /// The byte-oriented syntax tree, or `None` when identmap cannot evaluate the pattern
    /// faithfully (see [`ArePattern::unsupported`]).
    #[must_use]
    pub fn hir(&self) -> Option<&Hir> {
        self.hir.as_ref()
    }

    /// The number of capture groups.
    #[must_use]
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// The construct identmap cannot evaluate, and where it is in the pattern.
    #[must_use]
    pub fn unsupported(&self) -> Option<(&str, Span)> {
        self.unsupported.as_ref().map(|(s, sp)| (s.as_str(), *sp))
    }

    /// Why group 1 may capture different text under ARE's rules than leftmost-first.
    #[must_use]
    pub fn capture_risk(&self) -> Option<(&str, Span)> {
        self.capture_risk.as_ref().map(|(s, sp)| (s.as_str(), *sp))
    }

    /// ARE's whole-pattern preference is the shortest match (its first quantifier is
    /// non-greedy).
    #[must_use]
    pub fn prefers_shortest(&self) -> bool {
        self.prefers_shortest
    }
}

/// Translate a postgres regex (without its leading `/`).
///
/// ```
/// let p = identmap::syntax::are("^(a+)$").unwrap();
/// assert!(p.hir().is_some() && p.groups() == 1);
/// assert!(identmap::syntax::are("^(a)\\1$").unwrap().unsupported().is_some());
/// assert!(identmap::syntax::are("(").is_err());
/// ```
///
/// # Errors
/// PostgreSQL's rejection (its reason, e.g. `parentheses () not balanced`).
pub fn are(pattern: &str) -> Result<ArePattern, SyntaxError> {
    let p = are::parse(pattern.as_bytes())
        .map_err(|e| SyntaxError { message: e.reason.to_string(), span: e.span })?;
    Ok(ArePattern {
        hir: p.hir,
        groups: p.groups,
        unsupported: p.unsupported.map(|u| (u.construct, u.span)),
        capture_risk: p.capture_risk.map(|u| (u.construct, u.span)),
        prefers_shortest: p.prefers_shortest,
    })
}
