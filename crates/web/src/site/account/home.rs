//! `GET /reservar/{slug}/mi-cuenta`: the sign-in form for a visitor; for a
//! signed-in client one page of sections (a phone scrolls, the tabs jump):
//! Reservas (upcoming, then past), Por reservar, Notas de atención (only
//! the shared ones: the store's `Viewer::Client` rule) and Mis datos.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ficha_domain::{Booking, BookingRules, BookingState, Viewer};
use ficha_store::{BookingQuery, When};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::super::{SiteError, assets, page_with};
use super::{Account, business_site, requests, sign_in, signed_in};
use crate::AppState;
use crate::panel::booking_words::{Names, attendance_label, payment_label, state_label};
use crate::panel::format::date_time;
use crate::panel::other_values::shown;

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    #[serde(default)]
    aviso: String,
}

/// One booking as Mi cuenta lists it, with the actions still open.
pub struct Row {
    pub id: String,
    pub when: String,
    pub service: String,
    pub professional: String,
    pub state: &'static str,
    pub cancelled: bool,
    pub payment: String,
    pub attendance: &'static str,
    pub pack: String,
    pub confirm: bool,
    pub cancel: bool,
    pub reschedule: bool,
    /// Why an action is no longer offered, or until when it is.
    pub note: String,
}

pub struct SharedNote {
    pub booking: String,
    pub text: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "site/cuenta.html")]
struct CuentaPage {
    css: String,
    business: String,
    home: String,
    base: String,
    csrf: String,
    notice: Option<String>,
    /// A notice about a request just filed: said inside Solicitudes, where
    /// the redirect lands, not at the top of the page.
    request_notice: Option<String>,
    name: String,
    upcoming: Vec<Row>,
    past: Vec<Row>,
    por_reservar: Vec<Row>,
    notes: Vec<SharedNote>,
    data: Vec<(String, String)>,
    online: bool,
    /// "Tu perfil está bloqueado desde dd-mm-aaaa, como lo pediste…"
    blocked: Option<String>,
    /// "Aceptaste su aviso de privacidad (versión n) el …", when a booking
    /// recorded it.
    consent: Option<String>,
    /// What the client receives (ticked) and may turn off here.
    whatsapp: bool,
    reminders: bool,
    rights: Vec<requests::RightChoice>,
    requests: Vec<requests::MyRequest>,
}

fn until(start: Timestamp, hours: u32, zone: &TimeZone) -> String {
    date_time(start.checked_sub(SignedDuration::from_hours(i64::from(hours))).unwrap_or(start), zone)
}

