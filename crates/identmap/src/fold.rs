//! Simple case folding, as Go's `(?i)` applies it to a literal: two strings match
//! case-insensitively when they have the same length in characters and each pair of characters
//! is in the same simple case-folding orbit (`k`, `K` and the Kelvin sign `K` are one orbit).

use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};

/// The representative of `c`'s simple case-folding orbit: its smallest member.
pub(crate) fn fold_char(c: char) -> char {
    if c.is_ascii() {
        // ASCII letters' orbits are {upper, lower} plus, for k and s, a non-ASCII member; the
        // smallest member is always the ASCII upper-case letter.
        return c.to_ascii_uppercase();
    }
    let mut class = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
    class.case_fold_simple();
    class.ranges().first().map_or(c, ClassUnicodeRange::start)
}

/// `s` with every character replaced by its orbit representative: equal keys mean a
/// case-insensitive (Go `(?i)`) literal match.
pub(crate) fn fold_key(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

#[cfg(test)]
mod tests {
    use super::fold_key;

    #[test]
    fn orbits() {
        assert_eq!(fold_key("kelvin"), fold_key("\u{212A}ELVIN"));
        assert_eq!(fold_key("ſ"), fold_key("S"));
        assert_eq!(fold_key("σ"), fold_key("ς"));
        assert_eq!(fold_key("Σ"), fold_key("ς"));
        assert_ne!(fold_key("ß"), fold_key("ss"));
        assert_ne!(fold_key("İ"), fold_key("i"));
        assert_ne!(fold_key("ı"), fold_key("i"));
        assert_eq!(fold_key("Å"), fold_key("\u{212B}"));
    }
}
