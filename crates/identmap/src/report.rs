//! The results of mapping an identity, with their explain traces, rendered once: as JSON (the
//! `identmap map --format json` object) and as text (what `identmap map` prints). The command
//! line, the SSO simulator and a browser playground all render through this module, so they
//! cannot disagree.
//!
//! * [`CockroachMap`]: a cockroach identity (or an array claim) through a [`Ruleset`], with
//!   users, JWT candidates, the HBA mapper's refusal and the trace ([`TraceStep`]).
//! * [`PostgresCheck`]: the authentication-time check of a `pg_ident.conf` map.
//!
//! ```
//! use identmap::cockroach::{Options, Ruleset};
//! use identmap::report::CockroachMap;
//!
//! let rules = Ruleset::parse("iss /^(.*)@corp\\.com$ \\1", Options::default())?;
//! let r = CockroachMap::new(&rules, None, "iss", &["Carl@corp.com"], true);
//! assert_eq!(r.users(), ["carl"]);
//! let json = r.to_json();
//! assert_eq!(json["trace"][0]["captures"][1], "Carl");
//! assert_eq!(json["trace"][0]["capture_spans"][1], serde_json::json!([0, 4]));
//! assert!(r.to_text().ends_with("jwt candidates: carl\n"));
//! # Ok::<(), identmap::cockroach::Error>(())
//! ```

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::cockroach::{hba_error, CaseMode, Ruleset, StepOutcome};
use crate::postgres::{Check, Decision, IdentFile, Roles};
use crate::{Matcher, Span};

/// One rule tried for one identity: a step of the reference evaluator's explain trace
/// ([`Ruleset::explain`]) with the rule's text, ready to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    identity: String,
    rule_index: usize,
    line: usize,
    rule: String,
    captures: Vec<Option<String>>,
    capture_spans: Vec<Option<Span>>,
    produced: Option<String>,
    outcome: &'static str,
    user: Option<String>,
}

impl TraceStep {
    /// The explain trace of every identity under `map_name`, identity by identity, rule by rule.
    ///
    /// ```
    /// use identmap::cockroach::{Options, Ruleset};
    /// use identmap::report::TraceStep;
    ///
    /// let rules = Ruleset::parse("m /^a(b)?$ \\1\nm x y", Options::default())?;
    /// let t = TraceStep::explain(&rules, "m", &["A"]);
    /// assert_eq!(t[0].outcome(), "empty_user");
    /// assert_eq!(t[0].capture_spans(), [Some(identmap::Span::new(0, 1)), None]);
    /// assert_eq!(t[1].outcome(), "no_match");
    /// # Ok::<(), identmap::cockroach::Error>(())
    /// ```
    #[must_use]
    pub fn explain<S: AsRef<str>>(rules: &Ruleset, map_name: &str, identities: &[S]) -> Vec<TraceStep> {
        identities.iter().flat_map(|id| steps_of(rules, map_name, id.as_ref())).collect()
    }

    /// The identity (or JWT principal) that was mapped.
    #[must_use]
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The rule's index in [`Ruleset::rules`].
    #[must_use]
    pub fn rule_index(&self) -> usize {
        self.rule_index
    }

    /// The rule's 1-based line.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The rule as written: `<map name> <pattern> <user>`.
    #[must_use]
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// Whether the pattern matched.
    #[must_use]
    pub fn matched(&self) -> bool {
        self.outcome != "no_match"
    }

    /// Every capture group's text when the pattern matched (index 0 is the whole match).
    #[must_use]
    pub fn captures(&self) -> &[Option<String>] {
        &self.captures
    }

    /// Every capture group's byte span in [`TraceStep::identity`] (the identity exactly as given:
    /// see [`crate::cockroach::Step::capture_spans`]).
    #[must_use]
    pub fn capture_spans(&self) -> &[Option<Span>] {
        &self.capture_spans
    }

    /// The user before normalization, when the pattern matched.
    #[must_use]
    pub fn produced(&self) -> Option<&str> {
        self.produced.as_deref()
    }

