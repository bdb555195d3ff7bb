//! The registry: every rule, ordered by code, with its documentation.

use crate::config::Severity;
use crate::model::Model;
use crate::rules as r;
use crate::Finding;

/// A rule: its stable code and name, default severity, the dialects it applies to, a one-line
/// summary and its documentation (markdown: what it does, why it matters, an example, the fix).
#[derive(Debug)]
pub struct RuleInfo {
    /// The stable code, e.g. `IM201`.
    pub code: &'static str,
    /// The kebab-case name, e.g. `unanchored-regex` (reads well as "allow unanchored-regex").
    pub name: &'static str,
    /// The severity unless configured otherwise (IM203: error for a literal target; its
    /// findings by substitution are warnings).
    pub default_severity: Severity,
    /// `all`, `cockroach`, `postgres`, `postgres 16+` or `sso`.
    pub dialects: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Markdown sections: what it does, why it matters, example, how to fix.
    pub docs: &'static str,
}

pub(crate) type Check = fn(&Model, &mut Vec<Finding>);

macro_rules! registry {
    ($( $info:expr => $check:expr ),* $(,)?) => {
        static RULES: &[RuleInfo] = &[$($info),*];
        pub(crate) static CHECKS: &[Option<Check>] = &[$($check),*];
    };
}

registry! {
    crate::suppress::IM001 => None,
    crate::suppress::IM002 => None,
    r::im101_malformed_line::INFO => Some(r::im101_malformed_line::check),
    r::im102_invalid_regex::INFO => Some(r::im102_invalid_regex::check),
    r::im103_missing_capture_group::INFO => Some(r::im103_missing_capture_group::check),
    r::im201_unanchored_regex::INFO => Some(r::im201_unanchored_regex::check),
}

/// Every rule, ordered by code.
///
/// ```
/// let rules = identmap_lint::rules();
/// assert!(rules.windows(2).all(|w| w[0].code < w[1].code));
/// assert!(rules.iter().any(|r| r.code == "IM201" && r.name == "unanchored-regex"));
/// ```
#[must_use]
pub fn rules() -> &'static [RuleInfo] {
    RULES
}

pub(crate) fn find(code: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|i| i.code.eq_ignore_ascii_case(code) || i.name == code)
}

/// The documentation page of a rule, as generated into `docs/rules/IMxxx.md`.
///
/// ```
/// let page = identmap_lint::rule_docs_markdown("IM201").unwrap();
/// assert!(page.starts_with("# IM201 unanchored-regex"));
/// assert!(identmap_lint::rule_docs_markdown("IM999").is_none());
/// ```
#[must_use]
pub fn rule_docs_markdown(code: &str) -> Option<String> {
    let info = find(code)?;
    Some(format!(
        "# {} {}\n\n{}\n\n| default severity | dialects |\n| --- | --- |\n| {} | {} |\n\n{}\n",
        info.code,
        info.name,
        info.summary,
        info.default_severity,
        info.dialects,
        info.docs.trim()
    ))
}
