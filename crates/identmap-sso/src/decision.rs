//! The decision of `sso.md`, step by step.

use core::fmt::{self, Write as _};
use std::sync::{Arc, OnceLock};

use identmap::cockroach::{is_reserved, CaseMode, Options as MapOptions, Ruleset};
use identmap::sso::{Claim, JwtSettings};
use identmap::{normalize_username, Matcher};
use serde_json::{json, Map, Value};

use crate::claims::{self, ClaimProblem};
use crate::jwks::{self, Jwks, JwksError};
use crate::token::{kind_of, Token};
use identmap::report::TraceStep;

/// A step of the decision, in the order `sso.md` gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// `server.jwt_authentication.enabled`.
    Enabled,
    /// The token reads: three base64url parts, JSON header and payload, well-typed registered
    /// claims.
    Token,
    /// The signature verifies with a key of the JWKS (`kid` and `alg` matched).
    Signature,
    /// `exp`, `nbf` and `iat` against the clock, with the skew.
    Time,
    /// `iss` is an accepted issuer (exact equality).
    Issuer,
    /// `aud` matches a configured audience.
    Audience,
    /// The configured claim is present and gives principals.
    Claim,
    /// The identity map (or the no-map fallback) gives candidates.
    Mapping,
    /// The user is not reserved (`root`, `node`, `pg_…`, …).
    Reserved,
    /// The requested user is among the candidates (or the single candidate is taken).
    User,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 10] = [
        Step::Enabled,
        Step::Token,
        Step::Signature,
        Step::Time,
        Step::Issuer,
        Step::Audience,
        Step::Claim,
        Step::Mapping,
        Step::Reserved,
        Step::User,
    ];

    /// The name used in the JSON result: `enabled`, `token`, `signature`, `time`, `issuer`,
    /// `audience`, `claim`, `mapping`, `reserved`, `user`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Step::Enabled => "enabled",
            Step::Token => "token",
            Step::Signature => "signature",
            Step::Time => "time",
            Step::Issuer => "issuer",
            Step::Audience => "audience",
            Step::Claim => "claim",
            Step::Mapping => "mapping",
            Step::Reserved => "reserved",
            Step::User => "user",
        }
    }

    /// The error CockroachDB returns to the SQL client when this check fails.
    const fn crdb_error(self) -> &'static str {
        match self {
            Step::Enabled => "JWT authentication: not enabled",
            Step::Token | Step::Signature | Step::Time => "JWT authentication: invalid token",
            Step::Issuer => "JWT authentication: invalid issuer",
            Step::Audience => "JWT authentication: invalid audience",
            Step::Claim => "JWT authentication: missing claim",
            Step::Mapping | Step::User => "JWT authentication: invalid principal",
            Step::Reserved => "JWT authentication: invalid identity",
        }
    }
}

/// The order in which CockroachDB's `ValidateJWTLogin` runs the same checks (it differs from
/// [`Step::ALL`]: the issuer before the signature, the audience last).
const CRDB_ORDER: [Step; 10] = [
    Step::Enabled,
    Step::Token,
    Step::Issuer,
    Step::Signature,
    Step::Time,
    Step::Claim,
    Step::Mapping,
    Step::User,
    Step::Reserved,
    Step::Audience,
];

/// What happened at one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// The check passed.
    Passed,
    /// The check failed.
    Failed,
    /// The check was not made on purpose (signature verification turned off:
    /// `Options::verify(false)`).
    Skipped,
    /// The check could not be made: an earlier step it depends on failed.
    NotChecked,
}

impl Status {
    /// `passed`, `failed`, `skipped` or `not_checked`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::NotChecked => "not_checked",
        }
    }
}

/// One step's outcome and its explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepResult {
    step: Step,
    status: Status,
    detail: String,
    /// CockroachDB's own answer at this step is not known offline (keys fetched at login time, a
    /// map it would not have accepted).
    crdb_unknown: bool,
    /// CockroachDB's error for this failure when it is not the step's usual one.
    crdb_message: Option<&'static str>,
}

impl StepResult {
    /// The step.
    #[must_use]
    pub fn step(&self) -> Step {
        self.step
    }

    /// What happened.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }

