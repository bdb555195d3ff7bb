//! The PostgreSQL dialect: `pg_ident.conf` as PostgreSQL 15 and 16+ read, load and match it.
//!
//! * [`IdentFile::load`] reads a file and everything it includes (`@file`, and in 16+ `include`,
//!   `include_if_exists`, `include_dir`) through a [`FileResolver`], tokenizes it exactly as the
//!   server does (line continuation, quotes, commas, comments), parses the map lines and compiles
//!   their regexes. Every problem is collected with its file, line and byte span; valid lines are
//!   kept.
//! * [`IdentFile::view`] gives the rows of the `pg_ident_file_mappings` view.
//! * [`IdentFile::check`] decides whether a system user may log in as a requested role, with the
//!   server's log lines and a per-line explanation.
//! * [`Matcher`] makes the same decision from an index: only the lines that can stop the scan
//!   for this system user are tried.
//!
//! Where identmap cannot be sure it answers as PostgreSQL would, it says so: regex constructs the
//! ARE translator cannot evaluate (back-references in the pattern, lookaround, …) and captures
//! whose text may differ under ARE's longest/shortest rules give [`Decision::Unsupported`] when a
//! check reaches them. Not modelled: the LOG lines the server prints while loading, and 15's
//! behaviour on endlessly nested `@file`s (identmap stops at depth 10, as 16+ does).
//!
//! ```
//! use identmap::postgres::{Decision, IdentFile, Roles, Version};
//!
//! let file = IdentFile::parse_str("m alice alice_db  # a comment\nm bob, carol x\n", Version::V16);
//! assert_eq!(file.map_lines().count(), 1);
//! let err = file.errors().next().unwrap();
//! assert_eq!(err.message(), "multiple values in ident field");
//! assert_eq!(err.location().line(), 2);
//!
//! // A file with an error loads nothing at server start.
//! let ok = IdentFile::parse_str("m alice alice_db\n", Version::V16);
//! let roles = Roles::new();
//! let check = ok.check("m", "alice", "alice_db", false, &roles);
//! assert_eq!(check.decision(), &Decision::Allow);
//! let check = ok.check("m", "alice", "bob", false, &roles);
//! assert_eq!(check.decision(), &Decision::Deny);
//! assert_eq!(check.log(), ["no match in usermap \"m\" for user \"bob\" authenticated as \"alice\""]);
//! ```

use core::fmt;
use std::sync::Arc;

use crate::Span;

mod check;
mod files;
mod load;
mod matcher;
mod parse;
mod read;
#[cfg(test)]
mod tests;

pub use check::{Check, Decision, Roles, StepResult, TraceStep};
pub use files::{FileError, FileErrorKind, FileResolver, MemoryFiles};
pub use matcher::Matcher;
pub use parse::{IdentFile, Line, MapLine, Regex, ViewRow};

/// The PostgreSQL major version whose behaviour to reproduce. 16, 17 and 18 behave identically.
///
/// ```
/// use identmap::postgres::Version;
/// assert_eq!(Version::from_major(17), Some(Version::V17));
/// assert_eq!(Version::from_major(14), None);
/// assert!(Version::V16.has_includes() && !Version::V15.has_includes());
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// PostgreSQL 15: no include directives, a literal database-user field, 10239-byte tokens.
    V15,
    /// PostgreSQL 16: includes, `all` / `+role` / `/regex` in the database-user field.
    V16,
    /// PostgreSQL 17 (as 16).
    V17,
    /// PostgreSQL 18 (as 16).
    V18,
}

impl Version {
    /// The version for a major number (15 to 18).
    #[must_use]
    pub fn from_major(major: u64) -> Option<Version> {
        match major {
            15 => Some(Version::V15),
            16 => Some(Version::V16),
            17 => Some(Version::V17),
            18 => Some(Version::V18),
            _ => None,
        }
    }

    /// The major version number.
    #[must_use]
    pub fn major(self) -> u32 {
        match self {
            Version::V15 => 15,
            Version::V16 => 16,
            Version::V17 => 17,
            Version::V18 => 18,
        }
    }

    /// Whether this version has `include` directives, database-user keywords, and the 16+ view
    /// columns (`map_number`, `file_name`).
    #[must_use]
    pub fn has_includes(self) -> bool {
        self != Version::V15
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.major())
    }
}

/// Where something is: a file (its path as PostgreSQL names it), a 1-based line number (the first
/// physical line of a continued line) and a byte span into that file's text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    file: Arc<str>,
    line: usize,
    span: Span,
}

impl Location {
    /// The file's path.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The 1-based line number.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The byte span in the file's text.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One token: its dequoted text, whether it was quoted (its first character was `"`), and where
/// it is. Tokens from an `@file` point into that file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    text: String,
    quoted: bool,
    location: Location,
}

impl Token {
    /// The dequoted text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the token started with a quote (which turns off keyword meaning in 16+).
    #[must_use]
    pub fn is_quoted(&self) -> bool {
        self.quoted
    }

    /// Where the token is.
    #[must_use]
    pub fn location(&self) -> &Location {
        &self.location
    }
}

/// One field of a line: comma-separated tokens (after `@file` expansion), and its span in the
/// line's file.
#[derive(Clone, Debug)]
pub struct Field {
    pub(crate) tokens: Vec<Token>,
    pub(crate) span: Span,
}

impl Field {
    /// The tokens.
    #[must_use]
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The span of the field in the file of its line.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }
}

/// The kind of a [`LoadError`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadErrorKind {
    /// `missing entry at end of line`: fewer than three fields.
    MissingEntry,
    /// `multiple values in ident field`: a field with more than one token.
    MultipleValues,
    /// `invalid regular expression "…": …`.
    InvalidRegex,
    /// `authentication file token too long` (15).
    TokenTooLong,
    /// An included or `@` file does not exist.
    FileNotFound,
    /// An included or `@` file or directory cannot be opened for another reason.
    CannotOpen,
    /// `maximum nesting depth exceeded`.
    NestingTooDeep,
    /// identmap does not read an included or `@` file ([`FileErrorKind::Refused`]): not the
    /// server's error; a check that needs the file answers unsupported.
    Refused,
}

/// A problem on one line, as PostgreSQL reports it (the `error` column of the view). Opaque.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    kind: LoadErrorKind,
    message: String,
    location: Location,
}

impl LoadError {
    /// What kind of problem.
    #[must_use]
    pub fn kind(&self) -> LoadErrorKind {
        self.kind
    }

    /// The message exactly as PostgreSQL prints it.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The file and line of the row the error is reported on, and the span of the offending part
    /// (a token, a field, or the end of the line).
    #[must_use]
    pub fn location(&self) -> &Location {
        &self.location
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for LoadError {}

/// A file that was read while loading: the main file, `@` files and included files.
#[derive(Clone, Debug)]
pub struct SourceFile {
    path: Arc<str>,
    text: String,
}

impl SourceFile {
    /// The path.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The text (spans point into it).
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}
