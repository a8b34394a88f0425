//! From key groups to scored pairs: pure, so both backends agree. Pairs
//! are made from ids and stored name keys only; the page's clients are read
//! afterwards, so counting or listing never loads every candidate profile.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ficha_domain::fold::name_key;
use ficha_domain::{Client, ClientId};

use crate::search::within_one_edit;

/// A key shared by more clients than this (a placeholder phone such as
/// +56 9 0000 0000 typed for everyone) says nothing about any two of them:
/// the group is skipped, so it cannot explode into thousands of pairs.
pub const GROUP_CAP: usize = 50;

/// The scores add up to this at most.
pub const SCORE_CAP: u32 = 100;

/// What a key of `client_match_keys` is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    Rut,
    Phone,
    BirthDate,
    /// The value of a custom field the business marks as identifying.
    Field,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rut => "rut",
            Self::Phone => "phone",
            Self::BirthDate => "birth_date",
            Self::Field => "field",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Rut, Self::Phone, Self::BirthDate, Self::Field].into_iter().find(|k| k.as_str() == text)
    }

    /// Whether sharing the key says something only with a very similar
    /// name (many people are born on one day; a field value may be short).
    fn needs_similar_names(self) -> bool {
        matches!(self, Self::BirthDate | Self::Field)
    }

    /// A kind as a backend stored it; anything else is a broken row.
    pub fn stored(text: &str) -> crate::StoreResult<Self> {
        Self::parse(text)
            .ok_or_else(|| crate::StoreError::backend(std::io::Error::other(format!("match key kind {text}"))))
    }

    /// What sharing a key of this kind says (a birth date or a field's
    /// value is shared as a link only with a very similar name).
    pub fn reason(self) -> Reason {
        match self {
            Self::Rut => Reason::SameRut,
            Self::Phone => Reason::SamePhone,
            Self::BirthDate => Reason::BirthDateAndName,
            Self::Field => Reason::IdentifyingFieldAndName,
        }
    }
}

/// Why two profiles may be one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    SameRut,
    SamePhone,
    BirthDateAndName,
    IdentifyingFieldAndName,
}

impl Reason {
    pub fn score(self) -> u32 {
        match self {
            Self::SameRut => 100,
            Self::IdentifyingFieldAndName => 80,
            Self::BirthDateAndName => 70,
            Self::SamePhone => 60,
        }
    }

    /// The API's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SameRut => "same_rut",
            Self::SamePhone => "same_phone",
            Self::BirthDateAndName => "birth_date_and_name",
            Self::IdentifyingFieldAndName => "identifying_field_and_name",
        }
    }
}

/// One client holding one key, as a backend reads it.
#[derive(Debug, Clone)]
pub struct KeyMember {
    pub kind: KeyKind,
    pub key: String,
    pub client: ClientId,
    /// The client's stored `name_key` (`fold::name_key` of its name).
    pub name_key: String,
}

impl KeyMember {
    /// A member as a backend reads it: (kind, key, client id, name key).
    pub fn stored((kind, key, client, name_key): (String, String, uuid::Uuid, String)) -> crate::StoreResult<Self> {
        Ok(Self { kind: KeyKind::stored(&kind)?, key, client: ClientId::from_uuid(client), name_key })
    }
}

/// The pairs stored links make, as a backend reads them: (client a, client
/// b, kind), dismissed pairs already left out by the read.
pub fn stored_pairs(rows: Vec<(uuid::Uuid, uuid::Uuid, String)>) -> crate::StoreResult<Vec<Candidate>> {
    let mut links = Vec::with_capacity(rows.len());
    for (a, b, kind) in rows {
        links.push((ClientId::from_uuid(a), ClientId::from_uuid(b), KeyKind::stored(&kind)?));
    }
    Ok(from_links(links, &HashSet::new()))
}

/// A pair before its clients are read: ids (`a < b`), reasons and score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub a: ClientId,
    pub b: ClientId,
    pub reasons: Vec<Reason>,
    pub score: u32,
}

impl Candidate {
    pub fn cursor(&self) -> PairCursor {
        PairCursor { score: self.score, a: self.a, b: self.b }
    }