    /// `added`, `duplicate`, `no_match` or `empty_user`.
    #[must_use]
    pub fn outcome(&self) -> &'static str {
        self.outcome
    }

    /// The normalized user, for `added` and `duplicate`.
    #[must_use]
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The row of `identmap map --format json --explain`: `identity`, `line`, `rule`, `matched`,
    /// `captures`, `produced`, `outcome`, `user`, `rule_index` and `capture_spans` (`[start, end]`
    /// byte offsets into the identity, or `null`, per group).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut v = self.to_json_as("identity");
        v["rule_index"] = json!(self.rule_index);
        v["capture_spans"] = self.capture_spans.iter().map(|s| s.map(|s| json!([s.start, s.end]))).collect();
        v
    }

    /// The row's fields up to `user`, with the identity under the key `identity_key` (the SSO
    /// simulator's trace calls it `principal`), without `rule_index` and `capture_spans`.
    #[must_use]
    pub fn to_json_as(&self, identity_key: &str) -> Value {
        let mut m = serde_json::Map::new();
        m.insert(identity_key.to_string(), json!(self.identity));
        let Value::Object(rest) = json!({
            "line": self.line,
            "rule": self.rule,
            "matched": self.matched(),
            "captures": self.captures,
            "produced": self.produced,
            "outcome": self.outcome,
            "user": self.user,
        }) else {
            unreachable!("json! of an object literal is an object")
        };
        m.extend(rest);
        Value::Object(m)
    }

    /// What the rule did, as text: `no match`, `matched -> carl`, with the groups from `\1` on
    /// (`  [\1="Carl"]`).
    ///
    /// ```
    /// use identmap::cockroach::{Options, Ruleset};
    /// use identmap::report::TraceStep;
    ///
    /// let rules = Ruleset::parse("m /^(.*)@x$ \\1", Options::default())?;
    /// let t = TraceStep::explain(&rules, "m", &["Carl@x"]);
    /// assert_eq!(t[0].to_text(false), "line   1  m /^(.*)@x$ \\1  matched -> carl  [\\1=\"Carl\"]");
    /// # Ok::<(), identmap::cockroach::Error>(())
    /// ```
    #[must_use]
    pub fn describe(&self) -> String {
        let what = self.outcome_text();
        let caps: Vec<String> = self
            .captures
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| {
                format!("\\{i}={}", c.as_deref().map_or("(none)".to_string(), |t| format!("{t:?}")))
            })
            .collect();
        if caps.is_empty() {
            what
        } else {
            format!("{what}  [{}]", caps.join(" "))
        }
    }

    /// What the rule did, in words: `matched -> carl`, `matched -> carl (duplicate, dropped)`,
    /// `matched, but the user is empty: counts as no match` or `no match` (the user is the
    /// database user it became, after normalization).
    ///
    /// ```
    /// use identmap::cockroach::{Options, Ruleset};
    /// use identmap::report::TraceStep;
    ///
    /// let rules = Ruleset::parse("m /^(.*)@x$ \\1", Options::default())?;
    /// assert_eq!(TraceStep::explain(&rules, "m", &["Carl@x"])[0].outcome_text(), "matched -> carl");
    /// assert_eq!(TraceStep::explain(&rules, "m", &["Carl@y"])[0].outcome_text(), "no match");
    /// # Ok::<(), identmap::cockroach::Error>(())
    /// ```
    #[must_use]
    pub fn outcome_text(&self) -> String {
        match (self.outcome, &self.user) {
            ("added", Some(u)) => format!("matched -> {u}"),
            ("duplicate", Some(u)) => format!("matched -> {u} (duplicate, dropped)"),
            ("empty_user", _) => "matched, but the user is empty: counts as no match".to_string(),
            _ => "no match".to_string(),
        }
    }

    /// One line of text (no indentation, no newline): `line   1  <rule>  <what it did>`, preceded
    /// by the quoted identity when `with_identity`.
    #[must_use]
    pub fn to_text(&self, with_identity: bool) -> String {
        let mut out = String::new();
        if with_identity {
            let _ = write!(out, "{:?} ", self.identity);
        }
        let _ = write!(out, "line {:>3}  {}  {}", self.line, self.rule, self.describe());
        out
    }
}

