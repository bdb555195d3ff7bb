//! The CockroachDB dialect: `server.identity_map.configuration` and the HBA `map=` option.
//!
//! A config is lines of `<map-name> <system-identity> <database-user>`; a system identity starting
//! with `/` is a Go regex (unanchored), any other is an exact literal; the database user may
//! contain `\1`. Two case modes: [`CaseMode::Insensitive`] (current CockroachDB, the default) and
//! [`CaseMode::Sensitive`] (older releases).
//!
//! ```
//! use identmap::cockroach::{Options, Ruleset};
//!
//! let rules = Ruleset::parse("https://idp.example.com /^(.*)@example\\.com$ \\1\n", Options::default())?;
//! let result = rules.map("https://idp.example.com", "Carl@Example.com");
//! assert!(result.map_found());
//! assert_eq!(result.users(), ["carl"]);
//! # Ok::<(), identmap::cockroach::Error>(())
//! ```

mod eval;
mod parse;

use core::fmt;

use regex_automata::nfa::thompson::pikevm::PikeVM;

pub(crate) use eval::jwt_candidates_with;
pub use eval::{hba_error, Explain, MapResult, Step, StepOutcome};

use crate::Span;

/// How identities are compared with patterns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum CaseMode {
    /// Current CockroachDB (after PR #155531): every pattern is compiled with a `(?i)` prefix, and
    /// produced users are de-duplicated on their normalized form.
    #[default]
    Insensitive,
    /// Older releases: patterns are case-sensitive, and de-duplication is on the raw substituted
    /// text (so `A` and `a` can both survive as `a`).
    Sensitive,
}

impl CaseMode {
    /// The name used in records and on the command line: `insensitive` or `sensitive`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            CaseMode::Insensitive => "insensitive",
            CaseMode::Sensitive => "sensitive",
        }
    }
}

impl core::str::FromStr for CaseMode {
    type Err = crate::UnknownName;

    /// `insensitive` or `sensitive`.
    fn from_str(s: &str) -> Result<CaseMode, crate::UnknownName> {
        [CaseMode::Insensitive, CaseMode::Sensitive]
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or(crate::UnknownName)
    }
}

/// Parse options for the cockroach dialect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    case: CaseMode,
    max_nesting: Option<u32>,
}

impl Options {
    /// The default options: case-insensitive (current CockroachDB), Go's own nesting limit.
    #[must_use]
    pub const fn new() -> Options {
        Options { case: CaseMode::Insensitive, max_nesting: None }
    }

    /// Refuse regexes whose parse tree is higher than `levels` (Go's own limit is 1000) with an
    /// [`ErrorKind::TooLarge`] error: identmap's limit, not CockroachDB's. For a small stack (a
    /// browser's), where compiling and analysing a pattern nested hundreds deep overflows it.
    ///
    /// ```
    /// use identmap::cockroach::{ErrorKind, Options, Ruleset};
    ///
    /// let deep = format!("m /{}a{} u", "(?:".repeat(50), ")*".repeat(50));
    /// assert!(Ruleset::parse(&deep, Options::new()).is_ok());
    /// let e = Ruleset::parse(&deep, Options::new().max_nesting(20)).unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::TooLarge);
    /// assert!(!e.is_cockroach_verdict());
    /// # Ok::<(), identmap::cockroach::Error>(())
    /// ```
    #[must_use]
    pub const fn max_nesting(mut self, levels: u32) -> Options {
        self.max_nesting = Some(levels);
        self
    }

    /// The nesting limit set by [`Options::max_nesting`], if any.
    #[must_use]
    pub const fn get_max_nesting(&self) -> Option<u32> {
        self.max_nesting
    }

    /// Set the case mode.
    #[must_use]
    pub const fn case(mut self, case: CaseMode) -> Options {
        self.case = case;
        self
    }

    /// The case mode.
    #[must_use]
    pub const fn get_case(&self) -> CaseMode {
        self.case
    }
}

/// One field of a rule: its text and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    text: String,
    span: Span,
}

impl Field {
    /// The field's text, exactly as written.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its byte span in the source.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }
}

/// What a rule's system-identity field is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    /// An exact, anchored match of the whole identity (compiled as `^QuoteMeta(x)$`).
    Literal,
    /// A Go regex: the text after the leading `/`. Unanchored.
    Regex,
}