    pub fn involves(&self, client: ClientId) -> bool {
        self.a == client || self.b == client
    }
}

/// Two profiles, `a.id < b.id`, with every reason found and their score.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicatePair {
    pub a: Client,
    pub b: Client,
    pub reasons: Vec<Reason>,
    pub score: u32,
}

impl DuplicatePair {
    pub fn cursor(&self) -> PairCursor {
        PairCursor { score: self.score, a: self.a.id, b: self.b.id }
    }

    pub fn involves(&self, client: ClientId) -> bool {
        self.a.id == client || self.b.id == client
    }
}

/// Where a page of pairs ended: pairs sort by score (highest first), then
/// by their two ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairCursor {
    pub score: u32,
    pub a: ClientId,
    pub b: ClientId,
}

impl PairCursor {
    fn sort_key(&self) -> (std::cmp::Reverse<u32>, ClientId, ClientId) {
        (std::cmp::Reverse(self.score), self.a, self.b)
    }

    /// `score.a.b`, opaque to callers.
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.score, self.a, self.b)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.split('.');
        let score = parts.next()?.parse().ok()?;
        let a = parts.next()?.parse::<uuid::Uuid>().ok()?;
        let b = parts.next()?.parse::<uuid::Uuid>().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Some(Self { score, a: ClientId::from_uuid(a), b: ClientId::from_uuid(b) })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DuplicatePage {
    pub pairs: Vec<DuplicatePair>,
    pub next: Option<PairCursor>,
}

/// Whether two names are very probably one person's: folded (case,
/// accents, hyphens), the same number of words, each word of one matching
/// a different word of the other in any order, exactly or with one typo.
pub fn names_similar(a: &str, b: &str) -> bool {
    keys_similar(&name_key(a), &name_key(b))
}

/// `names_similar` on names already folded by `fold::name_key`.
fn keys_similar(a: &str, b: &str) -> bool {
    let a: Vec<&str> = a.split(' ').filter(|w| !w.is_empty()).collect();
    let b: Vec<&str> = b.split(' ').filter(|w| !w.is_empty()).collect();
    // Names of more words than this are compared in order only, which
    // keeps the search below small.
    const MAX_WORDS: usize = 8;
    if a.is_empty() || a.len() != b.len() {
        return false;
    }
    if a.len() > MAX_WORDS {
        return a.iter().zip(&b).all(|(x, y)| within_one_edit(x, y));
    }
    let mut used = vec![false; b.len()];
    assign(&a, &b, &mut used)
}

/// Matches `a[0]` to a free word of `b`, then the rest; backtracks.
fn assign(a: &[&str], b: &[&str], used: &mut [bool]) -> bool {
    let Some((first, rest)) = a.split_first() else { return true };
    for (i, word) in b.iter().enumerate() {
        if !used[i] && within_one_edit(first, word) {
            used[i] = true;
            if assign(rest, b, used) {
                return true;
            }
            used[i] = false;
        }
    }
    false
}

/// One shared key that makes a pair: the pair `(a, b)`, `a < b`, with the
/// kind and value of the key they share. A pair is the sum of its links.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Link {
    pub kind: KeyKind,
    pub key: String,
    pub a: ClientId,
    pub b: ClientId,
}

/// The links the key groups make: every two members of a group of at
/// most `GROUP_CAP`, and for a birth date only those whose names are very
/// similar. The backends keep these in `duplicate_links`, recomputed per
/// group when a group changes.
pub fn links(members: Vec<KeyMember>) -> Vec<Link> {
    let mut groups: BTreeMap<(KeyKind, String), Vec<(ClientId, String)>> = BTreeMap::new();
    for member in members {
        groups.entry((member.kind, member.key)).or_default().push((member.client, member.name_key));
    }
    let mut found = Vec::new();
    for ((kind, key), clients) in groups {
        if clients.len() > GROUP_CAP {
            continue;
        }
        for (i, x) in clients.iter().enumerate() {
            for y in &clients[i + 1..] {
                if x.0 == y.0 {
                    continue;
                }
                let (a, b) = if x.0 < y.0 { (x, y) } else { (y, x) };
                if kind.needs_similar_names() && !keys_similar(&a.1, &b.1) {
                    continue;
                }
                found.push(Link { kind, key: key.clone(), a: a.0, b: b.0 });
            }
        }
    }
    found
}

