//! Properties of the date parser for any input: it never panics, and it
//! reads back every date the crate writes (Atom's RFC 3339, the stored
//! form, HTTP dates).

use jiff::civil::Date;
use jiff::Timestamp;
use proptest::prelude::*;

use super::parse::{parse_date, parse_machine_date};
use crate::fetch::parse_http_date;
use crate::model::PageDate;
use crate::serve::http_date;

/// Instants from 1900 to 2200 in whole seconds (what the writers keep).
fn instant() -> impl Strategy<Value = Timestamp> {
    (-2_208_988_800i64..7_258_118_400i64).prop_map(|s| Timestamp::from_second(s).unwrap())
}

/// Instants in the years the parser accepts (1990 to 2099, local time;
/// others are template defaults such as 1970-01-01), a day clear of both
/// ends.
fn plausible_instant() -> impl Strategy<Value = Timestamp> {
    (631_238_400i64..4_102_272_000i64).prop_map(|s| Timestamp::from_second(s).unwrap())
}

fn day() -> impl Strategy<Value = Date> {
    (1990i16..=2099, 1i8..=12, 1i8..=31)
        .prop_filter_map("a real day", |(y, m, d)| Date::new(y, m, d).ok())
}

/// Text that looks like dates more often than random text does.
fn date_like_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9 ./:+TZ-]{0,40}",
        "(den )?[0-9]{1,3} (jan|februari|mars|maj|okt\\.|dec) [0-9]{0,5}( kl\\.? [0-9]{1,2}[.:][0-9]{2})?",
        "(idag|igår|i förrgår|[0-9]{1,9} (dagar|timmar|veckor) sedan)",
        "[A-Za-z]{3}, [0-9]{1,2} [A-Za-z]{3} [0-9]{4} [0-9:]{8} ([+-][0-9]{4}|GMT|[A-Z]{1,4})",
        "(Publicerad|Uppdaterad|Senast ändrad):? ?[0-9]{0,4}[-./]?[0-9]{0,4}[-./]?[0-9]{0,9}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_parser_never_panics(text in date_like_text(), now in instant()) {
        let _ = parse_date(&text, now);
        let _ = parse_machine_date(&text);
        let _ = parse_http_date(&text);
    }

    #[test]
    fn rfc3339_as_written_reads_back(t in plausible_instant()) {
        let written = PageDate::Time(t).to_rfc3339();
        prop_assert_eq!(parse_machine_date(&written), Some(PageDate::Time(t)), "{}", written);
        prop_assert_eq!(PageDate::parse_stored(&written), Some(PageDate::Time(t)));
    }

    #[test]
    fn a_stored_day_reads_back(d in day()) {
        let written = PageDate::Day(d).to_string();
        prop_assert_eq!(PageDate::parse_stored(&written), Some(PageDate::Day(d)));
        prop_assert_eq!(parse_machine_date(&written), Some(PageDate::Day(d)));
    }

    #[test]
    fn dates_outside_the_plausible_years_are_refused(t in instant()) {
        let year = PageDate::Time(t).local_day().year();
        if !(1990..=2099).contains(&year) {
            prop_assert_eq!(parse_machine_date(&PageDate::Time(t).to_rfc3339()), None);
        }
    }

    #[test]
    fn http_dates_read_back(t in instant()) {
        prop_assert_eq!(parse_http_date(&http_date(t)), Some(t));
    }
}