    /// Why, in a sentence.
    #[must_use]
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

/// How to run a decision: the clock, the requested user, whether to verify the signature.
#[derive(Clone, Debug)]
pub struct Options {
    now: i64,
    skew: u64,
    user: Option<String>,
    verify: bool,
    case: CaseMode,
}

impl Options {
    /// Options with the clock at `now` (Unix seconds; the library never reads a clock), no
    /// clock skew (CockroachDB allows none), no requested user, the signature verified, the
    /// current case-insensitive matching.
    #[must_use]
    pub fn new(now: i64) -> Options {
        Options { now, skew: 0, user: None, verify: true, case: CaseMode::Insensitive }
    }

    /// The SQL user the connection asks for.
    #[must_use]
    pub fn user(mut self, user: impl Into<String>) -> Options {
        self.user = Some(user.into());
        self
    }

    /// Accept `exp`, `nbf` and `iat` this many seconds off.
    #[must_use]
    pub fn skew(mut self, seconds: u64) -> Options {
        self.skew = seconds;
        self
    }

    /// `false`: decode only, do not check the signature (the result says so).
    #[must_use]
    pub fn verify(mut self, yes: bool) -> Options {
        self.verify = yes;
        self
    }

    /// The identity map's case mode.
    #[must_use]
    pub fn case(mut self, case: CaseMode) -> Options {
        self.case = case;
        self
    }
}

/// The answer: may this token log in, as whom, and if not, the first failing step and why.
///
/// ```
/// use identmap::sso::JwtSettings;
/// use identmap_sso::{decide, Options};
///
/// let mut settings = JwtSettings::new();
/// settings.set_enabled(true);
/// settings.set_issuers("https://accounts.google.com");
/// settings.set_audience("my-client");
/// settings.set_claim("email");
/// settings.set_identity_map("https://accounts.google.com /^(.*)@example\\.com$ \\1".into());
/// // {"alg":"RS256","kid":"k1"} . {"iss":"https://accounts.google.com","aud":"my-client","email":"Carl@example.com"}
/// let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20iLCJhdWQiOiJteS1jbGllbnQiLCJlbWFpbCI6IkNhcmxAZXhhbXBsZS5jb20ifQ.c2ln";
///
/// let d = decide(&settings, token, &Options::new(1_700_000_000).user("carl").verify(false));
/// assert!(d.allowed());
/// assert_eq!(d.user(), Some("carl"));
/// assert!(!d.verified());
/// assert_eq!(d.principals(), ["Carl@example.com"]);
/// assert_eq!(d.trace()[0].captures()[1].as_deref(), Some("Carl"));
///
/// let d = decide(&settings, token, &Options::new(1_700_000_000).user("root").verify(false));
/// assert_eq!(d.failed_step().map(|s| s.name()), Some("reserved"));
///
/// // With verification, this token's signature ("sig") cannot verify: there are no keys.
/// let d = decide(&settings, token, &Options::new(1_700_000_000).user("carl"));
/// assert_eq!(d.failed_step().map(|s| s.name()), Some("signature"));
/// assert_eq!(d.crdb_error(), Some("JWT authentication: invalid token"));
/// ```
#[derive(Clone, Debug)]
pub struct Decision {
    allowed: bool,
    user: Option<String>,
    failed_step: Option<Step>,
    reason: String,
    crdb_error: Option<String>,
    verified: bool,
    principals: Vec<String>,
    candidates: Vec<String>,
    trace: Vec<TraceStep>,
    claims_present: Vec<String>,
    claims: Option<Map<String, Value>>,
    header: Option<Map<String, Value>>,
    steps: Vec<StepResult>,
    notes: Vec<String>,
}

impl Decision {
    /// Whether the login would succeed.
    #[must_use]
    pub fn allowed(&self) -> bool {
        self.allowed
    }

    /// The SQL user that would log in.
    #[must_use]
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The first failing step ([`Step::ALL`] order).
    #[must_use]
    pub fn failed_step(&self) -> Option<Step> {
        self.failed_step
    }

    /// Why, in a sentence (also when allowed).
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The error CockroachDB itself would return to the SQL client, following its own order of
    /// checks; `None` when allowed, or when that answer cannot be known offline.
    #[must_use]
    pub fn crdb_error(&self) -> Option<&str> {
        self.crdb_error.as_deref()
    }

    /// Whether the signature was verified (`false` with [`Options::verify`]`(false)` or when it
    /// failed).
    #[must_use]
    pub fn verified(&self) -> bool {
        self.verified
    }

