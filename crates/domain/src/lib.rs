//! Ficha's domain: the types every other crate speaks, each with the rules that
//! make a value of it valid. A value of `Rut`, `Email`, `Phone`… exists only if it
//! passed its `parse` constructor, so code that holds one never re-checks it.
//!
//! No I/O, no async, no framework types live here.

pub mod access;
pub mod actor;
pub mod agenda;
pub mod attention_note;
pub mod availability;
pub mod birth_date;
pub mod block;
pub mod booking;
pub mod booking_rules;
pub mod business;
pub mod calendar_feed;
pub mod client;
pub mod client_name;
pub mod clock;
pub mod custom_field;
pub mod custom_value;
pub mod data_request;
pub mod dates;
pub mod decimal;
pub mod email;
pub mod field_error;
pub mod fold;
pub mod history;
pub mod ids;
pub mod note;
pub mod notification;
pub mod one_line;
pub mod phone;
pub mod privacy;
pub mod rut;
pub mod service;
pub mod viewer;

pub use access::{AccessEntry, AccessId, AccessKind, AccessRetention};
pub use actor::{Actor, Role};
pub use agenda::{Agenda, DayHours, TimeRange};
pub use attention_note::{AttentionNote, AttentionNoteId, Visibility};
pub use birth_date::{BirthDate, parse_date};
pub use block::{Block, BlockReason};
pub use booking::{
    Attendance, Booking, BookingRule, BookingState, Interval, Origin, PackPlace, Payment, PaymentMethod, Request,
};
pub use booking_rules::{BookingRules, SiteRule};
pub use business::{Business, NewBusiness, NewStaff, Slug, Staff};
pub use calendar_feed::{CalendarFeed, FeedId, FeedLabel};
pub use client::{Client, ClientChanges, NewClient};
pub use client_name::ClientName;
pub use clock::{Clock, FixedClock, SystemClock};
pub use custom_field::{
    ChoiceOptions, CustomField, CustomFieldChanges, FieldKey, FieldKind, FieldLabel, NewCustomField, OptionsError,
};
pub use custom_value::{CustomValue, RawValue};
pub use data_request::{
    DataRequest, DataRequestId, DataRight, DueDays, Extension, RequestChannel, RequestEvent, RequestStatus,
    RequestStep, StepRefused,
};
pub use decimal::Decimal;
pub use email::Email;
pub use field_error::FieldError;
pub use history::{Change, Deletion, DeletionId, GeneralField, HistoryEntry, HistoryId, MergeRole};
pub use ids::{
    BookingId, BusinessId, ClientId, CustomFieldId, ImportId, MergeId, NotAnId, PackId, ServiceId, StaffId, TokenId,
};
pub use note::{Note, NoteId, NoteText, Who};
pub use notification::{
    BookingFacts, Channel, ChoiceSource, ClientPreferences, DataRequestFacts, Event, Facts, MessageId, MessageStatus,
    NewMessage, NoticeKind, NotificationSettings, Recipient, ReminderLead, Template, WhatsappSettings,
};
pub use phone::Phone;
pub use privacy::{Acceptance, Consent, NoticeText, PrivacyNotice};
pub use rut::Rut;
pub use service::{Clp, Minutes, NewService, Service, ServiceChanges, ServiceName, Sessions};
pub use viewer::Viewer;
