//! Building an [`Index`] from per-file batches.
//!
//! Worker threads turn one file into a [`Batch`] with its own string table (no
//! shared locks on the hot path); the builder merges batches in file order and,
//! when asked for a sorted index, orders events by time and drops duplicate
//! deliveries (same `eventID`, time, name and source — the first file wins).
//! Duplicates share a time, so they are found among neighbours after sorting,
//! without a set of every event id.

use super::strings::LocalStrings;
use super::{ColumnValues, FileEntry, Identity, Index, StrId, flag, permute};
use crate::model::{EventFields, Millis};
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::borrow::Cow;
use std::hash::Hasher;

/// One event with ids local to its [`Batch`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Row {
    pub time: Millis,
    pub source: StrId,
    pub name: StrId,
    pub region: StrId,
    pub account: StrId,
    pub source_ip: StrId,
    pub user_agent: StrId,
    pub error: StrId,
    pub event_type: StrId,
    pub resource: StrId,
    /// The identity's strings, as local ids.
    pub identity: Identity,
    pub repos: u32,
    pub pipelines: u32,
    pub flags: u8,
    pub ordinal: u32,
    pub dedup: u64,
}

/// The events of one file, ready to merge.
#[derive(Debug, Default)]
pub struct Batch {
    pub file: u32,
    pub strings: Vec<Box<str>>,
    /// Local sets of local string ids; set 0 is empty.
    pub sets: Vec<Vec<StrId>>,
    pub rows: Vec<Row>,
    pub git_refs: Vec<(u32, Vec<(StrId, StrId)>)>,
    pub pipeline_raw: Vec<(u32, Box<str>)>,
}

/// Collects one file's events.
pub struct BatchWriter {
    file: u32,
    strings: LocalStrings,
    sets: Vec<Vec<StrId>>,
    rows: Vec<Row>,
    git_refs: Vec<(u32, Vec<(StrId, StrId)>)>,
    pipeline_raw: Vec<(u32, Box<str>)>,
}

impl BatchWriter {
    pub fn new(file: u32) -> Self {
        BatchWriter {
            file,
            strings: LocalStrings::default(),
            sets: vec![Vec::new()],
            rows: Vec::new(),
            git_refs: Vec::new(),
            pipeline_raw: Vec::new(),
        }
    }

    /// Adds one event. `raw` is kept only for pipeline-structure events.
    pub fn push(&mut self, raw: &str, f: EventFields<'_>) {
        let ordinal = self.rows.len() as u32;
        let dedup = dedup_key(&f);
        if f.source == "codepipeline.amazonaws.com"
            && matches!(f.name.as_ref(), "CreatePipeline" | "UpdatePipeline")
        {
            self.pipeline_raw.push((ordinal, raw.into()));
        }
        let resource = self.strings.intern(f.resource());
        let flags = flag::encode(flag::READ_ONLY_KNOWN, flag::READ_ONLY, f.read_only)
            | flag::encode(flag::MFA_KNOWN, flag::MFA, f.mfa)
            | flag::encode(flag::DATA_KNOWN, flag::DATA, f.data_transferred);
        let repos = self.set(&f.repositories);
        let pipelines = self.set(&f.pipelines);
        if !f.git_refs.is_empty() {
            let refs = f
                .git_refs
                .iter()
                .map(|(r, c)| (self.strings.intern(r), self.strings.intern(c)))
                .collect();
            self.git_refs.push((ordinal, refs));
        }
        let s = &mut self.strings;
        let row = Row {
            time: f.time,
            source: s.intern(&f.source),
            name: s.intern(&f.name),
            region: s.intern(&f.region),
            account: s.intern(&f.account),
            source_ip: s.intern(&f.source_ip),
            user_agent: s.intern(&f.user_agent),
            error: s.intern(&f.error_code),
            event_type: s.intern(&f.event_type),
            resource,
            identity: Identity {
                kind: s.intern(&f.identity_type),
                actor: s.intern(&f.actor),
                arn: s.intern(&f.arn),
                access_key: s.intern(&f.access_key),
                principal: s.intern(&f.principal),
            },
            repos,
            pipelines,
            flags,
            ordinal,
            dedup,
        };
        self.rows.push(row);
    }

    fn set(&mut self, items: &[Cow<'_, str>]) -> u32 {
        if items.is_empty() {
            return 0;
        }
        let ids: Vec<StrId> = items.iter().map(|s| self.strings.intern(s)).collect();
        self.sets.push(ids);
        (self.sets.len() - 1) as u32
    }

    pub fn finish(self) -> Batch {
        Batch {
            file: self.file,
            strings: self.strings.into_list(),
            sets: self.sets,
            rows: self.rows,
            git_refs: self.git_refs,
            pipeline_raw: self.pipeline_raw,
        }
    }
}

/// The identity of a delivery: the same API call delivered twice has the same key;
/// 0 for an event without an `eventID` (never a duplicate). Besides the id, the key
/// holds a few fields that tell apart distinct records sharing a placeholder id
/// (documentation examples reuse `…-EXAMPLE` ids, e.g. for both records of a push).
pub fn dedup_key(f: &EventFields<'_>) -> u64 {
    if f.event_id.is_empty() {
        return 0;
    }
    let mut h = FxHasher::default();
    h.write(f.event_id.as_bytes());
    h.write_u8(0xff);
    h.write_i64(f.time);
    h.write(f.name.as_bytes());
    h.write_u8(0xff);
    h.write(f.source.as_bytes());
    h.write_u8(0xff);
    h.write(f.error_code.as_bytes());
    h.write_u8(match f.read_only {
        Some(true) => 1,
        Some(false) => 2,
        None => 3,
    });
    h.write_usize(f.git_refs.len());
    h.write_u8(f.data_transferred.map_or(0, |d| d as u8 + 1));
    // A zero key means "no event id"; keep real keys away from it.
    h.finish() | 1
}

/// Merges batches into an [`Index`].
#[derive(Default)]
pub struct IndexBuilder {
    index: Index,
    /// Delivery keys, in column order, until duplicates are dropped.
    dedup: Vec<u64>,
    set_ids: FxHashMap<Box<[StrId]>, u32>,
    identity_ids: FxHashMap<Identity, u32>,
    sorted: bool,
}

impl IndexBuilder {
    pub fn new(files: Vec<FileEntry>) -> Self {
        let mut b = IndexBuilder::default();
        b.index.files = files;
        b.index.sets.push(Box::new([]));
        b
    }

