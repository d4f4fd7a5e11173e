//! Feed identity: the item ids (RSS guid, Atom id) each feed source gave,
//! with the link they came with and the article they led to, and whether the
//! source's ids are still trusted (see [`crate::dedup::guid`]).

use std::collections::HashMap;

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};

use super::{ts, Result, SourceId, Store};

impl Store {
    /// Why this source's GUIDs are not trusted, or `None` while they are.
    pub fn guid_distrust(&self, source: SourceId) -> Result<Option<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT reason FROM feed_identity WHERE source_id = ?1")?;
        Ok(stmt.query_row([source.0], |r| r.get(0)).optional()?)
    }

    /// Stops trusting this source's GUIDs, for good; the ids recorded so far
    /// are forgotten, since they identify nothing.
    pub fn distrust_guids(&mut self, source: SourceId, reason: &str, now: Timestamp) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO feed_identity (source_id, distrusted_at, reason) VALUES (?1, ?2, ?3)",
            params![source.0, ts(now), reason],
        )?;
        tx.execute("DELETE FROM feed_guids WHERE source_id = ?1", [source.0])?;
        tx.commit()?;
        Ok(())
    }

    /// The canonical link each recorded GUID of this source last came with,
    /// keyed by link.
    pub fn guids_by_link(&self, source: SourceId) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT link, guid FROM feed_guids WHERE source_id = ?1")?;
        let pairs = stmt
            .query_map([source.0], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<HashMap<_, _>, _>>()?;
        Ok(pairs)
    }

    /// The canonical URL of the article this source's `guid` led to.
    pub fn article_url_by_guid(&self, source: SourceId, guid: &str) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT article_url FROM feed_guids WHERE source_id = ?1 AND guid = ?2",
        )?;
        Ok(stmt
            .query_row(params![source.0, guid], |r| r.get(0))
            .optional()?)
    }

    /// Records that `guid` came with `link` and leads to the article stored
    /// under `article_url` (kept from the first time: it is the identity).
    pub fn record_feed_guid(
        &mut self,
        source: SourceId,
        guid: &str,
        link: &str,
        article_url: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO feed_guids (source_id, guid, link, article_url, seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(source_id, guid) DO UPDATE SET link = excluded.link, seen_at = excluded.seen_at",
            params![source.0, guid, link, article_url, ts(now)],
        )?;
        Ok(())
    }
}
