//! RSS, Atom and JSON feeds -> feed items (feed-rs).
//!
//! feed-rs is handed UTF-8 that we decoded ourselves (see [`super::charset`])
//! with the XML declaration's `encoding` removed: otherwise it re-decodes by
//! the declaration, which garbles a UTF-8 feed that claims iso-8859-1 and
//! rejects undeclared windows-1252.

use std::borrow::Cow;
use std::sync::LazyLock;

use feed_rs::model::{Entry, FeedType, Link, Person, Text};
use jiff::Timestamp;
use regex::Regex;
use url::Url;

use super::{charset, Error};
use crate::model::{DateSource, FeedItem, FoundDate, PageDate};

/// Parses a feed. `url` is the feed's URL, the base for relative links.
/// Items come in feed order.
pub fn items_from_feed(
    body: &[u8],
    content_type: Option<&str>,
    url: &Url,
) -> Result<Vec<FeedItem>, Error> {
    let text = charset::decode(body, content_type);
    let text = without_declared_encoding(&text);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(url.as_str()))
        // feed-rs invents an id (a hash of link and title, or a UUID) for
        // entries without one, and only when the id is empty. Inventing
        // nothing keeps "the feed gave no id" visible.
        .id_generator(|_links, _title, _uri| String::new())
        // Sanitising is the article stage's job, with its own rules.
        .sanitize_content(false)
        .build();
    let feed = parser
        .parse(text.as_bytes())
        .map_err(|err| Error::InvalidFeed {
            url: url.clone(),
            reason: err.to_string(),
        })?;
    let format = Format::of(&feed.feed_type);
    Ok(feed
        .entries
        .into_iter()
        .map(|entry| item_from_entry(entry, format, url))
        .collect())
}

/// What the names of things are in the feed's format (for `FoundDate::detail`
/// and for the RSS quirks below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    fn of(feed_type: &FeedType) -> Format {
        match feed_type {
            FeedType::Atom => Format::Atom,
            FeedType::JSON => Format::Json,
            FeedType::RSS0 | FeedType::RSS1 | FeedType::RSS2 => Format::Rss,
        }
    }

    fn published_name(self) -> &'static str {
        match self {
            Format::Rss => "pubDate",
            Format::Atom => "published",
            Format::Json => "date_published",
        }
    }

    fn updated_name(self) -> &'static str {
        match self {
            Format::Json => "date_modified",
            Format::Rss | Format::Atom => "updated",
        }
    }
}

/// Removes `encoding="..."` from a leading XML declaration: the text is
/// already UTF-8, which is what an XML parser assumes without one.
fn without_declared_encoding(text: &str) -> Cow<'_, str> {
    static DECLARED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(\s*<\?xml\b[^>]*?)\s+encoding\s*=\s*(?:"[^"]*"|'[^']*')"#)
            .expect("valid regex")
    });
    DECLARED.replace(text, "$1")
}

fn item_from_entry(entry: Entry, format: Format, feed_url: &Url) -> FeedItem {
    let guid = Some(entry.id.trim().to_string()).filter(|id| !id.is_empty());
    let link = item_link(&entry.links, feed_url).or_else(|| rss_permalink_guid(format, &guid));
    let published = entry.published.map(|date| {
        let time = timestamp(date.timestamp(), date.timestamp_subsec_nanos());
        FoundDate::new(time, DateSource::Feed, format.published_name())
    });
    // feed-rs copies an RSS item's pubDate into `updated`; RSS has no
    // updated date of its own.
    let updated = entry
        .updated
        .filter(|date| !(format == Format::Rss && Some(*date) == entry.published))
        .map(|date| {
            let time = timestamp(date.timestamp(), date.timestamp_subsec_nanos());
            FoundDate::new(time, DateSource::Feed, format.updated_name())
        });
    let categories = entry
        .categories
        .iter()
        .filter_map(|c| {
            let text = c.label.as_deref().unwrap_or(&c.term);
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            (!text.is_empty()).then_some(text)
        })
        .collect();
    FeedItem {
        guid,
        link,
        categories,
        title: entry
            .title
            .as_ref()
            .and_then(|title| title_text(title, format, feed_url)),
        published,
        updated,
        author: author_name(&entry.authors),
        content_html: entry
            .content
            .and_then(|content| Some(as_html(content.body?, content.content_type.as_str())))
            .filter(|html| !html.trim().is_empty()),
        summary_html: entry
            .summary
            .map(|summary| as_html(summary.content, summary.content_type.as_str()))
            .filter(|html| !html.trim().is_empty()),
    }
}