    pub fn add(&mut self, batch: Batch) {
        self.sorted = false;
        let map: Vec<StrId> = batch
            .strings
            .iter()
            .map(|s| self.index.strings.intern(s))
            .collect();
        let set_map: Vec<u32> = batch
            .sets
            .iter()
            .map(|set| self.intern_set(set.iter().map(|&id| map[id as usize]).collect()))
            .collect();
        let first_at = self.index.cols.time.len() as u32;
        let rows = batch.rows.len();
        let c = &mut self.index.cols;
        for row in &batch.rows {
            let g = |id: StrId| map[id as usize];
            let identity = Identity {
                kind: g(row.identity.kind),
                actor: g(row.identity.actor),
                arn: g(row.identity.arn),
                access_key: g(row.identity.access_key),
                principal: g(row.identity.principal),
            };
            let next = self.index.identities.len() as u32;
            let identity_id = *self.identity_ids.entry(identity).or_insert(next);
            if identity_id == next {
                self.index.identities.push(identity);
            }
            c.push(ColumnValues {
                time: row.time,
                source: g(row.source),
                name: g(row.name),
                region: g(row.region),
                account: g(row.account),
                source_ip: g(row.source_ip),
                user_agent: g(row.user_agent),
                identity: identity_id,
                error: g(row.error),
                event_type: g(row.event_type),
                resource: g(row.resource),
                repos: set_map[row.repos as usize],
                pipelines: set_map[row.pipelines as usize],
                flags: row.flags,
                file: batch.file,
                ordinal: row.ordinal,
            });
            self.dedup.push(row.dedup);
        }
        // Rows are stored in ordinal order, so an ordinal is an offset from `first_at`.
        for (ordinal, refs) in batch.git_refs {
            let refs = refs
                .into_iter()
                .map(|(r, c)| (map[r as usize], map[c as usize]))
                .collect();
            self.index.git_refs.insert(first_at + ordinal, refs);
        }
        for (ordinal, raw) in batch.pipeline_raw {
            self.index.pipeline_raw.insert(first_at + ordinal, raw);
        }
        if let Some(f) = self.index.files.get_mut(batch.file as usize) {
            f.events += rows as u32;
        }
    }

    fn intern_set(&mut self, set: Box<[StrId]>) -> u32 {
        if set.is_empty() {
            return 0;
        }
        let next = self.index.sets.len() as u32;
        let id = *self.set_ids.entry(set.clone()).or_insert(next);
        if id == next {
            self.index.sets.push(set);
        }
        id
    }

    /// Sorts, drops duplicates and returns the index.
    pub fn finish(mut self) -> Index {
        self.sort();
        self.index
    }

    /// Orders what has been merged so far by (time, file, position in file) and
    /// drops duplicate deliveries.
    pub fn sort(&mut self) {
        if self.sorted {
            return;
        }
        self.sorted = true;
        let c = &self.index.cols;
        let n = c.len();
        let in_order = (1..n).all(|i| {
            (c.time[i - 1], c.file[i - 1], c.ordinal[i - 1]) <= (c.time[i], c.file[i], c.ordinal[i])
        });
        let mut order: Vec<u32> = (0..n as u32).collect();
        if !in_order {
            order.sort_unstable_by_key(|&i| {
                let i = i as usize;
                (c.time[i], c.file[i], c.ordinal[i])
            });
        }
        // Keep the first delivery of each key among events of the same time.
        let mut keep = Vec::with_capacity(n);
        let mut seen: FxHashSet<u64> = FxHashSet::default();
        let mut group_time = None;
        for &i in &order {
            let i = i as usize;
            if group_time != Some(c.time[i]) {
                group_time = Some(c.time[i]);
                seen.clear();
            }
            let key = self.dedup[i];
            if key == 0 || seen.insert(key) {
                keep.push(i as u32);
            }
        }
        drop(order);
        self.index.duplicates += n - keep.len();
        if in_order && keep.len() == n {
            return;
        }
        self.index.cols.permute(&keep);
        permute(&mut self.dedup, &keep);
        let mut new_pos = vec![u32::MAX; n];
        for (new, &old) in keep.iter().enumerate() {
            new_pos[old as usize] = new as u32;
        }
        self.index.git_refs = remap(std::mem::take(&mut self.index.git_refs), &new_pos);
        self.index.pipeline_raw = remap(std::mem::take(&mut self.index.pipeline_raw), &new_pos);
    }

    /// Read access to what has been merged (sorted only after [`Self::sort`]).
    pub fn index(&self) -> &Index {
        &self.index
    }
}

/// Moves per-event side tables to new positions, dropping removed events.
fn remap<V>(map: FxHashMap<u32, V>, new_pos: &[u32]) -> FxHashMap<u32, V> {
    map.into_iter()
        .filter(|(k, _)| new_pos[*k as usize] != u32::MAX)
        .map(|(k, v)| (new_pos[k as usize], v))
        .collect()
}
