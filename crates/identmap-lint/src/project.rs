//! `identmap.toml`: a project's identmap configuration, read by `identmap lint` (and by the SSO
//! command), without I/O: the schema, its validation (every error with its line and column) and
//! the `[sso]` table as [`JwtSettings`]. Finding the file and reading it (and the files its `[sso]`
//! table names) is the caller's: dialect, PostgreSQL version, cockroach case mode, extra reserved users, the failing
//! level, per-code severity overrides and the SSO settings to cross-check.
//!
//! ```toml
//! dialect = "cockroach"          # or "postgres"
//! pg_version = 16                # postgres: 15..18
//! case = "insensitive"           # cockroach: "insensitive" (current) or "sensitive" (legacy)
//! reserved_users = ["admin2"]    # added to the built-in reserved list
//! fail_on = "warning"            # lowest severity that makes `identmap lint` exit 1
//! [severity]                     # per-code overrides: "error" | "warning" | "info" | "off"
//! IM204 = "error"
//! [sso]
//! settings = "cluster.sql"       # SET CLUSTER SETTING statements, relative to identmap.toml
//! issuers = "https://accounts.google.com"
//! audience = "my-client-id"
//! claim = "email"
//! jwks = "jwks.json"             # relative to identmap.toml
//! enabled = true
//! ```
//!
//! The command line finds the file by walking up from the linted file's directory; the first
//! `identmap.toml` wins. Unknown keys and bad values are errors with their line and column:
//!
//! ```
//! use std::path::Path;
//! use identmap::Dialect;
//! use identmap_lint::project::ProjectConfig;
//!
//! let text = "dialect = \"postgres\"\npg_version = 17\n[severity]\nIM401 = \"off\"\n";
//! let cfg = ProjectConfig::parse(Path::new("repo/identmap.toml"), text)?;
//! assert_eq!(cfg.dialect(), Some(Dialect::Postgres));
//! assert_eq!(cfg.pg_version(), Some(17));
//! assert_eq!(cfg.severity_overrides()[0].code(), "IM401");
//! assert_eq!(cfg.severity_overrides()[0].severity(), None); // off
//!
//! let err = ProjectConfig::parse(Path::new("identmap.toml"), "pg_version = 14\n").unwrap_err();
//! assert_eq!((err.line(), err.column()), (1, 14));
//! assert_eq!(err.to_string(), "identmap.toml:1:14: pg_version must be 15, 16, 17 or 18, not 14");
//! # Ok::<(), identmap_lint::project::ConfigError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::Severity;
use identmap::cockroach::CaseMode;
use identmap::sso::JwtSettings;
use identmap::{Dialect, LineIndex, Span};
use serde::Deserialize;
use toml::Spanned;

/// The configuration file's name.
pub const FILE_NAME: &str = "identmap.toml";

/// One `[severity]` entry: a code and its level, with where the entry is in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeverityOverride {
    code: String,
    severity: Option<Severity>,
    span: Span,
}

impl SeverityOverride {
    /// The rule code as written (`IM204`).
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The severity; `None` for `off`.
    #[must_use]
    pub fn severity(&self) -> Option<Severity> {
        self.severity
    }

    /// Where the value is in `identmap.toml` (for an error on an unknown code).
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }
}

/// The `[sso]` table: the SSO settings to cross-check. Paths are resolved against the directory
/// of `identmap.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SsoConfig {
    settings: Option<PathBuf>,
    issuers: Option<String>,
    audience: Option<String>,
    claim: Option<String>,
    jwks: Option<PathBuf>,
    enabled: Option<bool>,
}

impl SsoConfig {
    /// `settings`: a `.sql` file of `SET CLUSTER SETTING` statements.
    #[must_use]
    pub fn settings(&self) -> Option<&Path> {
        self.settings.as_deref()
    }

    /// `issuers`, raw (any of CockroachDB's three forms; a TOML array becomes a JSON array).
    #[must_use]
    pub fn issuers(&self) -> Option<&str> {
        self.issuers.as_deref()
    }

    /// `audience`, raw (a TOML array becomes a JSON array).
    #[must_use]
    pub fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    /// `claim`.
    #[must_use]
    pub fn claim(&self) -> Option<&str> {
        self.claim.as_deref()
    }

