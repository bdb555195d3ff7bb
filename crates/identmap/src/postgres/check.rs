//! `check_usermap`: may system user S log in as role R through map M?

use core::fmt;
use std::collections::{HashMap, HashSet, VecDeque};

use regex_automata::hybrid::dfa::DFA;
use regex_automata::nfa::thompson;
use regex_automata::{Anchored, Input, MatchKind};

use super::parse::{IdentFile, MapLine, Regex};
use super::{Location, Token, Version};
use crate::Span;

/// PostgreSQL's `NAMEDATALEN` − 1: the requested role is cut to this many bytes.
const MAX_NAME: usize = 63;

/// The roles that exist and who is granted what: member → directly granted roles. Membership is
/// transitive and a role is a member of itself. A role exists when it was added or appears in a
/// grant.
///
/// ```
/// use identmap::postgres::Roles;
/// let mut roles = Roles::new();
/// roles.grant("pgo_nested", "pgo_mid");
/// roles.grant("pgo_mid", "pgo_grp");
/// roles.add("bob");
/// assert!(roles.is_member("pgo_nested", "pgo_grp"));
/// assert!(roles.is_member("bob", "bob"));
/// assert!(!roles.is_member("bob", "pgo_grp"));
/// assert!(!roles.exists("carol"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Roles {
    grants: HashMap<Vec<u8>, Vec<Vec<u8>>>,
    exists: HashSet<Vec<u8>>,
}

impl Roles {
    /// No roles at all.
    #[must_use]
    pub fn new() -> Roles {
        Roles::default()
    }

    /// Role memberships from JSON `{"member": ["role", …], …}` (the `roles` of the conformance
    /// records, `identmap map --role-graph`, the playground's role-graph editor): every name in it
    /// exists as a role, and membership is transitive.
    ///
    /// ```
    /// use identmap::postgres::Roles;
    ///
    /// let roles = Roles::from_json(&serde_json::json!({"bob": ["staff"]}))?;
    /// assert!(roles.is_member("bob", "staff"));
    /// let err = Roles::from_json(&serde_json::json!({"bob": "staff"})).unwrap_err();
    /// assert_eq!(err, "the roles of \"bob\" are not a list");
    /// # Ok::<(), String>(())
    /// ```
    ///
    /// # Errors
    /// When the value is not an object of string lists.
    pub fn from_json(v: &serde_json::Value) -> Result<Roles, String> {
        let obj = v.as_object().ok_or("expected a JSON object {\"member\": [\"role\", …]}")?;
        let mut roles = Roles::new();
        for (member, granted) in obj {
            roles.add(member);
            let list = granted.as_array().ok_or_else(|| format!("the roles of {member:?} are not a list"))?;
            for g in list {
                let g = g.as_str().ok_or_else(|| format!("a role granted to {member:?} is not a string"))?;
                roles.grant(member, g);
            }
        }
        Ok(roles)
    }

    /// Make `role` exist.
    pub fn add(&mut self, role: impl AsRef<[u8]>) {
        self.exists.insert(role.as_ref().to_vec());
    }

    /// Grant `role` to `member` (both then exist).
    pub fn grant(&mut self, member: impl AsRef<[u8]>, role: impl AsRef<[u8]>) {
        let (member, role) = (member.as_ref().to_vec(), role.as_ref().to_vec());
        self.exists.insert(member.clone());
        self.exists.insert(role.clone());
        self.grants.entry(member).or_default().push(role);
    }

    /// Whether `role` exists.
    #[must_use]
    pub fn exists(&self, role: impl AsRef<[u8]>) -> bool {
        self.exists.contains(role.as_ref())
    }

    /// Whether `member` is directly or indirectly a member of `role` (false when either does not
    /// exist). Superuser status does not count, as in PostgreSQL's `is_member`.
    #[must_use]
    pub fn is_member(&self, member: impl AsRef<[u8]>, role: impl AsRef<[u8]>) -> bool {
        let (member, role) = (member.as_ref(), role.as_ref());
        if !self.exists(member) || !self.exists(role) {
            return false;
        }
        let mut seen: HashSet<&[u8]> = HashSet::new();
        let mut queue: VecDeque<&[u8]> = VecDeque::from([member]);
        while let Some(r) = queue.pop_front() {
            if r == role {
                return true;
            }
            if !seen.insert(r) {
                continue;
            }
            for g in self.grants.get(r).into_iter().flatten() {
                queue.push_back(g);
            }
        }
        false
    }
}

