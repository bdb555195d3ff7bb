//! The native twin of `web/bench/engine.mjs`: the playground engine's calls (`load`, `map` with the
//! trace, `lint`, `batch` over 10,000 lookup lines) timed on a map file, through the same
//! `identmap_wasm::Playground` the page runs as WebAssembly, with the same requests and output.
//!
//! `cargo run --release -p identmap-bench --bin playground-bench -- RULES LOOKUPS`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use identmap_wasm::Playground;
use serde_json::json;

fn time(n: usize, mut f: impl FnMut() -> String) -> (f64, f64, String) {
    let mut ms = Vec::with_capacity(n);
    let mut out = String::new();
    for _ in 0..n {
        let t = Instant::now();
        out = f();
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(f64::total_cmp);
    (ms[n / 2], ms[0], out)
}

fn report(name: &str, (median, min, _): &(f64, f64, String)) {
    println!("{name:<8} median {median:.2} ms, min {min:.2} ms");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [rules_path, lookups_path] = args.as_slice() else {
        eprintln!("usage: playground-bench RULES LOOKUPS");
        std::process::exit(2);
    };
    let read = |p: &str| {
        std::fs::read_to_string(p).unwrap_or_else(|e| {
            eprintln!("playground-bench: {p}: {e}");
            std::process::exit(1);
        })
    };
    let rules = read(rules_path);
    let lookups_text = read(lookups_path);
    let lookups: Vec<&str> = lookups_text.lines().filter(|l| !l.is_empty()).take(10_000).collect();
    let (issuer, identity) = lookups[0].split_once(' ').unwrap_or((lookups[0], ""));
    let batch_lines = lookups.iter().map(|l| l.replacen(' ', "\t", 1)).collect::<Vec<_>>().join("\n");

    let mut p = Playground::new();
    let load = json!({"dialect": "cockroach", "rules": rules}).to_string();
    let first = time(1, || p.load(&load));
    report("load#1", &first);
    if !first.2.contains(r#""accepted":true"#) {
        eprintln!("playground-bench: not accepted: {}", &first.2[..first.2.len().min(300)]);
        std::process::exit(1);
    }
    report("load", &time(10, || p.load(&load)));
    let map = json!({"issuer": issuer, "identities": [identity], "explain": true}).to_string();
    report("map", &time(50, || p.map(&map)));
    report("lint", &time(5, || p.lint()));
    let batch = json!({"issuer": issuer, "lines": batch_lines}).to_string();
    let b = time(5, || p.batch(&batch));
    report("batch", &b);
    let unmapped = serde_json::from_str::<serde_json::Value>(&b.2).ok().and_then(|v| v["unmapped"].as_u64());
    println!("batch: {} lines, {} unmapped", lookups.len(), unmapped.unwrap_or(0));
}
