//! What happened over time, for the operator's pages: each source's polls
//! (the last [`POLLS_KEPT`]), each poll round, and what each correction of
//! an article changed.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::{from_ts, ArticleId, PollRecord, PollResult, Result, SourceId, Store};

/// Polls kept per source: the source page shows the last 20, the rest is
/// slack so pruning runs rarely matter.
pub const POLLS_KEPT: i64 = 50;

/// Rounds kept.
const ROUNDS_KEPT: i64 = 200;

/// At most this many removed and this many added paragraphs are kept per
/// correction, each cut to [`PARAGRAPH_CHARS`] characters.
const PARAGRAPHS_KEPT: usize = 5;
const PARAGRAPH_CHARS: usize = 400;

/// One poll of a source, as its history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poll {
    pub at: Timestamp,
    pub status: Option<u16>,
    pub outcome: PollOutcome,
    pub n_new: u64,
    pub n_seen: u64,
    pub duration_ms: u64,
    /// The error of a failed poll, or the warning of a read one (an
    /// article that failed).
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollOutcome {
    Read,
    NotModified,
    Failed,
}

impl PollOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            PollOutcome::Read => "read",
            PollOutcome::NotModified => "not modified",
            PollOutcome::Failed => "failed",
        }
    }

    fn parse(text: &str) -> PollOutcome {
        match text {
            "read" => PollOutcome::Read,
            "not modified" => PollOutcome::NotModified,
            _ => PollOutcome::Failed,
        }
    }
}

/// One poll round: every due source polled once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    pub n_polled: u64,
    pub n_failed: u64,
    pub n_new: u64,
}

impl Round {
    pub fn duration_ms(&self) -> i64 {
        self.finished_at.as_millisecond() - self.started_at.as_millisecond()
    }
}

/// What one correction changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub at: Timestamp,
    pub title_before: String,
    pub title_after: String,
    pub updated_before: Option<String>,
    pub updated_after: Option<String>,
    pub chars_before: u64,
    pub chars_after: u64,
    /// Paragraphs no longer in the body (the first few, cut).
    pub removed: Vec<String>,
    /// Paragraphs new in the body (the first few, cut).
    pub added: Vec<String>,
}

/// The story before and after a correction, for [`insert_correction`].
pub(super) struct Versions<'a> {
    pub title_before: &'a str,
    pub title_after: &'a str,
    pub updated_before: Option<&'a str>,
    pub updated_after: &'a str,
    pub body_before: &'a str,
    pub body_after: &'a str,
}

/// Records a poll and forgets the source's polls beyond [`POLLS_KEPT`].
pub(super) fn insert_poll(conn: &Connection, source: SourceId, poll: &PollRecord) -> Result<()> {
    let (outcome, n_new, n_seen, error) = match &poll.result {
        PollResult::Success {
            warning,
            n_new,
            n_seen,
            empty,
            ..
        } => {
            let outcome = if empty.is_none() {
                PollOutcome::NotModified
            } else {
                PollOutcome::Read
            };
            (outcome, *n_new, *n_seen, warning.as_deref())
        }
        PollResult::Failure { error } => (PollOutcome::Failed, 0, 0, Some(error.as_str())),
    };
    conn.prepare_cached(
        "INSERT INTO polls (source_id, at, status, outcome, n_new, n_seen, duration_ms, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        source.0,
        poll.at.as_second(),
        poll.status,
        outcome.as_str(),
        n_new as i64,
        n_seen as i64,
        poll.duration_ms as i64,
        error,
    ])?;
    conn.prepare_cached(
        "DELETE FROM polls WHERE source_id = ?1 AND id <= (
             SELECT id FROM polls WHERE source_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
    )?
    .execute(params![source.0, POLLS_KEPT])?;
    Ok(())
}

/// Records what a correction changed (paragraphs compared as sets, in
/// order: a moved paragraph is no change).
pub(super) fn insert_correction(
    conn: &Connection,
    article: ArticleId,
    versions: &Versions<'_>,
    now: Timestamp,
) -> Result<()> {
    let (removed, added) = changed_paragraphs(versions.body_before, versions.body_after);
    let json = |list: Vec<String>| serde_json::to_string(&list).unwrap_or_else(|_| "[]".into());
    conn.prepare_cached(
        "INSERT INTO corrections (article_id, at, title_before, title_after, updated_before,
             updated_after, chars_before, chars_after, removed, added)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        article.0,
        now.as_second(),
        versions.title_before,
        versions.title_after,
        versions.updated_before,
        versions.updated_after,
        versions.body_before.chars().count() as i64,
        versions.body_after.chars().count() as i64,
        json(removed),
        json(added),
    ])?;
    Ok(())
}

