//! `identmap map`.

use std::process::ExitCode;

use identmap::cockroach::{Options, Ruleset};
use identmap::postgres::{IdentFile, Roles, Version};
use identmap::report::{CockroachMap, PostgresCheck};
use identmap::{Engine, Matcher};
use identmap_cli::input::{self, Source};

use identmap::Dialect;

use crate::{DialectOpts, Format};

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

pub(crate) fn run(args: &MapArgs) -> Result<ExitCode, String> {
    let src = input::read_source(&args.file)?;
    match args.dialect.resolve(&args.file) {
        Dialect::Postgres => postgres_map(&src, args),
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
            return Err(format!("{}: {} (run `identmap check` for details)", src.name, e.verdict()));
        }
    };
    // The answer comes from the compiled Matcher (or the reference evaluator with
    // `--engine reference`); the explain trace always from the reference evaluator.
    let matcher = match args.engine {
        Engine::Matcher => Some(Matcher::new(&rules).map_err(|e| format!("{}: {e}", src.name))?),
        Engine::Reference => None,
    };
    let report = CockroachMap::new(&rules, matcher.as_ref(), issuer, &args.identity, args.explain);
    match args.format {
        Format::Json => outln!("{}", report.to_json())?,
        Format::Text => out!("{}", report.to_text())?,
    }
    Ok(if report.users().is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
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
    let roles = match &args.role_graph {
        Some(path) => input::read_role_graph(path)?,
        None => Roles::new(),
    };
    let matcher = (args.engine == Engine::Matcher).then(|| identmap::postgres::Matcher::new(&file));
    let report = PostgresCheck::new(
        &file,
        matcher.as_ref(),
        map,
        system_user,
        db_user,
        args.case_insensitive,
        &roles,
        args.explain,
    );
    match args.format {
        Format::Json => outln!("{}", report.to_json())?,
        Format::Text => out!("{}", report.to_text())?,
    }
    Ok(if report.allowed() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
