//! The cluster settings that take part in a JWT (SSO) login, read the way CockroachDB reads them.
//!
//! [`JwtSettings`] collects `server.jwt_authentication.*` and the identity map from a `.sql` file
//! of `SET CLUSTER SETTING` statements ([`JwtSettings::from_sql`]) or from setters (command-line
//! flags, a configuration file). It does no cryptography and no I/O: the SSO simulator verifies
//! tokens with it, and the linter cross-checks the identity map against it.
//!
//! ```
//! use identmap::sql::parse_settings;
//! use identmap::sso::{Claim, IssuersForm, JwtSettings};
//!
//! let sql = r#"
//! SET CLUSTER SETTING server.jwt_authentication.enabled = true;
//! SET CLUSTER SETTING server.jwt_authentication.issuers.configuration = '["https://accounts.google.com", "example.com/adfs"]';
//! SET CLUSTER SETTING server.jwt_authentication.audience = 'my-client';
//! SET CLUSTER SETTING server.jwt_authentication.claim = 'email';
//! "#;
//! let s = JwtSettings::from_sql(&parse_settings(sql));
//! assert!(s.enabled());
//! assert_eq!(s.issuers().form(), IssuersForm::List);
//! assert!(s.issuers().contains("example.com/adfs"));
//! assert!(!s.issuers().contains("https://accounts.google.com/")); // exact equality
//! assert_eq!(s.audience(), ["my-client"]);
//! assert_eq!(s.claim(), &Claim::Name("email".into()));
//! assert!(s.problems().is_empty());
//! ```

use crate::sql::{Setting, Settings};
use crate::Span;

/// `server.jwt_authentication.enabled`.
pub const ENABLED: &str = "server.jwt_authentication.enabled";
/// `server.jwt_authentication.issuers.configuration`.
pub const ISSUERS: &str = "server.jwt_authentication.issuers.configuration";
/// The older name of [`ISSUERS`], still accepted by CockroachDB.
pub const ISSUERS_ALIAS: &str = "server.jwt_authentication.issuers";
/// `server.jwt_authentication.audience`.
pub const AUDIENCE: &str = "server.jwt_authentication.audience";
/// `server.jwt_authentication.claim`.
pub const CLAIM: &str = "server.jwt_authentication.claim";
/// `server.jwt_authentication.jwks`.
pub const JWKS: &str = "server.jwt_authentication.jwks";
/// `server.jwt_authentication.jwks_auto_fetch.enabled`.
pub const JWKS_AUTO_FETCH: &str = "server.jwt_authentication.jwks_auto_fetch.enabled";

/// Which of the three forms the issuers setting was written in (CockroachDB detects it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IssuersForm {
    /// One issuer string: `https://accounts.google.com`.
    #[default]
    Single,
    /// A string holding a JSON array of issuers.
    List,
    /// A string holding `{"issuer_jwks_map": {"<issuer>": "<jwks uri>", …}}`.
    JwksMap,
}

/// The accepted issuers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Issuers {
    form: IssuersForm,
    /// Each issuer with its JWKS URI (the `JwksMap` form only).
    list: Vec<(String, Option<String>)>,
}

impl Issuers {
    /// Read a value of the issuers setting, detecting its form as CockroachDB does: a JSON object
    /// with `issuer_jwks_map`, else a JSON array of strings, else the whole value as one issuer.
    /// The empty string means no issuer.
    #[must_use]
    pub fn parse(raw: &str) -> Issuers {
        Self::parse_checked(raw).0
    }

