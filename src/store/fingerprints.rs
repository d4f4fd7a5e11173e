//! Cross-post candidates: each article's MinHash band keys
//! ([`dedup::fingerprint`]), so a new article is compared only with stored
//! articles that share a band or its headline.

use rusqlite::{params, Connection};

use super::{ArticleId, Result};
use crate::dedup::{self, fingerprint};

/// A stored article that may be the same story as a new one.
pub(super) struct Candidate {
    pub id: ArticleId,
    pub url: String,
    pub title: String,
    pub body_text: String,
}

/// At most this many candidates are compared, best first: a shared band
/// counts 1 (a real cross-post shares nearly all 20), the same normalised
/// headline 10, so fifty stored "Nyheter" cannot crowd out a cross-post
/// whose headline differs by a word.
const MAX_CANDIDATES: usize = 50;

/// Stored articles with the same normalised headline or a shared band.
pub(super) fn candidates(conn: &Connection, title: &str, body: &str) -> Result<Vec<Candidate>> {
    let bands = fingerprint::bands(body);
    let placeholders = vec!["?"; bands.len().max(1)].join(",");
    let sql = format!(
        "SELECT a.id, a.url, a.title, b.body_text FROM (
             SELECT id, SUM(score) AS score FROM (
                 SELECT id, 10 AS score FROM articles WHERE title_norm = ?1
                 UNION ALL
                 SELECT article_id AS id, COUNT(*) AS score FROM article_bands
                     WHERE band IN ({placeholders}) GROUP BY article_id
             ) GROUP BY id ORDER BY score DESC, id LIMIT {MAX_CANDIDATES}
         ) c
         JOIN articles a ON a.id = c.id
         JOIN article_bodies b ON b.article_id = c.id
         ORDER BY c.score DESC, c.id"
    );
    let mut values: Vec<rusqlite::types::Value> = vec![dedup::normalize_title(title).into()];
    if bands.is_empty() {
        values.push(rusqlite::types::Value::Null);
    }
    values.extend(bands.into_iter().map(rusqlite::types::Value::from));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(values), |r| {
            Ok(Candidate {
                id: ArticleId(r.get(0)?),
                url: r.get(1)?,
                title: r.get(2)?,
                body_text: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Replaces the band keys of `article` with those of `body`.
pub(super) fn write_bands(
    conn: &Connection,
    article: ArticleId,
    body: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM article_bands WHERE article_id = ?1",
        [article.0],
    )?;
    let mut stmt = conn
        .prepare_cached("INSERT OR IGNORE INTO article_bands (band, article_id) VALUES (?1, ?2)")?;
    for band in fingerprint::bands(body) {
        stmt.execute(params![band, article.0])?;
    }
    Ok(())
}

/// Gives every article stored before fingerprints existed its band keys.
/// Run once, by the migration that moved bodies to `article_bodies`: since
/// then every write of a body writes its bands too.
pub(super) fn backfill(conn: &Connection) -> rusqlite::Result<usize> {
    let missing: Vec<(i64, String)> = {
        let mut stmt = conn.prepare(
            "SELECT article_id, body_text FROM article_bodies b
             WHERE NOT EXISTS (SELECT 1 FROM article_bands x WHERE x.article_id = b.article_id)",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    };
    for (id, body) in &missing {
        write_bands(conn, ArticleId(*id), body)?;
    }
    Ok(missing.len())
}
