//! What a data-subject request's emails say: that it was received and by
//! when it will be answered, and then the answer (or the reason for a
//! refusal), shown as the business wrote it.

use ficha_domain::{DataRight, Facts, NoticeKind};

use super::Links;
use super::letter::{Action, Detail, Letter};

/// The right as the person reads it ("acceso a tus datos").
pub fn right_words(right: &str) -> &'static str {
    match DataRight::parse(right) {
        Some(DataRight::Access) => "acceso a tus datos",
        Some(DataRight::Rectification) => "rectificación de tus datos",
        Some(DataRight::Erasure) => "supresión de tus datos",
        Some(DataRight::Opposition) => "oposición al uso de tus datos",
        Some(DataRight::Portability) => "portabilidad de tus datos",
        Some(DataRight::Blocking) => "bloqueo temporal de tus datos",
        None => "tus datos",
    }
}

pub fn letter(kind: NoticeKind, facts: &Facts, links: &Links) -> Letter {
    let b = &facts.business_name;
    let Some(request) = &facts.data_request else {
        return Letter { subject: format!("Tu solicitud en {b}"), ..Letter::default() };
    };
    let right = right_words(&request.right);
    let due = request.due_on.strftime("%d-%m-%Y").to_string();
    let actions = vec![Action { label: "Mi cuenta", url: links.account(&facts.business_slug) }];
    if kind == NoticeKind::DataRequestReceived {
        return Letter {
            subject: format!("{b} recibió tu solicitud sobre tus datos"),
            paragraphs: vec![
                format!("{b} recibió tu solicitud de {right}."),
                format!("La responderá a más tardar el {due}."),
            ],
            details: vec![Detail { label: "Plazo de respuesta", value: due }],
            actions,
            ..Letter::default()
        };
    }
    let lead = if request.status == "refused" {
        format!("{b} respondió tu solicitud de {right}: no puede acogerla, por este motivo:")
    } else {
        format!("{b} respondió tu solicitud de {right}:")
    };
    Letter {
        subject: format!("{b} respondió tu solicitud sobre tus datos"),
        paragraphs: vec![lead],
        note: request.response.clone(),
        actions,
        ..Letter::default()
    }
}
