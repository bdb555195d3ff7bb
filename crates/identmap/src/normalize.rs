//! CockroachDB's username normalization (`lexbase.NormalizeName`, reached through
//! `username.MakeSQLUsernameFromUserInput(…, PurposeValidation)`).

use unicode_normalization::UnicodeNormalization;

/// Normalize a username as CockroachDB does for every user an identity map produces.
///
/// Each character is lowercased with Unicode's *simple* per-character mapping, except that
/// `İ` (U+0130) and `ı` (U+0131) both become ASCII `i` (Go's special case). Then, if the result is
/// not ASCII, it is put in NFC. There is no case *folding* (`ß` stays `ß`), no NFKC (fullwidth
/// letters stay fullwidth) and no validation: any string is accepted.
///
/// ```
/// use identmap::normalize_username;
/// assert_eq!(normalize_username("Carl"), "carl");
/// assert_eq!(normalize_username("\u{212A}ELVIN"), "kelvin"); // Kelvin sign
/// assert_eq!(normalize_username("\u{130}STANBUL"), "istanbul");
/// assert_eq!(normalize_username("E\u{301}"), "\u{e9}"); // NFC after lowercasing
/// assert_eq!(normalize_username("STRAẞE"), "straße");
/// ```
#[must_use]
pub fn normalize_username(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let lowered: String = s.chars().map(simple_lower).collect();
    lowered.nfc().collect()
}

/// Go's `unicode.SpecialCase` lower mapping used by `NormalizeName`: simple lowercase, with the
/// Turkish dotted and dotless i both going to ASCII `i`.
fn simple_lower(c: char) -> char {
    match c {
        '\u{130}' | '\u{131}' => 'i',
        _ => {
            // `char::to_lowercase` is the full mapping; it differs from the simple one only for
            // U+0130, handled above. Take the single char when the mapping is one char.
            let mut it = c.to_lowercase();
            match (it.next(), it.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_username;

    #[test]
    fn simple_not_full_lowercase() {
        assert_eq!(normalize_username("ß"), "ß");
        assert_eq!(normalize_username("ＡＢ"), "ａｂ");
        assert_eq!(normalize_username("ΣΑΣ"), "σασ"); // no final-sigma rule
        assert_eq!(normalize_username("ı"), "i");
        assert_eq!(normalize_username("\u{212B}"), "\u{e5}");
    }
}
