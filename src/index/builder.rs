//! Building an [`Index`] from per-file batches.
//!
//! Worker threads turn one file into a [`Batch`] with its own string table (no
//! shared locks on the hot path); the builder merges batches in file order and,
//! when asked for a sorted index, orders events by time and drops duplicate
//! deliveries.
//!
//! The rule: two records are one delivery only when they have the same `eventID`
//! and the same content, compared as JSON values (whatever the key order or the
//! whitespace); the first in time order (then file order) is kept. Records that
//! share an `eventID` with different content are all kept and flagged
//! [`flag::CONFLICT`]. Byte-identical copies are told apart by a hash of the raw
//! bytes; only when copies differ in bytes are they re-read and compared as values.

use super::{ColumnValues, FileEntry, Identity, Index, StrId, flag};
use crate::model::content;
use crate::model::{EventFields, Millis};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

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
    pub arns: u32,
    pub flags: u8,
    pub ordinal: u32,
    /// [`content::id_hash`] of the `eventID` (0: none).
    pub id: u64,
    /// [`content::id_hash`] of the `requestID` (0: none).
    pub request: u64,
    pub raw_hash: u64,
}

/// The events of one file, ready to merge.
#[derive(Debug, Default)]
pub struct Batch {
    pub file: u32,
    /// The file's distinct strings, by local id.
    pub strings: super::Strings,
    /// Local sets of local string ids; set 0 is empty.
    pub sets: Vec<Vec<StrId>>,
    pub rows: Vec<Row>,
    pub git_refs: Vec<(u32, Vec<(StrId, StrId)>)>,
    pub pipeline_raw: Vec<(u32, Box<str>)>,
    /// [`content::id_key`] of each `sharedEventID` (rare: cross-account events).
    pub shared_ids: Vec<(u32, u128)>,
}

/// Collects one file's events.
pub struct BatchWriter {
    file: u32,
    /// One arena per file, like the index's: a file's few hundred distinct
    /// strings are not each a `Box<str>` (5M allocations on a million events).
    strings: super::Strings,
    sets: Vec<Vec<StrId>>,
    rows: Vec<Row>,
    git_refs: Vec<(u32, Vec<(StrId, StrId)>)>,
    pipeline_raw: Vec<(u32, Box<str>)>,
    shared_ids: Vec<(u32, u128)>,
}

impl BatchWriter {
    pub fn new(file: u32) -> Self {
        BatchWriter {
            file,
            strings: super::Strings::with_room(16 << 10, 512),
            sets: vec![Vec::new()],
            rows: Vec::new(),
            git_refs: Vec::new(),
            pipeline_raw: Vec::new(),
            shared_ids: Vec::new(),
        }
    }

    /// Adds one event. `raw` is kept only for pipeline-structure events.
    pub fn push(&mut self, raw: &str, f: EventFields<'_>) {
        let ordinal = self.rows.len() as u32;
        let id = content::id_hash(&f.event_id);
        let raw_hash = content::raw_hash(raw);
        if !f.shared_event_id.is_empty() {
            let key = content::id_key(&f.shared_event_id);
            self.shared_ids.push((ordinal, key));
        }
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
        let arns = self.set(&f.resource_arns);
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
            arns,
            flags,
            ordinal,
            id,
            request: content::id_hash(&f.request_id),
            raw_hash,
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
            strings: self.strings,
            sets: self.sets,
            rows: self.rows,
            git_refs: self.git_refs,
            pipeline_raw: self.pipeline_raw,
            shared_ids: self.shared_ids,
        }
    }
}

/// Merges batches into an [`Index`].
#[derive(Default)]
pub struct IndexBuilder {
    index: Index,
    set_ids: FxHashMap<Box<[StrId]>, u32>,
    /// Ids into `index.identities`, hashed by the identity they name: 5 bytes
    /// a slot, where a map keyed by a copy of each 20-byte identity took 25
    /// (13 MB for the 330k identities of a busy month).
    identity_ids: hashbrown::HashTable<u32>,
    sorted: bool,
}

impl IndexBuilder {
    pub fn new(files: Vec<FileEntry>) -> Self {
        let mut b = IndexBuilder::default();
        b.index.files = files;
        b.index.sets.push(Box::new([]));
        b
    }

    /// Adds a file found after loading started (`--follow`); its batch comes later.
    pub fn add_file(&mut self, entry: FileEntry) {
        self.index.files.push(entry);
    }

