//! identmap-lint: the linter for identity maps (CockroachDB's
//! `server.identity_map.configuration`, PostgreSQL's `pg_ident.conf`).
//!
//! Every rule of the catalogue has a stable code (`IM201`), a kebab-case name, a default severity
//! and its documentation ([`rules`], [`rule_docs_markdown`]). The security rules are analyses of
//! the dialect's own regex syntax tree with `regex-automata` automata under explicit size limits;
//! where an analysis cannot decide within its bounds it reports nothing, never a guess. The crate
//! does no I/O: the caller hands it texts (and a [`identmap::postgres::FileResolver`] for
//! includes) and renders the [`Report`] (every [`Diagnostic`] implements
//! [`miette::Diagnostic`]).
//!
//! ```
//! use identmap_lint::{lint, Config, Input, Severity};
//!
//! let text = "https://idp.example.com /bob bob\n";
//! let report = lint(&Input::Map { name: "ids.map", text }, &Config::default());
//! let d = &report.diagnostics()[0];
//! assert_eq!((d.code(), d.rule_name(), d.severity()), ("IM201", "unanchored-regex", Severity::Error));
//! assert_eq!(&text[d.span().range()], "/bob");
//! assert_eq!(report.max_severity(), Some(Severity::Error));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations)]

mod config;
mod diagnostic;
mod eval;
mod lang;
mod lex;
mod model;
pub mod project;
mod registry;
mod render;
mod rules;
mod suppress;
mod witness;

use std::collections::HashMap;
use std::sync::Arc;

use identmap::postgres::FileResolver;
use identmap::Span;
use miette::NamedSource;

pub use config::{Config, Dialect, ParseSeverityError, Severity, UnknownCode};
pub(crate) use diagnostic::Finding;
pub use diagnostic::{apply_fixes, Diagnostic, Edit, Fix, Label, DOCS_URL};
pub use registry::{rule_docs_markdown, rules, RuleInfo};
pub use render::{
    diagnostic_json, range, report_json, summary_line, utf16_offset, Counts, Position, Positions,
    JSON_VERSION,
};
pub use suppress::Suppression;

/// What to lint.
#[derive(Clone, Copy)]
pub enum Input<'a> {
    /// A plain map: a cockroach map, or (with a postgres dialect) a `pg_ident.conf` without
    /// includes.
    Map {
        /// The name findings report (a path).
        name: &'a str,
        /// The text.
        text: &'a str,
    },
    /// `SET CLUSTER SETTING` statements: the identity map and the SSO settings are read from it
    /// (always as CockroachDB settings).
    Sql {
        /// The name findings report.
        name: &'a str,
        /// The text.
        text: &'a str,
    },
    /// A `pg_ident.conf` whose includes and `@file`s are read through `files`.
    PgIdent {
        /// The path of the file, as the includes are resolved against it.
        name: &'a str,
        /// Its text.
        text: &'a str,
        /// Where the other files come from.
        files: &'a dyn FileResolver,
    },
}

impl core::fmt::Debug for Input<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (kind, name) = match self {
            Input::Map { name, .. } => ("Map", name),
            Input::Sql { name, .. } => ("Sql", name),
            Input::PgIdent { name, .. } => ("PgIdent", name),
        };
        f.debug_struct(kind).field("name", name).finish_non_exhaustive()
    }
}

/// A file involved in a lint run: its name and text (indexed once for positions).
#[derive(Clone, Debug)]
pub struct Source {
    name: String,
    text: String,
    index: render::TextIndex,
}

impl PartialEq for Source {
    fn eq(&self, other: &Source) -> bool {
        self.name == other.name && self.text == other.text
    }
}

impl Eq for Source {}

impl Source {
    fn new(name: String, text: String) -> Source {
        let index = render::TextIndex::new(&text);
        Source { name, text, index }
    }

    /// Line, column and UTF-16 positions in the text.
    #[must_use]
    pub fn positions(&self) -> Positions<'_> {
        Positions::with_index(&self.text, &self.index)
    }

    /// The name (the input's name, or an included file's path).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The result of a lint run.
#[derive(Clone, Debug, Default)]
pub struct Report {
    diagnostics: Vec<Diagnostic>,
    unused: Vec<Suppression>,
    sources: Vec<Source>,
}

impl Report {
    /// Every finding, in a deterministic order: file, byte offset, code.
    #[must_use]
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The suppression comments that suppressed nothing (each is also an `IM001` diagnostic).
    #[must_use]
    pub fn unused_suppressions(&self) -> &[Suppression] {
        &self.unused
    }

    /// The highest severity among the findings.
    #[must_use]
    pub fn max_severity(&self) -> Option<Severity> {
        self.diagnostics.iter().map(Diagnostic::severity).max()
    }

    /// Every file involved, the input first.
    #[must_use]
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The text of a file involved.
    #[must_use]
    pub fn source(&self, name: &str) -> Option<&str> {
        self.sources.iter().find(|s| s.name == name).map(|s| s.text.as_str())
    }

    /// Positions in a file involved, indexed when the report was made (an unknown file: the
    /// empty text's).
    #[must_use]
    pub fn positions(&self, name: &str) -> Positions<'_> {
        self.sources.iter().find(|s| s.name == name).map_or_else(|| Positions::new(""), Source::positions)
    }
}

/// Lint `input` under `config`.
#[must_use]
pub fn lint(input: &Input<'_>, config: &Config) -> Report {
    let model = model::build(input, config);
    let mut findings = Vec::new();
    for (info, check) in registry::rules().iter().zip(registry::CHECKS) {
        let Some(check) = check else { continue };
        if config.severity_override(info.code) == Some(None) {
            continue;
        }
        check(&model, &mut findings);
    }
    finish(&model, findings, input)
}

