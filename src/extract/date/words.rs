//! The words of written dates: month names (with their abbreviations and
//! the declined forms that dates use, such as Russian "августа" or Finnish
//! "elokuuta") and the words a date may start with and that carry nothing
//! (weekdays, "den", "am", "le").
//!
//! Swedish first, then the languages of the pages a municipal reader meets
//! and of general news: English, German, French, Spanish, Italian, Dutch,
//! Portuguese, Danish/Norwegian, Finnish, Polish, Russian, Turkish, with
//! Romanian and Czech month names. All
//! forms are lowercase; the lookup lowercases the page's word. A name that
//! means a month in one language and something else in another (Italian
//! "set", Portuguese "out") is harmless: it is only read inside the shape of
//! a whole date (day, month, four-digit year).

use std::sync::LazyLock;

use crate::extract::dom::FastMap;

/// What a word means at the start of or inside a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateWord {
    /// A month, 1 to 12.
    Month(u8),
    /// A weekday or an article ("den", "am", "le"): skipped before a date.
    Filler,
}

/// Month names per month, all languages together.
const MONTHS: [&[&str]; 12] = [
    &[
        "januari",
        "january",
        "januar",
        "jänner",
        "janvier",
        "enero",
        "gennaio",
        "janeiro",
        "ianuarie",
        "ledna",
        "leden",
        "tammikuu",
        "tammikuuta",
        "styczeń",
        "stycznia",
        "январь",
        "января",
        "ocak",
        "jan",
        "jän",
        "janv",
        "ene",
        "gen",
        "tammi",
        "sty",
        "янв",
    ],
    &[
        "februari",
        "february",
        "februar",
        "feber",
        "février",
        "fevrier",
        "febrero",
        "febbraio",
        "fevereiro",
        "februarie",
        "února",
        "únor",
        "helmikuu",
        "helmikuuta",
        "luty",
        "lutego",
        "февраль",
        "февраля",
        "şubat",
        "subat",
        "feb",
        "févr",
        "fevr",
        "fév",
        "fev",
        "helmi",
        "lut",
        "фев",
    ],
    &[
        "mars",
        "march",
        "märz",
        "maerz",
        "marzo",
        "maart",
        "março",
        "marco",
        "marts",
        "martie",
        "března",
        "březen",
        "maaliskuu",
        "maaliskuuta",
        "marzec",
        "marca",
        "март",
        "марта",
        "mart",
        "mar",
        "mär",
        "mrz",
        "mrt",
        "maalis",
        "мар",
    ],
    &[
        "april",
        "avril",
        "abril",
        "aprile",
        "aprilie",
        "dubna",
        "duben",
        "huhtikuu",
        "huhtikuuta",
        "kwiecień",
        "kwietnia",
        "апрель",
        "апреля",
        "nisan",
        "apr",
        "avr",
        "abr",
        "huhti",
        "kwi",
        "апр",
    ],
    &[
        "maj",
        "may",
        "mai",
        "mayo",
        "maggio",
        "mei",
        "maio",
        "května",
        "květen",
        "toukokuu",
        "toukokuuta",
        "maja",
        "май",
        "мая",
        "mayıs",
        "mayis",
        "mag",
        "touko",
    ],
    &[
        "juni",
        "june",
        "juin",
        "junio",
        "giugno",
        "junho",
        "iunie",
        "června",
        "červen",
        "kesäkuu",
        "kesäkuuta",
        "czerwiec",
        "czerwca",
        "июнь",
        "июня",
        "haziran",
        "jun",
        "giu",
        "kesä",
        "cze",
        "июн",
    ],
    &[
        "juli",
        "july",
        "juillet",
        "julio",
        "luglio",
        "julho",
        "iulie",
        "července",
        "červenec",
        "heinäkuu",
        "heinäkuuta",
        "lipiec",
        "lipca",
        "июль",
        "июля",
        "temmuz",
        "jul",
        "juil",
        "lug",
        "heinä",
        "lip",
        "июл",
    ],
    &[
        "augusti",
        "august",
        "août",
        "aout",
        "agosto",
        "augustus",
        "srpna",
        "srpen",
        "elokuu",
        "elokuuta",
        "sierpień",
        "sierpnia",
        "август",
        "августа",
        "ağustos",
        "agustos",
        "aug",
        "ago",
        "elo",
        "sie",
        "авг",
    ],
    &[
        "september",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "setembro",
        "septembrie",
        "září",
        "syyskuu",
        "syyskuuta",
        "wrzesień",
        "września",
        "сентябрь",
        "сентября",
        "eylül",
        "eylul",
        "sept",
        "sep",
        "set",
        "syys",
        "wrz",
        "сен",
        "сент",
    ],
    &[
        "oktober",
        "october",
        "octobre",
        "octubre",
        "ottobre",
        "outubro",
        "octombrie",
        "října",
        "říjen",
        "lokakuu",
        "lokakuuta",
        "październik",
        "października",
        "октябрь",
        "октября",
        "ekim",
        "okt",
        "oct",
        "ott",
        "out",
        "loka",
        "paź",
        "окт",
    ],
    &[
        "november",
        "novembre",
        "noviembre",
        "novembro",
        "noiembrie",
        "listopadu",
        "marraskuu",
        "marraskuuta",
        "listopad",
        "listopada",
        "ноябрь",
        "ноября",
        "kasım",
        "kasim",
        "nov",
        "marras",
        "lis",
        "ноя",
    ],
    &[
        "december",
        "dezember",
        "décembre",
        "decembre",
        "diciembre",
        "dicembre",
        "dezembro",
        "desember",
        "decembrie",
        "prosince",
        "prosinec",
        "joulukuu",
        "joulukuuta",
        "grudzień",
        "grudnia",
        "декабрь",
        "декабря",
        "aralık",
        "aralik",
        "dec",
        "dez",
        "déc",
        "dic",
        "des",
        "joulu",
        "gru",
        "дек",
    ],
];

