//! muniflux watches municipal websites and publishes what they post as one
//! merged Atom feed.
//!
//! # Layout
//! The modules are listed in the order data flows through them:
//! `config` (what to watch) -> `fetch` (the network) -> `extract` (pure
//! parsing) -> `store` (SQLite, dedup) -> `export` (Atom, JSON Feed) -> `serve` (HTTP);
//! `refresh` runs one source through that chain and `daemon` runs it on the
//! `schedule` (pure: when each source is due). For operators: `status`
//! (pure: source health and warnings, and the `sources` table), `pages`
//! (pure: the HTML pages of `/`, `/sources/<id>`, `/articles/<id>`, and
//! the feeds' XSLT), `metrics`
//! (Prometheus text) and `notify` (systemd's sd_notify). For growing the
//! source list: `opml` (pure: the list as OPML and back) and `source_file`
//! (appending `[[source]]` blocks to `sources.toml`, layout kept). See
//! ARCHITECTURE.md for the invariants.

pub mod canonical;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod dedup;
pub mod discover;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod metrics;
pub mod model;
pub mod notify;
pub mod opml;
pub mod pages;
pub mod refresh;
pub mod schedule;
pub mod score;
pub mod serve;
pub mod source_file;
pub mod status;
pub mod store;
pub mod topic;
