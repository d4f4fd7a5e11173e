//! Counters for `GET /metrics`, in the Prometheus text format (0.0.4).
//!
//! Counters live in memory and start at zero with the process, as Prometheus
//! expects; per-source gauges (last success age, error count) are read from
//! the store at scrape time so they survive restarts. Hand-written: a few
//! atomics do not need a metrics crate.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use jiff::Timestamp;

use crate::status::SourceHealth;

/// Upper bounds (seconds) of the fetch latency buckets.
const LATENCY_BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// A latency histogram with fixed buckets.
#[derive(Debug, Default)]
pub struct Histogram {
    /// Cumulative counts per bucket of [`LATENCY_BUCKETS`].
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    fn render(&self, name: &str, help: &str, out: &mut String) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            let n = bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {n}");
        }
        let count = self.count();
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}

/// How one poll ended, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollResult<'a> {
    Fetched {
        n_new: usize,
    },
    NotModified,
    /// `kind` names the failed operation (`timeout`, `http_5xx`, ...).
    Failed {
        kind: &'a str,
    },
}

/// The process's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    polls_fetched: AtomicU64,
    polls_not_modified: AtomicU64,
    polls_failed: AtomicU64,
    new_articles: AtomicU64,
    filtered_articles: AtomicU64,
    errors_by_kind: Mutex<BTreeMap<String, u64>>,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
}

impl Metrics {
    pub fn record_poll(&self, result: PollResult<'_>) {
        match result {
            PollResult::Fetched { n_new } => {
                self.polls_fetched.fetch_add(1, Ordering::Relaxed);
                self.new_articles.fetch_add(n_new as u64, Ordering::Relaxed);
            }
            PollResult::NotModified => {
                self.polls_not_modified.fetch_add(1, Ordering::Relaxed);
            }
            PollResult::Failed { kind } => {
                self.polls_failed.fetch_add(1, Ordering::Relaxed);
                let mut errors = self
                    .errors_by_kind
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                *errors.entry(kind.to_string()).or_default() += 1;
            }
        }
    }

