//! One entry per story over time: corrections update an entry in place,
//! page chrome changes nothing, revalidation is bounded, purged articles stay
//! purged, and feed GUIDs are trusted only while they are stable.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use muniflux::store::Store;

use crate::support::{FileServer, TestConfig};

/// A small municipal site in a temporary folder, served on 127.0.0.1.
struct Site {
    dir: tempfile::TempDir,
    server: FileServer,
    /// Every write gets its own modification time, so a changed file never
    /// shares its Last-Modified with the version before it (no sleeps).
    clock: AtomicU64,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let server = FileServer::start(dir.path());
        Site {
            dir,
            server,
            clock: AtomicU64::new(1_700_000_000),
        }
    }

    fn write(&self, path: &str, content: &str) {
        let file = self.dir.path().join(path.trim_start_matches('/'));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, content).unwrap();
        let seconds = self.clock.fetch_add(60, Ordering::SeqCst);
        let mtime = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
    }

    /// How many requests asked for `path` (with or without a query).
    fn requests_for(&self, path: &str) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.split('?').next() == Some(path))
            .count()
    }

    fn source(&self, name: &str, path: &str) -> String {
        format!(
            "[[source]]\nname = \"{name}\"\nurl = \"{}{path}\"\ntags = [\"exempelby\"]\n",
            self.server.base
        )
    }
}

/// The parts of an article page that are not the story.
struct Chrome<'a> {
    views: u32,
    page_updated: &'a str,
    cookie: &'a str,
}

const CHROME: Chrome<'static> = Chrome {
    views: 17,
    page_updated: "2024-05-20",
    cookie: "Vi använder kakor för att webbplatsen ska fungera.",
};

fn article_page(
    title: &str,
    published: &str,
    paragraphs: &[String],
    chrome: &Chrome<'_>,
) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>{title} | Exempelby kommun</title></head>
<body>
<div class="cookie-banner"><p>{cookie}</p><button>Godkänn</button></div>
<header><nav><a href="/">Start</a> <a href="/kontakt.html">Kontakta oss</a></nav></header>
<div id="content">
<h1>{title}</h1>
<div class="date">Publicerad {published}</div>
{body}<div class="feedback">Var informationen på sidan till hjälp? <button>Ja</button> <button>Nej</button></div>
</div>
<aside><h2>Mest läst</h2><p>Sidan har visats {views} gånger</p></aside>
<footer><p>Exempelby kommun, Storgatan 1</p><p>Senast uppdaterad: {page_updated}</p></footer>
</body></html>
"#,
        cookie = chrome.cookie,
        views = chrome.views,
        page_updated = chrome.page_updated,
    )
}

/// Three paragraphs of story `n`, different for every `n`.
fn story(n: usize) -> Vec<String> {
    let topics = [
        "en ny industripark vid hamnen",
        "bredband på landsbygden",
        "en företagsfrukost i april",
    ];
    let topic = topics[n % topics.len()];
    vec![
        format!("Kommunen berättar i dag om {topic}, som har diskuterats länge i fullmäktige och bland företagarna i kommunen."),
        format!("Arbetet med {topic} leds av näringslivsenheten tillsammans med flera lokala företag och föreningar under året."),
        format!("Den som vill veta mer om {topic} kan kontakta näringslivsenheten via kommunens växel eller besöka kommunhuset."),
    ]
}

fn list_page(links: &[(&str, &str)]) -> String {
    let items: String = links
        .iter()
        .map(|(href, title)| {
            format!("<li class=\"news-item\"><h2><a href=\"{href}\">{title}</a></h2></li>\n")
        })
        .collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Nyheter - Exempelby kommun</title></head>
<body><main><h1>Nyheter för företagare</h1>
<ul class="news-list">
{items}</ul></main>
<footer><p>Exempelby kommun</p></footer></body></html>
"#
    )
}

const TITLES: [&str; 3] = [
    "Ny industripark öppnar vid hamnen",
    "Bredband till alla företag på landsbygden",
    "Välkommen på företagsfrukost i april",
];

/// A list source with three articles.
fn site_with_list() -> Site {
    let site = Site::new();
    let links: Vec<(String, &str)> = TITLES
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("/nyheter/{i}.html"), *t))
        .collect();
    let refs: Vec<(&str, &str)> = links.iter().map(|(h, t)| (h.as_str(), *t)).collect();
    site.write("/nyheter/index.html", &list_page(&refs));
    for (i, title) in TITLES.iter().enumerate() {
        let page = article_page(title, &format!("{} maj 2024", 10 + i), &story(i), &CHROME);
        let canonical = format!("</title><link rel=\"canonical\" href=\"/nyheter/{i}.html\">");
        site.write(
            &format!("/nyheter/{i}.html"),
            &page.replacen("</title>", &canonical, 1),
        );
    }
    site
}