    /// `jwks`: a JSON Web Key Set file.
    #[must_use]
    pub fn jwks(&self) -> Option<&Path> {
        self.jwks.as_deref()
    }

    /// `enabled`.
    #[must_use]
    pub fn enabled(&self) -> Option<bool> {
        self.enabled
    }

    /// The JWT settings this table describes: the `settings` file's statements first, then each
    /// key given here on top of them. `read` gives the text of the `settings` and `jwks` files
    /// (the caller reads them; its error message should name the file).
    ///
    /// ```
    /// use std::path::Path;
    /// use identmap_lint::project::ProjectConfig;
    ///
    /// let text = "[sso]\nsettings = \"cluster.sql\"\naudience = [\"a\", \"b\"]\n";
    /// let cfg = ProjectConfig::parse(Path::new("repo/identmap.toml"), text)?;
    /// let jwt = cfg.sso().expect("[sso]").jwt_settings(|path| {
    ///     assert_eq!(path, Path::new("repo/cluster.sql"));
    ///     Ok("SET CLUSTER SETTING server.jwt_authentication.claim = 'email';".to_string())
    /// })?;
    /// assert_eq!(jwt.claim().as_str(), "email");
    /// assert_eq!(jwt.audience(), ["a", "b"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// What `read` answers for a file it cannot read.
    pub fn jwt_settings(
        &self,
        mut read: impl FnMut(&Path) -> Result<String, String>,
    ) -> Result<JwtSettings, String> {
        let mut jwt = match &self.settings {
            Some(path) => JwtSettings::from_sql(&identmap::sql::parse_settings(&read(path)?)),
            None => JwtSettings::new(),
        };
        self.apply_keys(&mut jwt, read)?;
        Ok(jwt)
    }

    /// Every key of this table but `settings`, set on `jwt` (over what it held); `read` gives
    /// the text of the `jwks` file.
    ///
    /// # Errors
    /// What `read` answers for a file it cannot read.
    pub fn apply_keys(
        &self,
        jwt: &mut JwtSettings,
        mut read: impl FnMut(&Path) -> Result<String, String>,
    ) -> Result<(), String> {
        if let Some(v) = &self.issuers {
            jwt.set_issuers(v);
        }
        if let Some(v) = &self.audience {
            jwt.set_audience(v);
        }
        if let Some(v) = &self.claim {
            jwt.set_claim(v);
        }
        if let Some(path) = &self.jwks {
            jwt.set_jwks(read(path)?);
        }
        if let Some(v) = self.enabled {
            jwt.set_enabled(v);
        }
        Ok(())
    }
}

/// A parsed `identmap.toml`.
#[derive(Clone, Debug)]
pub struct ProjectConfig {
    path: PathBuf,
    text: String,
    dialect: Option<Dialect>,
    pg_version: Option<u8>,
    case: Option<CaseMode>,
    reserved_users: Vec<String>,
    fail_on: Option<Severity>,
    severity: Vec<SeverityOverride>,
    sso: Option<SsoConfig>,
}

/// An error in `identmap.toml` (or reading it): the file, the line and column, the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    path: PathBuf,
    line: usize,
    column: usize,
    message: String,
}

impl ConfigError {
    /// An error about the file as a whole, with no place in it (such as a read error).
    #[must_use]
    pub fn whole_file(path: &Path, message: impl Into<String>) -> ConfigError {
        ConfigError { path: path.to_path_buf(), line: 0, column: 0, message: message.into() }
    }

