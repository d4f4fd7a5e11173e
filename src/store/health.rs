//! Poll state and health of sources: what a poll changed (status, errors,
//! next check, a permanent move) and what the status page, `/metrics` and
//! `muniflux sources` show. Every write is one statement, so a kill at any
//! instant leaves either the old or the new state.

use std::path::Path;

use jiff::Timestamp;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::{from_ts, opt_ts, parse_tags, ts, Error, Result, SourceId, Store};
use crate::model::PageKind;

/// One source's poll state and health, as stored.
#[derive(Debug, Clone, Default)]
pub struct SourceHealth {
    pub id: SourceId,
    pub name: String,
    /// The URL in the source list.
    pub url: String,
    /// Where the source is fetched from after a permanent redirect.
    pub moved_to: Option<String>,
    pub tags: Vec<String>,
    /// False once the source left the source list; its articles stay.
    pub active: bool,
    pub created_at: Option<Timestamp>,
    pub last_polled_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    /// HTTP status of the last poll's first response (304 included), when
    /// there was one.
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    /// Errors in a row.
    pub error_count: u32,
    pub next_check_at: Option<Timestamp>,
    /// Articles this source led to.
    pub n_articles: u64,
    /// Polls in a row whose page yielded no article at all.
    pub empty_polls: u32,
    /// The last poll that stored a new article.
    pub last_new_at: Option<Timestamp>,
    /// What the source's URL served when it was last read; `None` before.
    pub kind: Option<PageKind>,
    /// Links its topic filter turned away (remembered, not fetched again).
    pub n_filtered: u64,
}

/// What one poll did, for [`Store::record_poll`].
#[derive(Debug, Clone)]
pub struct PollRecord {
    pub at: Timestamp,
    pub status: Option<u16>,
    pub next_check_at: Timestamp,
    pub result: PollResult,
    /// How long the poll took, revalidation included.
    pub duration_ms: u64,
}

#[derive(Debug, Clone)]
pub enum PollResult {
    /// The source was read (or was unchanged: `empty` is then `None`).
    /// `warning` keeps a partial failure (one article page) visible.
    Success {
        warning: Option<String>,
        n_new: usize,
        /// Article links that were already known.
        n_seen: usize,
        /// Whether the page yielded no article; `None` for a 304.
        empty: Option<bool>,
        /// What the page was; `None` for a 304.
        kind: Option<PageKind>,
    },
    Failure {
        error: String,
    },
}

const HEALTH_SELECT: &str = "SELECT s.name, s.url, s.fetch_url, s.tags, s.active, s.created_at,
        s.last_polled_at, s.last_success_at, s.last_status, s.last_error, s.last_error_at,
        s.error_count, s.next_check_at, s.empty_polls, s.last_new_at,
        s.n_articles, s.kind,
        (SELECT COUNT(*) FROM filtered_links f WHERE f.source_id = s.id), s.id
    FROM sources s";

impl Store {
    /// Opens the database for reading only, without migrating it: for
    /// `muniflux sources`, which an operator may run as another user (root)
    /// while the daemon runs, and which must not create files that user owns.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let opened = |source| Error::Open {
            path: path.display().to_string(),
            source,
        };
        if path.is_dir() {
            return Err(Error::Directory {
                path: path.display().to_string(),
            });
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(opened)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // SQLite opens lazily: read the schema now, so that a file that is
        // no database fails here, naming the file.
        conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
            .map_err(opened)?;
        Ok(Store { conn })
    }

    /// Records one poll's outcome and the next check on the source, and
    /// the poll in its history ([`Store::recent_polls`]). Call it inside a
    /// transaction ([`Store::finish_poll`]).
    pub fn record_poll(&mut self, id: SourceId, poll: &PollRecord) -> Result<()> {
        super::history::insert_poll(&self.conn, id, poll)?;
        match &poll.result {
            PollResult::Success {
                warning,
                n_new,
                empty,
                kind,
                ..
            } => self.conn.execute(
                "UPDATE sources SET last_polled_at = ?2, last_success_at = ?2, error_count = 0,
                     last_status = ?3, next_check_at = ?4,
                     last_error = ?5,
                     last_error_at = CASE WHEN ?5 IS NULL THEN last_error_at ELSE ?2 END,
                     last_new_at = CASE WHEN ?6 > 0 THEN ?2 ELSE last_new_at END,
                     empty_polls = CASE WHEN ?7 IS NULL THEN empty_polls
                                        WHEN ?7 THEN empty_polls + 1 ELSE 0 END,
                     kind = COALESCE(?8, kind)
                 WHERE id = ?1",
                params![
                    id.0,
                    ts(poll.at),
                    poll.status,
                    ts(poll.next_check_at),
                    warning,
                    *n_new as i64,
                    empty,
                    kind.map(kind_name),
                ],
            )?,
            PollResult::Failure { error } => self.conn.execute(
                "UPDATE sources SET last_polled_at = ?2, last_status = ?3, next_check_at = ?4,
                     last_error = ?5, last_error_at = ?2, error_count = error_count + 1
                 WHERE id = ?1",
                params![
                    id.0,
                    ts(poll.at),
                    poll.status,
                    ts(poll.next_check_at),
                    error
                ],
            )?,
        };
        Ok(())
    }

    /// Where a source is fetched from: its URL, or where it moved to.
    pub fn fetch_url(&self, id: SourceId) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT COALESCE(fetch_url, url) FROM sources WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Remembers that a source moved permanently (every redirect hop was
    /// 301/308): it is fetched from `to` from now on, until the source list
    /// names a new URL.
    pub fn set_moved(&mut self, id: SourceId, to: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sources SET fetch_url = ?2 WHERE id = ?1",
            params![id.0, to],
        )?;
        Ok(())
    }

    /// Every stored source with its health, active ones first, in list order.
    pub fn source_health(&self) -> Result<Vec<SourceHealth>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{HEALTH_SELECT} ORDER BY s.active DESC, s.id"))?;
        let rows = stmt
            .query_map([], health_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// One source with its health.
    pub fn source_health_of(&self, id: SourceId) -> Result<Option<SourceHealth>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{HEALTH_SELECT} WHERE s.id = ?1"))?;
        Ok(stmt.query_row([id.0], health_row).optional()?)
    }
}

