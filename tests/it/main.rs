//! One integration-test binary (see ripgrep's tests/tests.rs): each module
//! drives the real `muniflux` binary against files served from 127.0.0.1.

/// A static file server on 127.0.0.1 with a request log, plus helpers to run
/// the binary.
mod support;

/// `check` and config errors: exit codes and messages naming file and line.
mod cli;

/// The development corpus polled end to end and compared with its gold.
mod corpus;

/// Failing sources (500, invalid feed, timeouts) lose nothing stored before.
mod bad_input;

/// Hostile servers (trickle, reset, bombs, redirect to a file, mislabelled
/// charset, files that are no article) and SIGKILL mid-poll.
mod faults;

/// `muniflux run`: the served feed, conditional requests, SIGTERM.
mod daemon;

/// One entry per story over time: corrections, revalidation limits,
/// tombstones, feed GUIDs.
mod identity;

/// What polling does to sites and the schedule: 304, Retry-After, backoff,
/// host_delay, permanent redirects, `muniflux sources`.
mod politeness;

/// Request slots and host delays: one slot serves every kind of poll; a
/// sleeping host leaves it to others.
mod scale;

/// `muniflux run` for operators: endpoints, reload, SIGTERM; the systemd unit.
mod service;

/// The operator's pages (`/`, `/sources/<id>`, `/articles/<id>`) crawled
/// and parsed, and the feeds' stylesheet.
mod pages;

/// `discover`: ranked news lists and feeds of fixture sites and the
/// corpus, `--add`, bad input.
mod discover;

/// Topic filters in a poll, in `sources`, `extract` and `discover`.
mod topics;

/// `sources --opml` and `import`: the source list out as OPML and back in.
mod opml;

/// Per-source CSS selectors in a poll and in `extract`/`links`.
mod overrides;

/// Quality floors on the public benchmarks and the real municipal pages.
mod extraction_quality;
