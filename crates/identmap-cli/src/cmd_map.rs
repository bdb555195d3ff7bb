//! `identmap map`.

use std::fmt::Write as _;
use std::process::ExitCode;

use identmap::cockroach::{Options, Ruleset, StepOutcome};
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
    let mut traces = Vec::new();
    let mut users = Vec::new();
    let mut map_found = false;
    for id in &args.identity {
        let ex = rules.explain(issuer, id);
        map_found |= ex.result.map_found();
        users.extend(ex.result.users().iter().cloned());
        traces.push((id.clone(), ex));
    }
    let jwt_users = rules.jwt_candidates(issuer, &args.identity);
    let hba_error = match args.identity.as_slice() {
        [one] => Ruleset::hba_error(one, &rules.map(issuer, one)),
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

pub(crate) fn postgres_map(src: &Source, args: &MapArgs) -> Result<ExitCode, String> {
    let _ = (src, args);
    Err("the postgres dialect is not wired into the CLI yet".into())
}

pub(crate) fn postgres_check(src: &Source, opts: &DialectOpts) -> Result<ExitCode, String> {
    let _ = (src, opts);
    Err("the postgres dialect is not wired into the CLI yet".into())
}