    /// [`Issuers::parse`], plus a message when the value looks like JSON but is not one of the
    /// two JSON forms (CockroachDB then takes the whole text as a single issuer).
    fn parse_checked(raw: &str) -> (Issuers, Option<String>) {
        if raw.is_empty() {
            return (Issuers::default(), None);
        }
        match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(serde_json::Value::Object(obj)) => {
                if let Some(serde_json::Value::Object(map)) = obj.get("issuer_jwks_map") {
                    let mut list = Vec::with_capacity(map.len());
                    let mut bad = None;
                    for (iss, uri) in map {
                        match uri {
                            serde_json::Value::String(u) => list.push((iss.clone(), Some(u.clone()))),
                            _ => {
                                bad.get_or_insert_with(|| {
                                    format!("the JWKS URI of issuer {iss:?} is not a string")
                                });
                            }
                        }
                    }
                    // Sorted, whatever order serde_json keeps object keys in.
                    list.sort();
                    return (Issuers { form: IssuersForm::JwksMap, list }, bad);
                }
                let msg = "a JSON object without \"issuer_jwks_map\": it is taken as one issuer string";
                (Self::single(raw), Some(msg.into()))
            }
            Ok(serde_json::Value::Array(items)) => {
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        serde_json::Value::String(s) => list.push((s, None)),
                        _ => {
                            let msg = "a JSON array holding a non-string: it is taken as one issuer string";
                            return (Self::single(raw), Some(msg.into()));
                        }
                    }
                }
                (Issuers { form: IssuersForm::List, list }, None)
            }
            Ok(_) => (Self::single(raw), None),
            Err(e) if raw.trim_start().starts_with(['[', '{']) => (
                Self::single(raw),
                Some(format!("looks like JSON but does not parse ({e}): it is taken as one issuer string")),
            ),
            Err(_) => (Self::single(raw), None),
        }
    }

    fn single(raw: &str) -> Issuers {
        Issuers { form: IssuersForm::Single, list: vec![(raw.to_owned(), None)] }
    }

    /// The form the setting was written in.
    #[must_use]
    pub fn form(&self) -> IssuersForm {
        self.form
    }

    /// The issuers, in the order written (the `JwksMap` form: sorted by issuer).
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.list.iter().map(|(i, _)| i.as_str())
    }

    /// Whether `iss` is accepted: exact string equality, as CockroachDB compares.
    #[must_use]
    pub fn contains(&self, iss: &str) -> bool {
        self.list.iter().any(|(i, _)| i == iss)
    }

    /// The JWKS URI configured for `iss` (the `JwksMap` form only).
    #[must_use]
    pub fn jwks_uri(&self, iss: &str) -> Option<&str> {
        self.list.iter().find(|(i, _)| i == iss).and_then(|(_, u)| u.as_deref())
    }

    /// No issuer configured.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many issuers are configured.
    #[must_use]
    pub fn len(&self) -> usize {
        self.list.len()
    }
}

/// Which claim names the external user (`server.jwt_authentication.claim`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Claim {
    /// Empty or `sub`: the token's subject.
    #[default]
    Subject,
    /// A top-level claim by name (`email`, `upn`).
    Name(String),
    /// A JSON Pointer (RFC 6901) into the payload, for nested claims
    /// (`/kubernetes.io/serviceaccount/name`).
    Pointer(String),
}

impl Claim {
    /// Read a value of the claim setting.
    #[must_use]
    pub fn parse(raw: &str) -> Claim {
        match raw {
            "" | "sub" => Claim::Subject,
            p if p.starts_with('/') => Claim::Pointer(p.to_owned()),
            name => Claim::Name(name.to_owned()),
        }
    }

    /// The claim as configured (`sub` for the subject).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Claim::Subject => "sub",
            Claim::Name(s) | Claim::Pointer(s) => s,
        }
    }
}

/// A setting whose value CockroachDB would reject or read differently from how it looks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingProblem {
    setting: &'static str,
    message: String,
    span: Option<Span>,
}

impl SettingProblem {
    /// The setting's name.
    #[must_use]
    pub fn setting(&self) -> &str {
        self.setting
    }

    /// What is wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the value is in the `.sql` file; `None` when it came from a setter.
    #[must_use]
    pub fn span(&self) -> Option<Span> {
        self.span
    }
}

/// The JWT settings of a cluster and its identity map. See the [module docs](self).
#[derive(Clone, Debug, Default)]
pub struct JwtSettings {
    enabled: bool,
    issuers: Issuers,
    issuers_raw: Option<String>,
    audience: Vec<String>,
    claim: Claim,
    jwks: Option<String>,
    jwks_auto_fetch: bool,
    identity_map: Option<String>,
    problems: Vec<SettingProblem>,
    spans: Vec<(&'static str, Span)>,
}

impl JwtSettings {
    /// Defaults: disabled, no issuers, no audience, the subject claim, no keys, no map.
    #[must_use]
    pub fn new() -> JwtSettings {
        JwtSettings::default()
    }

