//! `identmap lint --format sarif` against the official SARIF 2.1.0 JSON schema
//! (`testdata/sarif/sarif-schema-2.1.0.json`, validated with formats on), plus what GitHub code
//! scanning relies on beyond the schema: rule descriptors for every rule, `ruleIndex` pointing
//! at the right descriptor, relative URIs, 1-based regions.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

const SCHEMA: &str = include_str!("../../../testdata/sarif/sarif-schema-2.1.0.json");

fn sarif(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_identmap"))
        .arg("lint")
        .args(["--format", "sarif"])
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .stdin(Stdio::null())
        .output()
        .expect("identmap runs");
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("SARIF is JSON")
}

/// The official schema's `language` patterns (of `run` and `toolComponent`) have a stray `]`,
/// a literal in ECMA-262's non-unicode mode but an error for the strict `regex` format check of
/// the schema itself. Escaping it keeps the same language; everything else is as published.
const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";

fn escape_stray_brackets(v: &mut Value) -> usize {
    match v {
        Value::Object(m) => m
            .iter_mut()
            .map(|(k, v)| {
                if k == "pattern" && v == STRAY {
                    *v = Value::from(STRAY.replace("]?", "\\]?"));
                    1
                } else {
                    escape_stray_brackets(v)
                }
            })
            .sum(),
        Value::Array(a) => a.iter_mut().map(escape_stray_brackets).sum(),
        _ => 0,
    }
}

fn validator() -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    assert_eq!(escape_stray_brackets(&mut schema), 2, "run.language and toolComponent.language");
    // Formats are asserted: `uri`, `uri-reference`, `date-time`, …
    jsonschema::draft7::options().should_validate_formats(true).build(&schema).expect("the schema compiles")
}

fn errors(v: &jsonschema::Validator, log: &Value) -> Vec<String> {
    v.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

const INPUTS: [&str; 5] = [
    "testdata/lint/mistakes.map",
    "testdata/lint/clean.map",
    "testdata/lint/suppressed.map",
    "examples/cockroach-docs.sql",
    "examples/pg_ident.conf",
];

#[test]
fn every_output_is_valid_sarif_2_1_0() {
    let v = validator();
    for file in INPUTS {
        let log = sarif(&[file]);
        assert_eq!(errors(&v, &log), Vec::<String>::new(), "{file}");
    }
    let all = sarif(&INPUTS);
    assert_eq!(errors(&v, &all), Vec::<String>::new(), "all inputs at once");
}

#[test]
fn the_validator_rejects_broken_logs() {
    // The check above can fail: a wrong level, a missing message and a zero line are all caught.
    let v = validator();
    let good = sarif(&["testdata/lint/mistakes.map"]);
    let mut bad = good.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!errors(&v, &bad).is_empty());
    let mut bad = good.clone();
    bad["runs"][0]["results"][0].as_object_mut().expect("result").remove("message");
    assert!(!errors(&v, &bad).is_empty());
    let mut bad = good;
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(0);
    assert!(!errors(&v, &bad).is_empty());
}

#[test]
fn descriptors_and_results_are_what_code_scanning_needs() {
    let log = sarif(&INPUTS);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "identmap");
    let rules = driver["rules"].as_array().expect("rules");
    let registry = identmap_lint::rules();
    assert_eq!(rules.len(), registry.len(), "a descriptor for every rule");
    for (d, info) in rules.iter().zip(registry) {
        assert_eq!(d["id"], info.code);
        assert_eq!(d["name"], info.name);
        assert_eq!(d["shortDescription"]["text"], info.summary);
        assert!(d["fullDescription"]["text"].as_str().is_some_and(|t| t.contains(info.summary)));
        assert!(d["help"]["text"].as_str().is_some_and(|t| !t.is_empty()), "{d}");
        assert!(
            d["help"]["markdown"].as_str().is_some_and(|t| t.starts_with(&format!("# {}", info.code))),
            "{d}"
        );
        assert!(
            d["helpUri"].as_str().is_some_and(|u| u.ends_with(&format!("docs/rules/{}.md", info.code))),
            "{d}"
        );
        let level = d["defaultConfiguration"]["level"].as_str().expect("level");
        let want = match info.default_severity {
            identmap_lint::Severity::Error => "error",
            identmap_lint::Severity::Warning => "warning",
            identmap_lint::Severity::Info => "note",
        };
        assert_eq!(level, want, "{d}");
    }
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let idx = usize::try_from(r["ruleIndex"].as_u64().expect("ruleIndex")).expect("index");
        assert_eq!(rules[idx]["id"], r["ruleId"], "{r}");
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().expect("level")), "{r}");
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(INPUTS.contains(&uri) || uri.starts_with("examples/"), "relative uri: {uri}");
        let region = &loc["region"];
        let (sl, el) =
            (region["startLine"].as_u64().expect("line"), region["endLine"].as_u64().expect("line"));
        let (sc, ec) =
            (region["startColumn"].as_u64().expect("col"), region["endColumn"].as_u64().expect("col"));
        assert!(sl >= 1 && sc >= 1 && (el > sl || (el == sl && ec >= sc)), "{region}");
    }
    // the unanchored `/bob` on line 2 of mistakes.map, columns 29..33
    let im201 = results
        .iter()
        .find(|r| {
            r["ruleId"] == "IM201"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "testdata/lint/mistakes.map"
        })
        .expect("IM201 result");
    let region = &im201["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(2), Some(29)),
        "{region}"
    );
    assert_eq!((region["endLine"].as_u64(), region["endColumn"].as_u64()), (Some(2), Some(33)), "{region}");
}
