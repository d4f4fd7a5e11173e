//! Pure: can a feed's item ids (RSS guid, Atom id) be trusted as identity?
//!
//! A GUID is worth having when it stays put while the link changes (a slug
//! renamed, a session parameter). But some feeds mint a new GUID on every
//! fetch, leave it blank, or give several items the same one; keyed by GUID
//! those would repeat every article. So a source's GUIDs are trusted only
//! while nothing contradicts them, and the first contradiction is final: the
//! source is keyed by canonical link from then on.

use std::collections::HashMap;
use std::fmt;

/// One item of the current fetch: its id as the feed gave it and its
/// canonical link.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub guid: Option<&'a str>,
    pub link: &'a str,
}

/// Why a source's GUIDs are not identities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distrust {
    /// An item has no id (feed-rs's invented ids are never used).
    Blank { link: String },
    /// Two different links share one id.
    Repeated { guid: String },
    /// A link seen before under one id now comes with another.
    Changed {
        link: String,
        was: String,
        now: String,
    },
}

impl fmt::Display for Distrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Distrust::Blank { link } => write!(f, "item {link} has no guid"),
            Distrust::Repeated { guid } => write!(f, "guid {guid} is used by several items"),
            Distrust::Changed { link, was, now } => {
                write!(f, "guid of {link} changed from {was} to {now}")
            }
        }
    }
}

/// The first reason not to trust this fetch's GUIDs, given the link -> guid
/// pairs recorded from earlier fetches of the same source; `None` when they
/// are consistent.
pub fn distrust(items: &[Item<'_>], previous: &HashMap<String, String>) -> Option<Distrust> {
    let mut links_of_guid: HashMap<&str, &str> = HashMap::new();
    for item in items {
        let Some(guid) = item.guid.map(str::trim).filter(|g| !g.is_empty()) else {
            return Some(Distrust::Blank {
                link: item.link.to_string(),
            });
        };
        if let Some(was) = previous.get(item.link).filter(|was| *was != guid) {
            return Some(Distrust::Changed {
                link: item.link.to_string(),
                was: was.clone(),
                now: guid.to_string(),
            });
        }
        if let Some(other) = links_of_guid.insert(guid, item.link) {
            if other != item.link {
                return Some(Distrust::Repeated {
                    guid: guid.to_string(),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items<'a>(pairs: &[(Option<&'a str>, &'a str)]) -> Vec<Item<'a>> {
        pairs
            .iter()
            .map(|&(guid, link)| Item { guid, link })
            .collect()
    }

    fn previous(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(l, g)| (l.to_string(), g.to_string()))
            .collect()
    }

    #[test]
    fn stable_guids_are_trusted_even_when_links_change() {
        let now = items(&[
            (Some("4.1"), "https://x.se/a?sid=2"),
            (Some("4.2"), "https://x.se/b"),
        ]);
        let before = previous(&[("https://x.se/a?sid=1", "4.1"), ("https://x.se/b", "4.2")]);
        assert_eq!(distrust(&now, &before), None);
        assert_eq!(distrust(&now, &HashMap::new()), None);
    }

    #[test]
    fn guids_that_change_while_links_stay_are_not_trusted() {
        let now = items(&[(Some("urn:uuid:9"), "https://x.se/a")]);
        let before = previous(&[("https://x.se/a", "urn:uuid:1")]);
        assert_eq!(
            distrust(&now, &before),
            Some(Distrust::Changed {
                link: "https://x.se/a".into(),
                was: "urn:uuid:1".into(),
                now: "urn:uuid:9".into()
            })
        );
    }

    #[test]
    fn blank_and_repeated_guids_are_not_trusted() {
        let blank = items(&[
            (Some("1"), "https://x.se/a"),
            (Some("  "), "https://x.se/b"),
        ]);
        assert!(matches!(
            distrust(&blank, &HashMap::new()),
            Some(Distrust::Blank { .. })
        ));
        let missing = items(&[(None, "https://x.se/a")]);
        assert!(matches!(
            distrust(&missing, &HashMap::new()),
            Some(Distrust::Blank { .. })
        ));
        let repeated = items(&[(Some("1"), "https://x.se/a"), (Some("1"), "https://x.se/b")]);
        assert_eq!(
            distrust(&repeated, &HashMap::new()),
            Some(Distrust::Repeated { guid: "1".into() })
        );
        // The same item listed twice is not a contradiction.
        let twice = items(&[(Some("1"), "https://x.se/a"), (Some("1"), "https://x.se/a")]);
        assert_eq!(distrust(&twice, &HashMap::new()), None);
    }
}
