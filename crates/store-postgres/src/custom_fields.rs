//! Custom fields ("Otros datos") on postgres.

use async_trait::async_trait;
use ficha_store::CustomFieldStore;

use crate::PgStore;

#[async_trait]
impl CustomFieldStore for PgStore {}
