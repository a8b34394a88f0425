//! Client search on PostgreSQL: a search entry (a tsvector, on the client's
//! own row) kept current inside the transaction of every write that changes
//! what a client can be found by, and the btree of its words
//! (`search_words`, kept by triggers on `clients`, migration 0030) that a
//! query reads as ranges.

use std::collections::HashSet;

use async_trait::async_trait;
use ficha_domain::{Actor, BusinessId, ClientId};
use ficha_store::search::{self, Candidate, SearchDocument, SearchQuery, SearchSource, TIER_WINDOW, Tier, Token};
use ficha_store::{SearchPage, SearchStore, StoreError, StoreResult};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::PgStore;
use crate::clients::{HOLD_CLIENT, hold, record};

/// Rebuilds the search entry of one client from its stored data. Call it in
/// the writing transaction, after the client's rows are written.
pub(crate) async fn refresh(conn: &mut PgConnection, business: BusinessId, client: ClientId) -> StoreResult<()> {
    let held = hold(conn, HOLD_CLIENT, business, client).await?;
    let document = SearchDocument::new(business, &held.client, &held.custom);
    rewrite(conn, business, client, None, document).await
}

/// Writes a client's entry `after` onto its row over the one it had
/// (`before`, when the writer knows it; else the stored one is compared),
/// in one statement, skipping what did not change: the whole entry when it
/// is the same (a birth date, a value that is not searched) — the update
/// would leave a dead version of the row, and its trigger would rewrite
/// every word row of the client for nothing — and the typo vocabulary when
/// the name is.
pub(crate) async fn rewrite(
    conn: &mut PgConnection,
    business: BusinessId,
    client: ClientId,
    before: Option<&SearchDocument>,
    after: SearchDocument,
) -> StoreResult<()> {
    if before == Some(&after) {
        return Ok(());
    }
    let new_terms = match before {
        Some(before) if before.name == after.name => Vec::new(),
        _ => after.typo_targets(),
    };
    sqlx::query(
        "WITH entry AS (UPDATE clients SET search_doc = array_to_tsvector($3) \
           WHERE business_id = $2 AND id = $1 AND search_doc IS DISTINCT FROM array_to_tsvector($3)) \
         INSERT INTO search_terms (business_id, term) SELECT $2, unnest($4::text[]) ON CONFLICT DO NOTHING",
    )
    .bind(client.as_uuid())
    .bind(business.as_uuid())
    .bind(entry_words(&after))
    .bind(new_terms)
    .execute(&mut *conn)
    .await
    .map(drop)
    .map_err(StoreError::backend)
}

/// Indexes the clients waiting in `client_search_pending` (those that existed
/// before search did), a batch per transaction.
pub(crate) async fn index_pending(store: &PgStore) -> StoreResult<()> {
    loop {
        let mut tx = store.pool.begin().await.map_err(StoreError::backend)?;
        let rows = sqlx::query(
            "SELECT p.client_id, p.business_id FROM client_search_pending p \
             JOIN clients c ON c.business_id = p.business_id AND c.id = p.client_id \
             LIMIT 1000 FOR UPDATE OF p SKIP LOCKED",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::backend)?;
        if rows.is_empty() {
            // Entries whose client was deleted meanwhile.
            sqlx::query(
                "DELETE FROM client_search_pending p WHERE NOT EXISTS \
                 (SELECT 1 FROM clients c WHERE c.business_id = p.business_id AND c.id = p.client_id)",
            )
            .execute(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
            return tx.commit().await.map_err(StoreError::backend);
        }
        for row in rows {
            let client: Uuid = row.try_get(0).map_err(StoreError::backend)?;
            let business = BusinessId::from_uuid(row.try_get(1).map_err(StoreError::backend)?);
            refresh(&mut tx, business, ClientId::from_uuid(client)).await?;
            sqlx::query("DELETE FROM client_search_pending WHERE business_id = $1 AND client_id = $2")
                .bind(business.as_uuid())
                .bind(client)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::backend)?;
        }
        tx.commit().await.map_err(StoreError::backend)?;
    }
}

/// Which of `candidates` (a query's typo candidates) are words of the
/// business's names.
async fn known_words(
    conn: &mut PgConnection,
    business: BusinessId,
    candidates: Vec<String>,
) -> StoreResult<HashSet<String>> {
    let known: Vec<String> =
        sqlx::query_scalar("SELECT term FROM search_terms WHERE business_id = $1 AND term = ANY($2)")
            .bind(business.as_uuid())
            .bind(candidates)
            .fetch_all(conn)
            .await
            .map_err(StoreError::backend)?;
    Ok(known.into_iter().collect())
}

