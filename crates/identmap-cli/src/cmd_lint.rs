//! `identmap lint`: run the linter over files, render the findings, exit by the failing level.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::process::ExitCode;

use identmap::cockroach::CaseMode;
use identmap::postgres::Version;
use identmap_cli::config::{self, ProjectConfig};
use identmap_cli::input::{self, FsResolver, Source};
use identmap_cli::lint_format::{self, LintFormat, Style};
use identmap_lint::{Config, Dialect, Input, Report, Severity};

use crate::DialectChoice;

/// `--fail-on`'s values: [`Severity`]s, described as the lowest level that fails the run (most
/// severe first).
fn fail_on_values() -> impl clap::builder::TypedValueParser<Value = Severity> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
    PossibleValuesParser::new([
        PossibleValue::new(Severity::Error.as_str()).help("Only errors fail"),
        PossibleValue::new(Severity::Warning.as_str()).help("Warnings and errors fail (the default)"),
        PossibleValue::new(Severity::Info.as_str()).help("Every finding fails"),
    ])
    // Only the three names above get here.
    .map(|s| s.parse::<Severity>().unwrap_or(Severity::Warning))
}

/// Arguments of `identmap lint`.
#[derive(Debug, clap::Args)]
pub(crate) struct LintArgs {
    /// Files to lint: cockroach maps, `.sql` files of `SET CLUSTER SETTING` statements,
    /// `pg_ident.conf` files (with their includes); `-` for stdin.
    #[arg(required = true)]
    files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "full")]
    format: LintFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<String>,
    /// Exit 1 when a finding is at or above this level [default: warning, or `fail_on` in
    /// identmap.toml].
    #[arg(long, value_parser = fail_on_values())]
    fail_on: Option<Severity>,
    /// The dialect of the files [default: `dialect` in identmap.toml, else auto: `*.conf` is
    /// postgres].
    #[arg(long, value_enum)]
    dialect: Option<DialectChoice>,
    /// PostgreSQL major version (postgres dialect) [default: identmap.toml, else 16].
    #[arg(long, value_parser = clap::value_parser!(u8).range(15..=18))]
    pg_version: Option<u8>,
    /// Cockroach dialect: the case-sensitive matching of older releases.
    #[arg(long)]
    case_sensitive: bool,
    /// Another reserved user name (repeatable), added to the built-in list and identmap.toml's.
    #[arg(long, value_name = "NAME")]
    reserved: Vec<String>,
    /// Override a rule's severity: CODE=error|warning|info|off (repeatable; the code or the
    /// rule name).
    #[arg(long, value_name = "CODE=LEVEL")]
    severity: Vec<String>,
    /// Use this identmap.toml instead of searching upwards from the first file's directory.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<String>,
    /// Do not read any identmap.toml.
    #[arg(long)]
    no_config: bool,
    /// Apply the fixes that never widen a match (in place), then lint again and report.
    #[arg(long)]
    fix: bool,
}