/// Words skipped before a date: weekdays (full, definite and short forms)
/// and the articles and prepositions that introduce a date.
const FILLERS: &[&str] = &[
    // Swedish
    "måndag",
    "tisdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lördag",
    "söndag",
    "måndagen",
    "tisdagen",
    "onsdagen",
    "torsdagen",
    "fredagen",
    "lördagen",
    "söndagen",
    "månd",
    "tisd",
    "onsd",
    "torsd",
    "fred",
    "lörd",
    "sönd",
    "mån",
    "tis",
    "ons",
    "tor",
    "tors",
    "fre",
    "lör",
    "sön",
    "den",
    "på",
    // English
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "on",
    "the",
    // German
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonnabend",
    "sonntag",
    "mo",
    "di",
    "mi",
    "do",
    "fr",
    "sa",
    "so",
    "am",
    "vom",
    // French
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "le",
    // Spanish
    "lunes",
    "martes",
    "miércoles",
    "miercoles",
    "jueves",
    "viernes",
    "sábado",
    "sabado",
    "domingo",
    "el",
    // Italian
    "lunedì",
    "lunedi",
    "martedì",
    "martedi",
    "mercoledì",
    "mercoledi",
    "giovedì",
    "giovedi",
    "venerdì",
    "venerdi",
    "sabato",
    "domenica",
    "il",
    // Dutch
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "op",
    // Portuguese ("segunda-feira": the "-feira" is skipped with the word)
    "segunda",
    "terça",
    "terca",
    "quarta",
    "quinta",
    "sexta",
    // Danish / Norwegian
    "mandag",
    "tirsdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lørdag",
    "søndag",
    // Finnish
    "maanantai",
    "tiistai",
    "keskiviikko",
    "torstai",
    "perjantai",
    "lauantai",
    "sunnuntai",
    "maanantaina",
    "tiistaina",
    "keskiviikkona",
    "torstaina",
    "perjantaina",
    "lauantaina",
    "sunnuntaina",
    "ma",
    "ti",
    "ke",
    "to",
    "pe",
    "la",
    "su",
    // Polish
    "poniedziałek",
    "wtorek",
    "środa",
    "czwartek",
    "piątek",
    "sobota",
    "niedziela",
    // Russian
    "понедельник",
    "вторник",
    "среда",
    "четверг",
    "пятница",
    "суббота",
    "воскресенье",
    // Turkish
    "pazartesi",
    "salı",
    "sali",
    "çarşamba",
    "carsamba",
    "perşembe",
    "persembe",
    "cuma",
    "cumartesi",
    "pazar",
];

static WORDS: LazyLock<FastMap<&'static str, DateWord>> = LazyLock::new(|| {
    let mut words = FastMap::default();
    for word in FILLERS {
        words.insert(*word, DateWord::Filler);
    }
    // Months last: a word that is both ("mar" is no weekday anywhere, but
    // keep the rule simple) is a month.
    for (index, names) in MONTHS.iter().enumerate() {
        let month = u8::try_from(index + 1).expect("twelve months");
        for name in *names {
            words.insert(*name, DateWord::Month(month));
        }
    }
    words
});

/// Words longer than this (in bytes) are no date word.
const MAX_WORD_BYTES: usize = 28;

/// What a word means in a date, any case.
pub(super) fn date_word(word: &str) -> Option<DateWord> {
    if word.is_empty() || word.len() > MAX_WORD_BYTES {
        return None;
    }
    if word.chars().all(|c| c.is_lowercase() || !c.is_alphabetic()) {
        return WORDS.get(word).copied();
    }
    let lowered = word.to_lowercase();
    WORDS.get(lowered.as_str()).copied()
}

/// The month a word names.
pub(super) fn month_of(word: &str) -> Option<u8> {
    match date_word(word)? {
        DateWord::Month(month) => Some(month),
        DateWord::Filler => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_in_every_language_and_case() {
        let cases = [
            ("mars", 3),
            ("MAJ", 5),
            ("Oktober", 10),
            ("août", 8),
            ("Août", 8),
            ("diciembre", 12),
            ("gennaio", 1),
            ("maart", 3),
            ("março", 3),
            ("desember", 12),
            ("elokuuta", 8),
            ("września", 9),
            ("Августа", 8),
            ("Ağustos", 8),
            ("KASIM", 11),
            ("Sept", 9),
            ("septembrie", 9),
            ("května", 5),
        ];
        for (word, month) in cases {
            assert_eq!(month_of(word), Some(month), "{word}");
        }
    }

    #[test]
    fn weekdays_and_articles_are_fillers() {
        for word in [
            "Samstag",
            "jeudi",
            "måndagen",
            "Do",
            "den",
            "miércoles",
            "perjantaina",
        ] {
            assert_eq!(date_word(word), Some(DateWord::Filler), "{word}");
        }
        for word in ["", "kommun", "marsipan", "x".repeat(40).as_str()] {
            assert_eq!(date_word(word), None, "{word}");
        }
    }

    #[test]
    fn no_word_is_listed_twice_with_two_months() {
        let mut seen = FastMap::default();
        for (index, names) in MONTHS.iter().enumerate() {
            for name in *names {
                if let Some(other) = seen.insert(*name, index) {
                    assert_eq!(other, index, "{name} in two months");
                }
            }
        }
    }
}
