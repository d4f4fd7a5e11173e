//! Feed or HTML, decided from the content (root element, content type).

use crate::model::PageKind;

pub fn page_kind(content_type: Option<&str>, body: &[u8]) -> PageKind {
    let _ = content_type;
    if body.starts_with(b"<?xml") {
        PageKind::Feed
    } else {
        PageKind::Html
    }
}
