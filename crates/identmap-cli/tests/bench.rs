//! `identmap bench` on a tiny map: the JSON has every field with sane values, and bad input is a
//! clear error (exit 2) with its location.

use std::path::PathBuf;
use std::process::Command;

const MAP: &str = "\
https://idp.example.com /^(.*)@corp1\\.example\\.com$ \\1
https://idp.example.com carl@example.com carl
https://idp.example.com /^svc-([a-z0-9]+)$ svc_\\1
https://other.example.com /^([0-9]+)$ n\\1
";

const LOOKUPS: &str = "\
https://idp.example.com ann@corp1.example.com
https://idp.example.com Carl@Example.com
https://idp.example.com svc-backup
https://idp.example.com nobody@nowhere.example
https://other.example.com 12345
https://unknown.example.com carl@example.com
";

/// A fresh directory for one test's files.
fn dir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("identmap-bench-test-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

fn identmap(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_identmap")).args(args).output().expect("run identmap")
}

#[test]
fn json_has_the_fields() {
    let d = dir("json");
    let (map, lookups) = (d.join("map.txt"), d.join("lookups.txt"));
    std::fs::write(&map, MAP).expect("write map");
    std::fs::write(&lookups, LOOKUPS).expect("write lookups");
    let out = identmap(&["bench", map.to_str().unwrap(), lookups.to_str().unwrap(), "--format", "json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    assert_eq!(v["rules"], 4);
    assert_eq!(v["lookups"], 6);
    for f in
        ["build_ms", "heap_mb", "matcher_ns", "reference_ns", "floor_ns", "reference_ratio", "floor_ratio"]
    {
        let x = v[f].as_f64().unwrap_or_else(|| panic!("{f} is not a number: {v}"));
        assert!(x.is_finite() && x >= 0.0, "{f} = {x}");
    }
    for f in ["matcher_ns", "reference_ns", "floor_ns"] {
        assert!(v[f].as_f64().unwrap() > 0.0, "{f}: {v}");
    }
    assert!(v["heap_mb"].as_f64().unwrap() > 0.0, "the matcher takes some heap: {v}");
    assert!(v["heap_mb"].as_f64().unwrap() < 10.0, "a tiny map takes little heap: {v}");
    assert_eq!(v["mismatch_count"], 0);
    // ann, carl, svc_backup, n12345: four of six lookups map to a user.
    assert!((v["hit_rate"].as_f64().unwrap() - 4.0 / 6.0).abs() < 1e-3, "{v}");
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn no_reference_and_text() {
    let d = dir("noref");
    let (map, lookups) = (d.join("map.txt"), d.join("lookups.txt"));
    std::fs::write(&map, MAP).expect("write map");
    std::fs::write(&lookups, LOOKUPS).expect("write lookups");
    let (m, l) = (map.to_str().unwrap(), lookups.to_str().unwrap());
    let out = identmap(&["bench", m, l, "--format", "json", "--no-reference", "--case-sensitive"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(v["reference_ns"].is_null() && v["reference_ratio"].is_null(), "{v}");
    assert_eq!(v["checked"], 0, "--no-reference skips the check too: {v}");
    assert!(v["matcher_ns"].as_f64().unwrap() > 0.0);
    let out = identmap(&["bench", m, l]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ns per lookup") && text.contains("rules             4"), "{text}");
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn bad_input_is_exit_2_with_the_location() {
    let d = dir("bad");
    let (map, lookups) = (d.join("map.txt"), d.join("lookups.txt"));
    std::fs::write(&map, MAP).expect("write map");
    std::fs::write(&lookups, "https://idp.example.com carl@example.com\njust-one-field\n").expect("write");
    let (m, l) = (map.to_str().unwrap(), lookups.to_str().unwrap());
    let out = identmap(&["bench", m, l]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{l}:2:")), "{err}");

    let missing = d.join("missing.txt");
    let out = identmap(&["bench", missing.to_str().unwrap(), l]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.txt"));

    std::fs::write(&map, "https://idp.example.com /^(x$ u\n").expect("write");
    let out = identmap(&["bench", m, l]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&d).ok();
}
