//! Cockroach records (`"dialect":"cockroach"`).

use identmap::cockroach::{CaseMode, Options, Ruleset};
use identmap::report::CockroachMap;
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
    let matcher = match engine {
        Engine::Matcher => Some(Matcher::new(&rules).map_err(|e| fail(e.to_string()))?),
        Engine::Reference => None,
    };
    // The same answer `identmap map` and the playground give (identmap::report): one identity, or
    // the elements of an array claim (JWT only: no HBA refusal).
    let result = match record.get("identity") {
        None | Some(Value::Null) => CockroachMap::new(&rules, matcher.as_ref(), issuer, &[""], false),
        Some(Value::String(id)) => CockroachMap::new(&rules, matcher.as_ref(), issuer, &[id], false),
        Some(Value::Array(items)) => {
            let principals: Vec<String> = items.iter().map(go_sprint).collect();
            CockroachMap::of_claim(&rules, matcher.as_ref(), issuer, &principals, false)
        }
        Some(other) => CockroachMap::new(&rules, matcher.as_ref(), issuer, &[go_sprint(other)], false),
    };
    let mut out = Map::new();
    out.insert("ok".into(), Value::Bool(true));
    if let Value::Object(fields) = result.to_json() {
        out.extend(fields);
    }
    Ok(Value::Object(out))
}

/// A JSON claim element as Go's `fmt.Sprint` prints it: the SSO simulator's formatting, so
/// `jwt_users` and `identmap sso` agree by construction.
pub use identmap_sso::go_sprint;
