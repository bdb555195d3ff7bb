//! The diagnostic model: what a rule found, where, why, and how to fix it.

use core::fmt;
use std::sync::Arc;

use identmap::Span;
use miette::{LabeledSpan, NamedSource, SourceCode};

use crate::config::Severity;
use crate::registry::RuleInfo;

/// Where the rule pages are published; a diagnostic's [`url`](miette::Diagnostic::url) is this
/// followed by `IMxxx.md`.
pub const DOCS_URL: &str = "https://example.invalid/identmap/blob/main/docs/rules/";

/// A secondary span with its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    span: Span,
    message: String,
}

impl Label {
    /// The byte span in the diagnostic's file.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }

    /// What the label says.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// One text replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    file: String,
    span: Span,
    replacement: String,
}

impl Edit {
    /// The file it applies to.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The bytes replaced.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }

    /// The new text.
    #[must_use]
    pub fn replacement(&self) -> &str {
        &self.replacement
    }
}

/// A fix: edits that never widen the set of identities a rule matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    description: String,
    edits: Vec<Edit>,
}

impl Fix {
    /// What the fix does.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The edits, in file order.
    #[must_use]
    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }
}

/// One finding. Implements [`miette::Diagnostic`] (code, severity, labels, help, url, source
/// code), so that a renderer shows it with its source snippet.
#[derive(Clone)]
pub struct Diagnostic {
    pub(crate) info: &'static RuleInfo,
    pub(crate) severity: Severity,
    pub(crate) message: String,
    pub(crate) file: String,
    pub(crate) span: Span,
    pub(crate) primary_label: Option<String>,
    pub(crate) labels: Vec<Label>,
    pub(crate) help: Option<String>,
    pub(crate) fix: Option<Fix>,
    pub(crate) source: Option<Arc<NamedSource<String>>>,
}

impl fmt::Debug for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Diagnostic")
            .field("code", &self.info.code)
            .field("severity", &self.severity)
            .field("message", &self.message)
            .field("file", &self.file)
            .field("span", &self.span)
            .field("labels", &self.labels)
            .field("help", &self.help)
            .field("fix", &self.fix)
            .finish_non_exhaustive()
    }
}

impl Diagnostic {
    /// The rule's code, e.g. `IM201`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.info.code
    }

    /// The rule's kebab-case name, e.g. `unanchored-regex`.
    #[must_use]
    pub fn rule_name(&self) -> &'static str {
        self.info.name
    }

    /// The severity, after the configuration's overrides.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The file: the name given in the [`Input`](crate::Input), or an included file's path.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The primary span: byte offsets in [`Diagnostic::file`].
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }

    /// Secondary spans (in the same file).
    #[must_use]
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// How to fix it.
    #[must_use]
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// A fix that never widens a match, when there is one.
    #[must_use]
    pub fn fix(&self) -> Option<&Fix> {
        self.fix.as_ref()
    }

    /// The rule's documentation page.
    #[must_use]
    pub fn url(&self) -> String {
        format!("{DOCS_URL}{}.md", self.info.code)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("{}({})", self.info.code, self.info.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Info => miette::Severity::Advice,
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.url()))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(
            self.primary_label.clone(),
            (self.span.start, self.span.len()),
        );
        let rest = self
            .labels
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), (l.span.start, l.span.len())));
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}

/// A diagnostic as a rule builds it, in the coordinates of the text the rule looked at.
#[derive(Clone, Debug)]
pub(crate) struct Finding {
    pub(crate) info: &'static RuleInfo,
    pub(crate) severity: Severity,
    pub(crate) message: String,
    /// Index into the lint run's files.
    pub(crate) file: usize,
    pub(crate) span: Span,
    pub(crate) primary_label: Option<String>,
    pub(crate) labels: Vec<(Span, String)>,
    pub(crate) help: Option<String>,
    pub(crate) fix: Option<(String, Vec<(Span, String)>)>,
}

impl Finding {
    pub(crate) fn new(
        info: &'static RuleInfo,
        file: usize,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            info,
            severity: info.default_severity,
            message: message.into(),
            file,
            span,
            primary_label: None,
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub(crate) fn severity(mut self, sev: Severity) -> Finding {
        self.severity = sev;
        self
    }

    pub(crate) fn primary(mut self, label: impl Into<String>) -> Finding {
        self.primary_label = Some(label.into());
        self
    }

    pub(crate) fn label(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.labels.push((span, message.into()));
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn fix(mut self, description: impl Into<String>, edits: Vec<(Span, String)>) -> Finding {
        self.fix = Some((description.into(), edits));
        self
    }
}

pub(crate) fn make_label(span: Span, message: String) -> Label {
    Label { span, message }
}

pub(crate) fn make_fix(description: String, file: &str, edits: Vec<(Span, String)>) -> Fix {
    let mut edits: Vec<Edit> = edits
        .into_iter()
        .map(|(span, replacement)| Edit { file: file.to_string(), span, replacement })
        .collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    Fix { description, edits }
}

/// Apply the fixes of `diagnostics` that belong to `file` to `text`. Fixes are taken in
/// diagnostic order; a fix with an edit that overlaps an edit already taken (or falls outside the
/// text) is skipped as a whole, so the result never mixes two fixes of one place.
///
/// ```
/// use identmap_lint::{apply_fixes, lint, Config, Input};
/// let text = "m /^(.*)@corp\\.com \\1\n";
/// let report = lint(&Input::Map { name: "a.map", text }, &Config::default());
/// assert_eq!(apply_fixes(text, "a.map", report.diagnostics()), "m /^(.*)@corp\\.com$ \\1\n");
/// ```
#[must_use]
pub fn apply_fixes(text: &str, file: &str, diagnostics: &[Diagnostic]) -> String {
    let mut taken: Vec<&Edit> = Vec::new();
    for d in diagnostics {
        let Some(fix) = &d.fix else { continue };
        let edits: Vec<&Edit> = fix.edits.iter().filter(|e| e.file == file).collect();
        if edits.is_empty() {
            continue;
        }
        let fits = edits.iter().all(|e| {
            e.span.end <= text.len()
                && text.is_char_boundary(e.span.start)
                && text.is_char_boundary(e.span.end)
                && taken.iter().all(|t| {
                    // Disjoint, and two insertions at one point are ambiguous.
                    (e.span.end <= t.span.start || t.span.end <= e.span.start)
                        && !(e.span.is_empty() && t.span.is_empty() && e.span.start == t.span.start)
                        && !(e.span.is_empty() && t.span.start < e.span.start && e.span.start < t.span.end)
                        && !(t.span.is_empty() && e.span.start < t.span.start && t.span.start < e.span.end)
                })
        });
        if fits {
            taken.extend(edits);
        }
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for e in taken {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}