pub(crate) fn run(args: &LintArgs) -> Result<ExitCode, String> {
    let project = project_config(args)?;
    let settings = Settings::new(args, project.as_ref())?;
    if args.fix && args.files.iter().any(|f| f == "-") {
        return Err("--fix rewrites files in place; it cannot fix standard input".into());
    }
    let sources: Vec<Source> = args.files.iter().map(|f| input::read_source(f)).collect::<Result<_, _>>()?;
    let mut reports: Vec<Report> = sources.iter().map(|s| settings.lint(s)).collect();
    if args.fix {
        let mut notes = Vec::new();
        for (i, src) in sources.iter().enumerate() {
            let before = &reports[i];
            let mut changed = false;
            for file in before.sources() {
                let fixed = identmap_lint::apply_fixes(file.text(), file.name(), before.diagnostics());
                if fixed != file.text() {
                    std::fs::write(file.name(), &fixed).map_err(|e| format!("{}: {e}", file.name()))?;
                    changed = true;
                }
            }
            if changed {
                let again = input::read_source(&src.name)?;
                let after = settings.lint(&again);
                notes.push(fixed_note(&src.name, before, &after));
                reports[i] = after;
            }
        }
        for n in notes {
            eprintln!("{n}");
        }
    }
    let style = match &args.output {
        None => {
            Style::for_destination(std::io::stdout().is_terminal(), std::env::var("NO_COLOR").ok().as_deref())
        }
        Some(_) => Style::PLAIN,
    };
    let rendered = lint_format::render(args.format, &reports, &style);
    match &args.output {
        Some(path) => std::fs::write(path, rendered).map_err(|e| format!("{path}: {e}"))?,
        None => out!("{rendered}")?,
    }
    let worst = reports.iter().filter_map(Report::max_severity).max();
    Ok(if worst.is_some_and(|w| w >= settings.fail_on) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `FILE: fixed 2 findings (IM201 ×1, IM202 ×1)`: the findings of each code that the fixes
/// removed.
fn fixed_note(name: &str, before: &Report, after: &Report) -> String {
    let mut counts: BTreeMap<&str, isize> = BTreeMap::new();
    for d in before.diagnostics() {
        *counts.entry(d.code()).or_default() += 1;
    }
    for d in after.diagnostics() {
        *counts.entry(d.code()).or_default() -= 1;
    }
    let fixed: Vec<(&str, isize)> = counts.into_iter().filter(|&(_, n)| n > 0).collect();
    let total: isize = fixed.iter().map(|(_, n)| n).sum();
    let list: Vec<String> = fixed.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
    format!(
        "{name}: fixed {total} finding{} ({}); {} left",
        if total == 1 { "" } else { "s" },
        list.join(", "),
        after.diagnostics().len()
    )
}

fn project_config(args: &LintArgs) -> Result<Option<ProjectConfig>, String> {
    config::for_command(args.config.as_deref(), args.no_config, args.files.first().map(String::as_str))
}

/// Flags over identmap.toml over defaults.
struct Settings {
    dialect: DialectChoice,
    case: CaseMode,
    version: Version,
    reserved: Vec<String>,
    severities: Vec<(String, Option<Severity>)>,
    sso: Option<identmap::sso::JwtSettings>,
    fail_on: Severity,
}

impl Settings {
    fn new(args: &LintArgs, project: Option<&ProjectConfig>) -> Result<Settings, String> {
        let dialect = args.dialect.unwrap_or(DialectChoice(project.and_then(ProjectConfig::dialect)));
        let case =
            if args.case_sensitive || project.and_then(ProjectConfig::case) == Some(CaseMode::Sensitive) {
                CaseMode::Sensitive
            } else {
                CaseMode::Insensitive
            };
        let major = args.pg_version.or_else(|| project.and_then(ProjectConfig::pg_version)).unwrap_or(16);
        let version = Version::from_major(u64::from(major))
            .ok_or_else(|| format!("unsupported PostgreSQL version {major}"))?;
        // Codes are checked against the registry here, once, so that errors point at the
        // config entry or the flag.
        let mut probe = Config::new(Dialect::Cockroach(case));
        let mut severities = Vec::new();
        let mut reserved = Vec::new();
        let mut sso = None;
        if let Some(p) = project {
            reserved.extend(p.reserved_users().iter().cloned());
            for o in p.severity_overrides() {
                probe
                    .set_severity(o.code(), o.severity())
                    .map_err(|e| p.error_at(o.span(), format!("[severity]: {e}")).to_string())?;
                severities.push((o.code().to_string(), o.severity()));
            }
            if let Some(table) = p.sso() {
                sso = Some(
                    config::jwt_settings(table).map_err(|e| format!("{}: [sso]: {e}", p.path().display()))?,
                );
            }
        }
        reserved.extend(args.reserved.iter().cloned());
        for s in &args.severity {
            let (code, value) =
                s.split_once('=').ok_or_else(|| format!("--severity {s}: expected CODE=LEVEL"))?;
            let sev = Severity::parse_override(value).map_err(|e| format!("--severity {s}: {e}"))?;
            probe.set_severity(code, sev).map_err(|e| format!("--severity {s}: {e}"))?;
            severities.push((code.to_string(), sev));
        }
        let fail_on =
            args.fail_on.or_else(|| project.and_then(ProjectConfig::fail_on)).unwrap_or(Severity::Warning);
        Ok(Settings { dialect, case, version, reserved, severities, sso, fail_on })
    }

    fn lint(&self, src: &Source) -> Report {
        let postgres = self.dialect.of(&src.name) == identmap::Dialect::Postgres;
        let name = src.name.as_str();
        let text = src.text.as_str();
        if input::is_sql(name) {
            // A .sql file is always CockroachDB's cluster settings.
            identmap_lint::lint(&Input::Sql { name, text }, &self.config(Dialect::Cockroach(self.case)))
        } else if postgres {
            let config = self.config(Dialect::Postgres(self.version));
            identmap_lint::lint(&Input::PgIdent { name, text, files: &FsResolver }, &config)
        } else {
            identmap_lint::lint(&Input::Map { name, text }, &self.config(Dialect::Cockroach(self.case)))
        }
    }

    fn config(&self, dialect: Dialect) -> Config {
        let mut config = Config::new(dialect);
        for u in &self.reserved {
            config.add_reserved_user(u);
        }
        for (code, sev) in &self.severities {
            // Checked in `Settings::new`.
            let _ = config.set_severity(code, *sev);
        }
        if let Some(sso) = &self.sso {
            config.set_sso(sso.clone());
        }
        config
    }
}
