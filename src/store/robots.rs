//! robots.txt answers per origin with their expiry, so every `poll` run
//! and the daemon share one fetch per origin and day (RFC 9309 section
//! 2.4) instead of asking every host again at each start.

use futures_util::future::BoxFuture;
use rusqlite::{params, OptionalExtension};

use super::{from_ts, ts, Handle, Result, Store};
use crate::fetch::{RememberedRobots, RobotsAnswer, RobotsMemory};

impl Store {
    /// The robots.txt answer remembered for `origin`, expired or not.
    pub fn remembered_robots(&self, origin: &str) -> Result<Option<RememberedRobots>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT status, body, reason, fetched_at, expires_at FROM robots WHERE origin = ?1",
        )?;
        let row = stmt
            .query_row([origin], |r| {
                Ok((
                    r.get::<_, Option<u16>>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .optional()?;
        Ok(row.map(|(status, body, reason, fetched_at, expires_at)| {
            let answer = match (status, reason) {
                (Some(status), _) => RobotsAnswer::Response { status, body },
                (None, Some(reason)) => RobotsAnswer::Unreachable { reason },
                (None, None) => RobotsAnswer::RedirectFailure,
            };
            RememberedRobots {
                answer,
                fetched_at: from_ts(fetched_at),
                expires_at: from_ts(expires_at),
            }
        }))
    }

    /// Remembers the robots.txt answer for `origin`, replacing the old one.
    pub fn remember_robots(&mut self, origin: &str, robots: &RememberedRobots) -> Result<()> {
        let (status, body, reason): (Option<u16>, &[u8], Option<&str>) = match &robots.answer {
            RobotsAnswer::Response { status, body } => (Some(*status), body, None),
            RobotsAnswer::Unreachable { reason } => (None, &[], Some(reason)),
            RobotsAnswer::RedirectFailure => (None, &[], None),
        };
        self.conn
            .prepare_cached(
                "INSERT INTO robots (origin, status, body, reason, fetched_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(origin) DO UPDATE SET status = excluded.status, body = excluded.body,
                     reason = excluded.reason, fetched_at = excluded.fetched_at,
                     expires_at = excluded.expires_at",
            )?
            .execute(params![
                origin,
                status,
                body,
                reason,
                ts(robots.fetched_at),
                ts(robots.expires_at)
            ])?;
        Ok(())
    }
}

/// The fetch client remembers robots.txt through the store. A failing
/// database only costs a fetch: it is logged, never fatal.
impl RobotsMemory for Handle {
    fn recall<'a>(&'a self, origin: &'a str) -> BoxFuture<'a, Option<RememberedRobots>> {
        Box::pin(async move {
            let key = origin.to_string();
            match self.read(move |s| s.remembered_robots(&key)).await {
                Ok(found) => found,
                Err(err) => {
                    tracing::warn!(origin, error = %err, "reading the remembered robots.txt failed");
                    None
                }
            }
        })
    }

    fn remember<'a>(&'a self, origin: &'a str, robots: RememberedRobots) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let key = origin.to_string();
            if let Err(err) = self.call(move |s| s.remember_robots(&key, &robots)).await {
                tracing::warn!(origin, error = %err, "remembering robots.txt failed");
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    #[test]
    fn every_kind_of_answer_is_remembered_as_it_was() {
        let mut store = Store::open_in_memory().unwrap();
        let now = Timestamp::from_second(1_767_225_600).unwrap();
        assert_eq!(store.remembered_robots("https://a.se").unwrap(), None);
        let answers = [
            RobotsAnswer::Response {
                status: 200,
                body: b"User-agent: *\nDisallow: /intern/\n".to_vec(),
            },
            RobotsAnswer::Response {
                status: 404,
                body: Vec::new(),
            },
            RobotsAnswer::Unreachable {
                reason: "HTTP 503".into(),
            },
            RobotsAnswer::RedirectFailure,
        ];
        for answer in answers {
            let robots = RememberedRobots::new(answer, None, now);
            store.remember_robots("https://a.se", &robots).unwrap();
            assert_eq!(
                store.remembered_robots("https://a.se").unwrap(),
                Some(robots)
            );
        }
        assert_eq!(store.remembered_robots("https://b.se").unwrap(), None);
    }
}