    pub fn add(&mut self, batch: Batch) {
        self.sorted = false;
        self.index.distinct = Default::default();
        let map: Vec<StrId> = (0..batch.strings.len() as StrId)
            .map(|id| self.index.strings.intern(batch.strings.get(id)))
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
            let identity_id =
                intern_identity(&mut self.identity_ids, &mut self.index.identities, identity);
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
                arns: set_map[row.arns as usize],
                flags: row.flags,
                file: batch.file,
                ordinal: row.ordinal,
                raw_hash: row.raw_hash,
                event_id: row.id,
                request_id: row.request,
            });
        }
        // Rows are stored in ordinal order, so an ordinal is an offset from `first_at`.
        for (ordinal, refs) in batch.git_refs {
            let refs = refs
                .into_iter()
                .map(|(r, c)| (map[r as usize], map[c as usize]))
                .collect();
            self.index.git_refs.insert(first_at + ordinal, refs);
        }
        for (ordinal, key) in batch.shared_ids {
            self.index.shared_ids.insert(first_at + ordinal, key);
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
        // The interning maps are only for adding: freed before sorting, whose
        // temporaries are the peak of a load.
        self.set_ids = FxHashMap::default();
        self.identity_ids = hashbrown::HashTable::new();
        crate::return_freed_memory_now();
        self.sort();
        let index = &mut self.index;
        index.strings.shrink_to_fit();
        index.identities.shrink_to_fit();
        index.sets.shrink_to_fit();
        self.index
    }

    /// Orders what has been merged so far by (time, file, position in file) and
    /// drops duplicate deliveries.
    pub fn sort(&mut self) {
        if self.sorted {
            return;
        }
        self.sorted = true;
        self.index.distinct = Default::default();
        let c = &self.index.cols;
        let n = c.len();
        let in_order = (1..n).all(|i| {
            (c.time[i - 1], c.file[i - 1], c.ordinal[i - 1]) <= (c.time[i], c.file[i], c.ordinal[i])
        });
        let time_order = |i: usize| (c.time[i], c.file[i], c.ordinal[i]);
        // Group by eventID (in time order within a group): drop second deliveries,
        // flag conflicts. Done before the time order is built so that the two
        // temporaries are never held together (the peak of a load).
        // One u64 per event with an id (8 bytes, to keep the peak low): the top
        // 32 bits of the id hash, then the event's position. A run of equal top
        // bits is split by the full hash below.
        let ids = &c.event_id;
        // Sized first: collecting from a filter grows by doubling, and each
        // growth holds the old and the new buffer at once.
        let mut by_id: Vec<u64> = Vec::with_capacity(ids.iter().filter(|&&id| id != 0).count());
        by_id.extend(
            (0..n)
                .filter(|&i| ids[i] != 0)
                .map(|i| (ids[i] & !0xffff_ffff) | i as u64),
        );
        by_id.sort_unstable();
        let mut dropped = vec![false; n];
        let mut conflicts: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for run in by_id
            .chunk_by(|a, b| a >> 32 == b >> 32)
            .filter(|r| r.len() > 1)
        {
            let mut members: Vec<usize> = run.iter().map(|&x| (x & 0xffff_ffff) as usize).collect();
            members.sort_unstable_by_key(|&m| time_order(m));
            if members.iter().all(|&m| ids[m] == ids[members[0]]) {
                groups.push(members);
            } else {
                // Same top bits, different ids: split (stable, so time order stays).
                members.sort_by_key(|&m| ids[m]);
                for g in members.chunk_by(|&a, &b| ids[a] == ids[b]) {
                    if g.len() > 1 {
                        groups.push(g.to_vec());
                    }
                }
            }
        }
        drop(by_id);
        crate::return_freed_memory_now();
        for members in groups {
            let first_raw = c.raw_hash[members[0]];
            let keys: Vec<u64> = if members.iter().all(|&m| c.raw_hash[m] == first_raw) {
                vec![first_raw; members.len()]
            } else {
                // Copies that differ in bytes: compare as JSON values.
                let raws = crate::load::fetch::raw_events(&self.index, &members);
                members
                    .iter()
                    .zip(raws)
                    .map(|(&m, raw)| match raw {
                        Ok(raw) => content::content_hash(&raw),
                        Err(_) => c.raw_hash[m],
                    })
                    .collect()
            };
            let mut seen: Vec<u64> = Vec::new();
            let mut kept = Vec::new();
            for (&m, &k) in members.iter().zip(&keys) {
                if seen.contains(&k) {
                    dropped[m] = true;
                } else {
                    seen.push(k);
                    kept.push(m as u32);
                }
            }
            if seen.len() > 1 {
                for &m in &kept {
                    let others = kept.iter().copied().filter(|&o| o != m).collect();
                    conflicts.insert(m, others);
                }
            }
        }
        let mut keep: Vec<u32> = Vec::with_capacity(n - dropped.iter().filter(|&&d| d).count());
        keep.extend((0..n as u32).filter(|&i| !dropped[i as usize]));
        drop(dropped);
        if !in_order {
            keep.sort_unstable_by_key(|&i| time_order(i as usize));
        }
        for &m in conflicts.keys() {
            self.index.cols.flags[m as usize] |= flag::CONFLICT;
        }
        self.index.duplicates += n - keep.len();
        if in_order && keep.len() == n {
            self.index.conflicts = conflicts;
            return;
        }
        self.index.cols.permute(&keep);
        let mut new_pos = vec![u32::MAX; n];
        for (new, &old) in keep.iter().enumerate() {
            new_pos[old as usize] = new as u32;
        }
        self.index.git_refs = remap(std::mem::take(&mut self.index.git_refs), &new_pos);
        self.index.pipeline_raw = remap(std::mem::take(&mut self.index.pipeline_raw), &new_pos);
        self.index.shared_ids = remap(std::mem::take(&mut self.index.shared_ids), &new_pos);
        self.index.conflicts = remap(conflicts, &new_pos)
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().map(|o| new_pos[o as usize]).collect()))
            .collect();
    }

    /// Read access to what has been merged (sorted only after [`Self::sort`]).
    pub fn index(&self) -> &Index {
        &self.index
    }
}

fn identity_hash(identity: &Identity) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(identity)
}

/// The id of `identity` in `identities`, added if new.
fn intern_identity(
    ids: &mut hashbrown::HashTable<u32>,
    identities: &mut Vec<Identity>,
    identity: Identity,
) -> u32 {
    let hash = identity_hash(&identity);
    if let Some(&id) = ids.find(hash, |&id| identities[id as usize] == identity) {
        return id;
    }
    let id = identities.len() as u32;
    identities.push(identity);
    ids.insert_unique(hash, id, |&id| identity_hash(&identities[id as usize]));
    id
}

/// Moves per-event side tables to new positions, dropping removed events.
fn remap<V>(map: FxHashMap<u32, V>, new_pos: &[u32]) -> FxHashMap<u32, V> {
    map.into_iter()
        .filter(|(k, _)| new_pos[*k as usize] != u32::MAX)
        .map(|(k, v)| (new_pos[k as usize], v))
        .collect()
}
