//! muniflux: parse the command line, set up logging, run, map the outcome to
//! an exit code (0 ok, 1 failure, 2 unusable config).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use muniflux::cli::{self, Cli, LogFormat};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format, default_level(&cli.command));
    raise_open_file_limit();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("muniflux: starting the async runtime: {err}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(cli::run(cli));
    // Blocking work still running (an extraction, a store write) gets a
    // moment; a store write is a transaction either way.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("muniflux: {}", cli::error_chain(failure.error()));
            ExitCode::from(failure.exit_code())
        }
    }
}

/// A poll keeps a connection open per host in progress (hundreds with the
/// default host delay), more than the 1 024 files systemd and most shells
/// allow by default; their hard limit is far higher and is there to be
/// asked for, as systemd recommends.
fn raise_open_file_limit() {
    if let Err(err) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!(error = %err, "could not raise the open-file limit");
    }
}

/// The one-page commands print JSON on stdout; keep stderr quiet for them.
fn default_level(command: &cli::Command) -> &'static str {
    match command {
        cli::Command::Extract { .. }
        | cli::Command::Links { .. }
        | cli::Command::Check
        | cli::Command::Sources { .. }
        | cli::Command::Import { .. }
        | cli::Command::Discover { .. } => "warn",
        _ => "info",
    }
}

fn init_logging(format: LogFormat, default_level: &str) {
    let (spec, filter) = ["MUNIFLUX_LOG", "RUST_LOG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find_map(|spec| EnvFilter::try_new(&spec).ok().map(|filter| (spec, filter)))
        .unwrap_or_else(|| {
            let spec = format!("{default_level},muniflux={default_level}");
            (spec.clone(), EnvFilter::new(spec))
        });
    // html5ever warns at every parse error it recovers from as the HTML
    // standard says ("foster parenting not implemented"): hundreds of lines
    // per real page, none of them the operator's business. A filter that
    // names html5ever itself still gets them.
    let filter = if spec.contains("html5ever") {
        filter
    } else {
        filter.add_directive("html5ever=error".parse().expect("a valid directive"))
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}
