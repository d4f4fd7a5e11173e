//! Links a source's topic filter turned away (see [`crate::topic`]), so
//! they are not fetched again on every poll, and so operators can see how
//! many there were. Each is kept with the fingerprint of the filter that
//! turned it away: after the operator changes the filter, the link is read
//! again.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};
use url::Url;

use super::{ts, Result, SourceId, Store};

impl Store {
    /// Why this source's filter (`filter`, a fingerprint) turned `url` (a
    /// canonical URL) away, if it did.
    pub fn filtered_reason(
        &self,
        source: SourceId,
        url: &Url,
        filter: i64,
    ) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT reason FROM filtered_links WHERE source_id = ?1 AND url = ?2 AND filter = ?3",
        )?;
        Ok(stmt
            .query_row(params![source.0, url.as_str(), filter], |r| r.get(0))
            .optional()?)
    }

    /// Remembers that this source's filter turned `url` away.
    pub fn record_filtered(
        &mut self,
        source: SourceId,
        url: &Url,
        filter: i64,
        reason: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO filtered_links (source_id, url, filter, reason, seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (source_id, url) DO UPDATE
             SET filter = excluded.filter, reason = excluded.reason, seen_at = excluded.seen_at",
            params![source.0, url.as_str(), filter, reason, ts(now)],
        )?;
        Ok(())
    }

    /// The fingerprint of the filter the source was last polled with.
    pub fn noted_filter(&self, source: SourceId) -> Result<Option<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT filter FROM source_filters WHERE source_id = ?1")?;
        Ok(stmt.query_row([source.0], |r| r.get(0)).optional()?)
    }

    /// Notes the filter a source is polled with. When it is not the one of
    /// the last poll, the validators of the source's page (`fetch_url`) are
    /// dropped in the same transaction, so the page is read in full and its
    /// links judged by the new filter, even if it has not changed; true
    /// then.
    pub fn note_filter(&mut self, source: SourceId, fetch_url: &str, filter: i64) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let before: Option<i64> = tx
            .query_row(
                "SELECT filter FROM source_filters WHERE source_id = ?1",
                [source.0],
                |r| r.get(0),
            )
            .optional()?;
        if before == Some(filter) {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO source_filters (source_id, filter) VALUES (?1, ?2)
             ON CONFLICT (source_id) DO UPDATE SET filter = excluded.filter",
            params![source.0, filter],
        )?;
        tx.execute("DELETE FROM fetch_state WHERE url = ?1", [fetch_url])?;
        tx.commit()?;
        Ok(true)
    }

    /// Forgets links turned away before `cutoff` (as old articles are
    /// purged); a link still listed is read once more, then.
    pub fn forget_filtered_before(&mut self, cutoff: Timestamp) -> Result<usize> {
        Ok(self.conn.execute(
            "DELETE FROM filtered_links WHERE seen_at < ?1",
            [ts(cutoff)],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    fn store_with_source() -> (Store, SourceId) {
        let mut store = Store::open_in_memory().unwrap();
        let list = config::SourceList::parse(
            std::path::Path::new("sources.toml"),
            "[[source]]\nname = \"Ale\"\nurl = \"https://ale.se/nyheter/\"\ninclude = [\"företag\"]\n",
        )
        .unwrap();
        let rows = store
            .sync_sources(&list.sources, Timestamp::UNIX_EPOCH)
            .unwrap();
        (store, rows[0].id)
    }

    #[test]
    fn a_turned_away_link_is_remembered_for_its_filter_and_counted() {
        let (mut store, id) = store_with_source();
        let url = Url::parse("https://ale.se/nyheter/skolstart.html").unwrap();
        let at = Timestamp::from_second(1_767_225_600).unwrap();
        assert_eq!(store.filtered_reason(id, &url, 7).unwrap(), None);
        store
            .record_filtered(id, &url, 7, "no include keyword", at)
            .unwrap();
        assert_eq!(
            store.filtered_reason(id, &url, 7).unwrap().as_deref(),
            Some("no include keyword")
        );
        assert_eq!(
            store.filtered_reason(id, &url, 8).unwrap(),
            None,
            "another filter"
        );
        store.record_filtered(id, &url, 8, "excluded", at).unwrap();
        let health = store.source_health().unwrap();
        assert_eq!(health[0].n_filtered, 1);
        assert_eq!(store.forget_filtered_before(at).unwrap(), 0);
        let later = Timestamp::from_second(1_767_225_601).unwrap();
        assert_eq!(store.forget_filtered_before(later).unwrap(), 1);
        assert_eq!(store.source_health().unwrap()[0].n_filtered, 0);
    }

    #[test]
    fn a_changed_filter_drops_the_source_pages_validators() {
        let (mut store, id) = store_with_source();
        let page = "https://ale.se/nyheter/";
        let validators = crate::fetch::Validators {
            etag: Some("\"v1\"".into()),
            last_modified: None,
        };
        let at = Timestamp::from_second(1_767_225_600).unwrap();
        assert!(store.note_filter(id, page, 7).unwrap(), "the first poll");
        store.save_validators(page, &validators, at).unwrap();
        assert!(!store.note_filter(id, page, 7).unwrap());
        assert_eq!(store.validators(page).unwrap(), validators);
        assert!(store.note_filter(id, page, 8).unwrap());
        assert_eq!(store.validators(page).unwrap(), Default::default());
    }
}
