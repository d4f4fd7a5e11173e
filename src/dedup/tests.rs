use super::*;

const TITLE: &str = "Kronobergs kommuner lanserar gemensam etableringsguide";

const BODY: &str = "Kronobergs åtta kommuner lanserar i dag en gemensam etableringsguide för \
    företag som vill etablera sig i regionen.\n\n\
    Guiden samlar information om mark, lokaler, kompetensförsörjning och kontaktvägar till \
    varje kommuns näringslivsenhet. Den finns på svenska och engelska och uppdateras \
    löpande när nya tomter blir tillgängliga.\n\n\
    Arbetet har pågått sedan våren och finansieras gemensamt av kommunerna och Region \
    Kronoberg. Målet är att en etablering ska mötas av samma service var den än hamnar i länet.\n\n\
    Under hösten bjuder kommunerna in till frukostmöten där företagare kan ställa frågor om \
    guiden och lämna synpunkter på vad som saknas.";

/// Text shared by two different press releases of one municipality.
const ABOUT: &str = "Om Växjö kommun: Växjö kommun är en av Sveriges snabbast växande \
    kommuner med drygt 97 000 invånare. Kommunen arbetar för ett starkt näringsliv, \
    en hållbar stad och en god service till invånare och företag i hela kommunen.";

fn story<'a>(title: &'a str, body: &'a str) -> Story<'a> {
    Story { title, body }
}

/// A short notice, for the cases where one copy adds a long block.
const SHORT: &str = "Växjö kommun söker företag som vill vara med och testa den nya e-tjänsten \
    för serveringstillstånd. Testet pågår under våren och tar ungefär en timme i \
    anspråk för varje deltagande företag.";

const CONTACT_BLOCK: &str = "Kontakt: Anna Andersson, näringslivschef, telefon 0470-41 00 00, \
    e-post anna.andersson@vaxjo.se. Pressjour: 0470-41 00 01, vardagar klockan 8–17.";

/// The pairs that must be one story, with what differs between them.
fn must_merge() -> Vec<(&'static str, String, String, String, String)> {
    let contact = format!(
        "{BODY}\n\nKontakt: Anna Andersson, näringslivschef, 0470-41 00 00, anna.andersson@vaxjo.se"
    );
    let rewrapped = BODY.replace("\n\n", " ").replace(". ", ".\n");
    let edited = BODY.replace(
        "Den finns på svenska och engelska",
        "Den finns på svenska, engelska och arabiska",
    );
    let ingress_twice = format!("Kronobergs åtta kommuner lanserar i dag en gemensam etableringsguide för företag som vill etablera sig i regionen.\n\n{BODY}");
    vec![
        (
            "identical",
            TITLE.into(),
            BODY.into(),
            TITLE.into(),
            BODY.into(),
        ),
        (
            "extra contact line",
            TITLE.into(),
            BODY.into(),
            TITLE.into(),
            contact,
        ),
        (
            "ingress re-wrapped",
            TITLE.into(),
            BODY.into(),
            TITLE.into(),
            rewrapped,
        ),
        (
            "one phrase edited",
            TITLE.into(),
            BODY.into(),
            TITLE.into(),
            edited,
        ),
        (
            "ingress repeated as a field",
            TITLE.into(),
            BODY.into(),
            TITLE.into(),
            ingress_twice,
        ),
        (
            "each site adds its own contact line",
            TITLE.into(),
            format!("{BODY}\n\nKontakt: Anna Andersson, näringslivschef Växjö, 0470-41 00 00"),
            TITLE.into(),
            format!("{BODY}\n\nKontakt: Per Olsson, näringslivsutvecklare Ljungby, 0372-78 90 00"),
        ),
        (
            "short body with a long contact block",
            "Testa e-tjänsten för serveringstillstånd".into(),
            SHORT.into(),
            "Testa e-tjänsten för serveringstillstånd".into(),
            format!("{SHORT}\n\n{CONTACT_BLOCK}"),
        ),
        (
            "typographic title",
            TITLE.into(),
            BODY.into(),
            "”Kronobergs kommuner lanserar gemensam etableringsguide”".into(),
            BODY.into(),
        ),
        (
            "title with an extra word",
            TITLE.into(),
            BODY.into(),
            "Kronobergs kommuner lanserar en gemensam etableringsguide".into(),
            BODY.into(),
        ),
        (
            "press release prefix",
            TITLE.into(),
            BODY.into(),
            format!("Pressmeddelande: {TITLE}"),
            BODY.into(),
        ),
    ]
}

