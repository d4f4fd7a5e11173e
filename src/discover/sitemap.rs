//! Pure: a sitemap (`<urlset>`) or sitemap index (`<sitemapindex>`) ->
//! its URLs, streamed (a 50 000-entry file is read without building a
//! tree), gzip or not.
//!
//! Sitevision names `/sitemap1.xml.gz` in its sitemap index, and servers
//! send such files as they are (no `Content-Encoding`), so the bytes are
//! gunzipped here, under the same size cap as any body.

use std::io::Read;

use quick_xml::events::Event;
use quick_xml::Reader;

/// What a sitemap file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    /// Page URLs (`<url><loc>`), the first `max` of `total`.
    Urls { locs: Vec<String>, total: usize },
    /// Other sitemaps (`<sitemap><loc>`), the first `max` of `total`.
    Index { locs: Vec<String>, total: usize },
}

/// Why a file is no usable sitemap.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("it is an HTML page, not a sitemap")]
    Html,
    #[error("it is gzip-compressed and could not be unpacked: {0}")]
    Gzip(String),
    #[error("it unpacks to more than {0} bytes")]
    TooLarge(u64),
    #[error("it is not XML: {0}")]
    NotXml(String),
    #[error("its root element is <{0}>, not <urlset> or <sitemapindex>")]
    NotSitemap(String),
}

/// Reads a sitemap, keeping the first `max` locations; gzip is unpacked up
/// to `limit` bytes.
pub fn read_sitemap(body: &[u8], max: usize, limit: u64) -> Result<Sitemap, Error> {
    let unpacked;
    let body = if body.starts_with(&[0x1f, 0x8b]) {
        unpacked = gunzip(body, limit)?;
        &unpacked[..]
    } else {
        body
    };
    let text = String::from_utf8_lossy(body);
    let mut reader = Reader::from_str(&text);
    let mut root: Option<String> = None;
    // The text of the `<loc>` being read (entity references arrive as
    // events of their own).
    let mut loc: Option<String> = None;
    let mut locs = Vec::new();
    let mut total = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| Error::NotXml(e.to_string()))?;
        match event {
            Event::Start(e) => {
                let name = local_name(e.name().as_ref());
                match &root {
                    None => {
                        if name.eq_ignore_ascii_case("html") {
                            return Err(Error::Html);
                        }
                        if name != "urlset" && name != "sitemapindex" {
                            return Err(Error::NotSitemap(name));
                        }
                        root = Some(name);
                    }
                    Some(_) => {
                        if name == "loc" {
                            loc = Some(String::new());
                        }
                    }
                }
            }
            Event::Empty(e) if root.is_none() => {
                let name = local_name(e.name().as_ref());
                if name != "urlset" && name != "sitemapindex" {
                    return Err(Error::NotSitemap(name));
                }
                root = Some(name);
            }
            Event::Text(t) => {
                if let Some(loc) = loc.as_mut() {
                    loc.push_str(&t.decode().map_err(|e| Error::NotXml(e.to_string()))?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(loc) = loc.as_mut() {
                    let name = r.decode().map_err(|e| Error::NotXml(e.to_string()))?;
                    let reference = format!("&{name};");
                    let resolved = quick_xml::escape::unescape(&reference)
                        .map_err(|e| Error::NotXml(e.to_string()))?;
                    loc.push_str(&resolved);
                }
            }
            Event::CData(t) => {
                if let Some(loc) = loc.as_mut() {
                    loc.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::End(_) => {
                if let Some(done) = loc.take().map(|l| l.trim().to_string()) {
                    if !done.is_empty() {
                        total += 1;
                        if locs.len() < max {
                            locs.push(done);
                        }
                    }
                }
            }
            Event::DocType(d)
                if root.is_none()
                    && String::from_utf8_lossy(&d)
                        .to_ascii_lowercase()
                        .contains("html") =>
            {
                return Err(Error::Html);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root.as_deref() {
        Some("sitemapindex") => Ok(Sitemap::Index { locs, total }),
        Some(_) => Ok(Sitemap::Urls { locs, total }),
        None if text.trim_start().starts_with('<') => Err(Error::Html),
        None => Err(Error::NotXml("no elements".into())),
    }
}

fn local_name(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    name.rsplit(':').next().unwrap_or("").to_string()
}

/// Unpacks gzip, failing past `limit` bytes (a bomb stops there).
fn gunzip(body: &[u8], limit: u64) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let decoder = flate2::read::GzDecoder::new(body);
    decoder
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::Gzip(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(Error::TooLarge(limit));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const URLSET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://x.se/nyheter/</loc><lastmod>2024-05-01</lastmod></url>
  <url><loc> https://x.se/nyheter/a.html?x=1&amp;y=2 </loc></url>
  <url><loc><![CDATA[https://x.se/om/]]></loc></url>
</urlset>"#;

    #[test]
    fn urls_and_indexes() {
        let read = read_sitemap(URLSET.as_bytes(), 10, 1 << 20).unwrap();
        assert_eq!(
            read,
            Sitemap::Urls {
                locs: vec![
                    "https://x.se/nyheter/".into(),
                    "https://x.se/nyheter/a.html?x=1&y=2".into(),
                    "https://x.se/om/".into()
                ],
                total: 3
            }
        );
        let index = "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>https://x.se/sitemap1.xml.gz</loc></sitemap></sitemapindex>";
        assert_eq!(
            read_sitemap(index.as_bytes(), 10, 1 << 20).unwrap(),
            Sitemap::Index {
                locs: vec!["https://x.se/sitemap1.xml.gz".into()],
                total: 1
            }
        );
    }

    #[test]
    fn a_huge_index_is_counted_not_kept() {
        let mut xml = String::from("<sitemapindex>");
        for i in 0..50_000 {
            xml.push_str(&format!(
                "<sitemap><loc>https://x.se/s{i}.xml</loc></sitemap>"
            ));
        }
        xml.push_str("</sitemapindex>");
        let Sitemap::Index { locs, total } = read_sitemap(xml.as_bytes(), 3, 1 << 30).unwrap()
        else {
            panic!("an index")
        };
        assert_eq!((locs.len(), total), (3, 50_000));
    }

    #[test]
    fn gzip_is_unpacked_within_the_limit() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(URLSET.as_bytes()).unwrap();
        let packed = gz.finish().unwrap();
        let read = read_sitemap(&packed, 10, 1 << 20).unwrap();
        assert!(matches!(read, Sitemap::Urls { total: 3, .. }));
        assert_eq!(read_sitemap(&packed, 10, 100), Err(Error::TooLarge(100)));
        let broken = &packed[..packed.len() / 2];
        assert!(matches!(
            read_sitemap(broken, 10, 1 << 20),
            Err(Error::Gzip(_))
        ));
    }

    #[test]
    fn html_and_other_xml_are_no_sitemaps() {
        let html = "<!DOCTYPE html><html><head><title>Sidan finns inte</title></head><body><p>Hoppsan</body></html>";
        assert_eq!(read_sitemap(html.as_bytes(), 10, 1 << 20), Err(Error::Html));
        assert_eq!(
            read_sitemap(b"<html><body>x</body></html>", 10, 1 << 20),
            Err(Error::Html)
        );
        assert_eq!(
            read_sitemap(b"<rss version=\"2.0\"><channel/></rss>", 10, 1 << 20),
            Err(Error::NotSitemap("rss".into()))
        );
        assert!(matches!(
            read_sitemap(b"Sitemap kommer snart", 10, 1 << 20),
            Err(Error::NotXml(_))
        ));
    }
}
