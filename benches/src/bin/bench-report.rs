//! `cargo run --release -p identmap-bench --bin bench-report [-- --quick]`: one run that measures
//! the Matcher on the generated workload (N = 10, 1k, 10k, 100k), on an adversarial map of
//! literal-less regexes, and with two threads; times `identmap-lint` with every rule on the
//! 10k and 100k workload maps; prints a table and writes the same figures to
//! `target/bench-report.json`. Exit 1 when the Matcher disagrees with the reference evaluator.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use identmap_bench::{adversarial, ensure_data, load, target_dir, SIZES};
use identmap_cli::bench::{
    counting_alloc, measure, median, throughput, CountingAlloc, Lookup, MeasureOptions, Measured,
    Measurement, Plan,
};
use serde_json::{json, Value};

/// Counts live heap bytes, for the heap figures.
#[global_allocator]
static ALLOC: CountingAlloc = counting_alloc();

struct Setup {
    quick: bool,
    sizes: Vec<usize>,
    adversarial: Vec<usize>,
    adversarial_lookups: usize,
    thread_sizes: Vec<usize>,
    lint_sizes: Vec<usize>,
    opts: MeasureOptions,
}

impl Setup {
    fn new(quick: bool) -> Setup {
        let mut opts = MeasureOptions::default();
        if quick {
            opts.plan = Plan { passes: 3, pass_budget: Duration::from_millis(200), min_sample: 100 };
            opts.reference_plan = Plan { passes: 3, pass_budget: Duration::from_millis(50), min_sample: 100 };
            Setup {
                quick,
                sizes: vec![10, 1_000],
                adversarial: vec![1_000],
                adversarial_lookups: 10_000,
                thread_sizes: vec![1_000],
                lint_sizes: vec![1_000],
                opts,
            }
        } else {
            Setup {
                quick,
                sizes: SIZES.to_vec(),
                adversarial: vec![10_000, 100_000],
                adversarial_lookups: 100_000,
                thread_sizes: vec![10_000, 100_000],
                lint_sizes: vec![10_000, 100_000],
                opts,
            }
        }
    }
}

/// Today's date (UTC), `YYYY-MM-DD`.
fn today() -> String {
    let days = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn fmt_n(x: f64) -> String {
    if x >= 10_000.0 {
        let s = format!("{x:.0}");
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        out
    } else if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn row(name: &str, m: &Measurement) -> String {
    let (reference, ratio) = match m.reference {
        Some(r) => (
            format!("{} ({})", fmt_n(r.ns), r.sample),
            m.reference_ratio().map_or_else(|| "-".into(), |x| format!("{}×", fmt_n(x))),
        ),
        None => ("-".into(), "-".into()),
    };
    format!(
        "| {name} | {} | {} | {} | {} | {} ({}) | {} | {}× | {reference} | {ratio} | {:.1} % | {:.1} % | {}/{} |",
        m.rules,
        fmt_n(m.parse_ms),
        fmt_n(m.build_ms),
        m.heap_mb.map_or_else(|| "-".into(), fmt_n),
        fmt_n(m.matcher.ns),
        m.matcher.sample,
        fmt_n(m.floor.ns),
        fmt_n(m.floor_ratio()),
        m.hit_rate * 100.0,
        m.multi_rate * 100.0,
        m.mismatches.len(),
        m.checked,
    )
}

const HEADER: &str =
    "| map | rules | parse ms | build ms | heap MB | matcher ns (sample) | floor ns | matcher/floor | \
                      reference ns (sample) | reference/matcher | hits | multi | mismatches/checked |\n\
                      |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

struct Threads {
    map: String,
    one: f64,
    two: f64,
    per_thread: usize,
}

fn threads(name: &str, measured: &Measured, lookups: &[Lookup]) -> Threads {
    // About 1 s of lookups per thread, 3 runs each, the median.
    let per_thread = ((1e9 / measured.measurement.matcher.ns) as usize).clamp(10_000, 5_000_000);
    let run = |t: usize| {
        let mut v: Vec<f64> = (0..3).map(|_| throughput(&measured.matcher, lookups, t, per_thread)).collect();
        median(&mut v)
    };
    let one = run(1);
    let two = run(2);
    Threads { map: name.to_string(), one, two, per_thread }
}

/// `identmap_lint::lint` with every rule on a workload map: the median of `runs` runs.
struct LintTime {
    rules: usize,
    runs: usize,
    median_ms: f64,
    min_ms: f64,
    findings: usize,
}

fn lint_time(n: usize, text: &str) -> LintTime {
    let config = identmap_lint::Config::default();
    let input = identmap_lint::Input::Map { name: "workload.map", text };
    let runs = if n >= 100_000 { 1 } else { 3 };
    let mut findings = 0;
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = std::time::Instant::now();
            let report = identmap_lint::lint(&input, &config);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            findings = report.diagnostics().len();
            ms
        })
        .collect();
    let min_ms = times.iter().copied().fold(f64::INFINITY, f64::min);
    LintTime { rules: n, runs, median_ms: median(&mut times), min_ms, findings }
}