struct Entry {
    id: String,
    title: String,
    updated: String,
    content: String,
}

fn entries(config: &TestConfig) -> (String, Vec<Entry>) {
    let (xml, feed) = config.export();
    let entries = feed
        .entries
        .iter()
        .map(|e| Entry {
            id: e.id.clone(),
            title: e.title.as_ref().unwrap().content.clone(),
            updated: e.updated.unwrap().to_rfc3339(),
            content: e
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .unwrap_or_default(),
        })
        .collect();
    (xml, entries)
}

fn entry<'a>(entries: &'a [Entry], title: &str) -> &'a Entry {
    entries
        .iter()
        .find(|e| e.title == title)
        .unwrap_or_else(|| panic!("no entry {title}"))
}

#[test]
fn a_correction_updates_its_entry_in_place_and_page_chrome_changes_nothing() {
    let site = site_with_list();
    let config = TestConfig::new(&site.source("Exempelby", "/nyheter/index.html"), "");
    config.poll();
    let (xml, before) = entries(&config);
    assert_eq!(before.len(), 3, "{xml}");

    // Only the chrome of the first article changes: view counter, the
    // page's "Senast uppdaterad" footer and the cookie text.
    let chrome = Chrome {
        views: 4711,
        page_updated: "2024-06-01",
        cookie: "Vi använder kakor. Läs mer om kakor här.",
    };
    site.write(
        "/nyheter/0.html",
        &article_page(TITLES[0], "10 maj 2024", &story(0), &chrome),
    );
    let log = config.poll();
    let (again, _) = entries(&config);
    assert_eq!(again, xml, "a chrome-only change changed the feed: {log}");

    // A real correction: a paragraph is added and one is reworded.
    let mut corrected = story(0);
    corrected[1] = corrected[1].replace("flera lokala företag", "tolv lokala företag");
    corrected
        .push("Rättelse: parken invigs i september, inte i augusti som vi skrev tidigare.".into());
    site.write(
        "/nyheter/0.html",
        &article_page(TITLES[0], "10 maj 2024", &corrected, &chrome),
    );
    let log = config.poll();
    let (xml, after) = entries(&config);
    assert_eq!(after.len(), 3, "a correction is not a new entry: {xml}");
    let (old, new) = (entry(&before, TITLES[0]), entry(&after, TITLES[0]));
    assert_eq!(new.id, old.id);
    assert!(
        new.updated > old.updated,
        "{} -> {}: {log}",
        old.updated,
        new.updated
    );
    assert!(
        new.content.contains("Rättelse: parken invigs i september"),
        "{}",
        new.content
    );
    assert!(new.content.contains("tolv lokala företag"));
    for title in &TITLES[1..] {
        let (old, new) = (entry(&before, title), entry(&after, title));
        assert_eq!(
            (&new.id, &new.updated, &new.content),
            (&old.id, &old.updated, &old.content)
        );
    }
}

#[test]
fn revalidation_is_capped_per_poll_and_takes_turns() {
    let site = site_with_list();
    let config = TestConfig::new(
        &site.source("Exempelby", "/nyheter/index.html"),
        "\n[articles]\nrevalidate_per_poll = 1\n",
    );
    config.poll();
    let pages: Vec<String> = (0..3).map(|i| format!("/nyheter/{i}.html")).collect();
    let counts = |site: &Site| {
        pages
            .iter()
            .map(|p| site.requests_for(p))
            .collect::<Vec<_>>()
    };
    assert_eq!(counts(&site), [1, 1, 1]);
    let mut totals = vec![3];
    for _ in 0..3 {
        config.poll();
        totals.push(counts(&site).iter().sum());
    }
    // One conditional GET per poll, each page in turn.
    assert_eq!(totals, [3, 4, 5, 6]);
    assert_eq!(counts(&site), [2, 2, 2]);
}

