//! "Otros datos": the business's own fields and each client's values.

use async_trait::async_trait;

#[async_trait]
pub trait CustomFieldStore: Send + Sync {}
