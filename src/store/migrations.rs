//! Append-only schema migrations, keyed on `PRAGMA user_version`.
//! Never edit a migration that has shipped: add a new one.

use rusqlite::Transaction;
use rusqlite_migration::{HookResult, Migrations, M};

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up_with_hook(V4, give_every_article_its_bands),
        M::up(V5),
        M::up(V6),
        M::up(V7),
        M::up(V8),
        M::up(V9),
    ])
}

/// Sources with their poll state, per-URL validators, articles, and the URLs
/// and sources each article is known by.
const V1: &str = "
CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    tags            TEXT NOT NULL DEFAULT '[]',
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL,
    last_polled_at  INTEGER,
    last_success_at INTEGER,
    last_error      TEXT,
    last_error_at   INTEGER,
    error_count     INTEGER NOT NULL DEFAULT 0,
    next_check_at   INTEGER
);

CREATE TABLE fetch_state (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    fetched_at    INTEGER NOT NULL
);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    entry_id      TEXT NOT NULL UNIQUE,
    url           TEXT NOT NULL,
    title         TEXT NOT NULL,
    title_norm    TEXT NOT NULL,
    published     TEXT,
    updated       TEXT,
    date_source   TEXT,
    author        TEXT,
    body_html     TEXT NOT NULL,
    body_text     TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL,
    changed_at    INTEGER NOT NULL,
    sort_at       INTEGER NOT NULL
);
CREATE INDEX articles_by_sort ON articles (sort_at DESC, id DESC);
CREATE INDEX articles_by_title ON articles (title_norm);

CREATE TABLE article_urls (
    url        TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);
CREATE INDEX article_urls_by_article ON article_urls (article_id);

CREATE TABLE article_sources (
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    source_id     INTEGER NOT NULL REFERENCES sources (id),
    first_seen_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, source_id)
);
CREATE INDEX article_sources_by_source ON article_sources (source_id);
";

/// Poll health: where a source moved to (permanent redirects), the last
/// HTTP status, and what the status page warns about (polls in a row that
/// found no article, the last poll that found a new one).
const V2: &str = "
ALTER TABLE sources ADD COLUMN fetch_url TEXT;
ALTER TABLE sources ADD COLUMN last_status INTEGER;
ALTER TABLE sources ADD COLUMN empty_polls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN last_new_at INTEGER;
";

/// Dedup state (issue 5). Depends only on V1's tables.
///
/// - `article_bands`: the MinHash band keys of each article's body, to find
///   cross-post candidates without comparing against every article;
/// - `article_pages`: the article page each article is revalidated from,
///   with its validators and the hash of the story as last extracted;
/// - `feed_item_versions`: the same hash for articles whose whole text came
///   from a feed item, so a changed item corrects them;
/// - `tombstones`: every URL of a purged article, so it is not added again;
/// - `feed_guids` / `feed_identity`: each feed source's item ids and whether
///   they are still trusted as identities.
const V3: &str = "
CREATE TABLE article_bands (
    band       INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (band, article_id)
) WITHOUT ROWID;
CREATE INDEX article_bands_by_article ON article_bands (article_id);

CREATE TABLE article_pages (
    article_id    INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    story_hash    INTEGER NOT NULL,
    checked_at    INTEGER NOT NULL -- milliseconds, unlike the seconds elsewhere
);
CREATE INDEX article_pages_by_check ON article_pages (checked_at);

CREATE TABLE feed_item_versions (
    source_id  INTEGER NOT NULL REFERENCES sources (id),
    link       TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    story_hash INTEGER NOT NULL,
    PRIMARY KEY (source_id, link)
);

CREATE TABLE tombstones (
    url       TEXT PRIMARY KEY,
    entry_id  TEXT NOT NULL,
    purged_at INTEGER NOT NULL
);

CREATE TABLE feed_guids (
    source_id   INTEGER NOT NULL REFERENCES sources (id),
    guid        TEXT NOT NULL,
    link        TEXT NOT NULL,
    article_url TEXT NOT NULL,
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (source_id, guid)
);

CREATE TABLE feed_identity (
    source_id      INTEGER PRIMARY KEY REFERENCES sources (id),
    distrusted_at  INTEGER NOT NULL,
    reason         TEXT NOT NULL
);
";

/// Linear cost per source (issue 13).
///
/// - `article_bodies`: bodies leave `articles`, so a query that reads
///   dates, ids or headlines of many articles no longer walks the overflow
///   pages of every body (the revalidation pick read the whole table that
///   way on every source poll). Every stored body is copied over, then the
///   columns are dropped;
/// - `article_sources` is indexed by `(source_id, first_seen_at)`, so one
///   source's recent articles are a range of that index (the old
///   `(source_id)` index is a prefix of it);
///
/// The hook gives band keys to articles stored before V3 had them, once,
/// instead of searching for such articles every time the store opens.
const V4: &str = "
CREATE TABLE article_bodies (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    body_html  TEXT NOT NULL,
    body_text  TEXT NOT NULL
);
INSERT INTO article_bodies (article_id, body_html, body_text)
    SELECT id, body_html, body_text FROM articles;
