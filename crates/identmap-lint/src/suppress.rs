//! Suppression comments: `# identmap: allow IM201 — reason` (also `-- reason` or `: reason`) on
//! the line itself or alone on the line just above it; in a `.sql` file also
//! `-- identmap: allow IM301 — reason` just above a statement.

use identmap::sql::Settings;
use identmap::Span;

use crate::config::Severity;
use crate::registry::RuleInfo;

pub(crate) const IM001: RuleInfo = RuleInfo {
    code: "IM001",
    name: "unused-suppression",
    default_severity: Severity::Warning,
    dialects: "all",
    summary: "A suppression comment that suppresses nothing.",
    docs: r"## What it does
Reports an `identmap: allow IMxxx — reason` comment when no finding of that code is on the line
it covers.

## Why it matters
A stale suppression hides the next real finding on that line, and tells readers about a problem
that is no longer there.

## Example
```text
https://idp.example.com alice@example.com alice  # identmap: allow IM201 — legacy feed
```

## How to fix
Remove the comment, or the code that no longer applies.",
};

pub(crate) const IM002: RuleInfo = RuleInfo {
    code: "IM002",
    name: "malformed-suppression",
    default_severity: Severity::Warning,
    dialects: "all",
    summary: "A comment starting with `identmap:` that is not a valid suppression.",
    docs: r"## What it does
Reports a comment that starts with `identmap:` but is not `identmap: allow <codes> — <reason>`:
an unknown verb or code, no code, or no reason.

## Why it matters
A malformed suppression suppresses nothing, so the finding it was meant for is still reported,
and the reason (which reviewers rely on) is missing.

## Example
```text
https://idp.example.com /bob bob  # identmap: allow IM201
```

## How to fix
Write `# identmap: allow IM201 — why this is acceptable` (the separator may also be `--` or
`:`), with known codes separated by commas or spaces.",
};

/// One suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub(crate) file: String,
    pub(crate) span: Span,
    pub(crate) codes: Vec<&'static str>,
    pub(crate) reason: String,
    /// The bytes whose findings it covers.
    pub(crate) covers: Span,
}

impl Suppression {
    /// The file of the comment.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The comment's span.
    #[must_use]
    pub fn span(&self) -> Span {
        self.span
    }

    /// The codes it allows.
    #[must_use]
    pub fn codes(&self) -> &[&'static str] {
        &self.codes
    }

    /// The reason given.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// A comment that starts with `identmap:` but is malformed: where, and why.
pub(crate) struct Malformed {
    pub(crate) span: Span,
    pub(crate) why: String,
}

/// Find the suppressions of one file. `sql`: the file is a `.sql` file (also `--` comments,
/// covering the statement below).
pub(crate) fn scan(file: &str, text: &str, sql: Option<&Settings>) -> (Vec<Suppression>, Vec<Malformed>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let lines: Vec<(usize, &str)> = line_spans(text);
    for (i, &(start, line)) in lines.iter().enumerate() {
        for (at, body) in comments(line, sql.is_some()) {
            let trimmed = body.trim_start();
            let Some(rest) = trimmed.strip_prefix("identmap:") else { continue };
            let span = Span::new(start + at, start + line.trim_end().len().max(at));
            let alone = line[..at].trim().is_empty();
            let covers =
                if alone { next_target(text, &lines, i, sql) } else { Span::new(start, start + line.len()) };
            match parse(rest) {
                Ok((codes, reason)) => {
                    out.push(Suppression { file: file.to_string(), span, codes, reason, covers })
                }
                Err(why) => bad.push(Malformed { span, why }),
            }
        }
    }
    (out, bad)
}

fn line_spans(text: &str) -> Vec<(usize, &str)> {
    let mut v = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        v.push((start, line.strip_suffix('\r').unwrap_or(line)));
        start += line.len() + 1;
    }
    v
}

/// The comments of a line that could be suppressions: `#` (the first one, as both dialects cut
/// there) and, in SQL, `--`.
fn comments(line: &str, sql: bool) -> Vec<(usize, &str)> {
    let mut v = Vec::new();
    if let Some(i) = line.find('#') {
        v.push((i, &line[i + 1..]));
    }
    if sql {
        if let Some(i) = line.find("--") {
            if line[i + 2..].trim_start().starts_with("identmap:") && v.iter().all(|(j, _)| *j > i) {
                v.clear();
                v.push((i, &line[i + 2..]));
            }
        }
    }
    v
}

/// What a comment alone on line `i` covers: the next line, or in SQL the statement that starts
/// there.
fn next_target(text: &str, lines: &[(usize, &str)], i: usize, sql: Option<&Settings>) -> Span {
    let Some(&(start, line)) = lines.get(i + 1) else { return Span::empty(text.len()) };
    let mut covers = Span::new(start, start + line.len());
    if let Some(settings) = sql {
        let first = start + (line.len() - line.trim_start().len());
        if let Some(s) = settings.all().iter().find(|s| s.statement_span().start == first) {
            covers = covers.cover(s.statement_span());
        }
    }
    covers
}

fn parse(rest: &str) -> Result<(Vec<&'static str>, String), String> {
    let rest = rest.trim_start();
    let Some(after) = rest.strip_prefix("allow") else {
        return Err("expected `identmap: allow <codes> — <reason>`".to_string());
    };
    if !after.starts_with(char::is_whitespace) {
        return Err("expected `identmap: allow <codes> — <reason>`".to_string());
    }
    // Codes up to the separator.
    let (codes_text, reason) = split_reason(after);
    let mut codes = Vec::new();
    for c in codes_text.split(|c: char| c == ',' || c.is_whitespace()).filter(|c| !c.is_empty()) {
        match crate::registry::find(c) {
            Some(info) if info.code != "IM001" && info.code != "IM002" => codes.push(info.code),
            _ => return Err(format!("unknown lint code `{c}`")),
        }
    }
    if codes.is_empty() {
        return Err("no lint code after `allow`".to_string());
    }
    let reason = reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err("a reason is required: `identmap: allow IMxxx — why`".to_string());
    }
    Ok((codes, reason.to_string()))
}

fn split_reason(s: &str) -> (&str, Option<&str>) {
    let seps = ["—", "--", ":"];
    let found = seps.iter().filter_map(|sep| s.find(sep).map(|i| (i, sep.len()))).min();
    match found {
        Some((i, n)) => (&s[..i], Some(&s[i + n..])),
        None => (s, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let text = "m /bob bob # identmap: allow IM201 — legacy\n# identmap: allow IM201, IM101 -- x\nm /a a\n# identmap: allow IM201\n# identmap: deny IM201: x\n# identmap: allow IM999: x\n";
        let (ok, bad) = scan("f", text, None);
        let why: Vec<&str> = bad.iter().map(|b| b.why.as_str()).collect();
        assert_eq!(ok.len(), 2, "{why:?}");
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].codes, ["IM201"]);
        assert_eq!(ok[0].reason, "legacy");
        assert_eq!(&text[ok[0].covers.range()], "m /bob bob # identmap: allow IM201 — legacy");
        assert_eq!(ok[1].codes, ["IM201", "IM101"]);
        assert_eq!(&text[ok[1].covers.range()], "m /a a");
        assert_eq!(bad.len(), 3);
        assert!(bad[0].why.contains("reason"));
        assert!(bad[1].why.contains("expected"));
        assert!(bad[2].why.contains("IM999"));
    }
}
