//! Scheduling at scale, on small sites: one request slot is enough for
//! every kind of poll (a page is parsed and dropped before the next is
//! fetched), and a host sleeping out its delay holds no request slot.
//! How fast thousands of sources go is the load benchmark's job
//! (`cargo bench --bench load`), not a test's.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use muniflux::store::Store;

use crate::support::{FileServer, TestConfig};

/// Long enough for a few dozen loopback requests on a busy CI machine;
/// a poll that waits for itself never ends.
const HUNG: Duration = Duration::from_secs(60);

fn source(name: &str, url: &str) -> String {
    format!("[[source]]\nname = \"{name}\"\nurl = \"{url}\"\ntags = [\"test\"]\n\n")
}

/// Polls, failing the test (instead of hanging it) when the poll does not
/// end; returns the log.
fn poll_or_fail(config: &TestConfig) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_muniflux"))
        .arg("-c")
        .arg(config.path())
        .arg("poll")
        .env("MUNIFLUX_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut log = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut log).unwrap();
            assert!(status.success(), "poll failed: {log}");
            return log;
        }
        if started.elapsed() > HUNG {
            child.kill().unwrap();
            panic!("the poll did not end within {HUNG:?}: a task waits for a slot it holds");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

const WORDS: &str = "Kommunen och företagen i regionen bygger tillsammans en ny \
    satsning på kompetens, lokaler och bredband för de kommande åren. ";

fn article(title: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><main><article><h1>{title}</h1><p class=\"date\">Publicerad 2 april 2024</p>\
         <p>{title}. {}</p><p>{}</p></article></main></body></html>",
        WORDS.repeat(4),
        WORDS.repeat(3)
    )
}

fn list(items: &[(String, &str)], next: Option<&str>) -> String {
    let items: String = items
        .iter()
        .map(|(href, title)| {
            format!(
                "<li class=\"news-item\"><time datetime=\"2024-04-02\">2 april 2024</time>\
                 <h2><a href=\"{href}\">{title}</a></h2><p>Kort om {title}.</p></li>"
            )
        })
        .collect();
    let next = next.map_or(String::new(), |n| {
        format!("<a rel=\"next\" href=\"{n}\">Nästa sida</a>")
    });
    format!(
        "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Nyheter</title></head>\
         <body><main><h1>Nyheter</h1><ul class=\"news-list\">{items}</ul>{next}</main></body></html>"
    )
}

/// A list of two pages and a feed of summaries, on one site.
fn write_site(root: &Path) {
    std::fs::create_dir_all(root.join("nyheter")).unwrap();
    let write = |path: &str, text: String| std::fs::write(root.join(path), text).unwrap();
    let titles = [
        "Ny industripark vid hamnen",
        "Bredband till landsbygden",
        "Frukostmöte om kompetens",
        "Nya tomter för företag",
        "Mässa för besöksnäringen",
        "Cykelväg genom centrum",
        "Solceller på kommunhuset",
        "Sommarjobb för ungdomar",
    ];
    for (i, title) in titles.iter().enumerate() {
        write(&format!("nyheter/a{i}.html"), article(title));
    }
    let item = |i: usize| (format!("/nyheter/a{i}.html"), titles[i]);
    let first: Vec<(String, &str)> = (0..3).map(item).collect();
    let second: Vec<(String, &str)> = (3..6).map(item).collect();
    write(
        "nyheter/index.html",
        list(&first, Some("/nyheter/sida2.html")),
    );
    write("nyheter/sida2.html", list(&second, None));
    let items: String = (6..8)
        .map(|i| {
            format!(
                "<item><title>{}</title><link>/nyheter/a{i}.html</link>\
                 <pubDate>Tue, 02 Apr 2024 08:00:00 +0000</pubDate>\
                 <description>Kort om {}.</description></item>",
                titles[i], titles[i]
            )
        })
        .collect();
    write(
        "feed.xml",
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>\
             <title>Nyheter</title><link>/</link><description>Nyheter</description>{items}\
             </channel></rss>"
        ),
    );
}

#[test]
fn one_request_slot_is_enough_for_every_kind_of_poll() {
    let root = tempfile::tempdir().unwrap();
    write_site(root.path());
    let server = FileServer::start(root.path());
    let sources = [
        source("Lista", &format!("{}/nyheter/", server.base)),
        source("RSS", &format!("{}/feed.xml", server.base)),
    ]
    .concat();
    let config = TestConfig::new(&sources, "concurrency = 1\n");
    poll_or_fail(&config);
    assert_eq!(
        server.hits("/nyheter/sida2.html"),
        1,
        "the next page is read"
    );
    let store = Store::open(&config.dir.path().join("state/muniflux.db")).unwrap();
    assert_eq!(store.article_count().unwrap(), 8, "{:?}", server.requests());
    // The second poll re-checks every article read by the first.
    let before = server.requests().len();
    poll_or_fail(&config);
    let checked = server.requests()[before..]
        .iter()
        .filter(|p| p.starts_with("/nyheter/a"))
        .count();
    assert_eq!(checked, 8, "{:?}", &server.requests()[before..]);
}

#[test]
fn a_host_sleeping_out_its_delay_leaves_the_request_slot_to_others() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site");
    let (a, b) = (FileServer::start(&fixtures), FileServer::start(&fixtures));
    let sources = [
        source("A", &format!("{}/nyheter/", a.base)),
        source("B", &format!("{}/nyheter/", b.base)),
    ]
    .concat();
    let config = TestConfig::new(&sources, "concurrency = 1\n");
    let toml = std::fs::read_to_string(config.path()).unwrap();
    std::fs::write(
        config.path(),
        toml.replace("host_delay = \"0s\"", "host_delay = \"400ms\""),
    )
    .unwrap();
    poll_or_fail(&config);
    let (a, b) = (a.log(), b.log());
    assert!(a.len() >= 3 && b.len() >= 3, "{a:?} {b:?}");
    // With one slot, B's first request comes while A waits between its
    // requests, not after A is done (and the other way round).
    assert!(b[0].at < a[a.len() - 1].at, "B waited for all of A");
    assert!(a[0].at < b[b.len() - 1].at, "A waited for all of B");
}
