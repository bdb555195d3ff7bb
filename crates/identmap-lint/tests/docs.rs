//! `docs/rules/` is generated from the rule files: this test fails when the checked-in pages
//! differ, and rewrites them with `IDENTMAP_BLESS=1`.

use std::path::PathBuf;

fn pages() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut index = String::from(
        "# identmap lint rules\n\nGenerated from `crates/identmap-lint/src/rules/` by `crates/identmap-lint/tests/docs.rs` \
         (`IDENTMAP_BLESS=1 cargo test -p identmap-lint --test docs` rewrites these pages).\n\n\
         | code | name | default severity | dialects | summary |\n| --- | --- | --- | --- | --- |\n",
    );
    for r in identmap_lint::rules() {
        let page = identmap_lint::rule_docs_markdown(r.code).expect("every registered code has a page");
        out.push((format!("{}.md", r.code), page));
        index.push_str(&format!(
            "| [{0}]({0}.md) | `{1}` | {2} | {3} | {4} |\n",
            r.code,
            r.name,
            r.default_severity,
            r.dialects,
            r.summary.replace('|', "\\|")
        ));
    }
    out.push(("README.md".to_string(), index));
    out
}

#[test]
fn rule_pages_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let bless = std::env::var_os("IDENTMAP_BLESS").is_some();
    let mut stale = Vec::new();
    for (name, text) in pages() {
        let path = dir.join(&name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != text {
            if bless {
                std::fs::create_dir_all(&dir).expect("create docs/rules");
                std::fs::write(&path, &text).expect("write a rule page");
            } else {
                stale.push(name);
            }
        }
    }
    let expected: Vec<String> = pages().into_iter().map(|(n, _)| n).collect();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !expected.contains(&name) {
                if bless {
                    std::fs::remove_file(e.path()).expect("remove a stale page");
                } else {
                    stale.push(format!("{name} (no such rule)"));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is out of date: {stale:?}; run IDENTMAP_BLESS=1 cargo test -p identmap-lint --test docs"
    );
}

#[test]
fn every_page_has_the_sections() {
    for r in identmap_lint::rules() {
        for section in ["## What it does", "## Why it matters", "## Example", "## How to fix"] {
            assert!(r.docs.contains(section), "{} lacks {section}", r.code);
        }
        assert!(r.code.len() == 5 && r.code.starts_with("IM"), "{}", r.code);
        assert!(r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", r.name);
    }
}

/// The example of every rule page fires that rule.
#[test]
fn every_documented_example_fires() {
    use identmap::cockroach::CaseMode;
    use identmap::postgres::{MemoryFiles, Version};
    use identmap_lint::{lint, Config, Dialect, Input};

    for r in identmap_lint::rules() {
        let Some(after) = r.docs.split("## Example").nth(1) else { continue };
        let Some((lang, rest)) = after.split_once("```").and_then(|(_, x)| x.split_once('\n')) else {
            continue;
        };
        let Some((body, _)) = rest.split_once("```") else { continue };
        let dialect = if r.dialects.starts_with("postgres") {
            Dialect::Postgres(Version::V16)
        } else {
            Dialect::Cockroach(CaseMode::Insensitive)
        };
        let files = MemoryFiles::new();
        let config = Config::new(dialect);
        let report = match (lang, dialect) {
            ("sql", _) => lint(&Input::Sql { name: "example.sql", text: body }, &config),
            (_, Dialect::Postgres(_)) => {
                lint(&Input::PgIdent { name: "pg_ident.conf", text: body, files: &files }, &config)
            }
            _ => lint(&Input::Map { name: "example.map", text: body }, &config),
        };
        assert!(
            report.diagnostics().iter().any(|d| d.code() == r.code),
            "the documented example of {} does not fire it: {body:?} gives {:#?}",
            r.code,
            report.diagnostics()
        );
    }
}
