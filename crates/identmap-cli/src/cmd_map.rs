//! `identmap map`.

use std::fmt::Write as _;
use std::process::ExitCode;

use identmap::cockroach::{Options, Ruleset, StepOutcome};
use identmap::postgres::{Decision, IdentFile, Roles, Version};
use identmap::Matcher;
use identmap_cli::input::{self, Source};
use serde_json::{json, Value};

use crate::{DialectArg, DialectOpts, Format};

/// Arguments of `identmap map`.
#[derive(Debug, clap::Args)]
pub(crate) struct MapArgs {
    /// The map file (`-` for stdin); `.sql` files are read too.
    file: String,
    #[command(flatten)]
    dialect: DialectOpts,
    /// Cockroach: the issuer (JWT `iss`) or HBA map name.
    #[arg(long)]
    issuer: Option<String>,
    /// Cockroach: the identity (repeat for an array claim).
    #[arg(long)]
    identity: Vec<String>,
    /// Postgres: the map name (`map=` in pg_hba.conf).
    #[arg(long)]
    map: Option<String>,
    /// Postgres: the system user the authentication method found.
    #[arg(long)]
    system_user: Option<String>,
    /// Postgres: the requested database role.
    #[arg(long)]
    db_user: Option<String>,
    /// Postgres: a JSON file of role memberships, `{"member": ["role", …], …}`.
    #[arg(long)]
    role_graph: Option<String>,
    /// Postgres: case-insensitive literal comparisons (`krb_caseins_users`, SSPI).
    #[arg(long)]
    case_insensitive: bool,
    /// Show every rule tried, with its captures and the user it produced.
    #[arg(long)]
    explain: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Which evaluator answers (`--explain` traces always come from the reference evaluator).
    #[arg(long, value_enum, default_value = "matcher")]
    engine: Engine,
}

/// Which evaluator answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Engine {
    /// The compiled matcher.
    Matcher,
    /// The reference evaluator: the plain per-rule loop.
    Reference,
}

pub(crate) fn run(args: &MapArgs) -> Result<ExitCode, String> {
    let src = input::read_source(&args.file)?;
    match args.dialect.resolve(&args.file) {
        DialectArg::Postgres => postgres_map(&src, args),
        _ => cockroach(&src, args),
    }
}

