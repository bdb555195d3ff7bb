//! Counted class sequences matched with no regex engine: patterns anchored at both ends whose
//! body is a sequence of classes (or characters), each repeated a fixed number of times except
//! at most one, such as `^([0-9]{3})[._-]([0-9]{4})$`, `^([a-z]{2})([0-9]{3,9})$` or
//! `^[a-z]{4}[0-9]{2}(.{3,})$`.
//!
//! Such a pattern can match an identity of `n` characters in one way only: the variable item
//! takes whatever the fixed ones leave, so every item's position, and capture group 1's span,
//! follow from `n`. A match is then a per-character class test, as Go's leftmost-first search
//! would find it (the only match). Alternations and optional items (`x?`, `x??`) expand into
//! several such sequences (at most 16), tried in Go's priority order: the first that matches
//! gives the captures, as leftmost-first backtracking would (`^([0-9]{3}|[a-z]{2}[0-9]{4})$`,
//! `^([a-z]+)[._]([0-9]{2})[._]?([0-9]{3})$`). Positions are characters, as Go's are for valid UTF-8; the
//! classes are the pattern's own (`Hir`), so `.` excludes `\n` and `(?i)` is already folded in.

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look};

use super::classify::CharClass;
use super::subject::Subject;

/// One item: a class repeated `min..=max` times (`max == None`: unbounded).
#[derive(Clone, Debug)]
struct Item {
    class: CharClass,
    min: u32,
    max: Option<u32>,
}

/// One way through the pattern: items, at most one of them of varying count.
#[derive(Clone, Debug)]
struct Branch {
    items: Vec<Item>,
    /// Capture group 1 as a range of items, when it takes part in this branch.
    group: Option<(usize, usize)>,
    /// The item whose count varies, if any.
    var: Option<usize>,
    /// Characters taken by every item at its minimum count.
    fixed: usize,
}

/// A counted class sequence: its branches in priority order (Go's leftmost-first order of the
/// alternations and optional items they come from).
#[derive(Clone, Debug)]
pub(super) struct Seq {
    branches: Box<[Branch]>,
}

/// Branches per pattern, at most (each a cheap check; beyond, the regex engine).
const MAX_BRANCHES: usize = 16;

fn char_class(c: char) -> CharClass {
    CharClass::new(&ClassUnicode::new([ClassUnicodeRange::new(c, c)]))
}

/// A class or a single character, as a class.
fn class_of(h: &Hir) -> Option<CharClass> {
    match h.kind() {
        HirKind::Class(Class::Unicode(cls)) => Some(CharClass::new(cls)),
        HirKind::Literal(lit) => {
            let mut it = core::str::from_utf8(&lit.0).ok()?.chars();
            let c = it.next()?;
            it.next().is_none().then(|| char_class(c))
        }
        _ => None,
    }
}

/// The branches of `h` following `branch`, in priority order; `None` when `h` is not made of
/// items, alternations and optional parts only, or has too many branches.
fn read(h: &Hir, branch: Branch) -> Option<Vec<Branch>> {
    let push = |mut b: Branch, class: CharClass, min: u32, max: Option<u32>| {
        b.items.push(Item { class, min, max });
        b
    };
    let out = match h.kind() {
        HirKind::Empty => vec![branch],
        HirKind::Literal(lit) => {
            let mut b = branch;
            for c in core::str::from_utf8(&lit.0).ok()?.chars() {
                b = push(b, char_class(c), 1, Some(1));
            }
            vec![b]
        }
        HirKind::Class(Class::Unicode(cls)) => vec![push(branch, CharClass::new(cls), 1, Some(1))],
        HirKind::Repetition(rep) if rep.min == 0 && rep.max == Some(1) => {
            // `x?`: with x first when greedy, without first when lazy.
            let with = read(&rep.sub, branch.clone())?;
            if rep.greedy {
                with.into_iter().chain([branch]).collect()
            } else {
                core::iter::once(branch).chain(with).collect()
            }
        }
        HirKind::Repetition(rep) => vec![push(branch, class_of(&rep.sub)?, rep.min, rep.max)],
        HirKind::Capture(cap) => {
            let from = branch.items.len();
            let mut bs = read(&cap.sub, branch)?;
            if cap.index == 1 {
                for b in &mut bs {
                    b.group = Some((from, b.items.len()));
                }
            }
            bs
        }
        HirKind::Concat(hs) => read_all(hs, vec![branch])?,
        HirKind::Alternation(alts) => {
            let mut bs = Vec::new();
            for alt in alts {
                bs.extend(read(alt, branch.clone())?);
                if bs.len() > MAX_BRANCHES {
                    return None;
                }
            }
            bs
        }
        _ => return None,
    };
    (out.len() <= MAX_BRANCHES).then_some(out)
}

