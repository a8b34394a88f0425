//! With no SMTP configured, each message is an `.eml` file named by its id.

use ficha_domain::{NoticeKind, NotificationSettings};
use ficha_notify::Transport;
use ficha_notify::email::EmailTransport;
use mail_parser::MessageParser;

use crate::harness::{MAIL_FROM, PUBLIC_URL, email, facts};

fn eml_files(folder: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("folder exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn one_eml_per_message_id_and_a_resend_overwrites_it() {
    let data = tempfile::tempdir().expect("temp dir");
    let folder = data.path().join("correo");
    let files = EmailTransport::files(&folder, MAIL_FROM, PUBLIC_URL).expect("valid settings");
    assert_eq!(
        files.describe(),
        format!("sin servidor SMTP: cada correo queda como archivo .eml en {}", folder.display())
    );
    let created = email(NoticeKind::BookingCreated, facts());
    let reminder = email(NoticeKind::Reminder, facts());
    let settings = NotificationSettings::default();

    assert_eq!(files.send(&created, &settings).await, Ok(None));
    files.send(&reminder, &settings).await.expect("written");
    files.send(&created, &settings).await.expect("written again");

    let mut expected = vec![format!("{}.eml", created.id), format!("{}.eml", reminder.id)];
    expected.sort();
    assert_eq!(eml_files(&folder), expected, "no duplicate, no leftover partial file");
    let raw = std::fs::read(folder.join(format!("{}.eml", created.id))).expect("the file");
    let mail = MessageParser::default().parse(&raw).expect("a MIME message");
    assert_eq!(mail.subject(), Some("Tu reserva en Clínica Alameda quedó agendada"));
    assert_eq!(mail.message_id().map(str::to_owned), Some(format!("{}@ficha", created.id)));
    assert!(mail.body_text(0).expect("text").contains("Fecha y hora: 10-12-2026 10:00"));
}