fn cockroach(src: &Source, args: &MapArgs) -> Result<ExitCode, String> {
    let issuer = args.issuer.as_deref().ok_or("cockroach dialect: --issuer is required")?;
    if args.identity.is_empty() {
        return Err("cockroach dialect: --identity is required (repeat it for an array claim)".into());
    }
    let text = if input::is_sql(&src.name) { input::identity_map_of_sql(src)?.1 } else { src.text.clone() };
    let case = args.dialect.case();
    let rules = match Ruleset::parse(&text, Options::new().case(case)) {
        Ok(r) => r,
        Err(e) => {
            return Err(format!(
                "{}: CockroachDB rejects this config: {e} (run `identmap check` for details)",
                src.name
            ));
        }
    };
    // The answer comes from the compiled Matcher (or the reference evaluator with
    // `--engine reference`); the explain trace always from the reference evaluator, which gives
    // the same users by construction (property-tested).
    let matcher = match args.engine {
        Engine::Matcher => Some(Matcher::new(&rules).map_err(|e| format!("{}: {e}", src.name))?),
        Engine::Reference => None,
    };
    let mut traces = Vec::new();
    let mut users: Vec<String> = Vec::new();
    let mut map_found = false;
    for id in &args.identity {
        match &matcher {
            Some(m) => {
                let r = m.map(issuer, id);
                map_found |= r.map_found();
                users.extend(r.users().iter().map(|u| u.to_string()));
            }
            None => {
                let r = rules.map(issuer, id);
                map_found |= r.map_found();
                users.extend(r.into_users());
            }
        }
        if args.explain {
            traces.push((id.clone(), rules.explain(issuer, id)));
        }
    }
    let jwt_users = match &matcher {
        Some(m) => m.jwt_candidates(issuer, &args.identity),
        None => rules.jwt_candidates(issuer, &args.identity),
    };
    // Like the conformance records: the HBA mapper's refusal for a single identity only.
    let hba_error = match args.identity.as_slice() {
        [one] => identmap::cockroach::hba_error(one, map_found, &users),
        _ => None,
    };
    match args.format {
        Format::Json => {
            let mut out = json!({"map_found": map_found, "users": users, "jwt_users": jwt_users});
            if let Some(e) = &hba_error {
                out["hba_error"] = Value::String(e.clone());
            }
            if args.explain {
                let rules = &rules;
                out["trace"] = traces
                    .iter()
                    .flat_map(|(id, ex)| {
                        ex.steps.iter().map(move |s| {
                            let rule = &rules.rules()[s.rule];
                            json!({
                                "identity": id,
                                "line": s.line,
                                "rule": format!("{} {} {}", rule.map_name().text(), rule.identity().text(), rule.user().text()),
                                "matched": s.matched(),
                                "captures": s.captures,
                                "produced": s.produced,
                                "outcome": outcome_name(&s.outcome),
                                "user": outcome_user(&s.outcome),
                            })
                        })
                    })
                    .collect();
            }
            println!("{out}");
        }
        Format::Text => {
            let mut out = String::new();
            for (id, ex) in &traces {
                if args.explain {
                    let _ = writeln!(out, "identity {id:?} under map {issuer:?} ({} mode):", case.name());
                    if ex.steps.is_empty() {
                        let _ = writeln!(out, "  no rule has this map name");
                    }
                    for s in &ex.steps {
                        let rule = &rules.rules()[s.rule];
                        let what = match &s.outcome {
                            StepOutcome::NoMatch => "no match".to_string(),
                            StepOutcome::Added(u) => format!("matched -> {u}"),
                            StepOutcome::Duplicate(u) => format!("matched -> {u} (duplicate, dropped)"),
                            StepOutcome::EmptyUser => {
                                "matched, but the user is empty: counts as no match".to_string()
                            }
                            _ => "?".to_string(),
                        };
                        let caps: Vec<String> = s
                            .captures
                            .iter()
                            .enumerate()
                            .skip(1)
                            .map(|(i, c)| {
                                format!(
                                    "\\{i}={}",
                                    c.as_deref().map_or("(none)".to_string(), |t| format!("{t:?}"))
                                )
                            })
                            .collect();
                        let _ = writeln!(
                            out,
                            "  line {:>3}  {} {} {}  {what}{}",
                            s.line,
                            rule.map_name().text(),
                            rule.identity().text(),
                            rule.user().text(),
                            if caps.is_empty() { String::new() } else { format!("  [{}]", caps.join(" ")) }
                        );
                    }
                }
            }
            if !map_found {
                let _ = writeln!(out, "map {issuer:?}: not found (no rule has this map name)");
            }
            let _ = writeln!(
                out,
                "users: {}",
                if users.is_empty() { "(none)".to_string() } else { users.join(", ") }
            );
            let _ = writeln!(
                out,
                "jwt candidates: {}",
                if jwt_users.is_empty() {
                    "(none: JWT login fails with \"invalid principal\")".to_string()
                } else {
                    jwt_users.join(", ")
                }
            );
            if let Some(e) = &hba_error {
                let _ = writeln!(out, "HBA mapper refuses: {e}");
            }
            print!("{out}");
        }
    }
    Ok(if users.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn outcome_name(o: &StepOutcome) -> &'static str {
    match o {
        StepOutcome::NoMatch => "no_match",
        StepOutcome::Added(_) => "added",
        StepOutcome::Duplicate(_) => "duplicate",
        StepOutcome::EmptyUser => "empty_user",
        _ => "other",
    }
}

fn outcome_user(o: &StepOutcome) -> Option<&str> {
    match o {
        StepOutcome::Added(u) | StepOutcome::Duplicate(u) => Some(u),
        _ => None,
    }
}

/// A resolver that serves standard input as the main file and the file system for the rest.
struct StdinFirst<'a> {
    text: &'a str,
}

const STDIN_PATH: &str = "<stdin>";

