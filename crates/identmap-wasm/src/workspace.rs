//! The loaded workspace: what the page's editors hold, parsed once per change.

use std::cell::RefCell;
use std::sync::Arc;

use identmap::cockroach::{CaseMode, Options, Ruleset};
use identmap::postgres::{IdentFile, MemoryFiles, Roles, Version};
use identmap::report::{CockroachMap, PostgresCheck, TraceStep};
use identmap::sql::parse_settings;
use identmap::sso::JwtSettings;
use identmap::Matcher;

use identmap_lint::{lint, Config, Input, Positions, Report};
use identmap_sso::Simulator;
use serde_json::{json, Value};

/// The deepest regex nesting the playground evaluates (Go allows 1000): a browser's stack is
/// smaller than a native thread's, and compiling or analysing a pattern nested several hundred
/// deep overflows it (under Node: from about 400 levels, once the code is optimized). 260 keeps
/// every recorded case (the deepest, Go's own test, nests 251 capture groups) and, measured under
/// Node, load, lint and map at this height 30 times in a row for five shapes of nesting. Deeper
/// patterns are refused as identmap's limit, never as CockroachDB's.
const MAX_NESTING: u32 = 260;

/// The name the main postgres file has (includes resolve against it).
const PG_MAIN: &str = "pg_ident.conf";
/// The name the cockroach map has in findings.
const CRDB_MAIN: &str = "identity_map";

/// The map, its extra files, the settings and the role graph, parsed.
#[derive(Debug)]
pub(crate) struct Workspace {
    rules_text: String,
    settings_text: String,
    settings: JwtSettings,
    settings_summary: Value,
    kind: Kind,
    /// The SSO simulator for the last JWK set and claim asked with, built on first use.
    simulator: RefCell<Option<(SimulatorKey, Simulator)>>,
}

/// What a [`Simulator`] was built with beyond the loaded settings: the JWK set and the claim.
type SimulatorKey = (Option<String>, Option<String>);

#[derive(Debug)]
enum Kind {
    Cockroach {
        case: CaseMode,
        /// Every rule that parsed (the lint and the trace's rule ranges read them).
        parsed: Arc<Ruleset>,
        /// The map's first error, if it does not load: CockroachDB's refusal, or identmap's limit.
        error: Option<identmap::cockroach::Error>,
        /// The compiled map, or the sentence that says why there is none.
        matcher: Result<Arc<Matcher>, String>,
    },
    Postgres {
        version: Version,
        files: MemoryFiles,
        /// The loaded file, indexed once per load (`matcher.file()` is the file).
        matcher: identmap::postgres::Matcher,
        roles: Result<Roles, String>,
    },
}

fn str_field<'a>(v: &'a Value, name: &str) -> Result<Option<&'a str>, String> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("field {name:?} is not a string")),
    }
}

fn bool_field(v: &Value, name: &str) -> Result<bool, String> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("field {name:?} is not a boolean")),
    }
}

/// `{"from", "to"}`: the UTF-16 range of a byte span of a text.
fn range(text: &Positions<'_>, span: identmap::Span) -> Value {
    json!({"from": text.utf16(span.start), "to": text.utf16(span.end)})
}

/// What the page shows of a trace row beyond the CLI's JSON: the UTF-16 `ranges` of the matched
/// text and each capture in the identity, and the `outcome_text` the CLI prints.
/// And the UTF-16 ranges of the rule, its pattern and its user in the rules text (`rule_range`,
/// `pattern_range`, `user_range`), to jump to and highlight.
fn add_step_fields(row: &mut Value, step: &TraceStep, rules: &Ruleset, text: &Positions<'_>) {
    let id = Positions::new(step.identity());
    row["ranges"] = step.capture_spans().iter().map(|c| c.map_or(Value::Null, |sp| range(&id, sp))).collect();
    row["outcome_text"] = json!(step.outcome_text());
    if let Some(rule) = rules.rules().get(step.rule_index()) {
        row["rule_range"] = range(text, rule.span());
        row["pattern_range"] = range(text, rule.identity().span());
        row["user_range"] = range(text, rule.user().span());
        // The one `\1` CockroachDB substitutes (the first), not any other `\N` in the user.
        if let Some(at) = rule.substitute_at() {
            let start = rule.user().span().start + at;
            row["substitution_range"] = range(text, identmap::Span::new(start, start + 2));
        }
    }
}

