//! The demo business's own fields ("Otros datos") and plausible values for
//! its clients, so profiles look lived-in.

use anyhow::Context;
use ficha_domain::{
    Actor, ChoiceOptions, ClientId, CustomValue, FieldKey, FieldKind, FieldLabel, NewCustomField, RawValue,
};
use ficha_store::Store;

use super::random::Random;

const COMUNAS: &[&str] =
    &["Providencia", "Ñuñoa", "Las Condes", "Santiago Centro", "Maipú", "La Florida", "Macul", "San Miguel"];
const PREVISION: &[&str] = &["Fonasa", "Isapre", "Particular"];
const ALLERGIES: &[&str] = &["Penicilina", "Látex", "Ibuprofeno", "Mariscos"];
const EMERGENCY: &[&str] = &["Marido", "Esposa", "Hija", "Hijo", "Madre", "Padre", "Hermana"];

struct Spec {
    key: &'static str,
    label: &'static str,
    kind: FieldKind,
    options: &'static [&'static str],
}

const FIELDS: [Spec; 5] = [
    Spec { key: "comuna", label: "Comuna", kind: FieldKind::SingleChoice, options: COMUNAS },
    Spec { key: "prevision", label: "Previsión", kind: FieldKind::SingleChoice, options: PREVISION },
    Spec { key: "alergias", label: "Alergias", kind: FieldKind::MultiChoice, options: ALLERGIES },
    Spec { key: "contacto_emergencia", label: "Contacto de emergencia", kind: FieldKind::Text, options: &[] },
    Spec {
        key: "acepta_recordatorios",
        label: "Acepta recordatorios por WhatsApp",
        kind: FieldKind::YesNo,
        options: &[],
    },
];

/// Defines the demo's fields.
pub async fn create(store: &dyn Store, actor: &Actor) -> anyhow::Result<()> {
    for spec in &FIELDS {
        let new = NewCustomField {
            key: FieldKey::parse(spec.key)?,
            label: FieldLabel::parse(spec.label)?,
            kind: spec.kind,
            options: ChoiceOptions::parse(spec.kind, spec.options).map_err(|e| anyhow::anyhow!("{e:?}"))?,
            required: false,
            in_booking_form: spec.key == "comuna",
            visible_to_client: spec.key != "alergias",
            sensitive: spec.key == "alergias",
            identifying: false,
            position: None,
        };
        store.create_field(actor, new).await.context("creating a demo field")?;
    }
    Ok(())
}

/// Gives a client values for some of the fields.
pub async fn fill(store: &dyn Store, actor: &Actor, client: ClientId, random: &mut Random) -> anyhow::Result<()> {
    let fields = store.list_fields(actor, false).await?;
    let mut values = Vec::new();
    for field in &fields {
        let text = match field.key.as_str() {
            "comuna" if random.chance(80) => random.pick(COMUNAS).to_string(),
            "prevision" if random.chance(70) => random.pick(PREVISION).to_string(),
            "contacto_emergencia" if random.chance(30) => {
                format!(
                    "{} +56 9 {} {}",
                    random.pick(EMERGENCY),
                    random.between(3000, 9999),
                    random.between(1000, 9999)
                )
            }
            "acepta_recordatorios" if random.chance(60) => (if random.chance(85) { "si" } else { "no" }).to_owned(),
            "alergias" if random.chance(15) => random.pick(ALLERGIES).to_string(),
            _ => continue,
        };
        if let Ok(value) = CustomValue::read(field, RawValue::Text(&text)) {
            values.push((field.key.clone(), Some(value)));
        }
    }
    if !values.is_empty() {
        store.set_custom_values(actor, client, 1, values).await.context("saving demo values")?;
    }
    Ok(())
}
