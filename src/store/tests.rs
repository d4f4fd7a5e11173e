use super::*;
use crate::model::{DateSource, FoundDate};

fn now() -> Timestamp {
    "2026-11-20T10:00:00Z".parse().unwrap()
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn source(u: &str, tags: &[&str]) -> config::Source {
    config::Source {
        name: format!("Källa {u}"),
        url: url(u),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        interval: None,
        max_pages: None,
        selectors: Default::default(),
        topics: Default::default(),
    }
}

const BODY: &str =
    "Kronobergs kommuner lanserar en gemensam etableringsguide för företag som vill \
    etablera sig i regionen. Guiden samlar information om mark, lokaler, kompetensförsörjning och \
    kontaktvägar till varje kommuns näringslivsenhet.";

fn article(u: &str, title: &str, body: &str, published: Option<PageDate>) -> Article {
    Article {
        url: url(u),
        canonical: None,
        title: title.into(),
        published: published.map(|d| FoundDate::new(d, DateSource::Label, "Publicerad")),
        updated: None,
        author: None,
        body_html: format!("<p>{body}</p>"),
        body_text: body.into(),
    }
}

/// Offers one article (stored under its own URL) to the store.
fn add(store: &mut Store, source: SourceId, a: &Article) -> Upsert {
    store
        .upsert_article(source, a, std::slice::from_ref(&a.url), None, now())
        .unwrap()
}

fn store_with_sources() -> (Store, Vec<SourceRow>) {
    let mut store = Store::open_in_memory().unwrap();
    let rows = store
        .sync_sources(
            &[
                source("https://a.se/list", &["a", "naringsliv"]),
                source("https://b.se/list", &["b"]),
            ],
            now(),
        )
        .unwrap();
    (store, rows)
}

#[test]
fn same_url_is_one_article() {
    let (mut store, src) = store_with_sources();
    let a = article("https://a.se/n/1", "Nytt företag", BODY, None);
    let first = add(&mut store, src[0].id, &a);
    let again = add(&mut store, src[0].id, &a);
    assert!(first.is_new());
    assert_eq!(again, Upsert::Known(first.id()));
    assert_eq!(store.article_count().unwrap(), 1);
}

#[test]
fn cross_post_merges_keeps_coarser_date_and_lists_both_sources() {
    let (mut store, src) = store_with_sources();
    let day = PageDate::Day("2022-10-18".parse().unwrap());
    let time = PageDate::Time("2022-10-18T07:00:00Z".parse().unwrap());
    let a = article(
        "https://a.se/n/guide",
        "Kronobergs kommuner lanserar guide",
        BODY,
        Some(time),
    );
    let b = article(
        "https://b.se/n/guide",
        "Kronobergs kommuner lanserar guide",
        &format!("{BODY} Kontakt: Anna."),
        Some(day),
    );
    add(&mut store, src[0].id, &a);
    let merged = add(&mut store, src[1].id, &b);
    assert!(matches!(merged, Upsert::Merged(_)));
    let all = store.newest_articles(10).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].url, "https://a.se/n/guide");
    assert_eq!(all[0].related, ["https://b.se/n/guide"]);
    assert_eq!(all[0].published, Some(day));
    assert_eq!(all[0].sources.len(), 2);
    assert_eq!(all[0].sources[0].tags, ["a", "naringsliv"]);
    // The cross-post URL is now known.
    assert!(store
        .article_by_url(&url("https://b.se/n/guide"))
        .unwrap()
        .is_some());
}

#[test]
fn same_generic_title_different_story_stays_apart() {
    let (mut store, src) = store_with_sources();
    let other = "Kommunfullmäktige har antagit en ny näringslivsstrategi för perioden 2021–2025 med \
        fyra fokusområden där kommunen ska göra extra insatser för företagsklimatet i hela kommunen.";
    add(
        &mut store,
        src[0].id,
        &article("https://a.se/1", "Nyheter", BODY, None),
    );
    let second = add(
        &mut store,
        src[1].id,
        &article("https://b.se/2", "Nyheter", other, None),
    );
    assert!(second.is_new());
    assert_eq!(store.article_count().unwrap(), 2);
}

#[test]
fn newest_first_by_published_then_first_seen() {
    let (mut store, src) = store_with_sources();
    let old = PageDate::Day("2020-01-01".parse().unwrap());
    let mid = PageDate::Day("2024-01-01".parse().unwrap());
    add(
        &mut store,
        src[0].id,
        &article("https://a.se/old", "Gammal", "gammal text", Some(old)),
    );
    add(
        &mut store,
        src[0].id,
        &article("https://a.se/undated", "Odaterad", "odaterad text", None),
    );
    add(
        &mut store,
        src[0].id,
        &article("https://a.se/mid", "Mitt", "mitt text", Some(mid)),
    );
    let titles: Vec<_> = store
        .newest_articles(10)
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert_eq!(titles, ["Odaterad", "Mitt", "Gammal"]);
    assert_eq!(store.newest_articles(2).unwrap().len(), 2);
}