/// Findings → diagnostics in file coordinates; suppressions; order.
fn finish(model: &model::Model<'_>, findings: Vec<Finding>, input: &Input<'_>) -> Report {
    let real: Vec<usize> = (0..model.files.len()).filter(|&i| model.files[i].inside.is_none()).collect();
    let named: HashMap<usize, Arc<NamedSource<String>>> = real
        .iter()
        .map(|&i| (i, Arc::new(NamedSource::new(&model.files[i].name, model.files[i].text.clone()))))
        .collect();
    let mut diags: Vec<Diagnostic> = Vec::new();
    for f in findings {
        let severity = match model.config.severity_override(f.info.code) {
            Some(None) => continue,
            Some(Some(s)) => s,
            None => f.severity,
        };
        let (file, span, labels, fix) = move_to_file(model, &f);
        diags.push(Diagnostic {
            info: f.info,
            severity,
            message: f.message,
            file: model.files[file].name.clone(),
            span,
            primary_label: f.primary_label,
            labels: labels.into_iter().map(|(s, m)| diagnostic::make_label(s, m)).collect(),
            help: f.help,
            fix: fix.map(|(d, e)| diagnostic::make_fix(d, &model.files[file].name, e)),
            source: named.get(&file).cloned(),
        });
    }
    // Suppressions.
    let sql_settings = match input {
        Input::Sql { text, .. } => Some(identmap::sql::parse_settings(text)),
        _ => None,
    };
    let mut unused = Vec::new();
    let mut extra = Vec::new();
    for &i in &real {
        let f = &model.files[i];
        let (supps, bad) =
            suppress::scan(&f.name, &f.text, if i == 0 { sql_settings.as_ref() } else { None });
        for b in bad {
            extra.push(Diagnostic {
                info: &suppress::IM002,
                severity: Severity::Warning,
                message: format!("malformed suppression comment: {}", b.why),
                file: f.name.clone(),
                span: b.span,
                primary_label: Some(b.why),
                labels: Vec::new(),
                help: Some("write `identmap: allow IMxxx — reason`".to_string()),
                fix: None,
                source: named.get(&i).cloned(),
            });
        }
        for s in supps {
            let before = diags.len();
            diags.retain(|d| {
                !(d.file == s.file
                    && s.codes.contains(&d.info.code)
                    && d.span.start >= s.covers.start
                    && d.span.start <= s.covers.end)
            });
            if diags.len() == before {
                extra.push(Diagnostic {
                    info: &suppress::IM001,
                    severity: Severity::Warning,
                    message: format!("unused suppression: no {} finding here", s.codes.join(", ")),
                    file: f.name.clone(),
                    span: s.span,
                    primary_label: Some("suppresses nothing".to_string()),
                    labels: Vec::new(),
                    help: Some("remove the comment".to_string()),
                    fix: None,
                    source: named.get(&i).cloned(),
                });
                unused.push(s);
            }
        }
    }
    for d in extra {
        match model.config.severity_override(d.info.code) {
            Some(None) => {}
            Some(Some(s)) => diags.push(Diagnostic { severity: s, ..d }),
            None => diags.push(d),
        }
    }
    let order: HashMap<&str, usize> =
        real.iter().enumerate().map(|(k, &i)| (model.files[i].name.as_str(), k)).collect();
    diags.sort_by(|a, b| {
        let fa = order.get(a.file.as_str()).copied().unwrap_or(usize::MAX);
        let fb = order.get(b.file.as_str()).copied().unwrap_or(usize::MAX);
        (fa, a.span.start, a.info.code, a.span.end, &a.message).cmp(&(
            fb,
            b.span.start,
            b.info.code,
            b.span.end,
            &b.message,
        ))
    });
    let sources =
        real.iter().map(|&i| Source::new(model.files[i].name.clone(), model.files[i].text.clone())).collect();
    Report { diagnostics: diags, unused, sources }
}

type Moved = (usize, Span, Vec<(Span, String)>, Option<(String, Vec<(Span, String)>)>);

/// A finding in a map inside a `.sql` file moves to the file; its fix survives only where the
/// file holds the value's bytes verbatim and the replacement needs no SQL escaping.
fn move_to_file(model: &model::Model<'_>, f: &Finding) -> Moved {
    let src = &model.files[f.file];
    let Some((setting, outer)) = &src.inside else {
        return (f.file, f.span, f.labels.clone(), f.fix.clone());
    };
    let file_text = &model.files[*outer].text;
    let mv = |s: Span| setting.source_span(s);
    let labels = f.labels.iter().map(|(s, m)| (mv(*s), m.clone())).collect();
    let e_literal =
        file_text.get(setting.value_span().range()).is_some_and(|v| v.starts_with('e') || v.starts_with('E'));
    let fix = f.fix.as_ref().and_then(|(d, edits)| {
        let moved: Option<Vec<(Span, String)>> = edits
            .iter()
            .map(|(s, r)| {
                let to = mv(*s);
                let verbatim = s.is_empty() || file_text.get(to.range()) == src.text.get(s.range());
                let safe = !(r.contains('\'') || (e_literal && r.contains('\\')));
                (verbatim && safe).then(|| (to, r.clone()))
            })
            .collect();
        moved.map(|m| (d.clone(), m))
    });
    (*outer, mv(f.span), labels, fix)
}
