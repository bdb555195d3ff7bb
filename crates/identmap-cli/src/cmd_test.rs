//! `identmap test`: run expectation files against maps, like a test suite.
//!
//! The format (documented in the README, "Testing a map"): one directive per line; `#` at the
//! start of a field starts a comment; fields are separated by blanks and a field may be written
//! in double quotes (`"a b"`, with `\"` and `\\`).
//!
//! ```text
//! map PATH [dialect=cockroach|postgres] [case=insensitive|sensitive] [pg-version=15..18] [roles=FILE]
//! expect ISSUER IDENTITY [IDENTITY…] -> USER [USER…]     (cockroach: exactly these users)
//! expect ISSUER IDENTITY -> (none)                       (cockroach: no user)
//! allow MAP SYSTEM-USER -> ROLE                          (postgres: the login is allowed)
//! deny  MAP SYSTEM-USER -> ROLE                          (postgres: the login is denied)
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use identmap::cockroach::{CaseMode, Options, Ruleset};
use identmap::postgres::{Decision, IdentFile, Roles, Version};
use identmap::Matcher;
use identmap_cli::input;

/// Arguments of `identmap test`.
#[derive(Debug, clap::Args)]
pub(crate) struct TestArgs {
    /// Expectation files (see "Testing a map" in the README).
    #[arg(required = true)]
    files: Vec<String>,
    /// Postgres: the role graph for maps without `roles=`, a JSON file `{"member": ["role", …]}`.
    #[arg(long, value_name = "FILE")]
    roles: Option<String>,
    /// Also write the results as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<String>,
}