#[test]
fn removed_sources_become_inactive_and_keep_articles() {
    let (mut store, src) = store_with_sources();
    add(
        &mut store,
        src[1].id,
        &article("https://b.se/x", "X", BODY, None),
    );
    let active = store
        .sync_sources(&[source("https://a.se/list", &["a"])], now())
        .unwrap();
    assert_eq!(active.len(), 1);
    let all = store.sources().unwrap();
    assert_eq!(all.len(), 2);
    assert!(
        !all.iter()
            .find(|s| s.url == "https://b.se/list")
            .unwrap()
            .active
    );
    assert_eq!(store.article_count().unwrap(), 1);
}

#[test]
fn poll_state_and_validators_round_trip() {
    let (mut store, src) = store_with_sources();
    let next = now() + jiff::SignedDuration::from_mins(30);
    let failure = |error: &str| PollRecord {
        at: now(),
        status: None,
        next_check_at: next,
        result: PollResult::Failure {
            error: error.to_owned(),
        },
        duration_ms: 1,
    };
    store
        .record_poll(src[0].id, &failure("timeout fetching https://a.se/list"))
        .unwrap();
    store
        .record_poll(src[0].id, &failure("timeout again"))
        .unwrap();
    let row = store.source_by_url("https://a.se/list").unwrap().unwrap();
    assert_eq!(row.error_count, 2);
    assert_eq!(row.last_error.as_deref(), Some("timeout again"));
    assert_eq!(row.next_check_at, Some(next));
    let success = PollRecord {
        at: now(),
        status: Some(200),
        next_check_at: next,
        result: PollResult::Success {
            warning: None,
            n_new: 0,
            n_seen: 0,
            empty: Some(false),
            kind: Some(crate::model::PageKind::Feed),
        },
        duration_ms: 1,
    };
    store.record_poll(src[0].id, &success).unwrap();
    let row = store.source_by_url("https://a.se/list").unwrap().unwrap();
    assert_eq!((row.error_count, row.last_error), (0, None));
    assert_eq!(row.last_success_at, Some(now()));

    assert_eq!(
        store.validators("https://a.se/list").unwrap(),
        Validators::default()
    );
    let v = Validators {
        etag: Some("\"abc\"".into()),
        last_modified: Some("Mon, 01 Jan 2024 00:00:00 GMT".into()),
    };
    store
        .save_validators("https://a.se/list", &v, now())
        .unwrap();
    assert_eq!(store.validators("https://a.se/list").unwrap(), v);
    store.clear_validators("https://a.se/list").unwrap();
    assert_eq!(
        store.validators("https://a.se/list").unwrap(),
        Validators::default()
    );
}

#[test]
fn reopening_a_file_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/m.db");
    {
        let (mut store, _) = (Store::open(&path).unwrap(), ());
        let src = store
            .sync_sources(&[source("https://a.se/list", &["a"])], now())
            .unwrap();
        add(
            &mut store,
            src[0].id,
            &article("https://a.se/x", "X", BODY, None),
        );
    }
    let store = Store::open(&path).unwrap();
    let all = store.newest_articles(5).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].entry_id, "tag:muniflux,2026:a.se/x");
}

// ---------------------------------------------------------------- issue 5

fn day(s: &str) -> PageDate {
    PageDate::Day(s.parse().unwrap())
}

#[test]
fn cross_post_with_a_slightly_different_headline_is_found_by_its_fingerprint() {
    let (mut store, src) = store_with_sources();
    let a = article(
        "https://a.se/n/guide",
        "Kronobergs kommuner lanserar gemensam etableringsguide",
        BODY,
        None,
    );
    let b = article(
        "https://b.se/n/guide",
        "Kronobergs kommuner lanserar en gemensam etableringsguide",
        BODY,
        None,
    );
    let first = add(&mut store, src[0].id, &a);
    assert_eq!(add(&mut store, src[1].id, &b), Upsert::Merged(first.id()));
    assert_eq!(store.article_count().unwrap(), 1);
}