/// The paragraphs of `before` missing from `after`, and those of `after`
/// missing from `before`: the first [`PARAGRAPHS_KEPT`] of each, cut.
fn changed_paragraphs(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let paragraphs = |text: &str| -> Vec<String> {
        text.split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect()
    };
    let (before, after) = (paragraphs(before), paragraphs(after));
    let missing = |from: &[String], other: &[String]| -> Vec<String> {
        from.iter()
            .filter(|p| !other.contains(p))
            .take(PARAGRAPHS_KEPT)
            .map(|p| cut(p, PARAGRAPH_CHARS))
            .collect()
    };
    (missing(&before, &after), missing(&after, &before))
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

impl Store {
    /// The last `limit` polls of `source`, newest first.
    pub fn recent_polls(&self, source: SourceId, limit: usize) -> Result<Vec<Poll>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, status, outcome, n_new, n_seen, duration_ms, error FROM polls
             WHERE source_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let polls = stmt
            .query_map(params![source.0, limit as i64], |r| {
                Ok(Poll {
                    at: from_ts(r.get(0)?),
                    status: r.get(1)?,
                    outcome: PollOutcome::parse(&r.get::<_, String>(2)?),
                    n_new: r.get::<_, i64>(3)? as u64,
                    n_seen: r.get::<_, i64>(4)? as u64,
                    duration_ms: r.get::<_, i64>(5)? as u64,
                    error: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(polls)
    }

    /// Records a finished poll round; the oldest beyond the last
    /// [`ROUNDS_KEPT`] are forgotten.
    pub fn record_round(&mut self, round: &Round) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO rounds (started_at, finished_at, n_polled, n_failed, n_new)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                round.started_at.as_millisecond(),
                round.finished_at.as_millisecond(),
                round.n_polled as i64,
                round.n_failed as i64,
                round.n_new as i64
            ],
        )?;
        tx.execute(
            "DELETE FROM rounds WHERE id <= (SELECT id FROM rounds ORDER BY id DESC LIMIT 1 OFFSET ?1)",
            [ROUNDS_KEPT],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The round that finished last.
    pub fn last_round(&self) -> Result<Option<Round>> {
        let ms = |v: i64| Timestamp::from_millisecond(v).unwrap_or(Timestamp::UNIX_EPOCH);
        Ok(self
            .conn
            .query_row(
                "SELECT started_at, finished_at, n_polled, n_failed, n_new FROM rounds
                 ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(Round {
                        started_at: ms(r.get(0)?),
                        finished_at: ms(r.get(1)?),
                        n_polled: r.get::<_, i64>(2)? as u64,
                        n_failed: r.get::<_, i64>(3)? as u64,
                        n_new: r.get::<_, i64>(4)? as u64,
                    })
                },
            )
            .optional()?)
    }

    /// The corrections of `article`, oldest first.
    pub fn corrections(&self, article: ArticleId) -> Result<Vec<Correction>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, title_before, title_after, updated_before, updated_after, chars_before,
                    chars_after, removed, added
             FROM corrections WHERE article_id = ?1 ORDER BY id",
        )?;
        let list =
            |json: String| -> Vec<String> { serde_json::from_str(&json).unwrap_or_default() };
        let corrections = stmt
            .query_map([article.0], |r| {
                Ok(Correction {
                    at: from_ts(r.get(0)?),
                    title_before: r.get(1)?,
                    title_after: r.get(2)?,
                    updated_before: r.get(3)?,
                    updated_after: r.get(4)?,
                    chars_before: r.get::<_, i64>(5)? as u64,
                    chars_after: r.get::<_, i64>(6)? as u64,
                    removed: list(r.get(7)?),
                    added: list(r.get(8)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(corrections)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_keeps_the_paragraphs_that_changed() {
        let before = "Mötet hålls i aulan.\n\nAnmäl dig senast 3 maj.\n\nVälkommen!";
        let after = "Mötet hålls i  aulan.\n\nAnmäl dig senast 5 maj.\n\nVälkommen!\n\nNytt: fika.";
        let (removed, added) = changed_paragraphs(before, after);
        assert_eq!(removed, ["Anmäl dig senast 3 maj."]);
        assert_eq!(added, ["Anmäl dig senast 5 maj.", "Nytt: fika."]);
        let long = "ord ".repeat(300);
        let (removed, _) = changed_paragraphs(&long, "");
        assert_eq!(removed[0].chars().count(), PARAGRAPH_CHARS);
        assert!(removed[0].ends_with('…'));
    }
}