    /// The principals taken from the claim.
    #[must_use]
    pub fn principals(&self) -> &[String] {
        &self.principals
    }

    /// The candidate users (`cockroach.md` §8).
    #[must_use]
    pub fn candidates(&self) -> &[String] {
        &self.candidates
    }

    /// Every map rule tried for every principal, with captures.
    #[must_use]
    pub fn trace(&self) -> &[TraceStep] {
        &self.trace
    }

    /// The names of the token's top-level claims.
    #[must_use]
    pub fn claims_present(&self) -> &[String] {
        &self.claims_present
    }

    /// The token's claims (values included), when the token read.
    #[must_use]
    pub fn claims(&self) -> Option<&Map<String, Value>> {
        self.claims.as_ref()
    }

    /// Every step with its status and detail, in [`Step::ALL`] order.
    #[must_use]
    pub fn steps(&self) -> &[StepResult] {
        &self.steps
    }

    /// Remarks that do not decide (settings problems, a token without `exp`, …).
    #[must_use]
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The stable JSON result (documented in the README, section "SSO simulator"). Claim
    /// values beyond the principals appear only with `show_claims`.
    #[must_use]
    pub fn to_json(&self, show_claims: bool) -> Value {
        let mut out = json!({
            "allowed": self.allowed,
            "user": self.user,
            "failed_step": self.failed_step.map(Step::name),
            "reason": self.reason,
            "crdb_error": self.crdb_error,
            "verified": self.verified,
            "principals": self.principals,
            "candidates": self.candidates,
            "trace": self.trace.iter().map(|t| t.to_json_as("principal")).collect::<Vec<_>>(),
            "claims_present": self.claims_present,
            "header": self.header.as_ref().map(|h| {
                let mut m = Map::new();
                for k in ["alg", "kid", "typ"] {
                    if let Some(v) = h.get(k) {
                        m.insert(k.to_owned(), v.clone());
                    }
                }
                Value::Object(m)
            }),
            "steps": self.steps.iter().map(|s| json!({
                "step": s.step.name(),
                "status": s.status.name(),
                "detail": s.detail,
            })).collect::<Vec<_>>(),
            "notes": self.notes,
        });
        if show_claims {
            out["claims"] = self.claims.clone().map_or(Value::Null, Value::Object);
        }
        out
    }

    /// The human-readable report (`identmap sso --format full`).
    #[must_use]
    pub fn to_text(&self, show_claims: bool) -> String {
        let mut out = String::new();
        let verdict = if self.allowed { "ALLOWED" } else { "DENIED" };
        let _ = writeln!(out, "{verdict}: {}", self.reason);
        for s in &self.steps {
            let mark = match s.status {
                Status::Passed => "ok  ",
                Status::Failed => "FAIL",
                Status::Skipped => "skip",
                Status::NotChecked => " -  ",
            };
            let _ = writeln!(out, "  [{mark}] {:<9} {}", s.step.name(), s.detail);
        }
        if !self.principals.is_empty() {
            let _ = writeln!(out, "principals: {}", quoted(&self.principals));
        }
        if !self.trace.is_empty() {
            let _ = writeln!(out, "map rules tried:");
            for t in &self.trace {
                let _ = writeln!(out, "  {}", t.to_text(true));
            }
        }
        if self.steps.iter().any(|s| s.step == Step::Mapping && s.status != Status::NotChecked) {
            let c = if self.candidates.is_empty() { "(none)".to_owned() } else { quoted(&self.candidates) };
            let _ = writeln!(out, "candidates: {c}");
        }
        if !self.claims_present.is_empty() {
            let _ = writeln!(out, "claims present: {}", self.claims_present.join(", "));
        }
        if show_claims {
            if let Some(c) = &self.claims {
                let pretty = serde_json::to_string_pretty(c).unwrap_or_default();
                let _ = writeln!(out, "claims: {pretty}");
            }
        }
        for n in &self.notes {
            let _ = writeln!(out, "note: {n}");
        }
        if let Some(e) = &self.crdb_error {
            let _ = writeln!(out, "CockroachDB would answer: {e}");
        }
        out
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text(false))
    }
}

fn quoted(v: &[String]) -> String {
    v.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ")
}

