//! Load benchmark: `muniflux poll` against N simulated municipal sites.
//!
//! ```text
//! cargo bench --bench load -- [--sources 100,1000,10000] [--latency-ms 0]
//!     [--host-delay 0s] [--export 200,5000] [--muniflux PATH]... [--poll KEY=VALUE]...
//! ```
//!
//! For each N, N sites start in this process, one per loopback address
//! (`site.rs`: list pages or feeds of ten items, ~38 KB article pages,
//! validators, 304s). Each muniflux binary (the one built with this bench
//! unless `--muniflux` names others, for before/after comparisons in one
//! run) then polls them twice from a fresh database, as a child process:
//! the first poll reads everything, the second is all conditional requests.
//! Its wall time, CPU time (user + system, from `wait4`) per request and
//! peak RSS are printed, then the time `muniflux export` takes for each
//! `--export` size from the resulting store. Nothing is asserted: this
//! prints numbers to compare.

mod site;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Numbers of sources to simulate, one run each.
    #[arg(long, value_delimiter = ',', default_values_t = [100, 1000, 10_000])]
    sources: Vec<usize>,
    /// Latency the sites add before every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// `[poll] host_delay` of the polls.
    #[arg(long, default_value = "0s")]
    host_delay: String,
    /// `[feed] max_entries` of the timed exports.
    #[arg(long, value_delimiter = ',', default_values_t = [200, 5000])]
    export: Vec<usize>,
    /// muniflux binaries to compare; default: the one built with this bench.
    #[arg(long = "muniflux")]
    binaries: Vec<PathBuf>,
    /// More `[poll]` settings, as `key = value` TOML lines.
    #[arg(long)]
    poll: Vec<String>,
    /// A poll still running after this many seconds is stopped.
    #[arg(long, default_value_t = 900)]
    timeout_s: u64,
    /// Keep each run's folder (config, database, logs) and print where.
    #[arg(long)]
    keep: bool,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

/// What one child process cost.
#[derive(Debug, Default, Clone, Copy)]
struct Usage {
    wall: Duration,
    cpu: Duration,
    max_rss_kb: i64,
    timed_out: bool,
}

/// One poll as measured.
#[derive(Debug, Clone)]
struct Poll {
    usage: Usage,
    requests: u64,
    not_modified: u64,
    robots: u64,
    articles: u64,
    failed: String,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binaries = if args.binaries.is_empty() {
        vec![PathBuf::from(env!("CARGO_BIN_EXE_muniflux"))]
    } else {
        args.binaries.clone()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "muniflux load benchmark: host_delay {}, latency {} ms, {} cores",
        args.host_delay,
        args.latency_ms,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for &n in &args.sources {
        let sites = runtime.block_on(site::start(n, Duration::from_millis(args.latency_ms)))?;
        for binary in &binaries {
            run_one(&args, binary, n, &sites)?;
        }
        runtime.block_on(sites.stop());
    }
    Ok(())
}

fn run_one(args: &Args, binary: &Path, n: usize, sites: &site::Sites) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    write_sources(dir.path(), &sites.urls)?;
    write_config(dir.path(), args, 200)?;
    let label = binary.display();
    println!("\n== {n} sources, {label}");
    let first = poll(args, binary, dir.path(), sites)?;
    report("1st poll (all new)", n, &first, first.articles);
    let second = poll(args, binary, dir.path(), sites)?;
    report("2nd poll (all 304)", n, &second, 0);
    for &entries in &args.export {
        write_config(dir.path(), args, entries)?;
        let out = dir.path().join("feed.atom");
        let usage = run(
            Command::new(binary)
                .arg("-c")
                .arg(dir.path().join("muniflux.toml"))
                .arg("export")
                .arg("-o")
                .arg(&out),
            dir.path().join("export.log"),
            Duration::from_secs(args.timeout_s),
        )?;
        let bytes = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        println!(
            "   export {entries:>5} entries: {:7.3} s wall, {:7.3} s CPU, feed {:.1} MB, peak RSS {:.0} MB",
            usage.wall.as_secs_f64(),
            usage.cpu.as_secs_f64(),
            bytes as f64 / 1e6,
            usage.max_rss_kb as f64 / 1024.0
        );
    }
    if args.keep {
        println!("   kept in {}", dir.keep().display());
    }
    Ok(())
}

