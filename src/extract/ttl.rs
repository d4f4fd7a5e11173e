//! Pure: an RSS channel's `<ttl>` (minutes the feed may be cached), a hint
//! for the schedule. Read by a plain scan rather than a second XML parse: the
//! element is unique to RSS channels and holds a bare number.

use std::time::Duration;

/// Only the head of a feed is searched: `<ttl>` sits with the channel's
/// metadata, before the items.
const HEAD: usize = 64 * 1024;

/// The channel's `<ttl>`, when the feed gives a whole number of minutes.
pub fn feed_ttl(body: &[u8]) -> Option<Duration> {
    let head = &body[..body.len().min(HEAD)];
    let start = find(head, b"<ttl>")? + b"<ttl>".len();
    let len = find(&head[start..], b"<")?;
    let text = std::str::from_utf8(&head[start..start + len]).ok()?;
    let minutes: u64 = text.trim().parse().ok()?;
    Some(Duration::from_secs(minutes.saturating_mul(60)))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_in_minutes() {
        let rss = b"<rss><channel><title>x</title><ttl> 60 </ttl><item/></channel></rss>";
        assert_eq!(feed_ttl(rss), Some(Duration::from_secs(3600)));
        assert_eq!(
            feed_ttl(b"<rss><channel><ttl>soon</ttl></channel></rss>"),
            None
        );
        assert_eq!(
            feed_ttl(b"<feed xmlns=\"http://www.w3.org/2005/Atom\"/>"),
            None
        );
        assert_eq!(feed_ttl(b"<ttl>5"), None);
    }
}