/// Every branch of `bs` extended by reading `hs` one after the other; `None` beyond
/// [`MAX_BRANCHES`] branches or on anything that is not a sequence.
fn read_all(hs: &[Hir], mut bs: Vec<Branch>) -> Option<Vec<Branch>> {
    for h in hs {
        let mut next = Vec::new();
        for b in bs {
            next.extend(read(h, b)?);
            if next.len() > MAX_BRANCHES {
                return None;
            }
        }
        bs = next;
    }
    Some(bs)
}

impl Seq {
    /// The sequence of a pattern (`groups`: its capture count), if it is one.
    pub(super) fn new(hir: &Hir, groups: usize) -> Option<Seq> {
        let HirKind::Concat(hs) = hir.kind() else { return None };
        let (first, rest) = hs.split_first()?;
        let (last, body) = rest.split_last()?;
        if !matches!(first.kind(), HirKind::Look(Look::Start))
            || !matches!(last.kind(), HirKind::Look(Look::End))
        {
            return None;
        }
        let start = Branch { items: Vec::new(), group: None, var: None, fixed: 0 };
        let mut bs = read_all(body, vec![start])?;
        // Group 1, when the pattern has it, is somewhere in what was read.
        if groups >= 1 && bs.iter().all(|b| b.group.is_none()) {
            return None;
        }
        for b in &mut bs {
            for (i, it) in b.items.iter().enumerate() {
                if it.max != Some(it.min) {
                    if b.var.is_some() {
                        return None;
                    }
                    b.var = Some(i);
                }
                b.fixed = b.fixed.checked_add(usize::try_from(it.min).ok()?)?;
            }
        }
        Some(Seq { branches: bs.into() })
    }

    /// Whether the identity matches; `Some(group 1)` when it does (`None` inside when group 1
    /// does not take part).
    #[inline]
    pub(super) fn check<'s>(&self, s: &Subject<'s>) -> Option<Option<&'s str>> {
        self.branches.iter().find_map(|b| b.check(s))
    }
}

