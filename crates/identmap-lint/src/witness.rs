//! Building example strings from a syntax tree.

use regex_syntax::hir::{Class, Hir, HirKind};

/// A string the tree matches (ignoring look-around assertions, which the caller verifies), with
/// capture group `group` replaced by `replacement` when given. Chooses readable characters.
pub(crate) fn witness(hir: &Hir, group: Option<(u32, &str)>) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    walk(hir, group, &mut out)?;
    Some(out)
}

/// The sub-expression of capture group `g`.
pub(crate) fn group(hir: &Hir, g: u32) -> Option<&Hir> {
    match hir.kind() {
        HirKind::Capture(c) if c.index == g => Some(&c.sub),
        HirKind::Capture(c) => group(&c.sub, g),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().find_map(|h| group(h, g)),
        HirKind::Repetition(r) => group(&r.sub, g),
        _ => None,
    }
}

fn contains_group(hir: &Hir, g: u32) -> bool {
    match hir.kind() {
        HirKind::Capture(c) => c.index == g || contains_group(&c.sub, g),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(|h| contains_group(h, g)),
        HirKind::Repetition(r) => contains_group(&r.sub, g),
        _ => false,
    }
}

fn walk(hir: &Hir, group: Option<(u32, &str)>, out: &mut Vec<u8>) -> Option<()> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(()),
        HirKind::Literal(l) => {
            out.extend_from_slice(&l.0);
            Some(())
        }
        HirKind::Class(c) => {
            let ch = pick(c)?;
            out.extend_from_slice(&ch);
            Some(())
        }
        HirKind::Capture(c) => match group {
            Some((g, rep)) if c.index == g => {
                out.extend_from_slice(rep.as_bytes());
                Some(())
            }
            _ => walk(&c.sub, group, out),
        },
        HirKind::Concat(v) => v.iter().try_for_each(|h| walk(h, group, out)),
        HirKind::Alternation(v) => {
            let want = group.map(|(g, _)| g);
            let ordered = v
                .iter()
                .filter(|h| want.is_some_and(|g| contains_group(h, g)))
                .chain(v.iter().filter(|h| !want.is_some_and(|g| contains_group(h, g))));
            for h in ordered {
                let mut tmp = Vec::new();
                if walk(h, group, &mut tmp).is_some() {
                    out.extend(tmp);
                    return Some(());
                }
            }
            None
        }
        HirKind::Repetition(r) => {
            let needs = group.is_some_and(|(g, _)| contains_group(&r.sub, g));
            let n = if needs { r.min.max(1) } else { r.min };
            if r.max.is_some_and(|mx| mx < n) {
                return None;
            }
            if n > 1000 {
                return None;
            }
            for i in 0..n {
                // Only the last copy carries the replacement (a repeated group reports its last
                // iteration).
                let g = if i + 1 == n { group } else { group.filter(|_| false) };
                walk(&r.sub, g, out)?;
            }
            Some(())
        }
    }
}

/// A readable member of a class: a lower-case letter, a digit, `_`, `.`, `-`, printable ASCII,
/// then anything.
fn pick(c: &Class) -> Option<Vec<u8>> {
    let prefs: [(u32, u32); 6] = [
        (b'a'.into(), b'z'.into()),
        (b'0'.into(), b'9'.into()),
        (0x5f, 0x5f),
        (0x2e, 0x2e),
        (0x2d, 0x2d),
        (0x21, 0x7e),
    ];
    match c {
        Class::Unicode(u) => {
            // "Any character": a dot reads best (`example.com`).
            if u.iter()
                .map(|r| u64::from(u32::from(r.end())) - u64::from(u32::from(r.start())) + 1)
                .sum::<u64>()
                > 0x1_0000
            {
                return Some(b".".to_vec());
            }
            for (lo, hi) in prefs {
                for r in u.iter() {
                    let (a, b) = (u32::from(r.start()), u32::from(r.end()));
                    let s = a.max(lo);
                    if s <= b.min(hi) {
                        let ch = char::from_u32(s)?;
                        return Some(ch.to_string().into_bytes());
                    }
                }
            }
            let first = u.iter().next()?.start();
            Some(first.to_string().into_bytes())
        }
        Class::Bytes(bc) => {
            if bc.iter().map(|r| usize::from(r.end()) - usize::from(r.start()) + 1).sum::<usize>() > 200 {
                return Some(b".".to_vec());
            }
            for (lo, hi) in prefs {
                for r in bc.iter() {
                    let (a, b) = (u32::from(r.start()), u32::from(r.end()));
                    let s = a.max(lo);
                    if s <= b.min(hi) {
                        return Some(vec![u8::try_from(s).ok()?]);
                    }
                }
            }
            Some(vec![bc.iter().next()?.start()])
        }
    }
}

#[cfg(test)]
mod tests {
    use identmap::cockroach::CaseMode;

    use super::witness;

    #[test]
    fn examples() {
        let p = identmap::syntax::go("^(.*)@corp\\.com$", CaseMode::Insensitive).unwrap();
        assert_eq!(witness(p.hir(), Some((1, "root"))).unwrap(), b"root@corp.com");
        let p = identmap::syntax::go("^svc-([a-z0-9]+)$", CaseMode::Sensitive).unwrap();
        assert_eq!(witness(p.hir(), None).unwrap(), b"svc-a");
        assert!(witness(&regex_syntax::hir::Hir::fail(), None).is_none());
    }
}