/// The words a group stands for, as ranges `[lo, hi)` of `search_words.word`
/// (byte order): a whole token is the range holding only itself, a prefix
/// the range of every word that begins with it. Tokens hold only ASCII
/// letters and digits, which sort above U+0001 and below U+10FFFF.
fn word_ranges(group: &[Token]) -> (Vec<String>, Vec<String>) {
    group
        .iter()
        .map(|token| {
            let end = if token.prefix { '\u{10FFFF}' } else { '\u{1}' };
            (token.text.clone(), format!("{}{end}", token.text))
        })
        .unzip()
}

/// `( 'ana' ) & ( 'gonz':* | 'gonzalez' )`: the groups a candidate must
/// also match. Tokens hold only letters and digits, so single quotes need no
/// escaping; the text is cast to tsquery as is, never parsed by a
/// text-search configuration.
fn render(groups: &[&Vec<Token>]) -> String {
    let rendered: Vec<String> = groups
        .iter()
        .map(|group| {
            let tokens: Vec<String> = group
                .iter()
                .map(|t| if t.prefix { format!("'{}':*", t.text) } else { format!("'{}'", t.text) })
                .collect();
            format!("( {} )", tokens.join(" | "))
        })
        .collect();
    rendered.join(" & ")
}

/// What the other groups of a tier require of an entry's signature: for
/// each group, the start its tokens share (all of `gonzales`' one-typo
/// neighbours begin with `gonza`), whose bits every matching entry has
/// (`search_word_sig_a`, `_b`, migration 0030). A group whose tokens share
/// no first letter (a number: its digits, phone tail and RUT) asks nothing.
fn signature_words(groups: &[&Vec<Token>]) -> Vec<String> {
    groups
        .iter()
        .filter_map(|group| {
            let (first, rest) = group.split_first()?;
            let shared = rest.iter().fold(first.text.len(), |len, token| {
                first.text.bytes().zip(token.text.bytes()).take(len).take_while(|(a, b)| a == b).count()
            });
            let start = first.text.get(..shared)?;
            (!start.is_empty()).then(|| start.to_owned())
        })
        .collect()
}

/// The words of a client's entry as PostgreSQL stores them: without the
/// business's tenant token, which its per-business index has no use for.
pub(crate) fn entry_words(document: &SearchDocument) -> Vec<String> {
    let mut words = document.tokens();
    words.retain(|word| *word != document.tenant);
    words
}

#[async_trait]
impl SearchStore for PgStore {
    async fn search_clients(
        &self,
        actor: &Actor,
        query: &SearchQuery,
        offset: u32,
        limit: u32,
    ) -> StoreResult<SearchPage> {
        let business = actor.business();
        let mut conn = self.pool.acquire().await.map_err(StoreError::backend)?;
        let hidden = crate::blocks::hidden_from(&mut conn, actor).await?;
        let ranking = search::rank(&mut Source { conn: &mut conn, business }, query, offset, limit, hidden).await?;
        let (ids, next_offset) = ranking.page(offset, limit);
        let uuids: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
        let clients = sqlx::query(
            "SELECT id, name, email, phone, rut, birth_date::text AS birth_date, last_booking_at, registered_at, version \
             FROM clients c WHERE business_id = $1 AND id = ANY($2) \
             AND ($3 OR NOT EXISTS (SELECT 1 FROM client_blocks b WHERE b.business_id = $1 AND b.client_id = c.id))",
        )
        .bind(business.as_uuid())
        .bind(&uuids)
        // Blocked profiles are found by owners only.
        .bind(ficha_store::blocks::flow::lists_blocked(actor))
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::backend)?
        .iter()
        .map(|row| record(row).map_err(StoreError::backend)?.into_client())
        .collect::<StoreResult<Vec<_>>>()?;
        let custom = custom_texts(&mut conn, business, &uuids, false).await?;
        Ok(SearchPage { hits: search::assemble(query, ids, clients, &custom), next_offset })
    }

    async fn scan_clients(&self, actor: &Actor, text: &str, limit: u32) -> StoreResult<Vec<ClientId>> {
        let pattern = format!("%{}%", text.replace(['%', '_'], ""));
        let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT id FROM clients WHERE business_id = $1 AND (name LIKE $2 OR email LIKE $2 \
             OR phone LIKE $2 OR rut LIKE $2) LIMIT $3",
        )
        .bind(actor.business().as_uuid())
        .bind(pattern)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        Ok(ids.into_iter().map(ClientId::from_uuid).collect())
    }
}

/// Groups are counted up to this many words: enough to tell a rare group
/// (which then drives the scan) from a common one, for about a millisecond.
const COUNT_CAP: i64 = 5_000;

/// A search's queries on one connection, for one business.
struct Source<'a> {
    conn: &'a mut PgConnection,
    business: BusinessId,
}

