//! Contract cases for client search, including the search-quality table: a
//! fixture business of realistic Chilean clients and, for each query, the
//! client expected first.

use ficha_domain::{
    Actor, BookingState, ChoiceOptions, ClientChanges, ClientName, CustomField, CustomValue, FieldKey, FieldKind,
    FieldLabel, NewCustomField, Origin, Phone, RawValue, Rut,
};
use jiff::SignedDuration;
use jiff::civil::date;

use super::bookings::{local, new_service, office_hours, staff};
use super::{Harness, business, new_client};
use crate::NewBooking;
use crate::search::{Matched, SearchQuery};

/// The search-quality fixture: (name, email, phone, RUT).
const FIXTURE: &[(&str, &str, Option<&str>, Option<&str>)] = &[
    ("María José Muñoz Pérez", "mjmunoz@gmail.com", Some("+56 9 6123 5678"), Some("12.345.678-5")),
    ("José Tomás González Rojas", "jtgonzalez@uc.cl", Some("9 7788 1122"), Some("10.000.013-K")),
    ("Catalina de la Fuente Soto", "cata.delafuente@hotmail.com", None, Some("15.678.901-1")),
    ("Ignacio Núñez-Ortúzar", "inunez@vtr.net", Some("+56 2 2345 6789"), None),
    ("Valentina Pérez Díaz", "vale.perez@yahoo.es", Some("+56 9 8899 0011"), None),
    ("Sebastián Peña Araya", "spena@outlook.com", None, None),
    ("Ana Muñoz Castro", "ana.castro@gmail.com", Some("+56 9 5555 4444"), Some("7.654.321-6")),
    ("Álvaro Ibáñez Zúñiga", "alvaro.ibanez@live.cl", Some("+56 9 3141 5926"), None),
    ("Florencia Gonzalo Vera", "flor.gonzalo@gmail.com", None, None),
    ("Martín Soto Riquelme", "msoto@icloud.com", Some("+56 9 2718 2818"), Some("20.123.456-5")),
    // For the ranking inside a tier: each pair's better match is registered
    // first, so recency alone would rank it second.
    ("Ana Soto Rivas", "asoto@gmail.com", None, None),
    ("Ana Reyes Sotomayor", "areyes@gmail.com", None, None),
    ("Soto Vargas Juan Pablo", "jpsoto@gmail.com", None, None),
    ("Juan Vargas Soto", "jvargas@gmail.com", None, None),
    ("Pedro Lagomarsino", "plagomarsino@gmail.com", None, None),
    ("Rosa Díaz Castillo", "rosadiaz@gmail.com", None, None),
    ("Elena Vidal Toro", "evidal@gmail.com", None, None),
];

/// Custom values of the fixture: (client's email, comuna, pet). One client
/// lives in San Bernardo; another lives in San Miguel and has a dog called
/// Bernardo: "san bernardo" is one value of the first, spread over two of
/// the second.
const FIXTURE_CUSTOM: &[(&str, &str, Option<&str>)] =
    &[("rosadiaz@gmail.com", "San Bernardo", None), ("evidal@gmail.com", "San Miguel", Some("Bernardo"))];

/// The fixture, registered a minute apart in table order: among equally good
/// matches (none has booked yet) the later-registered comes first.
async fn fixture(h: &Harness) -> Actor {
    let actor = business(h, "sur").await;
    let mut created = Vec::new();
    for (name, email, phone, rut) in FIXTURE {
        h.clock.advance(jiff::SignedDuration::from_mins(1));
        let mut client = new_client(name, email);
        client.phone = phone.map(|p| Phone::parse(p).expect("valid fixture phone"));
        client.rut = rut.map(|r| Rut::parse(r).expect("valid fixture RUT"));
        created.push(h.store.create_client(&actor, client).await.expect("fixture client"));
    }
    let comuna = field(h, &actor, "comuna", FieldKind::SingleChoice, &["San Bernardo", "San Miguel"]).await;
    let pet = field(h, &actor, "mascota", FieldKind::Text, &[]).await;
    for (email, lives_in, pet_name) in FIXTURE_CUSTOM {
        let client = created.iter().find(|c| c.email.as_str() == *email).expect("a fixture client");
        let mut values = vec![(comuna.key.clone(), Some(custom_value(&comuna, lives_in)))];
        values.extend(pet_name.map(|name| (pet.key.clone(), Some(custom_value(&pet, name)))));
        h.store.set_custom_values(&actor, client.id, client.version, values).await.expect("custom values");
    }
    actor
}

