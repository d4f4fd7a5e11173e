//! One page answered as `muniflux extract --batch` answers it, in process.
//!
//! The benchmark scorers of `../shared/evalsets/tools` drive the binary
//! with `PATH<TAB>URL` lines and read back `title`, `published`, `body` and
//! `error`. Answering the same line here, with the same steps (URL check,
//! file read, charset detection without an HTTP header, `read_page` without
//! selectors, a panic caught as an error), lets `evaluate` and the quality
//! test reproduce those figures exactly without a process per run.

use std::path::Path;
use std::time::Instant;

use jiff::Timestamp;
use url::Url;

use crate::extract::article::{read_page, PageReading};
use crate::extract::overrides::Overrides;
use crate::extract::{charset, Error};
use crate::model::FoundDate;

/// The fields of `extract`'s JSON that the scorers read (and write with
/// `--save`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Answer {
    pub title: Option<String>,
    /// `YYYY-MM-DD`, or RFC 3339 when the page gave a time.
    pub published: Option<String>,
    pub updated: Option<String>,
    /// The body text; `None` when there is no article.
    pub body: Option<String>,
    /// Why there is no article (or why the page could not be read).
    pub error: Option<String>,
}

impl Answer {
    fn failed(error: String) -> Answer {
        Answer {
            error: Some(error),
            ..Answer::default()
        }
    }

    /// The body has no text at all (Python's `not body.strip()`).
    pub fn is_empty(&self) -> bool {
        self.body
            .as_deref()
            .is_none_or(|body| body.chars().all(is_python_space))
    }
}

/// An answer and the wall time it took: file read, decoding, parsing and
/// extraction, as the scorers time a batch line.
#[derive(Debug, Clone)]
pub struct Timed {
    pub answer: Answer,
    pub seconds: f64,
}

/// Answers the batch line `file<TAB>url` (`url` absent: the line is just the
/// path, and links resolve against the file's `file:` URL). `file` should
/// be absolute and free of symbolic links, as the scorers send it.
pub fn answer(file: &Path, url: Option<&str>, now: Timestamp) -> Timed {
    let start = Instant::now();
    let answer = answer_line(file, url, now);
    Timed {
        answer,
        seconds: start.elapsed().as_secs_f64(),
    }
}

fn answer_line(file: &Path, url: Option<&str>, now: Timestamp) -> Answer {
    let base = match url.map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(text) => match Url::parse(text) {
            Ok(url) => Some(url),
            Err(err) => return Answer::failed(format!("`{text}` is not a URL: {err}")),
        },
    };
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(err) => return Answer::failed(format!("reading {}: {err}", file.display())),
    };
    let html = charset::decode(&bytes, None);
    let base = match base {
        Some(base) => base,
        None => match Url::from_file_path(file) {
            Ok(url) => url,
            Err(()) => return Answer::failed(format!("{} cannot be a file: URL", file.display())),
        },
    };
    let reading = std::panic::catch_unwind(|| read_page(&html, &base, now, &Overrides::NONE));
    match reading {
        Ok(PageReading {
            article: Ok(article),
            ..
        }) => Answer {
            title: Some(article.title),
            published: article.published.as_ref().map(FoundDate::stated),
            updated: article.updated.as_ref().map(FoundDate::stated),
            body: Some(article.body_text),
            error: None,
        },
        Ok(PageReading {
            title,
            dates,
            article: Err(Error::NoArticle { reason, .. }),
        }) => Answer {
            title,
            published: dates.published.as_ref().map(FoundDate::stated),
            updated: dates.updated.as_ref().map(FoundDate::stated),
            body: None,
            error: Some(format!("no article found: {reason}")),
        },
        Ok(PageReading {
            article: Err(err), ..
        }) => Answer::failed(err.to_string()),
        Err(_) => Answer::failed("internal error while extracting (a bug)".into()),
    }
}

/// Python's `str.isspace` (and its `re` `\s`): Unicode White_Space plus the
/// four ASCII separators U+001C..U+001F.
pub fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> tempfile::NamedTempFile {
        let file = tempfile::Builder::new().suffix(".html").tempfile().unwrap();
        std::fs::write(file.path(), html).unwrap();
        file
    }

    const ARTICLE: &str = "<html><head><title>Nytt bibliotek | Kommunen</title></head><body>\
        <main><article><h1>Nytt bibliotek</h1><p>Publicerad 2024-03-05</p>\
        <p>Det nya biblioteket öppnar i centrum efter två års bygge, med plats för läsning, \
        studier och möten.</p><p>Invigningen hålls en lördag, med musik, tal och \
        sagostund för barnen i den nya barnavdelningen.</p></article></main></body></html>";

    /// June 2025: the fixtures' dates lie before it.
    fn now() -> Timestamp {
        Timestamp::from_second(1_750_000_000).unwrap()
    }

    #[test]
    fn an_article_gives_title_date_and_body() {
        let file = page(ARTICLE);
        let got = answer(
            file.path(),
            Some("https://kommun.example/nyheter/bibliotek"),
            now(),
        );
        let got = got.answer;
        assert_eq!(got.error, None);
        assert_eq!(got.title.as_deref(), Some("Nytt bibliotek"));
        assert_eq!(got.published.as_deref(), Some("2024-03-05"));
        assert!(got.body.as_deref().unwrap().contains("Invigningen hålls"));
        assert!(!got.is_empty());
    }

    #[test]
    fn no_article_keeps_the_headline_and_says_why() {
        let file = page("<html><body><h1>Tom sida</h1></body></html>");
        let got = answer(file.path(), None, now()).answer;
        assert_eq!(got.body, None);
        assert!(got.is_empty());
        assert!(got.error.unwrap().starts_with("no article found: "));
    }

    #[test]
    fn a_bad_url_or_file_is_an_error_line() {
        let file = page(ARTICLE);
        let got = answer(file.path(), Some("not a url"), now()).answer;
        assert!(got.error.unwrap().contains("is not a URL"));
        let got = answer(Path::new("/nonexistent/page.html"), None, now()).answer;
        assert!(got
            .error
            .unwrap()
            .starts_with("reading /nonexistent/page.html"));
    }

    #[test]
    fn python_whitespace() {
        assert!(is_python_space('\u{1f}') && is_python_space('\u{a0}') && is_python_space('\n'));
        assert!(!is_python_space('\u{200b}') && !is_python_space('x'));
        let blank = Answer {
            body: Some(" \u{3000}\u{1c}\n".into()),
            ..Answer::default()
        };
        assert!(blank.is_empty());
    }
}
