//! `sarif`: SARIF 2.1.0 (through the `serde-sarif` types), as GitHub code scanning reads it:
//! one run whose `tool.driver.rules` describes every rule of the registry (id, name, short and
//! full description, help as text and markdown, help URI, default level), and one result per
//! finding with `ruleId`, `ruleIndex`, `level`, the message and a physical location (a relative
//! URI; lines and columns 1-based, columns in UTF-16 code units as `run.columnKind` says, the
//! end column exclusive). Labels become related locations.

use identmap::Span;
use identmap_lint::{rules, Diagnostic, Report, RuleInfo, Severity, DOCS_URL};
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool,
    ToolComponent,
};

/// The schema URI written into the log (the one GitHub's documentation uses).
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub(super) fn render(reports: &[Report]) -> String {
    let cwd = std::env::current_dir().ok();
    let results: Vec<SarifResult> = reports
        .iter()
        .flat_map(|r| r.diagnostics().iter().map(move |d| (r, d)))
        .map(|(r, d)| result(r, d, cwd.as_deref()))
        .collect();
    let driver = ToolComponent::builder()
        .name("identmap")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(DOCS_URL.trim_end_matches('/').trim_end_matches("docs/rules"))
        .rules(rules().iter().map(descriptor).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .column_kind(serde_json::Value::from("utf16CodeUnits"))
        .results(results)
        .build();
    let log =
        Sarif::builder().schema(SCHEMA).version(serde_json::Value::from("2.1.0")).runs(vec![run]).build();
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The rule's category, as a tag GitHub shows: the catalogue's code ranges.
fn category(code: &str) -> &'static str {
    match code.get(..3) {
        Some("IM1") => "rejected-by-target",
        Some("IM2") => "security",
        Some("IM3") => "correctness",
        Some("IM4") => "portability",
        _ => "linter",
    }
}

fn descriptor(info: &RuleInfo) -> ReportingDescriptor {
    let page = identmap_lint::rule_docs_markdown(info.code).unwrap_or_else(|| info.docs.to_string());
    let full = format!(
        "{} (default severity: {}; dialects: {})",
        info.summary, info.default_severity, info.dialects
    );
    ReportingDescriptor::builder()
        .id(info.code)
        .name(info.name)
        .short_description(MultiformatMessageString::builder().text(info.summary).build())
        .full_description(MultiformatMessageString::builder().text(full).build())
        .help(MultiformatMessageString::builder().text(info.docs.trim()).markdown(page).build())
        .help_uri(format!("{DOCS_URL}{}.md", info.code))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::Value::from(level_name(info.default_severity)))
                .build(),
        )
        .properties(PropertyBag::builder().tags(vec![category(info.code).to_string()]).build())
        .build()
}

fn region(report: &Report, d: &Diagnostic, span: Span) -> Region {
    let (start, end) = super::range(report, d, span);
    Region::builder()
        .start_line(to_i64(start.line))
        .start_column(to_i64(start.column_utf16))
        .end_line(to_i64(end.line))
        .end_column(to_i64(end.column_utf16))
        .build()
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn location(uri: &str, region: Region, message: Option<&str>) -> Location {
    let physical = PhysicalLocation::builder()
        .artifact_location(ArtifactLocation::builder().uri(uri).build())
        .region(region)
        .build();
    match message {
        Some(m) => Location::builder()
            .physical_location(physical)
            .message(Message::builder().text(m).build())
            .build(),
        None => Location::builder().physical_location(physical).build(),
    }
}

fn result(report: &Report, d: &Diagnostic, cwd: Option<&std::path::Path>) -> SarifResult {
    let uri = artifact_uri(d.file(), cwd);
    let mut text = d.message().to_string();
    if let Some(h) = d.help() {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    let related: Vec<Location> =
        d.labels().iter().map(|l| location(&uri, region(report, d, l.span()), Some(l.message()))).collect();
    let index = rules().iter().position(|r| r.code == d.code()).map_or(-1, to_i64);
    let b = SarifResult::builder()
        .rule_id(d.code())
        .rule_index(index)
        .level(level(d.severity()))
        .message(Message::builder().text(text).build())
        .locations(vec![location(&uri, region(report, d, d.span()), None)]);
    if related.is_empty() {
        b.build()
    } else {
        b.related_locations(related).build()
    }
}

/// A relative URI reference for a file name: relative to the current directory when the name
/// is an absolute path inside it, `/` separators, and every byte outside RFC 3986's unreserved
/// characters and `/` percent-encoded.
fn artifact_uri(name: &str, cwd: Option<&std::path::Path>) -> String {
    let path = std::path::Path::new(name);
    let rel = match cwd {
        Some(c) if path.is_absolute() => path.strip_prefix(c).unwrap_or(path),
        _ => path,
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s);
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        let cwd = std::path::Path::new("/repo");
        assert_eq!(artifact_uri("maps/a b.map", Some(cwd)), "maps/a%20b.map");
        assert_eq!(artifact_uri("/repo/maps/x.map", Some(cwd)), "maps/x.map");
        assert_eq!(artifact_uri("./x.map", Some(cwd)), "x.map");
        assert_eq!(artifact_uri("<stdin>", Some(cwd)), "%3Cstdin%3E");
        assert_eq!(artifact_uri("é.map", None), "%C3%A9.map");
    }
}