/// A database as V3 left it: one source, an article whose body sits in
/// `articles`, read from its page, and no band keys (as before V3).
fn v3_database(path: &std::path::Path) {
    let mut conn = Connection::open(path).unwrap();
    migrations::migrations().to_version(&mut conn, 3).unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO sources (id, url, name, created_at) VALUES (1, 'https://a.se/list', 'A', 0);
         INSERT INTO articles (id, key, entry_id, url, title, title_norm, body_html, body_text,
                               first_seen_at, changed_at, sort_at)
             VALUES (7, 'https://a.se/x', 'tag:muniflux,2026:a.se/x', 'https://a.se/x',
                     'Kronobergs guide', 'kronobergs guide', '<p>{BODY}</p>', '{BODY}',
                     {t}, {t}, {t});
         INSERT INTO article_urls (url, article_id) VALUES ('https://a.se/x', 7);
         INSERT INTO article_sources (article_id, source_id, first_seen_at) VALUES (7, 1, {t});
         INSERT INTO article_pages (article_id, url, story_hash, checked_at)
             VALUES (7, 'https://a.se/x', 5, {t} * 1000);",
        t = now().as_second()
    ))
    .unwrap();
}

#[test]
fn the_migration_to_separate_bodies_keeps_every_article_and_gives_it_bands() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    v3_database(&path);
    let mut store = Store::open(&path).unwrap();
    let all = store.newest_articles(5).unwrap();
    assert_eq!(all.len(), 1);
    let kept = &all[0];
    assert_eq!(
        (kept.id, kept.title.as_str(), kept.body_text.as_str()),
        (ArticleId(7), "Kronobergs guide", BODY)
    );
    assert_eq!(kept.body_html, format!("<p>{BODY}</p>"));
    assert_eq!(kept.sources.len(), 1);
    let later = now() + jiff::SignedDuration::from_mins(30);
    let due = store
        .pages_to_revalidate(SourceId(1), now(), later, 10)
        .unwrap();
    assert_eq!(due.len(), 1, "the page is still checked");
    // The bands were given once, by the migration.
    let bands: i64 = store
        .conn
        .query_row("SELECT COUNT(*) FROM article_bands", [], |r| r.get(0))
        .unwrap();
    assert_eq!(bands, crate::dedup::fingerprint::BANDS as i64);
    // So a cross-post with another headline is still found by its body.
    let src = store
        .sync_sources(&[source("https://b.se/list", &["b"])], now())
        .unwrap();
    let copy = article("https://b.se/y", "Kronobergs nya guide", BODY, None);
    assert_eq!(
        add(&mut store, src[0].id, &copy),
        Upsert::Merged(ArticleId(7))
    );
}

#[test]
fn purged_articles_leave_tombstones_for_every_url() {
    let (mut store, src) = store_with_sources();
    let old = article(
        "https://a.se/old",
        "Gammal nyhet",
        BODY,
        Some(day("2020-01-01")),
    );
    let id = store
        .upsert_article(
            src[0].id,
            &old,
            &[url("https://a.se/old"), url("https://a.se/old-variant")],
            None,
            now(),
        )
        .unwrap()
        .id();
    // Announced ahead of its date: kept until that date is old too.
    let kept = article(
        "https://a.se/new",
        "Ny nyhet",
        "helt annan text",
        Some(day("2026-11-25")),
    );
    add(&mut store, src[0].id, &kept);
    // An old date alone is not enough: it was first seen just now.
    assert_eq!(
        store
            .purge_older_than("2026-01-01T00:00:00Z".parse().unwrap(), now())
            .unwrap(),
        0
    );
    let later: Timestamp = "2027-06-01T00:00:00Z".parse().unwrap();
    let purged = store
        .purge_older_than("2026-11-21T00:00:00Z".parse().unwrap(), later)
        .unwrap();
    assert_eq!(purged, 1);
    assert_eq!(store.article_count().unwrap(), 1);
    for u in ["https://a.se/old", "https://a.se/old-variant"] {
        assert_eq!(store.known_url(&url(u)).unwrap(), Some(KnownUrl::Purged));
    }
    assert!(matches!(
        store.known_url(&url("https://a.se/new")).unwrap(),
        Some(KnownUrl::Article(_))
    ));
    assert_eq!(store.known_url(&url("https://a.se/other")).unwrap(), None);
    // Nothing of it is left behind.
    let left: i64 = store
        .conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM article_urls WHERE article_id = ?1)
                  + (SELECT COUNT(*) FROM article_bands WHERE article_id = ?1)
                  + (SELECT COUNT(*) FROM article_sources WHERE article_id = ?1)",
            [id.0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
}

fn validators(lm: &str) -> Validators {
    Validators {
        etag: None,
        last_modified: Some(lm.into()),
    }
}