/// One rule (one config line) with its compiled pattern.
#[derive(Clone, Debug)]
pub struct Rule {
    line: usize,
    span: Span,
    map_name: Field,
    identity: Field,
    user: Field,
    kind: PatternKind,
    groups: usize,
    substitute_at: Option<usize>,
    matcher: RuleMatcher,
    /// A regex rule's translated pattern (with the case mode's `(?i)`), kept so that the
    /// [`crate::Matcher`] classifies it without parsing it again.
    hir: Option<std::sync::Arc<regex_syntax::hir::Hir>>,
}

/// How a rule's pattern is evaluated by the reference evaluator.
#[derive(Clone, Debug)]
enum RuleMatcher {
    /// A literal in sensitive mode: `^QuoteMeta(x)$` is plain equality.
    Exact(String),
    /// A literal in insensitive mode: `(?i)^QuoteMeta(x)$` is equality of simple-fold keys.
    Folded(String),
    /// A regex.
    Regex(PikeVM),
}

impl Rule {
    /// 1-based physical line number.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// Span of the line's content (after the comment is cut and white space is trimmed).
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }

    /// The map name (the issuer for JWT, or the HBA `map=` value).
    #[must_use]
    pub fn map_name(&self) -> &Field {
        &self.map_name
    }

    /// The system-identity field as written (a regex keeps its leading `/`).
    #[must_use]
    pub fn identity(&self) -> &Field {
        &self.identity
    }

    /// The database-user template as written.
    #[must_use]
    pub fn user(&self) -> &Field {
        &self.user
    }

    /// Literal or regex.
    #[must_use]
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// For a regex rule, the regex text (after the `/`); for a literal, the literal.
    #[must_use]
    pub fn pattern(&self) -> &str {
        match self.kind {
            PatternKind::Regex => &self.identity.text[1..],
            PatternKind::Literal => &self.identity.text,
        }
    }

    /// Number of capture groups in the compiled pattern (Go's `NumSubexp`).
    #[must_use]
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Byte offset in the user template of the first `\1`, the only one substituted.
    #[must_use]
    pub fn substitute_at(&self) -> Option<usize> {
        self.substitute_at
    }

    /// A regex rule's pattern as CockroachDB compiles it, translated (in the case mode's `(?i)`
    /// where insensitive): the syntax tree analyses read. `None` for a literal rule.
    #[must_use]
    pub fn hir(&self) -> Option<&regex_syntax::hir::Hir> {
        self.hir.as_deref()
    }

    /// A regex rule's translated pattern and its compiled PikeVM (the reference evaluator's).
    pub(crate) fn compiled(&self) -> Option<(&regex_syntax::hir::Hir, &PikeVM)> {
        match (&self.hir, &self.matcher) {
            (Some(hir), RuleMatcher::Regex(vm)) => Some((hir, vm)),
            _ => None,
        }
    }
}

/// The kind of a [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The line does not have exactly three fields.
    Fields,
    /// The system-identity regex does not compile in Go.
    Regex,
    /// The user has `\1` but the pattern has no capture group.
    NoSubexpression,
    /// The pattern compiles in Go but is larger (or nests deeper) than identmap's explicit
    /// limits: identmap's refusal, not CockroachDB's.
    TooLarge,
}

/// A problem with one line of a config, with CockroachDB's own message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    line: usize,
    span: Span,
    message: String,
}