/// Collects the step results while the decision runs.
struct Run {
    steps: Vec<StepResult>,
}

impl Run {
    fn set(&mut self, step: Step, status: Status, detail: impl Into<String>) {
        self.steps.push(StepResult {
            step,
            status,
            detail: detail.into(),
            crdb_unknown: false,
            crdb_message: None,
        });
    }

    fn unknown(&mut self, step: Step, detail: impl Into<String>) {
        self.steps.push(StepResult {
            step,
            status: Status::Failed,
            detail: detail.into(),
            crdb_unknown: true,
            crdb_message: None,
        });
    }

    fn pass(&mut self, step: Step, detail: impl Into<String>) {
        self.set(step, Status::Passed, detail);
    }

    fn fail(&mut self, step: Step, detail: impl Into<String>) {
        self.set(step, Status::Failed, detail);
    }

    fn status(&self, step: Step) -> Option<Status> {
        self.steps.iter().find(|s| s.step == step).map(|s| s.status)
    }
}

/// Decide whether `token` (the compact text) may log in under `settings`: a [`Simulator`] built
/// for this one token. To decide for many tokens, build the [`Simulator`] once.
///
/// Every check that can be made is made, so [`Decision::steps`] shows all of them; the
/// decision reports the first failure in [`Step::ALL`] order, and [`Decision::crdb_error`]
/// what CockroachDB would answer, following its own order.
#[must_use]
pub fn decide(settings: &JwtSettings, token: &str, options: &Options) -> Decision {
    Simulator::new(settings.clone()).decide(token, options)
}

/// The identity map, parsed and compiled, or why not (the mapping step's detail).
#[derive(Debug)]
struct CompiledMap {
    rules: Arc<Ruleset>,
    matcher: Arc<Matcher>,
}

/// The SSO simulator for one cluster's settings: the JWK set and the identity map are read (and
/// the map compiled) once, then [`Simulator::decide`] answers for any number of tokens.
///
/// ```
/// use identmap::sso::JwtSettings;
/// use identmap_sso::{Options, Simulator};
///
/// let mut settings = JwtSettings::new();
/// settings.set_enabled(true);
/// settings.set_issuers("https://idp");
/// settings.set_audience("app");
/// settings.set_claim("email");
/// settings.set_identity_map("https://idp /^(.*)@example\\.com$ \\1".into());
/// let sim = Simulator::new(settings);
/// // {"alg":"RS256"} . {"iss":"https://idp","aud":"app","email":"carl@example.com"}
/// let token = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lkcCIsImF1ZCI6ImFwcCIsImVtYWlsIjoiY2FybEBleGFtcGxlLmNvbSJ9.c2ln";
/// let options = Options::new(1_700_000_000).verify(false);
/// assert_eq!(sim.decide(token, &options).user(), Some("carl"));
/// assert_eq!(sim.decide("x.y", &options).failed_step().map(|s| s.name()), Some("token"));
/// ```
#[derive(Debug)]
pub struct Simulator {
    settings: JwtSettings,
    jwks: Result<Jwks, JwksError>,
    /// Per case mode (insensitive, sensitive), built on first use.
    maps: [OnceLock<Result<CompiledMap, String>>; 2],
}

impl Simulator {
    /// Read the settings' JWK set now; the identity map is parsed and compiled on the first
    /// decision that reaches the mapping step, once per case mode.
    #[must_use]
    pub fn new(settings: JwtSettings) -> Simulator {
        let jwks = match settings.jwks() {
            None => Ok(Jwks::default()),
            Some(text) => Jwks::parse(text),
        };
        Simulator { settings, jwks, maps: [OnceLock::new(), OnceLock::new()] }
    }