#[async_trait]
impl SearchSource for Source<'_> {
    async fn known_words(&mut self, words: Vec<String>) -> StoreResult<HashSet<String>> {
        known_words(self.conn, self.business, words).await
    }

    async fn tier(&mut self, tier: &Tier) -> StoreResult<Vec<Candidate>> {
        tier_candidates(self.conn, self.business, tier).await
    }

    async fn names_starting(&mut self, start: &str, end: &str) -> StoreResult<Vec<Candidate>> {
        let rows = sqlx::query(
            "SELECT id, last_booking_at, registered_at, name_key, email_key FROM clients \
             WHERE business_id = $1 AND name_key >= $2 AND name_key < $3 ORDER BY name_key LIMIT $4",
        )
        .bind(self.business.as_uuid())
        .bind(start)
        .bind(end)
        .bind(i64::from(TIER_WINDOW))
        .fetch_all(&mut *self.conn)
        .await
        .map_err(StoreError::backend)?;
        rows.iter().map(candidate).collect::<Result<_, sqlx::Error>>().map_err(StoreError::backend)
    }

    async fn custom_texts(&mut self, ids: &[ClientId]) -> StoreResult<Vec<(ClientId, String, String)>> {
        let uuids: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
        custom_texts(self.conn, self.business, &uuids, true).await
    }
}

/// A candidate from a row of (id, last_booking_at, registered_at, name_key,
/// email_key).
fn candidate(row: &PgRow) -> Result<Candidate, sqlx::Error> {
    Ok(Candidate {
        id: ClientId::from_uuid(row.try_get(0)?),
        last_booking_at: row.try_get(1)?,
        registered_at: row.try_get(2)?,
        name_key: row.try_get(3)?,
        email_key: row.try_get(4)?,
    })
}

/// The business's clients among the first `TIER_WINDOW` entries matching
/// `tier`.
///
/// One group drives: its words are read in index order, and each entry is
/// checked against the other groups (its signature on the index tuple, then
/// the entry on the client's row, which is read anyway), until the window
/// is full. The driver is the group with the fewest words, so a rare word
/// (`zuniga`) is read whole in a few hundred rows, and a common pair
/// (`maria ga`) fills the window early. A group that matches nothing
/// answers the tier at once.
async fn tier_candidates(conn: &mut PgConnection, business: BusinessId, tier: &Tier) -> StoreResult<Vec<Candidate>> {
    let sizes = group_sizes(conn, business, tier).await?;
    let Some((driver, &fewest)) = sizes.iter().enumerate().min_by_key(|(_, size)| **size) else {
        return Ok(Vec::new());
    };
    if fewest == 0 {
        return Ok(Vec::new());
    }
    let (lo, hi) = word_ranges(&tier[driver]);
    let others: Vec<&Vec<Token>> = tier.iter().enumerate().filter(|(i, _)| *i != driver).map(|(_, g)| g).collect();
    // A prefix driver often meets one client twice (`ma`: María Martínez),
    // so it reads twice the window; a checked scan, the costly kind, reads
    // the window's worth of entries that pass.
    let window = i64::from(TIER_WINDOW);
    let statement = if others.is_empty() {
        sqlx::query(DRIVEN).bind(business.as_uuid()).bind(lo).bind(hi).bind(window * 2)
    } else {
        sqlx::query(DRIVEN_AND_CHECKED)
            .bind(business.as_uuid())
            .bind(lo)
            .bind(hi)
            .bind(window)
            .bind(render(&others))
            .bind(signature_words(&others))
    };
    let rows = statement.fetch_all(&mut *conn).await.map_err(StoreError::backend)?;
    // A client with two words in the driver's ranges (`ma`: María
    // Martínez) comes once, where it came first.
    let mut seen = HashSet::new();
    let mut candidates = Vec::new();
    for row in &rows {
        let found = candidate(row).map_err(StoreError::backend)?;
        if seen.insert(found.id) {
            candidates.push(found);
        }
    }
    candidates.truncate(TIER_WINDOW as usize);
    Ok(candidates)
}

/// The clients of the first `$4` index entries in the driver's ranges.
const DRIVEN: &str = "SELECT c.id, c.last_booking_at, c.registered_at, c.name_key, c.email_key \
     FROM unnest($2::text[], $3::text[]) AS r(lo, hi) \
     CROSS JOIN LATERAL (SELECT entry_no FROM search_words w \
       WHERE w.business_id = $1 AND w.word >= r.lo AND w.word < r.hi LIMIT $4) w \
     JOIN clients c ON c.business_id = $1 AND c.search_no = w.entry_no \
     LIMIT $4";