struct Target {
    what: String,
    value: String,
    target: String,
    met: bool,
}

fn targets(
    workload: &[(usize, Measurement)],
    adv: &[(usize, Measurement)],
    thr: &[Threads],
    lint: &[LintTime],
) -> Vec<Target> {
    let mut out = Vec::new();
    let mut push = |what: String, value: f64, unit: &str, target: f64, le: bool| {
        out.push(Target {
            what,
            value: format!("{} {unit}", fmt_n(value)),
            target: format!("{} {} {unit}", if le { "≤" } else { "≥" }, fmt_n(target)),
            met: if le { value <= target } else { value >= target },
        });
    };
    for (n, m) in workload {
        let (ns, build, heap) = match n {
            10_000 => (200.0, 50.0, 10.0),
            100_000 => (400.0, 500.0, 100.0),
            _ => continue,
        };
        push(format!("matcher, {n} rules"), m.matcher.ns, "ns", ns, true);
        push(format!("matcher / floor, {n} rules"), m.floor_ratio(), "×", 6.0, true);
        if *n == 10_000 {
            if let Some(r) = m.reference_ratio() {
                push(format!("reference / matcher, {n} rules"), r, "×", 1000.0, false);
            }
        }
        push(format!("build, {n} rules"), m.build_ms, "ms", build, true);
        if let Some(h) = m.heap_mb {
            push(format!("heap, {n} rules"), h, "MB", heap, true);
        }
    }
    for (n, m) in adv {
        if *n == 10_000 {
            push(format!("literal-less map, {n} rules"), m.matcher.ns, "ns", 2000.0, true);
        }
    }
    for t in thr {
        push(format!("2 threads / 1 thread, {}", t.map), t.two / t.one, "×", 1.8, false);
    }
    for l in lint.iter().filter(|l| l.rules == 10_000) {
        push(format!("lint, every rule, {} rules", l.rules), l.median_ms / 1e3, "s", 2.0, true);
    }
    out
}

