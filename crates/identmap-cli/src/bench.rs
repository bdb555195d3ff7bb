//! Measuring a cockroach identity map: the code behind `identmap bench` and the workspace's
//! `bench-report`, kept in one place so both report the same figures the same way.
//!
//! * [`CountingAlloc`]: a global allocator that counts live bytes. Each binary declares the
//!   `#[global_allocator]` static itself (`static ALLOC: CountingAlloc = counting_alloc();`) and
//!   passes it to [`measure`]; heap figures are live bytes after a build minus before.
//! * [`time_lookups`]: the timed loop. A sample of the lookups (all of them unless one pass would
//!   take longer than the pass budget) is run `passes` times after one untimed warm-up pass; each
//!   pass gives its mean ns per lookup, and the figure is the **median of the passes**.
//! * [`Floor`]: the physical reference: two foldhash lookups (issuer, then exact identity).
//! * [`measure`]: parse, build, heap, the Matcher, the per-rule reference evaluator, the floor,
//!   hit rates and a correctness check of the Matcher against the reference.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use identmap::cockroach::{CaseMode, Options, PatternKind, Ruleset};
use identmap::Matcher;
use serde_json::{json, Value};

/// A global allocator that counts live bytes (no limit). Declare it in a binary with
/// `#[global_allocator] static ALLOC: CountingAlloc = counting_alloc();`.
pub type CountingAlloc = cap::Cap<std::alloc::System>;

/// A [`CountingAlloc`] over the system allocator.
#[must_use]
pub const fn counting_alloc() -> CountingAlloc {
    cap::Cap::new(std::alloc::System, usize::MAX)
}

/// Live heap bytes according to `alloc`.
#[must_use]
pub fn live_bytes(alloc: &CountingAlloc) -> usize {
    alloc.allocated()
}

/// One lookup: an issuer (map name) and an identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// The issuer (JWT `iss`) or map name.
    pub issuer: String,
    /// The identity.
    pub identity: String,
}

/// Parse a lookups file: one `<issuer> <identity>` per line, separated by the first space or
/// tab (the identity is the rest of the line). Blank lines are skipped.
///
/// # Errors
/// `NAME:LINE: …` for a line with no identity.
pub fn parse_lookups(name: &str, text: &str) -> Result<Vec<Lookup>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let parts = line.split_once([' ', '\t']).filter(|(iss, id)| !iss.is_empty() && !id.is_empty());
        let Some((issuer, identity)) = parts else {
            return Err(format!(
                "{name}:{}: expected `<issuer> <identity>` separated by a space, found {line:?}",
                i + 1
            ));
        };
        out.push(Lookup { issuer: issuer.to_string(), identity: identity.to_string() });
    }
    Ok(out)
}

/// A `HashMap` with foldhash (seeded, fast).
type FoldMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The hash-lookup floor: the exact (literal) rules only, in a foldhash map per issuer; a lookup
/// is two hash lookups and returns the first rule's user.
#[derive(Debug, Default)]
pub struct Floor {
    issuers: FoldMap<Box<str>, FoldMap<Box<str>, Box<str>>>,
}

impl Floor {
    /// The table of `rules`' literal rules.
    #[must_use]
    pub fn new(rules: &Ruleset) -> Floor {
        let mut floor = Floor::default();
        for r in rules.rules() {
            if r.kind() == PatternKind::Literal {
                floor
                    .issuers
                    .entry(r.map_name().text().into())
                    .or_default()
                    .entry(r.pattern().into())
                    .or_insert_with(|| r.user().text().into());
            }
        }
        floor
    }

    /// The user of the exact identity under the issuer.
    #[must_use]
    pub fn get(&self, issuer: &str, identity: &str) -> Option<&str> {
        self.issuers.get(issuer)?.get(identity).map(|u| &**u)
    }
}

/// How [`time_lookups`] samples and repeats.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Timed passes; the figure is their median.
    pub passes: usize,
    /// The sample is cut so that one pass takes about this long.
    pub pass_budget: Duration,
    /// ... but never below this many lookups (nor above all of them).
    pub min_sample: usize,
}

impl Default for Plan {
    fn default() -> Plan {
        Plan { passes: 7, pass_budget: Duration::from_secs(1), min_sample: 500 }
    }
}

/// A timed-loop result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Median over the passes of the pass's mean ns per lookup.
    pub ns: f64,
    /// How many lookups (the first ones) each pass ran.
    pub sample: usize,
}