/// The pairs a set of links makes, without the dismissed ones (each kept
/// as `(smaller id, larger id)`), best first.
pub fn from_links(
    links: impl IntoIterator<Item = (ClientId, ClientId, KeyKind)>,
    dismissed: &HashSet<(ClientId, ClientId)>,
) -> Vec<Candidate> {
    let mut found: BTreeMap<(ClientId, ClientId), BTreeSet<Reason>> = BTreeMap::new();
    for (a, b, kind) in links {
        if dismissed.contains(&(a, b)) {
            continue;
        }
        found.entry((a, b)).or_default().insert(kind.reason());
    }
    let mut pairs: Vec<Candidate> = found
        .into_iter()
        .map(|((a, b), reasons)| {
            let score = reasons.iter().map(|r| r.score()).sum::<u32>().min(SCORE_CAP);
            Candidate { a, b, reasons: reasons.into_iter().collect(), score }
        })
        .collect();
    pairs.sort_by_key(|p| p.cursor().sort_key());
    pairs
}

/// Every pair the key groups make, without the dismissed ones, best first.
pub fn pairs(members: Vec<KeyMember>, dismissed: &HashSet<(ClientId, ClientId)>) -> Vec<Candidate> {
    from_links(links(members).into_iter().map(|l| (l.a, l.b, l.kind)), dismissed)
}

/// One page of `pairs` (sorted as `pairs` returns them) after `after`, and
/// the cursor of the next page if there is one.
pub fn page(pairs: Vec<Candidate>, limit: u32, after: Option<&PairCursor>) -> (Vec<Candidate>, Option<PairCursor>) {
    let limit = limit.max(1) as usize;
    let mut rest: Vec<Candidate> = match after {
        Some(cursor) => pairs.into_iter().filter(|p| p.cursor().sort_key() > cursor.sort_key()).collect(),
        None => pairs,
    };
    let more = rest.len() > limit;
    rest.truncate(limit);
    let next = if more { rest.last().map(Candidate::cursor) } else { None };
    (rest, next)
}