    /// Read every JWT setting and the identity map from a parsed `.sql` file. The last statement
    /// setting a name wins; `DEFAULT` resets it. Values of the wrong type become
    /// [`problems`](Self::problems) and leave the default.
    #[must_use]
    pub fn from_sql(settings: &Settings) -> JwtSettings {
        let mut out = JwtSettings::new();
        let get = |name: &str| settings.setting(name).filter(|s| !is_default(s));
        if let Some(s) = get(ENABLED) {
            out.note_span(ENABLED, s);
            match bool_of(s) {
                Some(b) => out.enabled = b,
                None => out.problem(ENABLED, s, "expects a boolean (true or false)".into()),
            }
        }
        if let Some(s) = get(JWKS_AUTO_FETCH) {
            out.note_span(JWKS_AUTO_FETCH, s);
            match bool_of(s) {
                Some(b) => out.jwks_auto_fetch = b,
                None => out.problem(JWKS_AUTO_FETCH, s, "expects a boolean (true or false)".into()),
            }
        }
        // The current name wins over the alias when both are set.
        let issuers = match (settings.setting(ISSUERS), settings.setting(ISSUERS_ALIAS)) {
            (Some(a), Some(b)) if b.statement_span().start > a.statement_span().start => Some((ISSUERS, b)),
            (Some(a), _) => Some((ISSUERS, a)),
            (None, Some(b)) => Some((ISSUERS, b)),
            (None, None) => None,
        };
        if let Some((name, s)) = issuers.filter(|(_, s)| !is_default(s)) {
            out.note_span(name, s);
            match s.text() {
                Some(t) => {
                    let (iss, msg) = Issuers::parse_checked(t);
                    out.issuers = iss;
                    out.issuers_raw = Some(t.to_owned());
                    if let Some(m) = msg {
                        out.problem(name, s, m);
                    }
                }
                None => out.problem(name, s, "expects a string".into()),
            }
        }
        for (name, f) in [
            (AUDIENCE, JwtSettings::set_audience as fn(&mut JwtSettings, &str)),
            (CLAIM, JwtSettings::set_claim),
        ] {
            if let Some(s) = get(name) {
                match s.text() {
                    // The setter forgets earlier spans of this setting: note this one after it.
                    Some(t) => f(&mut out, t),
                    None => out.problem(name, s, "expects a string".into()),
                }
                out.note_span(name, s);
            }
        }
        if let Some(s) = get(JWKS) {
            out.note_span(JWKS, s);
            match s.text() {
                Some(t) => {
                    if let Err(e) = serde_json::from_str::<serde_json::Value>(t) {
                        out.problem(JWKS, s, format!("is not valid JSON: {e}"));
                    }
                    out.jwks = Some(t.to_owned());
                }
                None => out.problem(JWKS, s, "expects a string holding a JWK or JWK set".into()),
            }
        }
        if let Some(s) = get(crate::sql::IDENTITY_MAP) {
            out.note_span(crate::sql::IDENTITY_MAP, s);
            match s.text() {
                Some(t) => out.identity_map = Some(t.to_owned()),
                None => out.problem(crate::sql::IDENTITY_MAP, s, "expects a string".into()),
            }
        }
        out
    }

    fn note_span(&mut self, name: &'static str, s: &Setting) {
        self.spans.push((name, s.value_span()));
    }

    fn problem(&mut self, setting: &'static str, s: &Setting, message: String) {
        self.problems.push(SettingProblem { setting, message, span: Some(s.value_span()) });
    }

    /// `server.jwt_authentication.enabled` (default `false`).
    #[must_use]
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The accepted issuers.
    #[must_use]
    pub fn issuers(&self) -> &Issuers {
        &self.issuers
    }

    /// The issuers setting as written, when set.
    #[must_use]
    pub fn issuers_raw(&self) -> Option<&str> {
        self.issuers_raw.as_deref()
    }