/// The answer of a check.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The login is allowed.
    Allow,
    /// The login is denied.
    Deny,
    /// A line that identmap cannot evaluate faithfully was reached before any line allowed.
    Unsupported {
        /// What identmap cannot evaluate.
        reason: String,
        /// The token (regex) responsible.
        location: Location,
    },
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Allow => f.write_str("allow"),
            Decision::Deny => f.write_str("deny"),
            Decision::Unsupported { reason, location } => {
                write!(f, "unsupported ({location}: {reason})")
            }
        }
    }
}

/// What happened on one line of the map.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// The line allows the login.
    Allowed,
    /// The system-user field does not match.
    SystemUserMismatch,
    /// The system user matched, but the (produced) database user is not the requested role.
    RoleMismatch,
    /// `+role`: the requested role is not a member of the role (or one of them does not exist).
    NotAMember,
    /// The database-user regex does not match the requested role.
    RoleRegexMismatch,
    /// A run-time error that denies at once (logged).
    Error(String),
    /// identmap cannot evaluate this line.
    Unsupported(String),
}

/// The explanation of one line tried (a line of the requested map).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    location: Location,
    system_user_matched: bool,
    captures: Vec<Option<Span>>,
    produced_role: Option<String>,
    result: StepResult,
}

impl TraceStep {
    /// The line.
    #[must_use]
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Whether the system-user field matched.
    #[must_use]
    pub fn system_user_matched(&self) -> bool {
        self.system_user_matched
    }

    /// For a regex system-user field that matched: the span of every group (0 = whole match) in
    /// the system user, `None` for groups that did not participate.
    #[must_use]
    pub fn captures(&self) -> &[Option<Span>] {
        &self.captures
    }

    /// The database-user name after `\1` substitution, when one was made.
    #[must_use]
    pub fn produced_role(&self) -> Option<&str> {
        self.produced_role.as_deref()
    }

    /// The outcome.
    #[must_use]
    pub fn result(&self) -> &StepResult {
        &self.result
    }
}

impl fmt::Display for TraceStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.location)?;
        if let Some(p) = &self.produced_role {
            write!(f, "produced {p:?}; ")?;
        }
        match &self.result {
            StepResult::Allowed => f.write_str("allowed"),
            StepResult::SystemUserMismatch => f.write_str("system user does not match"),
            StepResult::RoleMismatch => f.write_str("system user matches, database user does not"),
            StepResult::NotAMember => f.write_str("system user matches, requested role is not a member"),
            StepResult::RoleRegexMismatch => f.write_str("system user matches, database-user regex does not"),
            StepResult::Error(e) => write!(f, "error, denied: {e}"),
            StepResult::Unsupported(r) => write!(f, "unsupported: {r}"),
        }
    }
}

/// The result of [`IdentFile::check`]: the decision, the server's log lines (without the `LOG:`
/// prefix) and a trace of the lines tried.
#[derive(Clone, Debug)]
pub struct Check {
    decision: Decision,
    log: Vec<String>,
    trace: Vec<TraceStep>,
    loaded: bool,
}

impl Check {
    /// The decision.
    #[must_use]
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The lines the server logs (without severity), e.g.
    /// `no match in usermap "m" for user "R" authenticated as "S"`.
    #[must_use]
    pub fn log(&self) -> &[String] {
        &self.log
    }

    /// Every line of the map that was tried, in order.
    #[must_use]
    pub fn trace(&self) -> &[TraceStep] {
        &self.trace
    }

