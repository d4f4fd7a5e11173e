//! Text hygiene: what may appear in an XML 1.0 document that the W3C Feed
//! Validator accepts without complaint.

/// Whether `c` may appear in the feed.
///
/// XML 1.0 forbids C0 controls (other than tab, LF, CR) and U+FFFE/U+FFFF;
/// a single one makes the whole document unparseable, so one bad byte on one
/// municipal page would break every subscriber's feed. The spec also
/// discourages DEL, the C1 controls and the noncharacters (§2.2), and the
/// validator reports C1 controls and U+FFFD as "BadCharacters": in practice
/// they are leftovers of a wrong charset guess, never meaningful text.
fn is_allowed(c: char) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => false,
        '\u{fdd0}'..='\u{fdef}' | '\u{fffd}' => false,
        _ => (c as u32) & 0xfffe != 0xfffe,
    }
}

/// `s` without the characters that must not (or should not) reach the feed,
/// line ends normalised to `\n`.
///
/// Normalising CR LF and lone CR is what every XML parser does on reading
/// (XML 1.0 §2.11); doing it here makes the bytes we serve the text readers
/// see.
pub(crate) fn clean(s: &str) -> String {
    let allowed: String = s.chars().filter(|&c| is_allowed(c)).collect();
    allowed.replace("\r\n", "\n").replace('\r', "\n")
}

/// `s` cleaned and on one line: whitespace runs become one space, ends trimmed.
///
/// For titles, names and category terms: a newline in a title shows up as
/// garbage in most readers, and two tags that differ only in spacing are the
/// same tag.
pub(crate) fn one_line(s: &str) -> String {
    clean(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text escaped for use inside HTML (`&`, `<`, `>`), for HTML we build ourselves.
pub(crate) fn html_escape(s: &str) -> String {
    quick_xml::escape::partial_escape(s).into_owned()
}