async fn field(h: &Harness, actor: &Actor, key: &str, kind: FieldKind, options: &[&str]) -> CustomField {
    let new = NewCustomField {
        key: FieldKey::parse(key).expect("valid key"),
        label: FieldLabel::parse(key).expect("valid label"),
        kind,
        options: ChoiceOptions::parse(kind, options).expect("valid options"),
        required: false,
        in_booking_form: false,
        visible_to_client: false,
        sensitive: false,
        identifying: false,
        position: None,
    };
    h.store.create_field(actor, new).await.expect("field created")
}

fn custom_value(field: &CustomField, text: &str) -> CustomValue {
    CustomValue::parse(field, RawValue::Text(text)).expect("valid value").expect("not empty")
}

async fn names(h: &Harness, actor: &Actor, query: &str) -> Vec<String> {
    let query = SearchQuery::parse(query).expect("valid query");
    let page = h.store.search_clients(actor, &query, 0, 20).await.expect("searched");
    page.hits.into_iter().map(|hit| hit.client.name.as_str().to_owned()).collect()
}

async fn first(h: &Harness, actor: &Actor, query: &str) -> Option<String> {
    names(h, actor, query).await.into_iter().next()
}

pub async fn search_quality_table(h: &Harness) {
    let actor = fixture(h).await;
    let table: &[(&str, &str)] = &[
        // name words, any order, accents and case ignored
        ("munoz", "Ana Muñoz Castro"),
        ("perez maria", "María José Muñoz Pérez"),
        ("MARÍA JOSÉ", "María José Muñoz Pérez"),
        ("perez", "Valentina Pérez Díaz"),
        ("pena", "Sebastián Peña Araya"),
        ("zuniga alvaro", "Álvaro Ibáñez Zúñiga"),
        // the last word as a prefix, as typed
        ("vale", "Valentina Pérez Díaz"),
        ("jose tomas gonz", "José Tomás González Rojas"),
        ("sebas", "Sebastián Peña Araya"),
        ("valentina d", "Valentina Pérez Díaz"),
        ("perez m", "María José Muñoz Pérez"),
        // compound surnames
        ("de la fuente", "Catalina de la Fuente Soto"),
        ("Núñez-Ortúzar", "Ignacio Núñez-Ortúzar"),
        ("nunez ortuzar", "Ignacio Núñez-Ortúzar"),
        // email, whole or its start
        ("jtgonzalez@uc.cl", "José Tomás González Rojas"),
        ("cata.delafu", "Catalina de la Fuente Soto"),
        // phone in any formatting, or its last digits
        ("+56 9 6123 5678", "María José Muñoz Pérez"),
        ("961235678", "María José Muñoz Pérez"),
        ("9 6123-5678", "María José Muñoz Pérez"),
        ("5678", "María José Muñoz Pérez"),
        ("22345 6789", "Ignacio Núñez-Ortúzar"),
        ("4444", "Ana Muñoz Castro"),
        // RUT with or without dots, dash or check digit, or a prefix
        ("12.345.678-5", "María José Muñoz Pérez"),
        ("12345678", "María José Muñoz Pérez"),
        ("123456785", "María José Muñoz Pérez"),
        ("1234", "María José Muñoz Pérez"),
        ("10.000.013-k", "José Tomás González Rojas"),
        ("7654321-6", "Ana Muñoz Castro"),
        // one typo in a word of five letters or more
        ("Gonzales", "José Tomás González Rojas"),
        ("riquelem", "Martín Soto Riquelme"),
        ("catalin fuente", "Catalina de la Fuente Soto"),
        // inside a tier: the words in the order typed and adjacent first
        ("Ana Sot", "Ana Soto Rivas"),
        ("ANA SÓT", "Ana Soto Rivas"),
        // a name that starts with the word before one that ends with it…
        ("soto", "Soto Vargas Juan Pablo"),
        // …but only the first word counts: otherwise the newest first
        ("vargas", "Juan Vargas Soto"),
        // one custom value holding the phrase before words spread over two
        ("san bernardo", "Rosa Díaz Castillo"),
        // every word may be a prefix when nothing matches them whole, a
        // long one also without its last letter ("lagos" → lago…)
        ("lago pedro", "Pedro Lagomarsino"),
        ("lagos pedro", "Pedro Lagomarsino"),
        ("pedro lagom", "Pedro Lagomarsino"),
        ("marti soto riq", "Martín Soto Riquelme"),
    ];
    let mut wrong = Vec::new();
    for (query, expected) in table {
        let found = first(h, &actor, query).await;
        if found.as_deref() != Some(*expected) {
            wrong.push(format!("{query:?}: expected {expected:?} first, got {found:?}"));
        }
    }
    assert!(wrong.is_empty(), "search quality:\n{}", wrong.join("\n"));

    // Expected absences.
    for query in ["xyzzy", "zzzz", "99999999", "gonzalitos"] {
        assert_eq!(names(h, &actor, query).await, Vec::<String>::new(), "{query:?} finds nobody");
    }
}

