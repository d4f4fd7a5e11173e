//! One hand-written list per CMS shape and per kind of non-article link.

use super::*;

const LIST: &str = "https://www.kommun.se/nyheter/";

/// Checks the article links (paths with query) and the next page of a list.
fn check(url: &str, html: &str, links: &[&str], next: Option<&str>) {
    let list = links_from_list(html, &Url::parse(url).unwrap());
    let got: Vec<String> = list
        .links
        .iter()
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .collect();
    assert_eq!(got, links);
    assert_eq!(list.next_page.as_ref().map(|u| u.path()), next);
}

fn page(main: &str) -> String {
    format!(
        r#"<html><body><header><nav><a href="/">Start</a><a href="/kontakt/">Kontakt</a></nav></header>
        <nav class="breadcrumb"><a href="/">Start</a></nav>
        <main>{main}</main>
        <aside class="sidebar"><h2>Senaste</h2><ul><li><a href="/nyheter/2020/gammal/">Gammal nyhet i sidopanelen</a></li></ul></aside>
        <footer><a href="/om/">Om webbplatsen</a><a href="mailto:x@kommun.se">E-post</a></footer></body></html>"#
    )
}

#[test]
fn sitevision_archive_portlet() {
    let items: String = ["a", "b", "c"]
        .iter()
        .map(|s| {
            format!(
                r#"<li class="sv-channel-item"><time datetime="2024-01-01">1 januari 2024</time>
                <a href="/nyheter/2024-01-01-{s}.html?utm_source=x#top">Nyhetsrubrik {s} som är lång</a></li>"#
            )
        })
        .collect();
    check(
        "https://www.kommun.se/nyheter.html",
        &page(&format!(
            r#"<h1>Nyheter</h1><p>Här finns nyheter. Se även <a href="/evenemang/">evenemang</a>.</p>
            <div class="sv-archive-portlet"><ul class="sv-channel sv-defaultlist ">{items}</ul></div>"#
        )),
        &[
            "/nyheter/2024-01-01-a.html?utm_source=x",
            "/nyheter/2024-01-01-b.html?utm_source=x",
            "/nyheter/2024-01-01-c.html?utm_source=x",
        ],
        None,
    );
}

#[test]
fn wordpress_posts_with_read_more_and_pagination() {
    let post = |s: &str| {
        format!(
            r#"<article class="post-1{s} post"><header class="entry-header"><h2 class="entry-title"><a href="/nyheter/2019/10/{s}/">Inlägg {s} med rubrik</a></h2>
            <div class="entry-meta"><time>18 oktober 2019</time></div></header>
            <div class="entry-summary"><p>Sammanfattning av inlägget som är ganska lång […]</p>
            <p><a class="more-link" href="/nyheter/2019/10/{s}/">Läs mer</a></p></div></article>"#
        )
    };
    check(
        LIST,
        &page(&format!(
            r#"{}{}<nav class="navigation pagination"><span class="current">1</span><a class="page-numbers" href="/nyheter/page/2/">2</a>
            <a class="next page-numbers" href="/nyheter/page/2/">Nästa sida</a></nav>"#,
            post("a"),
            post("b")
        )),
        &["/nyheter/2019/10/a/", "/nyheter/2019/10/b/"],
        Some("/nyheter/page/2/"),
    );
}

#[test]
fn card_links_wrapping_headings_and_hidden_next_label() {
    let card = |s: &str| {
        format!(
            r#"<li class="card"><a class="card__link" href="/nyheter/{s}/"><h2>Kortrubrik {s} här</h2></a><p class="card__date">2 mars 2023</p><p>Ingress för kortet med lite text.</p></li>"#
        )
    };
    check(
        LIST,
        &page(&format!(
            r#"<ul class="news">{}{}</ul><ul class="pager"><li><a href="/nyheter/sida/2/" rel="next"><span class="visually-hidden">Nästa sida</span>››</a></li></ul>"#,
            card("x"),
            card("y")
        )),
        &["/nyheter/x/", "/nyheter/y/"],
        Some("/nyheter/sida/2/"),
    );
}

