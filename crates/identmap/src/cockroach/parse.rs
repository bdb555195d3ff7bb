//! The cockroach dialect's parser (`identmap.From`): lines, comments, the three fields, and
//! compilation of each pattern.

use nom::bytes::complete::take_while1;
use nom::combinator::all_consuming;
use nom::multi::separated_list1;
use nom::{IResult, Offset, Parser};

use super::{
    CaseMode, Error, ErrorKind, Field, Options, Parsed, PatternKind, Rule, RuleMatcher, Ruleset, Truncation,
};
use crate::regex::{self, go};
use crate::{fold, goquote, Span};
use regex_automata::nfa::thompson;

/// `bufio.Scanner`'s default maximum token size: a line of this many bytes or more stops the scan.
const MAX_LINE: usize = 64 * 1024;

/// Go's `\s` in the field regex `^(\S+)\s+(\S+)\s+(\S+)$`: ASCII only, no `\v`.
fn is_sep(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r')
}

fn field(i: &str) -> IResult<&str, &str> {
    take_while1(|c| !is_sep(c)).parse(i)
}

fn separator(i: &str) -> IResult<&str, &str> {
    take_while1(is_sep).parse(i)
}

/// The fields of a tidied line, with their byte offsets in it.
fn fields(line: &str) -> Option<Vec<(usize, &str)>> {
    let (_, parts) = all_consuming(separated_list1(separator, field)).parse(line).ok()?;
    Some(parts.into_iter().map(|p| (line.offset(p), p)).collect())
}

/// `tidyIdentMapLine`: cut at the first `#`, then `strings.TrimSpace` (Unicode white space).
/// Returns the tidied text and its offset in `line`.
fn tidy(line: &str) -> (usize, &str) {
    let cut = line.find('#').map_or(line, |i| &line[..i]);
    let start_trimmed = cut.trim_start_matches(char::is_whitespace);
    let offset = cut.len() - start_trimmed.len();
    (offset, start_trimmed.trim_end_matches(char::is_whitespace))
}

pub(super) fn parse(src: &str, options: Options) -> Parsed {
    let compiler = regex::small_compiler();
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    let mut truncation = None;
    let total_lines = src.split('\n').count() - usize::from(src.ends_with('\n'));
    let mut start = 0;
    let mut line_no = 0;
    while start < src.len() {
        let end = src[start..].find('\n').map_or(src.len(), |i| start + i);
        line_no += 1;
        let raw = &src[start..end];
        if raw.len() >= MAX_LINE {
            truncation = Some(Truncation {
                line: line_no,
                span: Span::new(start, end),
                ignored_lines: total_lines + 1 - line_no,
            });
            break;
        }
        let content = raw.strip_suffix('\r').unwrap_or(raw);
        let (offset, line) = tidy(content);
        let line_start = start + offset;
        if !line.is_empty() {
            match parse_line(line, line_start, line_no, options, &compiler) {
                Ok(rule) => rules.push(rule),
                Err(e) => errors.push(e),
            }
        }
        start = end + 1;
    }
    Parsed { ruleset: Ruleset { rules, case: options.get_case() }, errors, truncation }
}

fn parse_line(
    line: &str,
    at: usize,
    line_no: usize,
    options: Options,
    compiler: &thompson::Compiler,
) -> Result<Rule, Error> {
    let case = options.get_case();
    let span = Span::new(at, at + line.len());
    let parts = fields(line).unwrap_or_default();
    let [map_name, identity, user] = parts.as_slice() else {
        return Err(Error {
            kind: ErrorKind::Fields,
            line: line_no,
            span,
            message: format!("unable to parse line {line_no}: {}", goquote::quote(line)),
        });
    };
    let mk = |(o, t): (usize, &str)| Field { text: t.to_string(), span: Span::new(at + o, at + o + t.len()) };
    let (map_name, identity, user) = (mk(*map_name), mk(*identity), mk(*user));

    let (kind, groups, matcher, hir) = match identity.text.strip_prefix('/') {
        None => {
            // `^` + QuoteMeta + `$` (with `(?i)` in insensitive mode) is an exact comparison.
            let m = match case {
                CaseMode::Sensitive => RuleMatcher::Exact(identity.text.clone()),
                CaseMode::Insensitive => RuleMatcher::Folded(fold::fold_key(&identity.text)),
            };
            (PatternKind::Literal, 0, m, None)
        }
        Some(body) => {
            let prefix = if case == CaseMode::Insensitive { "(?i)" } else { "" };
            let full = format!("{prefix}{body}");
            let parsed = go::parse(&full).map_err(|e| {
                // Point into the field: the `(?i)` prefix is not in the source.
                let base = identity.span.start + 1;
                let s = e.span.start.saturating_sub(prefix.len()).min(body.len());
                let t = e.span.end.saturating_sub(prefix.len()).clamp(s, body.len());
                Error {
                    kind: ErrorKind::Regex,
                    line: line_no,
                    span: Span::new(base + s, base + t),
                    message: format!("unable to parse line {line_no}: {e}"),
                }
            })?;
            if let Some(limit) = options.get_max_nesting().filter(|&l| parsed.height > l) {
                return Err(Error {
                    kind: ErrorKind::TooLarge,
                    line: line_no,
                    span: identity.span,
                    message: format!(
                        "line {line_no}: the pattern nests {} levels deep, more than identmap allows here ({limit}; Go allows 1000)",
                        parsed.height
                    ),
                });
            }
            let compiled = regex::compile_small(compiler, &parsed.hir).map_err(|e| Error {
                kind: ErrorKind::TooLarge,
                line: line_no,
                span: identity.span,
                message: format!("line {line_no}: {}", e.message),
            })?;
            (
                PatternKind::Regex,
                parsed.groups,
                RuleMatcher::Regex(compiled),
                Some(std::sync::Arc::new(parsed.hir)),
            )
        }
    };
    let substitute_at = user.text.find("\\1");
    if substitute_at.is_some() && groups == 0 {
        return Err(Error {
            kind: ErrorKind::NoSubexpression,
            line: line_no,
            span: user.span,
            message: format!(
                "saw \\1 substitution on line {line_no}, but pattern contains no subexpressions"
            ),
        });
    }
    Ok(Rule { line: line_no, span, map_name, identity, user, kind, groups, substitute_at, matcher, hir })
}

#[cfg(test)]
mod tests {
    use super::{fields, tidy};

    #[test]
    fn tidy_cuts_comment_and_unicode_space() {
        assert_eq!(tidy("  m a b # c"), (2, "m a b"));
        assert_eq!(tidy("\u{a0}m a b\u{b}"), (2, "m a b"));
        assert_eq!(tidy("# only"), (0, ""));
    }

    #[test]
    fn fields_ascii_separators_only() {
        assert_eq!(fields("m\tx\x0cu").map(|f| f.len()), Some(3));
        assert_eq!(fields("m\u{b}x u").map(|f| f.len()), Some(2));
        assert_eq!(fields("m\u{a0}x u").map(|f| f.len()), Some(2));
        assert_eq!(
            fields("m  x   u").map(|f| f.iter().map(|p| p.0).collect::<Vec<_>>()),
            Some(vec![0, 3, 7])
        );
    }
}
