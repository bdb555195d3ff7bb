//! The benchmark workloads: the generated identity-map workload of `gen_idmap.py` (written under
//! `target/bench-data/` on first use, never committed) and an adversarial map of literal-less
//! regexes generated here, deterministically.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use identmap_cli::bench::{parse_lookups, Lookup};

/// The workload sizes (rules) of the report.
pub const SIZES: [usize; 4] = [10, 1_000, 10_000, 100_000];

/// The issuer of every rule and lookup of the adversarial map.
pub const ADVERSARIAL_ISSUER: &str = "https://adversarial.example.com";

/// `target/` of the workspace (`CARGO_TARGET_DIR` when set).
#[must_use]
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("target"),
    }
}

/// Where the generated workload lives: `target/bench-data/`.
#[must_use]
pub fn data_dir() -> PathBuf {
    target_dir().join("bench-data")
}

fn rules_path(n: usize) -> PathBuf {
    data_dir().join(format!("rules_{n}.txt"))
}

fn lookups_path(n: usize) -> PathBuf {
    data_dir().join(format!("lookups_{n}.txt"))
}

/// Generate the workload files of the sizes that are missing, with
/// `python3 benches/gen_idmap.py target/bench-data N...`.
///
/// # Errors
/// When python3 cannot be run or fails.
pub fn ensure_data(sizes: &[usize]) -> Result<(), String> {
    let missing: Vec<String> = sizes
        .iter()
        .filter(|&&n| !rules_path(n).is_file() || !lookups_path(n).is_file())
        .map(usize::to_string)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("gen_idmap.py");
    let dir = data_dir();
    let status = Command::new("python3")
        .arg(&script)
        .arg(&dir)
        .args(&missing)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run python3 {}: {e}", script.display()))?;
    if !status.success() {
        return Err(format!(
            "python3 {} {} {} failed: {status}",
            script.display(),
            dir.display(),
            missing.join(" ")
        ));
    }
    Ok(())
}

/// The rules (a cockroach map) and the 100,000 lookups of size `n` (generated if missing).
///
/// # Errors
/// When the files cannot be generated or read, or a lookup line is malformed.
pub fn load(n: usize) -> Result<(String, Vec<Lookup>), String> {
    ensure_data(&[n])?;
    let read = |p: PathBuf| std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()));
    let rules = read(rules_path(n))?;
    let lp = lookups_path(n);
    let lookups = parse_lookups(&lp.display().to_string(), &read(lp.clone())?)?;
    Ok((rules, lookups))
}

/// SplitMix64: a small deterministic generator.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    #[must_use]
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }

    fn chars(&mut self, set: &[u8], n: usize, out: &mut String) {
        for _ in 0..n {
            out.push(char::from(set[self.range(0, set.len() - 1)]));
        }
    }
}

const DIGITS: &[u8] = b"0123456789";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const SEPS: &[u8] = b"._-";

/// Repeat counts of the adversarial shapes run over `1..=MAXC`; `MAXC^3` (10,648) distinct
/// parameter triples per shape keep 100,000 rules of 10 shapes free of duplicates.
const MAXC: usize = 22;
const SHAPES: usize = 10;

/// The parameters of adversarial rule `i`: its shape and three repeat counts.
fn params(i: usize) -> (usize, usize, usize, usize) {
    let shape = i % SHAPES;
    let space = MAXC * MAXC * MAXC;
    let t = (i / SHAPES * 7919 + shape * 131) % space;
    (shape, 1 + t % MAXC, 1 + t / MAXC % MAXC, 1 + t / (MAXC * MAXC))
}

fn adversarial_pattern(i: usize) -> String {
    let (shape, a, b, c) = params(i);
    match shape {
        0 => format!("^([0-9]{{{a}}})[._-]([0-9]{{{b}}})[._-]([0-9]{{{c}}})$"),
        1 => format!("^([a-z]{{{a}}})([0-9]{{{b},{}}})$", b + c),
        2 => format!("^[a-z]{{{a}}}[0-9]{{{b}}}(.{{{c},}})$"),
        3 => format!("^([a-f0-9]{{{a}}})[-.]([a-f0-9]{{{b}}})[-.]([a-f0-9]{{{c}}})$"),
        4 => format!("^([0-9]{{{a}}}|[a-z]{{{b}}}[0-9]{{{c}}})$"),
        5 => format!("^([a-z]+)[._]([a-z]{{{a}}})([0-9]{{{b}}})[._]?([0-9]{{{c}}})$"),
        6 => format!("^(\\w{{{a}}})(\\d{{{b}}})(\\w{{{c}}})$"),
        7 => format!("^([a-z]{{{a}}}[0-9]{{{b}}}[a-z]{{{c}}})$"),
        8 => format!("^[0-9]{{{a}}}([a-z]{{{b}}})[0-9]{{{c}}}$"),
        _ => format!("^(([a-z]{{{a}}})|([0-9]{{{b}}}))[._-]([a-z0-9]{{{c}}})$"),
    }
}