    /// A simulator whose identity map the caller has already parsed and compiled from `text` in
    /// `case`, or found not to load and why (the mapping step's detail): it is not parsed again
    /// for that case mode. `text` becomes the settings' identity map.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use identmap::cockroach::{CaseMode, Options as MapOptions, Ruleset};
    /// use identmap::sso::JwtSettings;
    /// use identmap::Matcher;
    /// use identmap_sso::{Options, Simulator};
    ///
    /// let text = "https://idp /^(.*)@example\\.com$ \\1";
    /// let rules = Ruleset::parse(text, MapOptions::new())?;
    /// let matcher = Matcher::new(&rules)?;
    /// let mut settings = JwtSettings::new();
    /// settings.set_enabled(true);
    /// settings.set_issuers("https://idp");
    /// settings.set_audience("app");
    /// settings.set_claim("email");
    /// let sim = Simulator::with_map(settings, text.into(), CaseMode::Insensitive, Ok((Arc::new(rules), Arc::new(matcher))));
    /// // {"alg":"RS256"} . {"iss":"https://idp","aud":"app","email":"carl@example.com"}
    /// let token = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lkcCIsImF1ZCI6ImFwcCIsImVtYWlsIjoiY2FybEBleGFtcGxlLmNvbSJ9.c2ln";
    /// assert_eq!(sim.decide(token, &Options::new(1_700_000_000).verify(false)).user(), Some("carl"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_map(
        mut settings: JwtSettings,
        text: String,
        case: CaseMode,
        map: Result<(Arc<Ruleset>, Arc<Matcher>), String>,
    ) -> Simulator {
        settings.set_identity_map(text);
        let sim = Simulator::new(settings);
        let _ = sim.slot(case).set(map.map(|(rules, matcher)| CompiledMap { rules, matcher }));
        sim
    }

    /// The settings.
    #[must_use]
    pub fn settings(&self) -> &JwtSettings {
        &self.settings
    }

    /// The JWK set, or why it does not read.
    ///
    /// # Errors
    /// The settings' JWK set does not read (CockroachDB would refuse to set it).
    pub fn jwks(&self) -> Result<&Jwks, &JwksError> {
        self.jwks.as_ref()
    }

    fn slot(&self, case: CaseMode) -> &OnceLock<Result<CompiledMap, String>> {
        match case {
            CaseMode::Sensitive => &self.maps[1],
            _ => &self.maps[0],
        }
    }

    fn map(&self, case: CaseMode) -> &Result<CompiledMap, String> {
        self.slot(case).get_or_init(|| {
            let text = self.settings.identity_map().unwrap_or("");
            let rules = Ruleset::parse(text, MapOptions::new().case(case)).map_err(|e| {
                if e.is_cockroach_verdict() {
                    format!(
                        "the identity map does not parse: {} (CockroachDB refuses to set it and keeps the previous map)",
                        e.message()
                    )
                } else {
                    format!("the identity map cannot be evaluated: {} (CockroachDB accepts it)", e.message())
                }
            })?;
            let matcher =
                Matcher::new(&rules).map_err(|e| format!("the identity map cannot be compiled: {e}"))?;
            Ok(CompiledMap { rules: Arc::new(rules), matcher: Arc::new(matcher) })
        })
    }

    /// Decide whether `token` (the compact text) may log in; see [`decide`].
    #[must_use]
    pub fn decide(&self, token: &str, options: &Options) -> Decision {
        let settings = &self.settings;
        let mut run = Run { steps: Vec::new() };
        let mut notes: Vec<String> =
            settings.problems().iter().map(|p| format!("setting {}: {}", p.setting(), p.message())).collect();
        let mut d = Decision {
            allowed: false,
            user: None,
            failed_step: None,
            reason: String::new(),
            crdb_error: None,
            verified: false,
            principals: Vec::new(),
            candidates: Vec::new(),
            trace: Vec::new(),
            claims_present: Vec::new(),
            claims: None,
            header: None,
            steps: Vec::new(),
            notes: Vec::new(),
        };

        if settings.enabled() {
            run.pass(Step::Enabled, "server.jwt_authentication.enabled is true");
        } else {
            run.fail(
                Step::Enabled,
                "server.jwt_authentication.enabled is false (the default): JWT logins are refused",
            );
        }

        let token = match Token::parse(token).and_then(|t| registered_claims(&t).map(|()| t)) {
            Ok(t) => t,
            Err(e) => {
                run.fail(Step::Token, e.message());
                return finish(d, run, notes, options);
            }
        };
        d.claims_present = token.claim_names().map(str::to_owned).collect();
        d.header = Some(token.header().clone());
        d.claims = Some(token.claims().clone());
        let alg = token.alg().unwrap_or("?");
        run.pass(
            Step::Token,
            format!(
                "alg {alg}{}; claims {}",
                token.kid().map_or(String::new(), |k| format!(", kid {k:?}")),
                if d.claims_present.is_empty() { "(none)".to_owned() } else { d.claims_present.join(", ") }
            ),
        );

        // Signature.
        if !options.verify {
            run.set(
                Step::Signature,
                Status::Skipped,
                "not verified (verification turned off): the token was only decoded",
            );
        } else if settings.jwks_auto_fetch() {
            run.unknown(
            Step::Signature,
            "server.jwt_authentication.jwks_auto_fetch.enabled is true: CockroachDB fetches the issuer's keys \
             (its /.well-known/openid-configuration) at login time, which identmap does not simulate offline; \
             turn signature verification off to check the other steps",
        );
        } else {
            match &self.jwks {
                Err(e) => run.unknown(
                    Step::Signature,
                    format!("{e} (CockroachDB refuses to set such a value and keeps the previous one)"),
                ),
                Ok(jwks) => match jwks::verify(&token, jwks) {
                    Ok(v) => {
                        d.verified = true;
                        run.pass(Step::Signature, format!("{} verified with {}", v.alg, v.key));
                    }
                    Err(e) => run.fail(Step::Signature, e),
                },
            }
        }

        time_step(&mut run, &token, options, &mut notes);

        // Issuer.
        let iss = token.claims().get("iss").and_then(Value::as_str).unwrap_or("");
        let issuers = settings.issuers();
        if issuers.contains(iss) {
            run.pass(Step::Issuer, format!("iss {iss:?} is an accepted issuer"));
        } else {
            let accepted: Vec<String> = issuers.iter().map(|i| format!("{i:?}")).collect();
            let mut why = if token.claims().contains_key("iss") {
                format!("iss {iss:?} is not an accepted issuer")
            } else {
                "the token has no iss claim".to_owned()
            };
            if accepted.is_empty() {
                why.push_str(" (server.jwt_authentication.issuers.configuration is not set)");
            } else {
                let _ = write!(why, " (accepted: {})", accepted.join(", "));
            }
            let slash = iss.strip_suffix('/').map(str::to_owned).unwrap_or_else(|| format!("{iss}/"));
            if !iss.is_empty() && issuers.contains(&slash) {
                let _ = write!(why, "; issuers compare exactly: {slash:?} differs by a trailing slash");
            }
            run.fail(Step::Issuer, why);
        }

        // Audience.
        let token_aud: Vec<&str> = match token.claims().get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let want = settings.audience();
        if let Some(a) = token_aud.iter().find(|a| want.iter().any(|w| w == *a)) {
            run.pass(Step::Audience, format!("aud {a:?} is a configured audience"));
        } else {
            let have = if token_aud.is_empty() {
                "the token has no aud".to_owned()
            } else {
                format!("aud {token_aud:?}")
            };
            let conf = if want.is_empty() {
                "server.jwt_authentication.audience is not set".to_owned()
            } else {
                format!("configured: {want:?}")
            };
            run.fail(Step::Audience, format!("{have} matches no configured audience ({conf})"));
        }

        // Claim → principals.
        let claim = settings.claim();
        let principals = match claims::principals(token.claims(), claim) {
            Ok(p) => {
                let what = match claim {
                    Claim::Subject => "the subject (sub)".to_owned(),
                    Claim::Name(n) => format!("claim {n:?}"),
                    Claim::Pointer(p) => format!("JSON Pointer {p:?}"),
                };
                let how = match claims::claim_value(token.claims(), claim) {
                    Some(Value::Array(a)) => format!("an array of {}: one principal each", a.len()),
                    Some(Value::Object(_)) => {
                        notes.push(
                        "the claim is a JSON object: CockroachDB formats it as one principal `map[…]` (Go's fmt.Sprint)"
                            .to_owned(),
                    );
                        "an object, formatted as one principal".to_owned()
                    }
                    Some(Value::String(_)) | None => "one principal".to_owned(),
                    Some(other) => format!("{}, formatted as one principal", kind_of(other)),
                };
                run.pass(Step::Claim, format!("{what}: {how}"));
                Some(p)
            }
            Err(ClaimProblem::Missing) => {
                let names =
                    if d.claims_present.is_empty() { "none".to_owned() } else { d.claims_present.join(", ") };
                run.fail(
                    Step::Claim,
                    format!("the token has no claim {:?} (claims present: {names})", claim.as_str()),
                );
                None
            }
            Err(ClaimProblem::EmptyArray) => {
                run.fail(Step::Claim, format!("claim {:?} is an empty array: no principal", claim.as_str()));
                // CockroachDB finds no principal, hence no candidate.
                if let Some(last) = run.steps.last_mut() {
                    last.crdb_message = Some(Step::Mapping.crdb_error());
                }
                None
            }
        };

        // Mapping.
        if let Some(principals) = principals {
            mapping_step(
                &mut run,
                &mut d,
                self.settings.identity_map().unwrap_or(""),
                self.map(options.case),
                iss,
                &principals,
            );
            d.principals = principals;
        }

        // Reserved: the requested user, or the single candidate when none is requested.
        let effective = match &options.user {
            Some(u) => Some(normalize_username(u)),
            None if d.candidates.len() == 1 => d.candidates.first().cloned(),
            None => None,
        };
        match &effective {
        Some(u) if is_reserved(u) => run.fail(
            Step::Reserved,
            format!("{u:?} is a reserved user: CockroachDB refuses JWT logins to root, node, public, none, pg_… and crdb_internal_…"),
        ),
        Some(u) => run.pass(Step::Reserved, format!("{u:?} is not a reserved user")),
        None => run.set(Step::Reserved, Status::NotChecked, "no user to check"),
    }

        // User.
        if run.status(Step::Mapping) == Some(Status::Passed) {
            match &options.user {
                Some(u) => {
                    let n = normalize_username(u);
                    if d.candidates.contains(&n) {
                        run.pass(Step::User, format!("{n:?} is a candidate"));
                        d.user = Some(n);
                    } else {
                        run.fail(
                            Step::User,
                            format!(
                                "the requested user {n:?} is not a candidate (candidates: {})",
                                quoted(&d.candidates)
                            ),
                        );
                    }
                }
                None => {
                    if let [one] = d.candidates.as_slice() {
                        run.pass(Step::User, format!("no user requested: the single candidate {one:?}"));
                        d.user = Some(one.clone());
                    } else {
                        run.fail(
                            Step::User,
                            format!(
                                "no user requested and {} candidates ({}): the connection must name the user",
                                d.candidates.len(),
                                quoted(&d.candidates)
                            ),
                        );
                    }
                }
            }
        } else {
            run.set(Step::User, Status::NotChecked, "no candidates to choose from");
        }
        finish(d, run, notes, options)
    }
}

