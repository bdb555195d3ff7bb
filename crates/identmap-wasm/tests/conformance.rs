//! The WebAssembly build answers the recorded conformance cases exactly as the CLI does: a sample
//! of every corpus, pushed through the same JSON calls the playground's worker makes.
//!
//! Run under Node by `wasm-bindgen-test-runner` (`scripts/test` sets it as the wasm32 runner);
//! on the host the same tests run natively.

use identmap_wasm::Playground;
use serde_json::{json, Value};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

const COCKROACH: &str = include_str!("../../../testdata/conformance/cockroach.jsonl");
const COCKROACH_REGEX: &str = include_str!("../../../testdata/conformance/cockroach-regex.jsonl");
const POSTGRES: &str = include_str!("../../../testdata/conformance/postgres.jsonl");
const PG_UNSUPPORTED: &str = include_str!("../../../testdata/postgres-unsupported.txt");

fn records(text: &str) -> impl Iterator<Item = Value> + '_ {
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).expect("a JSON record"))
}

fn call(answer: &str) -> Value {
    serde_json::from_str(answer).expect("the engine answers JSON")
}

/// One cockroach record in one case mode; `None` when it agrees, else what differs.
fn cockroach_case(p: &mut Playground, r: &Value, case: &str, expect: &Value) -> Option<String> {
    let loaded =
        call(&p.load(&json!({"dialect": "cockroach", "case": case, "rules": r["config"]}).to_string()));
    if expect["ok"] == false {
        return (loaded["accepted"] != false || loaded["error"] != expect["error"])
            .then(|| format!("expected the error {}, load said {loaded}", expect["error"]));
    }
    if loaded["accepted"] != true {
        return Some(format!("expected the map accepted, load said {loaded}"));
    }
    let identities: Vec<String> = match &r["identity"] {
        Value::Null => vec![String::new()],
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(identmap_sso::go_sprint).collect(),
        other => vec![identmap_sso::go_sprint(other)],
    };
    let got =
        call(&p.map(&json!({"issuer": r["issuer"], "identities": identities, "explain": true}).to_string()));
    for field in ["users", "map_found", "jwt_users", "hba_error"] {
        if expect.get(field).is_some() && got[field] != expect[field] {
            return Some(format!("{field}: expected {}, got {}", expect[field], got[field]));
        }
    }
    // The trace agrees with the answer: every added user comes from a matched rule.
    let trace = got["trace"].as_array().map_or(0, Vec::len);
    let rules = loaded["rules"].as_u64().unwrap_or(0);
    (got["users"].as_array().is_some_and(|u| !u.is_empty()) && trace == 0 && rules > 0)
        .then(|| format!("users without a trace: {got}"))
}

