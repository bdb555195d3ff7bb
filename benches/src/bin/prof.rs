//! A loop for `valgrind --tool=callgrind` and `perf record`: builds the Matcher over the
//! workload of N rules, then runs `count` lookups through `map_into`.
//!
//! `cargo run --release -p identmap-bench --bin prof -- N [lookups|build|literal-less] [count]`
//! (`count` beyond the 100,000 lookups repeats them; `SAMPLE=k` cycles over the first k only;
//! `DUMP=1` prints each issuer index).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::borrow::Cow;
use std::hint::black_box;

use identmap::cockroach::{Options, Ruleset};
use identmap::Matcher;
use identmap_cli::bench::Lookup;

#[inline(never)]
fn build(rules: &Ruleset) -> Matcher {
    match Matcher::new(rules) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("build: {e}");
            std::process::exit(1);
        }
    }
}

#[inline(never)]
fn lookups(m: &Matcher, lookups: &[Lookup]) -> usize {
    let mut out: Vec<Cow<'_, str>> = Vec::new();
    let mut n = 0;
    for l in lookups {
        m.map_into(black_box(&l.issuer), black_box(&l.identity), &mut out);
        n += out.len();
    }
    n
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let what = args.get(2).map_or("lookups", String::as_str);
    let count: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let (text, looks) = if what == "literal-less" {
        identmap_bench::adversarial(n, 100_000)
    } else {
        match identmap_bench::load(n) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    };
    let rules = match Ruleset::parse(&text, Options::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("parse: {e}");
            std::process::exit(1);
        }
    };
    let t = std::time::Instant::now();
    let m = build(&rules);
    eprintln!("build {:?}", t.elapsed());
    if std::env::var_os("DUMP").is_some() {
        dump(&m);
    }
    if what == "build" {
        return;
    }
    // `SAMPLE=k`: cycle over the first k lookups only (a warm cache).
    let sample = std::env::var("SAMPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(looks.len());
    let slice = &looks[..count.min(sample).min(looks.len())];
    let rounds = count.div_ceil(slice.len().max(1)).max(1);
    let t = std::time::Instant::now();
    let mut users = 0;
    for _ in 0..rounds {
        users += lookups(&m, slice);
    }
    let total = (slice.len() * rounds) as f64;
    eprintln!("{total} lookups, {users} users, {:.0} ns/lookup", t.elapsed().as_nanos() as f64 / total);
}

/// `DUMP=1`: each issuer index's shape (keys, literal lengths, infix and literal-less counts).
fn dump(m: &Matcher) {
    let s = format!("{m:?}");
    for part in s.split("Index {").skip(1) {
        eprintln!("Index {{{}", &part[..part.find('}').unwrap_or(part.len()).min(400)]);
    }
}