fn mapping_step(
    run: &mut Run,
    d: &mut Decision,
    text: &str,
    map: &Result<CompiledMap, String>,
    iss: &str,
    principals: &[String],
) {
    let (rules, matcher) = match map {
        Ok(m) => (&m.rules, &m.matcher),
        Err(why) => {
            run.unknown(Step::Mapping, why.clone());
            return;
        }
    };
    d.candidates = claims::candidates(matcher, iss, principals);
    d.trace = TraceStep::explain(rules, iss, principals);
    let source = if matcher.has_map(iss) {
        format!("the identity map's rules for {iss:?}")
    } else if text.trim().is_empty() {
        "no identity map: each principal, normalized, is a candidate".to_owned()
    } else {
        format!("no rule of the identity map names {iss:?}: each principal, normalized, is a candidate")
    };
    if d.candidates.is_empty() {
        run.fail(Step::Mapping, format!("{source} produce no user for {}", quoted(principals)));
    } else {
        run.pass(Step::Mapping, format!("{source}: candidates {}", quoted(&d.candidates)));
    }
}

/// `exp`, `nbf`, `iat` as CockroachDB's JWT library validates them (times truncated to seconds):
/// expired when `now >= exp + skew`, not yet valid when `now < nbf - skew`, issued in the future
/// when `now < iat - skew`. Absent claims are not checked.
fn time_step(run: &mut Run, token: &Token, options: &Options, notes: &mut Vec<String>) {
    let now = options.now;
    let skew = i64::try_from(options.skew).unwrap_or(i64::MAX);
    let get = |name: &str| token.claims().get(name).and_then(numeric_date);
    let mut problems = Vec::new();
    let mut fine = Vec::new();
    match get("exp") {
        Some(exp) if now >= exp.saturating_add(skew) => {
            problems.push(format!("expired: exp {exp} is {} s before now {now}", now.saturating_sub(exp)));
        }
        Some(exp) => fine.push(format!("exp in {} s", exp.saturating_sub(now))),
        None => notes.push("the token has no exp: it never expires".to_owned()),
    }
    match get("nbf") {
        Some(nbf) if now < nbf.saturating_sub(skew) => {
            problems
                .push(format!("not yet valid: nbf {nbf} is {} s after now {now}", nbf.saturating_sub(now)));
        }
        Some(_) => fine.push("nbf passed".to_owned()),
        None => {}
    }
    match get("iat") {
        Some(iat) if now < iat.saturating_sub(skew) => {
            problems.push(format!(
                "issued in the future: iat {iat} is {} s after now {now}",
                iat.saturating_sub(now)
            ));
        }
        Some(_) => fine.push("iat in the past".to_owned()),
        None => {}
    }
    let skew_note = if options.skew > 0 { format!(" (skew {} s)", options.skew) } else { String::new() };
    if problems.is_empty() {
        let what = if fine.is_empty() { "no exp, nbf or iat to check".to_owned() } else { fine.join(", ") };
        run.pass(Step::Time, format!("{what}{skew_note}"));
    } else {
        run.fail(Step::Time, format!("{}{skew_note}", problems.join("; ")));
    }
}