impl identmap::postgres::FileResolver for StdinFirst<'_> {
    fn read(&self, path: &str) -> Result<String, identmap::postgres::FileError> {
        if path == STDIN_PATH {
            Ok(self.text.to_string())
        } else {
            input::FsResolver.read(path)
        }
    }

    fn read_dir(&self, path: &str) -> Result<Vec<String>, identmap::postgres::FileError> {
        input::FsResolver.read_dir(path)
    }
}

fn pg_version(opts: &DialectOpts) -> Result<Version, String> {
    Version::from_major(u64::from(opts.pg_version))
        .ok_or_else(|| format!("unsupported PostgreSQL version {}", opts.pg_version))
}

/// Load a pg_ident.conf with its includes (from the file system; `-` is stdin).
pub(crate) fn load_pg(src: &Source, opts: &DialectOpts) -> Result<IdentFile, String> {
    let version = pg_version(opts)?;
    let (path, resolver) = if src.name == "<stdin>" {
        (STDIN_PATH.to_string(), StdinFirst { text: &src.text })
    } else {
        (src.name.clone(), StdinFirst { text: "" })
    };
    IdentFile::load(&path, &resolver, version).map_err(|e| format!("{path}: {}", e.reason()))
}

pub(crate) fn postgres_map(src: &Source, args: &MapArgs) -> Result<ExitCode, String> {
    let map = args.map.as_deref().ok_or("postgres dialect: --map is required")?;
    let system_user = args.system_user.as_deref().ok_or("postgres dialect: --system-user is required")?;
    let db_user = args.db_user.as_deref().ok_or("postgres dialect: --db-user is required")?;
    let file = load_pg(src, &args.dialect)?;
    let mut roles = match &args.role_graph {
        Some(path) => input::read_role_graph(path)?,
        None => Roles::new(),
    };
    roles.add(db_user);
    // The compiled Matcher decides (the same decision and log lines, property-tested); the
    // reference check with `--engine reference`, and for `--explain`, whose trace lists every
    // line of the map (the Matcher's lists only the lines it tried).
    let check = if args.engine == Engine::Matcher && !args.explain {
        identmap::postgres::Matcher::new(&file).check(
            map,
            system_user,
            db_user,
            args.case_insensitive,
            &roles,
        )
    } else {
        file.check(map, system_user, db_user, args.case_insensitive, &roles)
    };
    let decision = match check.decision() {
        Decision::Allow => "allow",
        Decision::Deny => "deny",
        _ => "unsupported",
    };
    match args.format {
        Format::Json => {
            let mut out =
                json!({"decision": decision, "log": check.log(), "file_loaded": check.file_loaded()});
            if let Decision::Unsupported { reason, location } = check.decision() {
                out["reason"] = json!(format!("{location}: {reason}"));
            }
            if args.explain {
                out["trace"] = check
                    .trace()
                    .iter()
                    .map(|t| {
                        json!({
                            "file": t.location().file(),
                            "line": t.location().line(),
                            "system_user_matched": t.system_user_matched(),
                            "captures": t.captures().iter().map(|c| c.map(|sp| system_user.get(sp.range()).unwrap_or(""))).collect::<Vec<_>>(),
                            "produced_role": t.produced_role(),
                            "result": t.to_string(),
                        })
                    })
                    .collect();
            }
            println!("{out}");
        }
        Format::Text => {
            let mut out = String::new();
            if !check.file_loaded() {
                let _ = writeln!(out, "{}: the file has errors: PostgreSQL loads no map from it at startup and keeps the previous one on reload (run `identmap check`)", src.name);
            }
            if args.explain {
                let _ =
                    writeln!(out, "map {map:?}, system user {system_user:?}, requested role {db_user:?}:");
                if check.trace().is_empty() {
                    let _ = writeln!(out, "  no line of this map was tried");
                }
                for t in check.trace() {
                    let _ = writeln!(out, "  {t}");
                }
            }
            match check.decision() {
                Decision::Unsupported { reason, location } => {
                    let _ = writeln!(
                        out,
                        "unsupported: identmap cannot evaluate {location} faithfully: {reason}"
                    );
                }
                _ => {
                    let _ = writeln!(out, "{decision}");
                }
            }
            for l in check.log() {
                let _ = writeln!(out, "  LOG: {l}");
            }
            print!("{out}");
        }
    }
    Ok(if matches!(check.decision(), Decision::Allow) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