pub async fn exact_ranks_above_prefix_above_typo(h: &Harness) {
    let actor = business(h, "sur").await;
    // Registered worst match first, so recency alone would rank them the
    // other way round: the tiers must win.
    for (i, name) in ["Marta Riquen", "Marta Riquelmes", "Marta Riquelme"].iter().enumerate() {
        h.store.create_client(&actor, new_client(name, &format!("m{i}@mail.cl"))).await.expect("created");
    }
    // A whole word before a longer word it begins.
    assert_eq!(names(h, &actor, "riquelme").await, ["Marta Riquelme", "Marta Riquelmes"]);
    // Prefix matches before a typo match ("riquel" → "riquen").
    let riquel = names(h, &actor, "riquel").await;
    assert_eq!(riquel.len(), 3, "{riquel:?}");
    assert_eq!(riquel[2], "Marta Riquen", "{riquel:?}");
    // A misspelt word finds what it was meant to.
    assert_eq!(names(h, &actor, "riqielme").await, ["Marta Riquelme"]);
}

pub async fn search_never_reaches_another_business(h: &Harness) {
    let actor = fixture(h).await;
    let other = business(h, "norte").await;
    let mut stranger = new_client("Ana Muñoz Castro", "ana.castro@gmail.com");
    stranger.phone = Some(Phone::parse("+56 9 5555 4444").expect("valid"));
    h.store.create_client(&other, stranger).await.expect("created");

    assert_eq!(names(h, &actor, "ana munoz castro").await, ["Ana Muñoz Castro"], "only this business's Ana");
    for query in ["munoz", "4444", "ana.castro", "1234"] {
        let found = names(h, &other, query).await;
        assert!(found.len() <= 1, "{query:?} in the other business: {found:?}");
    }
    assert_eq!(names(h, &other, "valentina").await, Vec::<String>::new());
}

