//! `github`: GitHub Actions workflow commands, one per finding, which GitHub shows as
//! annotations on the pull request:
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=IMxxx::name: message`.
//!
//! Escaping follows GitHub's runner (`toolkit/packages/core/src/command.ts`): in the message
//! `%`, `\r` and `\n` become `%25`, `%0D` and `%0A`; property values also escape `:` and `,`
//! (`%3A`, `%2C`).

use std::fmt::Write as _;

use identmap_lint::{Report, Severity};

pub(super) fn render(reports: &[Report]) -> String {
    let mut out = String::new();
    for r in reports {
        for d in r.diagnostics() {
            let (start, end) = super::range(r, d, d.span());
            let command = match d.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut message = format!("{}: {}", d.rule_name(), d.message());
            if let Some(help) = d.help() {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(d.file()),
                start.line,
                start.column,
                end.line,
                end.column,
                property(d.code()),
                data(&message)
            );
        }
    }
    out
}

fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_as_the_runner_does() {
        assert_eq!(data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