/// The alternate link (Atom: `rel="alternate"` or no rel; RSS and JSON links
/// have no rel), else the first link, made absolute against the feed URL.
/// feed-rs has already applied `xml:base` and the feed URL where it could.
fn item_link(links: &[Link], feed_url: &Url) -> Option<Url> {
    let is_alternate = |link: &&Link| link.rel.as_deref().is_none_or(|rel| rel == "alternate");
    let link = links.iter().find(is_alternate).or_else(|| links.first())?;
    absolute_http_url(link.href.trim(), feed_url)
}

/// An RSS guid without `isPermaLink="false"` is the item's URL; feed-rs does
/// not keep the attribute, so any absolute http(s) guid of a link-less item
/// counts (a node id such as "4.4f1b2c3d17a1000" never parses as one).
fn rss_permalink_guid(format: Format, guid: &Option<String>) -> Option<Url> {
    if format != Format::Rss {
        return None;
    }
    let url = Url::parse(guid.as_deref()?).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

fn absolute_http_url(href: &str, base: &Url) -> Option<Url> {
    let url = base.join(href).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// A feed-rs (chrono) instant as seconds and nanoseconds -> a `PageDate`.
/// Feeds always give a time of day, so this is never a `PageDate::Day`.
fn timestamp(seconds: i64, nanoseconds: u32) -> PageDate {
    let nanoseconds = i32::try_from(nanoseconds).unwrap_or(0);
    // Out of jiff's range (year > 9999) only for nonsense dates.
    PageDate::Time(Timestamp::new(seconds, nanoseconds).unwrap_or(Timestamp::UNIX_EPOCH))
}

/// A title as plain text: entities decoded, tags removed, whitespace
/// collapsed. Atom says whether a title is HTML; RSS titles are plain text by
/// the spec but often carry escaped HTML or entities, so markup-looking RSS
/// titles are read as HTML too. HTML goes through the body renderer, so a
/// title keeps no script, style or other invisible text.
fn title_text(title: &Text, format: Format, feed_url: &Url) -> Option<String> {
    let is_html = title.content_type.as_str().starts_with("text/html")
        || (format == Format::Rss && title.content.contains(['<', '&']));
    let text = if is_html {
        super::html::clean_fragment(&title.content, feed_url).text
    } else {
        title.content.clone()
    };
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then_some(collapsed)
}

/// Content as HTML: HTML stays raw (sanitising happens later), plain text
/// (Atom `type="text"`, JSON `content_text`/`summary`) is escaped.
fn as_html(body: String, content_type: &str) -> String {
    if content_type.starts_with("text/plain") {
        escape_html(&body)
    } else {
        body
    }
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// The first author's name. feed-rs reads RSS `<author>` (an e-mail address,
/// optionally "jane@example.se (Jane Doe)") into a person named "author" with
/// the text as e-mail; `dc:creator` becomes a real name.
fn author_name(authors: &[Person]) -> Option<String> {
    authors.iter().find_map(|person| {
        let name = match (&person.email, person.name.as_str()) {
            (Some(email), "author") => rss_author_name(email),
            _ => person.name.trim(),
        };
        (!name.is_empty()).then(|| name.to_string())
    })
}

/// "jane@example.se (Jane Doe)" -> "Jane Doe"; otherwise the text itself.
fn rss_author_name(text: &str) -> &str {
    let text = text.trim();
    text.split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .map(str::trim)
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;
    use std::path::PathBuf;

    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/feeds")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|err| panic!("reading {}: {err}", path.display()))
    }

    /// The development corpus lives next to the repository; tests that use it
    /// are skipped where it is missing.
    fn corpus_file(path: &str) -> Option<Vec<u8>> {
        let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
        if !root.exists() {
            eprintln!("skipped: no corpus at {}", root.display());
            return None;
        }
        Some(std::fs::read(root.join(path)).expect("corpus file"))
    }

    /// One line per field that is set, items separated by a blank line;
    /// content and summary shortened so expectations stay readable.
    fn render(items: &[FeedItem]) -> String {
        let mut out = String::new();
        for item in items {
            let short = |s: &str| s.chars().take(48).collect::<String>();
            let date = |d: &FoundDate| format!("{} {}", d.describe(), d.date);
            let lines = [
                ("guid", item.guid.clone()),
                ("link", item.link.as_ref().map(Url::to_string)),
                ("title", item.title.clone()),
                ("published", item.published.as_ref().map(date)),
                ("updated", item.updated.as_ref().map(date)),
                ("author", item.author.clone()),
                ("content", item.content_html.as_deref().map(short)),
                ("summary", item.summary_html.as_deref().map(short)),
            ];
            for (name, value) in lines {
                if let Some(value) = value {
                    writeln!(out, "{name}: {value}").unwrap();
                }
            }
            out.push('\n');
        }
        out
    }

    #[track_caller]
    fn check(body: &[u8], content_type: Option<&str>, url: &str, expected: &str) {
        let url = Url::parse(url).unwrap();
        let items = items_from_feed(body, content_type, &url).expect("a valid feed");
        let actual = render(&items);
        let expected: Vec<&str> = expected.trim().lines().map(str::trim).collect();
        assert_eq!(
            actual.trim(),
            expected.join("\n"),
            "\n--- actual ---\n{actual}"
        );
    }

    #[test]
    fn an_html_title_keeps_no_script_or_style_text() {
        let body = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
            <entry><id>urn:a</id><link href="https://x.se/a"/>
            <title type="html">&lt;script&gt;track('x')&lt;/script&gt;&lt;style&gt;b{}&lt;/style&gt;M&amp;ouml;te &lt;b&gt;i kv&amp;auml;ll&lt;/b&gt;&lt;noscript&gt;aktivera JS&lt;/noscript&gt;</title>
            </entry></feed>"#;
        check(
            body,
            Some("application/atom+xml"),
            "https://x.se/feed",
            "guid: urn:a\nlink: https://x.se/a\ntitle: Möte i kväll",
        );
    }

    #[test]
    fn a_latin1_feed_declared_utf8_keeps_its_letters() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>K</title>\
            <item><title>Företagsträff på Åkersberg</title><link>https://x.se/a</link></item></channel></rss>";
        let body = encoding_rs::WINDOWS_1252.encode(xml).0;
        for content_type in [Some("application/rss+xml; charset=utf-8"), None] {
            check(
                &body,
                content_type,
                "https://x.se/rss",
                "link: https://x.se/a\ntitle: Företagsträff på Åkersberg",
            );
        }
    }

    #[test]
    fn corpus_vaxjo_rss() {
        let Some(body) = corpus_file("sites/vaxjo/rss/nyheter-for-foretagare.xml") else {
            return;
        };
        check(
            &body,
            Some("text/xml"),
            "http://127.0.0.1:8765/vaxjo/rss/nyheter-for-foretagare.xml",
            r#"
            guid: 4.4f1b2c3d17a1000
            link: http://127.0.0.1:8765/vaxjo/naringsliv-och-arbete/nyheter-for-foretagare/2022-10-18-kronobergs-kommuner-lanserar-gemensam-etableringsguide.html
            title: Kronobergs kommuner lanserar gemensam etableringsguide
            published: feed:pubDate 2022-10-18T08:00:17+02:00
            summary: Nu blir det enklare för företag som vill etabler

            guid: 4.4f1b2c3d17a1037
            link: http://127.0.0.1:8765/vaxjo/naringsliv-och-arbete/nyheter-for-foretagare/2022-09-06-upphandlingsdag-for-lokala-foretag---valkommen-den-4-oktober.html
            title: Upphandlingsdag för lokala företag – välkommen den 4 oktober
            published: feed:pubDate 2022-09-06T08:00:18+02:00
            summary: Publicerad 6 september 2022. Vill ditt företag s

            guid: 4.4f1b2c3d17a1074
            link: http://127.0.0.1:8765/vaxjo/naringsliv-och-arbete/nyheter-for-foretagare/2022-03-30-foretagsnatverk---samarbete-oppet-sinne-och-kompetensforsorjning.html
            title: Företagsnätverk – samarbete, öppet sinne och kompetensförsörjning
            published: feed:pubDate 2022-03-30T08:00:19+02:00
            summary: 3 mars var det nätverksträff i Växjö kommunhus.

            guid: 4.4f1b2c3d17a1111
            link: http://127.0.0.1:8765/vaxjo/naringsliv-och-arbete/nyheter-for-foretagare/2022-01-20-rekordmanga-nya-foretag-i-vaxjo-under-2021.html
            title: Rekordmånga nya företag i Växjö under 2021
            summary: Under 2021 startades 1 146 nya företag i Växjö k

            guid: 4.4f1b2c3d17a1148
            link: http://127.0.0.1:8765/vaxjo/naringsliv-och-arbete/nyheter-for-foretagare/2021-03-29-jag-vill-vara-smorjmedlet-som-mojliggor-forutsattningar-for-tillvaxt.html
            title: ”Jag vill vara smörjmedlet som möjliggör förutsättningar för tillväxt”
            published: feed:pubDate 2021-03-29T08:00:21+02:00
            summary: Från Umeå till Barcelona och vidare till Småland
        "#,
        );
    }

    #[test]
    fn corpus_vimmerby_atom() {
        let Some(body) = corpus_file("sites/vimmerby/kommunchefsbloggen/feed/atom.xml") else {
            return;
        };
        check(
            &body,
            None,
            "http://127.0.0.1:9999/vimmerby/kommunchefsbloggen/feed/atom.xml",
            r#"
            guid: http://127.0.0.1:8765/vimmerby/kommunchefsbloggen/?p=845
            link: http://127.0.0.1:8765/vimmerby/kommunchefsbloggen/2021/03/29/ett-ar-med-pandemin-tack-till-alla-foretagare/
            title: Ett år med pandemin – tack till alla företagare
            published: feed:published 2021-03-29T13:50:11+02:00
            updated: feed:updated 2021-04-06T08:15:40+02:00
            author: Kommunchefen
            content: <p>I dag är det ungefär ett år sedan pandemin på
            summary: I dag är det ungefär ett år sedan pandemin på al

            guid: http://127.0.0.1:8765/vimmerby/kommunchefsbloggen/?p=868
            link: http://127.0.0.1:8765/vimmerby/kommunchefsbloggen/2020/02/14/sommarjobb-praktik-och-framtidens-kompetens/
            title: Sommarjobb, praktik och framtidens kompetens
            published: feed:published 2020-02-14T09:20:11+01:00
            updated: feed:updated 2020-02-14T09:20:11+01:00
            author: Kommunchefen
            content: <p>Om några veckor öppnar ansökan till feriejobb
            summary: Om några veckor öppnar ansökan till feriejobben.

            guid: http://127.0.0.1:8765/vimmerby/kommunchefsbloggen/?p=886
            link: http://127.0.0.1:8765/vimmerby/kommunchefsbloggen/2019/12/06/upphandling-som-verktyg-for-lokal-tillvaxt/
            title: Upphandling som verktyg för lokal tillväxt
            published: feed:published 2019-12-06T11:30:11+01:00
            updated: feed:updated 2019-12-06T11:30:11+01:00
            author: Kommunchefen
            content: <p>Varje år köper kommunen varor och tjänster fö
            summary: Varje år köper kommunen varor och tjänster för s

            guid: http://127.0.0.1:8765/vimmerby/kommunchefsbloggen/?p=653
            link: http://127.0.0.1:8765/vimmerby/kommunchefsbloggen/2019/11/08/foretagsbesok-i-norra-kommundelen/
            title: Företagsbesök i norra kommundelen
            published: feed:published 2019-11-08T15:05:11+01:00
            updated: feed:updated 2019-11-08T15:05:11+01:00
            author: Kommunchefen
            content: <p>Den här veckan har jag tillsammans med kommun
            summary: Den här veckan har jag tillsammans med kommunsty

            guid: http://127.0.0.1:8765/vimmerby/kommunchefsbloggen/?p=740
            link: http://127.0.0.1:8765/vimmerby/kommunchefsbloggen/2019/10/18/naringsliv/
            title: Näringsliv
            published: feed:published 2019-10-18T16:42:11+02:00
            updated: feed:updated 2019-10-18T16:42:11+02:00
            author: Kommunchefen
            content: <p>Jag har nu varit med på både näringslivsråd o
            summary: Jag har nu varit med på både näringslivsråd och
        "#,
        );
    }

    #[test]
    fn rss_without_guid() {
        check(
            &fixture("rss-without-guid.xml"),
            None,
            "https://www.example.se/rss/nyheter",
            r#"
            link: https://www.example.se/nyheter/2026-02-25-rapport.html
            title: Rapport: Svensk finanspolitik & 2026
            published: feed:pubDate 2026-02-25T13:41:04+01:00
            author: Anna Andersson
            content: <p>Hela texten.</p>
            summary: <p>Rådet lämnar sin <em>rapport</em>.</p>

            guid: https://www.example.se/nyheter/utan-lank.html
            link: https://www.example.se/nyheter/utan-lank.html
            title: Utan länk
            author: Bo Berg

            title: Utan allt
        "#,
        );
    }

    #[test]
    fn atom_with_xml_base() {
        check(
            &fixture("atom-xml-base.xml"),
            Some("application/rss+xml"),
            "https://www.uppsala.example/Feeds/RssFeed/News/?documentTypeId=98",
            r#"
            guid: tag:uppsala.example,2024:1
            link: https://www.uppsala.example/aktuellt/nyheter/detaljplan-rosendal/
            title: Ny detaljplan för Rosendal & Ultuna
            published: feed:published 2024-05-02T09:30:00+02:00
            updated: feed:updated 2024-05-03T08:00:00+02:00
            author: Stadsbyggnadsförvaltningen
            content: <p>Samråd pågår.</p>
            summary: Plan &lt; 2 ha &amp; samråd

            link: https://annan.example/blogg/inlagg-2
            title: Utan id
            updated: feed:updated 2024-04-01T14:00:00+02:00
        "#,
        );
    }

    #[test]
    fn undeclared_windows_1252_rss() {
        check(
            &fixture("rss-windows-1252-undeclared.xml"),
            Some("text/xml"),
            "http://www.example.se/rss",
            r#"
            guid: 4.1
            link: http://www.example.se/nyheter/naringslivsdag.html
            title: Näringslivsdag i Växjö – företagare välkomna
            published: feed:pubDate 2021-03-29T08:00:21+02:00
            summary: Mötesplats för företag och kommun på torget.
        "#,
        );
    }

    #[test]
    fn utf8_rss_claiming_latin1() {
        check(
            &fixture("rss-utf8-claiming-latin1.xml"),
            Some("application/rss+xml; charset=iso-8859-1"),
            "http://www.example.se/rss",
            r#"
            guid: 4.2
            link: http://www.example.se/nyheter/foretagsnatverk.html
            title: Företagsnätverk – samarbete och kompetensförsörjning
        "#,
        );
    }

    #[test]
    fn json_feed() {
        check(
            &fixture("jsonfeed.json"),
            Some("application/feed+json"),
            "https://www.example.se/feed.json",
            r#"
            guid: 2024-1
            link: https://www.example.se/nyheter/ny-skola
            title: Ny skola i Älmhult
            published: feed:date_published 2024-03-01T09:00:00+01:00
            updated: feed:date_modified 2024-03-02T10:15:00+01:00
            author: Kommunikationsavdelningen
            content: <p>Byggstart i höst.</p>
            summary: Byggstart &lt;snart&gt;

            guid: 2024-2
            content: Bara text &amp; inget mer.
        "#,
        );
    }

    #[test]
    fn categories_are_kept_for_topic_filters() {
        let url = Url::parse("https://www.example.se/rss").unwrap();
        let rss = b"<rss version=\"2.0\"><channel><title>t</title><item><title>a</title><link>/a</link><category>N\xc3\xa4ringsliv</category><category> Skola  och barn </category></item></channel></rss>";
        let items = items_from_feed(rss, None, &url).unwrap();
        assert_eq!(items[0].categories, ["Näringsliv", "Skola och barn"]);
        let atom = b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>x</id><updated>2024-01-01T00:00:00Z</updated><entry><id>1</id><title>a</title><updated>2024-01-01T00:00:00Z</updated><category term=\"biz\" label=\"F\xc3\xb6retag\"/><category term=\"skola\"/></entry></feed>";
        let items = items_from_feed(atom, None, &url).unwrap();
        assert_eq!(items[0].categories, ["Företag", "skola"]);
    }

    #[test]
    fn invalid_feed_names_url_and_reason() {
        let url = Url::parse("https://www.example.se/rss").unwrap();
        for body in [
            fixture("invalid.xml"),
            b"<html><body>404</body></html>".to_vec(),
            Vec::new(),
        ] {
            let err = items_from_feed(&body, None, &url).expect_err("invalid");
            let Error::InvalidFeed {
                url: err_url,
                reason,
            } = &err
            else {
                panic!("unexpected error {err:?}");
            };
            assert_eq!(err_url, &url);
            assert!(!reason.is_empty());
            assert!(
                err.to_string().contains("https://www.example.se/rss"),
                "{err}"
            );
        }
    }
}