pub async fn search_follows_every_write(h: &Harness) {
    let actor = fixture(h).await;
    let id = {
        let query = SearchQuery::parse("valentina").expect("valid");
        h.store.search_clients(&actor, &query, 0, 5).await.expect("searched").hits[0].client.id
    };
    let changes = ClientChanges {
        name: Some(ClientName::parse("Valeria Ortega").expect("valid")),
        phone: Some(None),
        ..Default::default()
    };
    h.store.update_client(&actor, id, 1, changes).await.expect("updated");
    assert_eq!(names(h, &actor, "valentina").await, Vec::<String>::new(), "the old name is gone");
    assert_eq!(names(h, &actor, "8899").await, Vec::<String>::new(), "the removed phone is gone");
    assert_eq!(first(h, &actor, "ortega").await.as_deref(), Some("Valeria Ortega"));

    h.store.delete_client(&actor, id).await.expect("deleted");
    assert_eq!(names(h, &actor, "ortega").await, Vec::<String>::new(), "a deleted client is not found");
}

pub async fn search_explains_what_matched(h: &Harness) {
    let actor = fixture(h).await;
    let search = |text: &str| SearchQuery::parse(text).expect("valid");
    let by_phone = h.store.search_clients(&actor, &search("5678"), 0, 5).await.expect("searched");
    assert!(by_phone.hits[0].matched.contains(&Matched::Phone), "{:?}", by_phone.hits[0].matched);
    let by_rut = h.store.search_clients(&actor, &search("12.345.678-5"), 0, 5).await.expect("searched");
    assert!(by_rut.hits[0].matched.contains(&Matched::Rut));
    let by_name = h.store.search_clients(&actor, &search("munoz"), 0, 5).await.expect("searched");
    assert_eq!(by_name.hits[0].matched, [Matched::Name]);
    let by_email = h.store.search_clients(&actor, &search("jtgonzalez@uc"), 0, 5).await.expect("searched");
    assert!(by_email.hits[0].matched.contains(&Matched::Email));
}

pub async fn search_of_symbols_or_operators_is_harmless(h: &Harness) {
    let actor = fixture(h).await;
    for query in ["\"", "*", "\"*()^:", "NEAR(", "munoz OR", "AND NOT -", "{name}:x", "'; DROP TABLE clients; --"] {
        let parsed = SearchQuery::parse(query).expect("parses");
        h.store.search_clients(&actor, &parsed, 0, 20).await.unwrap_or_else(|e| panic!("{query:?}: {e}"));
    }
    assert_eq!(first(h, &actor, "munoz OR").await.as_deref(), None, "OR is a word, not an operator");
}