impl Branch {
    #[inline]
    fn check<'s>(&self, s: &Subject<'s>) -> Option<Option<&'s str>> {
        let n = s.len();
        // The count of the variable item: what the others leave.
        let extra = n.checked_sub(self.fixed)?;
        let var = match self.var {
            Some(v) => {
                let it = &self.items[v];
                if it.max.is_some_and(|m| extra > (m - it.min) as usize) {
                    return None;
                }
                Some((v, it.min as usize + extra))
            }
            None if extra == 0 => None,
            None => return None,
        };
        let (a, b) = self.group.unwrap_or((usize::MAX, usize::MAX));
        let (mut g_from, mut g_to) = (0, 0);
        let mut at = 0;
        let ascii = s.is_ascii().then(|| s.text().as_bytes());
        for (i, it) in self.items.iter().enumerate() {
            if i == a {
                g_from = at;
            }
            if i == b {
                g_to = at;
            }
            let c = match var {
                Some((v, c)) if v == i => c,
                _ => it.min as usize,
            };
            let ok = match ascii {
                Some(bytes) => bytes[at..at + c].iter().all(|&x| it.class.contains(char::from(x))),
                None => (at..at + c).all(|k| it.class.contains(s.char_at(k))),
            };
            if !ok {
                return None;
            }
            at += c;
        }
        if a == self.items.len() {
            g_from = at;
        }
        if b == self.items.len() {
            g_to = at;
        }
        Some(self.group.map(|_| s.slice(g_from, g_to)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cockroach::{CaseMode, Options, Ruleset};

    /// Group 1 of the reference evaluator's match, through its PikeVM.
    fn reference<'s>(rules: &Ruleset, id: &'s str) -> Option<Option<&'s str>> {
        let (_, vm) = rules.rules()[0].compiled().unwrap();
        let mut caps = vm.create_captures();
        vm.captures(&mut vm.create_cache(), id, &mut caps);
        caps.is_match().then(|| caps.get_group(1).map(|s| &id[s.range()]))
    }

    #[test]
    fn sequences_match_as_the_reference() {
        let patterns = [
            ("^([0-9]{3})[._-]([0-9]{2})$", true),
            ("^([a-z]{2})([0-9]{1,3})$", true),
            ("^[a-z]{2}[0-9]{1}(.{2,})$", true),
            ("^(\\w{1})(\\d{2})(\\w{1})$", true),
            ("^[0-9]{2}([a-z]{2})[0-9]{1}$", true),
            ("^([a-z]{1}[0-9]{1}[a-z]{1})$", true),
            ("^ab(k)?$", true),
            ("^ab(k)??$", true),
            ("^([ak]{1})?([ak0-9]{1,2})$", true),
            ("^([ak]{1}|[ak]{2})[ak0-9]{0,2}$", true),
            ("^(7|7[0-9]{1})??([0-9]{1,3})$", true),
            ("^(a|ab)(c|bcd)?$", true),
            ("^((a)|([0-9]{2}))[.-]?([a-z]{1,2})$", true),
            ("^([a-z]+)[._]([0-9]{1})[._]?([0-9]{1})$", true),
            ("^[ks]{2}()$", true),
            ("^()x.$", true),
            ("^x(?:y)?$", true),
            ("^([a-z]+)[._]([0-9]+)$", false),
            ("^([0-9]{2}|[a-z]{3})$", true),
            ("^([a-z]+)([0-9]+)$", false),
            ("([0-9]{2})$", false),
        ];
        let ids = [
            "",
            "123.45",
            "123-4",
            "ab1",
            "ab1234",
            "AB12",
            "ab12\u{e9}\u{e9}",
            "ab1\n\n",
            "ab1\u{212A}\u{17F}",
            "a12b",
            "\u{212A}12\u{17F}",
            "12ab3",
            "a1b",
            "\u{212A}s",
            "ks",
            "x\u{e9}",
            "x\n",
            "ab1\u{7f}\u{7f}",
            "a12\u{7f}",
            "1\u{7f}",
            "xyz",
            "ab",
            "abk",
            "abc",
            "abcd",
            "a.bc",
            "12-x",
            "12x",
            "a-k",
            "ab_1_2",
            "ab_12",
            "ab.1.2",
            "ak",
            "aka",
            "a7",
            "k",
            "777",
            "7777",
            "77",
        ];
        for case in [CaseMode::Insensitive, CaseMode::Sensitive] {
            for (p, is_seq) in patterns {
                let user = if p.replace("(?:", "").contains('(') { "\\1" } else { "u" };
                let rules = Ruleset::parse(&format!("iss /{p} {user}"), Options::new().case(case)).unwrap();
                let rule = &rules.rules()[0];
                let (hir, _) = rule.compiled().unwrap();
                let seq = Seq::new(hir, rule.groups());
                assert_eq!(seq.is_some(), is_seq, "{p}");
                let Some(seq) = seq else { continue };
                for id in ids {
                    assert_eq!(seq.check(&Subject::new(id)), reference(&rules, id), "{case:?} {p} {id:?}");
                }
            }
        }
    }
}
