//! Time `lint` on a map file: `cargo run --release -p identmap-lint --example lint_time -- FILE`
//! (for example the benchmark workload, `python3 benches/gen_idmap.py target/bench-data 10000`).
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::time::Instant;

use identmap_lint::{lint, Config, Input};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        println!("usage: lint_time FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            println!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let config = Config::default();
    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..3 {
        let t = Instant::now();
        report = Some(lint(&Input::Map { name: &path, text: &text }, &config));
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    if let Some(r) = &report {
        for d in r.diagnostics() {
            *by_code.entry(d.code()).or_default() += 1;
        }
    }
    println!("{path}: {} lines, lint median {:.3} s (min {:.3} s)", text.lines().count(), times[1], times[0]);
    println!("findings by code: {by_code:?}");
}