fn health_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SourceHealth> {
    Ok(SourceHealth {
        id: SourceId(r.get(18)?),
        name: r.get(0)?,
        url: r.get(1)?,
        moved_to: r.get(2)?,
        tags: parse_tags(&r.get::<_, String>(3)?),
        active: r.get(4)?,
        created_at: Some(from_ts(r.get(5)?)),
        last_polled_at: opt_ts(r.get(6)?),
        last_success_at: opt_ts(r.get(7)?),
        last_status: r.get(8)?,
        last_error: r.get(9)?,
        last_error_at: opt_ts(r.get(10)?),
        error_count: r.get(11)?,
        next_check_at: opt_ts(r.get(12)?),
        empty_polls: r.get(13)?,
        last_new_at: opt_ts(r.get(14)?),
        n_articles: r.get::<_, i64>(15)? as u64,
        kind: r
            .get::<_, Option<String>>(16)?
            .as_deref()
            .and_then(kind_of_name),
        n_filtered: r.get::<_, i64>(17)? as u64,
    })
}

/// How a page kind is stored.
fn kind_name(kind: PageKind) -> &'static str {
    match kind {
        PageKind::Feed => "feed",
        PageKind::Html => "list",
    }
}

fn kind_of_name(name: &str) -> Option<PageKind> {
    match name {
        "feed" => Some(PageKind::Feed),
        "list" => Some(PageKind::Html),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    fn now(min: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + min * 60).unwrap()
    }

    fn store_with_source() -> (Store, SourceId) {
        let mut store = Store::open_in_memory().unwrap();
        let source = config::Source {
            name: "Ale".into(),
            url: "https://ale.se/nyheter/".parse().unwrap(),
            tags: vec!["ale".into()],
            interval: None,
            max_pages: None,
            selectors: Default::default(),
            topics: Default::default(),
        };
        let rows = store.sync_sources(&[source], now(0)).unwrap();
        (store, rows[0].id)
    }

    fn success(at: i64, n_new: usize, empty: Option<bool>) -> PollRecord {
        PollRecord {
            at: now(at),
            status: Some(if empty.is_none() { 304 } else { 200 }),
            next_check_at: now(at + 30),
            result: PollResult::Success {
                warning: None,
                n_new,
                n_seen: 0,
                empty,
                kind: empty.map(|_| PageKind::Html),
            },
            duration_ms: 20,
        }
    }

    fn health(store: &Store) -> SourceHealth {
        store.source_health().unwrap().remove(0)
    }

    #[test]
    fn polls_count_errors_empty_polls_and_new_articles() {
        let (mut store, id) = store_with_source();
        assert_eq!(health(&store).kind, None, "not read yet");
        store.record_poll(id, &success(1, 2, Some(false))).unwrap();
        store.record_poll(id, &success(2, 0, Some(true))).unwrap();
        store.record_poll(id, &success(3, 0, None)).unwrap();
        store.record_poll(id, &success(4, 0, Some(true))).unwrap();
        let h = health(&store);
        assert_eq!(h.empty_polls, 2, "a 304 neither counts nor resets");
        assert_eq!(h.last_new_at, Some(now(1)));
        assert_eq!(h.last_status, Some(200));
        assert_eq!(
            h.kind,
            Some(PageKind::Html),
            "a 304 keeps what was read before"
        );
        let failure = PollRecord {
            at: now(5),
            status: Some(429),
            next_check_at: now(65),
            result: PollResult::Failure {
                error: "HTTP 429".into(),
            },
            duration_ms: 20,
        };
        store.record_poll(id, &failure).unwrap();
        store.record_poll(id, &failure).unwrap();
        let h = health(&store);
        assert_eq!(
            (h.error_count, h.last_status, h.next_check_at),
            (2, Some(429), Some(now(65)))
        );
        assert_eq!(h.last_success_at, Some(now(4)));
        store.record_poll(id, &success(6, 1, Some(false))).unwrap();
        let h = health(&store);
        assert_eq!((h.error_count, h.empty_polls), (0, 0));
        assert_eq!(h.last_error.as_deref(), None);
        assert_eq!(h.last_error_at, Some(now(5)));
    }

    #[test]
    fn a_moved_source_is_fetched_from_its_new_url() {
        let (mut store, id) = store_with_source();
        assert_eq!(
            store.fetch_url(id).unwrap().as_deref(),
            Some("https://ale.se/nyheter/")
        );
        store.set_moved(id, "https://www.ale.se/nyheter/").unwrap();
        assert_eq!(
            store.fetch_url(id).unwrap().as_deref(),
            Some("https://www.ale.se/nyheter/")
        );
        assert_eq!(
            health(&store).moved_to.as_deref(),
            Some("https://www.ale.se/nyheter/")
        );
    }
}