/// The pairs that must stay two stories.
fn must_not_merge() -> Vec<(&'static str, String, String, String, String)> {
    let other = "Kommunfullmäktige har antagit en ny näringslivsstrategi med fyra fokusområden: \
        service, kompetens, mark och infrastruktur. Strategin har tagits fram i dialog med \
        företagen och ska följas upp varje år tillsammans med företagarnas organisationer.";
    let release_a = format!(
        "Växjö kommun har sålt mark på Nylanda till ett logistikföretag som \
        planerar att bygga ett lager med plats för ett hundratal anställda. Byggstart är \
        planerad till våren.\n\n{ABOUT}"
    );
    let release_b = format!(
        "Växjö kommun har utsett årets företagare. Priset delades ut på \
        näringslivsgalan och gick till en familjeägd verkstad i Ingelstad som har vuxit \
        kraftigt de senaste åren.\n\n{ABOUT}"
    );
    let follow_up = BODY.replace(
        "Under hösten bjuder kommunerna in till frukostmöten där företagare kan ställa frågor om \
    guiden och lämna synpunkter på vad som saknas.",
        "Nu har guiden använts av över tvåhundra företag. Flest frågor gäller lediga lokaler i \
        centrala lägen och möjligheten att få hjälp med rekrytering från andra delar av \
        landet. Kommunerna ska därför bygga ut guiden med en sida om kompetens och en \
        karta över lediga lokaler som uppdateras varje vecka av fastighetsägarna själva.",
    ).replace("lanserar i dag", "har under ett år haft");
    let breakfast = |date: &str, who: &str| {
        format!(
            "Välkommen till frukostmöte för företagare {date} klockan 07.30 i Växjö \
            Konserthus. Den här gången berättar {who} om hur kommunens upphandlingar går till \
            och hur små företag kan lämna anbud. Frukosten är gratis men anmälan krävs senast \
            dagen innan via kommunens webbplats."
        )
    };
    vec![
        (
            "generic title 'Nyheter'",
            "Nyheter".into(),
            BODY.into(),
            "Nyheter".into(),
            other.into(),
        ),
        (
            "'Pressmeddelande' with a shared boilerplate paragraph",
            "Pressmeddelande".into(),
            release_a,
            "Pressmeddelande".into(),
            release_b,
        ),
        (
            "follow-up under the same headline",
            TITLE.into(),
            BODY.into(),
            TITLE.into(),
            follow_up,
        ),
        (
            "template notices with the same headline",
            "Frukostmöte för företagare".into(),
            breakfast("den 12 maj", "upphandlingschefen Per Olsson"),
            "Frukostmöte för företagare".into(),
            breakfast("den 9 juni", "upphandlaren Eva Berg"),
        ),
        (
            "same body under a different headline",
            TITLE.into(),
            BODY.into(),
            "Ny näringslivsstrategi antagen".into(),
            BODY.into(),
        ),
        (
            "a story that quotes a short notice whole",
            "Testa e-tjänsten för serveringstillstånd".into(),
            SHORT.into(),
            "Testa e-tjänsten för serveringstillstånd".into(),
            format!(
                "{SHORT}\n\nSå här gick det: fjorton restauranger och tre caféer deltog i \
                testet och de flesta tyckte att tjänsten var enkel. Några saknade möjligheten att \
                spara ett utkast och komma tillbaka senare, och flera ville kunna bifoga \
                ritningar direkt från mobilen. Kommunen har nu rättat det och öppnar tjänsten \
                för alla företag i maj, samtidigt som den gamla blanketten tas bort från \
                webbplatsen och handläggningstiden väntas bli kortare för alla sökande."
            ),
        ),
        (
            "bodies too short to judge",
            "Nyheter".into(),
            "Läs mer på vår webbplats.".into(),
            "Nyheter".into(),
            "Läs mer på vår webbplats.".into(),
        ),
    ]
}

#[test]
fn pairs_that_must_merge_are_one_story() {
    for (what, ta, ba, tb, bb) in must_merge() {
        let (a, b) = (story(&ta, &ba), story(&tb, &bb));
        let overlap = Overlap::of(a.body, b.body);
        assert!(same_story(a, b), "{what}: not merged ({overlap:?})");
        assert!(same_story(b, a), "{what}: not symmetric");
    }
}

#[test]
fn pairs_that_must_not_merge_stay_apart() {
    for (what, ta, ba, tb, bb) in must_not_merge() {
        assert!(
            !same_story(story(&ta, &ba), story(&tb, &bb)),
            "{what}: merged ({:?})",
            Overlap::of(&ba, &bb)
        );
    }
}