/// A NumericDate (seconds, possibly fractional or a numeric string) truncated to whole seconds.
fn numeric_date(v: &Value) -> Option<i64> {
    let f = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !f.is_finite() {
        return None;
    }
    // Saturating float-to-int conversion; floor = truncation towards the past.
    #[allow(clippy::cast_possible_truncation)]
    Some(f.floor() as i64)
}

/// The registered claims CockroachDB's JWT library types strictly: a token with, say, a numeric
/// `iss` does not parse there.
fn registered_claims(token: &Token) -> Result<(), crate::TokenError> {
    let c = token.claims();
    let bad = |name: &str, want: &str, v: &Value| {
        Err(crate::token::TokenError::claim_type(format!(
            "payload (part 2): the registered claim {name:?} must be {want}, it is {}",
            kind_of(v)
        )))
    };
    for name in ["iss", "sub", "jti"] {
        if let Some(v) = c.get(name) {
            if !v.is_string() {
                return bad(name, "a string", v);
            }
        }
    }
    if let Some(v) = c.get("aud") {
        let ok = match v {
            Value::String(_) => true,
            Value::Array(a) => a.iter().all(Value::is_string),
            _ => false,
        };
        if !ok {
            return bad("aud", "a string or an array of strings", v);
        }
    }
    for name in ["exp", "nbf", "iat"] {
        if let Some(v) = c.get(name) {
            if numeric_date(v).is_none() {
                return bad(name, "a number of seconds (NumericDate)", v);
            }
        }
    }
    Ok(())
}

