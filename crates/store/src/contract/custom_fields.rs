//! Contract cases for custom fields ("Otros datos").

use ficha_domain::{
    Actor, BlockReason, ChoiceOptions, ClientId, CustomField, CustomFieldChanges, CustomFieldId, CustomValue,
    FieldError, FieldKey, FieldKind, FieldLabel, NewCustomField, RawValue, Role,
};
use jiff::SignedDuration;

use super::notes::staff;
use super::{Harness, business, new_client, start_time};
use crate::search::SearchQuery;
use crate::{FieldValue, RefusedValue, Removed, StoreError};

/// The custom-field cases.
#[macro_export]
macro_rules! custom_fields_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            fields_are_listed_by_position_then_creation,
            a_field_key_is_unique_in_its_business,
            values_of_every_kind_round_trip_and_bump_the_version,
            a_required_field_cannot_be_emptied,
            a_refused_value_saves_none_of_the_others,
            a_field_with_values_is_archived_and_its_values_stay,
            a_field_without_values_is_deleted,
            an_archived_field_can_be_brought_back,
            options_that_values_hold_cannot_be_taken_away,
            another_business_cannot_reach_fields_or_values,
            deleting_a_client_deletes_its_values,
            saving_values_checks_the_clients_version,
            values_are_found_by_search,
            a_sensitive_field_keeps_its_mark_and_its_values,
            writes_that_change_nothing_searched_keep_the_entry_right,
            a_field_named_twice_keeps_its_last_value,
            values_of_many_clients_come_in_one_read
        );
    };
}

fn key(text: &str) -> FieldKey {
    FieldKey::parse(text).expect("valid key")
}

fn new_field(key_text: &str, kind: FieldKind, options: &[&str]) -> NewCustomField {
    NewCustomField {
        key: key(key_text),
        label: FieldLabel::parse(&format!("Campo {key_text}")).expect("valid label"),
        kind,
        options: ChoiceOptions::parse(kind, options).expect("valid options"),
        required: false,
        in_booking_form: false,
        visible_to_client: false,
        sensitive: false,
        identifying: false,
        position: None,
    }
}

async fn define(h: &Harness, actor: &Actor, key_text: &str, kind: FieldKind, options: &[&str]) -> CustomField {
    h.store.create_field(actor, new_field(key_text, kind, options)).await.expect("field created")
}

/// `raw` read as a value of `field`, as the web layer does before saving.
fn value(field: &CustomField, raw: RawValue<'_>) -> CustomValue {
    CustomValue::parse(field, raw).expect("valid value").expect("not empty")
}

fn keys(fields: &[CustomField]) -> Vec<&str> {
    fields.iter().map(|f| f.key.as_str()).collect()
}

fn value_keys(values: &[FieldValue]) -> Vec<&str> {
    values.iter().map(|v| v.field.key.as_str()).collect()
}

fn refusals(result: Result<impl std::fmt::Debug, StoreError>) -> Vec<(String, FieldError)> {
    match result {
        Err(StoreError::ValuesRefused(refused)) => {
            refused.into_iter().map(|RefusedValue { key, error, .. }| (key.to_string(), error)).collect()
        }
        other => panic!("expected ValuesRefused, got {other:?}"),
    }
}

pub async fn fields_are_listed_by_position_then_creation(h: &Harness) {
    let actor = business(h, "sur").await;
    let mascota = define(h, &actor, "mascota", FieldKind::Text, &[]).await;
    let edad = define(h, &actor, "edad", FieldKind::Number, &[]).await;
    assert_eq!((mascota.position, edad.position), (1, 2), "without a position a field goes last");
    let mut first = new_field("comuna", FieldKind::SingleChoice, &["Ñuñoa", "Maipú"]);
    first.position = Some(0);
    first.required = true;
    first.in_booking_form = true;
    first.visible_to_client = true;
    let comuna = h.store.create_field(&actor, first.clone()).await.expect("created");
    let tied =
        h.store.create_field(&actor, NewCustomField { position: Some(2), ..new_field("raza", FieldKind::Text, &[]) });
    tied.await.expect("created");

    let listed = h.store.list_fields(&actor, false).await.expect("listed");
    assert_eq!(keys(&listed), ["comuna", "mascota", "edad", "raza"], "ties keep creation order");
    assert_eq!(listed[0], comuna);
    assert_eq!(h.store.get_field(&actor, comuna.id).await.expect("read"), comuna);
    assert_eq!(comuna.options.as_slice(), ["Ñuñoa", "Maipú"]);
    assert!(comuna.required && comuna.in_booking_form && comuna.visible_to_client);
    assert_eq!(comuna.archived_at, None);

    let moved = CustomFieldChanges { position: Some(10), ..Default::default() };
    h.store.update_field(&actor, comuna.id, moved).await.expect("moved");
    let listed = h.store.list_fields(&actor, false).await.expect("listed");
    assert_eq!(keys(&listed), ["mascota", "edad", "raza", "comuna"]);
}

