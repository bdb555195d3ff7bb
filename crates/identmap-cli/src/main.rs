//! The `identmap` command-line tool: check, evaluate and explain identity maps offline.
#![allow(clippy::print_stdout, clippy::print_stderr)]

/// `println!` that never panics: a closed pipe ends the output quietly, another write error is
/// the command's error (`identmap_cli::output`). Used as `outln!(…)?`.
macro_rules! outln {
    ($($arg:tt)*) => {
        identmap_cli::output::emit(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` that never panics (see `outln!`).
macro_rules! out {
    ($($arg:tt)*) => {
        identmap_cli::output::emit(&format!($($arg)*))
    };
}

mod cmd_bench;
mod cmd_check;
mod cmd_eval;
mod cmd_lint;
mod cmd_map;
mod cmd_sso;
mod cmd_test;
mod cmd_token;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use identmap::Dialect;
use identmap_cli::bench::{counting_alloc, CountingAlloc};

/// Counts live heap bytes, for `identmap bench`'s heap figure.
#[global_allocator]
static ALLOC: CountingAlloc = counting_alloc();

/// Check, evaluate and explain identity maps (CockroachDB `server.identity_map.configuration`,
/// PostgreSQL `pg_ident.conf`) offline.
#[derive(Debug, Parser)]
#[command(name = "identmap", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `--dialect`: `auto` (`None`: `postgres` for files named `*.conf`, `cockroach` otherwise) or
/// one of [`Dialect`]'s values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DialectChoice(pub(crate) Option<Dialect>);

impl DialectChoice {
    /// The dialect of `file`: the chosen one, or by its extension.
    pub(crate) fn of(self, file: &str) -> Dialect {
        self.0.unwrap_or_else(|| {
            if std::path::Path::new(file).extension().is_some_and(|e| e.eq_ignore_ascii_case("conf")) {
                Dialect::Postgres
            } else {
                Dialect::Cockroach
            }
        })
    }
}

impl ValueEnum for DialectChoice {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: std::sync::LazyLock<Vec<DialectChoice>> = std::sync::LazyLock::new(|| {
            std::iter::once(DialectChoice(None))
                .chain(Dialect::value_variants().iter().map(|d| DialectChoice(Some(*d))))
                .collect()
        });
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        match self.0 {
            None => Some(
                clap::builder::PossibleValue::new("auto")
                    .help("`postgres` for files named `*.conf`, `cockroach` otherwise"),
            ),
            Some(d) => d.to_possible_value(),
        }
    }
}

/// Output format of `map` and `bench`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Human-readable text.
    Text,
    /// One JSON object.
    Json,
}

/// Options shared by the commands that read a map.
#[derive(Debug, clap::Args)]
pub(crate) struct DialectOpts {
    /// The dialect of the file.
    #[arg(long, value_enum, default_value = "auto")]
    dialect: DialectChoice,
    /// PostgreSQL major version (postgres dialect).
    #[arg(long, default_value = "16", value_parser = clap::value_parser!(u8).range(15..=18))]
    pg_version: u8,
    /// Cockroach dialect: the case-sensitive matching of older releases (default: the
    /// case-insensitive matching of current CockroachDB).
    #[arg(long)]
    case_sensitive: bool,
}

impl DialectOpts {
    pub(crate) fn resolve(&self, file: &str) -> Dialect {
        // `--dialect auto` in these commands: `*.conf` exactly (lint ignores the case).
        match self.dialect.0 {
            Some(d) => d,
            None if std::path::Path::new(file).extension().is_some_and(|e| e == "conf") => Dialect::Postgres,
            None => Dialect::Cockroach,
        }
    }

    pub(crate) fn case(&self) -> identmap::cockroach::CaseMode {
        if self.case_sensitive {
            identmap::cockroach::CaseMode::Sensitive
        } else {
            identmap::cockroach::CaseMode::Insensitive
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse a map and report every problem with its location. Exit 1 on errors.
    Check {
        /// The map file (`-` for stdin); a `.sql` file of `SET CLUSTER SETTING` statements is
        /// read too.
        file: String,
        #[command(flatten)]
        dialect: DialectOpts,
    },
    /// Map an identity through a map: which database users it may log in as, and why.
    Map(cmd_map::MapArgs),
    /// Batch evaluation: JSON records in (one per line), one JSON result per line out.
    Eval {
        /// The records (`-` or nothing for stdin).
        #[arg(default_value = "-")]
        file: String,
        /// Which evaluator answers cockroach records.
        #[arg(long, value_enum, default_value = "matcher")]
        engine: identmap::Engine,
    },
    /// Measure a cockroach map on your lookups (one `<issuer> <identity>` per line): build time,
    /// heap, ns per lookup of the compiled matcher, of the per-rule scan and of a hash floor.
    Bench(cmd_bench::BenchArgs),
    /// Run expectation files (this identity maps to exactly these users; this login is
    /// allowed or denied) against maps, like a test suite. Exit 1 on a failure.
    Test(cmd_test::TestArgs),
    /// Lint maps: security and correctness findings with their locations, as text, JSON, SARIF
    /// or GitHub annotations. Exit 1 on a finding at or above the failing level.
    Lint(cmd_lint::LintArgs),
    /// Simulate a CockroachDB cluster-SSO (JWT) login: may this token log in as this SQL user,
    /// and if not, which step fails and why. Exit 0 allowed, 1 denied.
    Sso(Box<cmd_sso::SsoArgs>),
    /// Work with JWTs.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Print a token's header and claims as JSON (no verification).
    Decode {
        /// The token itself, a file holding it, or `-` for stdin.
        token: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Check { file, dialect } => cmd_check::run(file, dialect),
        Command::Map(args) => cmd_map::run(args),
        Command::Eval { file, engine } => cmd_eval::run(file, *engine),
        Command::Bench(args) => cmd_bench::run(args),
        Command::Test(args) => cmd_test::run(args),
        Command::Lint(args) => cmd_lint::run(args),
        Command::Sso(args) => cmd_sso::run(args),
        Command::Token(TokenCommand::Decode { token }) => cmd_token::decode(token),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("identmap: {message}");
            ExitCode::from(2)
        }
    }
}
