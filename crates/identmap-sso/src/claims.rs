//! From a claim to principals, and from principals to candidate users (`cockroach.md` §8).

use identmap::sso::Claim;
use identmap::Matcher;
use serde_json::{Map, Value};

/// Why the configured claim gives no principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ClaimProblem {
    /// The claim is not in the token (CockroachDB: `missing claim`).
    Missing,
    /// The claim is an empty array: no principal at all.
    EmptyArray,
}

/// The principals of a token: the subject (`sub`, `""` when absent, as CockroachDB's
/// `Subject()` gives), or the configured claim by name or JSON Pointer, formatted by
/// [`principals_of`].
pub(crate) fn principals(claims: &Map<String, Value>, claim: &Claim) -> Result<Vec<String>, ClaimProblem> {
    if *claim == Claim::Subject {
        return Ok(vec![claims.get("sub").and_then(Value::as_str).unwrap_or("").to_owned()]);
    }
    let value = claim_value(claims, claim).ok_or(ClaimProblem::Missing)?;
    let out = principals_of(value);
    if out.is_empty() {
        return Err(ClaimProblem::EmptyArray);
    }
    Ok(out)
}

/// The configured claim's value, when the token has it.
pub(crate) fn claim_value<'a>(claims: &'a Map<String, Value>, claim: &Claim) -> Option<&'a Value> {
    match claim {
        Claim::Subject => claims.get("sub"),
        Claim::Name(name) => claims.get(name.as_str()),
        Claim::Pointer(p) => pointer(claims, p),
    }
}

/// RFC 6901 JSON Pointer into the claims object (serde_json's `pointer`).
fn pointer<'a>(claims: &'a Map<String, Value>, p: &str) -> Option<&'a Value> {
    // `pointer` is defined on `Value`; walk the first token here to avoid cloning the object.
    let rest = p.strip_prefix('/')?;
    let (first, tail) = rest.split_once('/').map_or((rest, None), |(a, b)| (a, Some(b)));
    let first = first.replace("~1", "/").replace("~0", "~");
    let v = claims.get(&first)?;
    match tail {
        None => Some(v),
        Some(t) => v.pointer(&format!("/{t}")),
    }
}

/// The principals CockroachDB takes from one claim value: a string is one principal; an array
/// gives one per element, each formatted with Go's `fmt.Sprint`; any other value is
/// `fmt.Sprint`'d as one principal (`cockroach.md` §8).
///
/// ```
/// use serde_json::json;
/// use identmap_sso::principals_of;
/// assert_eq!(principals_of(&json!("Carl@Example.com")), ["Carl@Example.com"]);
/// assert_eq!(principals_of(&json!(["a", 1, true, 1e6])), ["a", "1", "true", "1e+06"]);
/// assert_eq!(principals_of(&json!({"b": 2, "a": "x"})), ["map[a:x b:2]"]);
/// assert!(principals_of(&json!([])).is_empty());
/// ```
#[must_use]
pub fn principals_of(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().map(go_sprint).collect(),
        other => vec![go_sprint(other)],
    }
}

/// The JWT candidate list of principals under `issuer` (`cockroach.md` §8): each principal's
/// mapped users, or the principal itself, normalized, when no rule names the issuer;
/// concatenated with no de-duplication across principals. The decision computes its
/// candidates with exactly this function.
///
/// ```
/// use identmap::cockroach::{Options, Ruleset};
/// use identmap::Matcher;
/// use identmap_sso::{candidates, principals_of};
///
/// let rules = Ruleset::parse("https://idp /^(.*)@example\\.com$ \\1", Options::default())?;
/// let matcher = Matcher::new(&rules)?;
/// let p = principals_of(&serde_json::json!(["Carl@Example.com", "x@other.org"]));
/// assert_eq!(candidates(&matcher, "https://idp", &p), ["carl"]);
/// assert_eq!(candidates(&matcher, "https://other", &p), ["carl@example.com", "x@other.org"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn candidates(matcher: &Matcher, issuer: &str, principals: &[String]) -> Vec<String> {
    matcher.jwt_candidates(issuer, principals)
}

/// A JSON value as Go's `fmt.Sprint` prints what `encoding/json` decoded it to: numbers are
/// `float64` (`%v`: shortest digits, exponent form from 1e21 and below 1e-4, and from 1e6 when
/// the shortest form has an exponent ≥ 6), `true`/`false`, `<nil>`, arrays `[a b]`, objects
/// `map[k:v …]` with sorted keys.
///
/// ```
/// use serde_json::json;
/// use identmap_sso::go_sprint;
/// assert_eq!(go_sprint(&json!(1_000_000)), "1e+06");
/// assert_eq!(go_sprint(&json!(999_999)), "999999");
/// assert_eq!(go_sprint(&json!(null)), "<nil>");
/// assert_eq!(go_sprint(&json!([1, [2, "a"]])), "[1 [2 a]]");
/// ```
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
    use super::*;
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

    #[test]
    fn claim_by_name_pointer_and_subject() {
        let c = json!({"sub": "s", "email": "e@x", "k8s.io": {"sa/name": ["a", 2]}, "empty": []});
        let c = c.as_object().cloned().unwrap_or_default();
        assert_eq!(principals(&c, &Claim::Subject), Ok(vec!["s".to_owned()]));
        assert_eq!(principals(&c, &Claim::Name("email".into())), Ok(vec!["e@x".to_owned()]));
        assert_eq!(
            principals(&c, &Claim::Pointer("/k8s.io/sa~1name".into())),
            Ok(vec!["a".to_owned(), "2".to_owned()])
        );
        assert_eq!(principals(&c, &Claim::Pointer("/k8s.io/none".into())), Err(ClaimProblem::Missing));
        assert_eq!(principals(&c, &Claim::Name("upn".into())), Err(ClaimProblem::Missing));
        assert_eq!(principals(&c, &Claim::Name("empty".into())), Err(ClaimProblem::EmptyArray));
        let no_sub = Map::new();
        assert_eq!(principals(&no_sub, &Claim::Subject), Ok(vec![String::new()]));
    }
}