    /// Links a topic filter turned away (each counted once, when it was
    /// read and judged).
    pub fn record_filtered(&self, n: usize) {
        self.filtered_articles
            .fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn record_reload(&self, ok: bool) {
        let counter = if ok {
            &self.reloads_ok
        } else {
            &self.reloads_failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text: the counters, `latency` (the HTTP client's fetch
    /// latency) and one gauge per source from `sources`.
    pub fn render(&self, latency: &Histogram, sources: &[SourceHealth], now: Timestamp) -> String {
        let mut out = String::new();
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        counter(
            &mut out,
            "muniflux_polls_total",
            "Source polls by outcome.",
            &[
                ("outcome=\"fetched\"", get(&self.polls_fetched)),
                ("outcome=\"not_modified\"", get(&self.polls_not_modified)),
                ("outcome=\"error\"", get(&self.polls_failed)),
            ],
        );
        let errors = self
            .errors_by_kind
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let labels: Vec<(String, u64)> = errors
            .into_iter()
            .map(|(kind, n)| (format!("kind=\"{}\"", escape_label(&kind)), n))
            .collect();
        let labels: Vec<(&str, u64)> = labels.iter().map(|(l, n)| (l.as_str(), *n)).collect();
        counter(
            &mut out,
            "muniflux_poll_errors_total",
            "Failed source polls by kind of error.",
            &labels,
        );
        counter(
            &mut out,
            "muniflux_new_articles_total",
            "Articles stored for the first time.",
            &[("", get(&self.new_articles))],
        );
        counter(
            &mut out,
            "muniflux_filtered_articles_total",
            "Articles a source's topic filter turned away.",
            &[("", get(&self.filtered_articles))],
        );
        counter(
            &mut out,
            "muniflux_reloads_total",
            "Source list reloads by result.",
            &[
                ("result=\"ok\"", get(&self.reloads_ok)),
                ("result=\"error\"", get(&self.reloads_failed)),
            ],
        );
        latency.render(
            "muniflux_fetch_duration_seconds",
            "Time to the response headers of one HTTP request.",
            &mut out,
        );
        source_gauges(&mut out, sources, now);
        out
    }
}

fn counter(out: &mut String, name: &str, help: &str, values: &[(&str, u64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    for (labels, value) in values {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

/// Per-source gauges of the active sources: seconds since the last success
/// (absent when never), errors in a row, stored articles.
fn source_gauges(out: &mut String, sources: &[SourceHealth], now: Timestamp) {
    let active: Vec<&SourceHealth> = sources.iter().filter(|s| s.active).collect();
    gauge(
        out,
        "muniflux_source_last_success_age_seconds",
        "Seconds since the source was last read.",
        &active,
        |s| {
            s.last_success_at
                .map(|at| (now.as_second() - at.as_second()).max(0))
        },
    );
    gauge(
        out,
        "muniflux_source_errors",
        "Errors in a row of the source.",
        &active,
        |s| Some(i64::from(s.error_count)),
    );
    gauge(
        out,
        "muniflux_source_articles",
        "Articles stored from the source.",
        &active,
        |s| i64::try_from(s.n_articles).ok(),
    );
    gauge(
        out,
        "muniflux_source_filtered_articles",
        "Links the source's topic filter turned away (remembered, not fetched again).",
        &active,
        |s| i64::try_from(s.n_filtered).ok(),
    );
}

/// One gauge with a sample per source that has a value.
fn gauge(
    out: &mut String,
    name: &str,
    help: &str,
    sources: &[&SourceHealth],
    value: impl Fn(&SourceHealth) -> Option<i64>,
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for source in sources {
        if let Some(v) = value(source) {
            let _ = writeln!(out, "{name}{{{}}} {v}", source_labels(source));
        }
    }
}

fn source_labels(s: &SourceHealth) -> String {
    format!(
        "source=\"{}\",url=\"{}\"",
        escape_label(&s.name),
        escape_label(&s.url)
    )
}

/// Label values escape backslash, double quote and newline.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_has_counters_histogram_and_escaped_labels() {
        let metrics = Metrics::default();
        metrics.record_poll(PollResult::Fetched { n_new: 3 });
        metrics.record_poll(PollResult::NotModified);
        metrics.record_poll(PollResult::Failed { kind: "http_5xx" });
        metrics.record_poll(PollResult::Failed { kind: "http_5xx" });
        metrics.record_filtered(4);
        metrics.record_filtered(1);
        let latency = Histogram::default();
        latency.observe(Duration::from_millis(80));
        latency.observe(Duration::from_secs(3));
        let now: Timestamp = "2026-01-01T00:10:00Z".parse().unwrap();
        let source = SourceHealth {
            name: "Ale \"kommun\"".into(),
            url: "https://ale.se/".into(),
            active: true,
            last_success_at: Some("2026-01-01T00:00:00Z".parse().unwrap()),
            error_count: 2,
            n_articles: 7,
            n_filtered: 9,
            ..SourceHealth::default()
        };
        let text = metrics.render(&latency, &[source], now);
        for line in [
            "muniflux_polls_total{outcome=\"fetched\"} 1",
            "muniflux_polls_total{outcome=\"not_modified\"} 1",
            "muniflux_polls_total{outcome=\"error\"} 2",
            "muniflux_poll_errors_total{kind=\"http_5xx\"} 2",
            "muniflux_new_articles_total 3",
            "muniflux_filtered_articles_total 5",
            "muniflux_source_filtered_articles{source=\"Ale \\\"kommun\\\"\",url=\"https://ale.se/\"} 9",
            "muniflux_fetch_duration_seconds_bucket{le=\"0.05\"} 0",
            "muniflux_fetch_duration_seconds_bucket{le=\"0.1\"} 1",
            "muniflux_fetch_duration_seconds_bucket{le=\"5\"} 2",
            "muniflux_fetch_duration_seconds_bucket{le=\"+Inf\"} 2",
            "muniflux_fetch_duration_seconds_count 2",
            "muniflux_source_last_success_age_seconds{source=\"Ale \\\"kommun\\\"\",url=\"https://ale.se/\"} 600",
            "muniflux_source_errors{source=\"Ale \\\"kommun\\\"\",url=\"https://ale.se/\"} 2",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
    }
}
