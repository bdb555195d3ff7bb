//! `identmap sso`: may this JWT log in as this SQL user under these cluster settings, and if not,
//! exactly why.

use std::process::ExitCode;

use identmap::cockroach::CaseMode;

use identmap::sso::JwtSettings;
use identmap_cli::config::{self, ProjectConfig};
use identmap_cli::input::{self, read_source};
use identmap_sso::{Options, Simulator};

/// Output format of `identmap sso`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SsoFormat {
    /// Every step with its detail, the principals, the map rules tried and the candidates.
    Full,
    /// One JSON object (the stable shape documented in the README).
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SsoArgs {
    /// The cluster settings: a `.sql` file of `SET CLUSTER SETTING` statements (default: the
    /// `[sso]` table of identmap.toml, if any).
    #[arg(long, value_name = "FILE")]
    settings: Option<String>,
    /// Use this identmap.toml instead of searching upwards from the settings file's directory
    /// (or the current directory).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<String>,
    /// Do not read any identmap.toml.
    #[arg(long)]
    no_config: bool,
    /// The token: a file holding it, or `-` for stdin.
    #[arg(long, value_name = "FILE|-")]
    token: String,
    /// The SQL user the connection asks for (default: the single candidate, if there is one).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// The JWK set to verify with (overrides `server.jwt_authentication.jwks`).
    #[arg(long, value_name = "FILE")]
    jwks: Option<String>,
    /// Decode only: do not verify the signature (the result says so).
    #[arg(long)]
    no_verify: bool,
    /// The clock: Unix seconds or RFC 3339 (`2026-01-31T12:00:00Z`); default now.
    #[arg(long, value_name = "T")]
    now: Option<String>,
    /// Accept `exp`, `nbf` and `iat` this many seconds off (CockroachDB: 0).
    #[arg(long, value_name = "SECONDS", default_value = "0")]
    skew: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "full")]
    format: SsoFormat,
    /// Print the token's claim values (by default only their names).
    #[arg(long)]
    show_claims: bool,
    /// Override `server.jwt_authentication.issuers.configuration` (any of its three forms).
    #[arg(long, value_name = "ISSUERS")]
    issuers: Option<String>,
    /// Override `server.jwt_authentication.audience` (a string or a JSON array).
    #[arg(long, value_name = "AUDIENCE")]
    audience: Option<String>,
    /// Override `server.jwt_authentication.claim` (a name, or a JSON Pointer starting with `/`).
    #[arg(long, value_name = "CLAIM")]
    claim: Option<String>,
    /// Override `server.identity_map.configuration` with a map file (or a `.sql` file setting it).
    #[arg(long, value_name = "FILE")]
    identity_map: Option<String>,
    /// Override `server.jwt_authentication.enabled` (`--enabled` alone means true).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    enabled: Option<bool>,
    /// The case-sensitive identity-map matching of releases before CockroachDB PR #155531.
    #[arg(long)]
    case_sensitive: bool,
}

pub(crate) fn run(args: &SsoArgs) -> Result<ExitCode, String> {
    // `--config`, else the identmap.toml found from the settings file's directory (or here).
    let project = config::for_command(args.config.as_deref(), args.no_config, args.settings.as_deref())?;
    let sso = project.as_ref().and_then(ProjectConfig::sso);
    // Layers, each over the one before: the settings file (`--settings`, else identmap.toml's
    // `[sso] settings`), the other keys of `[sso]`, the flags.
    let file =
        args.settings.clone().or_else(|| sso.and_then(|c| c.settings()).map(|p| p.display().to_string()));
    let mut settings = match &file {
        Some(path) => {
            // Named on the command line, or inside identmap.toml (then a regular file only).
            let src = if args.settings.is_some() { read_source(path)? } else { input::read_named(path)? };
            let parsed = identmap::sql::parse_settings(&src.text);
            if let Some(e) = parsed.errors().first() {
                let (line, col) = identmap::LineIndex::new(&src.text).line_col(e.span().start);
                return Err(format!("{}:{line}:{col}: {}", src.name, e.message()));
            }
            JwtSettings::from_sql(&parsed)
        }
        None => JwtSettings::new(),
    };
    if let Some(c) = sso {
        c.apply_keys(&mut settings, config::read_sso_file)?;
    }
    if let Some(b) = args.enabled {
        settings.set_enabled(b);
    }
    if let Some(i) = &args.issuers {
        settings.set_issuers(i);
    }
    if let Some(a) = &args.audience {
        settings.set_audience(a);
    }
    if let Some(c) = &args.claim {
        settings.set_claim(c);
    }
    if let Some(path) = &args.identity_map {
        let src = read_source(path)?;
        let map = if input::is_sql(&src.name) { input::identity_map_of_sql(&src)?.1 } else { src.text };
        settings.set_identity_map(map);
    }
    if let Some(path) = &args.jwks {
        settings.set_jwks(read_source(path)?.text);
    }
    let token = read_source(&args.token)?;
    let now = match &args.now {
        Some(t) => parse_time(t)?,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| format!("the system clock is before 1970: {e}"))?
            .as_secs()
            .try_into()
            .map_err(|_| "the system clock is out of range".to_string())?,
    };
    let mut options = Options::new(now).skew(args.skew).verify(!args.no_verify);
    if args.case_sensitive || project.as_ref().and_then(ProjectConfig::case) == Some(CaseMode::Sensitive) {
        options = options.case(CaseMode::Sensitive);
    }
    if let Some(u) = &args.user {
        options = options.user(u.as_str());
    }
    let d = Simulator::new(settings).decide(&token.text, &options);
    match args.format {
        SsoFormat::Json => outln!("{}", d.to_json(args.show_claims))?,
        SsoFormat::Full => out!("{}", d.to_text(args.show_claims))?,
    }
    Ok(if d.allowed() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Unix seconds, or an RFC 3339 date-time.
fn parse_time(t: &str) -> Result<i64, String> {
    if let Ok(n) = t.parse::<i64>() {
        return Ok(n);
    }
    let at = humantime::parse_rfc3339_weak(t)
        .map_err(|e| format!("--now {t:?}: not Unix seconds nor an RFC 3339 date-time ({e})"))?;
    let secs = match at.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).map_err(|_| format!("--now {t:?}: out of range"))?,
        Err(e) => -i64::try_from(e.duration().as_secs()).map_err(|_| format!("--now {t:?}: out of range"))?,
    };
    Ok(secs)
}