#[test]
fn pages_due_are_recent_first_found_here_and_least_recently_checked() {
    let (mut store, src) = store_with_sources();
    let t0 = now();
    let mut ids = Vec::new();
    for (i, path) in ["p1", "p2", "p3"].iter().enumerate() {
        let a = article(
            &format!("https://a.se/{path}"),
            path,
            &format!("text {path}"),
            Some(day(&format!("2026-11-0{}", i + 1))),
        );
        let id = add(&mut store, src[0].id, &a).id();
        store
            .record_article_page(id, &a.url, &validators("x"), 7, t0)
            .unwrap();
        ids.push(id);
    }
    // p1 was also listed by source b, later: it stays a's to check.
    store
        .link_source(ids[0], src[1].id, t0 + jiff::SignedDuration::from_secs(1))
        .unwrap();
    let due = |store: &Store, source: SourceId, since: Timestamp, before: Timestamp| {
        store
            .pages_to_revalidate(source, since, before, 10)
            .unwrap()
            .into_iter()
            .map(|c| c.article)
            .collect::<Vec<_>>()
    };
    let later = t0 + jiff::SignedDuration::from_mins(30);
    // Newest first among equally old checks.
    assert_eq!(due(&store, src[0].id, t0, later), [ids[2], ids[1], ids[0]]);
    assert!(due(&store, src[1].id, t0, later).is_empty());
    // Outside the window, or checked after the poll started: not due.
    assert!(due(
        &store,
        src[0].id,
        t0 + jiff::SignedDuration::from_secs(1),
        later
    )
    .is_empty());
    store.page_unchanged(ids[2], None, later).unwrap();
    assert_eq!(
        due(
            &store,
            src[0].id,
            t0,
            later - jiff::SignedDuration::from_secs(1)
        ),
        [ids[1], ids[0]]
    );
    // The least recently checked come first, and the cap holds.
    let next_poll = later + jiff::SignedDuration::from_secs(1);
    assert_eq!(due(&store, src[0].id, t0, next_poll)[2], ids[2]);
    assert_eq!(
        store
            .pages_to_revalidate(src[0].id, t0, later, 1)
            .unwrap()
            .len(),
        1
    );
    // Only the first page read is remembered.
    store
        .record_article_page(
            ids[0],
            &url("https://a.se/elsewhere"),
            &validators("y"),
            8,
            later,
        )
        .unwrap();
    let check = store
        .pages_to_revalidate(src[0].id, t0, next_poll, 10)
        .unwrap()
        .into_iter()
        .find(|c| c.article == ids[0])
        .unwrap();
    assert_eq!(
        (check.url.as_str(), check.story_hash),
        ("https://a.se/p1", 7)
    );
}

#[test]
fn a_correction_updates_the_article_in_place() {
    let (mut store, src) = store_with_sources();
    let mut a = article(
        "https://a.se/n",
        "Företagsnätverk",
        BODY,
        Some(day("2022-03-30")),
    );
    a.updated = Some(FoundDate::new(
        day("2022-04-04"),
        DateSource::Label,
        "Uppdaterad",
    ));
    let id = add(&mut store, src[0].id, &a).id();
    store
        .record_article_page(id, &a.url, &validators("old"), 1, now())
        .unwrap();
    let before = store.newest_articles(1).unwrap().remove(0);

    let later = now() + jiff::SignedDuration::from_hours(2);
    let mut corrected = a.clone();
    corrected.body_text = format!("{BODY}\n\nEtt stycke till.");
    corrected.body_html = format!("<p>{BODY}</p><p>Ett stycke till.</p>");
    corrected.updated = Some(FoundDate::new(
        day("2022-04-12"),
        DateSource::Label,
        "Uppdaterad",
    ));
    store
        .apply_correction(id, &corrected, &validators("new"), later)
        .unwrap();
    let after = store.newest_articles(1).unwrap().remove(0);
    assert_eq!(after.id, before.id);
    assert_eq!(after.entry_id, before.entry_id);
    assert_eq!(after.url, before.url);
    assert_eq!(after.body_text, corrected.body_text);
    assert_eq!(after.updated, Some(day("2022-04-12")));
    assert_eq!(after.published, before.published);
    assert_eq!(after.changed_at, later);
    assert_eq!(store.article_count().unwrap(), 1);
    let check = store
        .pages_to_revalidate(
            src[0].id,
            now(),
            later + jiff::SignedDuration::from_secs(1),
            1,
        )
        .unwrap()
        .remove(0);
    assert_eq!(check.validators, validators("new"));
    assert_eq!(
        check.story_hash,
        crate::dedup::story_hash(&corrected.title, &corrected.body_text)
    );

    // A page that does not move its update date: the correction time is used.
    let even_later = later + jiff::SignedDuration::from_hours(1);
    let mut again = corrected.clone();
    again.body_text.push_str(" Rättat.");
    again.title = String::new();
    store
        .apply_correction(id, &again, &validators("newer"), even_later)
        .unwrap();
    let after = store.newest_articles(1).unwrap().remove(0);
    assert_eq!(after.updated, Some(PageDate::Time(even_later)));
    assert_eq!(after.title, "Företagsnätverk", "a lost headline is kept");

    // Both corrections are kept, with what they changed.
    let corrections = store.corrections(id).unwrap();
    assert_eq!(corrections.len(), 2);
    let first = &corrections[0];
    assert_eq!(first.at, later);
    assert_eq!(first.added, ["Ett stycke till."]);
    assert!(first.removed.is_empty());
    assert_eq!(
        (
            first.updated_before.as_deref(),
            first.updated_after.as_deref()
        ),
        (Some("2022-04-04"), Some("2022-04-12"))
    );
    assert_eq!(first.chars_before, BODY.chars().count() as u64);
    let second = &corrections[1];
    assert_eq!(second.title_before, second.title_after);
    assert_eq!(second.removed, ["Ett stycke till."]);
    assert_eq!(second.added, ["Ett stycke till. Rättat."]);
}