pub async fn a_field_key_is_unique_in_its_business(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    define(h, &sur, "mascota", FieldKind::Text, &[]).await;

    let again = h.store.create_field(&sur, new_field("mascota", FieldKind::Number, &[])).await;
    assert!(matches!(again, Err(StoreError::FieldKeyTaken)), "{again:?}");
    assert_eq!(h.store.list_fields(&sur, true).await.expect("listed").len(), 1, "nothing was written");
    define(h, &norte, "mascota", FieldKind::Text, &[]).await;
}

pub async fn values_of_every_kind_round_trip_and_bump_the_version(h: &Harness) {
    let actor = business(h, "sur").await;
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let fields = [
        define(h, &actor, "mascota", FieldKind::Text, &[]).await,
        define(h, &actor, "notas", FieldKind::LongText, &[]).await,
        define(h, &actor, "edad", FieldKind::Number, &[]).await,
        define(h, &actor, "control", FieldKind::Date, &[]).await,
        define(h, &actor, "seguro", FieldKind::YesNo, &[]).await,
        define(h, &actor, "comuna", FieldKind::SingleChoice, &["Las Condes", "Ñuñoa"]).await,
        define(h, &actor, "especies", FieldKind::MultiChoice, &["Perro", "Gato", "Ave"]).await,
    ];
    let raws = [
        RawValue::Text("Firulais \"el bravo\""),
        RawValue::Text("Alérgico al látex.\nUsa inhalador."),
        RawValue::Text("3,5"),
        RawValue::Text("01-05-2026"),
        RawValue::Bool(true),
        RawValue::Text("ñuñoa"),
        RawValue::List(vec![Some("ave"), Some("perro")]),
    ];
    let values: Vec<CustomValue> = fields.iter().zip(raws).map(|(f, raw)| value(f, raw)).collect();
    let writes = fields.iter().zip(&values).map(|(f, v)| (f.key.clone(), Some(v.clone()))).collect();

    let saved = h.store.set_custom_values(&actor, client.id, 1, writes).await.expect("saved");

    assert_eq!(saved.client.version, 2);
    let expected: Vec<FieldValue> =
        fields.iter().zip(&values).map(|(f, v)| FieldValue { field: f.clone(), value: v.clone() }).collect();
    assert_eq!(saved.values, expected);
    assert_eq!(h.store.custom_values(&actor, client.id).await.expect("read"), expected);
    assert_eq!(h.store.get_client(&actor, client.id).await.expect("read").version, 2);
    assert_eq!(expected[5].value, CustomValue::SingleChoice("Ñuñoa".into()), "stored as the option's label");
    assert_eq!(expected[6].value, CustomValue::MultiChoice(vec!["Perro".into(), "Ave".into()]));

    let cleared = vec![
        (key("mascota"), None),
        (key("seguro"), None),
        (key("edad"), Some(value(&fields[2], RawValue::Number("34")))),
    ];
    let saved = h.store.set_custom_values(&actor, client.id, 2, cleared).await.expect("saved");
    assert_eq!(saved.client.version, 3);
    assert_eq!(value_keys(&saved.values), ["notas", "edad", "control", "comuna", "especies"]);
    assert_eq!(saved.values[1].value, value(&fields[2], RawValue::Text("34")));
    assert_eq!(h.store.custom_values(&actor, client.id).await.expect("read"), saved.values);
}

