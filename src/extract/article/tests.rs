//! One hand-written page per CMS shape and per kind of boilerplate.

use super::*;

const URL: &str = "https://www.kommun.se/nyheter/artikel.html";
const LONG: &str = "Kommunen har i dag fattat beslut om en ny satsning på företagande, \
    och arbetet börjar redan i höst med flera olika insatser för lokala företag.";

fn extract(html: &str) -> Result<Article, Error> {
    extract_article(html, &Url::parse(URL).unwrap(), Timestamp::UNIX_EPOCH)
}

/// Checks title and body text of a page.
fn check(html: &str, title: &str, body: &str) {
    let article = extract(html).unwrap_or_else(|e| panic!("{e}: {html}"));
    assert_eq!(article.title, title);
    assert_eq!(article.body_text, body, "\nhtml: {}", article.body_html);
}

fn check_none(html: &str) {
    if let Ok(article) = extract(html) {
        panic!("expected no article, got {article:?}");
    }
}

fn page(head: &str, body: &str) -> String {
    format!("<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>")
}

#[test]
fn sitevision_portlets_around_an_image_are_one_body() {
    let html = page(
        "<title>Rubrik - Kommun</title>",
        &format!(
            r#"<header class="sv-layout"><button>Kommunens webbplatser</button></header>
            <nav class="breadcrumbs"><a href="/">Start</a></nav>
            <main><div class="sv-grid-main"><div class="sv-layout sv-column-8">
              <div class="sv-text-portlet" id="Rubrik"><div class="sv-text-portlet-content"><h1 class="heading">Rubrik</h1></div></div>
              <div class="sv-text-portlet" id="Ingress"><div class="sv-text-portlet-content"><p class="ingress">Ingress om saken.</p></div></div>
              <div class="sv-html-portlet vx-pubdate"><p><span>Publiceringsdatum</span><span>29-mars-2021</span></p></div>
              <div class="sv-text-portlet" id="Text1"><div class="sv-text-portlet-content"><p>{LONG}</p></div></div>
              <div class="sv-image-portlet"><img src="/bild.jpg" alt=""><p class="vx-caption">Bildtext här</p></div>
              <div class="sv-text-portlet" id="Text2"><div class="sv-text-portlet-content"><h2>Mellanrubrik</h2><p>{LONG}</p></div></div>
              <div class="sv-text-portlet vx-factbox"><div class="sv-text-portlet-content"><h2>Fakta</h2><p><strong>Namn:</strong> Mikael</p></div></div>
              <div class="vx-share"><a href='#'>Dela på Facebook</a></div>
              <div class="vx-feedback"><form><legend>Hittade du det du sökte?</legend><button>Ja</button></form></div>
            </div><aside class="sv-column-4"><h2>Relaterade sidor</h2><p>{LONG}</p></aside></div></main>
            <footer><p>Postadress: Box 1, 351 12 Kommun</p></footer>"#
        ),
    );
    check(
        &html,
        "Rubrik",
        &format!("Ingress om saken.\n\n{LONG}\n\nMellanrubrik\n\n{LONG}\n\nFakta\n\nNamn: Mikael"),
    );
    let article = extract(&html).unwrap();
    assert!(article
        .body_html
        .contains(r#"<img src="https://www.kommun.se/bild.jpg""#));
    assert!(!article.body_html.contains("class="));
}

#[test]
fn episerver_article_with_preamble_author_and_tools() {
    let html = page(
        r#"<title>Nyhet | Kommun</title><link rel="canonical" href="/nyheter/nyhet/">"#,
        &format!(
            r#"<div class="cookie-consent"><p>Kommunen använder kakor för statistik.</p></div>
            <main><article class="article"><h1>Nyhet</h1><p class="article__date">Publicerad 2018-02-05</p>
            <div class="article__preamble"><p>Ingressen med några fler ord.</p></div>
            <div class="article__author"><p><span class="article__author-name">Kalle Anka</span> <span>Chef</span></p></div>
            <div class="article__body"><p>{LONG}</p><p><a href="/film/">Se filmen på Youtube</a></p><p>Rad ett<br>rad två</p></div>
            </article><div class="page-tools"><a href='#'>Dela på Facebook</a><button>Lyssna</button></div>
            <section class="page-feedback"><h2>Fick du svar på din fråga?</h2></section></main>
            <aside class="sidebar"><h2>Evenemang</h2><ul><li><a href="/e/">12 maj 2022 Frukost</a></li></ul></aside>"#
        ),
    );
    check(
        &html,
        "Nyhet",
        &format!(
            "Ingressen med några fler ord.\n\n{LONG}\n\nSe filmen på Youtube\n\nRad ett\nrad två"
        ),
    );
    let article = extract(&html).unwrap();
    assert_eq!(article.author.as_deref(), Some("Kalle Anka"));
    assert_eq!(
        article.canonical.map(|u| u.to_string()).as_deref(),
        Some("https://www.kommun.se/nyheter/nyhet/")
    );
}

#[test]
fn drupal_headline_outside_the_node_and_categories() {
    let html = page(
        "<title>Drupal | Kommun</title>",
        &format!(
            r#"<main role="main"><div class="layout-content"><div class="region">
            <div class="block-page-title"><h1 class="page-title"><span>Drupalnyhet</span></h1></div>
            <div class="block-system-main"><article class="node">
              <div class="node__meta"><span class="icon"></span> tis 18 okt 2022</div>
              <div class="node__content">
                <div class="field field--name-field-ingress field--label-hidden"><p>Ingress här med några fler ord.</p></div>
                <div class="field field--name-body field--label-hidden"><p>{LONG}</p><ul><li>Punkt ett</li><li>Punkt två</li></ul></div>
                <div class="field field--name-field-kategori"><div class="field__label">Kategori</div><a href="/k/">Näringsliv</a></div>
              </div></article></div>
            <div class="block-ljungby-share"><h2>Dela sidan</h2></div>
            </div></div>
            <aside class="layout-sidebar-second"><p>{LONG}</p></aside></main>
            <footer><p>Senast uppdaterad: 2023-11-08</p></footer>"#
        ),
    );
    check(
        &html,
        "Drupalnyhet",
        &format!("Ingress här med några fler ord.\n\n{LONG}\n\nPunkt ett\n\nPunkt två"),
    );
}

#[test]
fn wordpress_post_without_meta_comments_and_widgets() {
    let html = page(
        "<title>Inlägg – Bloggen</title>",
        &format!(
            r#"<div id="page"><header class="site-header"><p class="site-description">Bloggen om allt</p></header>
            <main class="site-main"><article class="post hentry">
              <header class="entry-header"><h1 class="entry-title">Inlägg</h1>
                <div class="entry-meta"><span class="byline">Publicerat av <span class="author vcard"><a href="/a/">Kommunchefen</a></span></span>
                <time datetime="2019-10-18">18 oktober 2019</time></div></header>
              <div class="entry-content"><p>{LONG}</p><h3>Underrubrik</h3><p>{LONG}</p></div>
              <footer class="entry-footer"><span class="cat-links">Publicerat i <a href="/c/">Näringsliv</a></span></footer>
            </article>
            <nav class="post-navigation"><a rel="prev" href="/p/">Föregående inlägg</a></nav>
            <div id="comments" class="comments-area"><ol class="comment-list"><li><p>{LONG}</p><p>21 oktober 2019 kl. 08:02</p></li></ol>
            <form id="commentform"><p>Din e-postadress kommer inte publiceras.</p></form></div></main>
            <aside class="widget-area"><section class="widget"><h2>Senaste inläggen</h2></section></aside></div>"#
        ),
    );
    check(&html, "Inlägg", &format!("{LONG}\n\nUnderrubrik\n\n{LONG}"));
    assert_eq!(
        extract(&html).unwrap().author.as_deref(),
        Some("Kommunchefen")
    );
}

#[test]
fn table_layout_with_double_breaks_and_bare_text() {
    let html = page(
        "<title>Gammal nyhet - Kommun</title>",
        &format!(
            r#"<table><tr><td colspan=3 class=topp><a href="/">Start</a> | <a href="/k">Kontakt</a></td></tr>
            <tr><td class=sokvag>Du är här: <a href="/">Start</a> &gt; Nyheter</td></tr>
            <tr valign=top><td class=vanstermeny><a href="/a">Nyheter</a><br><a href="/b">Starta företag</a><br></td>
            <td class=innehall><span class=datum>2012-01-27</span><br>
            <h1 class=rubrik>Gammal nyhet</h1>
            <p class=ingress><b>Ingressen i fetstil.</b>
            <p class=brodtext>{LONG}<br><br>Andra stycket.<br>Samma stycke.
            <table class=bild><tr><td><img src="/b.jpg"></td></tr><tr><td class=bildtext><i>Bildtexten</i></td></tr></table>
            Text efter bilden, utan p-element, fortsätter här.
            <p class=sidinfo><font size=1>Sidansvarig: Gunilla<br>Senast uppdaterad: 2012-04-16</font></p>
            <p class=verktyg><a href="javascript:print()">Skriv ut</a> | <a href="/tipsa">Tipsa en vän</a></td>
            <td class=hogerspalt><div class=puff><p>Puff om något annat i högerspalten.</p></div>
            <div class=kontaktruta><b>Kontakta oss</b><br>Tel 08-590 970 00</div></td></tr></table>"#
        ),
    );
    check(
        &html,
        "Gammal nyhet",
        &format!(
            "Ingressen i fetstil.\n\n{LONG}\n\nAndra stycket.\nSamma stycke.\n\nText efter bilden, utan p-element, fortsätter här."
        ),
    );
}

#[test]
fn title_falls_back_to_og_title_and_title_without_site_name() {
    let body = format!("<main><div class='content'><p>{LONG}</p></div></main>");
    check(
        &page(
            r#"<meta property="og:title" content="Från og"><title>X - Kommun</title>"#,
            &body,
        ),
        "Från og",
        LONG,
    );
    check(
        &page("<title>Från title | Skellefteå kommun</title>", &body),
        "Från title",
        LONG,
    );
    // Only the site name: no headline, so no article.
    check_none(&page(
        r#"<meta property="og:site_name" content="Kommun"><title>Kommun</title>"#,
        &format!("<main><h1>Kommun</h1><p>{LONG}</p></main>"),
    ));
}

#[test]
fn list_pages_error_pages_and_empty_pages_have_no_article() {
    let teaser = |n: u32| {
        format!(
            r#"<li class="news-item"><h2><a href="/nyheter/{n}/">Nyhet nummer {n}</a></h2><p class="date">2022-01-0{n}</p><p>{LONG}</p></li>"#
        )
    };
    let list: String = (1..=4).map(teaser).collect();
    check_none(&page(
        "<title>Nyheter</title>",
        &format!("<main><h1>Nyheter</h1><ul>{list}</ul></main>"),
    ));
    check_none(&page(
        "<title>Sidan kunde inte hittas - Kommun</title>",
        "<main><h1>Sidan kunde inte hittas</h1><p>Sidan du söker finns inte längre, prova sökfunktionen.</p></main>",
    ));
    check_none("");
    check_none("<html><body><p>Kort.</p></body></html>");
    check_none("<<<>>><p<<");
}

#[test]
fn deep_nesting_and_long_lines_do_not_panic() {
    let depth = 20_000;
    let html = format!(
        "{}<p>{LONG}</p>{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let _ = extract(&html);
    let long = "ord ".repeat(250_000);
    let article = extract(&page(
        "<title>Lång</title>",
        &format!("<main><h1>Lång</h1><p>{long}</p></main>"),
    ));
    assert!(article.is_ok());
}

/// Pathological input: each case must give an answer quickly (these run in
/// debug builds) and never panic.
mod hostile_input {
    use super::*;
    use crate::extract::charset;
    use crate::extract::html::clean_fragment;
    use crate::extract::links::links_from_list;

    fn article_page_nested(depth: usize, open: &str, close: &str) -> String {
        page(
            "<title>Djup - Kommun</title>",
            &format!(
                "{}<main><h1>Djup</h1><p>{LONG}</p><p>{LONG}</p></main>{}",
                open.repeat(depth),
                close.repeat(depth)
            ),
        )
    }

    #[test]
    fn hundred_thousand_nested_divs_still_give_the_article() {
        let html = article_page_nested(100_000, "<div>", "</div>");
        let article = extract(&html).expect("the article inside the nesting");
        assert_eq!(article.title, "Djup");
        assert_eq!(article.body_text, format!("{LONG}\n\n{LONG}"));
        let list = links_from_list(&html, &Url::parse(URL).unwrap());
        assert!(list.links.is_empty());
    }

    #[test]
    fn deep_svg_beside_the_article_is_bounded() {
        let html = page(
            "<title>Ikon - Kommun</title>",
            &format!(
                "<main><h1>Ikon</h1><svg>{}<path d='M0'/>{}</svg><p>{LONG}</p></main>",
                "<g>".repeat(100_000),
                "</g>".repeat(100_000)
            ),
        );
        let article = extract(&html).expect("the article beside the icon");
        assert_eq!(article.body_text, LONG);
    }

    #[test]
    fn unclosed_nesting_of_inline_and_table_elements_is_bounded() {
        for (open, close) in [
            ("<span>", ""),
            ("<font>", ""),
            ("<b><i>", ""),
            ("<table><tr><td>", ""),
            ("<ul><li>", "</ul>"),
            ("<blockquote>", "</blockquote>"),
        ] {
            let html = article_page_nested(50_000, open, close);
            // The text survives; whether it reads as an article depends on
            // the shape, but there is an answer.
            if let Ok(article) = extract(&html) {
                assert!(article.body_text.contains(LONG), "{open}");
            }
        }
    }

    #[test]
    fn deeply_nested_feed_content_is_bounded() {
        let html = format!(
            "{}<p>{LONG}</p>{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let cleaned = clean_fragment(&html, &Url::parse(URL).unwrap());
        assert_eq!(cleaned.text, LONG);
    }

    #[test]
    fn megabyte_lines_are_fine() {
        let sentence = "Ett ord och ett till, utan radbrytning någonstans. ";
        let paragraph = sentence.repeat(1_000_000 / sentence.len());
        let html = page(
            "<title>Lång - Kommun</title>",
            &format!("<main><h1>Lång</h1><p>{paragraph}</p></main>"),
        );
        let article = extract(&html).expect("one long paragraph is an article");
        assert_eq!(article.body_text, paragraph.trim());
        // A megabyte of markup on one line, and a megabyte attribute.
        let cards = "<div class='card'><a href='/a'>x</a></div>".repeat(25_000);
        let attribute = format!("<div data-x='{}'>", "y".repeat(1_000_000));
        for html in [cards, attribute] {
            let _ = extract(&html);
            let _ = links_from_list(&html, &Url::parse(URL).unwrap());
        }
    }

    #[test]
    fn binary_junk_is_no_article() {
        // A fixed pseudo-random byte stream (xorshift), with NULs and stray
        // `<` among it.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let bytes: Vec<u8> = (0..300_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let text = charset::decode(&bytes, None);
        assert!(matches!(extract(&text), Err(Error::NoArticle { .. })));
        let list = links_from_list(&text, &Url::parse(URL).unwrap());
        assert!(list.links.is_empty());
        let _ = clean_fragment(&text, &Url::parse(URL).unwrap());
    }
}

#[test]
fn text_counts_match_a_per_character_count() {
    // Longer than the counting loop's 255-byte chunks, so the per-chunk
    // counters are summed across chunk ends.
    let long = "Företag, å\u{a0}ö.  ".repeat(300);
    for text in [
        long.as_str(),
        "Kommunen, i dag.",
        "  Åsa\u{a0}och Örjan;\tsäger: nej! ",
        "em\u{2003}space\u{3000}ideographic\u{1680}ogham\u{85}nel – ”citat” … ©",
        "",
        "日本語のテキスト。",
    ] {
        let chars = text.chars().filter(|c| !c.is_whitespace()).count() as u32;
        let commas = text
            .chars()
            .filter(|c| matches!(c, ',' | '.' | ';' | '?' | '!'))
            .count() as u32;
        assert_eq!(count_text(text), (chars, commas), "{text:?}");
    }
}

#[test]
fn a_list_of_links_in_the_text_stays_but_a_headed_link_box_goes() {
    let html = page(
        "<title>Stöd - Kommun</title>",
        &format!(
            r#"<main><h1>Stöd till nya företag</h1><p>{LONG}</p><p>Läs mer:</p>
            <ul><li><a href="https://verksamt.se/">Verksamt.se</a></li><li><a href="https://tillvaxtverket.se/">Tillväxtverket</a></li></ul>
            <div class="box"><h2>Läs också</h2><ul><li><a href="/nyheter/a.html">Nytt näringslivsråd</a></li><li><a href="/nyheter/b.html">Företagsfrukost i mars</a></li></ul></div>
            <p>{LONG}</p></main>"#
        ),
    );
    check(
        &html,
        "Stöd till nya företag",
        &format!("{LONG}\n\nLäs mer:\n\nVerksamt.se\n\nTillväxtverket\n\n{LONG}"),
    );
}

#[test]
fn a_site_name_h1_in_the_header_is_not_the_title() {
    let html = page(
        "<title>Nytt näringslivsråd - Norrby kommun</title>",
        &format!(
            r#"<header><h1><a href="/">Norrby kommun</a></h1></header>
            <main><h2>Nytt näringslivsråd</h2><p>{LONG}</p></main>"#
        ),
    );
    check(&html, "Nytt näringslivsråd", LONG);
}

#[test]
fn a_headline_after_the_site_name_in_the_title_is_still_the_title() {
    let html = page(
        "<title>Norrby kommun - Nytt näringslivsråd</title>",
        &format!("<main><h1>Nytt näringslivsråd</h1><p>{LONG}</p></main>"),
    );
    check(&html, "Nytt näringslivsråd", LONG);
}

#[test]
fn bylines_without_classes_are_not_body() {
    let html = page(
        "<title>Harbour - Herald</title>",
        &format!(
            "<article><h1>Harbour plan approved</h1><p>By Jane Doe, Local Affairs Reporter</p><p>March 5, 2024</p><p>{LONG}</p></article>"
        ),
    );
    check(&html, "Harbour plan approved", LONG);
}

/// Three paragraphs of an article, each long enough to be prose.
fn article_paragraphs() -> String {
    format!("<p>{LONG}</p><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p>")
}

fn body_of(html: &str) -> String {
    extract(html)
        .unwrap_or_else(|e| panic!("{e}: {html}"))
        .body_text
}

#[test]
fn a_weak_class_word_on_the_article_wrapper_does_not_delete_it() {
    // `skip-content` is the skip link's target, `widget-area` a page
    // builder's region, `readspeaker` a read-aloud region: all wrap the
    // article on real sites.
    for wrapper in [
        r#"<div id="skip-content">"#,
        r#"<div class="widget-area">"#,
        r#"<div class="readspeaker-content">"#,
        r#"<div class="print-area more">"#,
    ] {
        let html = page(
            "<title>Nyhet - Kommun</title>",
            &format!(
                "<nav><a href='/'>Start</a> <a href='/a'>Bygga</a></nav>{wrapper}<h1>Nyhet</h1>{}</div>",
                article_paragraphs()
            ),
        );
        assert!(body_of(&html).contains(LONG), "{wrapper}");
    }
}

#[test]
fn a_strong_class_word_still_marks_chrome() {
    let html = page(
        "<title>Nyhet</title>",
        &format!(
            "<main><h1>Nyhet</h1>{}<div class='share-box'><p>Dela den här artikeln med dina vänner och kollegor i sociala medier.</p></div></main>",
            article_paragraphs()
        ),
    );
    assert!(!body_of(&html).contains("Dela den här"));
}

#[test]
fn a_wrapper_marked_as_boilerplate_that_holds_the_prose_is_layout() {
    // One wrapper with a boilerplate word holds the whole article (and a
    // long menu that outweighs it in plain text).
    let menu: String = (0..60)
        .map(|i| format!("<li><a href='/s{i}'>Sida nummer {i} i menyn</a></li>"))
        .collect();
    let html = page(
        "<title>Nyhet</title>",
        &format!(
            "<div class='contact-layout'><ul class='site-menu'>{menu}</ul><article><h1>Nyhet</h1>{}</article></div>",
            article_paragraphs()
        ),
    );
    assert!(body_of(&html).contains(LONG));
}

#[test]
fn inline_hidden_elements_are_not_body() {
    let html = page(
        "<title>Nyhet</title>",
        &format!(
            "<article><h1>Nyhet</h1>{}<div style='display: none'><p>Dold text som aldrig visas för läsaren på sidan.</p></div><p hidden>Också dold text som inte syns för någon läsare.</p></article>",
            article_paragraphs()
        ),
    );
    let body = body_of(&html);
    assert!(!body.contains("Dold text"), "{body}");
    assert!(!body.contains("Också dold"), "{body}");
}

#[test]
fn an_article_split_by_an_inline_aside_is_joined() {
    let html = page(
        "<title>Nyhet</title>",
        &format!(
            "<article><h1>Nyhet</h1><div class='chunk'><p>Första delen. {LONG}</p><p>{LONG}</p></div>\
             <aside class='pullquote'><p>Ett citat ur texten som lyfts fram i en ruta.</p></aside>\
             <div class='chunk'><p>Andra delen. {LONG}</p><p>{LONG}</p></div></article>"
        ),
    );
    let body = body_of(&html);
    assert!(
        body.contains("Första delen.") && body.contains("Andra delen."),
        "{body}"
    );
    assert!(!body.contains("Ett citat"), "{body}");
}

#[test]
fn an_article_with_a_more_news_rail_is_an_article_without_the_rail() {
    let rail: String = (0..5)
        .map(|i| format!("<div class='card'><h3><a href='/nyheter/n{i}.html'>En annan nyhet nummer {i}</a></h3><p>Kort ingress till den andra nyheten.</p></div>"))
        .collect();
    let html = page(
        "<title>Nyhet</title>",
        &format!(
            "<article><h1>Nyhet</h1>{}<section><h2>Läs också</h2>{rail}</section></article>",
            article_paragraphs()
        ),
    );
    let body = body_of(&html);
    assert!(body.contains(LONG));
    assert!(!body.contains("En annan nyhet"), "{body}");
    assert!(!body.contains("Läs också"), "{body}");
}

#[test]
fn a_blog_index_of_whole_posts_is_a_list() {
    let posts: String = (0..3)
        .map(|i| format!("<article class='post'><header><h2><a href='/blogg/inlagg-{i}/'>Inlägg nummer {i}</a></h2><span>{i} mars 2024</span></header><div class='entry-summary'><p>{LONG}</p></div></article>"))
        .collect();
    let html = page(
        "<title>Bloggen</title>",
        &format!("<main><h1>Bloggen</h1>{posts}</main>"),
    );
    check_none(&html);
}

#[test]
fn a_rail_that_outscores_a_short_article_does_not_hide_it() {
    // A slider of link teasers with more text than the article: the first
    // reading finds the slider, a list; the page is read again without it.
    let slider: String = (0..12)
        .map(|i| format!("<li><a href='/n{i}.html'>En lång rubrik på en annan artikel i bildspelet, nummer {i}, med mycket text</a>, kort.</li>"))
        .collect();
    let html = page(
        "<title>Nyhet</title>",
        &format!(
            "<div class='slider'><ul>{slider}</ul></div><div class='story'><h1>Nyhet</h1><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div>"
        ),
    );
    assert!(body_of(&html).contains(LONG));
}

#[test]
fn a_number_in_a_headline_is_news_not_an_error_page() {
    let html = page(
        "<title>Logistikföretaget anställer 404 personer</title>",
        &format!(
            "<article><h1>Logistikföretaget anställer 404 personer</h1>{}{}</article>",
            article_paragraphs(),
            article_paragraphs()
        ),
    );
    assert_eq!(
        extract(&html).unwrap().title,
        "Logistikföretaget anställer 404 personer"
    );
    let error = page(
        "<title>404 - Sidan kunde inte hittas</title>",
        "<main><h1>Sidan kunde inte hittas</h1><p>Sidan du söker finns inte längre. Gå till startsidan.</p></main>",
    );
    check_none(&error);
}

/// A short news item (two paragraphs, under the error page's length) with
/// the number or the words of an error in its headline is news; the same
/// length under a title that is an error message is not.
#[test]
fn a_short_item_is_an_error_page_only_when_its_title_is_an_error_message() {
    let brief = |title: &str| {
        page(
            &format!("<title>{title} - Kommun</title>"),
            &format!("<article><h1>{title}</h1><p>{LONG}</p><p>{LONG}</p></article>"),
        )
    };
    for news in [
        "Logistikföretaget anställer 404 personer",
        "Ett fel har uppstått i telefonväxeln",
        "Hittegods som inte hittas: 410 saker i arkivet",
    ] {
        assert_eq!(extract(&brief(news)).unwrap().title, news);
    }
    for error in [
        "404",
        "Error 404: Page not found",
        "Sidan du söker finns inte längre",
    ] {
        check_none(&brief(error));
    }
    // The page's own title says 404 though the headline is friendly.
    check_none(&page(
        "<title>404 | Kommun</title>",
        &format!("<main><h1>Hoppsan!</h1><p>{LONG}</p></main>"),
    ));
}

#[test]
fn the_page_tail_after_the_article_is_not_body() {
    let html = page(
        "<title>Nyhet</title>",
        &format!(
            "<article><h1>Nyhet</h1><div class='text'>{}<ul><li>Punkt ett</li></ul></div>\
             <div class='after'><p>Schon gelesen?</p><p><a href='/kommentar'>Kommentare schreiben</a></p>\
             <h3>Fakta</h3><p>Kontakt: Mikael Andersson, näringslivschef</p><p>Vi ses på mässan i Kalmar i maj.</p><h3>Mehr</h3></div></article>",
            article_paragraphs()
        ),
    );
    let body = body_of(&html);
    assert!(body.ends_with(
            "Punkt ett\n\nFakta\n\nKontakt: Mikael Andersson, näringslivschef\n\nVi ses på mässan i Kalmar i maj."
        ), "{body}");
}

#[test]
fn a_host_name_in_og_title_is_not_the_title() {
    let html = page(
        r#"<title>Cookies och personuppgifter - Besök Staden</title><meta property="og:title" content="besokstaden.se">"#,
        &format!("<div class='content'>{}</div>", article_paragraphs()),
    );
    assert_eq!(extract(&html).unwrap().title, "Cookies och personuppgifter");
}

#[test]
fn the_h1_the_page_title_names_is_the_headline_not_a_logo_h1() {
    // The masthead's logo is an h1 of its own, in the same element as the
    // article, before its headline; og:title and <title> name the story.
    let html = page(
        r#"<title>Nytt näringslivsråd - Norrby Tidning</title>
        <meta property="og:title" content="Debatt | Nytt näringslivsråd">"#,
        &format!(
            r#"<div id="page"><h1><a href="/">Norrby Tidning</a> <a href="/debatt">Debatt</a></h1>
            <h1>Nytt näringslivsråd</h1><p>{LONG}</p><p>{LONG}</p></div>"#
        ),
    );
    check(&html, "Nytt näringslivsråd", &format!("{LONG}\n\n{LONG}"));
}

#[test]
fn class_words_on_the_body_element_do_not_make_the_page_chrome() {
    // Page-wide state classes on <body> ("section-in-nav", "logged-out")
    // are not a region's role: the headline above the text is still found.
    let html = format!(
        r#"<!DOCTYPE html><html class="no-js"><head><title>Norrby kommun</title></head>
        <body class="page section-in-nav logged-out">
        <div class="top"><h1>Nytt näringslivsråd</h1></div>
        <div class="text"><p>{LONG}</p><p>{LONG}</p></div></body></html>"#
    );
    check(&html, "Nytt näringslivsråd", &format!("{LONG}\n\n{LONG}"));
}

#[test]
fn a_header_before_the_headline_is_the_sites_whatever_it_holds() {
    // The site's header holds a corporate blurb long enough to pass for an
    // ingress and menus that outweigh a short story; it ends before the
    // headline, so none of it is body.
    let blurb = "Norrby Media är ett nätverk av ledande företag inom nyheter, \
        utbildning och informationstjänster i hela regionen och utanför den.";
    let menu: String = (1..=8)
        .map(|n| format!(r#"<li><a href="/avdelning-{n}">Avdelning nummer {n}</a></li>"#))
        .collect();
    let html = page(
        "<title>Nytt näringslivsråd - Norrby Tidning</title>",
        &format!(
            r#"<div id="page"><div class="site-header"><p>{blurb}</p><ul>{menu}</ul></div>
            <h1>Nytt näringslivsråd</h1><p>{LONG}</p></div>"#
        ),
    );
    check(&html, "Nytt näringslivsråd", LONG);
}
