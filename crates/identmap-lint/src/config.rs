//! What to lint for: the dialect, extra reserved users, severity overrides, the SSO settings.

use core::fmt;
use core::str::FromStr;
use std::collections::BTreeMap;

use identmap::cockroach::CaseMode;
use identmap::postgres::Version;
use identmap::sso::JwtSettings;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
///
/// ```
/// use identmap_lint::Severity;
/// assert!(Severity::Info < Severity::Error);
/// assert_eq!("warning".parse::<Severity>(), Ok(Severity::Warning));
/// assert_eq!(Severity::Error.as_str(), "error");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Severity {
    /// Worth knowing; not a problem by itself.
    Info,
    /// Probably a mistake, or a risk.
    Warning,
    /// The database rejects it, denies at run time, or does something else than written; or a
    /// security hole.
    Error,
}

impl Severity {
    /// `info`, `warning` or `error`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// A severity override as `identmap.toml`'s `[severity]` and `--severity` write it: a
    /// severity, or `off` (`None`: the rule is turned off), as [`Config::set_severity`] takes it.
    ///
    /// ```
    /// use identmap_lint::Severity;
    /// assert_eq!(Severity::parse_override("off"), Ok(None));
    /// assert_eq!(Severity::parse_override("info"), Ok(Some(Severity::Info)));
    /// assert_eq!(
    ///     Severity::parse_override("fatal").unwrap_err().to_string(),
    ///     "unknown severity `fatal` (expected info, warning or error) (or off)"
    /// );
    /// ```
    ///
    /// # Errors
    /// A name that is none of `info`, `warning`, `error`, `off`; its message ends in `(or off)`.
    pub fn parse_override(s: &str) -> Result<Option<Severity>, ParseSeverityError> {
        match s {
            Severity::OFF => Ok(None),
            s => s.parse().map(Some).map_err(|e: ParseSeverityError| ParseSeverityError { off: true, ..e }),
        }
    }

    /// The name of "no severity, the rule is off" in overrides: `off`.
    pub const OFF: &'static str = "off";
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity name that is not `info`, `warning` or `error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseSeverityError {
    text: String,
    off: bool,
}

impl ParseSeverityError {
    /// The text that was given.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for ParseSeverityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown severity `{}` (expected info, warning or error)", self.text)?;
        if self.off {
            f.write_str(" (or off)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseSeverityError {}

impl FromStr for Severity {
    type Err = ParseSeverityError;

    fn from_str(s: &str) -> Result<Severity, ParseSeverityError> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(ParseSeverityError { text: s.to_string(), off: false }),
        }
    }
}

/// Which database's rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// CockroachDB's `server.identity_map.configuration`, in a case mode.
    Cockroach(CaseMode),
    /// PostgreSQL's `pg_ident.conf`, for a version.
    Postgres(Version),
}

impl Dialect {
    /// Which database: [`identmap::Dialect`] without the case mode or version.
    #[must_use]
    pub fn kind(self) -> identmap::Dialect {
        match self {
            Dialect::Cockroach(_) => identmap::Dialect::Cockroach,
            Dialect::Postgres(_) => identmap::Dialect::Postgres,
        }
    }
}

impl Default for Dialect {
    fn default() -> Dialect {
        Dialect::Cockroach(CaseMode::Insensitive)
    }
}

/// A rule code that the linter does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCode {
    code: String,
}

impl UnknownCode {
    /// The code that was given.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown lint code `{}`", self.code)
    }
}

impl std::error::Error for UnknownCode {}

/// What the linter checks for. The default is the cockroach dialect in its current
/// (case-insensitive) mode, the built-in reserved users, default severities and no SSO settings.
///
/// ```
/// use identmap_lint::{Config, Dialect, Severity};
/// use identmap::postgres::Version;
///
/// let mut config = Config::new(Dialect::Postgres(Version::V16));
/// config.add_reserved_user("dba");
/// config.set_severity("IM204", Some(Severity::Error)).unwrap();
/// config.set_severity("IM310", None).unwrap(); // off
/// assert!(config.set_severity("IM999", None).is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Config {
    dialect: Dialect,
    reserved: Vec<String>,
    severities: BTreeMap<&'static str, Option<Severity>>,
    sso: Option<JwtSettings>,
    max_nesting: Option<u32>,
}

impl Config {
    /// A configuration for `dialect` with every default.
    #[must_use]
    pub fn new(dialect: Dialect) -> Config {
        Config { dialect, ..Config::default() }
    }

    /// The dialect.
    #[must_use]
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Add a user name to the reserved list of IM203 (compared after normalization:
    /// lower case).
    pub fn add_reserved_user(&mut self, name: &str) {
        let n = identmap::normalize_username(name);
        if !n.is_empty() && !self.reserved.contains(&n) {
            self.reserved.push(n);
        }
    }

    /// The extra reserved users.
    #[must_use]
    pub fn reserved_users(&self) -> &[String] {
        &self.reserved
    }

    /// Override the severity of a rule; `None` turns it off.
    ///
    /// # Errors
    /// When `code` is not a rule of [`rules`](crate::rules).
    pub fn set_severity(&mut self, code: &str, sev: Option<Severity>) -> Result<(), UnknownCode> {
        let info = crate::registry::find(code).ok_or_else(|| UnknownCode { code: code.to_string() })?;
        self.severities.insert(info.code, sev);
        Ok(())
    }

    /// The override for `code`: `None` when there is none, `Some(None)` when the rule is off.
    #[must_use]
    pub fn severity_override(&self, code: &str) -> Option<Option<Severity>> {
        self.severities.get(code).copied()
    }

    /// The SSO settings to cross-check the map with (IM301, IM208). For
    /// [`Input::Sql`](crate::Input::Sql) the linter reads them from the file itself; settings given
    /// here take their place.
    pub fn set_sso(&mut self, sso: JwtSettings) {
        self.sso = Some(sso);
    }

    /// Read cockroach regexes nested deeper than `levels` as identmap's refusal (IM102), not as
    /// patterns to analyse: [`identmap::cockroach::Options::max_nesting`], for a small stack.
    pub fn set_max_nesting(&mut self, levels: u32) {
        self.max_nesting = Some(levels);
    }

    /// The parse options of a cockroach map under this configuration (its case mode comes with
    /// the dialect).
    pub(crate) fn cockroach_options(&self) -> identmap::cockroach::Options {
        let options = identmap::cockroach::Options::new();
        match self.max_nesting {
            Some(levels) => options.max_nesting(levels),
            None => options,
        }
    }

    /// The SSO settings given with [`Config::set_sso`].
    #[must_use]
    pub fn sso(&self) -> Option<&JwtSettings> {
        self.sso.as_ref()
    }
}