pub async fn a_required_field_cannot_be_emptied(h: &Harness) {
    let actor = business(h, "sur").await;
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let new = NewCustomField { required: true, ..new_field("mascota", FieldKind::Text, &[]) };
    let mascota = h.store.create_field(&actor, new).await.expect("created");
    let firulais = value(&mascota, RawValue::Text("Firulais"));
    h.store.set_custom_values(&actor, client.id, 1, vec![(key("mascota"), Some(firulais))]).await.expect("saved");

    let emptied = h.store.set_custom_values(&actor, client.id, 2, vec![(key("mascota"), None)]).await;

    assert_eq!(refusals(emptied), [("mascota".to_owned(), FieldError::Required)]);
    let values = h.store.custom_values(&actor, client.id).await.expect("read");
    assert_eq!(value_keys(&values), ["mascota"], "the value stays");
    assert_eq!(h.store.get_client(&actor, client.id).await.expect("read").version, 2, "version untouched");
}

pub async fn a_refused_value_saves_none_of_the_others(h: &Harness) {
    let actor = business(h, "sur").await;
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let mascota = define(h, &actor, "mascota", FieldKind::Text, &[]).await;
    let comuna = define(h, &actor, "comuna", FieldKind::SingleChoice, &["Ñuñoa", "Maipú"]).await;
    // Read while Maipú was an option; the owner takes it away before the save.
    let maipu = value(&comuna, RawValue::Text("Maipú"));
    let only_nunoa = ChoiceOptions::parse(FieldKind::SingleChoice, &["Ñuñoa"]).expect("valid");
    let changes = CustomFieldChanges { options: Some(only_nunoa), ..Default::default() };
    h.store.update_field(&actor, comuna.id, changes).await.expect("no value uses Maipú yet");

    let writes = vec![
        (key("mascota"), Some(value(&mascota, RawValue::Text("Firulais")))),
        (key("comuna"), Some(maipu)),
        (key("nada"), None),
    ];
    let refused = h.store.set_custom_values(&actor, client.id, 1, writes).await;

    assert_eq!(
        refusals(refused),
        [("comuna".to_owned(), FieldError::NotAnOption), ("nada".to_owned(), FieldError::FieldUnknown)]
    );
    assert!(h.store.custom_values(&actor, client.id).await.expect("read").is_empty(), "nothing was saved");
    assert_eq!(h.store.get_client(&actor, client.id).await.expect("read").version, 1);
}

pub async fn a_field_with_values_is_archived_and_its_values_stay(h: &Harness) {
    let actor = business(h, "sur").await;
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let other = h.store.create_client(&actor, new_client("Bea Soto", "bea@mail.cl")).await.expect("created");
    let new = NewCustomField { required: true, ..new_field("mascota", FieldKind::Text, &[]) };
    let mascota = h.store.create_field(&actor, new).await.expect("created");
    let firulais = value(&mascota, RawValue::Text("Firulais"));
    h.store
        .set_custom_values(&actor, client.id, 1, vec![(key("mascota"), Some(firulais.clone()))])
        .await
        .expect("saved");
    h.clock.advance(SignedDuration::from_hours(1));

    let removed = h.store.remove_field(&actor, mascota.id).await.expect("removed");

    let Removed::Archived(archived) = removed else { panic!("expected Archived, got {removed:?}") };
    assert_eq!(archived.archived_at, Some(start_time() + SignedDuration::from_hours(1)));
    assert_eq!(h.store.get_field(&actor, mascota.id).await.expect("still there"), archived);
    assert!(h.store.list_fields(&actor, false).await.expect("listed").is_empty(), "hidden from the active list");
    assert_eq!(h.store.list_fields(&actor, true).await.expect("listed"), std::slice::from_ref(&archived));
    let values = h.store.custom_values(&actor, client.id).await.expect("read");
    assert_eq!(values, [FieldValue { field: archived.clone(), value: firulais.clone() }], "the value comes back");

    let refused = h.store.set_custom_values(&actor, other.id, 1, vec![(key("mascota"), Some(firulais))]).await;
    assert_eq!(refusals(refused), [("mascota".to_owned(), FieldError::FieldArchived)]);
    let taken = h.store.create_field(&actor, new_field("mascota", FieldKind::Text, &[])).await;
    assert!(matches!(taken, Err(StoreError::FieldKeyTaken)), "an archived field keeps its key: {taken:?}");

    // Removing it again keeps the first archiving date; its values can still
    // be cleared (required no longer applies), after which it can be deleted.
    h.clock.advance(SignedDuration::from_hours(1));
    let again = h.store.remove_field(&actor, mascota.id).await.expect("removed");
    assert_eq!(again, Removed::Archived(archived));
    h.store.set_custom_values(&actor, client.id, 2, vec![(key("mascota"), None)]).await.expect("cleared");
    assert_eq!(h.store.remove_field(&actor, mascota.id).await.expect("removed"), Removed::Deleted);
}