/// An identity adversarial rule `i` matches.
fn adversarial_identity(i: usize, r: &mut Rng) -> String {
    let (shape, a, b, c) = params(i);
    let mut s = String::new();
    let sep = |r: &mut Rng, set: &[u8], s: &mut String| r.chars(set, 1, s);
    match shape {
        0 => {
            r.chars(DIGITS, a, &mut s);
            sep(r, SEPS, &mut s);
            r.chars(DIGITS, b, &mut s);
            sep(r, SEPS, &mut s);
            r.chars(DIGITS, c, &mut s);
        }
        1 => {
            r.chars(LOWER, a, &mut s);
            let n = r.range(b, b + c);
            r.chars(DIGITS, n, &mut s);
        }
        2 => {
            r.chars(LOWER, a, &mut s);
            r.chars(DIGITS, b, &mut s);
            let n = r.range(c, c + 8);
            r.chars(ALNUM, n, &mut s);
        }
        3 => {
            r.chars(HEX, a, &mut s);
            sep(r, b"-.", &mut s);
            r.chars(HEX, b, &mut s);
            sep(r, b"-.", &mut s);
            r.chars(HEX, c, &mut s);
        }
        4 => {
            if r.range(0, 1) == 0 {
                r.chars(DIGITS, a, &mut s);
            } else {
                r.chars(LOWER, b, &mut s);
                r.chars(DIGITS, c, &mut s);
            }
        }
        5 => {
            let n = r.range(1, 8);
            r.chars(LOWER, n, &mut s);
            sep(r, b"._", &mut s);
            r.chars(LOWER, a, &mut s);
            r.chars(DIGITS, b, &mut s);
            r.chars(DIGITS, c, &mut s);
        }
        6 | 7 => {
            r.chars(LOWER, a, &mut s);
            r.chars(DIGITS, b, &mut s);
            r.chars(LOWER, c, &mut s);
        }
        8 => {
            r.chars(DIGITS, a, &mut s);
            r.chars(LOWER, b, &mut s);
            r.chars(DIGITS, c, &mut s);
        }
        _ => {
            if r.range(0, 1) == 0 {
                r.chars(LOWER, a, &mut s);
            } else {
                r.chars(DIGITS, b, &mut s);
            }
            sep(r, SEPS, &mut s);
            r.chars(ALNUM, c, &mut s);
        }
    }
    s
}

/// The adversarial map: `rules` literal-less regexes under one issuer (10 shapes such as
/// `^([0-9]{a})[._-]([0-9]{b})[._-]([0-9]{c})$`, `^[a-z]{a}[0-9]{b}(.{c,})$` or
/// `^([0-9]{a}|[a-z]{b}[0-9]{c})$`, with distinct repeat counts, so no pattern has a required
/// literal), and `lookups` lookups: half made to hit a random rule, half the same kind of
/// identity with a `!` inserted (mostly misses). Deterministic.
#[must_use]
pub fn adversarial(rules: usize, lookups: usize) -> (String, Vec<Lookup>) {
    let mut map = String::new();
    for i in 0..rules {
        let user = match i % 3 {
            0 => format!("adv{i}_\\1"),
            1 => "\\1".to_string(),
            _ => format!("adv{i}"),
        };
        let _ = writeln!(map, "{ADVERSARIAL_ISSUER} /{} {user}", adversarial_pattern(i));
    }
    let mut r = Rng::new(rules as u64);
    let out = (0..lookups)
        .map(|_| {
            let i = r.range(0, rules.max(1) - 1);
            let mut identity = adversarial_identity(i, &mut r);
            if r.range(0, 1) == 0 {
                let at = r.range(0, identity.len());
                identity.insert(at, '!');
            }
            Lookup { issuer: ADVERSARIAL_ISSUER.to_string(), identity }
        })
        .collect();
    (map, out)
}