pub async fn search_pages_through_results(h: &Harness) {
    let actor = business(h, "sur").await;
    for i in 0..25 {
        h.store
            .create_client(&actor, new_client(&format!("Paciente Número {i}"), &format!("p{i}@mail.cl")))
            .await
            .expect("created");
    }
    let query = SearchQuery::parse("paciente").expect("valid");
    let mut seen = std::collections::HashSet::new();
    let mut offset = 0;
    loop {
        let page = h.store.search_clients(&actor, &query, offset, 10).await.expect("searched");
        for hit in &page.hits {
            assert!(seen.insert(hit.client.id), "no client twice");
        }
        match page.next_offset {
            Some(next) => offset = next,
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
}

async fn emails(h: &Harness, actor: &Actor, query: &str) -> Vec<String> {
    let query = SearchQuery::parse(query).expect("valid query");
    let page = h.store.search_clients(actor, &query, 0, 20).await.expect("searched");
    page.hits.into_iter().map(|hit| hit.client.email.as_str().to_owned()).collect()
}

pub async fn search_ranks_the_closest_first_and_then_the_most_recent(h: &Harness) {
    let actor = business(h, "sur").await;
    let clients: &[(&str, &str, Option<&str>, Option<&str>)] = &[
        ("Marta Riquelme Vera", "mrv@mail.cl", None, None),
        ("Riquelme Vera Marta", "rvm@mail.cl", None, None),
        ("Pedro Lagos", "plagos@mail.cl", None, None),
        ("Pedro Lagomarsino", "plago@mail.cl", None, None),
        ("Soto Pérez Hugo", "hsoto@mail.cl", Some("+56 9 6123 4321"), Some("11.111.111-1")),
        ("Hugo Díaz", "hdiaz@mail.cl", Some("+56 9 7788 4321"), Some("11.112.222-9")),
        ("Carla Mena Ortiz", "carla.uno@mail.cl", None, None),
        ("Carla Mena Ortiz", "carla.dos@mail.cl", None, None),
    ];
    let mut ids = Vec::new();
    for (name, email, phone, rut) in clients {
        h.clock.advance(SignedDuration::from_mins(1));
        let mut client = new_client(name, email);
        client.phone = phone.map(|p| Phone::parse(p).expect("valid phone"));
        client.rut = rut.map(|r| Rut::parse(r).expect("valid RUT"));
        ids.push(h.store.create_client(&actor, client).await.expect("created").id);
    }

    // A typo in one word: the words in the order typed still come first.
    assert_eq!(names(h, &actor, "marta riqelme").await, ["Marta Riquelme Vera", "Riquelme Vera Marta"]);
    // Every word may be a prefix, when the words whole leave the page
    // short: a whole match first, then the prefix ones.
    // "Lagos Pedro" also finds "Pedro Lagomarsino" (lagos may be the
    // start of a surname whose fifth letter differs), after the whole match.
    for query in ["pedro lagos", "lagos pedro", "lagos ped"] {
        assert_eq!(names(h, &actor, query).await, ["Pedro Lagos", "Pedro Lagomarsino"], "{query:?}");
    }
    for query in ["lago pedro", "lag ped", "LAG PÉD"] {
        let mut both = names(h, &actor, query).await;
        both.sort();
        assert_eq!(both, ["Pedro Lagomarsino", "Pedro Lagos"], "{query:?}");
    }
    // Numbers are not words: phones and RUTs rank by recency as before,
    // whoever's name begins how.
    assert_eq!(names(h, &actor, "4321").await, ["Hugo Díaz", "Soto Pérez Hugo"]);
    assert_eq!(names(h, &actor, "1111").await, ["Hugo Díaz", "Soto Pérez Hugo"]);
    assert_eq!(names(h, &actor, "11.111.111-1").await, ["Soto Pérez Hugo"]);

    // The same name twice: the newest registration first while neither has
    // booked, then the most recent booking.
    assert_eq!(emails(h, &actor, "carla mena").await, ["carla.dos@mail.cl", "carla.uno@mail.cl"]);
    let pro = staff(h, &actor, "pro@clinica.cl").await;
    h.store.set_agenda(&actor, pro, office_hours()).await.expect("agenda set");
    let service = h.store.create_service(&actor, new_service("Kinesiología", 60, 1, &[pro])).await.expect("service");
    let booking = NewBooking {
        client: ids[6],
        service: service.id,
        professional: Some(pro),
        start: Some(local(date(2026, 3, 16), 10, 0)),
        end: None,
        state: BookingState::Pending,
        origin: Origin::Panel,
        override_agenda: false,
    };
    h.store.book(&actor, booking).await.expect("booked");
    assert_eq!(emails(h, &actor, "carla mena").await, ["carla.uno@mail.cl", "carla.dos@mail.cl"]);
    assert_eq!(emails(h, &actor, "carla mena ortiz").await, ["carla.uno@mail.cl", "carla.dos@mail.cl"]);
}

/// The search cases.
#[macro_export]
macro_rules! search_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            search_quality_table,
            search_ranks_the_closest_first_and_then_the_most_recent,
            exact_ranks_above_prefix_above_typo,
            search_never_reaches_another_business,
            search_follows_every_write,
            search_explains_what_matched,
            search_of_symbols_or_operators_is_harmless,
            search_pages_through_results
        );
    };
}