pub async fn a_field_without_values_is_deleted(h: &Harness) {
    let actor = business(h, "sur").await;
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let edad = define(h, &actor, "edad", FieldKind::Number, &[]).await;
    let mascota = define(h, &actor, "mascota", FieldKind::Text, &[]).await;
    let firulais = value(&mascota, RawValue::Text("Firulais"));
    h.store.set_custom_values(&actor, client.id, 1, vec![(key("mascota"), Some(firulais))]).await.expect("saved");

    assert_eq!(h.store.remove_field(&actor, edad.id).await.expect("removed"), Removed::Deleted);

    assert!(matches!(h.store.get_field(&actor, edad.id).await, Err(StoreError::NotFound)));
    assert_eq!(keys(&h.store.list_fields(&actor, true).await.expect("listed")), ["mascota"]);
    assert!(matches!(h.store.remove_field(&actor, edad.id).await, Err(StoreError::NotFound)));
    define(h, &actor, "edad", FieldKind::Date, &[]).await;
}

pub async fn an_archived_field_can_be_brought_back(h: &Harness) {
    let actor = business(h, "sur").await;
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let mascota = define(h, &actor, "mascota", FieldKind::Text, &[]).await;
    let firulais = value(&mascota, RawValue::Text("Firulais"));
    h.store.set_custom_values(&actor, client.id, 1, vec![(key("mascota"), Some(firulais))]).await.expect("saved");
    h.store.remove_field(&actor, mascota.id).await.expect("archived");

    let restore = CustomFieldChanges { archived: Some(false), ..Default::default() };
    let restored = h.store.update_field(&actor, mascota.id, restore).await.expect("restored");

    assert_eq!(restored, mascota);
    let cachupin = value(&restored, RawValue::Text("Cachupín"));
    let saved = h.store.set_custom_values(&actor, client.id, 2, vec![(key("mascota"), Some(cachupin.clone()))]).await;
    assert_eq!(saved.expect("saved").values[0].value, cachupin);
}

pub async fn options_that_values_hold_cannot_be_taken_away(h: &Harness) {
    let actor = business(h, "sur").await;
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let comuna = define(h, &actor, "comuna", FieldKind::SingleChoice, &["Ñuñoa", "Maipú", "Providencia"]).await;
    let especies = define(h, &actor, "especies", FieldKind::MultiChoice, &["Perro", "Gato", "Ave"]).await;
    let writes = vec![
        (key("comuna"), Some(value(&comuna, RawValue::Text("Ñuñoa")))),
        (key("especies"), Some(value(&especies, RawValue::List(vec![Some("Gato"), Some("Ave")])))),
    ];
    h.store.set_custom_values(&actor, client.id, 1, writes).await.expect("saved");
    let options = |kind, items: &[&str]| Some(ChoiceOptions::parse(kind, items).expect("valid"));

    let without_nunoa =
        CustomFieldChanges { options: options(FieldKind::SingleChoice, &["Maipú"]), ..Default::default() };
    match h.store.update_field(&actor, comuna.id, without_nunoa).await {
        Err(StoreError::OptionsInUse { options }) => assert_eq!(options, ["Ñuñoa"]),
        other => panic!("expected OptionsInUse, got {other:?}"),
    }
    let without_ave =
        CustomFieldChanges { options: options(FieldKind::MultiChoice, &["Perro", "Gato"]), ..Default::default() };
    match h.store.update_field(&actor, especies.id, without_ave).await {
        Err(StoreError::OptionsInUse { options }) => assert_eq!(options, ["Ave"]),
        other => panic!("expected OptionsInUse, got {other:?}"),
    }
    assert_eq!(h.store.get_field(&actor, comuna.id).await.expect("read"), comuna, "nothing changed");

    // Unused options go; a used one may change its case or accents, and the
    // value then reads with the new label.
    let renamed = CustomFieldChanges {
        options: options(FieldKind::SingleChoice, &["NUNOA", "Las Condes"]),
        label: Some(FieldLabel::parse("Comuna de residencia").expect("valid")),
        ..Default::default()
    };
    let updated = h.store.update_field(&actor, comuna.id, renamed).await.expect("updated");
    assert_eq!(updated.options.as_slice(), ["NUNOA", "Las Condes"]);
    assert_eq!(updated.label.as_str(), "Comuna de residencia");
    let fewer_species =
        CustomFieldChanges { options: options(FieldKind::MultiChoice, &["Gato", "Ave"]), ..Default::default() };
    h.store.update_field(&actor, especies.id, fewer_species).await.expect("Perro was unused");
    let values = h.store.custom_values(&actor, client.id).await.expect("read");
    assert_eq!(values[0].value, CustomValue::SingleChoice("NUNOA".into()));
    assert_eq!(values[0].field, updated);
    assert_eq!(values[1].value, CustomValue::MultiChoice(vec!["Gato".into(), "Ave".into()]));
}