fn cockroach_sample(corpus: &str, every: usize) -> (usize, Vec<String>) {
    let mut p = Playground::new();
    let mut failures = Vec::new();
    let mut n = 0;
    for r in records(corpus).step_by(every) {
        for (case, key) in [("insensitive", "expect_ci"), ("sensitive", "expect_cs")] {
            n += 1;
            if let Some(why) = cockroach_case(&mut p, &r, case, &r[key]) {
                failures.push(format!("{} [{case}] {}: {why}", r["note"], r["config"]));
            }
        }
    }
    (n, failures)
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cockroach_records_agree() {
    let (n, failures) = cockroach_sample(COCKROACH, 1);
    assert!(n >= 500, "{n} cases");
    assert!(failures.is_empty(), "{} of {n} differ:\n{}", failures.len(), failures.join("\n"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cockroach_regex_records_agree() {
    let (n, failures) = cockroach_sample(COCKROACH_REGEX, 4);
    assert!(n >= 500, "{n} cases");
    assert!(failures.is_empty(), "{} of {n} differ:\n{}", failures.len(), failures.join("\n"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn postgres_records_agree() {
    let unsupported: Vec<&str> =
        PG_UNSUPPORTED.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split(':').next()).collect();
    let mut p = Playground::new();
    let mut failures = Vec::new();
    let (mut n, mut parse_cases) = (0, 0);
    for r in records(POSTGRES).step_by(2) {
        let files = r.get("files").cloned().unwrap_or_else(|| json!({}));
        let roles = r.get("roles").map(Value::to_string);
        let request = json!({
            "dialect": "postgres", "pg_version": r["version"], "rules": r["config"], "files": files, "roles": roles,
        });
        let loaded = call(&p.load(&request.to_string()));
        n += 1;
        if r["kind"] == "parse" {
            parse_cases += 1;
            let expect_error = r["expect"].get("parse_error").is_some();
            if loaded["accepted"] != Value::Bool(!expect_error) {
                failures.push(format!(
                    "{} v{}: expected {}, load said {loaded}",
                    r["id"], r["version"], r["expect"]
                ));
            }
            continue;
        }
        let got = call(
            &p.map(
                &json!({
                    "map": r["map"], "system_user": r["system_user"], "db_user": r["db_user"],
                    "case_insensitive": r["case_insensitive"], "explain": true,
                })
                .to_string(),
            ),
        );
        let key = format!(
            "{} {} {} {}",
            r["version"],
            r["id"].as_str().unwrap_or(""),
            r["system_user"].as_str().unwrap_or(""),
            r["db_user"].as_str().unwrap_or("")
        );
        let ok = if got["decision"] == "unsupported" {
            unsupported.contains(&key.as_str())
        } else {
            got["decision"] == r["expect"]
        };
        if !ok {
            failures.push(format!("{key}: expected {}, got {got}", r["expect"]));
        }
    }
    assert!(n >= 500 && parse_cases >= 100, "{n} cases, {parse_cases} parse cases");
    assert!(failures.is_empty(), "{} of {n} differ:\n{}", failures.len(), failures.join("\n"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn bad_requests_are_errors_not_panics() {
    let mut p = Playground::new();
    assert!(call(&p.map("{}"))["error"].as_str().is_some_and(|e| e.contains("nothing is loaded")));
    for bad in [
        "",
        "[]",
        "{",
        "{\"rules\": 3}",
        "{\"rules\": \"\", \"dialect\": \"oracle\"}",
        "{\"rules\": \"\", \"dialect\": \"postgres\", \"pg_version\": 14}",
    ] {
        assert!(call(&p.load(bad))["error"].is_string(), "{bad}");
    }
    assert!(call(&p.load(r#"{"rules": "m /(x \\1"}"#))["accepted"] == false);
    assert!(call(&p.map(r#"{"issuer": "m", "identities": ["x"]}"#))["error"].is_string());
    assert!(call(&identmap_wasm::decode_token("a.b"))["error"].is_string());
    // A failed load leaves nothing loaded: no answer from the map before it.
    assert_eq!(call(&p.load(r#"{"rules": "idp alice bob"}"#))["accepted"], true);
    assert!(call(&p.load(r#"{"rules": "idp alice carol", "dialect": "x"}"#))["error"].is_string());
    assert!(call(&p.map(r#"{"issuer": "idp", "identities": ["alice"]}"#))["error"].is_string());
    // Wrong types are errors, never a silent default.
    assert!(call(&p.load(r#"{"rules": "", "dialect": "postgres", "pg_version": "15"}"#))["error"].is_string());
    assert_eq!(call(&p.load(r#"{"rules": "idp alice bob"}"#))["accepted"], true);
    for bad in [r#"{"now": 1.5}"#, r#"{"now": 1, "verify": "false"}"#, r#"{"now": 1, "skew": "60"}"#] {
        assert!(call(&p.sso(bad))["error"].is_string(), "{bad}");
    }
    assert!(call(&p.sso(r#"{"token": "x"}"#))["error"].is_string(), "now is required");
}

/// The README's Google example, signed with the TEST-ONLY RSA key, through the same calls the page
/// makes: allowed as carl; the reserved user root and a wrong JWK set are denied at their steps.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn signed_token_is_allowed_then_denied_at_its_step() {
    const SETTINGS: &str = include_str!("../../../testdata/sso/google.sql");
    const TOKEN: &str = include_str!("../../../testdata/sso/google.token");
    const JWKS: &str = include_str!("../../../testdata/sso/keys/jwks.json");
    let now = 1_795_694_400; // 2026-11-25T12:00:00Z, inside the token's validity
    let mut p = Playground::new();
    let map = "https://accounts.google.com /^(.*)@example\\.com$ \\1\n";
    let loaded = call(&p.load(&json!({"rules": map, "settings": SETTINGS}).to_string()));
    assert_eq!(loaded["settings"]["identity_map"], "https://accounts.google.com /^(.*)@example\\.com$ \\1");
    let ask = |user: &str, jwks: &str| {
        call(&p.sso(&json!({"token": TOKEN.trim(), "jwks": jwks, "user": user, "now": now}).to_string()))
    };
    let d = ask("carl", JWKS);
    assert_eq!(
        (d["allowed"].clone(), d["user"].clone(), d["verified"].clone()),
        (json!(true), json!("carl"), json!(true)),
        "{d}"
    );
    let row = &d["trace"][0];
    assert_eq!(
        (row["outcome_text"].clone(), row["ranges"][1].clone()),
        (json!("matched -> carl"), json!({"from": 0, "to": 4})),
        "{d}"
    );
    let d = ask("root", JWKS);
    assert_eq!((d["allowed"].clone(), d["failed_step"].clone()), (json!(false), json!("reserved")), "{d}");
    let d = ask("carl", r#"{"keys": []}"#);
    assert_eq!((d["allowed"].clone(), d["failed_step"].clone()), (json!(false), json!("signature")), "{d}");
    // The claim can be chosen per request, by name or JSON Pointer.
    let d =
        call(&p.sso(&json!({"token": TOKEN.trim(), "jwks": JWKS, "now": now, "claim": "/sub"}).to_string()));
    assert_eq!(d["principals"], json!(["110248495921238986420"]), "{d}");
    let decoded = call(&identmap_wasm::decode_token(TOKEN.trim()));
    assert_eq!(decoded["claims"]["email"], "Carl@Example.com");
}

/// Trace rows carry what the page highlights: the UTF-16 ranges of the match and its captures in
/// the identity (an astral character counts two), and the CLI's words for the outcome.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn trace_rows_have_ranges_and_outcome_text() {
    let mut p = Playground::new();
    let loaded = call(&p.load(r#"{"rules": "idp /^(.*)@corp\\.com$ \\1\nidp x y\n"}"#));
    assert_eq!(
        (loaded["rules"].clone(), loaded["map_names"].clone()),
        (json!(2), json!(["idp"])),
        "{loaded}"
    );
    let got = call(&p.map(r#"{"issuer": "idp", "identities": ["\ud83d\ude00b@corp.com"], "explain": true}"#));
    let row = &got["trace"][0];
    assert_eq!(row["ranges"], json!([{"from": 0, "to": 12}, {"from": 0, "to": 3}]), "{got}");
    assert_eq!(row["outcome_text"], "matched -> \u{1f600}b", "{got}");
    assert_eq!(got["trace"][1]["outcome_text"], "no match");
    assert_eq!(
        (row["rule_range"].clone(), row["pattern_range"].clone(), row["user_range"].clone()),
        (json!({"from": 0, "to": 24}), json!({"from": 4, "to": 21}), json!({"from": 22, "to": 24})),
        "{got}"
    );
    assert_eq!(got["trace"][1]["user_range"], json!({"from": 31, "to": 32}), "{got}");
    assert_eq!(row["substitution_range"], json!({"from": 22, "to": 24}), "{got}");
    assert_eq!(got["trace"][1]["substitution_range"], Value::Null, "{got}");
}

/// Postgres trace rows have the cockroach rows' fields: the page renders one trace table.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn postgres_trace_rows_have_the_same_fields() {
    let mut p = Playground::new();
    let rules = "# certs\nm /^(.*)@corp$ \\1\ninclude more.conf\n";
    let request = json!({"dialect": "postgres", "rules": rules, "files": {"more.conf": "m bob carol\n"}});
    let loaded = call(&p.load(&request.to_string()));
    assert_eq!(loaded["map_names"], json!(["m"]), "{loaded}");
    let got = call(&p.map(r#"{"map": "m", "system_user": "bob@corp", "db_user": "carol", "explain": true}"#));
    let row = &got["trace"][0];
    assert_eq!(
        (row["rule"].clone(), row["matched"].clone(), row["main"].clone(), row["identity"].clone()),
        (json!("m /^(.*)@corp$ \\1"), json!(true), json!(true), json!("bob@corp")),
        "{got}"
    );
    assert_eq!(row["rule_range"], json!({"from": 8, "to": 25}), "{got}");
    assert_eq!(row["ranges"][1], json!({"from": 0, "to": 3}), "{got}");
    let other = &got["trace"][1];
    assert_eq!((other["main"].clone(), other["rule"].clone()), (json!(false), json!("m bob carol")), "{got}");
    assert_eq!(other["rule_range"], Value::Null);
    assert_eq!(got["decision"], "deny", "{got}");
}

/// A pattern nested deeper than the playground's limit (a browser's stack is small) is identmap's
/// refusal, said as such, in the load, the lint, the map and the SSO answers: never a stack
/// overflow, never "CockroachDB rejects".
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn deep_nesting_is_identmaps_limit_not_cockroachs() {
    let mut p = Playground::new();
    let deep = format!("idp /^{}a{}$ u\nidp bob bob\n", "(?:".repeat(900), ")*".repeat(900));
    for _ in 0..3 {
        let loaded = call(&p.load(&json!({"rules": deep, "case": "sensitive"}).to_string()));
        assert_eq!(
            (loaded["accepted"].clone(), loaded["answered"].clone()),
            (json!(true), json!(false)),
            "{loaded}"
        );
        let verdict = loaded["verdict"].as_str().unwrap_or_default();
        assert!(verdict.starts_with("identmap cannot evaluate this config: line 1:"), "{loaded}");
        assert!(verdict.ends_with("(CockroachDB accepts it)"), "{loaded}");
        let lint = call(&p.lint());
        assert_eq!(lint["diagnostics"][0]["code"], "IM102", "{lint}");
        let got = call(&p.map(r#"{"issuer": "idp", "identities": ["bob"]}"#));
        assert_eq!(got["error"].as_str(), Some(verdict), "{got}");
        let d = call(&p.sso(r#"{"token": "x.y.z", "now": 1, "verify": false}"#));
        assert_eq!(d["allowed"], false, "{d}");
    }
    // Within the limit, the same shape loads and answers.
    let ok = format!("idp /^{}a{}$ u\n", "(?:".repeat(40), ")*".repeat(40));
    let loaded = call(&p.load(&json!({"rules": ok}).to_string()));
    assert_eq!(
        (loaded["answered"].clone(), loaded["verdict"].clone()),
        (json!(true), json!("CockroachDB accepts this map"))
    );
    assert_eq!(call(&p.map(r#"{"issuer": "idp", "identities": ["aaa"]}"#))["users"], json!(["u"]));
}
