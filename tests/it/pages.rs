//! The operator's pages of `muniflux run` as a browser gets them: every
//! page parses without an HTML error, every link on them answers 200,
//! hostile headlines, names and errors arrive as text, the charts count
//! what the store holds, and the Atom feeds name their XSLT and stay
//! valid feeds.

use std::collections::{BTreeSet, VecDeque};
use std::path::Path;

use jiff::Timestamp;
use scraper::{Html, Selector};

use crate::service::Daemon;
use crate::support::{copy_tree, free_port, FileServer, TestConfig};

/// A headline that would run a script if it were not escaped.
const HOSTILE_TITLE: &str = "<script>alert(\"x\")</script> & Co's <b>fest</b> på torget";

/// A source name with markup in it.
const HOSTILE_NAME: &str = "Trasig <källa> & \"co\"";

/// A feed of two full-text items (long enough that no page is fetched),
/// one with a hostile headline. A feed's titles are HTML, so the title is
/// escaped twice: once for the XML, once for the HTML in it.
fn hostile_feed() -> String {
    let body = "Kommunen bjuder in alla invånare till en stor fest på torget med musik, mat och \
                aktiviteter för barn. Festen börjar klockan tolv och pågår hela eftermiddagen. \
                Det blir underhållning på scenen, loppis längs Storgatan och tipspromenad i \
                parken. Föreningar visar upp sina verksamheter och räddningstjänsten kommer med \
                en brandbil. Alla är välkomna och det kostar ingenting att delta i festen.";
    let item = |title: &str, link: &str, date: &str, extra: &str| {
        format!(
            "<item><title>{}</title><link>{link}</link><guid>{link}</guid><pubDate>{date}</pubDate>\
             <description>{}</description></item>",
            escape_xml(&escape_xml(title)),
            escape_xml(&format!("<p>{body} {extra}</p>"))
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Fest</title><link>/fest/</link><description>Fest</description>{}{}</channel></rss>",
        item(HOSTILE_TITLE, "/fest/torget.html", "Tue, 14 May 2024 08:30:00 +0000", ""),
        item(
            "The council opens a new library for the town",
            "/fest/library.html",
            "Wed, 15 May 2024 10:00:00 +0000",
            "The library is open to everyone and the council has invited the people of the town to the opening."
        ),
    )
}

fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn source(name: &str, url: &str, tag: &str) -> String {
    format!(
        "[[source]]\nname = {}\nurl = \"{url}\"\ntags = [\"{tag}\"]\n\n",
        toml_string(name)
    )
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A page as parsed, with the HTML errors the parser met.
struct Parsed {
    doc: Html,
}

impl Parsed {
    fn new(url: &str, html: &str) -> Parsed {
        let doc = Html::parse_document(html);
        assert!(
            doc.errors.is_empty(),
            "{url}: HTML errors {:?}\n{html}",
            doc.errors
        );
        let lang = Selector::parse("html[lang=en]").unwrap();
        assert!(doc.select(&lang).next().is_some(), "{url}: no lang");
        let viewport = Selector::parse("meta[name=viewport]").unwrap();
        assert!(doc.select(&viewport).next().is_some(), "{url}: no viewport");
        Parsed { doc }
    }

    fn all(&self, css: &str) -> Vec<scraper::ElementRef<'_>> {
        self.doc.select(&Selector::parse(css).unwrap()).collect()
    }

    fn texts(&self, css: &str) -> Vec<String> {
        self.all(css)
            .iter()
            .map(|e| e.text().collect::<String>())
            .collect()
    }
}

/// The merged-feed sources used here, polled once by a running daemon.
struct Setup {
    daemon: Daemon,
    _site: FileServer,
    config: TestConfig,
    site_base: String,
}

fn start() -> Setup {
    let site = tempfile::tempdir().unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site"),
        site.path(),
    );
    std::fs::write(site.path().join("fest.xml"), hostile_feed()).unwrap();
    let server = FileServer::start(site.path());
    // The served folder must outlive the test's server thread.
    std::mem::forget(site);
    let base = server.base.clone();
    let sources = [
        source("Exempelby lista", &format!("{base}/nyheter/"), "lista"),
        source("Fest & musik", &format!("{base}/fest.xml"), "fest"),
        source(
            HOSTILE_NAME,
            &format!("{base}/status/500?a=1&b=2"),
            "trasig",
        ),
    ]
    .concat();
    let port = free_port();
    let config = TestConfig::new(
        &sources,
        &format!("\n[server]\nlisten = \"127.0.0.1:{port}\"\n"),
    );
    let daemon = Daemon::start(&config, port);
    daemon.wait_for("the first poll round", |d| {
        d.log().contains("poll round done")
    });
    Setup {
        daemon,
        _site: server,
        config,
        site_base: base,
    }
}

