//! The reference evaluator: the plain per-rule loop of CockroachDB's `Conf.Map`, written for
//! clarity, with an explain trace. It is the oracle the compiled matcher is tested against.

use super::{is_reserved, CaseMode, Rule, RuleMatcher, Ruleset};
use crate::{fold, normalize_username, Span};

/// The result of mapping one identity (`Conf.Map`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MapResult {
    map_found: bool,
    users: Vec<String>,
}

impl MapResult {
    /// Whether the map name has any rules. `true` with no users means "map exists, nothing
    /// matched".
    #[must_use]
    pub fn map_found(&self) -> bool {
        self.map_found
    }

    /// The produced users, normalized, in rule order, de-duplicated as the case mode says.
    #[must_use]
    pub fn users(&self) -> &[String] {
        &self.users
    }

    /// Take the users.
    #[must_use]
    pub fn into_users(self) -> Vec<String> {
        self.users
    }
}

/// What one rule did with an identity.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StepOutcome {
    /// The pattern did not match.
    NoMatch,
    /// The pattern matched and produced this (normalized) user, added to the result.
    Added(String),
    /// The pattern matched, but the user was already produced by an earlier rule.
    Duplicate(String),
    /// The pattern matched, but the produced user is the empty string, which CockroachDB treats
    /// as no match (for example `\1` with an empty group 1).
    EmptyUser,
}

/// One rule tried by [`Ruleset::explain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Index of the rule in [`Ruleset::rules`].
    pub rule: usize,
    /// Its 1-based line.
    pub line: usize,
    /// The text of every capture group (index 0 is the whole match) when the pattern matched;
    /// `None` for a group that did not participate. Empty when it did not match.
    pub captures: Vec<Option<String>>,
    /// The byte span of every capture group (index 0 is the whole match) in the identity exactly
    /// as given to [`Ruleset::explain`]; `None` for a group that did not participate. Empty when
    /// the pattern did not match.
    ///
    /// Matching never transforms the identity, in either case mode: a case-insensitive regex is
    /// compiled with `(?i)` and runs on the identity as given, and a case-insensitive literal
    /// compares the folded forms of the whole identity (group 0 is then the whole identity). So
    /// the spans always index the caller's string, and `captures[i]` is its text at
    /// `capture_spans[i]`.
    pub capture_spans: Vec<Option<Span>>,
    /// The user before normalization (after `\1` substitution), when the pattern matched.
    pub produced: Option<String>,
    /// What happened.
    pub outcome: StepOutcome,
}

impl Step {
    /// Whether the pattern matched the identity.
    #[must_use]
    pub fn matched(&self) -> bool {
        !matches!(self.outcome, StepOutcome::NoMatch)
    }
}

/// An explain trace: every rule of the map tried, in order, and the result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explain {
    /// The rules of the map, in file order.
    pub steps: Vec<Step>,
    /// The result, as [`Ruleset::map`] gives it.
    pub result: MapResult,
}

impl Ruleset {
    /// Map one identity under `map_name` (an issuer or HBA map name), as CockroachDB's
    /// `Conf.Map`: every matching rule adds its user, in rule order, de-duplicated.
    ///
    /// ```
    /// use identmap::cockroach::{Options, Ruleset};
    /// let rules = Ruleset::parse("m /^(.*)$ \\1\nm /@ admin\nm carl@x carl", Options::default())?;
    /// assert_eq!(rules.map("m", "carl@x").users(), ["carl@x", "admin", "carl"]);
    /// assert!(!rules.map("other", "carl@x").map_found());
    /// # Ok::<(), identmap::cockroach::Error>(())
    /// ```
    #[must_use]
    pub fn map(&self, map_name: &str, identity: &str) -> MapResult {
        self.run(map_name, identity, None)
    }

    /// [`Ruleset::map`] with a trace of every rule tried.
    #[must_use]
    pub fn explain(&self, map_name: &str, identity: &str) -> Explain {
        let mut steps = Vec::new();
        let result = self.run(map_name, identity, Some(&mut steps));
        Explain { steps, result }
    }

    /// Map an array claim: the concatenation of each element's [`Ruleset::map`] result, with no
    /// de-duplication across elements. The map counts as found when it exists and the array is
    /// not empty.
    #[must_use]
    pub fn map_each<S: AsRef<str>>(&self, map_name: &str, identities: &[S]) -> MapResult {
        let mut out = MapResult { map_found: false, users: Vec::new() };
        for id in identities {
            let r = self.map(map_name, id.as_ref());
            out.map_found |= r.map_found;
            out.users.extend(r.users);
        }
        out
    }

    /// The JWT candidate list (`authentication_jwt.go`): for each principal in order, the mapped
    /// users, or — when `issuer` names no map — the principal itself, normalized. Concatenated
    /// with no de-duplication across principals.
    ///
    /// ```
    /// use identmap::cockroach::{Options, Ruleset};
    /// let rules = Ruleset::parse("iss /^(.*)@x$ \\1", Options::default())?;
    /// assert_eq!(rules.jwt_candidates("iss", &["a@x", "b@y"]), ["a"]);
    /// assert_eq!(rules.jwt_candidates("other", &["A@x"]), ["a@x"]);
    /// # Ok::<(), identmap::cockroach::Error>(())
    /// ```
    #[must_use]
    pub fn jwt_candidates<S: AsRef<str>>(&self, issuer: &str, principals: &[S]) -> Vec<String> {
        jwt_candidates_with(self.has_map(issuer), principals, |p| self.map(issuer, p).users)
    }

