//! Cockroach records (`"dialect":"cockroach"`).

use identmap::cockroach::{CaseMode, Options, Ruleset};
use identmap::Matcher;
use serde_json::{json, Map, Value};

/// Which evaluator answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// The compiled [`Matcher`] (the default).
    #[default]
    Matcher,
    /// The reference evaluator: the plain per-rule loop.
    Reference,
}

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

/// A JSON claim element as Go's `fmt.Sprint` prints the value `encoding/json` decoded it to.
#[must_use]
pub fn go_sprint(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "<nil>".to_string(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), go_float),
        Value::Array(items) => format!("[{}]", items.iter().map(go_sprint).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            // Go prints a map[string]interface{} with sorted keys: map[a:1 b:2].
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> =
                keys.iter().map(|k| format!("{k}:{}", go_sprint(&m[k.as_str()]))).collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// Go's `%v` for a float64: `strconv.FormatFloat(f, 'g', -1, 64)`, the shortest round-trip digits,
/// in exponent form when the decimal exponent is < -4 or >= 6 (`ftoa.go`: "if precision was the
/// shortest possible, use precision 6 for this decision"), so `1e6` prints `1e+06`.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // Rust's `{:e}` gives the same shortest round-trip digits as Go, with the exact exponent.
    let sci = format!("{f:e}");
    let Some((mant, e)) = sci.split_once('e') else {
        return sci;
    };
    let exp: i32 = e.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        let s = format!("{f}");
        s.strip_suffix(".0").map_or(s.clone(), str::to_string)
    } else {
        let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
        format!("{mant}e{sign}{digits:0>2}")
    }
}

#[cfg(test)]
mod tests {
    use super::go_sprint;
    use serde_json::json;

    #[test]
    fn sprint_like_go() {
        assert_eq!(go_sprint(&json!(1)), "1");
        assert_eq!(go_sprint(&json!(1.5)), "1.5");
        assert_eq!(go_sprint(&json!(true)), "true");
        assert_eq!(go_sprint(&json!(1e21)), "1e+21");
        assert_eq!(go_sprint(&json!(1e20)), "1e+20");
        assert_eq!(go_sprint(&json!(1_000_000)), "1e+06");
        assert_eq!(go_sprint(&json!(999_999)), "999999");
        assert_eq!(go_sprint(&json!(1_234_567)), "1.234567e+06");
        assert_eq!(go_sprint(&json!(0.0001)), "0.0001");
        assert_eq!(go_sprint(&json!(-2_500_000.5)), "-2.5000005e+06");
        assert_eq!(go_sprint(&json!(12_345_678_901_234_567_890_u64)), "1.2345678901234567e+19");
        assert_eq!(go_sprint(&json!(0.00001)), "1e-05");
        assert_eq!(go_sprint(&json!(-3)), "-3");
    }
}