    fn at(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> ConfigError {
        let (line, column) = LineIndex::new(text).line_col(offset.min(text.len()));
        ConfigError { path: path.to_path_buf(), line, column, message: message.into() }
    }

    /// The configuration file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The 1-based line (0 when the error is not about a place in the file, such as a read error).
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column (0 when the error has no place).
    #[must_use]
    pub fn column(&self) -> usize {
        self.column
    }

    /// What is wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.path.display(), self.line, self.column, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

/// A string, or a list of strings (written as a JSON array for the cluster setting).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum StringOrList {
    One(String),
    List(Vec<String>),
}

impl StringOrList {
    fn into_raw(self) -> String {
        match self {
            StringOrList::One(s) => s,
            StringOrList::List(v) => serde_json::Value::from(v).to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    dialect: Option<Dialect>,
    pg_version: Option<Spanned<i64>>,
    case: Option<CaseMode>,
    #[serde(default)]
    reserved_users: Vec<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    sso: Option<RawSso>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSso {
    settings: Option<Spanned<String>>,
    issuers: Option<StringOrList>,
    audience: Option<StringOrList>,
    claim: Option<String>,
    jwks: Option<Spanned<String>>,
    enabled: Option<bool>,
}

impl ProjectConfig {
    /// Parse the text of `path` (the path is used for messages and to resolve the `[sso]` paths).
    ///
    /// # Errors
    /// TOML syntax errors, unknown keys, values of the wrong type or out of range, each with its
    /// line and column.
    pub fn parse(path: &Path, text: &str) -> Result<ProjectConfig, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            ConfigError::at(path, text, at, e.message().trim_end().to_string())
        })?;
        let err = |at: usize, m: String| ConfigError::at(path, text, at, m);
        let pg_version = match raw.pg_version {
            Some(v) => match u8::try_from(*v.get_ref()) {
                Ok(n @ 15..=18) => Some(n),
                _ => {
                    return Err(err(
                        v.span().start,
                        format!("pg_version must be 15, 16, 17 or 18, not {}", v.get_ref()),
                    ))
                }
            },
            None => None,
        };
        let mut reserved_users = Vec::new();
        for u in raw.reserved_users {
            if u.get_ref().trim().is_empty() {
                return Err(err(u.span().start, "a reserved user name is empty".into()));
            }
            reserved_users.push(u.into_inner());
        }
        let fail_on = match raw.fail_on {
            Some(l) => match Severity::parse_override(l.get_ref()) {
                Ok(Some(s)) => Some(s),
                Ok(None) => {
                    return Err(err(
                        l.span().start,
                        "fail_on must be \"error\", \"warning\" or \"info\" (\"off\" would never fail)"
                            .into(),
                    ))
                }
                Err(e) => return Err(err(l.span().start, e.to_string())),
            },
            None => None,
        };
        let mut severity = Vec::new();
        for (code, level) in raw.severity {
            let span = Span::new(level.span().start, level.span().end);
            let value =
                Severity::parse_override(level.get_ref()).map_err(|e| err(span.start, e.to_string()))?;
            severity.push(SeverityOverride { code, severity: value, span });
        }
        let dir = path.parent().unwrap_or_else(|| Path::new(""));
        let relative = |s: Spanned<String>| -> Result<PathBuf, ConfigError> {
            if s.get_ref().is_empty() {
                return Err(err(s.span().start, "the path is empty".into()));
            }
            Ok(dir.join(s.get_ref()))
        };
        let sso = match raw.sso {
            Some(s) => Some(SsoConfig {
                settings: s.settings.map(relative).transpose()?,
                issuers: s.issuers.map(StringOrList::into_raw),
                audience: s.audience.map(StringOrList::into_raw),
                claim: s.claim,
                jwks: s.jwks.map(relative).transpose()?,
                enabled: s.enabled,
            }),
            None => None,
        };
        Ok(ProjectConfig {
            path: path.to_path_buf(),
            text: text.to_string(),
            dialect: raw.dialect,
            pg_version,
            case: raw.case,
            reserved_users,
            fail_on,
            severity,
            sso,
        })
    }

    /// An error located at `span` of this file (for checks made after parsing, such as an
    /// unknown rule code in `[severity]`).
    #[must_use]
    pub fn error_at(&self, span: Span, message: impl Into<String>) -> ConfigError {
        ConfigError::at(&self.path, &self.text, span.start, message)
    }

    /// Where the file is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `dialect`.
    #[must_use]
    pub fn dialect(&self) -> Option<Dialect> {
        self.dialect
    }

    /// `pg_version` (15 to 18).
    #[must_use]
    pub fn pg_version(&self) -> Option<u8> {
        self.pg_version
    }

    /// `case`.
    #[must_use]
    pub fn case(&self) -> Option<CaseMode> {
        self.case
    }

    /// `reserved_users`, in file order.
    #[must_use]
    pub fn reserved_users(&self) -> &[String] {
        &self.reserved_users
    }

    /// `fail_on` (never `off`).
    #[must_use]
    pub fn fail_on(&self) -> Option<Severity> {
        self.fail_on
    }