#[test]
fn feed_guids_are_recorded_until_distrusted() {
    let (mut store, src) = store_with_sources();
    let s = src[0].id;
    assert_eq!(store.guid_distrust(s).unwrap(), None);
    store
        .record_feed_guid(s, "4.1", "https://a.se/a?v=1", "https://a.se/a?v=1", now())
        .unwrap();
    store
        .record_feed_guid(s, "4.1", "https://a.se/a?v=2", "https://a.se/a?v=2", now())
        .unwrap();
    assert_eq!(
        store.article_url_by_guid(s, "4.1").unwrap().as_deref(),
        Some("https://a.se/a?v=1"),
        "the article a guid first led to is its identity"
    );
    assert_eq!(
        store
            .guids_by_link(s)
            .unwrap()
            .get("https://a.se/a?v=2")
            .map(String::as_str),
        Some("4.1")
    );
    assert_eq!(store.article_url_by_guid(src[1].id, "4.1").unwrap(), None);
    store.distrust_guids(s, "guid of x changed", now()).unwrap();
    assert_eq!(
        store.guid_distrust(s).unwrap().as_deref(),
        Some("guid of x changed")
    );
    assert!(store.guids_by_link(s).unwrap().is_empty());
}

#[test]
fn older_articles_are_checked_less_often() {
    let (mut store, src) = store_with_sources();
    let t0 = now();
    let a = article("https://a.se/n", "Nyhet", BODY, None);
    let id = add(&mut store, src[0].id, &a).id();
    store
        .record_article_page(id, &a.url, &validators("x"), 1, t0)
        .unwrap();
    let due = |store: &Store, at: Timestamp| {
        !store
            .pages_to_revalidate(src[0].id, t0, at, 10)
            .unwrap()
            .is_empty()
    };
    let mins = jiff::SignedDuration::from_mins;
    // First day: every poll, however recent the last check.
    store.page_unchanged(id, None, t0 + mins(5)).unwrap();
    assert!(due(&store, t0 + mins(6)));
    // Two days old: a check 1 h ago is recent enough, one 4 h ago is not
    // (the spacing is 2 d / 16 = 3 h).
    let later = t0 + jiff::SignedDuration::from_hours(48);
    store.page_unchanged(id, None, later).unwrap();
    assert!(!due(&store, later + mins(60)));
    assert!(due(&store, later + mins(240)));
}

#[test]
fn a_short_page_under_two_urls_of_one_site_is_one_article() {
    let (mut store, src) = store_with_sources();
    let notice = "Kommunhuset är stängt på fredag.";
    let title = "Kommunhuset stängt på fredag";
    let first = add(
        &mut store,
        src[0].id,
        &article("https://a.se/n/stangt", title, notice, None),
    );
    let slash = article("https://www.a.se/n/stangt/", title, notice, None);
    assert_eq!(
        add(&mut store, src[0].id, &slash),
        Upsert::Merged(first.id())
    );
    // The same words on another municipality's site are that site's notice.
    let elsewhere = article("https://b.se/n/stangt", title, notice, None);
    assert!(add(&mut store, src[1].id, &elsewhere).is_new());
}

