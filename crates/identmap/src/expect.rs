//! Expectation files (`identmap test`): "this identity maps to exactly these users", "this login
//! is allowed or denied", run against maps like a test suite. The parser (a line number in every
//! error), the runner and the `N passed, N failed` report live here, I/O-free: the caller loads
//! each `map PATH` (reading files, or texts from a browser) into a [`LoadedMap`].
//!
//! The format: one directive per line; `#` at the start of a field starts a comment; fields are
//! separated by blanks and a field may be written in double quotes (`"a b"`, with `\"` and `\\`).
//!
//! ```text
//! map PATH [dialect=cockroach|postgres] [case=insensitive|sensitive] [pg-version=15..18] [roles=FILE]
//! expect ISSUER IDENTITY [IDENTITY…] -> USER [USER…]     (cockroach: exactly these users)
//! expect ISSUER IDENTITY -> (none)                       (cockroach: no user)
//! allow MAP SYSTEM-USER -> ROLE                          (postgres: the login is allowed)
//! deny  MAP SYSTEM-USER -> ROLE                          (postgres: the login is denied)
//! ```
//!
//! ```
//! use identmap::expect::{self, ExpectFile, LoadedMap};
//!
//! let file = ExpectFile::parse("map corp.map\nexpect iss Carl@corp -> carl\nexpect iss x -> x\n")?;
//! let outcomes = expect::run("corp.test", &file, |spec| {
//!     assert_eq!(spec.path(), "corp.map");
//!     LoadedMap::cockroach("iss /^(.*)@corp$ \\1", spec.case())
//! })
//! .map_err(|e| e.to_string())?;
//! assert_eq!(
//!     expect::to_text(&outcomes),
//!     "corp.test:3: FAILED expect iss x -> x: expected x; got (none)\n1 passed, 1 failed\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::{self, Write as _};

use crate::cockroach::{CaseMode, Options, Ruleset};
use crate::postgres::{Decision, IdentFile, Roles};
use crate::report::PostgresCheck;
use crate::{Dialect, Matcher};

/// A malformed expectation file: the 1-based line and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    line: usize,
    message: String,
}

impl Malformed {
    /// The 1-based line.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// What is wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for Malformed {}

/// A `map` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapSpec {
    line: usize,
    path: String,
    dialect: Dialect,
    case: CaseMode,
    case_insensitive: bool,
    pg_version: u8,
    roles: Option<String>,
}

impl MapSpec {
    /// The directive's 1-based line.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The map's path as written (relative to the expectation file).
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// `dialect=`, else `postgres` for `*.conf` and `cockroach` otherwise.
    #[must_use]
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Cockroach: the case mode (`case=`; default insensitive, current CockroachDB).
    #[must_use]
    pub fn case(&self) -> CaseMode {
        self.case
    }

    /// Postgres: case-insensitive comparisons (`krb_caseins_users`, SSPI): `case=insensitive`;
    /// default `false`.
    #[must_use]
    pub fn case_insensitive(&self) -> bool {
        self.case_insensitive
    }

    /// Postgres: `pg-version=` (15 to 18; default 16).
    #[must_use]
    pub fn pg_version(&self) -> u8 {
        self.pg_version
    }

    /// Postgres: `roles=`, a role-graph file (relative to the expectation file).
    #[must_use]
    pub fn roles(&self) -> Option<&str> {
        self.roles.as_deref()
    }
}

/// What an expectation checks.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// Cockroach: these identities under this issuer map to exactly these users.
    Users {
        /// The issuer (map name).
        issuer: String,
        /// One identity, or the elements of an array claim.
        identities: Vec<String>,
        /// The expected users (empty: `(none)`).
        users: Vec<String>,
    },
    /// Postgres: the login is allowed (`allow`) or denied (`deny`).
    Login {
        /// `allow` (true) or `deny` (false).
        allow: bool,
        /// The map name.
        map: String,
        /// The system user.
        system_user: String,
        /// The requested role.
        role: String,
    },
}

