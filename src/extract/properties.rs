//! Properties of extraction for any input: list and article extraction and
//! the body renderer never panic, and no body holds a tag, attribute or URL
//! scheme outside the renderer's allowlist (checked by the ammonia oracle
//! in [`super::html::assert_sanitized`]), nor a tracking pixel.

use jiff::Timestamp;
use proptest::prelude::*;
use url::Url;

use super::article::extract_article_with;
use super::html::{assert_sanitized, clean_fragment};
use super::links::links_from_list_with;
use super::overrides::Overrides;

const TAGS: &[&str] = &[
    "p",
    "div",
    "span",
    "a",
    "img",
    "b",
    "i",
    "em",
    "strong",
    "br",
    "h1",
    "h2",
    "h3",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "blockquote",
    "pre",
    "code",
    "sub",
    "sup",
    "article",
    "main",
    "section",
    "header",
    "footer",
    "nav",
    "aside",
    "time",
    "figure",
    "figcaption",
    "script",
    "style",
    "noscript",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "template",
    "textarea",
    "select",
    "option",
    "video",
    "source",
    "picture",
    "base",
    "meta",
    "link",
    "font",
    "center",
    "marquee",
    "frameset",
    "plaintext",
    "xmp",
    "title",
];

fn url_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("javascript:alert(1)".to_string()),
        Just(" JaVaScRiPt:alert(1)".to_string()),
        Just("java\tscript:alert(1)".to_string()),
        Just("&#106;avascript:alert(1)".to_string()),
        Just("vbscript:x".to_string()),
        Just("data:text/html;base64,PHNjcmlwdD4=".to_string()),
        Just("file:///etc/passwd".to_string()),
        Just("//cdn.example.se/p.gif".to_string()),
        Just("/nyheter/a.html?utm_source=x#y".to_string()),
        Just("mailto:a@b.se".to_string()),
        Just("https://www.example.se/bild.jpg".to_string()),
        "[a-z:/.%&#;?=\"'<> -]{0,24}",
    ]
}

fn attribute() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("href"),
        Just("src"),
        Just("onclick"),
        Just("onerror"),
        Just("style"),
        Just("class"),
        Just("id"),
        Just("width"),
        Just("height"),
        Just("hidden"),
        Just("srcset"),
        Just("data-src"),
        Just("alt"),
        Just("title"),
        Just("rel"),
        Just("datetime"),
        Just("formaction"),
        Just("xlink:href"),
        Just("action"),
    ];
    let value = prop_oneof![
        url_value(),
        Just("1".to_string()),
        Just("0".to_string()),
        Just("display:none".to_string()),
        Just("width:1px;height:1px".to_string()),
        Just("x\" onmouseover=\"y()".to_string()),
        "[a-zåäö0-9 ]{0,12}",
    ];
    (name, value).prop_map(|(name, value)| {
        let value = value.replace('"', "&quot;");
        format!(" {name}=\"{value}\"")
    })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-ZåäöÅÄÖ ,.]{0,60}",
        Just("&lt;script&gt;alert(1)&lt;/script&gt;".to_string()),
        Just("&#0;&#xD800;&#x110000;&amp;&nbsp;".to_string()),
        Just("]]><!--x-->".to_string()),
        Just("Publicerad 2024-03-05 10:00".to_string()),
        any::<String>().prop_map(|s| s.replace(['<', '&'], " ")),
    ]
}

/// Random markup: elements from [`TAGS`] with attributes, nested, and
/// text. Unbalanced on purpose now and then.
fn markup() -> impl Strategy<Value = String> {
    let leaf = text();
    leaf.prop_recursive(5, 64, 6, |inner| {
        (
            proptest::sample::select(TAGS),
            proptest::collection::vec(attribute(), 0..4),
            proptest::collection::vec(inner, 0..6),
            any::<u8>(),
        )
            .prop_map(|(tag, attributes, children, close)| {
                let end = if close < 230 {
                    format!("</{tag}>")
                } else {
                    String::new()
                };
                format!("<{tag}{}>{}{end}", attributes.concat(), children.concat())
            })
    })
}

/// A page with a headline and enough text around the markup that
/// extraction finds an article more often than not.
fn page() -> impl Strategy<Value = String> {
    (markup(), markup(), markup()).prop_map(|(a, b, c)| {
        format!(
            "<html><head><title>Nyhet</title></head><body><nav>{a}</nav><main><article>\
             <h1>Ny förskola öppnar i centrum</h1><p>Kommunen öppnar en ny förskola i \
             centrum till hösten, med plats för hundra barn och ett kök.</p>{b}\
             <p>Förskolan får sex avdelningar och en stor gård med lekplats.</p>\
             </article></main><footer>{c}</footer></body></html>"
        )
    })
}

/// No image in body HTML is a tracking pixel from the generator.
fn assert_no_tracker(html: &str) {
    for image in html.split("<img src=\"").skip(1) {
        let src = image.split('"').next().unwrap_or("");
        assert!(
            !src.ends_with("p.gif"),
            "a tracking pixel reached the body: {html}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn article_bodies_hold_only_allowlisted_markup(html in page()) {
        let url = Url::parse("https://www.example.se/nyheter/forskola.html").unwrap();
        let now: Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
        if let Ok(article) = extract_article_with(&html, &url, now, &Overrides::default()) {
            assert_sanitized(&article.body_html);
        }
        let list = links_from_list_with(&html, &url, &Overrides::default());
        for link in list.links.iter().chain(list.next_page.as_ref()) {
            prop_assert!(matches!(link.scheme(), "http" | "https"), "{}", link);
        }
    }

    #[test]
    fn fragments_hold_only_allowlisted_markup(html in markup()) {
        let url = Url::parse("http://www.example.se/rss").unwrap();
        let cleaned = clean_fragment(&html, &url);
        assert_sanitized(&cleaned.html);
        prop_assert!(!cleaned.html.contains("https://cdn.example.se"), "{}", cleaned.html);
    }

    #[test]
    fn tracking_pixels_never_reach_a_body(
        before in markup(),
        pixel in prop_oneof![
            Just(r#"<img src="//cdn.example.se/p.gif" width="1" height="1">"#),
            Just(r#"<img src="/p.gif" width="0" height="0">"#),
            Just(r#"<img src="/p.gif" style="display:none">"#),
            Just(r#"<div hidden><img src="/p.gif"></div>"#),
            Just(r#"<noscript><img src="/p.gif"></noscript>"#),
        ],
    ) {
        let url = Url::parse("https://www.example.se/").unwrap();
        // `before` in a closed element: an unclosed `<svg>` would make the
        // pixel's `<noscript>` an SVG element, and a browser shows the
        // image after it (html5ever agrees).
        let cleaned = clean_fragment(&format!("<div>{before}</div><p>Text {pixel} mer text</p>"), &url);
        assert_no_tracker(&cleaned.html);
    }
}