#[test]
fn purged_articles_are_not_added_again() {
    let site = site_with_list();
    let config = TestConfig::new(&site.source("Exempelby", "/nyheter/index.html"), "");
    config.poll();
    assert_eq!(entries(&config).1.len(), 3);

    let db = config.dir.path().join("state/muniflux.db");
    {
        let mut store = Store::open(&db).unwrap();
        let far: jiff::Timestamp = "2100-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(store.purge_older_than(far, far).unwrap(), 3);
    }
    let fetched_before: usize = (0..3)
        .map(|i| site.requests_for(&format!("/nyheter/{i}.html")))
        .sum();
    // The list still links all three, and changed, so it is read again; it
    // now also links one of them under a URL variant that canonicalisation
    // keeps (its page names the purged URL as canonical).
    let mut list = std::fs::read_to_string(site.dir.path().join("nyheter/index.html")).unwrap();
    list = list.replace("<h1>", "<p>Uppdaterad lista</p><h1>").replace(
        "<ul class=\"news-list\">\n",
        "<ul class=\"news-list\">\n<li class=\"news-item\"><h2><a href=\"/nyheter/0.html?from=start\">Ny industripark</a></h2></li>\n",
    );
    site.write("/nyheter/index.html", &list);
    let log = config.poll();
    let (xml, after) = entries(&config);
    assert!(after.is_empty(), "purged articles came back: {xml}\n{log}");
    let fetched_after: usize = (0..3)
        .map(|i| site.requests_for(&format!("/nyheter/{i}.html")))
        .sum();
    // Only the unknown variant was read, to learn it is the purged article.
    assert_eq!(
        fetched_after,
        fetched_before + 1,
        "purged articles were fetched again: {:?}",
        site.server.requests()
    );

    // A new article on the same list is still picked up.
    site.write(
        "/nyheter/3.html",
        &article_page(
            "Nytt logistikcenter ger jobb",
            "1 juni 2024",
            &story(4)
                .iter()
                .map(|p| p.replace("Kommunen", "Logistikbolaget"))
                .collect::<Vec<_>>(),
            &CHROME,
        ),
    );
    site.write(
        "/nyheter/index.html",
        &list.replace("<ul class=\"news-list\">\n", "<ul class=\"news-list\">\n<li class=\"news-item\"><h2><a href=\"/nyheter/3.html\">Nytt logistikcenter ger jobb</a></h2></li>\n"),
    );
    config.poll();
    let titles: Vec<String> = entries(&config).1.into_iter().map(|e| e.title).collect();
    assert_eq!(titles, ["Nytt logistikcenter ger jobb"]);
}

/// Writes `/feed.xml` listing the three articles (summaries only), with the
/// GUID and link `item(i)` gives the i-th.
fn write_feed(site: &Site, item: impl Fn(usize) -> (String, String)) {
    let items: String = TITLES
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let (guid, link) = item(i);
            format!(
                "<item><title>{title}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid>\
                 <description>En kort ingress.</description></item>\n"
            )
        })
        .collect();
    site.write(
        "/feed.xml",
        &format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Exempelby</title>\
             <link>/nyheter/</link><description>Nyheter</description>\n{items}</channel></rss>\n"
        ),
    );
}

fn article_files(site: &Site) {
    for (i, title) in TITLES.iter().enumerate() {
        site.write(
            &format!("/nyheter/{i}.html"),
            &article_page(title, &format!("{} maj 2024", 10 + i), &story(i), &CHROME),
        );
    }
}

#[test]
fn feed_guids_that_change_on_every_fetch_are_not_trusted() {
    let site = Site::new();
    article_files(&site);
    let config = TestConfig::new(&site.source("Exempelby RSS", "/feed.xml"), "");
    let mut ids: Vec<Vec<String>> = Vec::new();
    let mut logs = String::new();
    for fetch in 0..3 {
        write_feed(&site, |i| {
            (
                format!("urn:uuid:{fetch}-{i}"),
                format!("/nyheter/{i}.html"),
            )
        });
        logs.push_str(&config.poll());
        let mut now: Vec<String> = entries(&config).1.into_iter().map(|e| e.id).collect();
        now.sort();
        ids.push(now);
    }
    assert_eq!(ids[0].len(), 3);
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    assert!(logs.contains("feed guids are not stable"), "{logs}");
    let store = Store::open(&config.dir.path().join("state/muniflux.db")).unwrap();
    let source = store.sources().unwrap().remove(0);
    let reason = store.guid_distrust(source.id).unwrap().unwrap_or_default();
    assert!(reason.contains("changed from urn:uuid:0-"), "{reason}");
}

