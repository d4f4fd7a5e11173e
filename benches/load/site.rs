//! The simulated municipalities: one host per source on its own loopback
//! address (127.10.x.y), half of them a news list page, half an RSS feed of
//! summaries, each with ten items linking to ~38 KB article pages. Every
//! document has an ETag and a Last-Modified and is answered 304 when the
//! request carries them, as a well-behaved CMS does. An optional latency
//! is added before every answer.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Response, StatusCode, Uri};
use axum::Router;

/// Items on each list page or feed.
pub const ITEMS: usize = 10;

/// What the sites have answered, across all of them.
#[derive(Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub not_modified: AtomicU64,
    pub robots: AtomicU64,
}

impl Stats {
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.requests.load(Ordering::Relaxed),
            self.not_modified.load(Ordering::Relaxed),
            self.robots.load(Ordering::Relaxed),
        )
    }
}

/// The running sites: the source URL of each.
pub struct Sites {
    pub urls: Vec<String>,
    pub stats: Arc<Stats>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Sites {
    /// Closes every site's listener (their addresses are reused by the
    /// next run).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[derive(Clone)]
struct Site {
    index: usize,
    /// `http://127.10.x.y:port`
    base: Arc<str>,
    latency: Duration,
    stats: Arc<Stats>,
    chrome: Arc<Chrome>,
}

/// The loopback address of site `index`: 127.10.0.1, 127.10.0.2, ...
fn address(index: usize) -> Ipv4Addr {
    let a = 10 + index / 62_500;
    let b = (index / 250) % 250;
    let c = index % 250 + 1;
    Ipv4Addr::new(127, a as u8, b as u8, c as u8)
}

/// Starts `n` sites on the current runtime; each serves until the process ends.
pub async fn start(n: usize, latency: Duration) -> std::io::Result<Sites> {
    let stats = Arc::new(Stats::default());
    let chrome = Arc::new(Chrome::new());
    let mut urls = Vec::with_capacity(n);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    for index in 0..n {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from((address(index), 0))).await?;
        let addr = listener.local_addr()?;
        let path = if is_feed(index) {
            "/nyheter/rss.xml"
        } else {
            "/nyheter/"
        };
        urls.push(format!("http://{addr}{path}"));
        let site = Site {
            index,
            base: format!("http://{addr}").into(),
            latency,
            stats: Arc::clone(&stats),
            chrome: Arc::clone(&chrome),
        };
        let app = Router::new().fallback(answer).with_state(site);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await;
        });
    }
    Ok(Sites { urls, stats, stop })
}

fn is_feed(index: usize) -> bool {
    index % 2 == 1
}

async fn answer(State(site): State<Site>, uri: Uri, headers: HeaderMap) -> Response<Body> {
    site.stats.requests.fetch_add(1, Ordering::Relaxed);
    if !site.latency.is_zero() {
        tokio::time::sleep(site.latency).await;
    }
    let path = uri.path();
    if path == "/robots.txt" {
        site.stats.robots.fetch_add(1, Ordering::Relaxed);
        return text(
            StatusCode::OK,
            "text/plain",
            "User-agent: *\nDisallow: /intern/\n".into(),
        );
    }
    let (etag, kind) = match path {
        "/nyheter/" if !is_feed(site.index) => (format!("\"l{}\"", site.index), Doc::List),
        "/nyheter/rss.xml" if is_feed(site.index) => (format!("\"f{}\"", site.index), Doc::Feed),
        _ => match path
            .strip_prefix("/nyheter/")
            .and_then(|p| p.strip_suffix(".html"))
            .and_then(|k| k.parse::<usize>().ok())
            .filter(|k| *k < ITEMS)
        {
            Some(k) => (format!("\"a{}-{k}\"", site.index), Doc::Article(k)),
            None => {
                return text(
                    StatusCode::NOT_FOUND,
                    "text/plain",
                    "Sidan finns inte".into(),
                )
            }
        },
    };
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        site.stats.not_modified.fetch_add(1, Ordering::Relaxed);
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, etag)
            .body(Body::empty())
            .unwrap();
    }
    let (content_type, body) = match kind {
        Doc::List => ("text/html; charset=utf-8", site.chrome.list(site.index)),
        Doc::Feed => ("application/rss+xml", feed(site.index, &site.base)),
        Doc::Article(k) => (
            "text/html; charset=utf-8",
            site.chrome.article(site.index, k),
        ),
    };
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ETAG, etag)
        .header(header::LAST_MODIFIED, "Thu, 05 Mar 2026 09:00:00 GMT")
        .body(Body::from(body))
        .unwrap()
}