    /// The accepted audiences (empty when unset).
    #[must_use]
    pub fn audience(&self) -> &[String] {
        &self.audience
    }

    /// The claim that names the external user.
    #[must_use]
    pub fn claim(&self) -> &Claim {
        &self.claim
    }

    /// `server.jwt_authentication.jwks`: the JWK or JWK set as written (JSON text).
    #[must_use]
    pub fn jwks(&self) -> Option<&str> {
        self.jwks.as_deref()
    }

    /// `server.jwt_authentication.jwks_auto_fetch.enabled` (default `false`).
    #[must_use]
    pub fn jwks_auto_fetch(&self) -> bool {
        self.jwks_auto_fetch
    }

    /// `server.identity_map.configuration`, when set.
    #[must_use]
    pub fn identity_map(&self) -> Option<&str> {
        self.identity_map.as_deref()
    }

    /// Values that CockroachDB would reject or read differently from how they look.
    #[must_use]
    pub fn problems(&self) -> &[SettingProblem] {
        &self.problems
    }

    /// Where the value of `setting` is in the `.sql` file it was read from (the effective
    /// statement). `None` when the setting was not read from a file. The issuers alias is reported
    /// under [`ISSUERS`].
    #[must_use]
    pub fn value_span(&self, setting: &str) -> Option<Span> {
        let setting = if setting == ISSUERS_ALIAS { ISSUERS } else { setting };
        self.spans.iter().rev().find(|(n, _)| *n == setting).map(|(_, s)| *s)
    }

    /// Set `server.jwt_authentication.enabled`.
    pub fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
        self.forget(ENABLED);
    }

    /// Set the issuers from a value in any of the three forms.
    pub fn set_issuers(&mut self, raw: &str) {
        let (iss, msg) = Issuers::parse_checked(raw);
        self.issuers = iss;
        self.issuers_raw = Some(raw.to_owned());
        self.forget(ISSUERS);
        if let Some(message) = msg {
            self.problems.push(SettingProblem { setting: ISSUERS, message, span: None });
        }
    }

    /// Set the audience: one audience, or a JSON array of audiences.
    pub fn set_audience(&mut self, raw: &str) {
        self.audience = match serde_json::from_str::<Vec<String>>(raw) {
            Ok(list) => list,
            Err(_) if raw.is_empty() => Vec::new(),
            Err(_) => vec![raw.to_owned()],
        };
        self.forget(AUDIENCE);
    }

    /// Set the claim (`sub`, a claim name, or a JSON Pointer).
    pub fn set_claim(&mut self, raw: &str) {
        self.claim = Claim::parse(raw);
        self.forget(CLAIM);
    }

    /// Set the JWK or JWK set (JSON text).
    pub fn set_jwks(&mut self, json: String) {
        self.jwks = Some(json);
        self.forget(JWKS);
    }

    /// Set `server.jwt_authentication.jwks_auto_fetch.enabled`.
    pub fn set_jwks_auto_fetch(&mut self, on: bool) {
        self.jwks_auto_fetch = on;
        self.forget(JWKS_AUTO_FETCH);
    }

    /// Set the identity map.
    pub fn set_identity_map(&mut self, map: String) {
        self.identity_map = Some(map);
        self.forget(crate::sql::IDENTITY_MAP);
    }

    /// A setter replaced a value read from the file: its span and problems no longer apply.
    fn forget(&mut self, name: &str) {
        self.spans.retain(|(n, _)| *n != name);
        self.problems.retain(|p| p.setting != name);
    }
}

fn is_default(s: &Setting) -> bool {
    s.raw().is_some_and(|r| r.eq_ignore_ascii_case("default"))
}

