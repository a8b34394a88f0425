//! The contract suite: what every backend must do, written once. A backend's
//! `tests/contract.rs` provides a fresh, empty store per test and expands
//! `contract_suite!` to get one `#[tokio::test]` per case below.

mod access_log;
mod accounts;
mod attention_notes;
mod blocks;
mod booking_site;
mod bookings;
mod calendar_feeds;
mod client_accounts;
mod clients;
mod consent;
mod custom_fields;
mod data_requests;
mod duplicates;
mod history;
mod import;
mod import_notes;
mod imports;
mod listing;
mod login_throttle;
mod merge_permission;
mod merges;
mod notes;
mod outbox;
mod outbox_worker;
mod request_limits;
mod search;
mod several;
mod tenancy;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use ficha_domain::{Actor, ClientName, Email, FixedClock, NewBusiness, NewClient, Slug};
use jiff::Timestamp;

pub use access_log::*;
pub use accounts::*;
pub use attention_notes::*;
pub use blocks::*;
pub use booking_site::*;
pub use bookings::*;
pub use calendar_feeds::*;
pub use client_accounts::*;
pub use clients::*;
pub use consent::*;
pub use custom_fields::*;
pub use data_requests::*;
pub use duplicates::*;
pub use history::*;
pub use import::*;
pub use import_notes::*;
pub use imports::*;
pub use listing::*;
pub use login_throttle::*;
pub use merge_permission::*;
pub use merges::*;
pub use notes::*;
pub use outbox::*;
pub use outbox_worker::*;
pub use request_limits::*;
pub use search::*;
pub use several::*;
pub use tenancy::*;

use crate::Store;

type Teardown = Pin<Box<dyn Future<Output = ()> + Send>>;
/// Runs one SQL statement on the test's database, beside the store.
pub type RawSql = Arc<dyn Fn(&'static str) -> Teardown + Send + Sync>;

/// A fresh store for one test, with the clock it was built with.
pub struct Harness {
    pub store: Arc<dyn Store>,
    pub clock: Arc<FixedClock>,
    teardown: Option<Teardown>,
    raw: Option<RawSql>,
}

impl Harness {
    pub fn new(store: Arc<dyn Store>, clock: Arc<FixedClock>) -> Self {
        Self { store, clock, teardown: None, raw: None }
    }

    /// A way to write rows the store would refuse today, as an older
    /// version let them in (the SQL must read the same on both backends).
    pub fn with_raw_sql(mut self, raw: RawSql) -> Self {
        self.raw = Some(raw);
        self
    }

    /// Writes as an older version did; see `with_raw_sql`.
    pub(crate) async fn legacy_write(&self, sql: &'static str) {
        let raw = self.raw.as_ref().expect("this backend's harness runs raw SQL");
        raw(sql).await;
    }

    /// Work to do once the test passed, such as dropping its database.
    pub fn with_teardown(mut self, teardown: impl Future<Output = ()> + Send + 'static) -> Self {
        self.teardown = Some(Box::pin(teardown));
        self
    }

    pub async fn finish(self) {
        self.store.close().await;
        if let Some(teardown) = self.teardown {
            teardown.await;
        }
    }
}

/// The moment every harness clock starts at: 2026-03-14 12:00 UTC.
pub fn start_time() -> Timestamp {
    Timestamp::from_second(1_773_489_600).expect("valid timestamp")
}

pub(crate) async fn business(h: &Harness, slug: &str) -> Actor {
    let business = h
        .store
        .create_business(NewBusiness {
            slug: Slug::parse(slug).expect("valid slug"),
            name: format!("Negocio {slug}"),
            time_zone: "America/Santiago".into(),
        })
        .await
        .expect("business created");
    Actor::System { business: business.id }
}

pub(crate) fn new_client(name: &str, email: &str) -> NewClient {
    NewClient {
        name: ClientName::parse(name).expect("valid name"),
        email: Email::parse(email).expect("valid email"),
        phone: None,
        rut: None,
        birth_date: None,
    }
}

/// Expands to one test per contract case. `$fresh` is an async function
/// returning `Option<Harness>` (`None` when the backend is not reachable and the
/// run may skip it). Each area lists its cases in its own macro.
#[macro_export]
macro_rules! contract_suite {
    ($fresh:path) => {
        $crate::registry_contract!($fresh);
        $crate::custom_fields_contract!($fresh);
        $crate::search_contract!($fresh);
        $crate::import_contract!($fresh);
        $crate::imports_contract!($fresh);
        $crate::bookings_contract!($fresh);
        $crate::booking_site_contract!($fresh);
        $crate::consent_contract!($fresh);
        $crate::client_accounts_contract!($fresh);
        $crate::notes_contract!($fresh);
        $crate::history_contract!($fresh);
        $crate::attention_notes_contract!($fresh);
        $crate::outbox_contract!($fresh);
        $crate::blocks_contract!($fresh);
        $crate::data_requests_contract!($fresh);
        $crate::access_log_contract!($fresh);
        $crate::calendar_feeds_contract!($fresh);
        $crate::duplicates_contract!($fresh);
        $crate::merges_contract!($fresh);
        $crate::merge_permission_contract!($fresh);
    };
    (@cases $fresh:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let Some(harness) = $fresh().await else { return };
                $crate::contract::$case(&harness).await;
                harness.finish().await;
            }
        )*
    };
}

