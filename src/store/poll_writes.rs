//! The small writes of one source poll, kept until it ends and written with
//! its outcome in one transaction: one commit per source instead of one per
//! checked page, known link and validator. New articles are still stored as
//! they are read (each upsert deduplicates against what is stored).
//!
//! None of these is read back during the poll that makes it, and losing
//! them to a kill costs only a repeated check or request.

use jiff::Timestamp;

use super::{ArticleId, PollRecord, Result, SourceId, Store};
use crate::fetch::Validators;

/// What one poll will write besides its articles, in order.
#[derive(Debug, Clone, Default)]
pub struct PollWrites {
    writes: Vec<Write>,
}

#[derive(Debug, Clone)]
enum Write {
    /// `None` forgets them.
    Validators {
        url: String,
        validators: Option<Validators>,
        at: Timestamp,
    },
    Moved {
        source: SourceId,
        to: String,
    },
    LinkSource {
        article: ArticleId,
        source: SourceId,
        at: Timestamp,
    },
    PageUnchanged {
        article: ArticleId,
        validators: Option<Validators>,
        at: Timestamp,
    },
    FeedGuid {
        source: SourceId,
        guid: String,
        link: String,
        article_url: String,
        at: Timestamp,
    },
    Filtered {
        source: SourceId,
        url: url::Url,
        filter: i64,
        reason: String,
        at: Timestamp,
    },
}

impl PollWrites {
    /// See [`Store::save_validators`].
    pub fn save_validators(&mut self, url: &str, validators: &Validators, at: Timestamp) {
        self.writes.push(Write::Validators {
            url: url.to_string(),
            validators: Some(validators.clone()),
            at,
        });
    }

    /// See [`Store::clear_validators`].
    pub fn clear_validators(&mut self, url: &str, at: Timestamp) {
        self.writes.push(Write::Validators {
            url: url.to_string(),
            validators: None,
            at,
        });
    }

    /// See [`Store::set_moved`].
    pub fn set_moved(&mut self, source: SourceId, to: &str) {
        self.writes.push(Write::Moved {
            source,
            to: to.to_string(),
        });
    }

    /// See [`Store::link_source`].
    pub fn link_source(&mut self, article: ArticleId, source: SourceId, at: Timestamp) {
        self.writes.push(Write::LinkSource {
            article,
            source,
            at,
        });
    }

    /// See [`Store::page_unchanged`].
    pub fn page_unchanged(
        &mut self,
        article: ArticleId,
        validators: Option<&Validators>,
        at: Timestamp,
    ) {
        self.writes.push(Write::PageUnchanged {
            article,
            validators: validators.cloned(),
            at,
        });
    }

    /// See [`Store::record_feed_guid`].
    pub fn record_feed_guid(
        &mut self,
        source: SourceId,
        guid: &str,
        link: &str,
        article_url: &str,
        at: Timestamp,
    ) {
        self.writes.push(Write::FeedGuid {
            source,
            guid: guid.to_string(),
            link: link.to_string(),
            article_url: article_url.to_string(),
            at,
        });
    }

    /// See [`Store::record_filtered`].
    pub fn record_filtered(
        &mut self,
        source: SourceId,
        url: &url::Url,
        filter: i64,
        reason: &str,
        at: Timestamp,
    ) {
        self.writes.push(Write::Filtered {
            source,
            url: url.clone(),
            filter,
            reason: reason.to_string(),
            at,
        });
    }

    pub fn len(&self) -> usize {
        self.writes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
}

impl Store {
    /// Ends a poll of `source`: its pending `writes`, then its outcome and
    /// next check ([`Store::record_poll`]), in one transaction.
    pub fn finish_poll(
        &mut self,
        source: SourceId,
        record: &PollRecord,
        writes: &PollWrites,
    ) -> Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match self.apply(source, record, writes) {
            Ok(()) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(())
            }
            Err(err) => {
                // The error that matters is the one that stopped the writes.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(err)
            }
        }
    }

    /// The statements of [`Store::finish_poll`]; none opens a transaction.
    fn apply(&mut self, source: SourceId, record: &PollRecord, writes: &PollWrites) -> Result<()> {
        for write in &writes.writes {
            match write {
                Write::Validators {
                    url,
                    validators: Some(v),
                    at,
                } => self.save_validators(url, v, *at)?,
                Write::Validators {
                    url,
                    validators: None,
                    ..
                } => self.clear_validators(url)?,
                Write::Moved { source, to } => self.set_moved(*source, to)?,
                Write::LinkSource {
                    article,
                    source,
                    at,
                } => self.link_source(*article, *source, *at)?,
                Write::PageUnchanged {
                    article,
                    validators,
                    at,
                } => self.page_unchanged(*article, validators.as_ref(), *at)?,
                Write::FeedGuid {
                    source,
                    guid,
                    link,
                    article_url,
                    at,
                } => self.record_feed_guid(*source, guid, link, article_url, *at)?,
                Write::Filtered {
                    source,
                    url,
                    filter,
                    reason,
                    at,
                } => self.record_filtered(*source, url, *filter, reason, *at)?,
            }
        }
        self.record_poll(source, record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::store::PollResult;

    fn at(min: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + min * 60).unwrap()
    }

    fn record(min: i64) -> PollRecord {
        PollRecord {
            at: at(min),
            status: Some(200),
            next_check_at: at(min + 30),
            result: PollResult::Success {
                warning: None,
                n_new: 0,
                n_seen: 0,
                empty: Some(false),
                kind: None,
            },
            duration_ms: 5,
        }
    }

    #[test]
    fn a_polls_writes_land_together_with_its_outcome_or_not_at_all() {
        let mut store = Store::open_in_memory().unwrap();
        let source = config::Source {
            name: "Ale".into(),
            url: "https://ale.se/nyheter/".parse().unwrap(),
            tags: vec![],
            interval: None,
            max_pages: None,
            selectors: Default::default(),
            topics: Default::default(),
        };
        let id = store.sync_sources(&[source], at(0)).unwrap()[0].id;
        let validators = Validators {
            etag: Some("\"v1\"".into()),
            last_modified: None,
        };
        let mut writes = PollWrites::default();
        writes.save_validators("https://ale.se/nyheter/", &validators, at(1));
        writes.set_moved(id, "https://www.ale.se/nyheter/");
        assert_eq!(writes.len(), 2);
        store.finish_poll(id, &record(1), &writes).unwrap();
        assert_eq!(
            store.validators("https://ale.se/nyheter/").unwrap(),
            validators
        );
        assert_eq!(
            store.fetch_url(id).unwrap().as_deref(),
            Some("https://www.ale.se/nyheter/")
        );
        assert_eq!(store.sources().unwrap()[0].next_check_at, Some(at(31)));

        // A write that fails (a link to an article that does not exist)
        // takes the whole poll with it: the validators stay as they were.
        let mut failing = PollWrites::default();
        failing.clear_validators("https://ale.se/nyheter/", at(2));
        failing.link_source(ArticleId(99), id, at(2));
        assert!(store.finish_poll(id, &record(2), &failing).is_err());
        assert_eq!(
            store.validators("https://ale.se/nyheter/").unwrap(),
            validators
        );
        assert_eq!(store.sources().unwrap()[0].next_check_at, Some(at(31)));
        // And the connection is usable again.
        store
            .finish_poll(id, &record(3), &PollWrites::default())
            .unwrap();
        assert_eq!(store.sources().unwrap()[0].next_check_at, Some(at(33)));
    }
}
