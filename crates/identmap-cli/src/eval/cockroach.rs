//! Cockroach records (`"dialect":"cockroach"`).

use identmap::cockroach::{CaseMode, Options, Ruleset};
pub use identmap::Engine;
use identmap::Matcher;
use serde_json::{json, Map, Value};

/// Evaluate one cockroach record. `case` overrides the record's own `"case"` field.
#[must_use]
pub fn eval(record: &Value, case: Option<CaseMode>, engine: Engine) -> Value {
    match try_eval(record, case, engine) {
        Ok(v) | Err(v) => v,
    }
}

fn fail(msg: impl Into<String>) -> Value {
    json!({"ok": false, "error": msg.into()})
}

fn try_eval(record: &Value, case: Option<CaseMode>, engine: Engine) -> Result<Value, Value> {
    let config = record
        .get("config")
        .and_then(Value::as_str)
        .ok_or_else(|| fail("record has no string field \"config\""))?;
    let issuer = match record.get("issuer") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(fail("field \"issuer\" must be a string")),
    };
    let case = match case {
        Some(c) => c,
        None => match record.get("case") {
            None | Some(Value::Null) => CaseMode::Insensitive,
            Some(Value::String(s)) if s == "insensitive" => CaseMode::Insensitive,
            Some(Value::String(s)) if s == "sensitive" => CaseMode::Sensitive,
            Some(other) => {
                return Err(fail(format!(
                    "field \"case\" must be \"insensitive\" or \"sensitive\", not {other}"
                )))
            }
        },
    };
    let rules = Ruleset::parse(config, Options::new().case(case)).map_err(|e| fail(e.message()))?;
    let eval = Eval::new(&rules, engine)?;
    let mut out = Map::new();
    out.insert("ok".into(), Value::Bool(true));
    match record.get("identity") {
        None | Some(Value::Null) => single(&eval, issuer, "", &mut out),
        Some(Value::String(id)) => single(&eval, issuer, id, &mut out),
        Some(Value::Array(items)) => {
            let principals: Vec<String> = items.iter().map(go_sprint).collect();
            let mut users = Vec::new();
            let mut found = false;
            for p in &principals {
                let (f, u) = eval.map(issuer, p);
                found |= f;
                users.extend(u);
            }
            out.insert("map_found".into(), Value::Bool(found));
            out.insert("users".into(), json!(users));
            out.insert("jwt_users".into(), json!(eval.jwt_candidates(issuer, &principals)));
        }
        Some(other) => {
            let p = go_sprint(other);
            single(&eval, issuer, &p, &mut out);
        }
    }
    Ok(Value::Object(out))
}

/// The chosen evaluator over one ruleset.
enum Eval<'r> {
    Matcher(Matcher),
    Reference(&'r Ruleset),
}

impl<'r> Eval<'r> {
    fn new(rules: &'r Ruleset, engine: Engine) -> Result<Eval<'r>, Value> {
        Ok(match engine {
            Engine::Matcher => Eval::Matcher(Matcher::new(rules).map_err(|e| fail(e.to_string()))?),
            Engine::Reference => Eval::Reference(rules),
        })
    }

    fn map(&self, issuer: &str, identity: &str) -> (bool, Vec<String>) {
        match self {
            Eval::Matcher(m) => {
                let r = m.map(issuer, identity);
                (r.map_found(), r.users().iter().map(|u| u.to_string()).collect())
            }
            Eval::Reference(r) => {
                let r = r.map(issuer, identity);
                (r.map_found(), r.into_users())
            }
        }
    }

    fn jwt_candidates(&self, issuer: &str, principals: &[String]) -> Vec<String> {
        match self {
            Eval::Matcher(m) => m.jwt_candidates(issuer, principals),
            Eval::Reference(r) => r.jwt_candidates(issuer, principals),
        }
    }
}

fn single(eval: &Eval<'_>, issuer: &str, identity: &str, out: &mut Map<String, Value>) {
    let (found, users) = eval.map(issuer, identity);
    out.insert("map_found".into(), Value::Bool(found));
    out.insert("users".into(), json!(users));
    out.insert("jwt_users".into(), json!(eval.jwt_candidates(issuer, &[identity.to_string()])));
    if let Some(e) = identmap::cockroach::hba_error(identity, found, &users) {
        out.insert("hba_error".into(), Value::String(e));
    }
}

/// A JSON claim element as Go's `fmt.Sprint` prints it: the SSO simulator's formatting, so
/// `jwt_users` and `identmap sso` agree by construction.
pub use identmap_sso::go_sprint;