/// An `expect`, `allow` or `deny` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    line: usize,
    text: String,
    map: usize,
    check: Check,
}

impl Expectation {
    /// The 1-based line.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The line as written (trimmed), to name the test case.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Index of its map in [`ExpectFile::maps`] (the last `map` line before it).
    #[must_use]
    pub fn map(&self) -> usize {
        self.map
    }

    /// What it checks.
    #[must_use]
    pub fn check(&self) -> &Check {
        &self.check
    }
}

/// A parsed expectation file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectFile {
    maps: Vec<MapSpec>,
    expectations: Vec<Expectation>,
}

impl ExpectFile {
    /// Parse an expectation file.
    ///
    /// # Errors
    /// The first malformed line, with its line number.
    pub fn parse(text: &str) -> Result<ExpectFile, Malformed> {
        parse_file(text)
    }

    /// The `map` directives, in file order.
    #[must_use]
    pub fn maps(&self) -> &[MapSpec] {
        &self.maps
    }

    /// The expectations, in file order.
    #[must_use]
    pub fn expectations(&self) -> &[Expectation] {
        &self.expectations
    }
}

/// Split a line into fields: blanks separate, `"…"` quotes (with `\"` and `\\`), and a field
/// starting with `#` starts a comment. Each field comes with whether it was quoted.
fn fields(line: &str) -> Result<Vec<(String, bool)>, String> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some(&(_, c)) = chars.peek() {
        if c == ' ' || c == '\t' {
            chars.next();
            continue;
        }
        if c == '#' {
            break;
        }
        let mut field = String::new();
        if c == '"' {
            chars.next();
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some((_, e @ ('"' | '\\'))) => field.push(e),
                        Some((_, e)) => return Err(format!("unknown escape `\\{e}` in a quoted field")),
                        None => return Err("unterminated quoted field".into()),
                    },
                    c => field.push(c),
                }
            }
            if !closed {
                return Err("unterminated quoted field".into());
            }
            if chars.peek().is_some_and(|&(_, c)| c != ' ' && c != '\t') {
                return Err("a quoted field must be followed by a blank".into());
            }
            out.push((field, true));
        } else {
            while let Some(&(_, c)) = chars.peek() {
                if c == ' ' || c == '\t' {
                    break;
                }
                field.push(c);
                chars.next();
            }
            out.push((field, false));
        }
    }
    Ok(out)
}