ALTER TABLE articles DROP COLUMN body_html;
ALTER TABLE articles DROP COLUMN body_text;

DROP INDEX article_sources_by_source;
CREATE INDEX article_sources_by_source ON article_sources (source_id, first_seen_at);
";

fn give_every_article_its_bands(tx: &Transaction<'_>) -> HookResult {
    super::fingerprints::backfill(tx)?;
    Ok(())
}

/// What a source's URL served the last time it was read (`feed` or
/// `list`), so the OPML export can give feeds an `xmlUrl` and list pages
/// a plain link without fetching anything.
const V5: &str = "
ALTER TABLE sources ADD COLUMN kind TEXT;
";

/// robots.txt per origin (`scheme://host:port`) with its expiry, shared by
/// every `poll` run and the daemon (issue 13). `status` is NULL when no
/// response came: `reason` then says why (unreachable), or is NULL too
/// (a redirect loop).
const V6: &str = "
CREATE TABLE robots (
    origin     TEXT PRIMARY KEY,
    status     INTEGER,
    body       BLOB NOT NULL,
    reason     TEXT,
    fetched_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
";

/// Links that led to no article, with the reason and when to try again
/// (`store::skipped`).
const V7: &str = "
CREATE TABLE skipped_links (
    url        TEXT PRIMARY KEY, -- canonical
    reason     TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    skipped_at INTEGER NOT NULL,
    retry_at   INTEGER NOT NULL
);
";

/// Links a source's topic filter turned away (issue 11), with the
/// fingerprint of that filter, so they are not fetched every poll and are
/// counted per source; and the fingerprint of each source's filter at its
/// last poll, so a changed filter reads the source's list again in full.
const V8: &str = "
CREATE TABLE filtered_links (
    source_id INTEGER NOT NULL REFERENCES sources (id),
    url       TEXT NOT NULL,
    filter    INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (source_id, url)
) WITHOUT ROWID;
CREATE INDEX filtered_links_by_time ON filtered_links (seen_at);

CREATE TABLE source_filters (
    source_id INTEGER PRIMARY KEY REFERENCES sources (id),
    filter    INTEGER NOT NULL
);
";

/// What the operator's pages show (issue 14), each read from an index
/// bounded by what the page shows:
///
/// - `polls`: one row per poll of a source (the last
///   [`super::history::POLLS_KEPT`] are kept), for a source's poll history;
/// - `rounds`: when each poll round started and ended, and what it did;
/// - `corrections`: what a correction changed in an article, and when;
/// - `article_sources.sort_at`: the article's feed order, copied (it never
///   changes after the insert), so one source's articles newest first are
///   a range of `article_sources_by_sort`;
/// - `articles_by_first_seen`: the articles stored since a time (new
///   articles in the last days) without reading all of them;
/// - `sources.n_articles`: how many articles each source led to, kept by
///   triggers, so listing sources never counts a source's every article.
const V9: &str = "
CREATE TABLE polls (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources (id),
    at           INTEGER NOT NULL,
    status       INTEGER,
    outcome      TEXT NOT NULL, -- read, not modified, failed
    n_new        INTEGER NOT NULL,
    n_seen       INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    error        TEXT
);
CREATE INDEX polls_by_source ON polls (source_id, id);

CREATE TABLE rounds (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL, -- milliseconds
    finished_at INTEGER NOT NULL, -- milliseconds
    n_polled    INTEGER NOT NULL,
    n_failed    INTEGER NOT NULL,
    n_new       INTEGER NOT NULL
);

CREATE TABLE corrections (
    id             INTEGER PRIMARY KEY,
    article_id     INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    at             INTEGER NOT NULL,
    title_before   TEXT NOT NULL,
    title_after    TEXT NOT NULL,
    updated_before TEXT,
    updated_after  TEXT,
    chars_before   INTEGER NOT NULL,
    chars_after    INTEGER NOT NULL,
    removed        TEXT NOT NULL, -- JSON list of paragraphs no longer in the body
    added          TEXT NOT NULL  -- JSON list of paragraphs new in the body
);
CREATE INDEX corrections_by_article ON corrections (article_id, id);

ALTER TABLE article_sources ADD COLUMN sort_at INTEGER NOT NULL DEFAULT 0;
UPDATE article_sources SET sort_at = (SELECT a.sort_at FROM articles a WHERE a.id = article_id);
CREATE INDEX article_sources_by_sort ON article_sources (source_id, sort_at DESC, article_id DESC);

CREATE INDEX articles_by_first_seen ON articles (first_seen_at);

ALTER TABLE sources ADD COLUMN n_articles INTEGER NOT NULL DEFAULT 0;
UPDATE sources SET n_articles = (SELECT COUNT(*) FROM article_sources a WHERE a.source_id = sources.id);
CREATE TRIGGER article_sources_counted AFTER INSERT ON article_sources BEGIN
    UPDATE sources SET n_articles = n_articles + 1 WHERE id = NEW.source_id;
END;
CREATE TRIGGER article_sources_uncounted AFTER DELETE ON article_sources BEGIN
    UPDATE sources SET n_articles = n_articles - 1 WHERE id = OLD.source_id;
END;
";

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