enum Doc {
    List,
    Feed,
    Article(usize),
}

fn text(status: StatusCode, content_type: &str, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap()
}

// ------------------------------------------------------------------ content

const WORDS: &[&str] = &[
    "kommunen",
    "företag",
    "näringsliv",
    "etablering",
    "hamnen",
    "industripark",
    "kompetens",
    "försörjning",
    "besöksnäring",
    "handel",
    "centrum",
    "detaljplan",
    "bygglov",
    "mark",
    "lokaler",
    "bredband",
    "infrastruktur",
    "satsning",
    "miljoner",
    "kronor",
    "arbetstillfällen",
    "invånare",
    "region",
    "samverkan",
    "projekt",
    "utveckling",
    "strategi",
    "fullmäktige",
    "styrelse",
    "beslut",
    "förslag",
    "remiss",
    "samråd",
    "medborgare",
    "skola",
    "förskola",
    "vård",
    "omsorg",
    "trafik",
    "cykelväg",
    "bostäder",
    "hyresrätter",
    "nyproduktion",
    "tomter",
    "turism",
    "evenemang",
    "mässa",
    "frukostmöte",
    "nätverk",
    "entreprenörer",
    "nyföretagare",
    "rådgivning",
    "upphandling",
    "leverantörer",
    "avtal",
    "ekonomi",
    "budget",
    "investering",
    "energi",
    "solceller",
    "vindkraft",
    "klimat",
    "hållbarhet",
    "vatten",
    "avlopp",
    "renovering",
    "utbyggnad",
    "logistik",
    "järnväg",
    "flygplats",
    "export",
    "tillverkning",
    "livsmedel",
    "jordbruk",
    "skog",
    "innovation",
    "forskning",
    "universitet",
    "praktik",
    "sommarjobb",
    "ungdomar",
    "arbetsmarknad",
    "integration",
    "språk",
    "kultur",
    "bibliotek",
    "idrott",
    "föreningar",
    "stöd",
    "bidrag",
    "ansökan",
    "öppnar",
    "växer",
    "bygger",
    "anställer",
    "satsar",
    "välkomnar",
    "planerar",
    "presenterar",
    "inviger",
    "lanserar",
    "ny",
    "nya",
    "större",
    "fler",
    "första",
    "gemensam",
    "lokala",
    "hela",
    "under",
    "efter",
    "inför",
    "genom",
    "tillsammans",
    "med",
    "för",
    "och",
    "i",
    "på",
    "av",
];

/// A small deterministic generator, so every run serves the same text.
struct Words(u64);

impl Words {
    fn new(site: usize, item: usize, salt: u64) -> Words {
        Words((site as u64) << 20 ^ (item as u64) << 8 ^ salt)
    }

    fn next(&mut self) -> &'static str {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        WORDS[((z ^ (z >> 31)) % WORDS.len() as u64) as usize]
    }

    fn sentence(&mut self, words: usize) -> String {
        let mut s = String::new();
        for i in 0..words {
            let w = self.next();
            if i == 0 {
                let mut c = w.chars();
                s.extend(c.next().map(|f| f.to_uppercase().collect::<String>()));
                s.push_str(c.as_str());
            } else {
                s.push(' ');
                s.push_str(w);
            }
        }
        s.push('.');
        s
    }
}

fn headline(site: usize, item: usize) -> String {
    let mut words = Words::new(site, item, 1);
    let s = words.sentence(7);
    format!("{} {}", s.trim_end_matches('.'), site * ITEMS + item)
}

fn teaser(site: usize, item: usize) -> String {
    Words::new(site, item, 2).sentence(14)
}

fn day(item: usize) -> usize {
    (item % 28) + 1
}