impl Workspace {
    pub(crate) fn load(r: &Value) -> Result<Workspace, String> {
        let rules_text = str_field(r, "rules")?.ok_or("field \"rules\" is required")?.to_string();
        let settings_text = str_field(r, "settings")?.unwrap_or("").to_string();
        let parsed_settings = parse_settings(&settings_text);
        let settings = JwtSettings::from_sql(&parsed_settings);
        let settings_pos = Positions::new(&settings_text);
        let settings_summary = json!({
            "statements": parsed_settings.all().len(),
            "errors": parsed_settings.errors().iter().map(|e| {
                let mut v = range(&settings_pos, e.span());
                v["message"] = json!(e.message());
                v
            }).collect::<Vec<_>>(),
            "problems": settings.problems().iter().map(|p| {
                let mut v = p.span().map_or_else(|| json!({}), |s| range(&settings_pos, s));
                v["setting"] = json!(p.setting());
                v["message"] = json!(p.message());
                v
            }).collect::<Vec<_>>(),
            "map_in_settings": settings.identity_map().is_some(),
            "identity_map": settings.identity_map(),
        });
        let kind = match str_field(r, "dialect")?.unwrap_or("cockroach") {
            "cockroach" => {
                let case = match str_field(r, "case")?.unwrap_or("insensitive") {
                    "insensitive" => CaseMode::Insensitive,
                    "sensitive" => CaseMode::Sensitive,
                    other => return Err(format!("unknown case mode {other:?}")),
                };
                let options = Options::new().case(case).max_nesting(MAX_NESTING);
                let recovered = Ruleset::parse_recovering(&rules_text, options);
                let error = recovered.errors().first().cloned();
                let parsed = Arc::new(recovered.ruleset().clone());
                let matcher = match &error {
                    Some(e) => Err(e.verdict()),
                    None => Matcher::new(&parsed).map(Arc::new).map_err(|e| {
                        format!("identmap cannot evaluate this config: {e} (CockroachDB accepts it)")
                    }),
                };
                Kind::Cockroach { case, parsed, error, matcher }
            }
            "postgres" => {
                let major = match r.get("pg_version") {
                    None | Some(Value::Null) => 16,
                    Some(v) => v.as_u64().ok_or("field \"pg_version\" is not a whole number (15 to 18)")?,
                };
                let version = Version::from_major(major)
                    .ok_or_else(|| format!("PostgreSQL {major} is not one of 15, 16, 17 or 18"))?;
                let mut files = MemoryFiles::new();
                if let Some(extra) = r.get("files") {
                    let extra = extra.as_object().ok_or("field \"files\" is not an object")?;
                    for (path, text) in extra {
                        let text = text.as_str().ok_or_else(|| format!("file {path:?} is not a string"))?;
                        files.insert(path, text);
                    }
                }
                files.insert(PG_MAIN, rules_text.as_str());
                let file = IdentFile::load(PG_MAIN, &files, version).map_err(|e| e.reason().to_string())?;
                let roles = match str_field(r, "roles")?.map(str::trim).filter(|t| !t.is_empty()) {
                    None => Ok(Roles::new()),
                    Some(t) => serde_json::from_str(t)
                        .map_err(|e| format!("role graph: {e}"))
                        .and_then(|v| Roles::from_json(&v).map_err(|e| format!("role graph: {e}"))),
                };
                let matcher = identmap::postgres::Matcher::new(&file);
                Kind::Postgres { version, files, matcher, roles }
            }
            other => return Err(format!("unknown dialect {other:?}")),
        };
        Ok(Workspace {
            rules_text,
            settings_text,
            settings,
            settings_summary,
            kind,
            simulator: RefCell::default(),
        })
    }