#[test]
fn every_page_parses_every_link_answers_and_hostile_text_stays_text() {
    let setup = start();
    let daemon = &setup.daemon;

    // Crawl from `/`: every link inside muniflux answers 200, every HTML
    // page parses cleanly.
    let mut queue = VecDeque::from([format!("{}/", daemon.base)]);
    let mut seen = BTreeSet::new();
    let mut pages = Vec::new();
    while let Some(url) = queue.pop_front() {
        if !seen.insert(url.clone()) {
            continue;
        }
        let path = url.strip_prefix(&daemon.base).unwrap();
        let got = daemon.get(path);
        assert_eq!(got.status, 200, "{url} answered {}", got.status);
        let html = got.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html");
        if !html {
            continue;
        }
        let policy = got.headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("default-src 'none'"), "{policy}");
        let page = Parsed::new(&url, &got.text());
        let base = url::Url::parse(&url).unwrap();
        for link in page.all("a[href]") {
            let target = base.join(link.value().attr("href").unwrap()).unwrap();
            let mut target_str = target.to_string();
            if let Some(i) = target_str.find('#') {
                target_str.truncate(i);
            }
            if target_str.starts_with(&daemon.base) {
                queue.push_back(target_str);
            }
        }
        pages.push((path.to_string(), page));
    }
    let visited: Vec<&str> = pages.iter().map(|(p, _)| p.as_str()).collect();
    for wanted in ["/", "/sources/1", "/sources/2", "/sources/3"] {
        assert!(
            visited.contains(&wanted),
            "{wanted} not linked: {visited:?}"
        );
    }
    let articles = visited
        .iter()
        .filter(|p| p.starts_with("/articles/"))
        .count();
    assert_eq!(articles, 4, "every stored article is linked: {visited:?}");
    for linked in [
        "/feed.atom",
        "/feed.json",
        "/sources.opml",
        "/feeds/fest.atom",
    ] {
        assert!(
            seen.contains(&format!("{}{linked}", daemon.base)),
            "{linked}"
        );
    }

    let summary = &pages[0].1;
    // The counts: the failing source first.
    let cards = summary.texts(".cards li").join(" | ");
    assert!(
        cards.contains("2fine") && cards.contains("1failing"),
        "{cards}"
    );
    assert!(
        cards.contains("4new articles in the last 7 days"),
        "{cards}"
    );
    assert!(cards.contains("3 polled, 1 failed, 4 new"), "{cards}");
    let rows = summary.all("table tbody tr");
    assert_eq!(rows[0].value().attr("class"), Some("failing"));
    // Hostile name and error: text, escaped.
    let names = summary.texts("td.lead a.title");
    assert_eq!(names[0], HOSTILE_NAME);
    let errors = summary.texts("td .err").join(" ");
    assert!(errors.contains("?a=1&b=2"), "{errors}");
    let raw = daemon.get("/").text();
    assert!(!raw.contains("<källa>") && !raw.contains("<script>"));
    assert!(raw.contains("a=1&amp;b=2"));
    // Hostile headline: text, marked Swedish; the English one English.
    let latest = summary.all("#latest + div a.title");
    let hostile = latest
        .iter()
        .find(|a| a.text().collect::<String>() == HOSTILE_TITLE)
        .unwrap_or_else(|| {
            panic!(
                "no hostile headline in {:?}",
                summary.texts("#latest + div a.title")
            )
        });
    assert_eq!(hostile.value().attr("lang"), Some("sv"));
    let english = latest
        .iter()
        .find(|a| a.text().collect::<String>().starts_with("The council"))
        .unwrap();
    assert_eq!(english.value().attr("lang"), Some("en"));
    assert_eq!(latest.len(), 4);

    // A source page: its list entry, its poll, its articles with where
    // their dates came from.
    let (_, list_page) = pages.iter().find(|(p, _)| p == "/sources/1").unwrap();
    let facts = list_page.texts("dd").join(" | ");
    assert!(
        facts.contains(&format!("{}/nyheter/", setup.site_base)),
        "{facts}"
    );
    assert!(facts.contains("30m (default)"), "{facts}");
    let polls = list_page.all("#polls + div tbody tr");
    assert_eq!(polls.len(), 1);
    let poll = polls[0].text().collect::<String>();
    assert!(poll.contains("read") && poll.contains("200"), "{poll}");
    let sources_of_dates = list_page.texts("#articles + div td[data-label='date from'] code");
    assert_eq!(sources_of_dates.len(), 2, "two articles from the list page");
    assert!(sources_of_dates.iter().all(|d| !d.is_empty()));
    let (_, failing_page) = pages.iter().find(|(p, _)| p == "/sources/3").unwrap();
    assert_eq!(failing_page.texts("h1 span")[0], HOSTILE_NAME);
    let poll = failing_page.texts("#polls + div tbody tr").join("");
    assert!(poll.contains("failed") && poll.contains("500"), "{poll}");

    // An article page: its Atom id is the feed's, its body is there.
    let feed = daemon.get("/feed.atom");
    let parsed = feed_rs::parser::parse(&feed.body[..]).unwrap();
    let entry = parsed
        .entries
        .iter()
        .find(|e| e.title.as_ref().unwrap().content == HOSTILE_TITLE)
        .unwrap();
    let article = pages
        .iter()
        .find(|(p, page)| p.starts_with("/articles/") && page.texts("h1")[0] == HOSTILE_TITLE)
        .map(|(_, page)| page)
        .unwrap();
    assert_eq!(article.texts("dd code")[0], entry.id);
    let body = article.texts("article.body").join("");
    assert!(body.contains("räddningstjänsten"), "{body}");
    assert!(article.texts("h2").iter().any(|h| h == "Corrections (0)"));

    // Not there: a 404 page, still a page.
    for missing in ["/sources/999", "/articles/999", "/articles/x"] {
        let got = daemon.get(missing);
        assert_eq!(got.status, 404, "{missing}");
        Parsed::new(missing, &got.text());
    }

    check_charts(&setup, &pages[0].1);
}