/// The median of `v` (the mean of the middle two for an even count); 0 for none.
#[must_use]
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Time `f` over `lookups` (see the module docs). The first lookups are run once untimed to
/// estimate the cost and size the sample; then one untimed warm-up pass over the sample.
pub fn time_lookups<F: FnMut(&Lookup)>(lookups: &[Lookup], plan: Plan, mut f: F) -> Timing {
    if lookups.is_empty() {
        return Timing { ns: 0.0, sample: 0 };
    }
    let probe = &lookups[..lookups.len().min(256)];
    let t = Instant::now();
    for l in probe {
        f(l);
    }
    let per = t.elapsed().as_secs_f64() / probe.len() as f64;
    let fit = if per > 0.0 { (plan.pass_budget.as_secs_f64() / per) as usize } else { usize::MAX };
    let sample = fit.max(plan.min_sample).min(lookups.len()).max(1);
    let sample = &lookups[..sample];
    for l in sample {
        f(l);
    }
    let mut per_pass = Vec::with_capacity(plan.passes);
    for _ in 0..plan.passes.max(1) {
        let t = Instant::now();
        for l in sample {
            f(l);
        }
        per_pass.push(t.elapsed().as_nanos() as f64 / sample.len() as f64);
    }
    Timing { ns: median(&mut per_pass), sample: sample.len() }
}

/// Milliseconds since `t`.
#[must_use]
pub fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// Lookups per second of `threads` threads sharing `matcher`, each running `per_thread` lookups
/// over `lookups` (thread `i` starts at offset `i * len / threads`): total lookups / wall time.
#[must_use]
pub fn throughput(matcher: &Matcher, lookups: &[Lookup], threads: usize, per_thread: usize) -> f64 {
    if lookups.is_empty() || threads == 0 {
        return 0.0;
    }
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let offset = t * lookups.len() / threads;
            s.spawn(move || {
                let mut out = Vec::new();
                for l in lookups.iter().cycle().skip(offset).take(per_thread) {
                    black_box(matcher.map_into(&l.issuer, &l.identity, &mut out));
                    black_box(out.len());
                }
            });
        }
    });
    (threads * per_thread) as f64 / start.elapsed().as_secs_f64()
}

/// What [`measure`] does.
#[derive(Clone, Copy, Debug)]
pub struct MeasureOptions {
    /// The case mode (default: insensitive, current CockroachDB).
    pub case: CaseMode,
    /// Time the per-rule reference evaluator too.
    pub reference: bool,
    /// The Matcher's answers for the first `check` lookups are compared with the reference's.
    pub check: usize,
    /// The timed loop of the Matcher and the floor (default: 7 passes, all lookups unless a pass
    /// would take over 1 s, at least 500).
    pub plan: Plan,
    /// The timed loop of the reference evaluator (default: 7 passes, as many lookups as fit in
    /// 0.25 s, at least 500).
    pub reference_plan: Plan,
}

impl Default for MeasureOptions {
    fn default() -> MeasureOptions {
        MeasureOptions {
            case: CaseMode::Insensitive,
            reference: true,
            check: 2000,
            plan: Plan::default(),
            reference_plan: Plan { pass_budget: Duration::from_millis(250), ..Plan::default() },
        }
    }
}

/// A lookup where the Matcher and the reference evaluator disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Index in the lookups.
    pub index: usize,
    /// The lookup.
    pub lookup: Lookup,
    /// The Matcher's users (`None`: no map).
    pub matcher: Option<Vec<String>>,
    /// The reference evaluator's users (`None`: no map).
    pub reference: Option<Vec<String>>,
}

/// The figures of one map and one set of lookups.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// Rules in the map.
    pub rules: usize,
    /// Lookups given.
    pub lookups: usize,
    /// `Ruleset::parse` (which compiles every regex), ms.
    pub parse_ms: f64,
    /// `Matcher::new`, ms (median of 3 builds when one takes under 0.5 s).
    pub build_ms: f64,
    /// Live heap of the Matcher (bytes after the build minus before), MB; `None` without a
    /// counting allocator.
    pub heap_mb: Option<f64>,
    /// The Matcher, median ns per lookup (`map_into` with a reused buffer).
    pub matcher: Timing,
    /// The per-rule reference evaluator (`Ruleset::map`).
    pub reference: Option<Timing>,
    /// The hash-lookup floor.
    pub floor: Timing,
    /// Share of lookups with at least one user (Matcher, over its timed sample).
    pub hit_rate: f64,
    /// Share of lookups with more than one user.
    pub multi_rate: f64,
    /// How many lookups were compared with the reference evaluator.
    pub checked: usize,
    /// Disagreements among the checked lookups (all of them).
    pub mismatches: Vec<Mismatch>,
}

fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

impl Measurement {
    /// reference ns / Matcher ns.
    #[must_use]
    pub fn reference_ratio(&self) -> Option<f64> {
        self.reference.map(|r| r.ns / self.matcher.ns)
    }

    /// Matcher ns / floor ns.
    #[must_use]
    pub fn floor_ratio(&self) -> f64 {
        self.matcher.ns / self.floor.ns
    }

