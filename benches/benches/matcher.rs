//! Criterion benches (hot slices): the Matcher on the generated workload at N = 10, 1k, 10k,
//! 100k rules, the per-rule reference evaluator, the hash floor, the build, and the literal-less
//! map. Run with `cargo bench -p identmap-bench`; the workload is generated under
//! `target/bench-data/` on first use.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use identmap::cockroach::{Options, Ruleset};
use identmap::Matcher;
use identmap_bench::{adversarial, load, SIZES};
use identmap_cli::bench::{Floor, Lookup};

/// The hot slice: the first lookups of the workload.
const SLICE: usize = 2_000;

fn workload(n: usize) -> (Ruleset, Vec<Lookup>) {
    let (text, lookups) = load(n).unwrap_or_else(|e| panic!("workload {n}: {e}"));
    let rules = Ruleset::parse(&text, Options::new()).unwrap_or_else(|e| panic!("rules_{n}: {e}"));
    (rules, lookups)
}

fn lookups_bench(c: &mut Criterion) {
    for n in SIZES {
        let (rules, lookups) = workload(n);
        let matcher = Matcher::new(&rules).unwrap_or_else(|e| panic!("matcher {n}: {e}"));
        let floor = Floor::new(&rules);
        let slice = &lookups[..SLICE.min(lookups.len())];

        let mut g = c.benchmark_group("lookup");
        g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
        g.throughput(Throughput::Elements(slice.len() as u64));
        g.bench_function(BenchmarkId::new("matcher", n), |b| {
            let mut out = Vec::new();
            b.iter(|| {
                for l in slice {
                    black_box(matcher.map_into(&l.issuer, &l.identity, &mut out));
                }
            });
        });
        g.bench_function(BenchmarkId::new("floor", n), |b| {
            b.iter(|| {
                for l in slice {
                    black_box(floor.get(&l.issuer, &l.identity));
                }
            });
        });
        // The per-rule scan: a small slice (1,000 lookups; 100 at 10k rules, 10 at 100k).
        let small = &lookups[..match n {
            0..10_000 => 1_000,
            10_000..100_000 => 100,
            _ => 10,
        }];
        g.throughput(Throughput::Elements(small.len() as u64));
        g.bench_function(BenchmarkId::new("reference", n), |b| {
            b.iter(|| {
                for l in small {
                    black_box(rules.map(&l.issuer, &l.identity));
                }
            });
        });
        g.finish();
    }
}

fn build_bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("build");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let (rules, _) = workload(n);
        g.bench_function(BenchmarkId::new("matcher", n), |b| {
            b.iter_batched(|| (), |()| Matcher::new(&rules), BatchSize::PerIteration);
        });
    }
    g.finish();
}

fn literal_less_bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("literal_less");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    // Every lookup runs every rule: 200 lookups at 1k rules, 20 at 10k.
    for (n, count) in [(1_000, 200), (10_000, 20)] {
        let (text, lookups) = adversarial(n, count);
        let rules = Ruleset::parse(&text, Options::new()).unwrap_or_else(|e| panic!("literal-less {n}: {e}"));
        let matcher = Matcher::new(&rules).unwrap_or_else(|e| panic!("literal-less {n}: {e}"));
        g.throughput(Throughput::Elements(lookups.len() as u64));
        g.bench_function(BenchmarkId::new("matcher", n), |b| {
            let mut out = Vec::new();
            b.iter(|| {
                for l in &lookups {
                    black_box(matcher.map_into(&l.issuer, &l.identity, &mut out));
                }
            });
        });
    }
    g.finish();
}

criterion_group!(benches, lookups_bench, build_bench, literal_less_bench);
criterion_main!(benches);