    /// Whether the file was loaded (a file with any error loads no line at startup).
    #[must_use]
    pub fn file_loaded(&self) -> bool {
        self.loaded
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

enum Step {
    Next(TraceStep),
    Stop(TraceStep, Decision, Option<String>),
}

impl IdentFile {
    /// `check_usermap`: may `system_user` log in as `requested_role` through map `map`?
    ///
    /// `case_insensitive` is the auth method's mode (GSSAPI with `krb_caseins_users`, SSPI): it
    /// affects only literal comparisons. `requested_role` is cut to 63 bytes as the server does.
    /// When the file has an error nothing is loaded (server startup), so every check denies.
    ///
    /// ```
    /// use identmap::postgres::{Decision, IdentFile, Roles, Version};
    /// let mut roles = Roles::new();
    /// roles.grant("pgo_member", "pgo_grp");
    /// let file = IdentFile::parse_str("m alice +pgo_grp\nm \"bob\" all\n", Version::V16);
    /// assert_eq!(file.check("m", "alice", "pgo_member", false, &roles).decision(), &Decision::Allow);
    /// assert_eq!(file.check("m", "bob", "anyone", false, &roles).decision(), &Decision::Allow);
    /// let old = IdentFile::parse_str("m alice +pgo_grp\n", Version::V15);
    /// assert_eq!(old.check("m", "alice", "+pgo_grp", false, &roles).decision(), &Decision::Allow);
    /// ```
    #[must_use]
    pub fn check(
        &self,
        map: &str,
        system_user: &str,
        requested_role: &str,
        case_insensitive: bool,
        roles: &Roles,
    ) -> Check {
        self.check_lines(map, system_user, requested_role, case_insensitive, roles, self.map_lines())
    }

    /// [`IdentFile::check`] over `lines`, the file's map lines in order or any subsequence of
    /// them that keeps every line of `map` that could stop the scan (allow, deny with an error,
    /// unsupported): the one decision procedure of the reference check and the [`super::Matcher`].
    pub(super) fn check_lines<'l>(
        &self,
        map: &str,
        system_user: &str,
        requested_role: &str,
        case_insensitive: bool,
        roles: &Roles,
        lines: impl Iterator<Item = &'l MapLine>,
    ) -> Check {
        let s = system_user.as_bytes();
        let r_full = requested_role.as_bytes();
        let r = &r_full[..r_full.len().min(MAX_NAME)];
        let loaded = self.is_loaded();
        let mut trace = Vec::new();
        let mut log = Vec::new();
        if map.is_empty() {
            // `check_usermap` with an empty map name (`map=` with no value) reads no file: the
            // requested role must equal the system user (ASCII case-insensitively in CI mode).
            let same = if case_insensitive { r.eq_ignore_ascii_case(s) } else { r == s };
            if same {
                return Check { decision: Decision::Allow, log, trace, loaded };
            }
            log.push(format!(
                "provided user name ({}) and authenticated user name ({system_user}) do not match",
                lossy(r)
            ));
            return Check { decision: Decision::Deny, log, trace, loaded };
        }
        // A file identmap refused to read: the server would read it, so nothing is known.
        if let Some(e) = self.refused() {
            let reason = e.message().to_string();
            return Check {
                decision: Decision::Unsupported { reason, location: e.location().clone() },
                log,
                trace,
                loaded,
            };
        }
        if loaded {
            for line in lines {
                if line.map.text() != map {
                    continue;
                }
                match self.check_line(line, s, r, case_insensitive, roles) {
                    Step::Next(t) => trace.push(t),
                    Step::Stop(t, decision, message) => {
                        trace.push(t);
                        log.extend(message);
                        return Check { decision, log, trace, loaded };
                    }
                }
            }
        }
        log.push(format!(
            "no match in usermap \"{map}\" for user \"{}\" authenticated as \"{system_user}\"",
            lossy(r)
        ));
        Check { decision: Decision::Deny, log, trace, loaded }
    }

    fn check_line(&self, line: &MapLine, s: &[u8], r: &[u8], ci: bool, roles: &Roles) -> Step {
        let version = self.version();
        let mut step = TraceStep {
            location: line.location.clone(),
            system_user_matched: false,
            captures: Vec::new(),
            produced_role: None,
            result: StepResult::SystemUserMismatch,
        };
        let unsupported = |mut step: TraceStep, reason: String, tok: &Token| {
            step.result = StepResult::Unsupported(reason.clone());
            Step::Stop(step, Decision::Unsupported { reason, location: tok.location().clone() }, None)
        };
        let Some(re) = &line.system_regex else {
            let sys = line.system_user.text().as_bytes();
            let eq = if ci { sys.eq_ignore_ascii_case(s) } else { sys == s };
            if !eq {
                return Step::Next(step);
            }
            step.system_user_matched = true;
            return self.check_role(step, line, line.database_user.text().as_bytes(), false, r, ci, roles);
        };
        let Some(compiled) = &re.compiled else {
            let reason = format!(
                "regular expression \"{}\": {}",
                re.pattern(),
                re.unsupported().map_or("cannot be evaluated", |u| u.0)
            );
            return unsupported(step, reason, &line.system_user);
        };
        let mut caps = compiled.create_captures();
        compiled.search_captures(&Input::new(s), &mut caps);
        let Some(whole) = caps.get_match() else {
            return Step::Next(step);
        };
        step.system_user_matched = true;
        step.captures =
            (0..caps.group_len()).map(|g| caps.get_group(g).map(|sp| Span::new(sp.start, sp.end))).collect();
        let db = line.database_user.text();
        let substitute = match version {
            Version::V15 => true,
            _ => !is_member_check(&line.database_user) && line.database_regex.is_none(),
        };
        let ofs = if substitute { db.find("\\1") } else { None };
        let Some(ofs) = ofs else {
            return self.check_role(step, line, db.as_bytes(), false, r, ci, roles);
        };
        let no_group = || {
            format!(
                "regular expression \"{}\" has no subexpressions as requested by backreference in \"{db}\"",
                re.pattern()
            )
        };
        if re.groups() == 0 {
            let m = no_group();
            step.result = StepResult::Error(m.clone());
            return Step::Stop(step, Decision::Deny, Some(m));
        }
        if let Some((risk, _)) = re.capture_risk() {
            let reason = format!(
                "regular expression \"{}\": capture group 1 may differ from PostgreSQL's ({risk})",
                re.pattern()
            );
            return unsupported(step, reason, &line.system_user);
        }
        let greedy = !re.prefers_shortest;
        match preferred_end(re, s, whole.start(), greedy) {
            Some(end) if end == whole.end() => {}
            Some(_) => {
                let reason = format!(
                    "regular expression \"{}\": the {} match PostgreSQL uses differs from the leftmost-first one",
                    re.pattern(),
                    if greedy { "leftmost-longest" } else { "leftmost-shortest" }
                );
                return unsupported(step, reason, &line.system_user);
            }
            None => {
                let reason = format!(
                    "regular expression \"{}\": cannot verify the leftmost-longest match",
                    re.pattern()
                );
                return unsupported(step, reason, &line.system_user);
            }
        }
        let Some(g1) = caps.get_group(1) else {
            let m = no_group();
            step.result = StepResult::Error(m.clone());
            return Step::Stop(step, Decision::Deny, Some(m));
        };
        let mut produced = Vec::with_capacity(db.len() + g1.len());
        produced.extend_from_slice(&db.as_bytes()[..ofs]);
        produced.extend_from_slice(&s[g1.range()]);
        produced.extend_from_slice(&db.as_bytes()[ofs + 2..]);
        step.produced_role = Some(lossy(&produced));
        self.check_role(step, line, &produced, true, r, ci, roles)
    }

    /// `check_role` (16+) or the plain comparison of 15. `substituted` marks a produced name,
    /// which is always a quoted literal.
    #[allow(clippy::too_many_arguments)]
    fn check_role(
        &self,
        mut step: TraceStep,
        line: &MapLine,
        name: &[u8],
        substituted: bool,
        r: &[u8],
        ci: bool,
        roles: &Roles,
    ) -> Step {
        let literal = |name: &[u8]| {
            if ci {
                name.eq_ignore_ascii_case(r)
            } else {
                name == r
            }
        };
        let tok = &line.database_user;
        let (ok, miss) = if self.version() == Version::V15 || substituted {
            (literal(name), StepResult::RoleMismatch)
        } else if is_member_check(tok) {
            (roles.is_member(r, &name[1..]), StepResult::NotAMember)
        } else if !tok.is_quoted() && name == b"all" {
            (true, StepResult::RoleMismatch)
        } else if let Some(re) = &line.database_regex {
            let Some(compiled) = &re.compiled else {
                let reason = format!(
                    "regular expression \"{}\": {}",
                    re.pattern(),
                    re.unsupported().map_or("cannot be evaluated", |u| u.0)
                );
                step.result = StepResult::Unsupported(reason.clone());
                return Step::Stop(
                    step,
                    Decision::Unsupported { reason, location: tok.location().clone() },
                    None,
                );
            };
            (compiled.is_match(Input::new(r)), StepResult::RoleRegexMismatch)
        } else {
            (literal(name), StepResult::RoleMismatch)
        };
        if ok {
            step.result = StepResult::Allowed;
            Step::Stop(step, Decision::Allow, None)
        } else {
            step.result = miss;
            Step::Next(step)
        }
    }
}

/// `token_is_member_check`: an unquoted token starting with `+`.
fn is_member_check(tok: &Token) -> bool {
    !tok.is_quoted() && tok.text().starts_with('+')
}

/// The end of the longest (`greedy`) or shortest match of `re` starting at `start` in `hay`: the
/// overall match ARE reports.
fn preferred_end(re: &Regex, hay: &[u8], start: usize, greedy: bool) -> Option<usize> {
    let hir = re.hir.as_ref()?;
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .nfa_size_limit(Some(crate::regex::NFA_SIZE_LIMIT))
                .which_captures(thompson::WhichCaptures::None),
        )
        .build_from_hir(hir)
        .ok()?;
    let dfa = DFA::builder()
        .configure(DFA::config().match_kind(MatchKind::All).cache_capacity(1 << 20))
        .build_from_nfa(nfa)
        .ok()?;
    let mut cache = dfa.create_cache();
    let input = Input::new(hay).range(start..).anchored(Anchored::Yes).earliest(!greedy);
    dfa.try_search_fwd(&mut cache, &input).ok()?.map(|hm| hm.offset())
}
