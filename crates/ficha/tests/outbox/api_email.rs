//! A booking made through the API, at the SMTP server within a second.

use super::*;

// ---------------------------------------------------------------- a booking's email

/// A minimal HTTP/1.1 exchange with a JSON body: (status, head, body).
pub(crate) fn http(
    address: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    cookie: Option<&str>,
) -> (u16, String, String) {
    http_typed(address, method, path, body.map(|b| ("application/json", b)), cookie)
}

/// `http` with a body of any media type.
pub(crate) fn http_typed(
    address: &str,
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
    cookie: Option<&str>,
) -> (u16, String, String) {
    let cookie = cookie.map(|cookie| ("Cookie", cookie));
    http_with(address, method, path, body, cookie.as_slice())
}

/// `http_typed` with any request headers (`Authorization`, `If-Match`…).
pub(crate) fn http_with(
    address: &str,
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
    headers: &[(&str, &str)],
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(address).expect("connects");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some((media_type, body)) = body {
        request.push_str(&format!("Content-Type: {media_type}\r\nContent-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body.map_or("", |(_, b)| b));
    stream.write_all(request.as_bytes()).expect("sends");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

pub(crate) fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

pub(crate) fn password_of(banner: &str, email: &str) -> String {
    let line = banner.lines().find(|l| l.contains(email)).expect("login line");
    let after = line.split("contraseña: ").nth(1).expect("password");
    after.split_whitespace().next().expect("password").to_owned()
}

/// The invite attached to an email: the Content-Type's method parameter and
/// the iCalendar read back.
pub(crate) fn invite_of(raw: &[u8]) -> (String, ficha_notify::invite::ParsedInvite) {
    let email = MessageParser::default().parse(raw).expect("a MIME message");
    let attachment = email.attachments().next().expect("an invite attached");
    assert!(attachment.attachment_name().is_some_and(|name| name.ends_with(".ics")), "an .ics attachment");
    let kind = attachment.content_type().expect("typed");
    assert_eq!((kind.ctype(), kind.subtype()), ("text", Some("calendar")));
    let method = kind.attribute("method").expect("a method parameter").to_owned();
    let ics = std::str::from_utf8(attachment.contents()).expect("UTF-8");
    (method, ficha_notify::invite::parse(ics).expect("a valid iCalendar"))
}

/// Waits for the `count`th email to `recipient` at the sink; how long it
/// took after `since` (the API's answer).
pub(crate) fn arrival(sink: &SmtpSink, recipient: &str, count: usize, since: Instant, server: &Ficha) -> Duration {
    match sink.wait_for_recipient(recipient, count, PATIENCE) {
        Ok(at) => at.saturating_duration_since(since),
        Err(got) => panic!("email {count} to {recipient} never arrived (it has {got}); log:\n{}", server.log_text()),
    }
}

/// The client the booking test creates.
pub(crate) const CLIENT: &str = "valentina.prueba@correo.cl";

#[test]
pub(crate) fn a_booking_made_through_the_api_is_at_the_smtp_server_within_a_second_and_so_is_its_cancellation() {
    let test = "a_booking_made_through_the_api_is_at_the_smtp_server_within_a_second_and_so_is_its_cancellation";
    let Some(sink) = SmtpSink::start(test) else { return };
    let folder = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/ficha.db", folder.path().display());
    let args = ["serve", "--demo", "--listen", "127.0.0.1:0", "--smtp-url", &sink.url()];
    let mut server = Ficha::start(&url, &args, folder.path().join("serve.log"));
    let (line, banner) = server.wait_for_line("Ficha escuchando en http://", Duration::from_secs(120));
    let address = line.trim_start_matches("Ficha escuchando en http://").split_whitespace().next().expect("address");
    let mail_line = banner.lines().find(|l| l.starts_with("Correo:")).unwrap_or_default();
    assert!(mail_line.contains(&format!("SMTP 127.0.0.1:{}", sink.port)), "the banner says where mail goes: {banner}");

    let password = password_of(&banner, "carolina@demo.ficha.cl");
    let login = format!(r#"{{"business":"demo","email":"carolina@demo.ficha.cl","password":"{password}"}}"#);
    let (status, head, _) = http(address, "POST", "/api/v1/auth/login", Some(&login), None);
    assert_eq!(status, 200, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned();
    let cookie = Some(cookie.as_str());
    let (_, _, body) = http(address, "GET", "/api/v1/auth/me", None, cookie);
    let me = json(&body);
    let business = me["business"]["name"].as_str().expect("business name").to_owned();
    let zone = me["business"]["time_zone"].as_str().expect("time zone").to_owned();

    let client = format!(r#"{{"name":"Valentina Rojas Prueba","email":"{CLIENT}"}}"#);
    let (status, _, body) = http(address, "POST", "/api/v1/clients", Some(&client), cookie);
    assert_eq!(status, 201, "{body}");
    let client_id = json(&body)["id"].as_str().expect("client id").to_owned();

    // A one-session service someone performs, and its first free slot from
    // three days on (so the reminder is not due yet).
    let (_, _, body) = http(address, "GET", "/api/v1/services", None, cookie);
    let services = json(&body);
    let service = services["items"]
        .as_array()
        .expect("services")
        .iter()
        .find(|s| s["sessions"] == 1 && s["professional_ids"].as_array().is_some_and(|p| !p.is_empty()))
        .expect("a service with a professional")
        .clone();
    let service_id = service["id"].as_str().expect("service id");
    let professional_id = service["professional_ids"][0].as_str().expect("professional id");
    let today = jiff::Zoned::now().in_tz(&zone).expect("the business's zone").date();
    let start = (3..40)
        .find_map(|days| {
            let date = today.checked_add(jiff::Span::new().days(days)).expect("a date");
            let path =
                format!("/api/v1/professionals/{professional_id}/availability?service_id={service_id}&date={date}");
            let (status, _, body) = http(address, "GET", &path, None, cookie);
            assert_eq!(status, 200, "{body}");
            json(&body)["slots"][0]["start"].as_str().map(str::to_owned)
        })
        .expect("a free slot within 40 days");

    // The demo's own messages (its shared attention notes) go out at start
    // too: the client's are told apart by their envelope recipient.
    let booking = format!(
        r#"{{"client_id":"{client_id}","service_id":"{service_id}","professional_id":"{professional_id}","start":"{start}"}}"#
    );
    let (status, _, body) = http(address, "POST", "/api/v1/bookings", Some(&booking), cookie);
    let answered = Instant::now();
    assert_eq!(status, 201, "{body}");
    let booked = json(&body)["items"][0].clone();
    assert_eq!(booked["state"], "pending", "a booking is pending unless told otherwise: {booked}");
    let booking_id = booked["id"].as_str().expect("booking id").to_owned();
    let created_after = arrival(&sink, CLIENT, 1, answered, &server);

    let received = sink.received_by(CLIENT);
    let email = &received[0];
    assert_eq!(email.rcpt_to, [CLIENT]);
    let mail = MessageParser::default().parse(&email.raw).expect("a MIME message");
    let to = mail.to().and_then(|a| a.first()).expect("To");
    assert_eq!((to.name(), to.address()), (Some("Valentina Rojas Prueba"), Some(CLIENT)));
    assert_eq!(mail.subject(), Some(format!("Tu reserva en {business} espera confirmación").as_str()));
    let starts: jiff::Timestamp = booked["start"].as_str().expect("start").parse().expect("RFC 3339 with offset");
    let starts = starts.in_tz(&zone).expect("the business's zone");
    let text = mail.body_text(0).expect("a text body").replace("\r\n", "\n");
    let local = starts.strftime("%d-%m-%Y %H:%M").to_string();
    assert!(text.starts_with("Hola Valentina Rojas Prueba:"), "{text}");
    assert!(text.contains(&format!("Fecha y hora: {local}")), "the time on the business's clock: {text}");
    let (method, request) = invite_of(&email.raw);
    assert_eq!((method.as_str(), request.method.as_str()), ("REQUEST", "REQUEST"));
    assert_eq!(request.uid, format!("{booking_id}@ficha"));
    let utc = starts.timestamp().strftime("%Y%m%dT%H%M%SZ").to_string();
    assert_eq!(request.start_text, utc, "DTSTART in UTC is the booking's start");
    assert_eq!(request.start, starts.timestamp());

    let (status, _, body) = http(address, "POST", &format!("/api/v1/bookings/{booking_id}/cancel"), Some("{}"), cookie);
    let answered = Instant::now();
    assert_eq!(status, 200, "{body}");
    let cancelled_after = arrival(&sink, CLIENT, 2, answered, &server);
    let received = sink.received_by(CLIENT);
    let email = &received[1];
    assert_eq!(email.rcpt_to, [CLIENT]);
    let mail = MessageParser::default().parse(&email.raw).expect("a MIME message");
    assert_eq!(mail.subject(), Some(format!("Tu reserva en {business} fue cancelada").as_str()));
    let (method, cancel) = invite_of(&email.raw);
    assert_eq!((method.as_str(), cancel.method.as_str()), ("CANCEL", "CANCEL"));
    assert_eq!(cancel.uid, request.uid, "the same event");
    assert!(cancel.sequence > request.sequence, "newer than the request: {} > {}", cancel.sequence, request.sequence);
    assert_eq!(cancel.start_text, utc);

    let figures = format!(
        "a booking's email at the SMTP server {} ms after the 201, its cancellation {} ms after the 200",
        created_after.as_millis(),
        cancelled_after.as_millis()
    );
    let _ = std::io::stderr().write_all(format!("{figures}\n").as_bytes());
    assert!(created_after < PROMPT, "{figures}");
    assert!(cancelled_after < PROMPT, "{figures}");
    assert!(server.stop(Duration::from_secs(20)).success(), "{}", server.log_text());
}
