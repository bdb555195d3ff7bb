//! `identmap check`.

use std::process::ExitCode;

use identmap::cockroach::{ErrorKind, Options, Ruleset};
use identmap_cli::input::{self, Source};
use identmap_cli::report::{self, Problem};
use miette::Severity;

use crate::{DialectArg, DialectOpts};

pub(crate) fn run(file: &str, opts: &DialectOpts) -> Result<ExitCode, String> {
    let src = input::read_source(file)?;
    match opts.resolve(file) {
        DialectArg::Postgres => crate::cmd_map::postgres_check(&src, opts),
        _ => cockroach(&src, opts),
    }
}

fn cockroach(src: &Source, opts: &DialectOpts) -> Result<ExitCode, String> {
    let mut problems = Vec::new();
    let (settings, text) = if input::is_sql(&src.name) {
        let (settings, text) = input::identity_map_of_sql(src)?;
        for e in settings.errors() {
            problems.push(Problem {
                severity: Severity::Error,
                code: "sql",
                message: e.message().to_string(),
                span: e.span(),
                label: "here".into(),
                help: None,
            });
        }
        (Some(settings), text)
    } else {
        (None, src.text.clone())
    };
    let parsed = Ruleset::parse_recovering(&text, Options::new().case(opts.case()));
    for e in parsed.errors() {
        let (code, label) = match e.kind() {
            ErrorKind::Fields => ("cockroach::fields", "not three fields"),
            ErrorKind::Regex => ("cockroach::regex", "Go rejects this regex"),
            ErrorKind::NoSubexpression => ("cockroach::no-subexpression", "`\\1` needs a capture group"),
            _ => ("cockroach::too-large", "too large"),
        };
        problems.push(Problem {
            severity: Severity::Error,
            code,
            message: e.message().to_string(),
            span: input::to_file_span(settings.as_ref(), e.span()),
            label: label.into(),
            help: Some(e.help().to_string()),
        });
    }
    if let Some(t) = parsed.truncation() {
        problems.push(Problem {
            severity: Severity::Warning,
            code: "cockroach::long-line",
            message: format!(
                "line {} is 64 KiB or longer: CockroachDB silently ignores it and the {} line(s) from it to the end",
                t.line(),
                t.ignored_lines()
            ),
            span: input::to_file_span(settings.as_ref(), t.span()),
            label: "ignored from here on".into(),
            help: Some("split the line, or move the rules after it before it".into()),
        });
    }
    print!("{}", report::render(&src.name, &src.text, &problems));
    let errors = parsed.errors().len() + problems.iter().filter(|p| p.code == "sql").count();
    let rules = parsed.ruleset().rules();
    let mut maps: Vec<&str> = rules.iter().map(|r| r.map_name().text()).collect();
    maps.sort_unstable();
    maps.dedup();
    if errors == 0 {
        println!(
            "{}: ok: {} rule(s) in {} map(s), cockroach dialect ({} mode)",
            src.name,
            rules.len(),
            maps.len(),
            opts.case().name()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{}: {} error(s); CockroachDB rejects the whole config with the first: {}",
            src.name,
            errors,
            parsed.errors().first().map_or("(SQL error)", |e| e.message())
        );
        Ok(ExitCode::from(1))
    }
}