/// Each source's chart shows, day by day, how many articles the store
/// says that source led to.
fn check_charts(setup: &Setup, summary: &Parsed) {
    let db = setup.config.dir.path().join("state/muniflux.db");
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let stockholm = jiff::tz::TimeZone::get("Europe/Stockholm").unwrap();
    let today = Timestamp::now().to_zoned(stockholm.clone()).date();
    for row in summary.all("#sources + div tbody tr") {
        let link = row
            .select(&Selector::parse("a.title").unwrap())
            .next()
            .unwrap();
        let id: i64 = link.value().attr("href").unwrap()["sources/".len()..]
            .parse()
            .unwrap();
        let chart = row
            .select(&Selector::parse("svg.chart").unwrap())
            .next()
            .unwrap();
        let counts: Vec<u32> = chart
            .value()
            .attr("data-counts")
            .unwrap()
            .split(',')
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(counts.len(), 30);
        let mut expected = vec![0u32; 30];
        let mut stmt = conn
            .prepare("SELECT first_seen_at FROM article_sources WHERE source_id = ?1")
            .unwrap();
        let times = stmt
            .query_map([id], |r| r.get::<_, i64>(0))
            .unwrap()
            .map(|t| t.unwrap());
        for t in times {
            let day = Timestamp::from_second(t)
                .unwrap()
                .to_zoned(stockholm.clone())
                .date();
            let back = day.until(today).unwrap().get_days();
            if (0..30).contains(&back) {
                expected[29 - back as usize] += 1;
            }
        }
        assert_eq!(counts, expected, "source {id}");
        // Each bar's tooltip says the same; days without articles have
        // no bar.
        let titles: Vec<String> = chart
            .select(&Selector::parse("title").unwrap())
            .map(|t| t.text().collect())
            .collect();
        let days_with_articles: Vec<String> = expected
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| {
                let day = today
                    .checked_sub(jiff::Span::new().days(29 - i as i64))
                    .unwrap();
                format!("{day}: {n}")
            })
            .collect();
        assert_eq!(titles, days_with_articles, "source {id}");
    }
}

#[test]
fn the_feeds_name_their_stylesheet_and_stay_valid_feeds() {
    let setup = start();
    let daemon = &setup.daemon;
    let merged = daemon.get("/feed.atom");
    assert!(merged.text().starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"feed.xsl\"?>\n<feed "
    ));
    feed_rs::parser::parse(&merged.body[..]).unwrap();
    // A browser opening it gets the same bytes as XML (Chromium shows
    // application/atom+xml as text, without the stylesheet).
    let browser = daemon.request(
        reqwest::Method::GET,
        "/feed.atom",
        &[(
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )],
    );
    assert_eq!(
        browser.headers["content-type"],
        "application/xml; charset=utf-8"
    );
    assert_eq!(browser.body, merged.body);
    assert_eq!(
        merged.headers["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let tagged = daemon.get("/feeds/fest.atom");
    assert!(tagged
        .text()
        .contains("<?xml-stylesheet type=\"text/xsl\" href=\"../feed.xsl\"?>"));
    assert_eq!(
        feed_rs::parser::parse(&tagged.body[..])
            .unwrap()
            .entries
            .len(),
        2
    );
    // Resolved against each feed's URL, both name /feed.xsl.
    let stylesheet = daemon.get("/feed.xsl");
    assert_eq!(stylesheet.status, 200);
    assert_eq!(
        stylesheet.headers["content-type"],
        "application/xslt+xml; charset=utf-8"
    );
    // Well-formed XML in the XSLT namespace.
    let mut reader = quick_xml::Reader::from_reader(&stylesheet.body[..]);
    let mut buf = Vec::new();
    let mut root = None;
    loop {
        match reader.read_event_into(&mut buf).unwrap() {
            quick_xml::events::Event::Start(e) if root.is_none() => {
                root = Some(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    assert_eq!(root.as_deref(), Some("xsl:stylesheet"));
    // The JSON feed is as it was.
    let json: serde_json::Value = serde_json::from_slice(&daemon.get("/feed.json").body).unwrap();
    assert_eq!(json["items"].as_array().unwrap().len(), 4);
}