/// The booking's row: each action offered only inside its deadline (the
/// store refuses it outside anyway).
pub fn row(booking: &Booking, names: &Names, rules: &BookingRules, zone: &TimeZone, now: Timestamp) -> Row {
    let live = booking.state != BookingState::Cancelled;
    let start = booking.when.map(|w| w.start());
    let upcoming = start.is_some_and(|s| s > now);
    let confirm = booking.state == BookingState::Pending && start.is_some_and(|s| rules.may_confirm(s, now).is_ok());
    let cancel = live && start.is_some_and(|s| rules.may_cancel(s, now).is_ok());
    let reschedule = live && rules.online && start.is_none_or(|s| rules.may_reschedule(s, now).is_ok());
    let mut notes = Vec::new();
    if let (Some(s), true, true) = (start, live, upcoming) {
        if cancel {
            notes.push(format!("Puedes anular hasta el {}.", until(s, rules.cancel_until_hours, zone)));
        } else {
            notes.push(format!(
                "Ya no se puede anular en línea (hasta {} horas antes). Si no puedes asistir, avisa al negocio.",
                rules.cancel_until_hours
            ));
        }
        if rules.online && !reschedule {
            notes.push(format!(
                "Ya no se puede reagendar en línea (hasta {} horas antes).",
                rules.reschedule_until_hours
            ));
        }
    }
    Row {
        id: booking.id.to_string(),
        when: start.map(|s| date_time(s, zone)).unwrap_or_else(|| "Por reservar".into()),
        service: names.service(booking.service),
        professional: booking.professional.map(|p| names.professional(Some(p))).unwrap_or_default(),
        state: state_label(booking.state),
        cancelled: !live,
        payment: payment_label(&booking.payment),
        attendance: attendance_label(booking.attendance),
        pack: booking.pack.filter(|p| p.of > 1).map(|p| format!("Sesión {} de {}", p.number, p.of)).unwrap_or_default(),
        confirm,
        cancel: cancel && upcoming,
        reschedule: reschedule && (upcoming || start.is_none()),
        note: notes.join(" "),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(params): Query<Params>,
    headers: HeaderMap,
) -> Result<Response, SiteError> {
    let site = business_site(&state, &slug).await?;
    let Some(account) = signed_in(&state, site.clone(), &headers).await? else {
        return sign_in::visitor(&site, &params.aviso);
    };
    let notice = match params.aviso.as_str() {
        "anulada" => Some("Tu reserva quedó anulada.".to_owned()),
        "confirmada" => Some("¡Gracias! Confirmaste tu asistencia.".to_owned()),
        "reagendada" => Some("Tu reserva quedó en su nuevo horario.".to_owned()),
        "datos" => Some("Guardamos tus datos.".to_owned()),
        "correo" => Some("Te enviamos un enlace a tu nuevo correo: tu correo cambia cuando lo abras.".to_owned()),
        "correo-cambiado" => Some("Tu correo quedó cambiado.".to_owned()),
        "contrasena" => Some("Guardamos tu contraseña.".to_owned()),
        "notificaciones" => Some("Guardamos tus preferencias de mensajes.".to_owned()),
        "solicitud" => Some("Recibimos tu solicitud. Te enviamos un correo con el plazo de respuesta.".to_owned()),
        "solicitud-sin-derecho" => Some("Elige qué quieres pedir sobre tus datos: no se envió nada.".to_owned()),
        "solicitud-detalle" => Some(
            "El detalle es demasiado largo o tiene caracteres que no se pueden guardar: no se envió nada.".to_owned(),
        ),
        _ => None,
    };
    // A request's notice is said inside Solicitudes, where the redirect lands.
    let (notice, request_notice) = if params.aviso.starts_with("solicitud") { (None, notice) } else { (notice, None) };
    page_with(StatusCode::OK, &page(&state, &account, notice, request_notice).await?)
}

async fn page(
    state: &AppState,
    account: &Account,
    notice: Option<String>,
    request_notice: Option<String>,
) -> Result<CuentaPage, SiteError> {
    let site = &account.site;
    let (actor, client) = (&account.actor, account.client);
    let profile = state.store.get_client(actor, client).await?;
    let preferences = state.store.client_preferences(&site.actor, client).await?;
    let services = state.store.list_services(&site.actor).await?;
    let staff = state.store.list_staff(&site.actor).await?;
    let names = Names::new(&services, &staff);
    let now = state.clock.now();
    let rows = |bookings: &[Booking]| -> Vec<Row> {
        bookings.iter().map(|b| row(b, &names, &site.rules, &site.zone, now)).collect()
    };
    let upcoming = BookingQuery { when: When::Upcoming, limit: 50, ..BookingQuery::default() };
    let upcoming = state.store.client_bookings(actor, client, &upcoming).await?.bookings;
    let past = BookingQuery { when: When::Past, limit: 20, ..BookingQuery::default() };
    let past = state.store.client_bookings(actor, client, &past).await?.bookings;
    let por_reservar = state.store.por_reservar(actor, client).await?.sessions;
    let viewer = Viewer::Client { business: site.business.id, client };
    let notes = state.store.client_attention_notes(&viewer, client).await?;
    let notes = notes
        .shared
        .iter()
        .map(|n| SharedNote {
            booking: format!(
                "{} · {}",
                n.service_name,
                n.booking_start.map(|s| date_time(s, &site.zone)).unwrap_or_else(|| "Por reservar".into())
            ),
            text: n.note.text.as_str().to_owned(),
            at: date_time(n.note.created_at, &site.zone),
        })
        .collect();
    let none = || "—".to_owned();
    let mut data = vec![
        ("Nombre".to_owned(), profile.name.as_str().to_owned()),
        ("Correo".to_owned(), profile.email.as_str().to_owned()),
        ("Teléfono".to_owned(), profile.phone.as_ref().map(|p| p.display()).unwrap_or_else(none)),
        ("RUT".to_owned(), profile.rut.map(|r| r.display()).unwrap_or_else(none)),
        ("Fecha de nacimiento".to_owned(), profile.birth_date.map(|d| d.display()).unwrap_or_else(none)),
    ];
    let fields = state.store.list_fields(&site.actor, false).await?;
    let values = state.store.custom_values(&site.actor, client).await?;
    for field in fields.iter().filter(|f| f.visible_to_client) {
        let value = values.iter().find(|v| v.field.id == field.id).map(|v| shown(&v.value));
        data.push((field.label.as_str().to_owned(), value.unwrap_or_else(none)));
    }
    Ok(CuentaPage {
        css: assets::css_link(),
        business: site.business.name.clone(),
        home: site.home(),
        base: account.base(),
        csrf: account.csrf.clone(),
        request_notice,
        notice,
        name: profile.name.as_str().to_owned(),
        upcoming: rows(&upcoming),
        past: rows(&past),
        por_reservar: rows(&por_reservar),
        notes,
        data,
        online: site.rules.online,
        blocked: state.store.client_block(actor, client).await?.map(|b| {
            let since = crate::panel::format::date(b.since.to_zoned(site.zone.clone()).date());
            format!(
                "Tu perfil está bloqueado desde el {since}, como lo pediste: tus datos se conservan, pero no se modifican, no te enviamos mensajes y no se agendan reservas nuevas hasta que {} lo desbloquee.",
                site.business.name
            )
        }),
        consent: state
            .store
            .latest_consent(&site.actor, client)
            .await?
            .map(|c| crate::panel::consent_words::client_line(&c, &site.zone)),
        whatsapp: !preferences.no_whatsapp,
        reminders: !preferences.no_reminders,
        rights: requests::rights(),
        requests: requests::of(state, account).await?,
    })
}