fn steps_of(rules: &Ruleset, map_name: &str, identity: &str) -> Vec<TraceStep> {
    let mut out = Vec::new();
    for s in rules.explain(map_name, identity).steps {
        let Some(rule) = rules.rules().get(s.rule) else { continue };
        let (outcome, user) = match s.outcome {
            StepOutcome::NoMatch => ("no_match", None),
            StepOutcome::Added(u) => ("added", Some(u)),
            StepOutcome::Duplicate(u) => ("duplicate", Some(u)),
            StepOutcome::EmptyUser => ("empty_user", None),
        };
        out.push(TraceStep {
            identity: identity.to_string(),
            rule_index: s.rule,
            line: s.line,
            rule: format!("{} {} {}", rule.map_name().text(), rule.identity().text(), rule.user().text()),
            captures: s.captures,
            capture_spans: s.capture_spans,
            produced: s.produced,
            outcome,
            user,
        });
    }
    out
}

/// The cockroach answer for one identity or an array claim (`identmap map`): the users, whether
/// the map exists, the JWT candidate list, the HBA mapper's refusal and, when asked, the trace.
#[derive(Clone, Debug)]
pub struct CockroachMap {
    issuer: String,
    case: CaseMode,
    identities: Vec<String>,
    map_found: bool,
    users: Vec<String>,
    jwt_users: Vec<String>,
    hba_error: Option<String>,
    /// Per identity, its steps (empty when not explained).
    trace: Option<Vec<Vec<TraceStep>>>,
}

impl CockroachMap {
    /// Map `identities` (one, or the elements of an array claim) under `issuer` (the JWT issuer
    /// or HBA map name). The answer comes from `matcher` when given (build it from `rules`), else
    /// from the reference evaluator; the trace (with `explain`) always from the reference
    /// evaluator, which answers the same by construction.
    ///
    /// One identity is also what CockroachDB's HBA mapper (certificate, GSS logins) maps, so its
    /// refusal of a reserved user is given; see [`CockroachMap::of_claim`] for a JWT claim.
    #[must_use]
    pub fn new<S: AsRef<str>>(
        rules: &Ruleset,
        matcher: Option<&Matcher>,
        issuer: &str,
        identities: &[S],
        explain: bool,
    ) -> CockroachMap {
        CockroachMap::build(rules, matcher, issuer, identities, explain, identities.len() == 1)
    }

    /// [`CockroachMap::new`] for the principals of a JWT claim (an array claim's elements, even a
    /// single one): only the JWT login maps them, so there is no HBA refusal.
    #[must_use]
    pub fn of_claim<S: AsRef<str>>(
        rules: &Ruleset,
        matcher: Option<&Matcher>,
        issuer: &str,
        principals: &[S],
        explain: bool,
    ) -> CockroachMap {
        CockroachMap::build(rules, matcher, issuer, principals, explain, false)
    }

    fn build<S: AsRef<str>>(
        rules: &Ruleset,
        matcher: Option<&Matcher>,
        issuer: &str,
        identities: &[S],
        explain: bool,
        hba: bool,
    ) -> CockroachMap {
        let mut users: Vec<String> = Vec::new();
        let mut map_found = false;
        for id in identities {
            let id = id.as_ref();
            match matcher {
                Some(m) => {
                    let r = m.map(issuer, id);
                    map_found |= r.map_found();
                    users.extend(r.users().iter().map(ToString::to_string));
                }
                None => {
                    let r = rules.map(issuer, id);
                    map_found |= r.map_found();
                    users.extend(r.into_users());
                }
            }
        }
        let jwt_users = match matcher {
            Some(m) => m.jwt_candidates(issuer, identities),
            None => rules.jwt_candidates(issuer, identities),
        };
        // The HBA mapper's refusal, for a single identity that is not a claim's element.
        let hba_error = match identities {
            [one] if hba => hba_error(one.as_ref(), map_found, &users),
            _ => None,
        };
        let trace =
            explain.then(|| identities.iter().map(|id| steps_of(rules, issuer, id.as_ref())).collect());
        CockroachMap {
            issuer: issuer.to_string(),
            case: rules.case(),
            identities: identities.iter().map(|s| s.as_ref().to_string()).collect(),
            map_found,
            users,
            jwt_users,
            hba_error,
            trace,
        }
    }

