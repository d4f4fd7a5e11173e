//! systemd's notification protocol (sd_notify): READY=1 once serving,
//! STOPPING=1 on shutdown, WATCHDOG=1 at half the watchdog interval. Every
//! call is a no-op when not run by systemd (no `NOTIFY_SOCKET`), so the
//! daemon behaves the same in a terminal, in tests and under the unit's
//! `Type=notify`.

use std::future::Future;
use std::time::Duration;

use sd_notify::NotifyState;

/// Tells systemd the daemon is up (listening, source list loaded).
pub fn ready() {
    send(&[NotifyState::Ready]);
}

/// Tells systemd the daemon is shutting down.
pub fn stopping() {
    send(&[NotifyState::Stopping]);
}

/// Shows `text` in `systemctl status`.
pub fn status(text: &str) {
    send(&[NotifyState::Status(text)]);
}

fn send(states: &[NotifyState<'_>]) {
    if let Err(err) = sd_notify::notify(false, states) {
        tracing::debug!(error = %err, "sd_notify failed");
    }
}

/// How often to ping the watchdog: half of `WatchdogSec`, as sd_watchdog_enabled(3)
/// advises; `None` when systemd runs no watchdog for us.
pub fn watchdog_interval() -> Option<Duration> {
    let mut usec = 0u64;
    sd_notify::watchdog_enabled(false, &mut usec).then(|| Duration::from_micros(usec / 2))
}

/// Pings the watchdog every `interval` for as long as `alive` answers within
/// that interval; a hung store stops the pings and lets systemd restart the
/// service. Runs until the task is dropped.
pub async fn watchdog<F, Fut>(interval: Duration, alive: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match tokio::time::timeout(interval, alive()).await {
            Ok(true) => send(&[NotifyState::Watchdog]),
            _ => tracing::warn!("the store did not answer; not pinging the watchdog"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    /// The liveness check runs once per interval (paused clock: no real
    /// waiting), so a hung check shows within one interval.
    #[tokio::test(start_paused = true)]
    async fn watchdog_checks_liveness_every_interval() {
        let checks = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&checks);
        let task = tokio::spawn(watchdog(Duration::from_secs(10), move || {
            let counted = Arc::clone(&counted);
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                true
            }
        }));
        tokio::time::sleep(Duration::from_secs(35)).await;
        task.abort();
        // Ticks at 0, 10, 20 and 30 s.
        assert_eq!(checks.load(Ordering::SeqCst), 4);
    }
}