fn parse_file(text: &str) -> Result<ExpectFile, Malformed> {
    let mut file = ExpectFile::default();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let bad = |message: String| Malformed { line, message };
        let f = fields(raw).map_err(bad)?;
        let Some(((keyword, quoted), rest)) = f.split_first() else { continue };
        let words: Vec<&str> = rest.iter().map(|(s, _)| s.as_str()).collect();
        match (keyword.as_str(), quoted) {
            ("map", false) => file.maps.push(parse_map(line, &words).map_err(bad)?),
            (kw @ ("expect" | "allow" | "deny"), false) => {
                let map = file.maps.len().checked_sub(1).ok_or_else(|| {
                    bad(format!("`{kw}` before any `map` line: say which map it is about first"))
                })?;
                let dialect = file.maps[map].dialect;
                let arrow = rest.iter().position(|(s, q)| s == "->" && !q);
                let Some(arrow) = arrow else {
                    return Err(bad(format!("`{kw}` needs `->` before the expected {}", result_word(kw))));
                };
                let (lhs, rhs) = (&words[..arrow], &words[arrow + 1..]);
                let check = match (kw, dialect) {
                    ("expect", Dialect::Cockroach) => {
                        let [issuer, identities @ ..] = lhs else {
                            return Err(bad(
                                "`expect ISSUER IDENTITY -> USER…`: the issuer is missing".into()
                            ));
                        };
                        if identities.is_empty() {
                            return Err(bad(
                                "`expect ISSUER IDENTITY -> USER…`: the identity is missing".into()
                            ));
                        }
                        let users = match rhs {
                            [] => {
                                return Err(bad(
                                    "`expect … ->` needs the users, or `(none)` for no user".into()
                                ))
                            }
                            ["(none)"] => Vec::new(),
                            users if users.contains(&"(none)") => {
                                return Err(bad("`(none)` cannot be listed with users".into()))
                            }
                            users => users.iter().map(|u| (*u).to_string()).collect(),
                        };
                        Check::Users {
                            issuer: (*issuer).to_string(),
                            identities: identities.iter().map(|s| (*s).to_string()).collect(),
                            users,
                        }
                    }
                    ("allow" | "deny", Dialect::Postgres) => {
                        let ([map, system_user], [role]) = (lhs, rhs) else {
                            return Err(bad(format!("expected `{kw} MAP SYSTEM-USER -> ROLE`")));
                        };
                        Check::Login {
                            allow: kw == "allow",
                            map: (*map).to_string(),
                            system_user: (*system_user).to_string(),
                            role: (*role).to_string(),
                        }
                    }
                    ("expect", Dialect::Postgres) => {
                        return Err(bad(format!(
                            "`expect` is for cockroach maps; {} is a postgres map: use `allow` or `deny`",
                            file.maps[map].path
                        )))
                    }
                    _ => {
                        return Err(bad(format!(
                            "`{kw}` is for postgres maps; {} is a cockroach map: use `expect`",
                            file.maps[map].path
                        )))
                    }
                };
                file.expectations.push(Expectation { line, text: raw.trim().to_string(), map, check });
            }
            (other, _) => {
                return Err(bad(format!("unknown directive `{other}` (expected map, expect, allow or deny)")))
            }
        }
    }
    Ok(file)
}

fn result_word(kw: &str) -> &'static str {
    if kw == "expect" {
        "users"
    } else {
        "role"
    }
}

fn parse_map(line: usize, words: &[&str]) -> Result<MapSpec, String> {
    let [path, options @ ..] = words else {
        return Err("`map PATH [options]`: the path is missing".into());
    };
    let auto = if std::path::Path::new(path).extension().is_some_and(|e| e == "conf") {
        Dialect::Postgres
    } else {
        Dialect::Cockroach
    };
    let mut spec = MapSpec {
        line,
        path: (*path).to_string(),
        dialect: auto,
        case: CaseMode::Insensitive,
        case_insensitive: false,
        pg_version: 16,
        roles: None,
    };
    let mut sensitive = None;
    for opt in options {
        let Some((key, value)) = opt.split_once('=') else {
            return Err(format!("map option `{opt}` is not `key=value`"));
        };
        match key {
            "dialect" => {
                spec.dialect = value
                    .parse()
                    .map_err(|_| format!("dialect must be cockroach or postgres, not `{value}`"))?;
            }
            "case" => {
                let case: CaseMode = value
                    .parse()
                    .map_err(|_| format!("case must be sensitive or insensitive, not `{value}`"))?;
                sensitive = Some(case == CaseMode::Sensitive);
            }
            "pg-version" => {
                spec.pg_version = match value.parse::<u8>() {
                    Ok(v @ 15..=18) => v,
                    _ => return Err(format!("pg-version must be 15, 16, 17 or 18, not `{value}`")),
                }
            }
            "roles" => spec.roles = Some(value.to_string()),
            _ => return Err(format!("unknown map option `{key}` (dialect, case, pg-version, roles)")),
        }
    }
    if let Some(sensitive) = sensitive {
        spec.case = if sensitive { CaseMode::Sensitive } else { CaseMode::Insensitive };
        spec.case_insensitive = !sensitive;
    }
    if spec.dialect == Dialect::Cockroach && spec.roles.is_some() {
        return Err("roles= is for postgres maps".into());
    }
    Ok(spec)
}

