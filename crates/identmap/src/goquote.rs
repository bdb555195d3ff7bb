//! Go's `strconv.Quote` (the `%q` verb), used where CockroachDB prints a config line in an
//! error message.

use core::fmt::Write;
use std::sync::OnceLock;

use regex_syntax::hir::{Class, ClassUnicode, HirKind};

/// Quote `s` exactly as Go's `strconv.Quote` does.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    static PRINT: OnceLock<Vec<(char, char)>> = OnceLock::new();
    let ranges = PRINT.get_or_init(|| {
        // The pattern is a constant known to parse; an empty table would only make every
        // non-ASCII character print escaped.
        let parsed = regex_syntax::Parser::new().parse(r"[\p{L}\p{M}\p{N}\p{P}\p{S}]");
        match parsed.map(regex_syntax::hir::Hir::into_kind) {
            Ok(HirKind::Class(Class::Unicode(cls))) => ranges_of(&cls),
            _ => Vec::new(),
        }
    });
    crate::ranges::contains(ranges, c)
}

fn ranges_of(cls: &ClassUnicode) -> Vec<(char, char)> {
    cls.ranges().iter().map(|r| (r.start(), r.end())).collect()
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn like_go() {
        assert_eq!(quote("m /^a"), r#""m /^a""#);
        assert_eq!(quote("m\u{b}x u"), r#""m\vx u""#);
        assert_eq!(quote("m\u{a0}x u"), r#""m\u00a0x u""#);
        assert_eq!(quote("m \"a b\" u"), r#""m \"a b\" u""#);
        assert_eq!(quote("n 19Zéaé"), "\"n 19Zéaé\"");
        assert_eq!(quote("\u{0}\u{7f}"), r#""\x00\x7f""#);
        assert_eq!(quote("\u{e0000}"), r#""\U000e0000""#);
        assert_eq!(quote("a\\1"), r#""a\\1""#);
    }
}