fn bool_of(s: &Setting) -> Option<bool> {
    let v = s.raw().or(s.text())?;
    if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("on") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") || v.eq_ignore_ascii_case("off") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse_settings;

    fn read(sql: &str) -> JwtSettings {
        JwtSettings::from_sql(&parse_settings(sql))
    }

    #[test]
    fn issuer_forms() {
        let one = Issuers::parse("https://accounts.google.com");
        assert_eq!(one.form(), IssuersForm::Single);
        assert_eq!(one.iter().collect::<Vec<_>>(), ["https://accounts.google.com"]);
        let list = Issuers::parse(r#"["example.com/adfs","https://accounts.google.com"]"#);
        assert_eq!(list.form(), IssuersForm::List);
        assert_eq!(list.len(), 2);
        let map = Issuers::parse(
            r#"{"issuer_jwks_map": {"https://b": "https://b/keys", "https://a": "https://a/keys"}}"#,
        );
        assert_eq!(map.form(), IssuersForm::JwksMap);
        assert!(map.contains("https://a") && map.contains("https://b"));
        assert_eq!(map.jwks_uri("https://a"), Some("https://a/keys"));
        assert_eq!(map.jwks_uri("https://c"), None);
        assert!(Issuers::parse("").is_empty());
        // Not one of the JSON forms: the whole text is one issuer, and the settings say so.
        let s = read("SET CLUSTER SETTING server.jwt_authentication.issuers = '[\"a\", 1]';");
        assert_eq!(s.issuers().form(), IssuersForm::Single);
        assert_eq!(s.issuers().iter().next(), Some("[\"a\", 1]"));
        assert_eq!(s.problems().len(), 1);
        assert_eq!(s.problems()[0].setting(), ISSUERS);
        let s = read("SET CLUSTER SETTING server.jwt_authentication.issuers.configuration = '[\"a\"';");
        assert!(s.problems()[0].message().contains("does not parse"), "{:?}", s.problems());
    }

    #[test]
    fn audience_claim_and_booleans() {
        let s = read(
            "SET CLUSTER SETTING server.jwt_authentication.audience = '[\"a\",\"b\"]';\n\
             SET CLUSTER SETTING server.jwt_authentication.claim = '/kubernetes.io/serviceaccount/name';\n\
             SET CLUSTER SETTING server.jwt_authentication.enabled = 'maybe';\n\
             SET CLUSTER SETTING server.jwt_authentication.jwks_auto_fetch.enabled = TRUE;\n\
             SET CLUSTER SETTING server.jwt_authentication.jwks = '{not json';",
        );
        assert_eq!(s.audience(), ["a", "b"]);
        assert_eq!(s.claim(), &Claim::Pointer("/kubernetes.io/serviceaccount/name".into()));
        assert!(!s.enabled());
        assert!(s.jwks_auto_fetch());
        let settings: Vec<_> = s.problems().iter().map(SettingProblem::setting).collect();
        assert_eq!(settings, [ENABLED, JWKS]);
        assert_eq!(Claim::parse("sub"), Claim::Subject);
        assert_eq!(Claim::parse(""), Claim::Subject);
        assert_eq!(Claim::parse("upn").as_str(), "upn");
    }

    #[test]
    fn spans_point_into_the_file_and_setters_override() {
        let sql = "SET CLUSTER SETTING server.jwt_authentication.claim = 'email';\n\
                   SET CLUSTER SETTING server.identity_map.configuration = 'iss /^(.*)$ \\1';\n\
                   SET CLUSTER SETTING server.jwt_authentication.audience = DEFAULT;";
        let mut s = read(sql);
        let span = s.value_span(CLAIM).unwrap();
        assert_eq!(&sql[span.range()], "'email'");
        assert_eq!(s.identity_map(), Some("iss /^(.*)$ \\1"));
        assert!(s.audience().is_empty());
        assert_eq!(s.value_span(AUDIENCE), None);
        s.set_claim("upn");
        assert_eq!(s.claim(), &Claim::Name("upn".into()));
        assert_eq!(s.value_span(CLAIM), None);
    }

    #[test]
    fn the_later_of_name_and_alias_wins() {
        let s = read(
            "SET CLUSTER SETTING server.jwt_authentication.issuers.configuration = 'a';\n\
             SET CLUSTER SETTING server.jwt_authentication.issuers = 'b';",
        );
        assert!(s.issuers().contains("b") && !s.issuers().contains("a"));
        assert!(s.value_span(ISSUERS_ALIAS).is_some());
    }
}
