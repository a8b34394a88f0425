//! The JSON API, driven in-process through the router with a fresh SQLite
//! database per test. One test binary for the crate keeps link time down.

mod access_log;
mod attention_notes;
mod auth;
mod bookings;
mod clients;
mod custom_fields;
mod data_requests;
mod duplicates;
mod errors;
mod hardening;
mod helpers;
mod lockout;
mod mi_cuenta;
mod notes;
mod notifications;
mod openapi;
mod panel;
mod panel_agendar;
mod panel_attention;
mod panel_bookings;
mod panel_calendar;
mod panel_data_requests;
mod panel_duplicates;
mod panel_notes;
mod panel_notifications;
mod panel_pages;
mod panel_privacy;
mod panel_profile;
mod privacy;
mod public;
mod search;
mod site;
mod site_privacy;
mod site_week;
mod webhooks;
