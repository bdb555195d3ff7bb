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
    r::im003_not_analysed::INFO => None,
    r::im101_malformed_line::INFO => Some(r::im101_malformed_line::check),
    r::im102_invalid_regex::INFO => Some(r::im102_invalid_regex::check),
    r::im103_missing_capture_group::INFO => Some(r::im103_missing_capture_group::check),
    r::im104_long_line::INFO => Some(r::im104_long_line::check),
    r::im105_unresolved_include::INFO => Some(r::im105_unresolved_include::check),
    r::im106_unsupported_regex::INFO => Some(r::im106_unsupported_regex::check),
    r::im201_unanchored_regex::INFO => Some(r::im201_unanchored_regex::check),
    r::im202_unescaped_dot::INFO => Some(r::im202_unescaped_dot::check),
    r::im203_reserved_user::INFO => Some(r::im203_reserved_user::check),
    r::im204_matches_everything::INFO => Some(r::im204_matches_everything::check),
    r::im205_capture_swallows_separator::INFO => Some(r::im205_capture_swallows_separator::check),
    r::im206_confusable_text::INFO => Some(r::im206_confusable_text::check),
    r::im207_all_roles::INFO => Some(r::im207_all_roles::check),
    r::im208_mutable_claim::INFO => Some(r::im208_mutable_claim::check),
    r::im301_issuer_mismatch::INFO => Some(r::im301_issuer_mismatch::check),
    r::im302_hash_in_field::INFO => Some(r::im302_hash_in_field::check),
    r::im303_perl_delimiters::INFO => Some(r::im303_perl_delimiters::check),
    r::im304_extra_backreference::INFO => Some(r::im304_extra_backreference::check),
    r::im305_shadowed_rule::INFO => Some(r::im305_shadowed_rule::check),
    r::im306_never_matches::INFO => Some(r::im306_never_matches::check),
    r::im307_empty_user::INFO => Some(r::im307_empty_user::check),
    r::im308_invalid_user::INFO => Some(r::im308_invalid_user::check),
    r::im309_unicode_blank::INFO => Some(r::im309_unicode_blank::check),
    r::im310_case_confusion::INFO => Some(r::im310_case_confusion::check),
    r::im401_version_difference::INFO => Some(r::im401_version_difference::check),
    r::im402_capture_semantics::INFO => Some(r::im402_capture_semantics::check),
    r::im403_dialect_meaning::INFO => Some(r::im403_dialect_meaning::check),
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