#[test]
fn feed_item_versions_say_when_a_feed_corrects_an_article() {
    let (mut store, src) = store_with_sources();
    let feed_only = add(
        &mut store,
        src[0].id,
        &article("https://a.se/1", "Ett", BODY, None),
    )
    .id();
    let with_page = add(
        &mut store,
        src[0].id,
        &article("https://a.se/2", "Två", "text", None),
    )
    .id();
    store
        .record_article_page(
            with_page,
            &url("https://a.se/2"),
            &validators("x"),
            1,
            now(),
        )
        .unwrap();
    let mut version =
        |id, link: &str, hash| store.feed_item_version(src[0].id, link, id, hash).unwrap();
    assert_eq!(
        version(feed_only, "https://a.se/1", 10),
        FeedItemVersion::New
    );
    assert_eq!(
        version(feed_only, "https://a.se/1", 10),
        FeedItemVersion::Unchanged
    );
    assert_eq!(
        version(feed_only, "https://a.se/1", 11),
        FeedItemVersion::Changed
    );
    assert_eq!(
        version(feed_only, "https://a.se/1", 11),
        FeedItemVersion::Unchanged
    );
    assert_eq!(
        version(with_page, "https://a.se/2", 20),
        FeedItemVersion::New
    );
    assert_eq!(
        version(with_page, "https://a.se/2", 21),
        FeedItemVersion::ChangedButReadFromPage
    );
}

#[test]
fn many_generic_headlines_do_not_crowd_out_a_cross_post() {
    let (mut store, src) = store_with_sources();
    let guide = article(
        "https://a.se/n/guide",
        "Kronobergs kommuner lanserar gemensam etableringsguide",
        BODY,
        None,
    );
    let first = add(&mut store, src[0].id, &guide).id();
    for i in 0..60 {
        let body = format!("Notis nummer {i} om något helt annat än guiden, skriven för att fylla ut listan med egna ord och meningar.");
        add(
            &mut store,
            src[0].id,
            &article(
                &format!("https://a.se/n/{i}"),
                "Kronobergs kommuner lanserar",
                &body,
                None,
            ),
        );
    }
    let copy = article(
        "https://b.se/n/guide",
        "Kronobergs kommuner lanserar",
        &format!("{BODY} Kontakt: Anna."),
        None,
    );
    assert_eq!(add(&mut store, src[1].id, &copy), Upsert::Merged(first));
}

// ---------------------------------------------------------------- issue 13

/// A store of `sources` sources with `per_source` articles each, written
/// directly (no dedup, for speed). Article `i` belongs to source
/// `(i - 1) % sources + 1`; the `k`-th article of every source was first
/// seen `(per_source - 1 - k) * 400` minutes before `now()` and read from
/// its own page, never checked since. So source 1 has the same articles at
/// the same times whatever the number of sources.
fn bulk_store(sources: i64, per_source: i64) -> Store {
    let store = Store::open_in_memory().unwrap();
    let t = now().as_second();
    let n = sources * per_source;
    let seen = format!("{t} - ({per_source} - 1 - (i - 1) / {sources}) * 400 * 60");
    store
        .conn
        .execute_batch(&format!(
            "BEGIN;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {sources})
             INSERT INTO sources (id, url, name, created_at)
                 SELECT i, 'https://s' || i || '.se/', 'S' || i, 0 FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             INSERT INTO articles (id, key, entry_id, url, title, title_norm,
                                   first_seen_at, changed_at, sort_at)
                 SELECT i, 'https://x.se/' || i, 'tag:' || i, 'https://x.se/' || i,
                        'Rubrik ' || i, 'rubrik ' || i, {seen}, {seen}, {seen}
                 FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             INSERT INTO article_bodies (article_id, body_html, body_text)
                 SELECT i, '<p>' || hex(randomblob(200)) || '</p>', hex(randomblob(200)) FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             INSERT INTO article_sources (article_id, source_id, first_seen_at)
                 SELECT i, (i - 1) % {sources} + 1, {seen} FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             INSERT INTO article_pages (article_id, url, story_hash, checked_at)
                 SELECT i, 'https://x.se/' || i, 0, ({seen}) * 1000 FROM n;
             COMMIT;"
        ))
        .unwrap();
    store
}

/// The SQLite virtual-machine steps (rows visited, index entries read,
/// comparisons) and full-scan steps of one revalidation pick of source 1,
/// and how many pages it picked.
fn pick_cost(store: &Store) -> (i32, i32, usize) {
    use rusqlite::StatementStatus::{FullscanStep, VmStep};
    let stmt = store
        .conn
        .prepare_cached(revalidate::PAGES_TO_REVALIDATE)
        .unwrap();
    stmt.reset_status(VmStep);
    stmt.reset_status(FullscanStep);
    drop(stmt);
    let since = now() - jiff::SignedDuration::from_hours(14 * 24);
    let picked = store
        .pages_to_revalidate(SourceId(1), since, now(), 10)
        .unwrap()
        .len();
    let stmt = store
        .conn
        .prepare_cached(revalidate::PAGES_TO_REVALIDATE)
        .unwrap();
    (
        stmt.get_status(VmStep),
        stmt.get_status(FullscanStep),
        picked,
    )
}

