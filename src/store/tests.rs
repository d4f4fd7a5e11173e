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
    store
        .record_poll_error(src[0].id, now(), "timeout fetching https://a.se/list", next)
        .unwrap();
    store
        .record_poll_error(src[0].id, now(), "timeout again", next)
        .unwrap();
    let row = store.source_by_url("https://a.se/list").unwrap().unwrap();
    assert_eq!(row.error_count, 2);
    assert_eq!(row.last_error.as_deref(), Some("timeout again"));
    assert_eq!(row.next_check_at, Some(next));
    store
        .record_poll_success(src[0].id, now(), None, next)
        .unwrap();
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