fn main() -> ExitCode {
    let mut quick = false;
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--quick" => quick = true,
            "-h" | "--help" => {
                println!("usage: bench-report [--quick]\n  --quick  small sizes (10 and 1,000 rules), for smoke tests");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("bench-report: unknown argument {other:?} (usage: bench-report [--quick])");
                return ExitCode::from(2);
            }
        }
    }
    match run(&Setup::new(quick)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("bench-report: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(setup: &Setup) -> Result<bool, String> {
    ensure_data(&setup.sizes)?;
    let mut workload = Vec::new();
    let mut thr = Vec::new();
    let mut lint = Vec::new();
    for &n in &setup.sizes {
        eprintln!("bench-report: workload, {n} rules …");
        let (text, lookups) = load(n)?;
        let measured =
            measure(&text, &lookups, &setup.opts, Some(&ALLOC)).map_err(|e| format!("rules_{n}: {e}"))?;
        eprintln!("{}", row(&format!("workload {n}"), &measured.measurement));
        if setup.thread_sizes.contains(&n) {
            eprintln!("bench-report: threads, {n} rules …");
            thr.push(threads(&format!("workload {n}"), &measured, &lookups));
        }
        workload.push((n, measured.measurement));
        if setup.lint_sizes.contains(&n) {
            eprintln!("bench-report: lint, {n} rules …");
            lint.push(lint_time(n, &text));
        }
    }
    let mut adv = Vec::new();
    for &n in &setup.adversarial {
        eprintln!("bench-report: literal-less map, {n} rules …");
        let (text, lookups) = adversarial(n, setup.adversarial_lookups);
        // Every lookup runs every rule here: small samples, so the run stays in minutes.
        let opts = MeasureOptions {
            check: if n >= 100_000 { 100 } else { 500 },
            plan: Plan { min_sample: 50, ..setup.opts.plan },
            reference_plan: Plan { passes: 3, pass_budget: Duration::from_secs(1), min_sample: 20 },
            ..setup.opts
        };
        let measured = measure(&text, &lookups, &opts, Some(&ALLOC))
            .map_err(|e| format!("literal-less map {n}: {e}"))?;
        eprintln!("{}", row(&format!("literal-less {n}"), &measured.measurement));
        adv.push((n, measured.measurement));
    }

    let nproc = std::thread::available_parallelism().map_or(0, usize::from);
    let date = today();
    let tgts = targets(&workload, &adv, &thr, &lint);
    let mut table = String::new();
    let _ = writeln!(
        table,
        "identmap bench-report, {date}, {nproc} CPUs{}: case-insensitive cockroach dialect; ns per lookup = \
         median of {} passes of each pass's mean ns per lookup",
        if setup.quick { ", --quick" } else { "" },
        setup.opts.plan.passes
    );
    let _ = writeln!(table, "\n{HEADER}");
    for (n, m) in &workload {
        let _ = writeln!(table, "{}", row(&format!("workload {n}"), m));
    }
    for (n, m) in &adv {
        let _ = writeln!(table, "{}", row(&format!("literal-less {n}"), m));
    }
    let _ = writeln!(
        table,
        "\n| threads | map | lookups per thread | 1 thread lookups/s | 2 threads lookups/s | 2 / 1 |"
    );
    let _ = writeln!(table, "|---|---|---:|---:|---:|---:|");
    for t in &thr {
        let _ = writeln!(
            table,
            "| shared Matcher | {} | {} | {} | {} | {:.2}× |",
            t.map,
            t.per_thread,
            fmt_n(t.one),
            fmt_n(t.two),
            t.two / t.one
        );
    }
    let _ = writeln!(table, "\n| lint (every rule) | rules | runs | median s | best s | findings |");
    let _ = writeln!(table, "|---|---:|---:|---:|---:|---:|");
    for l in &lint {
        let _ = writeln!(
            table,
            "| workload {} | {} | {} | {:.2} | {:.2} | {} |",
            l.rules,
            l.rules,
            l.runs,
            l.median_ms / 1e3,
            l.min_ms / 1e3,
            l.findings
        );
    }
    let _ = writeln!(table, "\n| target | measured | target | met |\n|---|---:|---:|---|");
    for t in &tgts {
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} |",
            t.what,
            t.value,
            t.target,
            if t.met { "yes" } else { "**no**" }
        );
    }
    print!("{table}");

    let mismatches: usize = workload.iter().chain(&adv).map(|(_, m)| m.mismatches.len()).sum();
    let with_n = |v: &[(usize, Measurement)]| -> Vec<Value> {
        v.iter()
            .map(|(n, m)| {
                let mut j = m.to_json();
                if let Some(o) = j.as_object_mut() {
                    o.insert("n".into(), json!(n));
                }
                j
            })
            .collect()
    };
    let report = json!({
        "date": date,
        "nproc": nproc,
        "quick": setup.quick,
        "dialect": "cockroach, case-insensitive",
        "ns_per_lookup": format!("median of {} passes of each pass's mean ns per lookup", setup.opts.plan.passes),
        "workload": with_n(&workload),
        "literal_less": with_n(&adv),
        "threads": thr.iter().map(|t| json!({
            "map": t.map,
            "lookups_per_thread": t.per_thread,
            "one_thread_per_s": t.one.round(),
            "two_threads_per_s": t.two.round(),
            "ratio": (t.two / t.one * 100.0).round() / 100.0,
        })).collect::<Vec<_>>(),
        "lint": lint.iter().map(|l| json!({
            "rules": l.rules,
            "runs": l.runs,
            "median_ms": l.median_ms.round(),
            "min_ms": l.min_ms.round(),
            "findings": l.findings,
        })).collect::<Vec<_>>(),
        "targets": tgts.iter().map(|t| json!({
            "what": t.what, "measured": t.value, "target": t.target, "met": t.met,
        })).collect::<Vec<_>>(),
        "mismatches": mismatches,
    });
    let path = target_dir().join("bench-report.json");
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("bench-report: wrote {}", path.display());
    if mismatches > 0 {
        eprintln!("bench-report: FAILED: {mismatches} lookups where the Matcher disagrees with the reference evaluator");
        for (n, m) in workload.iter().chain(&adv) {
            for x in m.mismatches.iter().take(3) {
                eprintln!(
                    "  N={n} #{}: {} {} -> matcher {:?}, reference {:?}",
                    x.index, x.lookup.issuer, x.lookup.identity, x.matcher, x.reference
                );
            }
        }
        return Ok(false);
    }
    Ok(true)
}