/// The measured overlaps, so a change of shingling or thresholds that moves
/// a pair close to the line shows up here first.
#[test]
fn measured_overlaps_keep_a_margin_from_the_thresholds() {
    let merge: Vec<(&str, Overlap)> = must_merge()
        .iter()
        .map(|(what, _, ba, _, bb)| (*what, Overlap::of(ba, bb)))
        .collect();
    for (what, o) in &merge {
        let clear = o.similarity >= SAME_BODY_SIMILARITY + 0.1
            || (o.containment >= 0.99 && o.similarity >= CONTAINED_MIN_SIMILARITY + 0.05);
        assert!(clear, "{what}: {o:?} is too close to the thresholds");
    }
    // Different stories that share text, judged on their bodies alone.
    for (what, _, ba, _, bb) in must_not_merge() {
        let o = Overlap::of(&ba, &bb);
        match what {
            "'Pressmeddelande' with a shared boilerplate paragraph"
            | "follow-up under the same headline" => {
                assert!(o.similarity <= 0.45 && o.containment < 0.8, "{what}: {o:?}")
            }
            "a story that quotes a short notice whole" => {
                assert!(o.containment > 0.99 && o.similarity < 0.4, "{what}: {o:?}")
            }
            // Kept apart by the number rule, the headline or the length.
            _ => {}
        }
    }
}

#[test]
fn titles_normalise_quotes_dashes_and_case() {
    assert_eq!(
        normalize_title("”Jag vill vara smörjmedlet” – Växjö"),
        "jag vill vara smörjmedlet växjö"
    );
    assert_eq!(normalize_title("  Nyheter "), "nyheter");
}

#[test]
fn only_matching_paragraphs_compare_numbers() {
    let a = "Frukost den 12 maj klockan 07.30 i kommunhuset för alla företagare.\nKontakt 0470-41 00 00";
    let b = "Frukost den 9 juni klockan 07.30 i kommunhuset för alla företagare.\nKontakt 0372-78 90 00";
    assert!(matching_paragraphs_disagree_on_numbers(a, b));
    let a = "Frukost den 12 maj klockan 07.30 i kommunhuset för alla företagare.\nKontakt: Anna Andersson, 0470-41 00 00";
    let b = "Frukost den 12 maj klockan 07.30 i kommunhuset för alla företagare.\nFrågor? Ring Per Olsson på 0372-78 90 00";
    assert!(!matching_paragraphs_disagree_on_numbers(a, b));
}

#[test]
fn numbers_ignore_leading_zeros() {
    assert!(!each_states_a_number_the_other_lacks(
        "kl. 09.00",
        "kl 9.00"
    ));
    assert!(!each_states_a_number_the_other_lacks(
        "text",
        "text 0470-41 00 00"
    ));
    assert!(each_states_a_number_the_other_lacks(
        "den 12 maj",
        "den 9 juni"
    ));
}

#[test]
fn story_hash_sees_corrections_but_not_page_chrome() {
    let hash = |t: &str, b: &str| story_hash(t, b);
    let base = hash(TITLE, BODY);
    // Whitespace and chrome lines.
    assert_eq!(base, hash(TITLE, &BODY.replace(". ", ".  ")));
    assert_eq!(
        base,
        hash(TITLE, &format!("{BODY}\n\nSenast uppdaterad: 2023-11-08"))
    );
    assert_eq!(base, hash(TITLE, &format!("{BODY}\n\nLäst 1234 gånger")));
    assert_eq!(base, hash(TITLE, &format!("{BODY}\n\n5 678 visningar")));
    assert_eq!(
        base,
        hash(
            TITLE,
            &format!("Vi använder kakor för att webbplatsen ska fungera.\n\n{BODY}")
        )
    );
    // Real changes.
    assert_ne!(base, hash("Ny rubrik", BODY));
    assert_ne!(base, hash(TITLE, &BODY.replace("åtta", "nio")));
    assert_ne!(
        base,
        hash(
            TITLE,
            &format!("{BODY}\n\nRättelse: guiden finns även på arabiska.")
        )
    );
    // A long paragraph that mentions cookies is story, not chrome.
    let long =
        "Kommunen har i dag beslutat att alla kommunala webbplatser ska sluta använda kakor \
        från tredje part, vilket påverkar flera e-tjänster för företagare under våren.";
    assert_ne!(base, hash(TITLE, &format!("{BODY}\n\n{long}")));
}

#[test]
fn short_identical_pages_are_one_page_only_under_a_specific_headline() {
    let notice = "Kommunhuset är stängt på fredag.";
    let a = story("Kommunhuset stängt på fredag", notice);
    assert!(!same_story(a, a), "too short to be judged a story");
    assert!(same_page(
        a,
        story("Kommunhuset stängt på fredag", &format!(" {notice}\n"))
    ));
    assert!(!same_page(
        a,
        story(
            "Kommunhuset stängt på fredag",
            "Kommunhuset är stängt på måndag."
        )
    ));
    let generic = story("Pressmeddelande", "Läs mer i bifogad fil.");
    assert!(!same_page(generic, generic));
    let empty = story("Kommunhuset stängt på fredag", "");
    assert!(!same_page(empty, empty));
}
