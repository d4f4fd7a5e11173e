//! `muniflux discover`: on hand-written sites in the shapes of Sitevision,
//! Episerver, WordPress and an old table layout, a site with only a feed, a
//! site whose news is only a block on its home page, a site whose
//! robots.txt keeps the news out, and the development corpus; `--add`
//! followed by `check` and a poll; and the bad input of the issue.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::support::{corpus_dir, FileServer, TestConfig};

fn fixture(site: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/discover")
        .join(site)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `discover --json URL` with the test config (host_delay 0s, its own
/// User-Agent); the output and the parsed JSON.
fn discover_json(config: &TestConfig, url: &str) -> (Output, Value) {
    let out = config.muniflux(&["discover", "--json", url]);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{url}: no JSON ({e}): {}", stderr(&out)));
    (out, json)
}

/// Path and query of each candidate, best first.
fn ranked(json: &Value) -> Vec<String> {
    json["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let url = url::Url::parse(c["url"].as_str().unwrap()).unwrap();
            match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_string(),
            }
        })
        .collect()
}

/// The fixed interface: exactly these keys, with these types.
fn assert_interface(json: &Value) {
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(json), ["candidates", "site"]);
    for c in json["candidates"].as_array().unwrap() {
        assert_eq!(
            keys(c),
            ["articles", "business", "kind", "newest", "score", "url", "why"]
        );
        assert!(matches!(c["kind"].as_str(), Some("feed" | "list")));
        assert!(c["articles"].is_u64() && c["score"].is_number() && c["business"].is_boolean());
        assert!(!c["why"].as_str().unwrap().is_empty());
        let newest = c["newest"].as_array().unwrap();
        assert!(newest.len() <= 3);
        for n in newest {
            assert_eq!(keys(n), ["published", "title", "url"]);
            assert!(n["published"].is_null() || n["published"].is_string());
        }
    }
}

struct Expect {
    site: &'static str,
    /// The first candidate.
    first: &'static str,
    /// Also among the first five.
    top: &'static [&'static str],
    /// Never a candidate.
    absent: &'static [&'static str],
    first_is_business: bool,
}

#[test]
fn fixture_sites_rank_what_an_operator_would_choose() {
    let expectations = [
        Expect {
            site: "sitevision",
            first: "/naringsliv-och-arbete/nyheter-for-foretagare.html",
            top: &[
                "/nyheter.html",
                "/4.1a2b3c/12.4d5e6f.portlet?state=rss&sv.contenttype=text/xml;charset=UTF-8",
            ],
            absent: &["/evenemang.html"],
            first_is_business: true,
        },
        Expect {
            site: "episerver",
            first: "/naringsliv/nyheter-och-pressmeddelanden/",
            top: &[
                "/press/pressmeddelanden/",
                "/en/news/",
                "/Feeds/RssFeed/News/?documentTypeId=98",
            ],
            absent: &["/press/pressbilder/", "/press/kontakt/"],
            first_is_business: true,
        },
        Expect {
            site: "wordpress",
            first: "/foretagare/nyheter/",
            top: &["/foretagare/nyheter/feed/", "/nyheter/", "/feed/"],
            absent: &["/comments/feed/"],
            first_is_business: true,
        },
        Expect {
            site: "oldtable",
            first: "/naringsliv/nyheter.htm",
            top: &["/press.html"],
            absent: &[],
            first_is_business: true,
        },
        Expect {
            site: "feedonly",
            first: "/prenumerera",
            top: &[],
            absent: &[],
            first_is_business: true,
        },
        Expect {
            site: "homeblock",
            first: "/arkiv/",
            top: &["/"],
            absent: &[],
            first_is_business: true,
        },
    ];
    let config = TestConfig::new("", "");
    for expect in expectations {
        let server = FileServer::start(&fixture(expect.site));
        let (out, json) = discover_json(&config, &format!("{}/", server.base));
        assert!(out.status.success(), "{}: {}", expect.site, stderr(&out));
        assert_interface(&json);
        let order = ranked(&json);
        eprintln!("{}: {order:?}", expect.site);
        assert_eq!(order[0], expect.first, "{}: {json:#}", expect.site);
        assert_eq!(
            json["candidates"][0]["business"], expect.first_is_business,
            "{}",
            expect.site
        );
        let top5 = &order[..order.len().min(5)];
        for path in expect.top {
            assert!(
                top5.iter().any(|p| p == path),
                "{}: {path} not in {top5:?}",
                expect.site
            );
        }
        for path in expect.absent {
            assert!(
                !order.iter().any(|p| p == path),
                "{}: {path} in {order:?}",
                expect.site
            );
        }
        // Politely, as a poll: robots.txt first, the configured User-Agent.
        let log = server.log();
        assert_eq!(log[0].path, "/robots.txt", "{}", expect.site);
        assert!(log
            .iter()
            .all(|r| r.user_agent.as_deref() == Some("muniflux-test/1.0")));
        // Each URL once.
        let mut paths = server.requests();
        let total = paths.len();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), total, "{}: a URL fetched twice", expect.site);
    }
}

