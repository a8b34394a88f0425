//! Rendering search tiers as FTS5 MATCH expressions.
//!
//! Tokens hold only letters and digits and are always double-quoted, so
//! nothing a user types is read as FTS5 syntax.

use std::collections::HashSet;

use ficha_domain::BusinessId;
use ficha_store::search::{Tier, tenant_token};
use ficha_store::{StoreError, StoreResult};
use sqlx::SqliteConnection;

/// Which of `candidates` (a query's typo candidates) are words of the
/// business's names.
pub async fn known_words(
    conn: &mut SqliteConnection,
    business: BusinessId,
    candidates: &[String],
) -> StoreResult<HashSet<String>> {
    // Candidates are ASCII letters only: a JSON array needs no escaping.
    let list = format!("[\"{}\"]", candidates.join("\",\""));
    let known: Vec<String> = sqlx::query_scalar(
        "SELECT term FROM search_terms WHERE tenant = ?1 AND term IN (SELECT value FROM json_each(?2))",
    )
    .bind(tenant_token(business))
    .bind(list)
    .fetch_all(conn)
    .await
    .map_err(StoreError::backend)?;
    Ok(known.into_iter().collect())
}

/// `{name other}:(("ana") AND ("gonz"* OR "gonzalez"))`, preceded by
/// `tenant:"t…" AND` when scoped to a business.
pub fn render(business: Option<BusinessId>, tier: &Tier) -> String {
    let groups: Vec<String> = tier
        .iter()
        .map(|group| {
            let tokens: Vec<String> = group
                .iter()
                .map(|t| if t.prefix { format!("\"{}\"*", t.text) } else { format!("\"{}\"", t.text) })
                .collect();
            format!("({})", tokens.join(" OR "))
        })
        .collect();
    let terms = format!("{{name other}}:({})", groups.join(" AND "));
    match business {
        Some(business) => format!("tenant:\"{}\" AND {terms}", tenant_token(business)),
        None => terms,
    }
}