    fn run(&self, map_name: &str, identity: &str, mut trace: Option<&mut Vec<Step>>) -> MapResult {
        let mut result = MapResult { map_found: false, users: Vec::new() };
        let mut seen: Vec<String> = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            if rule.map_name.text != map_name {
                continue;
            }
            result.map_found = true;
            let (capture_spans, produced) = match substitute(rule, identity) {
                Some((spans, produced)) => (spans, Some(produced)),
                None => (Vec::new(), None),
            };
            let outcome = match &produced {
                None => StepOutcome::NoMatch,
                Some(p) if p.is_empty() => StepOutcome::EmptyUser,
                Some(p) => {
                    let user = normalize_username(p);
                    let key = match self.case {
                        CaseMode::Sensitive => p.clone(),
                        CaseMode::Insensitive => user.clone(),
                    };
                    if seen.contains(&key) {
                        StepOutcome::Duplicate(user)
                    } else {
                        seen.push(key);
                        result.users.push(user.clone());
                        StepOutcome::Added(user)
                    }
                }
            };
            if let Some(t) = trace.as_deref_mut() {
                let captures =
                    capture_spans.iter().map(|s| s.map(|s| identity[s.range()].to_string())).collect();
                t.push(Step { rule: index, line: rule.line, captures, capture_spans, produced, outcome });
            }
        }
        result
    }
}

impl Rule {
    /// What this rule alone does with `identity`, as one step of the reference evaluator: the
    /// produced user before normalization (after the first `\1` is replaced by group 1) when the
    /// pattern matches, `None` when it does not. `Some("")` is the empty user, which CockroachDB
    /// treats as no match.
    ///
    /// ```
    /// use identmap::cockroach::{Options, Ruleset};
    /// let rules = Ruleset::parse("m /^(.*)@corp\\.com$ \\1", Options::default())?;
    /// let rule = &rules.rules()[0];
    /// assert_eq!(rule.produce("Root@corp.com").as_deref(), Some("Root"));
    /// assert_eq!(rule.produce("@corp.com").as_deref(), Some(""));
    /// assert_eq!(rule.produce("root@corp.org"), None);
    /// # Ok::<(), identmap::cockroach::Error>(())
    /// ```
    #[must_use]
    pub fn produce(&self, identity: &str) -> Option<String> {
        substitute(self, identity).map(|(_, produced)| produced)
    }
}

/// Match `rule` against `identity`; on a match, the capture spans (in `identity`) and the user
/// with the first `\1` replaced by group 1 (`""` when group 1 did not participate).
fn substitute(rule: &Rule, identity: &str) -> Option<(Vec<Option<Span>>, String)> {
    let whole = Span::new(0, identity.len());
    let spans: Vec<Option<Span>> = match &rule.matcher {
        RuleMatcher::Exact(lit) => (lit == identity).then(|| vec![Some(whole)])?,
        RuleMatcher::Folded(key) => (identity.chars().count() == key.chars().count()
            && fold::fold_key(identity) == *key)
            .then(|| vec![Some(whole)])?,
        RuleMatcher::Regex(vm) => {
            let mut cache = vm.create_cache();
            let mut caps = vm.create_captures();
            vm.captures(&mut cache, identity, &mut caps);
            if !caps.is_match() {
                return None;
            }
            (0..caps.group_len()).map(|g| caps.get_group(g).map(|s| Span::new(s.start, s.end))).collect()
        }
    };
    let template = &rule.user.text;
    let produced = match rule.substitute_at {
        Some(i) => {
            let g1 = spans.get(1).copied().flatten().map_or("", |s| &identity[s.range()]);
            format!("{}{}{}", &template[..i], g1, &template[i + 2..])
        }
        None => template.clone(),
    };
    Some((spans, produced))
}

/// The JWT candidate list (`authentication_jwt.go`) given whether the issuer names a map and how
/// to map one principal: shared by the reference evaluator and the [`crate::Matcher`].
pub(crate) fn jwt_candidates_with<S: AsRef<str>>(
    map_found: bool,
    principals: &[S],
    mut map: impl FnMut(&str) -> Vec<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for p in principals {
        if map_found {
            out.extend(map(p.as_ref()));
        } else {
            out.push(normalize_username(p.as_ref()));
        }
    }
    out
}

/// CockroachDB's HBA mapper refusing a reserved target, in its words, for the first reserved user
/// of a map result (`system identity "<id>" mapped to reserved database role "<user>"`); `None`
/// when the map was not found or no user is reserved.
///
/// ```
/// use identmap::cockroach::hba_error;
/// assert_eq!(
///     hba_error("root@x", true, &["alice", "root"]).as_deref(),
///     Some("system identity \"root@x\" mapped to reserved database role \"root\"")
/// );
/// assert_eq!(hba_error("x", false, &["root"]), None);
/// ```
#[must_use]
pub fn hba_error<S: AsRef<str>>(identity: &str, map_found: bool, users: &[S]) -> Option<String> {
    if !map_found {
        return None;
    }
    users
        .iter()
        .map(AsRef::as_ref)
        .find(|u| is_reserved(u))
        .map(|u| format!("system identity \"{identity}\" mapped to reserved database role \"{u}\""))
}