/// As `DRIVEN`, keeping only entries that also match `$5`: an entry whose
/// signature lacks a bit of `$6`'s words cannot, and is passed over on the
/// index tuple; the others are checked exactly on the client's row as it
/// is read.
const DRIVEN_AND_CHECKED: &str = "SELECT x.id, x.last_booking_at, x.registered_at, x.name_key, x.email_key \
     FROM (SELECT coalesce(bit_or(search_word_sig_a(t)), 0) AS a, \
             coalesce(bit_or(search_word_sig_b(t)), 0) AS b FROM unnest($6::text[]) AS t) m \
     CROSS JOIN unnest($2::text[], $3::text[]) AS r(lo, hi) \
     CROSS JOIN LATERAL (SELECT c.id, c.last_booking_at, c.registered_at, c.name_key, c.email_key \
       FROM search_words w JOIN clients c ON c.business_id = $1 AND c.search_no = w.entry_no \
       WHERE w.business_id = $1 AND w.word >= r.lo AND w.word < r.hi \
       AND w.sig_a & m.a = m.a AND w.sig_b & m.b = m.b AND c.search_doc @@ $5::tsquery LIMIT $4) x \
     LIMIT $4";

/// How many words each group of `tier` stands for, counted up to `COUNT_CAP`
/// per token: one statement for all groups.
async fn group_sizes(conn: &mut PgConnection, business: BusinessId, tier: &Tier) -> StoreResult<Vec<i64>> {
    if tier.len() < 2 {
        // A lone group drives whatever its size; only emptiness matters,
        // and the scan itself finds that out.
        return Ok(vec![1; tier.len()]);
    }
    let (mut groups, mut los, mut his) = (Vec::new(), Vec::new(), Vec::new());
    for (i, group) in tier.iter().enumerate() {
        let (lo, hi) = word_ranges(group);
        groups.extend(std::iter::repeat_n(i as i32, lo.len()));
        los.extend(lo);
        his.extend(hi);
    }
    let rows = sqlx::query(
        "SELECT r.g, (SELECT count(*) FROM (SELECT 1 FROM search_words w \
           WHERE w.business_id = $1 AND w.word >= r.lo AND w.word < r.hi LIMIT $5) x) \
         FROM unnest($2::int4[], $3::text[], $4::text[]) AS r(g, lo, hi)",
    )
    .bind(business.as_uuid())
    .bind(groups)
    .bind(los)
    .bind(his)
    .bind(COUNT_CAP)
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::backend)?;
    let mut sizes = vec![0_i64; tier.len()];
    for row in rows {
        let (group, count): (i32, i64) =
            (row.try_get(0).map_err(StoreError::backend)?, row.try_get(1).map_err(StoreError::backend)?);
        if let Some(size) = usize::try_from(group).ok().and_then(|g| sizes.get_mut(g)) {
            *size += count;
        }
    }
    Ok(sizes)
}

/// The custom values of the listed clients, with their fields' labels.
/// Sensitive fields' values rank a result but are never told as what
/// matched (`with_sensitive` false for "what matched").
async fn custom_texts(
    conn: &mut PgConnection,
    business: BusinessId,
    ids: &[Uuid],
    with_sensitive: bool,
) -> StoreResult<Vec<(ClientId, String, String)>> {
    let rows = sqlx::query(
        "SELECT v.client_id, f.label, v.search_text FROM client_custom_values v \
         JOIN custom_fields f ON f.business_id = v.business_id AND f.id = v.field_id \
         WHERE v.business_id = $1 AND v.client_id = ANY($2) AND ($3 OR NOT f.sensitive) ORDER BY f.position",
    )
    .bind(business.as_uuid())
    .bind(ids)
    .bind(with_sensitive)
    .fetch_all(conn)
    .await
    .map_err(StoreError::backend)?;
    rows.iter()
        .map(|row| Ok((ClientId::from_uuid(row.try_get(0)?), row.try_get(1)?, row.try_get(2)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(tokens: &[(&str, bool)]) -> Vec<Token> {
        tokens.iter().map(|(text, prefix)| Token { text: (*text).to_owned(), prefix: *prefix }).collect()
    }

    #[test]
    fn a_group_asks_the_signature_for_the_start_its_tokens_share() {
        let word = group(&[("maria", false)]);
        let prefix = group(&[("gonz", true)]);
        let typo = group(&[("gonzales", false), ("gonzalez", false), ("gonzalos", false)]);
        assert_eq!(signature_words(&[&word, &prefix, &typo]), ["maria", "gonz", "gonzal"]);
    }

    #[test]
    fn a_letter_is_asked_and_a_group_sharing_no_start_asks_nothing() {
        let letter = group(&[("g", true)]);
        let number = group(&[("4567", true), ("pt7654", true), ("rut4567", true)]);
        let apart = group(&[("sotp", false), ("roto", false)]);
        assert_eq!(signature_words(&[&letter, &number, &apart]), ["g"]);
    }
}