/// The client registry, accounts and tenancy.
#[macro_export]
macro_rules! registry_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            create_then_read_returns_what_was_stored,
            duplicate_email_is_refused_and_names_the_holder,
            same_email_in_another_business_is_fine,
            update_changes_fields_and_bumps_version,
            update_can_clear_optional_fields,
            stale_update_changes_nothing,
            update_to_a_taken_email_is_refused,
            update_of_missing_client_is_not_found,
            delete_frees_the_email_and_a_new_profile_starts_empty,
            delete_of_missing_client_is_not_found,
            another_business_cannot_reach_a_client_by_id,
            listing_is_scoped_to_the_business,
            every_sort_pages_through_all_clients_once,
            name_sort_ignores_accents_and_case,
            last_booking_sort_puts_never_booked_last,
            staff_login_credentials_are_found_by_slug_and_email,
            staff_email_is_unique_per_business,
            business_slug_is_unique,
            sessions_expire_and_can_be_deleted,
            a_new_password_and_signing_out_everywhere_end_the_accounts_sessions,
            login_failures_count_up_per_key_and_clear,
            old_login_failures_are_forgotten,
            concurrent_login_failures_all_count,
            requests_count_per_key_within_their_window,
            concurrent_requests_all_count,
            api_tokens_act_for_their_business_until_revoked
        );
    };
}

/// Bulk registration.
#[macro_export]
macro_rules! import_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            import_registers_every_client_searchable_and_settles,
            import_with_a_taken_email_names_the_holder_and_writes_nothing,
            import_repeating_an_email_writes_nothing
        );
    };
}

/// Importing clients from a file: line outcomes, dry runs, batches, undo.
#[macro_export]
macro_rules! imports_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;
            import_lines_are_created_updated_unchanged_or_refused,
            a_later_line_updates_the_profile_an_earlier_line_of_its_chunk_created,
            skipping_existing_profiles_leaves_them_as_they_are,
            a_dry_run_reports_what_the_import_does_and_changes_nothing,
            undoing_a_batch_removes_what_it_created_and_restores_what_it_updated,
            undo_is_refused_when_a_profile_changed_since,
            imports_are_the_owners_and_their_business,
            an_archived_field_refuses_its_value_by_the_fields_key,
            a_staged_file_waits_in_the_database_until_its_import_starts,
            an_imported_note_is_added_once_and_the_history_names_the_batch,
            skipping_existing_profiles_adds_no_note,
            a_dry_run_reports_a_note_and_adds_none,
            a_refused_note_refuses_its_line_by_its_column,
            undoing_a_batch_removes_its_notes_and_the_profiles_it_created,
            undo_is_refused_when_a_note_of_the_batch_was_edited,
        );
    };
}
