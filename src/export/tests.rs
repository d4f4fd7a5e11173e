//! The feed is checked the way subscribers see it: parsed back by an XML
//! parser (our small tree below, strict about well-formedness) and by a feed
//! library (feed-rs), never by searching the string alone.

use jiff::civil::date;
use jiff::Timestamp;
use quick_xml::events::Event;
use quick_xml::Reader;

use super::*;

// ---- fixtures ---------------------------------------------------------------

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A fixed "now" that is never an entry's date, so tests see where it leaks.
fn now() -> Timestamp {
    ts("2030-01-01T00:00:00Z")
}

fn meta() -> FeedMeta {
    FeedMeta {
        id: "https://nyheter.example.se/feed.atom".into(),
        title: "Kommunnyheter".into(),
        self_url: "https://nyheter.example.se/feed.atom".into(),
        stylesheet: None,
    }
}

fn source() -> EntrySource {
    EntrySource {
        url: "https://www.vaxjo.se/nyheter".into(),
        title: "Växjö kommun".into(),
        site: "https://www.vaxjo.se".into(),
        updated: ts("2021-03-29T12:00:00Z"),
    }
}

/// A plain summer article; tests change what they are about.
fn entry(slug: &str) -> Entry {
    let link = format!("https://www.vaxjo.se/nyheter/{slug}");
    Entry {
        id: entry_id(&url::Url::parse(&link).unwrap()),
        title: format!("Nyhet {slug}"),
        link,
        related: vec![],
        published: Some(PageDate::Time(ts("2021-03-29T11:05:00Z"))),
        updated: ts("2021-03-29T11:05:00Z"),
        author: "Anna Andersson".into(),
        categories: vec![],
        source: source(),
        content_html: format!("<p>Text om {slug}.</p>"),
    }
}

fn render(entries: &[Entry]) -> String {
    render_atom(&meta(), entries, now())
}

// ---- a minimal XML tree, so tests can look at exactly what was written ------

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    fn one(&self, name: &str) -> &Node {
        let found = self.all(name);
        assert_eq!(found.len(), 1, "exactly one <{name}> in <{}>", self.name);
        found[0]
    }

    fn text_of(&self, name: &str) -> &str {
        &self.one(name).text
    }

    fn links(&self, rel: &str) -> Vec<&str> {
        self.all("link")
            .into_iter()
            .filter(|l| l.attr("rel") == Some(rel))
            .map(|l| l.attr("href").unwrap())
            .collect()
    }

    /// Every element in document order, this one included.
    fn walk(&self) -> Vec<&Node> {
        let mut out = vec![self];
        for child in &self.children {
            out.extend(child.walk());
        }
        out
    }
}

/// Parses `xml` strictly (mismatched or unclosed tags, bad entity
/// references and bad attributes all fail) into the root element.
fn parse_tree(xml: &str) -> Node {
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Node::default()];
    let mut raw_text = vec![String::new()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                stack.push(start_node(&e));
                raw_text.push(String::new());
            }
            Event::Empty(e) => stack.last_mut().unwrap().children.push(start_node(&e)),
            Event::Text(t) => raw_text.last_mut().unwrap().push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap();
                raw_text.last_mut().unwrap().push_str(&format!("&{name};"));
            }
            Event::End(_) => {
                let mut node = stack.pop().unwrap();
                let raw = raw_text.pop().unwrap();
                node.text = quick_xml::escape::unescape(&raw).unwrap().into_owned();
                stack.last_mut().unwrap().children.push(node);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "every element closed");
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

fn start_node(e: &quick_xml::events::BytesStart) -> Node {
    Node {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                (key, a.unescape_value().unwrap().into_owned())
            })
            .collect(),
        ..Node::default()
    }
}

fn parse_feed_rs(xml: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(xml.as_bytes()).expect("feed-rs parses the feed")
}

