//! `identmap test`: run expectation files against maps, like a test suite. The format, the parser,
//! the runner and the text report are `identmap::expect`; here: the files are read, the maps
//! loaded from the file system, and the JUnit XML written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use identmap::expect::{self, ExpectFile, LoadedMap, MapSpec, Outcome};
use identmap::postgres::{IdentFile, Roles, Version};
use identmap::Dialect;
use identmap_cli::input;

/// Arguments of `identmap test`.
#[derive(Debug, clap::Args)]
pub(crate) struct TestArgs {
    /// Expectation files (see "Testing a map" in the README).
    #[arg(required = true)]
    files: Vec<String>,
    /// Postgres: the role graph for maps without `roles=`, a JSON file `{"member": ["role", …]}`.
    #[arg(long, value_name = "FILE")]
    roles: Option<String>,
    /// Also write the results as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<String>,
}

/// Read the map of a `map` directive (relative to the expectation file's directory).
fn load_map(spec: &MapSpec, base: &Path, default_roles: Option<&str>) -> Result<LoadedMap, String> {
    let path = base.join(spec.path());
    let name = path.to_string_lossy().into_owned();
    match spec.dialect() {
        Dialect::Cockroach => {
            let src = input::read_named(&name)?;
            let text = if input::is_sql(&name) { input::identity_map_of_sql(&src)?.1 } else { src.text };
            LoadedMap::cockroach(&text, spec.case()).map_err(|e| format!("{name}: {e}"))
        }
        Dialect::Postgres => {
            let version = Version::from_major(u64::from(spec.pg_version()))
                .ok_or_else(|| format!("unsupported PostgreSQL version {}", spec.pg_version()))?;
            let file = IdentFile::load(&name, &input::FsResolver, version)
                .map_err(|e| format!("{name}: {}", e.reason()))?;
            let roles = match (spec.roles(), default_roles) {
                (Some(r), _) => input::read_role_graph(&base.join(r).to_string_lossy())?,
                (None, Some(r)) => input::read_role_graph(r)?,
                (None, None) => Roles::new(),
            };
            LoadedMap::postgres(file, roles)
        }
    }
}

pub(crate) fn run(args: &TestArgs) -> Result<ExitCode, String> {
    let mut results: Vec<Outcome> = Vec::new();
    for name in &args.files {
        let src = input::read_source(name)?;
        let parsed =
            ExpectFile::parse(&src.text).map_err(|m| format!("{name}:{}: {}", m.line(), m.message()))?;
        if parsed.expectations().is_empty() {
            return Err(format!("{name}: no expectations (`expect`, `allow` or `deny` lines)"));
        }
        let base: PathBuf = if name == "-" {
            PathBuf::new()
        } else {
            Path::new(name).parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let outcomes = expect::run(&src.name, &parsed, |spec| load_map(spec, &base, args.roles.as_deref()))
            .map_err(|e| format!("{}:{e}", src.name))?;
        results.extend(outcomes);
    }
    out!("{}", expect::to_text(&results))?;
    if let Some(path) = &args.junit {
        let xml = junit(&results)?;
        std::fs::write(path, xml).map_err(|e| format!("{path}: {e}"))?;
    }
    let failed = results.iter().any(|r| r.failure().is_some());
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// JUnit XML: one test suite per expectation file, one test case per expectation.
fn junit(results: &[Outcome]) -> Result<String, String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("identmap test");
    let mut suites: Vec<TestSuite> = Vec::new();
    for r in results {
        if suites.last().is_none_or(|s| s.name.as_str() != r.file()) {
            suites.push(TestSuite::new(r.file()));
        }
        let status = match r.failure() {
            None => TestCaseStatus::success(),
            Some(f) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(f);
                s.set_type("expectation");
                s
            }
        };
        let mut case = TestCase::new(format!("line {}: {}", r.line(), r.text()), status);
        case.set_classname(r.map());
        if let Some(suite) = suites.last_mut() {
            suite.add_test_case(case);
        }
    }
    report.add_test_suites(suites);
    report.to_string().map_err(|e| format!("writing JUnit XML: {e}"))
}
