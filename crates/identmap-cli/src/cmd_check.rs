//! `identmap check`.

use std::process::ExitCode;

use identmap::cockroach::{ErrorKind, Options, Ruleset};
use identmap_cli::input::{self, Source};
use identmap_cli::report::{self, Problem};
use miette::Severity;

use identmap::Dialect;

use crate::DialectOpts;

pub(crate) fn run(file: &str, opts: &DialectOpts) -> Result<ExitCode, String> {
    let src = input::read_source(file)?;
    match opts.resolve(file) {
        Dialect::Postgres => postgres(&src, opts),
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
    out!("{}", report::render(&src.name, &src.text, &problems))?;
    let errors = parsed.errors().len() + problems.iter().filter(|p| p.code == "sql").count();
    let rules = parsed.ruleset();
    if errors == 0 {
        outln!(
            "{}: ok: {} rule(s) in {} map(s), cockroach dialect ({} mode)",
            src.name,
            rules.rules().len(),
            rules.map_names().len(),
            opts.case().name()
        )?;
        Ok(ExitCode::SUCCESS)
    } else {
        match parsed.errors().first() {
            Some(e) if !e.is_cockroach_verdict() => outln!(
                "{}: {} error(s); identmap cannot evaluate the config, the first: {} (CockroachDB accepts it)",
                src.name,
                errors,
                e.message()
            )?,
            first => outln!(
                "{}: {} error(s); CockroachDB rejects the whole config with the first: {}",
                src.name,
                errors,
                first.map_or("(SQL error)", |e| e.message())
            )?,
        }
        Ok(ExitCode::from(1))
    }
}

fn postgres(src: &Source, opts: &DialectOpts) -> Result<ExitCode, String> {
    let file = crate::cmd_map::load_pg(src, opts)?;
    let mut by_file: Vec<(String, Vec<Problem>)> = Vec::new();
    let mut push = |file: &str, p: Problem| match by_file.iter_mut().find(|(f, _)| f == file) {
        Some((_, v)) => v.push(p),
        None => by_file.push((file.to_string(), vec![p])),
    };
    let mut errors = 0;
    for e in file.errors() {
        errors += 1;
        push(
            e.location().file(),
            Problem {
                severity: Severity::Error,
                code: "postgres::load",
                message: format!("line {}: {}", e.location().line(), e.message()),
                span: e.location().span(),
                label: if e.kind() == identmap::postgres::LoadErrorKind::Refused {
                    "identmap does not read this file (PostgreSQL would try to)".into()
                } else {
                    "PostgreSQL rejects this line".into()
                },
                help: None,
            },
        );
    }
    for line in file.map_lines() {
        for (which, re) in [("system-user", line.system_regex()), ("database-user", line.database_regex())] {
            let Some(re) = re else { continue };
            if let Some((reason, span)) = re.unsupported() {
                push(
                    line.location().file(),
                    Problem {
                        severity: Severity::Warning,
                        code: "postgres::unsupported-regex",
                        message: format!("line {}: identmap cannot evaluate this {which} regex faithfully: {reason}", line.location().line()),
                        span: shift_into_token(line, which, span),
                        label: "not simulated".into(),
                        help: Some("PostgreSQL accepts it; `identmap map` answers `unsupported` when a login reaches this line".into()),
                    },
                );
            }
        }
    }
    for (name, problems) in &mut by_file {
        problems.sort_by_key(|p| p.span.start);
        let text = file.source(name).unwrap_or("");
        out!("{}", report::render(name, text, problems))?;
    }
    let lines = file.map_lines().count();
    if errors == 0 {
        outln!("{}: ok: {lines} map line(s), postgres dialect (PostgreSQL {})", src.name, opts.pg_version)?;
        Ok(ExitCode::SUCCESS)
    } else if let Some(e) = file.refused() {
        outln!(
            "{}: {errors} error(s); identmap cannot say what PostgreSQL {} does with this file: {}",
            src.name,
            opts.pg_version,
            e.message()
        )?;
        Ok(ExitCode::from(1))
    } else {
        outln!(
            "{}: {errors} error(s): PostgreSQL {} keeps the previous map on reload (\"was not reloaded\") and loads no map at all at startup",
            src.name, opts.pg_version
        )?;
        Ok(ExitCode::from(1))
    }
}

/// A span inside a regex (relative to the pattern after `/`) as a span in the file, when the
/// token is written unquoted and plain; otherwise the whole token.
fn shift_into_token(line: &identmap::postgres::MapLine, which: &str, span: identmap::Span) -> identmap::Span {
    let tok = if which == "system-user" { line.system_user() } else { line.database_user() };
    let ts = tok.location().span();
    if !tok.is_quoted() && ts.len() == tok.text().len() {
        span.shift(ts.start + 1)
    } else {
        ts
    }
}