    /// The `[severity]` table, ordered by code.
    #[must_use]
    pub fn severity_overrides(&self) -> &[SeverityOverride] {
        &self.severity
    }

    /// The `[sso]` table.
    #[must_use]
    pub fn sso(&self) -> Option<&SsoConfig> {
        self.sso.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ProjectConfig, ConfigError> {
        ProjectConfig::parse(Path::new("/repo/identmap.toml"), text)
    }

    #[test]
    fn full_schema() {
        let cfg = parse(
            "dialect = \"cockroach\"\npg_version = 16\ncase = \"sensitive\"\nreserved_users = [\"admin2\", \"dba\"]\n\
             fail_on = \"error\"\n[severity]\nIM204 = \"error\"\nIM201 = \"off\"\n[sso]\nsettings = \"cluster.sql\"\n\
             issuers = [\"https://a.example\", \"https://b.example\"]\naudience = \"my-client-id\"\nclaim = \"email\"\n\
             jwks = \"keys/jwks.json\"\nenabled = true\n",
        )
        .expect("valid");
        assert_eq!(cfg.dialect(), Some(Dialect::Cockroach));
        assert_eq!(cfg.pg_version(), Some(16));
        assert_eq!(cfg.case(), Some(CaseMode::Sensitive));
        assert_eq!(cfg.reserved_users(), ["admin2", "dba"]);
        assert_eq!(cfg.fail_on(), Some(Severity::Error));
        let sev: Vec<(&str, Option<Severity>)> =
            cfg.severity_overrides().iter().map(|s| (s.code(), s.severity())).collect();
        assert_eq!(sev, [("IM201", None), ("IM204", Some(Severity::Error))]);
        let sso = cfg.sso().expect("sso");
        assert_eq!(sso.settings(), Some(Path::new("/repo/cluster.sql")));
        assert_eq!(sso.issuers(), Some(r#"["https://a.example","https://b.example"]"#));
        assert_eq!(sso.audience(), Some("my-client-id"));
        assert_eq!(sso.claim(), Some("email"));
        assert_eq!(sso.jwks(), Some(Path::new("/repo/keys/jwks.json")));
        assert_eq!(sso.enabled(), Some(true));
    }

    #[test]
    fn empty_file_is_all_defaults() {
        let cfg = parse("# nothing\n").expect("valid");
        assert_eq!(cfg.dialect(), None);
        assert!(cfg.reserved_users().is_empty() && cfg.severity_overrides().is_empty());
        assert!(cfg.sso().is_none());
    }

    #[test]
    fn errors_have_locations() {
        let e = parse("dialect = \"cockroach\"\nfail-on = \"error\"\n").unwrap_err();
        assert_eq!((e.line(), e.column()), (2, 1), "{e}");
        assert!(e.message().contains("unknown field `fail-on`"), "{e}");

        let e = parse("dialect = \"oracle\"\n").unwrap_err();
        assert_eq!((e.line(), e.column()), (1, 11), "{e}");
        assert!(e.message().contains("unknown variant `oracle`"), "{e}");

        let e = parse("[severity]\nIM201 = \"fatal\"\n").unwrap_err();
        assert_eq!(e.line(), 2, "{e}");

        let e = parse("fail_on = \"off\"\n").unwrap_err();
        assert_eq!((e.line(), e.column()), (1, 11), "{e}");

        let e = parse("[sso]\nissuer = \"x\"\n").unwrap_err();
        assert_eq!(e.line(), 2, "{e}");
        assert!(e.message().contains("unknown field `issuer`"), "{e}");

        let e = parse("reserved_users = [\"ok\", \" \"]\n").unwrap_err();
        assert_eq!((e.line(), e.column()), (1, 25), "{e}");

        let e = parse("dialect = \n").unwrap_err();
        assert_eq!(e.line(), 1, "{e}");
        assert!(e.to_string().starts_with("/repo/identmap.toml:1:"), "{e}");
    }

    #[test]
    fn error_at_locates_later_checks() {
        let cfg = parse("[severity]\nIM999 = \"error\"\n").expect("valid");
        let o = &cfg.severity_overrides()[0];
        let e = cfg.error_at(o.span(), "unknown rule code IM999");
        assert_eq!(e.to_string(), "/repo/identmap.toml:2:9: unknown rule code IM999");
    }
}
