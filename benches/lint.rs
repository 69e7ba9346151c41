//! `lint` speed on a 500-resource REST API (per API Gateway resource a GET and a POST with
//! Lambda proxy integrations and a MOCK OPTIONS method with its responses; 1,000 routes),
//! written two ways: as a Terraform plan (4,500 Terraform resources, the shape
//! `terraform show -json` gives) and as a CloudFormation template in YAML (2,000
//! CloudFormation resources). Each is read and imported, every route diagnosed, the report
//! rendered as SARIF. Budget: 100 ms each.
//! `cargo bench --bench lint` (harness = false; std::time::Instant, no framework).
//! `LINT_BENCH_RUNS=N` changes the number of timed runs (15), e.g. for a profiler;
//! `LINT_BENCH_WRITE=DIR` writes the two inputs to `DIR` and times nothing (for timing the
//! real binary: `scripts/bench-lint.sh`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use cors_doctor::lint::{self, LintFormat};
use cors_doctor::rules;

/// The binary's allocator (src/main.rs), so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/lint_inputs.rs"]
mod lint_inputs;

const RESOURCES: usize = 500;
const BUDGET: Duration = Duration::from_millis(100);

fn main() {
    let runs: usize = std::env::var("LINT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(15);
    let options = rules::Options {
        origins: vec!["https://app.example.com".to_string()],
        ..rules::Options::default()
    };
    let inputs = [
        (
            "a Terraform plan",
            "plan.json",
            lint_inputs::terraform_plan(RESOURCES),
        ),
        (
            "a CloudFormation template",
            "template.yaml",
            lint_inputs::cloudformation_template(RESOURCES),
        ),
    ];
    if let Some(dir) = std::env::var_os("LINT_BENCH_WRITE") {
        let dir = std::path::Path::new(&dir);
        for (_, file, text) in &inputs {
            let path = dir.join(file);
            if let Err(e) = std::fs::write(&path, text) {
                eprintln!("cannot write {}: {e}", path.display());
                std::process::exit(2);
            }
        }
        return;
    }
    let mut over = false;
    for (what, file, text) in &inputs {
        over |= bench(what, file, text, &options, runs);
    }
    if over {
        println!(
            "  OVER BUDGET (a loaded machine inflates wall time: see the CPU time and `uptime`)"
        );
    }
}

/// Times `runs` lints of `text`; true when the best run is over the budget.
fn bench(what: &str, file: &str, text: &str, options: &rules::Options, runs: usize) -> bool {
    let run = || {
        let input = lint::load_text(text, file).expect("the input imports");
        let inputs = vec![input];
        let report = lint::lint(&inputs, options);
        let out = report.render(LintFormat::Sarif, &inputs);
        (report.summary.routes, out.len())
    };
    let (routes, _) = run();
    assert_eq!(routes, RESOURCES * 2, "every GET and POST is a route");
    let cpu_before = cpu_time();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(run());
            start.elapsed()
        })
        .collect();
    // CPU time of the process (all threads) per run: what a shared, loaded machine does not
    // inflate the way it inflates wall time.
    let cpu_per_run = cpu_time().saturating_sub(cpu_before) / runs as u32;
    times.sort();
    let median = times[times.len() / 2];
    // The parts, best of three each: reading the file, the rules, the SARIF.
    let (mut read, mut checked, mut rendered) = (Duration::MAX, Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        let t = Instant::now();
        let input = lint::load_text(text, file).expect("the input imports");
        read = read.min(t.elapsed());
        let inputs = vec![input];
        let t = Instant::now();
        let report = lint::lint(&inputs, options);
        checked = checked.min(t.elapsed());
        let t = Instant::now();
        black_box(report.render(LintFormat::Sarif, &inputs));
        rendered = rendered.min(t.elapsed());
    }
    println!(
        "lint of a {RESOURCES}-resource REST API as {what} ({} KB, {routes} routes): median {:.1} ms, best {:.1} ms wall of {runs}; {:.1} ms CPU per run (budget {} ms)",
        text.len() / 1024,
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        cpu_per_run.as_secs_f64() * 1e3,
        BUDGET.as_millis()
    );
    println!(
        "  parts (best of 3): read {:.1} ms, rules {:.1} ms, SARIF {:.1} ms",
        read.as_secs_f64() * 1e3,
        checked.as_secs_f64() * 1e3,
        rendered.as_secs_f64() * 1e3
    );
    times[0] > BUDGET
}

/// User + system CPU time of this process so far.
fn cpu_time() -> Duration {
    // SAFETY: getrusage writes the struct it is given and nothing else.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid pointer to a rusage.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}