    /// What the page shows right after a change: accepted or not (and why), how many rules, their
    /// map names. Small whatever the map's size: it is answered on every keystroke.
    pub(crate) fn summary(&self) -> Value {
        match &self.kind {
            Kind::Cockroach { parsed, error, matcher, .. } => {
                let text = &Positions::new(&self.rules_text);
                json!({
                    "dialect": "cockroach",
                    // identmap's own limits leave the map accepted by CockroachDB, but unanswered.
                    "accepted": error.as_ref().is_none_or(|e| !e.is_cockroach_verdict()),
                    "answered": matcher.is_ok(),
                    "verdict": matcher.as_ref().err().map_or("CockroachDB accepts this map", String::as_str),
                    "error": error.as_ref().map(|e| e.message()),
                    "error_range": error.as_ref().map(|e| range(text, e.span())),
                    "rules": parsed.rules().len(),
                    "map_names": parsed.map_names(),
                    "settings": self.settings_summary,
                })
            }
            Kind::Postgres { matcher, roles, .. } => {
                let file = matcher.file();
                let errors: Vec<Value> = file
                    .errors()
                    .map(|e| {
                        let loc = e.location();
                        json!({"file": loc.file(), "line": loc.line(), "message": e.message()})
                    })
                    .collect();
                let loaded = errors.is_empty();
                json!({
                    "dialect": "postgres",
                    "accepted": loaded,
                    "answered": loaded,
                    "verdict": if loaded {
                        "PostgreSQL loads this file"
                    } else {
                        "PostgreSQL loads no map from this file at startup and keeps the previous one on reload"
                    },
                    "errors": errors,
                    "map_names": file.map_names(),
                    "roles_error": roles.as_ref().err(),
                    "settings": self.settings_summary,
                })
            }
        }
    }

    fn lint_report(&self) -> Report {
        match &self.kind {
            Kind::Cockroach { case, .. } => {
                let mut config = Config::new(identmap_lint::Dialect::Cockroach(*case));
                config.set_max_nesting(MAX_NESTING);
                if !self.settings_text.trim().is_empty() {
                    config.set_sso(self.settings.clone());
                }
                lint(&Input::Map { name: CRDB_MAIN, text: &self.rules_text }, &config)
            }
            Kind::Postgres { version, files, .. } => {
                let config = Config::new(identmap_lint::Dialect::Postgres(*version));
                lint(&Input::PgIdent { name: PG_MAIN, text: &self.rules_text, files }, &config)
            }
        }
    }

    pub(crate) fn lint(&self) -> Value {
        let report = self.lint_report();
        let mut out = identmap_lint::report_json(std::slice::from_ref(&report));
        if let Some(list) = out["diagnostics"].as_array_mut() {
            for (v, d) in list.iter_mut().zip(report.diagnostics()) {
                let text = report.positions(d.file());
                v["from"] = json!(text.utf16(d.span().start));
                v["to"] = json!(text.utf16(d.span().end));
                v["main"] = json!(d.file() == CRDB_MAIN || d.file() == PG_MAIN);
                if let (Some(edits), Some(fix)) = (v["fix"]["edits"].as_array_mut(), d.fix()) {
                    for (ev, e) in edits.iter_mut().zip(fix.edits()) {
                        let t = report.positions(e.file());
                        ev["from"] = json!(t.utf16(e.span().start));
                        ev["to"] = json!(t.utf16(e.span().end));
                    }
                }
            }
        }
        out
    }

    pub(crate) fn map(&self, r: &Value) -> Result<Value, String> {
        match &self.kind {
            Kind::Cockroach { parsed, matcher, .. } => {
                let matcher = matcher.as_ref().map_err(Clone::clone)?;
                let issuer = str_field(r, "issuer")?.unwrap_or("");
                let identities: Vec<String> = match r.get("identities") {
                    Some(Value::Array(a)) => a
                        .iter()
                        .map(|v| v.as_str().map(str::to_string).ok_or("an identity is not a string"))
                        .collect::<Result<_, _>>()?,
                    _ => return Err("field \"identities\" is required (a list of strings)".into()),
                };
                let explain = bool_field(r, "explain")?;
                let result = CockroachMap::new(parsed, Some(&**matcher), issuer, &identities, explain);
                let mut out = result.to_json();
                // The browser highlights the matched text and each capture in the identity.
                if let Some(rows) = out["trace"].as_array_mut() {
                    let text = Positions::new(&self.rules_text);
                    for (row, step) in rows.iter_mut().zip(result.trace()) {
                        add_step_fields(row, step, parsed, &text);
                    }
                }
                Ok(out)
            }
            Kind::Postgres { matcher, roles, .. } => {
                let roles = roles.as_ref().map_err(Clone::clone)?;
                let field = |name: &str| -> Result<&str, String> {
                    str_field(r, name)?.ok_or_else(|| format!("field {name:?} is required"))
                };
                let (map, system_user, db_user) = (field("map")?, field("system_user")?, field("db_user")?);
                let case_insensitive = bool_field(r, "case_insensitive")?;
                let explain = bool_field(r, "explain")?;
                let check = PostgresCheck::new(
                    matcher.file(),
                    Some(matcher),
                    map,
                    system_user,
                    db_user,
                    case_insensitive,
                    roles,
                    explain,
                );
                let mut out = check.to_json();
                // The same row fields as the cockroach trace's, for the page's one trace table.
                if let Some(rows) = out["trace"].as_array_mut() {
                    let id = Positions::new(system_user);
                    let main = Positions::new(&self.rules_text);
                    for (row, step) in rows.iter_mut().zip(check.check().trace()) {
                        let at = step.location();
                        let source = matcher.file().source(at.file()).unwrap_or("");
                        row["identity"] = json!(system_user);
                        row["rule"] = json!(source.get(at.span().range()).unwrap_or("").trim());
                        row["matched"] = json!(step.system_user_matched());
                        row["outcome_text"] = row["result"].clone();
                        row["ranges"] = step
                            .captures()
                            .iter()
                            .map(|c| c.map_or(Value::Null, |sp| range(&id, sp)))
                            .collect();
                        row["main"] = json!(at.file() == PG_MAIN);
                        if at.file() == PG_MAIN {
                            row["rule_range"] = range(&main, at.span());
                        }
                    }
                }
                Ok(out)
            }
        }
    }