/// The checks every rendered feed must pass, whatever the input.
fn assert_valid_atom(xml: &str) -> Node {
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"));
    assert_no_forbidden_chars(xml);
    let feed = parse_tree(xml);
    assert_eq!(feed.name, "feed");
    assert_eq!(feed.attr("xmlns"), Some("http://www.w3.org/2005/Atom"));
    assert_eq!(feed.attr("xml:lang"), Some("sv"));
    assert_absolute_iri(feed.text_of("id"));
    assert!(!feed.text_of("title").trim().is_empty());
    assert_eq!(feed.links("self").len(), 1);
    assert_eq!(feed.one("author").text_of("name"), "Kommunnyheter");
    assert_eq!(
        feed.one("generator").attr("version"),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_dates_rfc3339(&feed);
    assert_no_empty_text_elements(&feed);

    let mut ids = HashSet::new();
    for entry in feed.all("entry") {
        let id = entry.text_of("id");
        assert!(id.starts_with("tag:muniflux,2026:"), "{id}");
        assert_absolute_iri(id);
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        assert!(!entry.one("author").text_of("name").trim().is_empty());
        assert_eq!(entry.one("title").attr("type"), Some("text"));
        assert_eq!(entry.one("content").attr("type"), Some("html"));
        if let Some(published) = entry.all("published").first() {
            assert!(parse_ts(entry.text_of("updated")) >= parse_ts(&published.text));
        }
        for link in entry.all("link") {
            assert_absolute_iri(link.attr("href").unwrap());
        }
    }
    parse_feed_rs(xml);
    feed
}

fn assert_no_forbidden_chars(xml: &str) {
    for c in xml.chars() {
        let ok = matches!(c, '\t' | '\n')
            || !(c.is_control() || c == '\u{fffd}' || (c as u32) & 0xfffe == 0xfffe);
        assert!(ok, "forbidden character {c:?} in output");
    }
}

/// The validator's checks, in its own terms: a scheme, then only RFC 3986
/// characters, and for http(s) an authority.
fn assert_absolute_iri(iri: &str) {
    let (scheme, rest) = iri.split_once(':').expect("absolute IRI has a scheme");
    assert!(!scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(
        rest.chars()
            .all(|c| c.is_ascii_alphanumeric() || ";/?:@&=+$.-_!~*'()%,#".contains(c)),
        "not an RFC 3986 URI: {iri}"
    );
    if scheme.starts_with("http") {
        assert!(rest.starts_with("//") && rest.len() > 2, "{iri}");
    }
}

/// RFC 3339 with seconds and a numeric Stockholm offset, as the validator
/// demands and `rfc3339_stockholm` writes.
fn assert_dates_rfc3339(feed: &Node) {
    for node in feed.walk() {
        if node.name == "updated" || node.name == "published" {
            let t = parse_ts(&node.text);
            assert_eq!(node.text, rfc3339_stockholm(t));
            let offset = &node.text[19..];
            assert!(offset == "+01:00" || offset == "+02:00", "{}", node.text);
        }
    }
}

fn parse_ts(s: &str) -> Timestamp {
    s.parse()
        .unwrap_or_else(|e| panic!("not RFC 3339: {s:?}: {e}"))
}

fn assert_no_empty_text_elements(feed: &Node) {
    for node in feed.walk() {
        if node.children.is_empty() && !matches!(node.name.as_str(), "link" | "category") {
            assert!(!node.text.trim().is_empty(), "empty <{}>", node.name);
        }
    }
}

// ---- tests --------------------------------------------------------------------

/// The two entries of the golden test: summer and winter, with and without
/// byline, related links and tags.
fn golden_entries() -> [Entry; 2] {
    let mut first = entry("ny-skola");
    first.title = "Ny skola i Teleborg".into();
    first.related = vec!["https://www.example.se/skola".into()];
    first.categories = vec!["Skola".into(), "Barn & unga".into()];
    first.content_html = "<p>Skolan öppnar <b>i höst</b> &amp; tar emot 300 elever.</p>".into();
    let mut second = entry("vinter");
    second.title = "Snöröjning".into();
    second.published = Some(PageDate::Day(date(2021, 1, 15)));
    second.updated = ts("2021-01-15T10:00:00Z");
    second.author = "".into();
    second.content_html = "<p>Plogbilarna är ute.</p>".into();

    [first, second]
}

/// A bit of everything a badly behaved page can produce.
fn hostile_entries() -> Vec<Entry> {
    let mut tricky = entry("tricky");
    tricky.title = "Om <script> & \"citat\" ]]>\u{0}\u{85}".into();
    tricky.link = "https://www.vaxjo.se/nyheter?a=1&b=<2>|{x}".into();
    tricky.related = vec!["/relativ".into(), "https://www.alvesta.se/a b".into()];
    tricky.categories = vec![
        "Bygg & <miljö>".into(),
        " ".into(),
        "Bygg  &  <miljö>".into(),
    ];
    tricky.content_html = "<p>A &amp; B ]]> \u{b}\r\n</p>".into();
    tricky.author = "\u{1}".into();
    let mut blank = entry("blank");
    blank.title = " ".into();
    blank.content_html = "".into();
    blank.source.title = "".into();
    blank.published = Some(PageDate::Day(date(2021, 10, 31)));
    blank.updated = ts("2021-10-01T00:00:00Z");
    vec![tricky, blank.clone(), blank]
}

/// Not a check by itself: writes sample feeds for external validators
/// (RELAX NG, the W3C Feed Validator) into `$MUNIFLUX_ATOM_SAMPLES`.
#[test]
#[ignore = "writes files; run by hand for external validation"]
fn write_samples_for_external_validation() {
    let dir = std::env::var("MUNIFLUX_ATOM_SAMPLES").expect("MUNIFLUX_ATOM_SAMPLES is set");
    let samples = [
        ("golden.xml", render(&golden_entries())),
        ("empty.xml", render(&[])),
        ("hostile.xml", render(&hostile_entries())),
    ];
    for (name, xml) in samples {
        std::fs::write(std::path::Path::new(&dir).join(name), xml).unwrap();
    }
}

#[test]
fn hostile_input_still_gives_a_valid_feed() {
    let feed = assert_valid_atom(&render(&hostile_entries()));
    assert_eq!(feed.all("entry").len(), 2);
}

#[test]
fn a_stylesheet_is_a_processing_instruction_before_the_feed() {
    let meta = FeedMeta {
        stylesheet: Some("../feed.xsl".into()),
        ..meta()
    };
    let xml = render_atom(&meta, &golden_entries(), now());
    assert!(
        xml.starts_with(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <?xml-stylesheet type=\"text/xsl\" href=\"../feed.xsl\"?>\n<feed "
        ),
        "{xml}"
    );
    let feed = assert_valid_atom(&xml);
    assert_eq!(feed.all("entry").len(), 2);
    // The rest of the document is the feed without a stylesheet.
    let plain = render(&golden_entries());
    assert_eq!(
        xml.replace(
            "<?xml-stylesheet type=\"text/xsl\" href=\"../feed.xsl\"?>\n",
            ""
        ),
        plain
    );
}

#[test]
fn golden_two_entry_feed() {
    let xml = render(&golden_entries());
    assert_valid_atom(&xml);
    let version = env!("CARGO_PKG_VERSION");
    let expected = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="sv">
  <id>https://nyheter.example.se/feed.atom</id>
  <title type="text">Kommunnyheter</title>
  <updated>2021-03-29T13:05:00+02:00</updated>
  <link rel="self" type="application/atom+xml" href="https://nyheter.example.se/feed.atom"/>
  <generator version="{version}" uri="https://github.com/muniflux/muniflux">muniflux</generator>
  <author>
    <name>Kommunnyheter</name>
  </author>
  <entry>
    <id>tag:muniflux,2026:www.vaxjo.se/nyheter/ny-skola</id>
    <title type="text">Ny skola i Teleborg</title>
    <link rel="alternate" type="text/html" href="https://www.vaxjo.se/nyheter/ny-skola"/>
    <link rel="related" href="https://www.example.se/skola"/>
    <published>2021-03-29T13:05:00+02:00</published>
    <updated>2021-03-29T13:05:00+02:00</updated>
    <author>
      <name>Anna Andersson</name>
    </author>
    <category term="Skola"/>
    <category term="Barn &amp; unga"/>
    <source>
      <id>https://www.vaxjo.se/nyheter</id>
      <title type="text">Växjö kommun</title>
      <link rel="self" href="https://www.vaxjo.se/nyheter"/>
      <link rel="alternate" type="text/html" href="https://www.vaxjo.se/"/>
      <updated>2021-03-29T14:00:00+02:00</updated>
    </source>
    <content type="html">&lt;p&gt;Skolan öppnar &lt;b&gt;i höst&lt;/b&gt; &amp;amp; tar emot 300 elever.&lt;/p&gt;</content>
  </entry>
  <entry>
    <id>tag:muniflux,2026:www.vaxjo.se/nyheter/vinter</id>
    <title type="text">Snöröjning</title>
    <link rel="alternate" type="text/html" href="https://www.vaxjo.se/nyheter/vinter"/>
    <published>2021-01-15T00:00:00+01:00</published>
    <updated>2021-01-15T11:00:00+01:00</updated>
    <author>
      <name>Växjö kommun</name>
    </author>
    <source>
      <id>https://www.vaxjo.se/nyheter</id>
      <title type="text">Växjö kommun</title>
      <link rel="self" href="https://www.vaxjo.se/nyheter"/>
      <link rel="alternate" type="text/html" href="https://www.vaxjo.se/"/>
      <updated>2021-03-29T14:00:00+02:00</updated>
    </source>
    <content type="html">&lt;p&gt;Plogbilarna är ute.&lt;/p&gt;</content>
  </entry>
</feed>
"#
    );
    assert_eq!(xml, expected);
}

#[test]
fn same_input_gives_byte_identical_output_whatever_now() {
    let entries = [entry("a"), entry("b")];
    let first = render_atom(&meta(), &entries, now());
    let later = render_atom(&meta(), &entries, ts("2040-06-01T12:00:00Z"));
    assert_eq!(first, later);
}

#[test]
fn feed_updated_is_the_newest_entry_not_now() {
    let mut old = entry("old");
    old.updated = ts("2021-03-30T08:00:00Z");
    let mut new = entry("new");
    new.updated = ts("2021-04-02T08:00:00Z");
    let feed = assert_valid_atom(&render(&[old, new]));
    assert_eq!(feed.text_of("updated"), "2021-04-02T10:00:00+02:00");
}

#[test]
fn empty_feed_is_valid_and_dated_now() {
    let xml = render(&[]);
    let feed = assert_valid_atom(&xml);
    assert!(feed.all("entry").is_empty());
    assert_eq!(feed.text_of("updated"), "2030-01-01T01:00:00+01:00");
    let parsed = parse_feed_rs(&xml);
    assert_eq!(parsed.id, "https://nyheter.example.se/feed.atom");
    assert_eq!(parsed.authors.len(), 1);
}

#[test]
fn stockholm_offsets_follow_summer_and_winter_time() {
    let mut summer = entry("summer");
    summer.published = Some(PageDate::Time(ts("2021-07-01T10:00:00Z")));
    summer.updated = ts("2021-07-01T10:00:00Z");
    let mut winter = entry("winter");
    winter.published = Some(PageDate::Day(date(2021, 12, 24)));
    winter.updated = ts("2021-12-24T09:30:00Z");
    let feed = assert_valid_atom(&render(&[summer, winter]));
    let entries = feed.all("entry");
    assert_eq!(entries[0].text_of("published"), "2021-07-01T12:00:00+02:00");
    assert_eq!(entries[0].text_of("updated"), "2021-07-01T12:00:00+02:00");
    assert_eq!(entries[1].text_of("published"), "2021-12-24T00:00:00+01:00");
    assert_eq!(entries[1].text_of("updated"), "2021-12-24T10:30:00+01:00");
}

#[test]
fn updated_is_never_before_published() {
    let mut stale = entry("stale");
    stale.published = Some(PageDate::Time(ts("2021-03-29T11:05:00Z")));
    stale.updated = ts("2020-01-01T00:00:00Z");
    let feed = assert_valid_atom(&render(&[stale]));
    let e = feed.one("entry");
    assert_eq!(e.text_of("published"), "2021-03-29T13:05:00+02:00");
    assert_eq!(e.text_of("updated"), "2021-03-29T13:05:00+02:00");
}

#[test]
fn published_is_left_out_when_unknown() {
    let mut undated = entry("undated");
    undated.published = None;
    let feed = assert_valid_atom(&render(&[undated]));
    assert!(feed.one("entry").all("published").is_empty());
}

#[test]
fn control_characters_are_removed_everywhere() {
    let mut dirty = entry("dirty");
    dirty.title = "Rubrik\u{0}med\u{1b}[1m\u{b}skräp\u{fffe}\u{85}".into();
    dirty.author = "Ann\u{7}a".into();
    dirty.categories = vec!["Tag\u{c}g".into()];
    dirty.content_html = "<p>Rad\u{8} ett\r\nrad\ttvå\u{ffff}\u{fffd}</p>".into();
    dirty.source.title = "Källa\u{1f}".into();
    let xml = render(&[dirty]);
    let feed = assert_valid_atom(&xml);
    let e = feed.one("entry");
    assert_eq!(e.text_of("title"), "Rubrikmed[1mskräp");
    assert_eq!(e.one("author").text_of("name"), "Anna");
    assert_eq!(e.one("category").attr("term"), Some("Tagg"));
    assert_eq!(e.text_of("content"), "<p>Rad ett\nrad\ttvå</p>");
    assert_eq!(e.one("source").text_of("title"), "Källa");
}

#[test]
fn markup_in_titles_content_and_attributes_is_escaped() {
    let mut tricky = entry("tricky");
    tricky.title = "Om <script> & \"citat\" ]]>".into();
    tricky.link = "https://www.vaxjo.se/nyheter?a=1&b=<2>".into();
    tricky.categories = vec!["Bygg & <miljö>".into()];
    tricky.content_html =
        "<p>A &amp; B &lt;C&gt; ]]> <a href=\"https://x.se/?a=1&amp;b=2\">x</a></p>".into();
    let xml = render(&[tricky.clone()]);
    assert!(xml.contains("<title type=\"text\">Om &lt;script&gt; &amp; \"citat\" ]]&gt;</title>"));
    assert!(xml.contains("href=\"https://www.vaxjo.se/nyheter?a=1&amp;b=%3C2%3E\""));
    assert!(xml.contains("term=\"Bygg &amp; &lt;miljö&gt;\""));
    assert!(xml.contains("&lt;p&gt;A &amp;amp; B &amp;lt;C&amp;gt; ]]&gt;"));

    let feed = assert_valid_atom(&xml);
    let e = feed.one("entry");
    assert_eq!(e.text_of("title"), tricky.title);
    assert_eq!(e.text_of("content"), tricky.content_html);

    let parsed = parse_feed_rs(&xml);
    let p = &parsed.entries[0];
    assert_eq!(p.title.as_ref().unwrap().content, tricky.title);
    assert_eq!(p.categories[0].term, "Bygg & <miljö>");
    assert_eq!(
        p.links[0].href,
        "https://www.vaxjo.se/nyheter?a=1&b=%3C2%3E"
    );
}

#[test]
fn one_category_per_distinct_tag() {
    let mut tagged = entry("tagged");
    tagged.categories = vec![
        "Skola".into(),
        "  Skola ".into(),
        "Kultur\n och   fritid".into(),
        "   ".into(),
        "".into(),
        "Kultur och fritid".into(),
        "skola".into(),
    ];
    let feed = assert_valid_atom(&render(&[tagged]));
    let terms: Vec<_> = feed
        .one("entry")
        .all("category")
        .iter()
        .map(|c| c.attr("term").unwrap())
        .collect();
    assert_eq!(terms, ["Skola", "Kultur och fritid", "skola"]);
}

#[test]
fn one_related_link_per_other_absolute_url() {
    let mut story = entry("story");
    story.related = vec![
        "https://www.alvesta.se/nyheter/story".into(),
        "https://www.vaxjo.se/nyheter/story".into(), // the alternate itself
        "https://www.alvesta.se/nyheter/story".into(), // again
        "/relative/story".into(),
        "javascript:void(0)".into(),
        "https://www.lessebo.se/nyheter/story".into(),
    ];
    let xml = render(&[story]);
    let feed = assert_valid_atom(&xml);
    let e = feed.one("entry");
    assert_eq!(e.links("alternate"), ["https://www.vaxjo.se/nyheter/story"]);
    assert_eq!(
        e.links("related"),
        [
            "https://www.alvesta.se/nyheter/story",
            "https://www.lessebo.se/nyheter/story"
        ]
    );
    let parsed = parse_feed_rs(&xml);
    assert_eq!(parsed.entries[0].links.len(), 3);
}

#[test]
fn blank_fields_get_fallbacks_instead_of_empty_elements() {
    let mut blank = entry("blank");
    blank.title = " \n\t ".into();
    blank.author = "  ".into();
    blank.source.title = "".into();
    blank.content_html = " \n ".into();
    let meta = FeedMeta {
        title: "   ".into(),
        ..meta()
    };
    let xml = render_atom(&meta, &[blank], now());
    let feed = parse_tree(&xml);
    assert_no_empty_text_elements(&feed);
    assert_eq!(feed.text_of("title"), "muniflux");
    let e = feed.one("entry");
    assert_eq!(e.text_of("title"), "https://www.vaxjo.se/nyheter/blank");
    assert_eq!(e.one("author").text_of("name"), "www.vaxjo.se");
    assert_eq!(e.one("source").text_of("title"), "https://www.vaxjo.se/");
    assert_eq!(
        e.text_of("content"),
        "<p>https://www.vaxjo.se/nyheter/blank</p>"
    );
    parse_feed_rs(&xml);
}

#[test]
fn repeated_ids_keep_only_the_first_entry() {
    let first = entry("same");
    let mut again = entry("same");
    again.title = "Dubblett".into();
    let feed = assert_valid_atom(&render(&[first, again, entry("other")]));
    let titles: Vec<_> = feed
        .all("entry")
        .iter()
        .map(|e| e.text_of("title").to_string())
        .collect();
    assert_eq!(titles, ["Nyhet same", "Nyhet other"]);
}

#[test]
fn invalid_links_are_dropped_and_ids_repaired() {
    let mut broken = entry("broken");
    broken.link = "/nyheter/relativ".into();
    broken.id = "inte ett id".into();
    broken.source.site = "".into();
    let mut messy = entry("messy");
    messy.link = "https://www.vaxjo.se/a b|c".into();
    messy.id = "".into();
    let feed = assert_valid_atom(&render(&[broken, messy]));
    let entries = feed.all("entry");
    assert!(entries[0].links("alternate").is_empty());
    assert!(entries[0].one("source").links("alternate").is_empty());
    assert_eq!(
        entries[0].text_of("id"),
        "tag:muniflux,2026:invalid/Nyhet%20broken"
    );
    assert_eq!(
        entries[1].text_of("id"),
        "tag:muniflux,2026:www.vaxjo.se/a%20b%7Cc"
    );
    assert_eq!(
        entries[1].links("alternate"),
        ["https://www.vaxjo.se/a%20b%7Cc"]
    );
}

#[test]
fn entries_keep_the_given_order() {
    let slugs = ["c", "a", "b"];
    let entries: Vec<_> = slugs.iter().map(|s| entry(s)).collect();
    let parsed = parse_feed_rs(&render(&entries));
    let ids: Vec<_> = parsed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        slugs.map(|s| format!("tag:muniflux,2026:www.vaxjo.se/nyheter/{s}"))
    );
}