pub async fn another_business_cannot_reach_fields_or_values(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let client = h.store.create_client(&sur, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let mascota = define(h, &sur, "mascota", FieldKind::Text, &[]).await;
    let firulais = value(&mascota, RawValue::Text("Firulais"));
    h.store.set_custom_values(&sur, client.id, 1, vec![(key("mascota"), Some(firulais.clone()))]).await.expect("saved");

    assert!(matches!(h.store.get_field(&norte, mascota.id).await, Err(StoreError::NotFound)));
    let changes = CustomFieldChanges { required: Some(true), ..Default::default() };
    assert!(matches!(h.store.update_field(&norte, mascota.id, changes).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.remove_field(&norte, mascota.id).await, Err(StoreError::NotFound)));
    assert!(h.store.list_fields(&norte, true).await.expect("listed").is_empty());
    assert!(matches!(h.store.custom_values(&norte, client.id).await, Err(StoreError::NotFound)));
    let write = vec![(key("mascota"), Some(firulais.clone()))];
    assert!(matches!(h.store.set_custom_values(&norte, client.id, 2, write).await, Err(StoreError::NotFound)));

    // Norte's own client cannot take a value of Sur's field either.
    let theirs = h.store.create_client(&norte, new_client("Bea Soto", "bea@mail.cl")).await.expect("created");
    let write = vec![(key("mascota"), Some(firulais.clone()))];
    assert_eq!(
        refusals(h.store.set_custom_values(&norte, theirs.id, 1, write).await),
        [("mascota".to_owned(), FieldError::FieldUnknown)]
    );

    let values = h.store.custom_values(&sur, client.id).await.expect("read");
    assert_eq!(values, [FieldValue { field: mascota.clone(), value: firulais }]);
    assert_eq!(h.store.get_field(&sur, mascota.id).await.expect("read"), mascota);
    assert!(matches!(h.store.custom_values(&sur, ClientId::generate()).await, Err(StoreError::NotFound)));
    assert!(matches!(h.store.get_field(&sur, CustomFieldId::generate()).await, Err(StoreError::NotFound)));
}

pub async fn deleting_a_client_deletes_its_values(h: &Harness) {
    let actor = business(h, "sur").await;
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let mascota = define(h, &actor, "mascota", FieldKind::Text, &[]).await;
    let firulais = value(&mascota, RawValue::Text("Firulais"));
    h.store.set_custom_values(&actor, client.id, 1, vec![(key("mascota"), Some(firulais))]).await.expect("saved");

    h.store.delete_client(&actor, client.id).await.expect("deleted");

    assert!(matches!(h.store.custom_values(&actor, client.id).await, Err(StoreError::NotFound)));
    let again = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    assert!(h.store.custom_values(&actor, again.id).await.expect("read").is_empty(), "the new profile starts empty");
    assert_eq!(h.store.remove_field(&actor, mascota.id).await.expect("removed"), Removed::Deleted, "no values left");
}

pub async fn saving_values_checks_the_clients_version(h: &Harness) {
    let actor = business(h, "sur").await;
    let client = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let mascota = define(h, &actor, "mascota", FieldKind::Text, &[]).await;
    let write = |text| vec![(key("mascota"), Some(value(&mascota, RawValue::Text(text))))];
    let saved = h.store.set_custom_values(&actor, client.id, 1, write("Firulais")).await.expect("saved");

    let stale = h.store.set_custom_values(&actor, client.id, 1, write("Cachupín")).await;

    match stale {
        Err(StoreError::Stale { current }) => assert_eq!(*current, saved.client, "the refusal carries what is stored"),
        other => panic!("expected Stale, got {other:?}"),
    }
    let values = h.store.custom_values(&actor, client.id).await.expect("read");
    assert_eq!(values[0].value, CustomValue::Text("Firulais".into()));
    // A client edit bumps the same version.
    let changes = ficha_domain::ClientChanges {
        name: Some(ficha_domain::ClientName::parse("Ana María").expect("valid")),
        ..Default::default()
    };
    h.store.update_client(&actor, client.id, 2, changes).await.expect("edited");
    let stale = h.store.set_custom_values(&actor, client.id, 2, write("Cachupín")).await;
    assert!(matches!(stale, Err(StoreError::Stale { .. })), "{stale:?}");
    let missing = h.store.set_custom_values(&actor, ClientId::generate(), 1, write("Cachupín")).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let unchanged = h.store.set_custom_values(&actor, client.id, 3, Vec::new()).await.expect("nothing to save");
    assert_eq!((unchanged.client.version, unchanged.values.len()), (3, 1), "an empty save changes nothing");
}

/// The clients `query` finds, by name.
async fn found(h: &Harness, actor: &Actor, query: &str) -> Vec<String> {
    let query = SearchQuery::parse(query).expect("valid query");
    let page = h.store.search_clients(actor, &query, 0, 20).await.expect("searched");
    page.hits.into_iter().map(|hit| hit.client.name.as_str().to_owned()).collect()
}

pub async fn values_are_found_by_search(h: &Harness) {
    let actor = business(h, "sur").await;
    let ana = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    h.store.create_client(&actor, new_client("Bea Soto", "bea@mail.cl")).await.expect("created");
    let mascota = define(h, &actor, "mascota", FieldKind::Text, &[]).await;
    let comuna = define(h, &actor, "comuna", FieldKind::SingleChoice, &["Las Condes", "Ñuñoa"]).await;
    let seguro = define(h, &actor, "seguro", FieldKind::YesNo, &[]).await;
    let edad = define(h, &actor, "edad", FieldKind::Number, &[]).await;
    let writes = vec![
        (key("edad"), Some(value(&edad, RawValue::Number("34")))),
        (key("mascota"), Some(value(&mascota, RawValue::Text("Firulais")))),
        (key("comuna"), Some(value(&comuna, RawValue::Text("nunoa")))),
        (key("seguro"), Some(value(&seguro, RawValue::Bool(true)))),
    ];
    h.store.set_custom_values(&actor, ana.id, 1, writes).await.expect("saved");

    assert_eq!(found(h, &actor, "firulais").await, ["Ana Pérez"]);
    assert_eq!(found(h, &actor, "Ñuñoa").await, ["Ana Pérez"]);
    assert_eq!(found(h, &actor, "34").await, ["Ana Pérez"], "an age");
    assert_eq!(found(h, &actor, "campo seguro").await, ["Ana Pérez"], "a yes is found by the field's label");

    // A new label for a yes/no field is new search text for every "yes".
    let relabel =
        CustomFieldChanges { label: Some(FieldLabel::parse("Asegurado").expect("valid")), ..Default::default() };
    h.store.update_field(&actor, seguro.id, relabel).await.expect("relabelled");
    assert_eq!(found(h, &actor, "asegurado").await, ["Ana Pérez"]);

    h.store.set_custom_values(&actor, ana.id, 2, vec![(key("mascota"), None)]).await.expect("cleared");
    assert!(found(h, &actor, "firulais").await.is_empty(), "a cleared value is not found any more");
}

/// Writes skip rewriting a search entry that would come out the same: what
/// they do write must still be found, and what they replace must not.
pub async fn writes_that_change_nothing_searched_keep_the_entry_right(h: &Harness) {
    let actor = business(h, "sinreescribir").await;
    let ana = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let mascota = define(h, &actor, "mascota", FieldKind::Text, &[]).await;
    let firulais = vec![(key("mascota"), Some(value(&mascota, RawValue::Text("Firulais"))))];
    h.store.set_custom_values(&actor, ana.id, 1, firulais.clone()).await.expect("saved");
    let again = h.store.set_custom_values(&actor, ana.id, 2, firulais).await.expect("saved the same again");
    assert_eq!(again.values.len(), 1);
    assert_eq!(found(h, &actor, "firulais").await, ["Ana Pérez"], "the same value saved twice");

    let birth = ficha_domain::BirthDate::parse("14-02-1990", jiff::civil::date(2026, 12, 1)).expect("valid date");
    let changes = ficha_domain::ClientChanges { birth_date: Some(Some(birth)), ..Default::default() };
    h.store.update_client(&actor, ana.id, 3, changes).await.expect("edited a date, which is not searched");
    assert_eq!(found(h, &actor, "firulais").await, ["Ana Pérez"]);
    assert_eq!(found(h, &actor, "ana perez").await, ["Ana Pérez"]);

    let renamed = ficha_domain::ClientChanges {
        name: Some(ficha_domain::ClientName::parse("Ana Tapia").expect("valid")),
        ..Default::default()
    };
    h.store.update_client(&actor, ana.id, 4, renamed).await.expect("renamed");
    assert_eq!(found(h, &actor, "tapia").await, ["Ana Tapia"]);
    assert!(found(h, &actor, "perez").await.is_empty(), "the old name is not found any more");
    assert_eq!(found(h, &actor, "firulais").await, ["Ana Tapia"], "the values stay in the entry");
    assert_eq!(found(h, &actor, "tapai").await, ["Ana Tapia"], "a typo of the new name");
}

/// A save that names one field twice keeps the last value, as if the two
/// were written in turn.
pub async fn a_field_named_twice_keeps_its_last_value(h: &Harness) {
    let actor = business(h, "dosveces").await;
    let ana = h.store.create_client(&actor, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let mascota = define(h, &actor, "mascota", FieldKind::Text, &[]).await;
    let writes = vec![
        (key("mascota"), Some(value(&mascota, RawValue::Text("Firulais")))),
        (key("mascota"), Some(value(&mascota, RawValue::Text("Cachupín")))),
    ];
    let saved = h.store.set_custom_values(&actor, ana.id, 1, writes).await.expect("saved");
    let stored = h.store.custom_values(&actor, ana.id).await.expect("read");
    assert_eq!(saved.values, stored, "what the save returns is what is stored");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].value, value(&mascota, RawValue::Text("Cachupín")));
    assert!(found(h, &actor, "firulais").await.is_empty());
    assert_eq!(found(h, &actor, "cachupin").await, ["Ana Pérez"]);
}

