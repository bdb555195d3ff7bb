//! The SSO decision's candidate computation (`identmap_sso::principals_of` then
//! `identmap_sso::candidates`, exactly what `decide` runs) equals the recorded `jwt_users` of
//! every conformance record that has them, in both case modes.

use identmap::cockroach::{CaseMode, Options, Ruleset};
use identmap::Matcher;
use identmap_sso::{candidates, principals_of};
use serde_json::Value;

const CORPORA: [(&str, &str); 2] = [
    ("cockroach.jsonl", include_str!("../../../testdata/conformance/cockroach.jsonl")),
    ("cockroach-regex.jsonl", include_str!("../../../testdata/conformance/cockroach-regex.jsonl")),
];

#[test]
fn candidates_equal_recorded_jwt_users() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, text) in CORPORA {
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let rec: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}:{}: {e}", n + 1));
            for (field, case) in [("expect_ci", CaseMode::Insensitive), ("expect_cs", CaseMode::Sensitive)] {
                let Some(want) = rec.get(field).and_then(|e| e.get("jwt_users")) else { continue };
                let config = rec["config"].as_str().unwrap_or_default();
                let issuer = rec["issuer"].as_str().unwrap_or_default();
                let Ok(rules) = Ruleset::parse(config, Options::new().case(case)) else {
                    failures.push(format!("{name}:{}: {field}: the config does not parse", n + 1));
                    continue;
                };
                let Ok(matcher) = Matcher::new(&rules) else {
                    failures.push(format!("{name}:{}: {field}: the matcher does not build", n + 1));
                    continue;
                };
                // A string identity is one claim value; an array is an array claim; none is "".
                let claim = rec.get("identity").cloned().unwrap_or(Value::String(String::new()));
                let principals = principals_of(&claim);
                let got = candidates(&matcher, issuer, &principals);
                if serde_json::to_value(&got).ok().as_ref() != Some(want) {
                    failures.push(format!("{name}:{}: {field}: got {got:?}, recorded {want}", n + 1));
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} differ:\n{}", failures.len(), failures.join("\n"));
    // Every expectation with jwt_users was compared: 2,018 in today's corpus (both case modes).
    assert!(checked >= 2018, "only {checked} expectations compared");
}