/// The pick's cost follows one source's recent articles, not the store:
/// source 1's pick does the same work among 100 000 stored articles as
/// among 1 000, and never scans a table.
#[test]
fn one_sources_revalidation_pick_does_not_grow_with_the_store() {
    let small = bulk_store(10, 100);
    let large = bulk_store(1000, 100);
    assert_eq!(large.article_count().unwrap(), 100_000);
    let (small_steps, _, _) = pick_cost(&small);
    let (large_steps, full_scans, picked) = pick_cost(&large);
    assert_eq!(picked, 10);
    assert_eq!(full_scans, 0, "a table was scanned");
    assert!(
        large_steps <= small_steps + small_steps / 10,
        "{large_steps} VM steps among 100 000 articles, {small_steps} among 1 000"
    );
    // About 51 of source 1's articles are in the window: the work is a
    // few dozen steps for each, far from one per stored article.
    assert!(large_steps < 100 * 51, "{large_steps} VM steps");
}

// ---------------------------------------------------------------- issue 14

/// The VM and full-scan steps of running `sql` once with `params`.
fn statement_cost(store: &Store, sql: &str, params: impl rusqlite::Params) -> (i32, i32) {
    use rusqlite::StatementStatus::{FullscanStep, VmStep};
    let mut stmt = store.conn.prepare_cached(sql).unwrap();
    stmt.reset_status(VmStep);
    stmt.reset_status(FullscanStep);
    let mut rows = stmt.query(params).unwrap();
    while rows.next().unwrap().is_some() {}
    drop(rows);
    (stmt.get_status(VmStep), stmt.get_status(FullscanStep))
}

/// The pages read about as many rows as they show: the latest entries, a
/// page of one source's articles and its new articles per day cost the
/// same among 100 000 stored articles as among 1 000, and no page query
/// scans more than the rows it shows.
#[test]
fn page_reads_do_not_grow_with_the_store() {
    let small = bulk_store(10, 100);
    let large = bulk_store(1000, 100);
    let since = now() - jiff::SignedDuration::from_hours(7 * 24);
    type Cost = Box<dyn Fn(&Store) -> (i32, i32)>;
    let queries: [(&str, Cost); 4] = [
        (
            "latest entries",
            Box::new(|s| statement_cost(s, views::LATEST_ARTICLES, [30])),
        ),
        (
            "a source's articles",
            Box::new(|s| {
                statement_cost(
                    s,
                    views::SOURCE_ARTICLES,
                    params![1, i64::MAX, i64::MAX, 51],
                )
            }),
        ),
        (
            "a source's articles, second page",
            Box::new(|s| statement_cost(s, views::SOURCE_ARTICLES, params![1, 0, 501, 51])),
        ),
        (
            "a source's new articles per day",
            Box::new(move |s| {
                statement_cost(s, views::SOURCE_LINKS_SINCE, params![1, since.as_second()])
            }),
        ),
    ];
    for (what, cost) in &queries {
        let (small_steps, _) = cost(&small);
        let (large_steps, full_scans) = cost(&large);
        // The latest entries walk the feed-order index, and stop after
        // the rows they show.
        assert!(full_scans <= 51, "{what}: {full_scans} rows scanned");
        assert!(
            large_steps <= small_steps + small_steps / 10,
            "{what}: {large_steps} VM steps among 100 000 articles, {small_steps} among 1 000"
        );
    }
    // Counting the week's articles reads those articles' index entries,
    // never the table.
    let (_, full_scans) = statement_cost(&large, views::STORED_SINCE, [since.as_second()]);
    assert_eq!(full_scans, 0);
    // Each source's article count is kept, not counted.
    let health = large.source_health_of(SourceId(1)).unwrap().unwrap();
    assert_eq!(health.n_articles, 100);
}

