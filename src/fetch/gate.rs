//! Per-host politeness: at most one request at a time per host, and a pause
//! between the end of one request and the start of the next.
//!
//! Municipal sites run on small servers behind WAFs that block bursts
//! (jonkoping.se answered "Ditt anrop har blivit nekat"), so the pause is
//! measured from the *end* of the previous request, body included.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use tokio::time::Instant;

/// One slot per host key; the slot holds when the last request there ended.
///
/// The map only grows: the client talks to the few dozen hosts of its source
/// list, so forgetting hosts is not worth the complexity.
#[derive(Default)]
pub(crate) struct Gate {
    hosts: Mutex<HashMap<String, Arc<AsyncMutex<Option<Instant>>>>>,
}

/// The right to send one request to a host. Dropping it (after the body was
/// read, or on any error) records the end of the request.
pub(crate) struct Permit {
    last_end: OwnedMutexGuard<Option<Instant>>,
}

impl Gate {
    /// Waits until no other request to `host` is in flight and `delay` has
    /// passed since the last one ended. Waiters are served in FIFO order
    /// (tokio's mutex is fair).
    pub(crate) async fn enter(&self, host: &str, delay: Duration) -> Permit {
        let slot = {
            let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(hosts.entry(host.to_string()).or_default())
        };
        let last_end = slot.lock_owned().await;
        if let Some(end) = *last_end {
            tokio::time::sleep_until(end + delay).await;
        }
        Permit { last_end }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        *self.last_end = Some(Instant::now());
    }
}

/// The politeness key of a URL: host and port, so two servers on one
/// machine (or one host on http and https) are separate hosts.
pub(crate) fn host_key(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELAY: Duration = Duration::from_millis(150);
    /// Long enough that a missed wake-up would show, short enough for CI.
    const PROMPTLY: Duration = Duration::from_secs(2);

    #[tokio::test]
    async fn first_request_to_a_host_does_not_wait() {
        let gate = Gate::default();
        let started = Instant::now();
        drop(gate.enter("a:80", Duration::from_secs(3600)).await);
        assert!(started.elapsed() < PROMPTLY);
    }

    #[tokio::test]
    async fn delay_counts_from_the_end_of_the_previous_request() {
        let gate = Gate::default();
        let permit = gate.enter("a:80", DELAY).await;
        tokio::task::yield_now().await;
        drop(permit);
        let ended = Instant::now();
        drop(gate.enter("a:80", DELAY).await);
        assert!(ended.elapsed() >= DELAY, "{:?}", ended.elapsed());
    }

    #[tokio::test]
    async fn one_request_at_a_time_per_host() {
        let gate = Gate::default();
        let first = gate.enter("a:80", Duration::ZERO).await;
        let while_busy = tokio::time::timeout(DELAY, gate.enter("a:80", Duration::ZERO));
        assert!(
            while_busy.await.is_err(),
            "entered while another request was in flight"
        );
        drop(first);
        let after = tokio::time::timeout(PROMPTLY, gate.enter("a:80", Duration::ZERO));
        assert!(after.await.is_ok());
    }

    #[tokio::test]
    async fn hosts_do_not_wait_for_each_other() {
        let gate = Gate::default();
        let _busy = gate.enter("a:80", Duration::from_secs(3600)).await;
        let other_port = tokio::time::timeout(PROMPTLY, gate.enter("a:8080", Duration::ZERO));
        assert!(other_port.await.is_ok());
        let other_host = tokio::time::timeout(PROMPTLY, gate.enter("b:80", Duration::ZERO));
        assert!(other_host.await.is_ok());
    }

    #[test]
    fn host_key_includes_the_port() {
        let key = |url: &str| host_key(&url::Url::parse(url).unwrap());
        assert_eq!(key("https://www.vaxjo.se/rss"), "www.vaxjo.se:443");
        assert_eq!(key("http://www.vaxjo.se/rss"), "www.vaxjo.se:80");
        assert_eq!(key("http://127.0.0.1:8765/a"), "127.0.0.1:8765");
    }
}
