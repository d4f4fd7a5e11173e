//! Article page -> title, dates, main body.

use jiff::Timestamp;
use url::Url;

use super::Error;
use crate::model::Article;

/// Extracts the article of one page. `url` is the page's URL (base for links).
pub fn extract_article(html: &str, url: &Url, now: Timestamp) -> Result<Article, Error> {
    let _ = (html, url, now);
    todo!()
}