/// A malformed expectation file: where and why.
#[derive(Debug, PartialEq, Eq)]
struct Malformed {
    line: usize,
    message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MapDialect {
    Cockroach,
    Postgres,
}

/// A `map` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
struct MapSpec {
    line: usize,
    path: String,
    dialect: MapDialect,
    /// Cockroach: case-sensitive matching (older releases). Postgres: `krb_caseins_users`.
    case_flip: bool,
    pg_version: u8,
    roles: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Check {
    /// Cockroach: these identities under this issuer map to exactly these users.
    Users { issuer: String, identities: Vec<String>, users: Vec<String> },
    /// Postgres: `allow` (true) or `deny` (false).
    Login { allow: bool, map: String, system_user: String, role: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Expectation {
    line: usize,
    /// The line as written (trimmed), to name the test case.
    text: String,
    /// Index into the map list.
    map: usize,
    check: Check,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct ExpectFile {
    maps: Vec<MapSpec>,
    expectations: Vec<Expectation>,
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
                    ("expect", MapDialect::Cockroach) => {
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
                    ("allow" | "deny", MapDialect::Postgres) => {
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
                    ("expect", MapDialect::Postgres) => {
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
    let auto = if Path::new(path).extension().is_some_and(|e| e == "conf") {
        MapDialect::Postgres
    } else {
        MapDialect::Cockroach
    };
    let mut spec = MapSpec {
        line,
        path: (*path).to_string(),
        dialect: auto,
        case_flip: false,
        pg_version: 16,
        roles: None,
    };
    let mut case = None;
    for opt in options {
        let Some((key, value)) = opt.split_once('=') else {
            return Err(format!("map option `{opt}` is not `key=value`"));
        };
        match key {
            "dialect" => {
                spec.dialect = match value {
                    "cockroach" => MapDialect::Cockroach,
                    "postgres" => MapDialect::Postgres,
                    _ => return Err(format!("dialect must be cockroach or postgres, not `{value}`")),
                }
            }
            "case" => {
                case = Some(match value {
                    "sensitive" => true,
                    "insensitive" => false,
                    _ => return Err(format!("case must be sensitive or insensitive, not `{value}`")),
                })
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
    // `case_flip` is the non-default mode of each dialect: cockroach defaults to insensitive,
    // postgres to sensitive.
    spec.case_flip = match (spec.dialect, case) {
        (MapDialect::Cockroach, Some(sensitive)) => sensitive,
        (MapDialect::Postgres, Some(sensitive)) => !sensitive,
        (_, None) => false,
    };
    if spec.dialect == MapDialect::Cockroach && spec.roles.is_some() {
        return Err("roles= is for postgres maps".into());
    }
    Ok(spec)
}

/// A map, loaded and ready to answer.
enum Loaded {
    Cockroach(Matcher),
    Postgres(IdentFile, Roles),
}

fn load_map(spec: &MapSpec, base: &Path, default_roles: Option<&str>) -> Result<Loaded, String> {
    let path = base.join(&spec.path);
    let name = path.to_string_lossy().into_owned();
    match spec.dialect {
        MapDialect::Cockroach => {
            let src = input::read_source(&name)?;
            let text = if input::is_sql(&name) { input::identity_map_of_sql(&src)?.1 } else { src.text };
            let case = if spec.case_flip { CaseMode::Sensitive } else { CaseMode::Insensitive };
            let rules = Ruleset::parse(&text, Options::new().case(case))
                .map_err(|e| format!("{name}: CockroachDB rejects this config: {e}"))?;
            Ok(Loaded::Cockroach(Matcher::new(&rules).map_err(|e| format!("{name}: {e}"))?))
        }
        MapDialect::Postgres => {
            let version = Version::from_major(u64::from(spec.pg_version))
                .ok_or_else(|| format!("unsupported PostgreSQL version {}", spec.pg_version))?;
            let file = IdentFile::load(&name, &input::FsResolver, version)
                .map_err(|e| format!("{name}: {}", e.reason()))?;
            if let Some(e) = file.errors().next() {
                return Err(format!(
                    "{}:{}: {} (PostgreSQL {} loads no map from this file)",
                    e.location().file(),
                    e.location().line(),
                    e.message(),
                    spec.pg_version
                ));
            }
            let roles = match (&spec.roles, default_roles) {
                (Some(r), _) => input::read_role_graph(&base.join(r).to_string_lossy())?,
                (None, Some(r)) => input::read_role_graph(r)?,
                (None, None) => Roles::new(),
            };
            Ok(Loaded::Postgres(file, roles))
        }
    }
}

/// The outcome of one expectation: `None` when it passed, else what went wrong.
fn run_one(check: &Check, map: &Loaded, case_flip: bool) -> Option<String> {
    match (check, map) {
        (Check::Users { issuer, identities, users }, Loaded::Cockroach(m)) => {
            let mut got: Vec<String> = Vec::new();
            let mut found = false;
            for id in identities {
                let r = m.map(issuer, id);
                found |= r.map_found();
                got.extend(r.users().iter().map(|u| u.to_string()));
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
        (Check::Login { allow, map, system_user, role }, Loaded::Postgres(file, roles)) => {
            let mut roles = roles.clone();
            roles.add(role);
            let c = file.check(map, system_user, role, case_flip, &roles);
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
        // parse_file only pairs checks with maps of their dialect.
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

struct CaseResult {
    file: String,
    line: usize,
    text: String,
    map: String,
    failure: Option<String>,
}

pub(crate) fn run(args: &TestArgs) -> Result<ExitCode, String> {
    let mut results: Vec<CaseResult> = Vec::new();
    let mut out = String::new();
    for name in &args.files {
        let src = input::read_source(name)?;
        let parsed = parse_file(&src.text).map_err(|m| format!("{name}:{}: {}", m.line, m.message))?;
        if parsed.expectations.is_empty() {
            return Err(format!("{name}: no expectations (`expect`, `allow` or `deny` lines)"));
        }
        let base: PathBuf = if name == "-" {
            PathBuf::new()
        } else {
            Path::new(name).parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let mut loaded = Vec::with_capacity(parsed.maps.len());
        for spec in &parsed.maps {
            let map = load_map(spec, &base, args.roles.as_deref())
                .map_err(|e| format!("{}:{}: map {}: {e}", src.name, spec.line, spec.path))?;
            loaded.push(map);
        }
        for e in &parsed.expectations {
            let spec = &parsed.maps[e.map];
            let failure = run_one(&e.check, &loaded[e.map], spec.case_flip);
            if let Some(f) = &failure {
                let _ = writeln!(out, "{}:{}: FAILED {}: {f}", src.name, e.line, e.text);
            }
            results.push(CaseResult {
                file: src.name.clone(),
                line: e.line,
                text: e.text.clone(),
                map: spec.path.clone(),
                failure,
            });
        }
    }
    let failed = results.iter().filter(|r| r.failure.is_some()).count();
    let _ = writeln!(out, "{} passed, {failed} failed", results.len() - failed);
    print!("{out}");
    if let Some(path) = &args.junit {
        let xml = junit(&results)?;
        std::fs::write(path, xml).map_err(|e| format!("{path}: {e}"))?;
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// JUnit XML: one test suite per expectation file, one test case per expectation.
fn junit(results: &[CaseResult]) -> Result<String, String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("identmap test");
    let mut suites: Vec<TestSuite> = Vec::new();
    for r in results {
        if suites.last().is_none_or(|s| s.name.as_str() != r.file) {
            suites.push(TestSuite::new(r.file.as_str()));
        }
        let status = match &r.failure {
            None => TestCaseStatus::success(),
            Some(f) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(f.as_str());
                s.set_type("expectation");
                s
            }
        };
        let mut case = TestCase::new(format!("line {}: {}", r.line, r.text), status);
        case.set_classname(r.map.as_str());
        if let Some(suite) = suites.last_mut() {
            suite.add_test_case(case);
        }
    }
    report.add_test_suites(suites);
    report.to_string().map_err(|e| format!("writing JUnit XML: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(f.maps[0].case_flip && f.maps[0].dialect == MapDialect::Cockroach);
        assert_eq!(f.maps[1].dialect, MapDialect::Postgres);
        assert_eq!((f.maps[1].pg_version, f.maps[1].case_flip), (15, true));
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
        let rules =
            Ruleset::parse("iss /^(.*)@example\\.com$ \\1\niss alice@example.com analytics", Options::new())
                .expect("valid");
        let m = Loaded::Cockroach(Matcher::new(&rules).expect("builds"));
        let users = |ids: &[&str], us: &[&str]| Check::Users {
            issuer: "iss".into(),
            identities: ids.iter().map(|s| (*s).to_string()).collect(),
            users: us.iter().map(|s| (*s).to_string()).collect(),
        };
        assert_eq!(run_one(&users(&["Alice@Example.com"], &["analytics", "alice"]), &m, false), None);
        assert_eq!(
            run_one(&users(&["alice@example.com"], &["alice"]), &m, false).as_deref(),
            Some("expected alice; got alice, analytics")
        );
        assert_eq!(run_one(&users(&["eve@evil.com"], &[]), &m, false), None);
        let other =
            Check::Users { issuer: "other".into(), identities: vec!["x".into()], users: vec!["x".into()] };
        assert_eq!(
            run_one(&other, &m, false).as_deref(),
            Some("expected x; got (none) (no rule has this issuer)")
        );

        let file = IdentFile::parse_str("m /^(.*)@corp$ \\1\nm Bob bob\n", Version::V16);
        let p = Loaded::Postgres(file, Roles::new());
        let login = |allow: bool, sys: &str, role: &str| Check::Login {
            allow,
            map: "m".into(),
            system_user: sys.into(),
            role: role.into(),
        };
        assert_eq!(run_one(&login(true, "ann@corp", "ann"), &p, false), None);
        assert_eq!(run_one(&login(false, "ann@corp", "bob"), &p, false), None);
        let f = run_one(&login(true, "bob", "bob"), &p, false).expect("fails: case-sensitive");
        assert!(f.starts_with("expected allow, got deny"), "{f}");
        assert_eq!(run_one(&login(true, "bob", "bob"), &p, true), None, "krb_caseins_users");
    }
}