/// A map, loaded and ready to answer: a compiled cockroach [`Matcher`], or a `pg_ident.conf`
/// with its role graph.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadedMap {
    /// A cockroach map.
    Cockroach(Matcher),
    /// A `pg_ident.conf` (loaded, with no errors) and the role graph.
    Postgres(IdentFile, Roles),
}

impl LoadedMap {
    /// Parse and compile a cockroach map (the identity map text itself).
    ///
    /// # Errors
    /// CockroachDB rejecting the config (or identmap's limits refusing it), or the matcher failing
    /// to build.
    pub fn cockroach(text: &str, case: CaseMode) -> Result<LoadedMap, String> {
        let rules = Ruleset::parse(text, Options::new().case(case)).map_err(|e| e.verdict())?;
        Ok(LoadedMap::Cockroach(Matcher::new(&rules).map_err(|e| e.to_string())?))
    }

    /// A loaded `pg_ident.conf` with its role graph.
    ///
    /// # Errors
    /// The file's first error: PostgreSQL loads no map from a file with errors.
    pub fn postgres(file: IdentFile, roles: Roles) -> Result<LoadedMap, String> {
        if let Some(e) = file.errors().next() {
            return Err(format!(
                "{}:{}: {} (PostgreSQL {} loads no map from this file)",
                e.location().file(),
                e.location().line(),
                e.message(),
                file.version().major()
            ));
        }
        Ok(LoadedMap::Postgres(file, roles))
    }
}

/// Run one check against its map: `None` when it passes, else what went wrong.
/// `case_insensitive` is the postgres map's [`MapSpec::case_insensitive`].
#[must_use]
pub fn run_check(check: &Check, map: &LoadedMap, case_insensitive: bool) -> Option<String> {
    match (check, map) {
        (Check::Users { issuer, identities, users }, LoadedMap::Cockroach(m)) => {
            let mut got: Vec<String> = Vec::new();
            let mut found = false;
            for id in identities {
                let r = m.map(issuer, id);
                found |= r.map_found();
                got.extend(r.users().iter().map(ToString::to_string));
            }
            got.sort();
            got.dedup();
            let mut want = users.clone();
            want.sort();
            want.dedup();
            (got != want).then(|| {
                let note = if found { "" } else { " (no rule has this issuer)" };
                format!("expected {}; got {}{note}", user_list(&want), user_list(&got))
            })
        }
        (Check::Login { allow, map, system_user, role }, LoadedMap::Postgres(file, roles)) => {
            let report =
                PostgresCheck::new(file, None, map, system_user, role, case_insensitive, roles, false);
            let c = report.check();
            let want = if *allow { "allow" } else { "deny" };
            match c.decision() {
                Decision::Allow if *allow => None,
                Decision::Deny if !*allow => None,
                Decision::Unsupported { reason, location } => Some(format!(
                    "expected {want}, got unsupported: identmap cannot evaluate {location} faithfully: {reason}"
                )),
                d => {
                    let mut m = format!("expected {want}, got {d}");
                    if let Some(l) = c.log().first() {
                        let _ = write!(m, " (LOG: {l})");
                    }
                    Some(m)
                }
            }
        }
        // The parser only pairs checks with maps of their dialect.
        _ => Some("this check does not apply to this map's dialect".into()),
    }
}

fn user_list(users: &[String]) -> String {
    if users.is_empty() {
        "(none)".into()
    } else {
        users.join(", ")
    }
}

/// A map that could not be loaded: its `map` line, its path, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapError {
    line: usize,
    path: String,
    message: String,
}

impl MapError {
    /// The `map` directive's line.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The map's path as written.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Why it could not be loaded.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: map {}: {}", self.line, self.path, self.message)
    }
}

impl std::error::Error for MapError {}

/// The result of one expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    file: String,
    line: usize,
    text: String,
    map: String,
    failure: Option<String>,
}

impl Outcome {
    /// The expectation file's name, as given to [`run`].
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The expectation's line.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The expectation as written.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The path of its map.
    #[must_use]
    pub fn map(&self) -> &str {
        &self.map
    }

