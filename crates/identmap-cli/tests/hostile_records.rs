//! `identmap eval` on hostile records: wrong field types, missing fields, huge strings, deep
//! nesting. Every record gets a JSON object back, and none panics.

use identmap_cli::eval::{eval_line, eval_record};
use serde_json::{json, Value};

fn is_failure(v: &Value) -> bool {
    v["ok"] == false && v["error"].is_string()
}

#[test]
fn wrong_types_and_missing_fields_are_errors() {
    let pg = |extra: Value| {
        let mut r = json!({"dialect": "postgres", "version": 16, "kind": "match", "config": "m a b\n",
            "map": "m", "system_user": "a", "db_user": "b", "auth": "cert"});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let bad = [
        json!({}),
        json!([]),
        json!(1),
        json!(null),
        json!("cockroach"),
        json!({"dialect": 1}),
        json!({"dialect": "sqlite"}),
        json!({"dialect": "cockroach"}),
        json!({"dialect": "cockroach", "config": 1}),
        json!({"dialect": "cockroach", "config": "m a u", "issuer": 5}),
        json!({"dialect": "cockroach", "config": "m a u", "case": 3}),
        json!({"dialect": "cockroach", "config": "m a u", "case": "upper"}),
        json!({"dialect": "postgres"}),
        json!({"dialect": "postgres", "version": "16", "kind": "parse", "config": ""}),
        json!({"dialect": "postgres", "version": 16.5, "kind": "parse", "config": ""}),
        json!({"dialect": "postgres", "version": -1, "kind": "parse", "config": ""}),
        json!({"dialect": "postgres", "version": 14, "kind": "parse", "config": ""}),
        json!({"dialect": "postgres", "version": 16, "kind": "parse", "config": "", "files": [1]}),
        json!({"dialect": "postgres", "version": 16, "kind": "parse", "config": "", "files": {"a": 3}}),
        json!({"dialect": "postgres", "version": 16, "kind": "other", "config": ""}),
        json!({"dialect": "postgres", "version": 16, "kind": 1, "config": ""}),
        pg(json!({"map": null})),
        pg(json!({"system_user": 1})),
        pg(json!({"db_user": ["b"]})),
        pg(json!({"auth": "kerberos"})),
        pg(json!({"case_insensitive": "yes"})),
        pg(json!({"roles": []})),
        pg(json!({"roles": {"a": "b"}})),
        pg(json!({"roles": {"a": [1]}})),
    ];
    for r in bad {
        let got = eval_record(&r);
        assert!(is_failure(&got), "{r} gave {got}");
    }
    assert!(is_failure(&eval_line("{not json")));
    assert!(is_failure(&eval_line("")));
}

#[test]
fn odd_but_valid_records_answer() {
    let claims = json!([1e308, -0.0, null, {"a": {"b": [true, {"c": null}]}}, [[[]]], "", u64::MAX]);
    let got = eval_record(&json!({"dialect": "cockroach", "config": "m /(.*) \\1", "issuer": "m",
        "identity": claims}));
    assert_eq!(got["ok"], true, "{got}");
    assert_eq!(got["users"].as_array().map(Vec::len), Some(6), "{got}");
    let got =
        eval_record(&json!({"dialect": "cockroach", "config": "m / u", "issuer": "m", "identity": {"x": 1}}));
    assert_eq!(got["users"], json!(["u"]));
}

#[test]
fn huge_and_deep_inputs_do_not_panic() {
    let long = "é".repeat(5_000);
    let deep_groups = format!("m /{}a{} u", "(".repeat(3000), ")".repeat(3000));
    let deep_noncap = format!("m /{}a{} u", "(?:".repeat(3000), ")".repeat(3000));
    let configs = [
        format!("m /(.*) \\1\nm x {long}"),
        format!("m {long} u"),
        deep_groups.clone(),
        deep_noncap,
        "m /((((a{10}){10}){10}))+ x".to_string(),
        format!("m /{} x", "[[".repeat(20_000)),
        format!("m /{} x", "\\Q".repeat(2_000)),
        format!("m /{} x", "a{1000}".repeat(10)),
    ];
    for config in &configs {
        for case in ["insensitive", "sensitive"] {
            let r = json!({"dialect": "cockroach", "config": config, "issuer": "m", "identity": long, "case": case});
            let got = eval_record(&r);
            assert!(got.is_object() && got.get("ok").is_some(), "{got}");
        }
    }
    let pg_configs = [
        format!("m {long} x\n"),
        format!("m \"/{}\" x\n", "(".repeat(5000)),
        format!("m \"/{}\" x\n", "(a{255})".repeat(20)),
        format!("m \"/(a{{255}}){{255}}\" x\n{}", "\\\n".repeat(10_000)),
        format!("{}m a b", "include pg_ident.conf\n".repeat(2)),
        "m @pg_ident.conf x\n".to_string(),
        format!("m \"{}", "\"\"".repeat(50_000)),
        deep_groups,
    ];
    for config in &pg_configs {
        for version in [15, 16, 18] {
            for kind in ["parse", "match"] {
                let r = json!({"dialect": "postgres", "version": version, "kind": kind, "config": config,
                    "map": "m", "system_user": long, "db_user": long, "auth": "peer", "roles": {}});
                let got = eval_record(&r);
                assert!(got.is_object(), "{got}");
                assert!(
                    got.get("parsed").is_some() || got.get("decision").is_some() || is_failure(&got),
                    "{got}"
                );
            }
        }
    }
}