fn feed(site: usize, base: &str) -> String {
    let mut items = String::new();
    for k in 0..ITEMS {
        items.push_str(&format!(
            "<item><title>{}</title><link>{base}/nyheter/{k}.html</link><guid>{base}/nyheter/{k}.html</guid>\
             <pubDate>{:02} Mar 2026 09:00:00 +0100</pubDate><description>{}</description></item>\n",
            headline(site, k),
            day(k),
            teaser(site, k)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Nyheter - Kommun {site}</title><link>{base}/nyheter/</link>\
         <description>Nyheter från kommun {site}</description>\n{items}</channel></rss>\n"
    )
}

/// What every page of every site shares: menus, footer, scripts. It makes
/// an article page about 38 KB, as on real municipal sites.
struct Chrome {
    head: String,
    header: String,
    footer: String,
}

impl Chrome {
    fn new() -> Chrome {
        let mut script = String::from("window.siteConfig = {");
        let mut words = Words::new(0, 0, 3);
        while script.len() < 22_000 {
            script.push_str(&format!(
                "\"{}_{}\": \"{}\", ",
                words.next(),
                script.len(),
                words.next()
            ));
        }
        script.push_str("};");
        let mut menu = String::new();
        for i in 0..60 {
            menu.push_str(&format!(
                "<li class=\"menu-item\"><a href=\"/omrade/{i}/\">{}</a></li>",
                words.sentence(2).trim_end_matches('.')
            ));
        }
        let mut links = String::new();
        for i in 0..40 {
            links.push_str(&format!(
                "<li><a href=\"/info/{i}.html\">{}</a></li>",
                words.sentence(3).trim_end_matches('.')
            ));
        }
        Chrome {
            head: format!(
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <link rel=\"stylesheet\" href=\"/css/site.css\"><script>{script}</script>"
            ),
            header: format!(
                "<div class=\"cookie-banner\"><p>Vi använder kakor för att webbplatsen ska fungera.</p>\
                 <button>Godkänn alla kakor</button></div>\
                 <header><a class=\"logo\" href=\"/\">Kommunen</a><nav class=\"main-menu\"><ul>{menu}</ul></nav></header>"
            ),
            footer: format!(
                "<footer><ul class=\"footer-links\">{links}</ul>\
                 <p>Kommunen, Storgatan 1, 123 45 Exempelby. Telefon 0123-456 00.</p></footer>"
            ),
        }
    }

    fn list(&self, site: usize) -> String {
        let mut items = String::new();
        for k in 0..ITEMS {
            items.push_str(&format!(
                "<li class=\"news-item\"><time datetime=\"2026-03-{:02}\">{} mars 2026</time>\
                 <h2><a href=\"/nyheter/{k}.html\">{}</a></h2><p>{}</p></li>\n",
                day(k),
                day(k),
                headline(site, k),
                teaser(site, k)
            ));
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">\
             <title>Nyheter - Kommun {site}</title>{}</head><body>{}\
             <main><h1>Nyheter</h1><ul class=\"news-list\">\n{items}</ul></main>{}</body></html>\n",
            self.head, self.header, self.footer
        )
    }

    fn article(&self, site: usize, item: usize) -> String {
        let title = headline(site, item);
        let mut words = Words::new(site, item, 4);
        let mut body = format!("<p class=\"lead\">{}</p>", teaser(site, item));
        for _ in 0..8 {
            let paragraph: Vec<String> = (0..5).map(|_| words.sentence(12)).collect();
            body.push_str(&format!("<p>{}</p>", paragraph.join(" ")));
        }
        let mut related = String::new();
        for k in (0..ITEMS).filter(|k| *k != item).take(4) {
            related.push_str(&format!(
                "<li><a href=\"/nyheter/{k}.html\">{}</a></li>",
                headline(site, k)
            ));
        }
        format!(
            "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">\
             <title>{title} - Kommun {site}</title>{}</head><body>{}\
             <main><div class=\"breadcrumbs\"><a href=\"/\">Start</a> / <a href=\"/nyheter/\">Nyheter</a></div>\
             <article><h1>{title}</h1>\
             <p class=\"meta\">Publicerad <time datetime=\"2026-03-{:02}T09:00:00+01:00\">{} mars 2026</time></p>\
             {body}</article>\
             <aside class=\"related\"><h2>Fler nyheter</h2><ul>{related}</ul></aside></main>{}</body></html>\n",
            self.head,
            self.header,
            day(item),
            day(item),
            self.footer
        )
    }
}
