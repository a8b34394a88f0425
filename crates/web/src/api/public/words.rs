//! What the public API says when the business's booking-site rules refuse
//! something: the site's own Spanish sentence as the detail, and its
//! English twin.

use axum::http::StatusCode;
use ficha_domain::SiteRule;

use crate::i18n::Lang;

/// A slot someone else took and a passed deadline conflict with the state
/// of things (409); a time outside the rules is a request to fix (422).
pub fn site_rule_status(rule: SiteRule) -> StatusCode {
    match rule {
        SiteRule::SlotTaken
        | SiteRule::CancelDeadline
        | SiteRule::RescheduleDeadline
        | SiteRule::ConfirmDeadline
        | SiteRule::NoticeOutdated => StatusCode::CONFLICT,
        SiteRule::Closed | SiteRule::NotBookable | SiteRule::TooSoon | SiteRule::TooFar => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

pub fn site_rule_title(rule: SiteRule) -> (&'static str, &'static str) {
    match rule {
        SiteRule::Closed => ("El negocio no recibe reservas en línea.", "The business does not take bookings online."),
        SiteRule::NotBookable => {
            ("Este servicio no se puede reservar en línea.", "This service cannot be booked online.")
        }
        SiteRule::TooSoon => ("Falta muy poco para ese horario.", "That time is too soon."),
        SiteRule::TooFar => ("Ese horario está demasiado adelante.", "That time is too far ahead."),
        SiteRule::SlotTaken => ("El horario ya no está disponible.", "The slot is no longer free."),
        SiteRule::CancelDeadline => ("Ya pasó el plazo para anular.", "The deadline to cancel has passed."),
        SiteRule::RescheduleDeadline => ("Ya pasó el plazo para reagendar.", "The deadline to reschedule has passed."),
        SiteRule::ConfirmDeadline => {
            ("Ya pasó el plazo para confirmar la asistencia.", "The deadline to confirm attendance has passed.")
        }
        SiteRule::NoticeOutdated => ("El aviso de privacidad cambió.", "The privacy notice has changed."),
    }
}

pub fn site_rule_detail(rule: SiteRule, lang: Lang) -> String {
    let english = match rule {
        SiteRule::Closed | SiteRule::NotBookable => "This service cannot be booked online.",
        SiteRule::TooSoon => "That time can no longer be booked: it is too soon. Choose another time.",
        SiteRule::TooFar => "That time is too far ahead in the calendar. Choose another time.",
        SiteRule::SlotTaken => "Someone has just taken that time. Choose another time.",
        SiteRule::CancelDeadline => "The deadline to cancel this booking online has passed. Contact the business.",
        SiteRule::RescheduleDeadline => {
            "The deadline to reschedule this booking online has passed. Contact the business."
        }
        SiteRule::ConfirmDeadline => "The deadline to confirm your attendance online has passed. Contact the business.",
        SiteRule::NoticeOutdated => {
            "The privacy notice changed while you were booking. Read it again and accept it to book."
        }
    };
    lang.pick(rule.spanish(), english).to_owned()
}