// ---- JSON Feed 1.1 -------------------------------------------------------------

fn render_json(entries: &[Entry]) -> serde_json::Value {
    let meta = FeedMeta {
        self_url: "https://nyheter.example.se/feed.json".into(),
        ..meta()
    };
    let json = render_json_feed(&meta, entries);
    serde_json::from_str(&json).expect("the JSON feed is JSON")
}

/// The spec's requirements (jsonfeed.org/version/1.1): version, title and
/// items at the top; every item an `id` string and `content_html` or
/// `content_text`; dates RFC 3339; URLs absolute.
fn assert_valid_json_feed(feed: &serde_json::Value) {
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert!(!feed["title"].as_str().unwrap().trim().is_empty());
    assert!(!feed["authors"][0]["name"].as_str().unwrap().is_empty());
    let mut ids = HashSet::new();
    for item in feed["items"].as_array().unwrap() {
        let id = item["id"].as_str().expect("id is a string");
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        assert!(item["content_html"].is_string());
        for key in ["date_published", "date_modified"] {
            if let Some(date) = item.get(key) {
                let text = date.as_str().unwrap();
                assert_eq!(text, rfc3339_stockholm(parse_ts(text)));
            }
        }
        if let Some(url) = item.get("url") {
            assert_absolute_iri(url.as_str().unwrap());
        }
        assert!(!item["authors"][0]["name"]
            .as_str()
            .unwrap()
            .trim()
            .is_empty());
    }
    let text = serde_json::to_string(feed).unwrap();
    feed_rs::parser::parse(text.as_bytes()).expect("feed-rs reads the JSON feed");
}