    /// Whether the map name has any rules (and there was an identity).
    #[must_use]
    pub fn map_found(&self) -> bool {
        self.map_found
    }

    /// The users, identity by identity, in rule order.
    #[must_use]
    pub fn users(&self) -> &[String] {
        &self.users
    }

    /// The JWT candidate list (with the no-map fallback).
    #[must_use]
    pub fn jwt_users(&self) -> &[String] {
        &self.jwt_users
    }

    /// CockroachDB's HBA mapper refusing a reserved user (single identity only).
    #[must_use]
    pub fn hba_error(&self) -> Option<&str> {
        self.hba_error.as_deref()
    }

    /// The trace, identity by identity, when explained.
    #[must_use]
    pub fn trace(&self) -> Vec<&TraceStep> {
        self.trace.iter().flatten().flatten().collect()
    }

    /// The `identmap map --format json` object: `map_found`, `users`, `jwt_users`, `hba_error`
    /// (when the mapper refuses), `trace` (when explained; rows of [`TraceStep::to_json`]).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut out = json!({"map_found": self.map_found, "users": self.users, "jwt_users": self.jwt_users});
        if let Some(e) = &self.hba_error {
            out["hba_error"] = Value::String(e.clone());
        }
        if let Some(trace) = &self.trace {
            out["trace"] = trace.iter().flatten().map(TraceStep::to_json).collect();
        }
        out
    }

    /// What `identmap map` prints: the trace when explained, then the users, the JWT candidates
    /// and the HBA mapper's refusal.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let issuer = &self.issuer;
        if let Some(trace) = &self.trace {
            for (id, steps) in self.identities.iter().zip(trace) {
                let _ = writeln!(out, "identity {id:?} under map {issuer:?} ({} mode):", self.case.name());
                if steps.is_empty() {
                    let _ = writeln!(out, "  no rule has this map name");
                }
                for s in steps {
                    let _ = writeln!(out, "  {}", s.to_text(false));
                }
            }
        }
        if !self.map_found {
            let _ = writeln!(out, "map {issuer:?}: not found (no rule has this map name)");
        }
        let users = if self.users.is_empty() { "(none)".to_string() } else { self.users.join(", ") };
        let _ = writeln!(out, "users: {users}");
        let jwt = if self.jwt_users.is_empty() {
            "(none: JWT login fails with \"invalid principal\")".to_string()
        } else {
            self.jwt_users.join(", ")
        };
        let _ = writeln!(out, "jwt candidates: {jwt}");
        if let Some(e) = &self.hba_error {
            let _ = writeln!(out, "HBA mapper refuses: {e}");
        }
        out
    }
}

/// The postgres answer (`identmap map` on a `pg_ident.conf`): the check's decision, the server's
/// log lines, whether the file loads, and, when asked, the trace of the lines tried.
///
/// ```
/// use identmap::postgres::{IdentFile, Roles, Version};
/// use identmap::report::PostgresCheck;
///
/// let file = IdentFile::parse_str("m /^(.*)@corp$ \\1\n", Version::V16);
/// let r = PostgresCheck::new(&file, None, "m", "carl@corp", "carl", false, &Roles::new(), true);
/// assert_eq!(r.to_json()["decision"], "allow");
/// assert_eq!(r.to_json()["trace"][0]["captures"][1], "carl");
/// assert!(r.to_text().contains("\nallow\n"));
/// ```
#[derive(Clone, Debug)]
pub struct PostgresCheck {
    path: String,
    map: String,
    system_user: String,
    db_user: String,
    explain: bool,
    check: Check,
}

