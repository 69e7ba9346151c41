use clap::Parser;

/// mimalloc instead of the system allocator: reading a large template or plan allocates
/// hundreds of thousands of small values, and glibc's malloc/free took ~40 % of `lint`'s time
/// (see the README's lint figures and `scripts/bench-lint.sh`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = match cors_doctor::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => std::process::exit(cors_doctor::app::parse_error(e)),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "cors-doctor: cannot start the async runtime: {e}"
            );
            std::process::exit(2);
        }
    };
    let code = runtime.block_on(cors_doctor::app::run(cli));
    std::process::exit(code);
}