impl Error {
    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// 1-based line.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// Span of what is wrong (the field, or the part of a regex Go complains about).
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }

    /// CockroachDB's message, e.g. `unable to parse line 3: "m x"` (for
    /// [`ErrorKind::TooLarge`], identmap's own: `line 3: pattern too large: …`).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether this is CockroachDB's own refusal (it fails `SET CLUSTER SETTING`), rather than
    /// one of identmap's limits on a pattern CockroachDB accepts.
    #[must_use]
    pub fn is_cockroach_verdict(&self) -> bool {
        self.kind != ErrorKind::TooLarge
    }

    /// The one sentence every front end prints for a config that does not load:
    /// `CockroachDB rejects this config: …`, or, for identmap's own limits, `identmap cannot
    /// evaluate this config: … (CockroachDB accepts it)`.
    ///
    /// ```
    /// use identmap::cockroach::{Options, Ruleset};
    /// let e = Ruleset::parse("m x", Options::new()).unwrap_err();
    /// assert_eq!(e.verdict(), "CockroachDB rejects this config: unable to parse line 1: \"m x\"");
    /// ```
    #[must_use]
    pub fn verdict(&self) -> String {
        if self.is_cockroach_verdict() {
            format!("CockroachDB rejects this config: {}", self.message)
        } else {
            format!("identmap cannot evaluate this config: {} (CockroachDB accepts it)", self.message)
        }
    }

    /// A hint for fixing it.
    #[must_use]
    pub fn help(&self) -> &'static str {
        match self.kind {
            ErrorKind::Fields => {
                "a rule is exactly three fields: <map-name> <system-identity> <database-user>; fields cannot contain spaces or quotes, and `#` starts a comment"
            }
            ErrorKind::Regex => "the pattern is a Go (RE2) regular expression",
            ErrorKind::NoSubexpression => {
                "add a capture group `(…)` to the pattern, or remove `\\1` from the user"
            }
            ErrorKind::TooLarge => "simplify the pattern (fewer or smaller repetitions)",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A line CockroachDB silently ignores, and everything after it (the 64 KiB `bufio.Scanner`
/// limit: `From` never checks `scanner.Err()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truncation {
    line: usize,
    span: Span,
    ignored_lines: usize,
}

impl Truncation {
    /// 1-based line of the first ignored line (the one of ≥ 65536 bytes).
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// Span of that line.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }

    /// How many physical lines are ignored, that one included.
    #[must_use]
    pub fn ignored_lines(&self) -> usize {
        self.ignored_lines
    }
}

/// The result of a recovering parse: the rules of every good line, every problem, and the
/// truncation quirk if it applies.
#[derive(Clone, Debug)]
pub struct Parsed {
    ruleset: Ruleset,
    errors: Vec<Error>,
    truncation: Option<Truncation>,
}

impl Parsed {
    /// The rules of the lines that parsed (with the errors' lines left out).
    #[must_use]
    pub fn ruleset(&self) -> &Ruleset {
        &self.ruleset
    }

    /// Every problem, in line order. CockroachDB reports only the first and rejects the config.
    #[must_use]
    pub fn errors(&self) -> &[Error] {
        &self.errors
    }

    /// Set when a line of 64 KiB or more makes CockroachDB ignore the rest of the config.
    #[must_use]
    pub fn truncation(&self) -> Option<&Truncation> {
        self.truncation.as_ref()
    }

    /// CockroachDB's verdict: the rules, or the first error.
    ///
    /// # Errors
    /// The first error in line order, as CockroachDB reports it.
    pub fn into_result(self) -> Result<Ruleset, Error> {
        match self.errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(self.ruleset),
        }
    }
}

/// A parsed and compiled identity map.
#[derive(Clone, Debug)]
pub struct Ruleset {
    rules: Vec<Rule>,
    case: CaseMode,
}

impl Ruleset {
    /// Parse `src` as CockroachDB does: the first error rejects the whole config.
    ///
    /// # Errors
    /// The first problem, with CockroachDB's message.
    pub fn parse(src: &str, options: Options) -> Result<Ruleset, Error> {
        parse::parse(src, options).into_result()
    }

    /// Parse `src`, recovering at every line: every problem is reported, and the rules of the
    /// good lines are kept.
    #[must_use]
    pub fn parse_recovering(src: &str, options: Options) -> Parsed {
        parse::parse(src, options)
    }

    /// The rules in file order.
    #[must_use]
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The case mode the rules were compiled for.
    #[must_use]
    pub fn case(&self) -> CaseMode {
        self.case
    }

    /// Whether any rule has this map name.
    #[must_use]
    pub fn has_map(&self, map_name: &str) -> bool {
        self.rules.iter().any(|r| r.map_name.text == map_name)
    }

    /// Every map name (issuer) of the rules, once each, in the order they first appear.
    ///
    /// ```
    /// use identmap::cockroach::{Options, Ruleset};
    /// let rules = Ruleset::parse("b x u\na y u\nb z u\n", Options::new())?;
    /// assert_eq!(rules.map_names(), ["b", "a"]);
    /// # Ok::<(), identmap::cockroach::Error>(())
    /// ```
    #[must_use]
    pub fn map_names(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.rules.iter().map(|r| r.map_name.text.as_str()).filter(|n| seen.insert(*n)).collect()
    }
}

/// Whether CockroachDB's HBA mapper refuses `user` as a target: `root`, `node`, `public`,
/// `none`, and names starting with `pg_` or `crdb_internal_`.
///
/// ```
/// use identmap::cockroach::is_reserved;
/// assert!(is_reserved("root") && is_reserved("pg_monitor") && is_reserved("crdb_internal_x"));
/// assert!(!is_reserved("roots"));
/// ```
#[must_use]
pub fn is_reserved(user: &str) -> bool {
    matches!(user, "root" | "node" | "public" | "none")
        || user.starts_with("pg_")
        || user.starts_with("crdb_internal_")
}
