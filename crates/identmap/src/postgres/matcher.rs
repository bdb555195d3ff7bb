//! The compiled PostgreSQL matcher: the same decision as [`IdentFile::check`], trying only the
//! lines that can decide it.
//!
//! PostgreSQL scans the map's lines in order and stops at the first line that allows the login,
//! denies it with an error (`\1` with no group 1), or that identmap cannot evaluate. A line whose
//! system-user field does not match the system user never stops the scan, so the matcher skips
//! every such line it can rule out cheaply:
//! * literal system users are indexed by their ASCII-lowercased bytes (a superset in the
//!   case-sensitive mode: each candidate is then compared exactly);
//! * regex system users are tried byte-wise with their compiled regex before the line is checked
//!   in full; a regex identmap cannot evaluate is always tried (it stops the scan).
//!
//! The remaining lines, in file order, go through the reference check's own per-line code, so
//! the decision and the log lines are the reference's; the trace lists only the lines tried
//! (use [`IdentFile::check`] for a trace of every line).

use std::collections::HashMap;

use regex_automata::Input;

use super::check::{Check, Roles};
use super::parse::{IdentFile, MapLine};

/// A compiled `pg_ident.conf`. `Send + Sync`.
///
/// ```
/// use identmap::postgres::{Decision, IdentFile, Matcher, Roles, Version};
///
/// let file = IdentFile::parse_str(
///     "m alice alice_db\nm /^(.*)@example\\.com$ \\1\nm bob +admins\n",
///     Version::V16,
/// );
/// let m = Matcher::new(&file);
/// let mut roles = Roles::new();
/// roles.grant("carol", "admins");
/// assert_eq!(m.check("m", "alice", "alice_db", false, &roles).decision(), &Decision::Allow);
/// assert_eq!(m.check("m", "dave@example.com", "dave", false, &roles).decision(), &Decision::Allow);
/// assert_eq!(m.check("m", "bob", "carol", false, &roles).decision(), &Decision::Allow);
/// let denied = m.check("m", "eve", "alice_db", false, &roles);
/// assert_eq!(denied.decision(), &Decision::Deny);
/// assert_eq!(denied.log(), ["no match in usermap \"m\" for user \"alice_db\" authenticated as \"eve\""]);
/// ```
#[derive(Clone, Debug)]
pub struct Matcher {
    file: IdentFile,
    /// Position in `file.lines()` of each map line, in order.
    lines: Vec<usize>,
    maps: HashMap<Box<str>, MapIndex, foldhash::fast::RandomState>,
}

#[derive(Clone, Debug, Default)]
struct MapIndex {
    /// Literal system users (ASCII-lowercased) → their lines (indices into `Matcher::lines`),
    /// ascending.
    literal: HashMap<Box<[u8]>, Vec<u32>, foldhash::fast::RandomState>,
    /// Lines with a regex system user, ascending.
    regex: Vec<u32>,
}

impl Matcher {
    /// Index `file` (a copy is kept).
    #[must_use]
    pub fn new(file: &IdentFile) -> Matcher {
        let mut lines = Vec::new();
        let mut maps: HashMap<Box<str>, MapIndex, _> = HashMap::default();
        for (pos, line) in file.lines().iter().enumerate() {
            let Some(ml) = line.map_line() else { continue };
            let Ok(index) = u32::try_from(lines.len()) else { break };
            lines.push(pos);
            let map = maps.entry(ml.map.text().into()).or_default();
            if ml.system_regex.is_some() {
                map.regex.push(index);
            } else {
                let key = ml.system_user.text().as_bytes().to_ascii_lowercase();
                map.literal.entry(key.into()).or_default().push(index);
            }
        }
        Matcher { file: file.clone(), lines, maps }
    }

    /// The file the matcher was built from.
    #[must_use]
    pub fn file(&self) -> &IdentFile {
        &self.file
    }

    fn line(&self, index: u32) -> Option<&MapLine> {
        let pos = *self.lines.get(index as usize)?;
        self.file.lines().get(pos)?.map_line()
    }

    /// Whether the line's system-user regex can match `s` (true when it cannot be evaluated:
    /// such a line stops the scan).
    fn regex_may_match(line: &MapLine, s: &[u8]) -> bool {
        match line.system_regex.as_ref().and_then(|re| re.compiled.as_ref()) {
            Some(compiled) => compiled.is_match(Input::new(s)),
            None => true,
        }
    }

    /// `check_usermap`, exactly as [`IdentFile::check`] decides it (decision and log lines); the
    /// trace holds only the lines tried.
    #[must_use]
    pub fn check(
        &self,
        map: &str,
        system_user: &str,
        requested_role: &str,
        case_insensitive: bool,
        roles: &Roles,
    ) -> Check {
        let s = system_user.as_bytes();
        let index = self.maps.get(map);
        let literal: &[u32] = match index {
            Some(ix) if !ix.literal.is_empty() => {
                ix.literal.get(&*s.to_ascii_lowercase()).map_or(&[], Vec::as_slice)
            }
            _ => &[],
        };
        let regex: &[u32] = index.map_or(&[], |ix| ix.regex.as_slice());
        // Merge the two ascending lists, keeping regex lines that may match.
        let (mut i, mut j) = (0, 0);
        let candidates = core::iter::from_fn(move || loop {
            let next = match (literal.get(i), regex.get(j)) {
                (Some(&a), Some(&b)) if a < b => {
                    i += 1;
                    return Some(a);
                }
                (Some(&a), None) => {
                    i += 1;
                    return Some(a);
                }
                (_, Some(&b)) => {
                    j += 1;
                    b
                }
                (None, None) => return None,
            };
            if self.line(next).is_some_and(|l| Matcher::regex_may_match(l, s)) {
                return Some(next);
            }
        });
        let lines = candidates.filter_map(|c| self.line(c));
        self.file.check_lines(map, system_user, requested_role, case_insensitive, roles, lines)
    }
}