pub async fn a_sensitive_field_keeps_its_mark_and_its_values(h: &Harness) {
    let actor = business(h, "sensible").await;
    let mut new = new_field("diagnostico", FieldKind::Text, &[]);
    new.sensitive = true;
    let field = h.store.create_field(&actor, new).await.expect("created");
    assert!(field.sensitive);
    assert!(h.store.get_field(&actor, field.id).await.expect("read").sensitive);
    let client = h.store.create_client(&actor, new_client("Rosa Díaz", "rosa@mail.cl")).await.expect("client");
    let saved = h
        .store
        .set_custom_values(
            &actor,
            client.id,
            client.version,
            vec![(key("diagnostico"), Some(CustomValue::Text("Lumbago".into())))],
        )
        .await
        .expect("saved");
    assert!(saved.values.iter().all(|v| v.field.sensitive), "values carry the mark");
    assert!(crate::custom_fields::has_sensitive(&saved.values));
    assert_eq!(crate::custom_fields::exportable(&saved.values, false).count(), 0, "not exported by default");
    assert_eq!(crate::custom_fields::exportable(&saved.values, true).count(), 1, "only when ticked");
    // Still found by it, but never told as what matched.
    let query = SearchQuery::parse("lumbago").expect("valid query");
    let page = h.store.search_clients(&actor, &query, 0, 20).await.expect("searched");
    assert_eq!(page.hits.len(), 1, "found by the sensitive value");
    assert!(page.hits[0].matched.is_empty(), "{:?}", page.hits[0].matched);
    // Unmarked by the owner: the values stay, no longer sensitive.
    let changes = CustomFieldChanges { sensitive: Some(false), ..Default::default() };
    assert!(!h.store.update_field(&actor, field.id, changes).await.expect("updated").sensitive);
    let values = h.store.custom_values(&actor, client.id).await.expect("values");
    assert_eq!(value_keys(&values), ["diagnostico"]);
    assert!(!crate::custom_fields::has_sensitive(&values));
    let page = h.store.search_clients(&actor, &query, 0, 20).await.expect("searched");
    assert_eq!(page.hits[0].matched, [crate::search::Matched::Custom("Campo diagnostico".into())]);
}