#[test]
fn stable_feed_guids_follow_items_whose_links_change() {
    let site = Site::new();
    article_files(&site);
    let config = TestConfig::new(&site.source("Exempelby RSS", "/feed.xml"), "");
    for fetch in 0..3 {
        // The CMS adds a per-visit parameter to every link.
        write_feed(&site, |i| {
            (
                format!("4.1a2b{i}"),
                format!("/nyheter/{i}.html?visit={fetch}"),
            )
        });
        let log = config.poll();
        let (xml, entries) = entries(&config);
        assert_eq!(entries.len(), 3, "fetch {fetch}: {xml}\n{log}");
    }
    // The renamed links were recognised by their GUID, not fetched as new.
    for fetch in 1..3 {
        let asked = site
            .server
            .requests()
            .iter()
            .filter(|r| r.ends_with(&format!("?visit={fetch}")))
            .count();
        assert_eq!(asked, 0, "links of fetch {fetch} were fetched");
    }
    let store = Store::open(&config.dir.path().join("state/muniflux.db")).unwrap();
    let source = store.sources().unwrap().remove(0);
    assert_eq!(store.guid_distrust(source.id).unwrap(), None);
}

/// An Atom feed whose entries carry the whole post, as WordPress writes it.
fn write_atom(site: &Site, posts: &[(&str, &str, String)]) {
    let entries: String = posts
        .iter()
        .enumerate()
        .map(|(i, (title, updated, body))| {
            format!(
                "<entry><id>{base}/blogg/?p={i}</id><title>{title}</title>\
                 <link rel=\"alternate\" href=\"{base}/blogg/{i}/\"/>\
                 <published>2024-05-1{i}T10:00:00+02:00</published><updated>{updated}</updated>\
                 <content type=\"html\"><![CDATA[{body}]]></content></entry>\n",
                base = site.server.base
            )
        })
        .collect();
    site.write(
        "/blogg/feed.xml",
        &format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
             <id>{base}/blogg/</id><title>Kommunchefsbloggen</title><updated>2024-06-01T10:00:00+02:00</updated>\n\
             {entries}</feed>\n",
            base = site.server.base
        ),
    );
}

/// A post long enough to be the whole article.
fn post(n: usize) -> String {
    let text = story(n).join("</p><p>");
    format!("<p>{text}</p><p>{text}</p>")
}

#[test]
fn a_corrected_full_text_feed_item_updates_its_entry_in_place() {
    let site = Site::new();
    let config = TestConfig::new(&site.source("Bloggen", "/blogg/feed.xml"), "");
    let first = [
        ("Ett år med pandemin", "2024-05-10T10:00:00+02:00", post(0)),
        (
            "Upphandling som verktyg",
            "2024-05-11T10:00:00+02:00",
            post(1),
        ),
    ];
    write_atom(&site, &first);
    config.poll();
    let (xml, before) = entries(&config);
    assert_eq!(before.len(), 2, "{xml}");
    // The feed is written again, unchanged: nothing changes.
    write_atom(&site, &first);
    config.poll();
    assert_eq!(entries(&config).0, xml);

    let corrected = format!(
        "{}<p>Tillägg: bloggen uppdaterades efter läsarnas frågor.</p>",
        post(0)
    );
    write_atom(
        &site,
        &[
            (
                "Ett år med pandemin",
                "2024-06-02T09:00:00+02:00",
                corrected,
            ),
            first[1].clone(),
        ],
    );
    let log = config.poll();
    let (xml, after) = entries(&config);
    assert_eq!(after.len(), 2, "{xml}");
    let (old, new) = (
        entry(&before, "Ett år med pandemin"),
        entry(&after, "Ett år med pandemin"),
    );
    assert_eq!(new.id, old.id);
    assert!(
        new.content.contains("Tillägg: bloggen uppdaterades"),
        "{log}"
    );
    assert!(new.updated.starts_with("2024-06-02"), "{}", new.updated);
    let (old, new) = (
        entry(&before, "Upphandling som verktyg"),
        entry(&after, "Upphandling som verktyg"),
    );
    assert_eq!((&new.updated, &new.content), (&old.updated, &old.content));
}

#[test]
fn retention_purges_after_the_round_and_nothing_comes_back() {
    let site = site_with_list();
    // Everything is old enough at once: each round ends with a purge.
    let config = TestConfig::new(
        &site.source("Exempelby", "/nyheter/index.html"),
        "\n[articles]\nretention = \"0s\"\n",
    );
    let log = config.poll();
    assert!(log.contains("old articles purged"), "{log}");
    assert!(entries(&config).1.is_empty());
    let pages = |site: &Site| -> usize {
        (0..3)
            .map(|i| site.requests_for(&format!("/nyheter/{i}.html")))
            .sum()
    };
    assert_eq!(pages(&site), 3);
    // The list changes and still links them: they are not read or added again.
    let list = std::fs::read_to_string(site.dir.path().join("nyheter/index.html")).unwrap();
    site.write(
        "/nyheter/index.html",
        &list.replace("<h1>", "<p>Ny lista</p><h1>"),
    );
    config.poll();
    assert!(entries(&config).1.is_empty());
    assert_eq!(pages(&site), 3);
}