/// The candidates with their clients, as read after paging; a pair whose
/// client vanished meanwhile (deleted between the reads) is left out.
pub fn resolve(candidates: Vec<Candidate>, clients: &HashMap<ClientId, Client>) -> Vec<DuplicatePair> {
    candidates
        .into_iter()
        .filter_map(|c| {
            Some(DuplicatePair {
                a: clients.get(&c.a)?.clone(),
                b: clients.get(&c.b)?.clone(),
                reasons: c.reasons,
                score: c.score,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficha_domain::{ClientName, Email};
    use jiff::Timestamp;

    fn client(n: u128, name: &str) -> Client {
        Client {
            id: ClientId::from_uuid(uuid::Uuid::from_u128(n)),
            name: ClientName::parse(name).expect("valid name"),
            email: Email::parse(&format!("c{n}@example.cl")).expect("valid email"),
            phone: None,
            rut: None,
            birth_date: None,
            last_booking_at: None,
            registered_at: Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    fn member(kind: KeyKind, key: &str, client: &Client) -> KeyMember {
        KeyMember { kind, key: key.to_owned(), client: client.id, name_key: name_key(client.name.as_str()) }
    }

    #[test]
    fn names_fold_accents_and_case() {
        assert!(names_similar("José Núñez", "jose nunez"));
        assert!(names_similar("María-José Pérez", "maria jose perez"));
    }

    #[test]
    fn names_match_in_any_word_order() {
        assert!(names_similar("Pérez Soto Ana", "Ana Pérez Soto"));
    }

    #[test]
    fn names_allow_one_typo_per_word() {
        assert!(names_similar("Catalina Gonzalez", "Catalna Gonsalez"));
        assert!(names_similar("Ana Pérez", "Pérez Aan"));
    }

    #[test]
    fn two_typos_in_a_word_are_refused() {
        assert!(!names_similar("Catalina Rojas", "Catlna Rojas"));
        assert!(!names_similar("Ana Pérez", "Ana Pérez Soto"));
        assert!(!names_similar("Ana Pérez", "Luis Pérez"));
    }

    #[test]
    fn a_word_is_matched_once() {
        // "ana" cannot stand for both words of the other name.
        assert!(!names_similar("Ana Ana", "Ana Luis"));
    }

    #[test]
    fn reasons_add_up_and_are_capped() {
        let (x, y) = (client(1, "Ana Pérez"), client(2, "Luis Soto"));
        let found = pairs(
            vec![member(KeyKind::Phone, "+56911111111", &y), member(KeyKind::Phone, "+56911111111", &x)],
            &HashSet::new(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].a, found[0].b), (x.id, y.id));
        assert_eq!((found[0].reasons.clone(), found[0].score), (vec![Reason::SamePhone], 60));

        let both = pairs(
            vec![
                member(KeyKind::Phone, "+56911111111", &x),
                member(KeyKind::Phone, "+56911111111", &y),
                member(KeyKind::Rut, "1-9", &x),
                member(KeyKind::Rut, "1-9", &y),
            ],
            &HashSet::new(),
        );
        assert_eq!(both[0].reasons, vec![Reason::SameRut, Reason::SamePhone]);
        assert_eq!(both[0].score, SCORE_CAP);
    }

    #[test]
    fn a_birth_date_pairs_only_similar_names() {
        let (x, y, z) = (client(1, "Ana Pérez"), client(2, "Perez Anna"), client(3, "Luis Soto"));
        let found = pairs(
            [&x, &y, &z].into_iter().map(|c| member(KeyKind::BirthDate, "1990-01-02", c)).collect(),
            &HashSet::new(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].a, found[0].b, found[0].score), (x.id, y.id, 70));
    }

    #[test]
    fn an_identifying_value_pairs_only_similar_names() {
        let (x, y, z) = (client(1, "Ana Pérez"), client(2, "Ana Peres"), client(3, "Luis Soto"));
        let found =
            pairs([&x, &y, &z].into_iter().map(|c| member(KeyKind::Field, "f:ficha-12", c)).collect(), &HashSet::new());
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].a, found[0].b), (x.id, y.id));
        assert_eq!((found[0].reasons.clone(), found[0].score), (vec![Reason::IdentifyingFieldAndName], 80));
    }

    #[test]
    fn dismissed_pairs_and_oversized_groups_make_nothing() {
        let (x, y) = (client(1, "Ana"), client(2, "Luis"));
        let dismissed = HashSet::from([(x.id, y.id)]);
        let members = vec![member(KeyKind::Rut, "1-9", &x), member(KeyKind::Rut, "1-9", &y)];
        assert!(pairs(members, &dismissed).is_empty());

        let crowd: Vec<KeyMember> =
            (0..=GROUP_CAP as u128).map(|n| member(KeyKind::Phone, "+56900000000", &client(n + 10, "Ana"))).collect();
        assert!(pairs(crowd, &HashSet::new()).is_empty());
    }

    #[test]
    fn pages_follow_the_score_order() {
        let c: Vec<Client> = (1..=4).map(|n| client(n, "Ana")).collect();
        let members = vec![
            member(KeyKind::Phone, "p", &c[0]),
            member(KeyKind::Phone, "p", &c[1]),
            member(KeyKind::Rut, "r", &c[2]),
            member(KeyKind::Rut, "r", &c[3]),
        ];
        let all = pairs(members, &HashSet::new());
        assert_eq!(all.iter().map(|p| p.score).collect::<Vec<_>>(), vec![100, 60]);
        let (first, next) = page(all.clone(), 1, None);
        assert_eq!(first, all[..1]);
        let cursor = PairCursor::decode(&next.expect("a next page").encode()).expect("decodes");
        let (second, next) = page(all.clone(), 1, Some(&cursor));
        assert_eq!((second.as_slice(), next), (&all[1..], None));
        let clients: HashMap<ClientId, Client> = c.iter().map(|c| (c.id, c.clone())).collect();
        let resolved = resolve(second, &clients);
        assert_eq!((resolved[0].a.id, resolved[0].b.id, resolved[0].score), (c[0].id, c[1].id, 60));
        assert!(resolve(first, &HashMap::new()).is_empty(), "a vanished client drops its pair");
    }
}