/// An export's read: the values of a page of clients at once, grouped by
/// client in the order asked, each in its fields' order; nothing of
/// another business, and a blocked profile's only for owners.
pub async fn values_of_many_clients_come_in_one_read(h: &Harness) {
    let sur = business(h, "sur").await;
    let norte = business(h, "norte").await;
    let ana = h.store.create_client(&sur, new_client("Ana Pérez", "ana@mail.cl")).await.expect("created");
    let bea = h.store.create_client(&sur, new_client("Bea Soto", "bea@mail.cl")).await.expect("created");
    let eva = h.store.create_client(&sur, new_client("Eva Ríos", "eva@mail.cl")).await.expect("created");
    let theirs = h.store.create_client(&norte, new_client("Ida Paz", "ida@mail.cl")).await.expect("created");
    let mascota = define(h, &sur, "mascota", FieldKind::Text, &[]).await;
    let edad = define(h, &sur, "edad", FieldKind::Number, &[]).await;
    let raza = define(h, &norte, "raza", FieldKind::Text, &[]).await;
    let save = |actor: Actor, client: ClientId, writes: Vec<(FieldKey, Option<CustomValue>)>| async move {
        h.store.set_custom_values(&actor, client, 1, writes).await.expect("saved");
    };
    let ana_values = vec![
        (key("edad"), Some(value(&edad, RawValue::Text("34")))),
        (key("mascota"), Some(value(&mascota, RawValue::Text("Firulais")))),
    ];
    save(sur, ana.id, ana_values).await;
    save(sur, bea.id, vec![(key("mascota"), Some(value(&mascota, RawValue::Text("Cachupín"))))]).await;
    save(norte, theirs.id, vec![(key("raza"), Some(value(&raza, RawValue::Text("Quiltro"))))]).await;

    let asked = [bea.id, theirs.id, eva.id, ClientId::generate(), ana.id];
    let read = h.store.custom_values_of(&sur, &asked).await.expect("read");
    let seen: Vec<(ClientId, &str)> = read.iter().map(|(id, v)| (*id, v.field.key.as_str())).collect();
    assert_eq!(seen, [(bea.id, "mascota"), (ana.id, "mascota"), (ana.id, "edad")]);
    assert_eq!(read[0].1, FieldValue { field: mascota.clone(), value: value(&mascota, RawValue::Text("Cachupín")) });
    assert!(h.store.custom_values_of(&sur, &[]).await.expect("read").is_empty());
    assert!(h.store.custom_values_of(&norte, &[ana.id, bea.id]).await.expect("read").is_empty());

    let owner = staff(h, &sur, "Olga Díaz", Role::Owner).await;
    let professional = staff(h, &sur, "Pía Lagos", Role::Professional).await;
    let reason = BlockReason::parse("A pedido de la clienta").expect("valid reason");
    h.store.block_client(&owner, bea.id, reason).await.expect("blocked");
    let of = |actor: Actor| async move {
        let read = h.store.custom_values_of(&actor, &[ana.id, bea.id]).await.expect("read");
        read.iter().map(|(id, _)| *id).collect::<Vec<_>>()
    };
    assert_eq!(of(owner).await, [ana.id, ana.id, bea.id], "owners see a blocked profile's values");
    assert_eq!(of(professional).await, [ana.id, ana.id], "hidden from professionals like the profile");
}