#[test]
fn json_feed_has_the_atom_feeds_entries_ids_and_dates() {
    let mut entries = golden_entries().to_vec();
    entries.extend(hostile_entries());
    let atom = assert_valid_atom(&render(&entries));
    let json = render_json(&entries);
    assert_valid_json_feed(&json);
    let items = json["items"].as_array().unwrap();
    let atom_entries = atom.all("entry");
    assert_eq!(items.len(), atom_entries.len());
    for (item, entry) in items.iter().zip(atom_entries) {
        assert_eq!(item["id"], entry.text_of("id"));
        assert_eq!(item["title"], entry.text_of("title"));
        assert_eq!(item["content_html"], entry.text_of("content"));
        assert_eq!(item["date_modified"], entry.text_of("updated"));
        let published = entry.all("published").first().map(|p| p.text.clone());
        assert_eq!(
            item["date_published"].as_str().map(str::to_string),
            published
        );
        let link = entry.links("alternate").first().map(|l| l.to_string());
        assert_eq!(item["url"].as_str().map(str::to_string), link);
        assert_eq!(
            item["authors"][0]["name"],
            entry.one("author").text_of("name")
        );
        let terms: Vec<&str> = entry
            .all("category")
            .iter()
            .map(|c| c.attr("term").unwrap())
            .collect();
        let tags: Vec<&str> = item["tags"]
            .as_array()
            .map(|t| t.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(tags, terms);
        let related: Vec<&str> = item["_muniflux"]["related"]
            .as_array()
            .map(|t| t.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(related, entry.links("related"));
    }
    assert_eq!(json["feed_url"], "https://nyheter.example.se/feed.json");
    assert_eq!(json["language"], "sv");
}

#[test]
fn json_feed_is_byte_identical_between_renders_and_valid_when_empty() {
    let meta = meta();
    let entries = golden_entries();
    assert_eq!(
        render_json_feed(&meta, &entries),
        render_json_feed(&meta, &entries)
    );
    let empty = render_json(&[]);
    assert_valid_json_feed(&empty);
    assert_eq!(empty["items"].as_array().unwrap().len(), 0);
    let mut untitled = meta.clone();
    untitled.title = " \u{1} ".into();
    let json: serde_json::Value = serde_json::from_str(&render_json_feed(&untitled, &[])).unwrap();
    assert_eq!(json["title"], "muniflux");
}

// ---- properties ---------------------------------------------------------------

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Text as scraped pages deliver it: anything, with the characters XML
    /// cannot carry, CDATA ends, entity look-alikes (lone surrogates among
    /// them) and, now and then, a huge run.
    fn hostile_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[\\x00-\\x1f\\x7f-\\x9f<>&\"' \\]]{0,40}",
            Just("]]>".to_string()),
            Just("&#xD800;&#xDFFF;&#0;&#x110000;&amp;&lt;&bogus;".to_string()),
            Just("\u{fffe}\u{ffff}\u{fdd0}\u{feff}\u{202e}".to_string()),
            "[a-zåäö ]{1,8}".prop_map(|s| s.repeat(20_000)),
        ]
    }

    fn hostile_url() -> impl Strategy<Value = String> {
        prop_oneof![
            hostile_text(),
            Just("https://www.vaxjo.se/nyheter/a".to_string()),
            "https?://[a-zåäö0-9.-]{1,12}(:[0-9]{1,5})?/[ -~åäö]{0,30}",
            Just("javascript:alert(1)".to_string()),
            Just("".to_string()),
        ]
    }

    fn hostile_entry() -> impl Strategy<Value = Entry> {
        (
            (
                hostile_text(),
                hostile_url(),
                proptest::collection::vec(hostile_url(), 0..3),
            ),
            (
                hostile_text(),
                proptest::collection::vec(hostile_text(), 0..3),
            ),
            (hostile_text(), hostile_url(), hostile_text()),
            (
                -2_000_000_000i64..4_000_000_000i64,
                proptest::option::of(-2_000_000_000i64..4_000_000_000i64),
            ),
        )
            .prop_map(
                |(
                    (title, link, related),
                    (author, categories),
                    (source_title, source_url, body),
                    (updated, published),
                )| {
                    let id = url::Url::parse(&link)
                        .map(|u| entry_id(&u))
                        .unwrap_or_else(|_| link.clone());
                    Entry {
                        id,
                        title,
                        link,
                        related,
                        published: published
                            .map(|s| PageDate::Time(Timestamp::from_second(s).unwrap())),
                        updated: Timestamp::from_second(updated).unwrap(),
                        author,
                        categories,
                        source: EntrySource {
                            url: source_url.clone(),
                            title: source_title,
                            site: source_url,
                            updated: Timestamp::from_second(updated).unwrap(),
                        },
                        content_html: body,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any titles, bodies, authors and URLs give a well-formed, valid
        /// Atom feed that an XML parser and feed-rs read back, and a valid
        /// JSON Feed.
        #[test]
        fn any_entries_give_a_valid_feed(
            entries in proptest::collection::vec(hostile_entry(), 0..4),
            title in hostile_text(),
        ) {
            let meta = FeedMeta {
                id: "https://nyheter.example.se/feed.atom".into(),
                title,
                self_url: "https://nyheter.example.se/feed.atom".into(),
                stylesheet: None,
            };
            let xml = render_atom(&meta, &entries, now());
            let feed = parse_tree(&xml);
            prop_assert_eq!(feed.name.as_str(), "feed");
            assert_no_forbidden_chars(&xml);
            assert_dates_rfc3339(&feed);
            assert_no_empty_text_elements(&feed);
            assert_absolute_iri(feed.text_of("id"));
            for entry in feed.all("entry") {
                assert_absolute_iri(entry.text_of("id"));
                for link in entry.all("link") {
                    assert_absolute_iri(link.attr("href").unwrap());
                }
            }
            let parsed = parse_feed_rs(&xml);
            prop_assert!(parsed.entries.len() <= entries.len());
            // The JSON Feed of the same entries.
            let json: serde_json::Value =
                serde_json::from_str(&render_json_feed(&meta, &entries)).unwrap();
            assert_valid_json_feed(&json);
        }
    }
}