#[test]
fn old_table_layout_with_relative_links_and_base() {
    let html = r#"<html><head><base href="https://www.kommun.se/gamla/nyheter/"></head><body>
        <table><tr><td class=toppmeny><a href="/index.htm">Startsida</a> | <a href="/kontakt.htm">Kontakt</a></td></tr>
        <tr><td class=innehall><h1>Nyheter</h1>
        <table class=nyhetslista><tr><td class=datum>2012-03-05</td><td><a href="2012/frukost.htm">Välkommen till företagsfrukost</a><br>Hur hittar ditt företag rätt medarbetare?</td></tr>
        <tr><td class=datum>2012-02-14</td><td><a href="2012/policy.htm">Ny upphandlingspolicy antagen</a><br>Kommunfullmäktige har antagit en ny policy.</td></tr></table>
        <p><a href="index2.htm">Nästa sida &raquo;</a></td></tr></table></body></html>"#;
    check(
        "https://www.kommun.se/gamla/nyheter/index.htm",
        html,
        &[
            "/gamla/nyheter/2012/frukost.htm",
            "/gamla/nyheter/2012/policy.htm",
        ],
        Some("/gamla/nyheter/index2.htm"),
    );
}

#[test]
fn next_page_by_number_and_no_links_on_empty_pages() {
    let items: String = (1..=3)
        .map(|n| format!(r#"<div class="row"><h3><a href="/nyheter/n{n}/">Rubrik nummer {n}</a></h3><span>1 jan 2024</span></div>"#))
        .collect();
    check(
        "https://www.kommun.se/nyheter/?page=1",
        &page(&format!(
            r#"{items}<div class="paging"><a href="/nyheter/?page=2">2</a></div>"#
        )),
        &["/nyheter/n1/", "/nyheter/n2/", "/nyheter/n3/"],
        Some("/nyheter/"),
    );
    check(LIST, "", &[], None);
    check(
        LIST,
        "<html><body><a href='https://annan.se/x'>Extern länk till annan sajt</a></body></html>",
        &[],
        None,
    );
}

#[test]
fn an_arrow_link_to_another_page_is_no_next_page() {
    let items: String = (1..=3)
        .map(|n| format!(r#"<li><h3><a href="/nyheter/n{n}/">Rubrik nummer {n} om något</a></h3><time>1 jan 2024</time></li>"#))
        .collect();
    check(
        LIST,
        &page(&format!(
            r#"<ul>{items}</ul><p>Frågor? <a href="/kontakt/">Kontakta oss</a> <a href="/kontakt/">›</a></p>"#
        )),
        &["/nyheter/n1/", "/nyheter/n2/", "/nyheter/n3/"],
        None,
    );
}

/// Pages of 20 000 links, about 1.7 MB each: a list of dated items, one
/// paragraph of links in running text, and items each in a structure of
/// its own. `cargo test --release --lib links_speed -- --ignored
/// --nocapture` prints the time `links` takes per page.
#[test]
#[ignore]
fn links_speed() {
    let n = 20_000;
    let list: String = (0..n)
        .map(|i| format!(r#"<li><time>1 jan 2024</time> <a href="/nyheter/n{i}.html">Nyhet nummer {i} i listan</a></li>"#))
        .collect();
    let prose: String = (0..n)
        .map(|i| format!(r#"Se också sidan om ämne {i} här: <a href="/amne/{i}/">ämne {i}</a>. "#))
        .collect();
    let distinct: String = (0..n)
        .map(|i| format!(r#"<div class="k{}"><span class="s{}"><a href="/sida/{i}/">Sida {i}</a></span></div>"#, i % 997, i % 13))
        .collect();
    let url = Url::parse(LIST).unwrap();
    for (name, body, links) in [
        (
            "dated list",
            format!(r#"<ul class="sv-channel">{list}</ul>"#),
            Some(n),
        ),
        ("running text", format!("<p>{prose}</p>"), None),
        ("distinct items", distinct, None),
    ] {
        let html = page(&body);
        let rounds = 5;
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(scraper::Html::parse_document(&html));
        }
        let parse = start.elapsed().as_secs_f64() / rounds as f64;
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            let list = links_from_list(&html, &url);
            if let Some(links) = links {
                assert_eq!(list.links.len(), links);
            }
        }
        let total = start.elapsed().as_secs_f64() / rounds as f64;
        eprintln!(
            "{name}: {:.1} MB, {n} links: {total:.3} s per page (parsing alone {parse:.3} s)",
            html.len() as f64 / 1e6,
        );
    }
}

#[test]
fn articles_on_the_list_path_by_id_and_read_more_in_an_article_footer() {
    // An old site: the list and its articles share one script.
    let rows: String = [
        ("12", "Ny busslinje till industriområdet"),
        ("11", "Stängt för inventering på biblioteket"),
    ]
    .iter()
    .map(|(id, title)| {
        format!(
            r#"<tr><td>2009-10-{id}</td><td><a href="nyheter.asp?id={id}">{title}</a></td></tr>"#,
            id = id,
            title = title
        )
    })
    .collect();
    check(
        "https://www.kommun.se/nyheter.asp",
        &page(&format!(
            r#"<table>{rows}</table><p><a href="nyheter.asp?sida=2">Nästa sida</a> <a href="nyheter.asp?sort=titel">Sortera på rubrik</a></p>"#
        )),
        &["/nyheter.asp?id=12", "/nyheter.asp?id=11"],
        Some("/nyheter.asp"),
    );
    // Items whose only article link is the "Läs mer" in their own footer.
    let item = |s: &str| {
        format!(
            r#"<article class="teaser"><h2>Rubrik för nyhet {s} i listan</h2><p>12 maj 2025</p><p>En ingress som berättar vad nyheten handlar om.</p>
            <footer><a href="/nyheter/{s}/">Läs mer</a></footer></article>"#
        )
    };
    check(
        LIST,
        &page(&format!("{}{}{}", item("a"), item("b"), item("c"))),
        &["/nyheter/a/", "/nyheter/b/", "/nyheter/c/"],
        None,
    );
}

#[test]
fn a_start_page_without_a_dated_news_block_gives_no_links() {
    let card = |s: &str, t: &str| {
        format!(
            r#"<div class="card"><h2><a href="/{s}/">{t}</a></h2><p>Allt du behöver veta om {t} i kommunen, samlat på ett ställe.</p></div>"#
        )
    };
    let cards = ["Förskola och skola", "Bygga och bo", "Omsorg och stöd"]
        .iter()
        .enumerate()
        .map(|(i, t)| card(&format!("omrade-{i}"), t))
        .collect::<String>();
    for start in [
        "https://www.kommun.se/",
        "https://www.kommun.se/startsida.html",
    ] {
        check(start, &page(&cards), &[], None);
    }
}

#[test]
fn next_page_by_a_pager_label_or_by_the_next_page_number_of_this_list() {
    let items: String = (1..=3)
        .map(|n| format!(r#"<li><h3><a href="/nyheter/n{n}/">Rubrik nummer {n} om något</a></h3><time>1 jan 2024</time></li>"#))
        .collect();
    let next = |url: &str, html: &str| {
        let list = links_from_list(html, &Url::parse(url).unwrap());
        assert_eq!(list.links.len(), 3);
        list.next_page.map(String::from)
    };
    let pager = format!(
        r#"<ul>{items}</ul><div class="pager"><a href="/nyheter/?sida=3">Sida 3</a> <a href="/nyheter/?sida=2">Sida 2</a></div>"#
    );
    assert_eq!(
        next(LIST, &page(&pager)).as_deref(),
        Some("https://www.kommun.se/nyheter/?sida=2")
    );
    let more = format!(
        r#"<ul>{items}</ul><p><a href="/nyheter/?sida=1">Nyare</a> <a href="/evenemang/?sida=3">Fler evenemang</a> <a href="/nyheter/?sida=3">Fler nyheter</a></p>"#
    );
    assert_eq!(
        next("https://www.kommun.se/nyheter/?sida=2", &page(&more)).as_deref(),
        Some("https://www.kommun.se/nyheter/?sida=3")
    );
}

#[test]
fn items_whose_title_and_category_links_share_markup_give_their_titles() {
    let card = |s: &str, category: &str| {
        format!(
            r#"<div class="teaser"><p class="small">3 mars 2025</p><p><a href="/nyheter/{s}/">Rubriken för nyheten {s} är lång</a></p>
            <p><a href="/kategori/{category}/">{category}</a></p></div>"#
        )
    };
    check(
        LIST,
        &page(&format!(
            r#"<div class="teasers">{}{}{}</div>"#,
            card("a", "skola"),
            card("b", "trafik"),
            card("c", "skola")
        )),
        &["/nyheter/a/", "/nyheter/b/", "/nyheter/c/"],
        None,
    );
}

#[test]
fn a_list_split_under_month_headings_with_one_or_two_items_each() {
    let month = |name: &str, slugs: &[&str]| {
        let items: String = slugs
            .iter()
            .map(|s| format!(r#"<li><a href="/aktuellt/{s}/">Nyheten som heter {s} här</a></li>"#))
            .collect();
        format!(r#"<section class="month"><h2>{name}</h2><ul>{items}</ul></section>"#)
    };
    check(
        "https://www.kommun.se/aktuellt/",
        &page(&format!(
            r#"<div class="archive">{}{}{}{}</div>"#,
            month("Maj 2025", &["a", "b"]),
            month("April 2025", &["c", "d"]),
            month("Mars 2025", &["e"]),
            month("Februari 2025", &["f", "g"])
        )),
        &[
            "/aktuellt/a/",
            "/aktuellt/b/",
            "/aktuellt/c/",
            "/aktuellt/d/",
            "/aktuellt/e/",
            "/aktuellt/f/",
            "/aktuellt/g/",
        ],
        None,
    );
}

#[test]
fn image_links_read_by_their_alt_text() {
    let item = |s: &str, title: &str| {
        format!(
            r#"<div class="puff"><a href="/nyheter/{s}/"><img src="/bild/{s}.jpg" alt="{title}"></a></div>"#
        )
    };
    check(
        LIST,
        &page(&format!(
            r#"<div class="puffar">{}{}{}</div><div class="logos"><a href="/partner/a/"><img src="/a.png" alt=""></a><a href="/partner/b/"><img src="/b.png" alt=""></a></div>"#,
            item("forskola-bergby", "Ny förskola öppnar i Bergby i höst"),
            item("vagarbete-storgatan", "Vägarbete på Storgatan i två veckor"),
            item("kulturskolan-soker-elever", "Kulturskolan söker nya elever")
        )),
        &[
            "/nyheter/forskola-bergby/",
            "/nyheter/vagarbete-storgatan/",
            "/nyheter/kulturskolan-soker-elever/",
        ],
        None,
    );
}

#[test]
fn read_more_links_at_the_end_of_teasers_under_plain_headings() {
    let item = |s: &str, title: &str| {
        format!(
            r#"<div class="nyhet"><h3>{title}</h3><p>Kommunen informerar om det som händer i veckan och framåt. <a href="/nyheter/{s}.htm">Läs mer &raquo;</a></p></div>"#
        )
    };
    check(
        LIST,
        &page(&format!(
            "{}{}{}",
            item("busslinje-sommar", "Ny busslinje i sommar"),
            item("biblioteket-stanger", "Biblioteket stänger för renovering"),
            item("valborg-2025", "Valborgsfirande vid sjön")
        )),
        &[
            "/nyheter/busslinje-sommar.htm",
            "/nyheter/biblioteket-stanger.htm",
            "/nyheter/valborg-2025.htm",
        ],
        None,
    );
}

#[test]
fn a_start_page_block_of_news_and_events_is_news() {
    let items: String = [
        ("2025-05-20-nya-cykelvagar", "Nya cykelvägar byggs i sommar"),
        ("2025-05-18-oppet-hus-pa-kulturskolan", "Öppet hus på kulturskolan"),
        ("2025-05-12-budget-klar", "Budgeten för nästa år är klar"),
    ]
    .iter()
    .map(|(slug, title)| {
        format!(r#"<li><span>20 maj 2025</span> <a href="/nyheter-och-evenemang/{slug}.html">{title}</a></li>"#)
    })
    .collect();
    check(
        "https://www.kommun.se/",
        &page(&format!(
            r#"<div class="news-events"><h2>Nyheter och evenemang</h2><ul class="list">{items}</ul></div>"#
        )),
        &[
            "/nyheter-och-evenemang/2025-05-20-nya-cykelvagar.html",
            "/nyheter-och-evenemang/2025-05-18-oppet-hus-pa-kulturskolan.html",
            "/nyheter-och-evenemang/2025-05-12-budget-klar.html",
        ],
        None,
    );
}

#[test]
fn a_calendar_of_the_same_markup_in_the_next_column_stays_out() {
    let column = |width: u8, heading: &str, section: &str, slugs: &[&str]| {
        let items: String = slugs
            .iter()
            .map(|s| {
                format!(
                    r#"<li class="sv-channel-item"><time datetime="2025-05-20">20 maj 2025</time> <a href="/{section}/2025-05-20-{s}.html">Rubriken {s} med flera ord</a></li>"#
                )
            })
            .collect();
        format!(
            r#"<div class="sv-layout sv-column-{width}"><h2>{heading}</h2><div class="sv-archive-portlet sv-portlet"><ul class="sv-channel sv-defaultlist">{items}</ul></div></div>"#
        )
    };
    check(
        "https://www.kommun.se/",
        &page(&format!(
            r#"<div class="sv-row sv-layout">{}{}</div>"#,
            column(
                8,
                "Nyheter",
                "nyheter",
                &["asfalt", "skolval", "budget", "valborg"]
            ),
            column(
                4,
                "Evenemang",
                "evenemang",
                &["loppis", "konsert", "midsommar"]
            )
        )),
        &[
            "/nyheter/2025-05-20-asfalt.html",
            "/nyheter/2025-05-20-skolval.html",
            "/nyheter/2025-05-20-budget.html",
            "/nyheter/2025-05-20-valborg.html",
        ],
        None,
    );
}

/// Found by the fuzz bench: an unclosed link with a 180 KB address before
/// many blocks, which the parser clones into each (185 MB of URLs). Such
/// an address is no article link.
/// Three dated news items, a.html to c.html, for tests of what follows them.
fn three_dated_items() -> String {
    ["a", "b", "c"]
        .iter()
        .map(|s| {
            format!(
                r#"<li><time datetime="2024-01-01">1 januari 2024</time>
                <a href="/nyheter/{s}.html">Nyhetsrubrik {s} som är lång</a></li>"#
            )
        })
        .collect()
}

#[test]
fn addresses_longer_than_the_limit_are_no_links() {
    let long = format!("/nyheter/{}", "x".repeat(crate::canonical::MAX_LINK_LEN));
    let items = three_dated_items();
    let html = page(&format!(
        r#"<ul class="news">{items}<li><time datetime="2024-01-01">1 januari 2024</time>
        <a href="{long}">Nyhetsrubrik d som är lång</a></li></ul>"#
    ));
    check(
        LIST,
        &html,
        &["/nyheter/a.html", "/nyheter/b.html", "/nyheter/c.html"],
        None,
    );
}

/// Found by the fuzz bench: the parser clones an unclosed link into every
/// block after it. 200 000 clones of one 4 KB address were 200 000 URLs
/// (1.9 GB, 14 s); each distinct address is now resolved and kept once.
#[test]
fn a_link_cloned_into_every_block_is_one_url() {
    let long = format!("/nyheter/{}", "x".repeat(2_000));
    let items = three_dated_items();
    let html = page(&format!(
        r#"<ul class="news">{items}</ul><p><a href="{long}">Mer</p>{}"#,
        "<p>Text</p>".repeat(5_000)
    ));
    let doc = Html::parse_document(&html);
    let dom = Dom::new(&doc);
    let page_url = Url::parse(LIST).unwrap();
    let analysis = ListAnalysis::new(&dom, &page_url, &page_url);
    let clones = analysis
        .candidates
        .iter()
        .filter(|c| analysis.urls[c.url_id as usize].path() == long)
        .count();
    assert!(clones > 5_000, "the parser cloned the link: {clones}");
    // The three items, the long address and the sidebar's link.
    assert_eq!(analysis.urls.len(), 5);
    check(
        LIST,
        &html,
        &["/nyheter/a.html", "/nyheter/b.html", "/nyheter/c.html"],
        None,
    );
}

/// The next-page search also meets every clone of a link: each distinct
/// href is resolved once and a long title or text is not read as a label,
/// and the "Nästa" link after the clones is still found.
#[test]
fn the_next_page_is_found_after_a_link_cloned_into_every_block() {
    let long = "x".repeat(2_000);
    let items = three_dated_items();
    let html = page(&format!(
        r#"<ul class="news">{items}</ul><p><a href="/nyheter/{long}" title="{long}">Mer</p>{}
        <p><a href="/nyheter/?page=2">Nästa</a></p>"#,
        "<p>Text</p>".repeat(5_000)
    ));
    check(
        LIST,
        &html,
        &["/nyheter/a.html", "/nyheter/b.html", "/nyheter/c.html"],
        Some("/nyheter/"),
    );
    let list = links_from_list(&html, &Url::parse(LIST).unwrap());
    assert_eq!(list.next_page.unwrap().query(), Some("page=2"));
}
