//! `identmap bench`: measure a cockroach map on the administrator's own lookups.

use std::process::ExitCode;

use identmap::cockroach::CaseMode;
use identmap_cli::bench::{self, MeasureOptions};
use identmap_cli::input;

use crate::Format;

/// Arguments of `identmap bench`.
#[derive(Debug, clap::Args)]
pub(crate) struct BenchArgs {
    /// The cockroach map (`-` for stdin); `.sql` files are read too.
    map: String,
    /// The lookups: one `<issuer> <identity>` per line.
    lookups: String,
    /// Skip the per-rule reference evaluator (slow on large maps).
    #[arg(long)]
    no_reference: bool,
    /// The case-sensitive matching of releases before CockroachDB PR #155531.
    #[arg(long)]
    case_sensitive: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub(crate) fn run(args: &BenchArgs) -> Result<ExitCode, String> {
    if args.map == "-" && args.lookups == "-" {
        return Err("the map and the lookups cannot both be stdin".into());
    }
    let src = input::read_source(&args.map)?;
    let text = if input::is_sql(&src.name) { input::identity_map_of_sql(&src)?.1 } else { src.text.clone() };
    let lookups_src = input::read_source(&args.lookups)?;
    let lookups = bench::parse_lookups(&lookups_src.name, &lookups_src.text)?;
    if lookups.is_empty() {
        return Err(format!("{}: no lookups", lookups_src.name));
    }
    let opts = MeasureOptions {
        case: if args.case_sensitive { CaseMode::Sensitive } else { CaseMode::Insensitive },
        reference: !args.no_reference,
        // The check runs the slow per-rule scan too: --no-reference skips it.
        check: if args.no_reference { 0 } else { MeasureOptions::default().check },
        ..MeasureOptions::default()
    };
    let measured = bench::measure(&text, &lookups, &opts, Some(&crate::ALLOC))
        .map_err(|e| format!("{}: {e}", src.name))?;
    let m = &measured.measurement;
    match args.format {
        Format::Json => outln!("{}", m.to_json())?,
        Format::Text => {
            let heap = m.heap_mb.map_or_else(|| "-".to_string(), |h| format!("{h:.2}"));
            outln!("rules             {}", m.rules)?;
            outln!("lookups           {}", m.lookups)?;
            outln!("parse             {:.2} ms (Ruleset::parse)", m.parse_ms)?;
            outln!("build             {:.2} ms (Matcher::new)", m.build_ms)?;
            outln!("heap              {heap} MB (Matcher)")?;
            outln!(
                "matcher           {:.1} ns per lookup (median of 7 passes over {} lookups)",
                m.matcher.ns,
                m.matcher.sample
            )?;
            match m.reference {
                Some(r) => outln!(
                    "per-rule scan     {:.1} ns per lookup ({} lookups), {:.1}x the matcher",
                    r.ns,
                    r.sample,
                    r.ns / m.matcher.ns
                )?,
                None => outln!("per-rule scan     (skipped: --no-reference)")?,
            }
            outln!(
                "hash floor        {:.1} ns per lookup; the matcher is {:.1}x the floor",
                m.floor.ns,
                m.floor_ratio()
            )?;
            outln!(
                "hit rate          {:.1} % (more than one user: {:.1} %)",
                m.hit_rate * 100.0,
                m.multi_rate * 100.0
            )?;
            outln!(
                "checked           {} lookups against the reference, {} mismatches",
                m.checked,
                m.mismatches.len()
            )?;
        }
    }
    if let Some(first) = m.mismatches.first() {
        eprintln!(
            "identmap: the matcher disagrees with the reference evaluator on {} lookups; first: {} {} -> {:?}, reference {:?}",
            m.mismatches.len(),
            first.lookup.issuer,
            first.lookup.identity,
            first.matcher,
            first.reference
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
