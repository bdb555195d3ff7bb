//! IM104: a line of 64 KiB or more (CockroachDB ignores it and the rest).

use crate::config::Severity;
use crate::model::Model;
use crate::registry::RuleInfo;
use crate::Finding;

pub(crate) const INFO: RuleInfo = RuleInfo {
    code: "IM104",
    name: "line-too-long",
    default_severity: Severity::Error,
    dialects: "cockroach",
    summary: "A line of 64 KiB or more: CockroachDB silently ignores it and every line after it.",
    docs: r#"## What it does
Reports the first line of 65,536 bytes or more.

## Why it matters
CockroachDB reads the configuration with Go's `bufio.Scanner`, whose token limit is 64 KiB, and
never checks the scanner's error: the scan just stops. That line **and every line after it** are
ignored without a word, and the configuration is accepted with the rules before it.

## Example
A generated map whose 40th line holds a 70,000-character alternation.

## How to fix
Split the rule into several shorter rules (one per alternative)."#,
};

pub(crate) fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    if let Some(t) = &m.truncation {
        out.push(
            Finding::new(
                &INFO,
                m.map_file,
                identmap::Span::new(t.span().start, t.span().start + 1),
                format!(
                    "line {} is {} bytes long (64 KiB or more): CockroachDB silently ignores it and the {} line(s) from here to the end",
                    t.line(),
                    t.span().len(),
                    t.ignored_lines()
                ),
            )
            .primary("the scan stops here")
            .help("split the rule into shorter rules"),
        );
    }
}