    /// `None` when it passed, else what went wrong.
    #[must_use]
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }
}

/// Run every expectation of `file` (named `name` in the outcomes). `load` turns each `map`
/// directive into a [`LoadedMap`] (the caller reads the files, relative to the expectation file;
/// see [`LoadedMap::cockroach`] and [`LoadedMap::postgres`]); it is called once per directive,
/// in file order, before any expectation runs.
///
/// # Errors
/// The first map that cannot be loaded.
pub fn run(
    name: &str,
    file: &ExpectFile,
    mut load: impl FnMut(&MapSpec) -> Result<LoadedMap, String>,
) -> Result<Vec<Outcome>, MapError> {
    let mut loaded = Vec::with_capacity(file.maps.len());
    for spec in &file.maps {
        let map =
            load(spec).map_err(|message| MapError { line: spec.line, path: spec.path.clone(), message })?;
        loaded.push(map);
    }
    Ok(file
        .expectations
        .iter()
        .map(|e| {
            let spec = &file.maps[e.map];
            Outcome {
                file: name.to_string(),
                line: e.line,
                text: e.text.clone(),
                map: spec.path.clone(),
                failure: run_check(&e.check, &loaded[e.map], spec.case_insensitive),
            }
        })
        .collect())
}

/// What `identmap test` prints: each failure (`FILE:LINE: FAILED <expectation>: <why>`), then
/// `N passed, N failed`.
#[must_use]
pub fn to_text(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        if let Some(f) = &o.failure {
            let _ = writeln!(out, "{}:{}: FAILED {}: {f}", o.file, o.line, o.text);
        }
    }
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    let _ = writeln!(out, "{} passed, {failed} failed", outcomes.len() - failed);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postgres::Version;

    #[test]
    fn fields_split_quote_and_comment() {
        let f = fields(r#"expect  "a b"	x\y "q\"\\" # comment "#).expect("valid");
        let got: Vec<(&str, bool)> = f.iter().map(|(s, q)| (s.as_str(), *q)).collect();
        assert_eq!(got, [("expect", false), ("a b", true), ("x\\y", false), ("q\"\\", true)]);
        assert_eq!(fields("a#b").expect("valid")[0].0, "a#b", "# inside a field is text");
        assert!(fields("\"open").is_err());
        assert!(fields("\"x\"y").is_err());
        assert!(fields("\"\\n\"").is_err());
    }

    #[test]
    fn parses_both_dialects_and_several_maps() {
        let f = parse_file(
            "# comment\n\nmap a.map case=sensitive\nexpect iss id1 id2 -> u1 u2\nexpect iss \"x y\" -> (none)\n\
             map p.conf pg-version=15 roles=r.json case=insensitive\nallow m sys -> role\ndeny m sys -> other\n",
        )
        .expect("valid");
        assert_eq!(f.maps.len(), 2);
        assert_eq!((f.maps[0].dialect, f.maps[0].case), (Dialect::Cockroach, CaseMode::Sensitive));
        assert_eq!(f.maps[1].dialect, Dialect::Postgres);
        assert_eq!((f.maps[1].pg_version, f.maps[1].case_insensitive), (15, true));
        assert_eq!(f.maps[1].roles.as_deref(), Some("r.json"));
        assert_eq!(f.expectations.len(), 4);
        assert_eq!(
            f.expectations[0].check,
            Check::Users {
                issuer: "iss".into(),
                identities: vec!["id1".into(), "id2".into()],
                users: vec!["u1".into(), "u2".into()]
            }
        );
        assert_eq!((f.expectations[1].line, f.expectations[1].map), (5, 0));
        assert!(matches!(&f.expectations[1].check, Check::Users { users, .. } if users.is_empty()));
        assert!(
            matches!(&f.expectations[3].check, Check::Login { allow: false, role, .. } if role == "other")
        );
        assert_eq!(f.expectations[3].map, 1);
        // The defaults: cockroach insensitive, postgres case-sensitive.
        let d = parse_file("map a.map\nmap b.conf\n").expect("valid");
        assert_eq!((d.maps[0].case, d.maps[1].case_insensitive), (CaseMode::Insensitive, false));
    }

    #[test]
    fn malformed_lines_say_where() {
        let cases = [
            ("expect a b -> c\n", 1, "before any `map`"),
            ("map a.map\nexpect a b c\n", 2, "needs `->`"),
            ("map a.map\nexpect a -> c\n", 2, "identity is missing"),
            ("map a.map\nexpect a b ->\n", 2, "`(none)`"),
            ("map a.map\nexpect a b -> (none) c\n", 2, "cannot be listed"),
            ("map a.map\nallow m s -> r\n", 2, "use `expect`"),
            ("map a.conf\nexpect i s -> r\n", 2, "use `allow` or `deny`"),
            ("map a.conf\n\n\ndeny m -> r\n", 4, "deny MAP SYSTEM-USER -> ROLE"),
            ("map a.conf\ndeny m s -> r r2\n", 2, "deny MAP SYSTEM-USER -> ROLE"),
            ("map\n", 1, "path is missing"),
            ("map a.map case=upper\n", 1, "case must be"),
            ("map a.map pg-version=14\n", 1, "pg-version must be"),
            ("map a.map colour=red\n", 1, "unknown map option"),
            ("map a.map roles=r.json\n", 1, "roles= is for postgres"),
            ("map a.map dialect=oracle\n", 1, "dialect must be"),
            ("mapp a.map\n", 1, "unknown directive `mapp`"),
            ("map a.map\nexpect \"a -> b\n", 2, "unterminated"),
        ];
        for (text, line, needle) in cases {
            let e = parse_file(text).expect_err(text);
            assert_eq!(e.line, line, "{text:?}: {e:?}");
            assert!(e.message.contains(needle), "{text:?}: {e:?}");
        }
    }

    #[test]
    fn cockroach_and_postgres_checks_run_through_the_engines() {
        let m = LoadedMap::cockroach(
            "iss /^(.*)@example\\.com$ \\1\niss alice@example.com analytics",
            CaseMode::Insensitive,
        )
        .expect("valid");
        let users = |ids: &[&str], us: &[&str]| Check::Users {
            issuer: "iss".into(),
            identities: ids.iter().map(|s| (*s).to_string()).collect(),
            users: us.iter().map(|s| (*s).to_string()).collect(),
        };
        assert_eq!(run_check(&users(&["Alice@Example.com"], &["analytics", "alice"]), &m, false), None);
        assert_eq!(
            run_check(&users(&["alice@example.com"], &["alice"]), &m, false).as_deref(),
            Some("expected alice; got alice, analytics")
        );
        assert_eq!(run_check(&users(&["eve@evil.com"], &[]), &m, false), None);
        let other =
            Check::Users { issuer: "other".into(), identities: vec!["x".into()], users: vec!["x".into()] };
        assert_eq!(
            run_check(&other, &m, false).as_deref(),
            Some("expected x; got (none) (no rule has this issuer)")
        );

        let file = IdentFile::parse_str("m /^(.*)@corp$ \\1\nm Bob bob\n", Version::V16);
        let p = LoadedMap::postgres(file, Roles::new()).expect("no errors");
        let login = |allow: bool, sys: &str, role: &str| Check::Login {
            allow,
            map: "m".into(),
            system_user: sys.into(),
            role: role.into(),
        };
        assert_eq!(run_check(&login(true, "ann@corp", "ann"), &p, false), None);
        assert_eq!(run_check(&login(false, "ann@corp", "bob"), &p, false), None);
        let f = run_check(&login(true, "bob", "bob"), &p, false).expect("fails: case-sensitive");
        assert!(f.starts_with("expected allow, got deny"), "{f}");
        assert_eq!(run_check(&login(true, "bob", "bob"), &p, true), None, "krb_caseins_users");
    }
}