fn report(what: &str, n: usize, poll: &Poll, new_articles: u64) {
    let u = &poll.usage;
    let wall = u.wall.as_secs_f64();
    let per_request_ms = u.cpu.as_secs_f64() * 1e3 / poll.requests.max(1) as f64;
    let done = if u.timed_out {
        " NOT DONE (timeout)"
    } else {
        ""
    };
    println!(
        "   {what}: {wall:8.2} s wall{done}, {} requests ({:.0}/s, {} were 304, {} robots.txt), \
         CPU {:.2} s = {per_request_ms:.3} ms/request = {:.2} ms/source, peak RSS {:.0} MB{}",
        poll.requests,
        poll.requests as f64 / wall,
        poll.not_modified,
        poll.robots,
        u.cpu.as_secs_f64(),
        u.cpu.as_secs_f64() * 1e3 / n as f64,
        u.max_rss_kb as f64 / 1024.0,
        poll.failed
    );
    if new_articles > 0 {
        println!(
            "      {} articles stored = {:.0} articles/s",
            new_articles,
            new_articles as f64 / wall
        );
    }
}

fn poll(args: &Args, binary: &Path, dir: &Path, sites: &site::Sites) -> anyhow::Result<Poll> {
    let before = sites.stats.snapshot();
    let log = dir.join("poll.log");
    let usage = run(
        Command::new(binary)
            .arg("-c")
            .arg(dir.join("muniflux.toml"))
            .arg("poll"),
        log.clone(),
        Duration::from_secs(args.timeout_s),
    )?;
    let after = sites.stats.snapshot();
    let articles = muniflux::store::Store::open_read_only(&dir.join("muniflux.db"))
        .and_then(|s| s.article_count())
        .unwrap_or(0);
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let failed = text
        .lines()
        .rev()
        .find(|l| l.contains("poll done"))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with("failed=")))
        .filter(|w| *w != "failed=0")
        .map(|w| format!(", {w} sources"))
        .unwrap_or_default();
    Ok(Poll {
        usage,
        requests: after.0 - before.0,
        not_modified: after.1 - before.1,
        robots: after.2 - before.2,
        articles,
        failed,
    })
}

fn write_sources(dir: &Path, urls: &[String]) -> std::io::Result<()> {
    let mut text = String::with_capacity(urls.len() * 100);
    for (i, url) in urls.iter().enumerate() {
        text.push_str(&format!(
            "[[source]]\nname = \"Kommun {i}\"\nurl = \"{url}\"\ntags = [\"k{}\"]\n\n",
            i % 20
        ));
    }
    std::fs::write(dir.join("sources.toml"), text)
}

fn write_config(dir: &Path, args: &Args, max_entries: usize) -> std::io::Result<()> {
    let extra = args.poll.join("\n");
    std::fs::write(
        dir.join("muniflux.toml"),
        format!(
            "database = \"muniflux.db\"\nsources = \"sources.toml\"\n\n\
             [feed]\ntitle = \"Last\"\nmax_entries = {max_entries}\n\n\
             [poll]\nhost_delay = \"{}\"\nuser_agent = \"muniflux-bench/1.0 (+https://example.org)\"\n{extra}\n",
            args.host_delay
        ),
    )
}

/// Runs `command` to its end (or the timeout), its stderr to `log`, and
/// returns what it cost: `wait4` gives the child's own CPU time, not the
/// sites'. Its peak RSS is sampled from `/proc/<pid>/status` (VmHWM) while
/// it runs, because the `ru_maxrss` of a child starts from this process's
/// RSS at the fork.
fn run(command: &mut Command, log: PathBuf, timeout: Duration) -> anyhow::Result<Usage> {
    let started = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log)?)
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut timed_out = false;
    let mut max_rss_kb = 0;
    loop {
        max_rss_kb = max_rss_kb.max(peak_rss_kb(pid).unwrap_or(0));
        let mut status = 0;
        // SAFETY: an all-zero rusage is valid; wait4 writes into both
        // out-parameters, which live across the call.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if done == pid {
            let cpu = timeval(usage.ru_utime) + timeval(usage.ru_stime);
            let succeeded = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
            if !(timed_out || succeeded) {
                eprintln!(
                    "   (child exited with status {status}; see {})",
                    log.display()
                );
            }
            return Ok(Usage {
                wall: started.elapsed(),
                cpu,
                max_rss_kb,
                timed_out,
            });
        }
        if done < 0 {
            anyhow::bail!("wait4: {}", std::io::Error::last_os_error());
        }
        if !timed_out && started.elapsed() > timeout {
            // SAFETY: pid is our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            timed_out = true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The peak resident set of a running process, in KB.
fn peak_rss_kb(pid: libc::pid_t) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}
