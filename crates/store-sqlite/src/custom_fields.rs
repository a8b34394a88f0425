//! Custom fields ("Otros datos") on sqlite.

use async_trait::async_trait;
use ficha_store::CustomFieldStore;

use crate::SqliteStore;

#[async_trait]
impl CustomFieldStore for SqliteStore {}