#[test]
fn what_a_candidate_yields_is_shown() {
    let server = FileServer::start(&fixture("sitevision"));
    let config = TestConfig::new("", "");
    let (_, json) = discover_json(&config, &format!("{}/", server.base));
    let first = &json["candidates"][0];
    assert_eq!(first["kind"], "list");
    assert_eq!(first["articles"], 4);
    let newest: Vec<(&str, &str)> = first["newest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["title"].as_str().unwrap(),
                n["published"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        newest,
        [
            (
                "Ny industripark öppnar vid hamnen",
                "2024-05-14T09:00:00+02:00"
            ),
            (
                "Företagsfrukost om kompetensförsörjning",
                "2024-04-25T09:00:00+02:00"
            ),
            (
                "Rekordmånga nyföretagare i Älvnäs",
                "2024-04-02T09:00:00+02:00"
            ),
        ]
    );
    // Found through the menu's section page and the gzip sitemap that
    // robots.txt names (through a sitemap index).
    let why = first["why"].as_str().unwrap();
    assert!(why.contains("naringsliv-och-arbete.html"), "{why}");
    assert!(why.contains("sitemap1.xml.gz"), "{why}");
    let feed = json["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "feed")
        .unwrap();
    assert_eq!(feed["articles"], 5);
    assert_eq!(feed["business"], false);
    assert_eq!(feed["newest"][0]["title"], "Asfaltering vecka 22");
}

#[test]
fn a_news_path_robots_txt_disallows_is_reported_and_never_fetched() {
    let server = FileServer::start(&fixture("robotsblocked"));
    let config = TestConfig::new("", "");
    let (out, json) = discover_json(&config, &format!("{}/", server.base));
    assert_eq!(out.status.code(), Some(1), "no news a poll could read");
    let err = stderr(&out);
    assert!(
        err.contains("robots.txt disallows") && err.contains("/nyheter/"),
        "{err}"
    );
    assert!(err.contains("no news list or feed found"), "{err}");
    assert_eq!(ranked(&json), ["/nyheter/"]);
    assert_eq!(json["candidates"][0]["articles"], 0);
    assert!(json["candidates"][0]["why"]
        .as_str()
        .unwrap()
        .contains("robots.txt disallows it: not fetched"));
    assert!(
        !server.requests().iter().any(|p| p.starts_with("/nyheter/")),
        "{:?}",
        server.requests()
    );
    // The table says so too.
    let out = config.muniflux(&["discover", &format!("{}/", server.base)]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("robots.txt disallows"), "{table}");
}

#[test]
fn corpus_home_pages_rank_their_sources_first() {
    let Some(corpus) = corpus_dir() else {
        eprintln!("skipped: ../shared/corpus is not there");
        return;
    };
    let server = FileServer::start(&corpus.join("sites"));
    let text = std::fs::read_to_string(corpus.join("sources.toml"))
        .unwrap()
        .replace("{base}", &server.base);
    let list = muniflux::config::SourceList::parse(Path::new("sources.toml"), &text).unwrap();
    let config = TestConfig::new("", "");
    let homes = [
        "vaxjo/",
        "upplandsvasby/index.htm",
        "vimmerby/",
        "skelleftea/",
        "ljungby/",
        "sandviken/",
    ];
    for home in homes {
        let site = home.split('/').next().unwrap();
        let (out, json) = discover_json(&config, &format!("{}/{home}", server.base));
        assert!(out.status.success(), "{site}: {}", stderr(&out));
        assert_interface(&json);
        let order = ranked(&json);
        eprintln!("{site}: {order:?}");
        let sources: Vec<String> = list
            .sources
            .iter()
            .map(|s| s.url.path().to_string())
            .filter(|p| p.starts_with(&format!("/{site}/")))
            .collect();
        assert!(!sources.is_empty());
        for source in &sources {
            let rank = order.iter().position(|p| p == source);
            assert!(
                rank.is_some_and(|r| r < 5),
                "{site}: {source} not in the top five of {order:?}"
            );
        }
        assert!(sources.contains(&order[0]), "{site}: first is {}", order[0]);
        assert_eq!(json["candidates"][0]["business"], true, "{site}");
        assert_eq!(json["candidates"][0]["kind"], "list", "{site}");
    }
    let never = "/skelleftea/intern/";
    assert!(!server.requests().iter().any(|p| p.starts_with(never)));
}

#[test]
fn add_appends_the_best_of_each_stream_which_check_accepts_and_a_poll_reads() {
    let server = FileServer::start(&fixture("sitevision"));
    let listed = "# Källor för Älvnäs\n\n# (inga ännu)\n";
    let config = TestConfig::new(listed, "");
    let out = config.muniflux(&["discover", "--add", &format!("{}/", server.base)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("added 2 sources"), "{report}");
    let written = std::fs::read_to_string(config.dir.path().join("sources.toml")).unwrap();
    assert!(written.starts_with(listed), "{written}");
    assert!(
        written.contains(&format!(
            "# Found by `muniflux discover {}/` on ",
            server.base
        )),
        "{written}"
    );
    assert!(
        written.contains("name = \"Älvnäs kommun – Nyheter för företagare\""),
        "{written}"
    );
    assert!(
        written.contains("tags = [\"alvnas\", \"naringsliv\"]"),
        "{written}"
    );
    assert!(
        !written.contains("portlet"),
        "the feed of a list's stream is not added: {written}"
    );
    let check = config.muniflux(&["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    config.poll();
    let (_, feed) = config.export();
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect();
    for title in [
        "Ny industripark öppnar vid hamnen",
        "Upphandlingsdag för lokala leverantörer",
        "Asfaltering vecka 22",
    ] {
        assert!(
            titles.iter().any(|t| t == title),
            "{title} not in {titles:?}"
        );
    }
    assert_eq!(titles.len(), 9, "four business and five general articles");

    // Again: everything is listed already.
    let out = config.muniflux(&["discover", "--add", &format!("{}/", server.base)]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing added"));

    // --pick chooses by rank; a candidate that cannot be polled is refused.
    let other = TestConfig::new("", "");
    let out = other.muniflux(&[
        "discover",
        "--json",
        "--add",
        "--pick",
        "3",
        &format!("{}/", server.base),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice::<Value>(&out.stdout).expect("stdout stays JSON");
    assert!(stderr(&out).contains("added 1 source"), "{}", stderr(&out));
    let list = std::fs::read_to_string(other.dir.path().join("sources.toml")).unwrap();
    assert!(list.contains("12.4d5e6f.portlet"), "{list}");
    let out = other.muniflux(&[
        "discover",
        "--add",
        "--pick",
        "9",
        &format!("{}/", server.base),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--pick 9"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(other.dir.path().join("sources.toml")).unwrap(),
        list
    );
}

#[test]
fn bad_input_gets_a_clear_message_and_writes_nothing() {
    let server = FileServer::start(&fixture("sitevision"));
    let site = format!("{}/", server.base);

    // A source list that cannot be parsed: refused before the site is asked.
    let broken = "[[source]]\nname = \"a\"\nurl = \"inte en adress\"\n";
    let config = TestConfig::new(broken, "");
    let out = config.muniflux(&["discover", "--add", &site]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("refusing to edit") && stderr(&out).contains("sources.toml:3"));
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert_eq!(
        std::fs::read_to_string(config.dir.path().join("sources.toml")).unwrap(),
        broken
    );

    // A home page that redirects to itself.
    let config = TestConfig::new("", "");
    let out = config.muniflux(&["discover", "--add", &format!("{}/loop/", server.base)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("redirect loop"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(config.dir.path().join("sources.toml")).unwrap(),
        ""
    );

    // A site with no news at all.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(
        plain.path().join("index.html"),
        "<html><head><title>Tomt</title></head><body><h1>Tomt</h1><p><a href=\"/kontakt/\">Kontakt</a></p></body></html>",
    )
    .unwrap();
    let empty = FileServer::start(plain.path());
    let out = config.muniflux(&["discover", "--add", &format!("{}/", empty.base)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no news list or feed found"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("nothing added"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(config.dir.path().join("sources.toml")).unwrap(),
        ""
    );
}

#[test]
fn big_pages_and_bad_sitemaps_are_bounded_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("robots.txt"),
        "User-agent: *\nSitemap: /sitemap_index.xml\nSitemap: /sitemap-sida.xml\n",
    )
    .unwrap();
    // A 5 MB home page with a news link among thousands of others.
    let mut home = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Stor</title></head><body><a href=\"/nyheter/\">Nyheter</a>");
    let mut i = 0;
    while home.len() < 5_000_000 {
        home.push_str(&format!(
            "<p>Kommunen bygger ut fibernätet så att alla hushåll kan få bredband. <a href=\"/sida{i}.html\">Sida {i}</a></p>\n"
        ));
        i += 1;
    }
    home.push_str("</body></html>");
    std::fs::write(root.join("index.html"), home).unwrap();
    std::fs::create_dir(root.join("nyheter")).unwrap();
    std::fs::write(
        root.join("nyheter/index.html"),
        "<html><body><h1>Nyheter</h1><ul><li><time datetime=\"2024-05-02\">2 maj</time> <a href=\"/nyheter/a.html\">Ny skola byggs i centrum</a></li><li><time datetime=\"2024-04-02\">2 april</time> <a href=\"/nyheter/b.html\">Företagsfrukost i april</a></li><li><time datetime=\"2024-03-02\">2 mars</time> <a href=\"/nyheter/c.html\">Vägarbete på Storgatan</a></li></ul></body></html>",
    )
    .unwrap();
    // A sitemap index of 50 000 sitemaps, and a "sitemap" that is HTML.
    let mut index = String::from("<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">");
    for n in 0..50_000 {
        index.push_str(&format!("<sitemap><loc>/sitemaps/s{n}.xml</loc></sitemap>"));
    }
    index.push_str("</sitemapindex>");
    std::fs::write(root.join("sitemap_index.xml"), index).unwrap();
    std::fs::write(
        root.join("sitemap-sida.xml"),
        "<!DOCTYPE html><html><body><h1>Webbkarta</h1></body></html>",
    )
    .unwrap();
    let server = FileServer::start(root);
    let config = TestConfig::new("", "");
    let (out, json) = discover_json(&config, &format!("{}/", server.base));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(ranked(&json)[0], "/nyheter/");
    let err = stderr(&out);
    assert!(err.contains("lists 50000 sitemaps; read 3"), "{err}");
    assert!(
        err.contains("sitemap-sida.xml: it is an HTML page, not a sitemap"),
        "{err}"
    );
    let children = server
        .requests()
        .iter()
        .filter(|p| p.starts_with("/sitemaps/"))
        .count();
    assert!(children <= 3, "{children} child sitemaps fetched");

    // Over the configured body limit: said, and nothing else tried.
    let small = TestConfig::new("", "max_body_size = \"1 MiB\"\n");
    let out = small.muniflux(&["discover", &format!("{}/", server.base)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("exceeds the limit"),
        "{}",
        stderr(&out)
    );
}