    /// The figures as one JSON object (the fields `identmap bench --format json` prints).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mismatches: Vec<Value> = self
            .mismatches
            .iter()
            .take(20)
            .map(|m| {
                json!({
                    "index": m.index,
                    "issuer": m.lookup.issuer,
                    "identity": m.lookup.identity,
                    "matcher": m.matcher,
                    "reference": m.reference,
                })
            })
            .collect();
        json!({
            "rules": self.rules,
            "lookups": self.lookups,
            "parse_ms": round(self.parse_ms, 3),
            "build_ms": round(self.build_ms, 3),
            "heap_mb": self.heap_mb.map(|h| round(h, 3)),
            "matcher_ns": round(self.matcher.ns, 1),
            "matcher_sample": self.matcher.sample,
            "reference_ns": self.reference.map(|r| round(r.ns, 1)),
            "reference_sample": self.reference.map(|r| r.sample),
            "floor_ns": round(self.floor.ns, 1),
            "reference_ratio": self.reference_ratio().map(|r| round(r, 2)),
            "floor_ratio": round(self.floor_ratio(), 2),
            "hit_rate": round(self.hit_rate, 4),
            "multi_rate": round(self.multi_rate, 4),
            "checked": self.checked,
            "mismatch_count": self.mismatches.len(),
            "mismatches": mismatches,
        })
    }
}

/// Everything [`measure`] built, for callers that go on measuring (threads).
pub struct Measured {
    /// The figures.
    pub measurement: Measurement,
    /// The parsed rules.
    pub rules: Ruleset,
    /// The Matcher that was measured.
    pub matcher: Matcher,
}

/// Measure the cockroach map `text` on `lookups`. `alloc` is the binary's global counting
/// allocator, if it has one.
///
/// # Errors
/// When CockroachDB would reject the map, or the Matcher cannot be built.
pub fn measure(
    text: &str,
    lookups: &[Lookup],
    opts: &MeasureOptions,
    alloc: Option<&CountingAlloc>,
) -> Result<Measured, String> {
    let t = Instant::now();
    let rules = Ruleset::parse(text, Options::new().case(opts.case))
        .map_err(|e| format!("{} (run `identmap check` for details)", e.verdict()))?;
    let parse_ms = ms_since(t);

    let before = alloc.map(live_bytes);
    let t = Instant::now();
    let matcher = Matcher::new(&rules).map_err(|e| format!("cannot build the matcher: {e}"))?;
    let first_ms = ms_since(t);
    let heap_mb = match (alloc, before) {
        (Some(a), Some(b)) => Some(live_bytes(a).saturating_sub(b) as f64 / 1e6),
        _ => None,
    };
    let build_ms = if first_ms < 500.0 {
        let mut builds = vec![first_ms];
        for _ in 0..2 {
            let t = Instant::now();
            let m = Matcher::new(&rules).map_err(|e| format!("cannot build the matcher: {e}"))?;
            builds.push(ms_since(t));
            drop(black_box(m));
        }
        median(&mut builds)
    } else {
        first_ms
    };

    // The correctness check against the reference evaluator.
    let mut out = Vec::new();
    let checked = lookups.len().min(opts.check);
    let mut mismatches = Vec::new();
    for (index, l) in lookups[..checked].iter().enumerate() {
        let m = matcher.map(&l.issuer, &l.identity);
        let r = rules.map(&l.issuer, &l.identity);
        let same = m.map_found() == r.map_found()
            && m.users().len() == r.users().len()
            && m.users().iter().zip(r.users()).all(|(a, b)| a == b);
        if !same {
            let users = |found: bool, u: Vec<String>| found.then_some(u);
            mismatches.push(Mismatch {
                index,
                lookup: l.clone(),
                matcher: users(m.map_found(), m.users().iter().map(|u| u.to_string()).collect()),
                reference: users(r.map_found(), r.users().to_vec()),
            });
        }
    }

    let matcher_t = time_lookups(lookups, opts.plan, |l| {
        black_box(matcher.map_into(&l.issuer, &l.identity, &mut out));
        black_box(out.len());
    });
    // Hit rates, over the Matcher's timed sample.
    let (mut hits, mut multi) = (0usize, 0usize);
    for l in &lookups[..matcher_t.sample] {
        matcher.map_into(&l.issuer, &l.identity, &mut out);
        hits += usize::from(!out.is_empty());
        multi += usize::from(out.len() > 1);
    }
    let floor = Floor::new(&rules);
    let floor_t = time_lookups(lookups, opts.plan, |l| {
        black_box(floor.get(&l.issuer, &l.identity));
    });
    drop(out);
    let reference = opts.reference.then(|| {
        time_lookups(lookups, opts.reference_plan, |l| {
            black_box(rules.map(&l.issuer, &l.identity));
        })
    });
    let n = matcher_t.sample.max(1) as f64;
    let measurement = Measurement {
        rules: rules.rules().len(),
        lookups: lookups.len(),
        parse_ms,
        build_ms,
        heap_mb,
        matcher: matcher_t,
        reference,
        floor: floor_t,
        hit_rate: hits as f64 / n,
        multi_rate: multi as f64 / n,
        checked,
        mismatches,
    };
    Ok(Measured { measurement, rules, matcher })
}