fn finish(mut d: Decision, mut run: Run, notes: Vec<String>, options: &Options) -> Decision {
    // Steps never reached (after a token failure) are listed as not checked.
    for step in Step::ALL {
        if run.status(step).is_none() {
            run.set(step, Status::NotChecked, "not checked: the token could not be read");
        }
    }
    run.steps.sort_by_key(|s| Step::ALL.iter().position(|x| *x == s.step));
    let first = run.steps.iter().find(|s| s.status == Status::Failed);
    d.failed_step = first.map(|s| s.step);
    d.allowed = first.is_none();
    d.reason = match first {
        Some(s) => format!("{}: {}", s.step.name(), s.detail),
        None => {
            let user = d.user.as_deref().unwrap_or("?");
            if d.verified {
                format!("the token may log in as {user:?}")
            } else {
                format!("the token may log in as {user:?}, if its signature is valid (not verified)")
            }
        }
    };
    if !d.allowed {
        d.user = None;
    }
    let crdb = CRDB_ORDER.iter().find_map(|step| {
        let s = run.steps.iter().find(|s| s.step == *step)?;
        match s.status {
            Status::Failed if s.crdb_unknown => Some(None),
            Status::Failed => Some(Some(s.crdb_message.unwrap_or(step.crdb_error()).to_owned())),
            _ => None,
        }
    });
    d.crdb_error = crdb.flatten();
    if !options.verify {
        let mut n = notes;
        n.insert(0, "signature not verified (verification turned off)".to_owned());
        d.notes = n;
    } else {
        d.notes = notes;
    }
    d.steps = run.steps;
    d
}
