//! A light lexical view of a pattern's text, for rules that must point at one character (an
//! unescaped `.`, an escape) or rewrite it. The meaning of patterns is always decided on the
//! syntax tree; this only locates things.

/// One lexical element of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An ordinary character outside brackets.
    Plain(char),
    /// `\x` (the character after the backslash).
    Escape(char),
    /// A whole bracket expression `[…]`.
    Class,
    /// A character inside Go's `\Q…\E` (literal).
    Quoted(char),
}

/// An element and its byte span in the pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok {
    pub(crate) at: usize,
    pub(crate) len: usize,
    pub(crate) kind: Kind,
}

/// The elements of `p`. `go`: Go syntax (`\Q…\E`); otherwise ARE.
pub(crate) fn tokens(p: &str, go: bool) -> Vec<Tok> {
    let chars: Vec<(usize, char)> = p.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(p.len(), |c| c.0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            '\\' => {
                let Some(&(_, n)) = chars.get(i + 1) else {
                    out.push(Tok { at, len: 1, kind: Kind::Plain('\\') });
                    break;
                };
                if go && n == 'Q' {
                    i += 2;
                    while i < chars.len() {
                        if chars[i].1 == '\\' && chars.get(i + 1).is_some_and(|c| c.1 == 'E') {
                            i += 2;
                            break;
                        }
                        let (a, q) = chars[i];
                        out.push(Tok { at: a, len: q.len_utf8(), kind: Kind::Quoted(q) });
                        i += 1;
                    }
                    continue;
                }
                out.push(Tok { at, len: end_of(i + 2) - at, kind: Kind::Escape(n) });
                i += 2;
            }
            '[' => {
                let mut j = i + 1;
                if chars.get(j).is_some_and(|c| c.1 == '^') {
                    j += 1;
                }
                if chars.get(j).is_some_and(|c| c.1 == ']') {
                    j += 1;
                }
                while j < chars.len() && chars[j].1 != ']' {
                    if chars[j].1 == '\\' {
                        j += 2;
                        continue;
                    }
                    if chars[j].1 == '[' && chars.get(j + 1).is_some_and(|c| matches!(c.1, ':' | '.' | '=')) {
                        let delim = chars[j + 1].1;
                        j += 2;
                        while j + 1 < chars.len() && !(chars[j].1 == delim && chars[j + 1].1 == ']') {
                            j += 1;
                        }
                        j += 2;
                        continue;
                    }
                    j += 1;
                }
                let j = (j + 1).min(chars.len());
                out.push(Tok { at, len: end_of(j) - at, kind: Kind::Class });
                i = j;
            }
            _ => {
                out.push(Tok { at, len: c.len_utf8(), kind: Kind::Plain(c) });
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes() {
        let t = tokens("^a\\.[.]b.c\\Q.\\E$", true);
        let kinds: Vec<Kind> = t.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Plain('^'),
                Kind::Plain('a'),
                Kind::Escape('.'),
                Kind::Class,
                Kind::Plain('b'),
                Kind::Plain('.'),
                Kind::Plain('c'),
                Kind::Quoted('.'),
                Kind::Plain('$')
            ]
        );
        assert_eq!(t[3].len, 3);
        assert_eq!(tokens("[[:alpha:]]x", false)[1].kind, Kind::Plain('x'));
    }
}