impl PostgresCheck {
    /// Check whether `system_user` may log in as `db_user` through `map` of `file`
    /// (`case_insensitive`: `krb_caseins_users`, SSPI), with the role memberships of `roles`; the
    /// requested role exists (the login names it). The compiled `matcher` (built once from
    /// `file`) decides when given, unless `explain` asks for the trace, which comes from the
    /// reference check (it lists every line of the map tried; the same decision, property-tested).
    #[must_use]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        file: &IdentFile,
        matcher: Option<&crate::postgres::Matcher>,
        map: &str,
        system_user: &str,
        db_user: &str,
        case_insensitive: bool,
        roles: &Roles,
        explain: bool,
    ) -> PostgresCheck {
        let mut roles = roles.clone();
        roles.add(db_user);
        let check = match matcher {
            Some(m) if !explain => m.check(map, system_user, db_user, case_insensitive, &roles),
            _ => file.check(map, system_user, db_user, case_insensitive, &roles),
        };
        PostgresCheck {
            path: file.path().to_string(),
            map: map.to_string(),
            system_user: system_user.to_string(),
            db_user: db_user.to_string(),
            explain,
            check,
        }
    }

    /// The check itself: decision, log lines, trace.
    #[must_use]
    pub fn check(&self) -> &Check {
        &self.check
    }

    /// Whether the login is allowed.
    #[must_use]
    pub fn allowed(&self) -> bool {
        matches!(self.check.decision(), Decision::Allow)
    }

    fn decision_name(&self) -> &'static str {
        match self.check.decision() {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            _ => "unsupported",
        }
    }

    /// The `identmap map --format json` object: `decision` (`allow`, `deny`, `unsupported`),
    /// `log`, `file_loaded`, `reason` (when unsupported) and `trace` (when explained: `file`,
    /// `line`, `system_user_matched`, `captures`, `produced_role`, `result`).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let check = &self.check;
        let mut out =
            json!({"decision": self.decision_name(), "log": check.log(), "file_loaded": check.file_loaded()});
        if let Decision::Unsupported { reason, location } = check.decision() {
            out["reason"] = json!(format!("{location}: {reason}"));
        }
        if self.explain {
            let system_user = &self.system_user;
            out["trace"] = check
                .trace()
                .iter()
                .map(|t| {
                    json!({
                        "file": t.location().file(),
                        "line": t.location().line(),
                        "system_user_matched": t.system_user_matched(),
                        "captures": t.captures().iter().map(|c| c.map(|sp| system_user.get(sp.range()).unwrap_or(""))).collect::<Vec<_>>(),
                        "produced_role": t.produced_role(),
                        "result": t.to_string(),
                    })
                })
                .collect();
        }
        out
    }

    /// What `identmap map` prints for a `pg_ident.conf`.
    #[must_use]
    pub fn to_text(&self) -> String {
        let check = &self.check;
        let mut out = String::new();
        if !check.file_loaded() {
            let _ = writeln!(out, "{}: the file has errors: PostgreSQL loads no map from it at startup and keeps the previous one on reload (run `identmap check`)", self.path);
        }
        if self.explain {
            let (map, system_user, db_user) = (&self.map, &self.system_user, &self.db_user);
            let _ = writeln!(out, "map {map:?}, system user {system_user:?}, requested role {db_user:?}:");
            if check.trace().is_empty() {
                let _ = writeln!(out, "  no line of this map was tried");
            }
            for t in check.trace() {
                let _ = writeln!(out, "  {t}");
            }
        }
        match check.decision() {
            Decision::Unsupported { reason, location } => {
                let _ =
                    writeln!(out, "unsupported: identmap cannot evaluate {location} faithfully: {reason}");
            }
            _ => {
                let _ = writeln!(out, "{}", self.decision_name());
            }
        }
        for l in check.log() {
            let _ = writeln!(out, "  LOG: {l}");
        }
        out
    }
}