    pub(crate) fn batch(&self, r: &Value) -> Result<Value, String> {
        match &self.kind {
            Kind::Cockroach { matcher, .. } => {
                let matcher = matcher.as_ref().map_err(Clone::clone)?;
                let issuer = str_field(r, "issuer")?.unwrap_or("");
                let lines = str_field(r, "lines")?.unwrap_or("");
                Ok(identmap::batch::map_lines(matcher, issuer, lines).to_json())
            }
            Kind::Postgres { .. } => Err("the batch table answers for the cockroach dialect".into()),
        }
    }

    pub(crate) fn sso(&self, r: &Value) -> Result<Value, String> {
        let Kind::Cockroach { case, parsed, matcher, .. } = &self.kind else {
            return Err("SSO (JWT) login is CockroachDB's: choose the cockroach dialect".into());
        };
        let token = str_field(r, "token")?.unwrap_or("");
        let jwks = str_field(r, "jwks")?.filter(|t| !t.trim().is_empty()).map(str::to_string);
        let claim = str_field(r, "claim")?.filter(|t| !t.trim().is_empty()).map(str::to_string);
        let now = match r.get("now") {
            None | Some(Value::Null) => return Err("field \"now\" is required (Unix seconds)".into()),
            Some(v) => v.as_i64().ok_or("field \"now\" is not a whole number of Unix seconds")?,
        };
        let skew = match r.get("skew") {
            None | Some(Value::Null) => 0,
            Some(v) => v.as_u64().ok_or("field \"skew\" is not a whole number of seconds")?,
        };
        let mut options = identmap_sso::Options::new(now)
            .case(*case)
            .verify(match r.get("verify") {
                None | Some(Value::Null) => true,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err("field \"verify\" is not a boolean".into()),
            })
            .skew(skew);
        if let Some(u) = str_field(r, "user")?.filter(|u| !u.is_empty()) {
            options = options.user(u);
        }
        // One Simulator (the JWK set read, the map compiled) for as long as the JWK set and the
        // claim the page sends stay the same.
        let mut cache = self.simulator.borrow_mut();
        let key = (jwks, claim);
        if cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let mut settings = self.settings.clone();
            if let Some(j) = &key.0 {
                settings.set_jwks(j.clone());
            }
            if let Some(c) = &key.1 {
                settings.set_claim(c);
            }
            // The map the workspace parsed and compiled, not parsed again.
            let map = matcher.clone().map(|m| (Arc::clone(parsed), m));
            *cache = Some((key, Simulator::with_map(settings, self.rules_text.clone(), *case, map)));
        }
        let sim = &cache.as_ref().ok_or("no simulator")?.1;
        let decision = sim.decide(token, &options);
        let mut out = decision.to_json(bool_field(r, "show_claims")?);
        if let Some(rows) = out["trace"].as_array_mut() {
            // The simulator's map is the workspace's own parsed rules.
            let text = Positions::new(&self.rules_text);
            for (row, step) in rows.iter_mut().zip(decision.trace()) {
                add_step_fields(row, step, parsed, &text);
            }
        }
        Ok(out)
    }
}