#[test]
fn article_counts_follow_links_and_purges() {
    let (mut store, src) = store_with_sources();
    let old = PageDate::Day("2025-01-02".parse().unwrap());
    let a = article(
        "https://a.se/n/1",
        "Nytt företag i Alvesta",
        BODY,
        Some(old),
    );
    let id = add(&mut store, src[0].id, &a).id();
    store.link_source(id, src[1].id, now()).unwrap();
    store.link_source(id, src[1].id, now()).unwrap();
    let b = article(
        "https://a.se/n/2",
        "Vägarbete på Storgatan",
        "Storgatan stängs av för vägarbete under hela veckan, med omledning via Kungsgatan och Lilla torget för all trafik.",
        Some(PageDate::Day("2026-12-01".parse().unwrap())),
    );
    add(&mut store, src[0].id, &b);
    let counts = |store: &Store| -> Vec<u64> {
        store
            .source_health()
            .unwrap()
            .iter()
            .map(|h| h.n_articles)
            .collect()
    };
    assert_eq!(counts(&store), [2, 1]);
    // The old article is purged: both sources lose it.
    let cutoff = now() + jiff::SignedDuration::from_hours(1);
    assert_eq!(store.purge_older_than(cutoff, now()).unwrap(), 1);
    assert_eq!(counts(&store), [1, 0]);
}

#[test]
fn a_sources_articles_page_in_feed_order() {
    let (mut store, src) = store_with_sources();
    let mut ids = Vec::new();
    for day in 1..=7 {
        let date = PageDate::Day(format!("2026-11-0{day}").parse().unwrap());
        let a = article(
            &format!("https://a.se/n/{day}"),
            &format!(
                "Nyhet nummer {day} om {}",
                ["mark", "skola", "väg", "vatten", "park", "bad", "bibliotek"][day - 1]
            ),
            &format!("{day} {BODY} {}", "ord ".repeat(day * 7)),
            Some(date),
        );
        ids.push(add(&mut store, src[0].id, &a).id());
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.source_articles(src[0].id, after, 3).unwrap();
        seen.extend(page.iter().map(|l| l.id));
        if page.len() < 3 {
            break;
        }
        let last = page.last().unwrap();
        after = Some(Cursor {
            sort_at: last.sort_at,
            id: last.id,
        });
    }
    assert_eq!(seen, ids, "newest first, each once");
    let first = &store.source_articles(src[0].id, None, 1).unwrap()[0];
    assert_eq!(first.published.unwrap().to_string(), "2026-11-07");
    assert_eq!(first.date_source, None, "stored without a date source");
    assert!(first.body_chars.unwrap() > BODY.len() as u64);
    assert!(store
        .source_articles(src[1].id, None, 3)
        .unwrap()
        .is_empty());
    let latest = store.latest_articles(2).unwrap();
    assert_eq!(latest[0].id, ids[0]);
    assert_eq!(latest[0].source.as_ref().unwrap().0, src[0].id);
}

#[test]
fn polls_are_kept_per_source_newest_first() {
    let (mut store, src) = store_with_sources();
    for i in 0..(POLLS_KEPT + 5) {
        let record = PollRecord {
            at: now() + jiff::SignedDuration::from_secs(i * 60),
            status: Some(200),
            next_check_at: now(),
            result: PollResult::Success {
                warning: (i % 2 == 0).then(|| format!("warning {i}")),
                n_new: i as usize,
                n_seen: 3,
                empty: Some(false),
                kind: None,
            },
            duration_ms: 100 + i as u64,
        };
        store.record_poll(src[0].id, &record).unwrap();
    }
    let failure = PollRecord {
        at: now(),
        status: Some(503),
        next_check_at: now(),
        result: PollResult::Failure {
            error: "HTTP 503 <b>".into(),
        },
        duration_ms: 7,
    };
    store.record_poll(src[1].id, &failure).unwrap();
    let polls = store.recent_polls(src[0].id, 1000).unwrap();
    assert_eq!(polls.len() as i64, POLLS_KEPT);
    let newest = POLLS_KEPT + 4;
    assert_eq!(polls[0].n_new, newest as u64);
    assert_eq!(polls[0].duration_ms, 100 + newest as u64);
    assert_eq!(polls[0].error, Some(format!("warning {newest}")));
    assert_eq!(polls[0].outcome, PollOutcome::Read);
    let other = store.recent_polls(src[1].id, 20).unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(
        (other[0].outcome, other[0].status, other[0].error.as_deref()),
        (PollOutcome::Failed, Some(503), Some("HTTP 503 <b>"))
    );
}

#[test]
fn rounds_are_remembered() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.last_round().unwrap(), None);
    let round = |i: i64| Round {
        started_at: now() + jiff::SignedDuration::from_secs(i * 600),
        finished_at: now() + jiff::SignedDuration::from_millis(i * 600_000 + 12_345),
        n_polled: 300,
        n_failed: 2,
        n_new: i as u64,
    };
    store.record_round(&round(1)).unwrap();
    store.record_round(&round(2)).unwrap();
    let last = store.last_round().unwrap().unwrap();
    assert_eq!(last, round(2));
    assert_eq!(last.duration_ms(), 12_345);
}
