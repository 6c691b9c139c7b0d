//! The in-memory event index: one column per field, interned strings, events in
//! time order. Raw JSON stays on disk; the loader re-reads it on demand (`load::fetch`).
//!
//! Memory per event is the columns below (≈ 89 bytes) plus each distinct string once,
//! and 2 bytes for its shape ([`shapes`]) once the distinct values are computed.

pub mod builder;
pub mod distinct;
pub mod shapes;
pub mod strings;

pub use builder::{Batch, IndexBuilder, Row};

pub use distinct::Distinct;
pub use shapes::Shapes;
pub use strings::{StrId, Strings};

use crate::model::Millis;
use rustc_hash::FxHashMap;
use std::path::PathBuf;

/// Bits of [`Columns::flags`].
pub mod flag {
    pub const READ_ONLY_KNOWN: u8 = 1;
    pub const READ_ONLY: u8 = 2;
    pub const MFA_KNOWN: u8 = 4;
    pub const MFA: u8 = 8;
    pub const DATA_KNOWN: u8 = 16;
    pub const DATA: u8 = 32;
    /// Another record has the same `eventID` and different content.
    pub const CONFLICT: u8 = 64;

    pub fn encode(known: u8, set: u8, value: Option<bool>) -> u8 {
        match value {
            Some(true) => known | set,
            Some(false) => known,
            None => 0,
        }
    }

    pub fn decode(flags: u8, known: u8, set: u8) -> Option<bool> {
        (flags & known != 0).then_some(flags & set != 0)
    }
}

/// One input file. Events point back here so their raw JSON can be re-read.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub path: PathBuf,
    /// The path as shown to people (control characters escaped).
    pub display: String,
    /// Size and modification time when loaded, to notice a file that changed since.
    pub stamp: Option<(u64, std::time::SystemTime)>,
    pub events: u32,
}

/// Declares the event columns once: the [`Columns`] struct, [`ColumnValues`]
/// (one event's value in every column), appending and reordering. A column added
/// to the list is pushed and permuted with the others; forgetting it in the
/// builder's `ColumnValues { … }` literal is a compile error, not a silently
/// unsorted column.
macro_rules! columns {
    ($( $(#[$doc:meta])* $name:ident : $ty:ty ),* $(,)?) => {
        /// Event columns; index `i` in every vector is the same event.
        #[derive(Debug, Default, Clone)]
        pub struct Columns {
            $( $(#[$doc])* pub $name: Vec<$ty>, )*
        }

        /// One event's value in every column.
        #[derive(Debug, Default, Clone, Copy)]
        pub struct ColumnValues {
            $( $(#[$doc])* pub $name: $ty, )*
        }

        impl Columns {
            pub fn push(&mut self, v: ColumnValues) {
                $( self.$name.push(v.$name); )*
            }

            /// Keeps the events at `order`, in that order: one column at a time,
            /// each old column given back to the system before the next is
            /// copied, so the peak holds one column twice, not every column.
            pub fn permute(&mut self, order: &[u32]) {
                $(
                    permute(&mut self.$name, order);
                    crate::return_freed_memory_now();
                )*
            }
        }
    };
}

columns! {
    time: Millis,
    source: StrId,
    name: StrId,
    region: StrId,
    account: StrId,
    source_ip: StrId,
    user_agent: StrId,
    /// Id into [`Index::identities`].
    identity: u32,
    error: StrId,
    event_type: StrId,
    resource: StrId,
    /// Id into [`Index::sets`]: the event's repositories.
    repos: u32,
    /// Id into [`Index::sets`]: the event's pipelines.
    pipelines: u32,
    /// Id into [`Index::sets`]: the ARNs of the event's `resources`.
    arns: u32,
    flags: u8,
    file: u32,
    /// Position of the event among the events of its file.
    ordinal: u32,
    /// 64-bit hash of the event's raw bytes, checked when the event is re-read.
    raw_hash: u64,
    /// [`content::id_hash`](crate::model::content::id_hash) of the `eventID`
    /// (0: none): duplicates are found by it, and `id:` matches it.
    event_id: u64,
    /// [`content::id_hash`](crate::model::content::id_hash) of the `requestID`
    /// (0: none): 8 bytes, not a string; `id:` matches it.
    request_id: u64,
}

/// Keeps `column[order[k]]` for each `k`, in that order. (Gathering into a new
/// vector, one column at a time, was 0.5 s faster on a million events than
/// following the permutation's cycles in place, for one column's worth more memory.)
pub fn permute<T: Copy>(column: &mut Vec<T>, order: &[u32]) {
    let permuted: Vec<T> = order.iter().map(|&i| column[i as usize]).collect();
    *column = permuted;
}

impl Columns {
    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }
}

/// Who acted, as CloudTrail identifies them: interned as one tuple because the
/// five strings travel together (an access key belongs to one principal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Identity {
    pub kind: StrId,
    pub actor: StrId,
    pub arn: StrId,
    pub access_key: StrId,
    pub principal: StrId,
}

/// The loaded archive.
#[derive(Debug, Default, Clone)]
pub struct Index {
    pub strings: Strings,
    /// Interned sets of string ids (repositories, pipelines); set 0 is empty.
    pub sets: Vec<Box<[StrId]>>,
    pub identities: Vec<Identity>,
    pub cols: Columns,
    pub files: Vec<FileEntry>,
    /// `GitPush` references per event: (ref, commit).
    pub git_refs: FxHashMap<u32, Vec<(StrId, StrId)>>,
    /// Raw JSON of `CreatePipeline`/`UpdatePipeline` events, kept because pipeline
    /// history needs every structure and they are a tiny share of a trail.
    pub pipeline_raw: FxHashMap<u32, Box<str>>,
    /// `sharedEventID` keys ([`content::id_key`](crate::model::content::id_key))
    /// of the events that have one: only cross-account events do.
    pub shared_ids: FxHashMap<u32, u128>,
    pub duplicates: usize,
    /// Events whose `eventID` is shared by records with different content: each
    /// such event → the other events of its `eventID`.
    pub conflicts: FxHashMap<u32, Vec<u32>>,
    /// Temporary copies of standard input, deleted when the index is dropped.
    pub spool: std::sync::Arc<Vec<tempfile::TempPath>>,
    /// Each field's distinct values, computed on first use ([`Index::distinct`]);
    /// the builder resets it when events are added.
    pub(crate) distinct: std::sync::OnceLock<std::sync::Arc<Distinct>>,
}

impl Index {
    pub fn len(&self) -> usize {
        self.cols.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cols.is_empty()
    }

    /// Each field's distinct values (computed once, then shared by clones).
    pub fn distinct(&self) -> &Distinct {
        self.distinct
            .get_or_init(|| std::sync::Arc::new(Distinct::of(self)))
    }

    pub fn event(&self, i: usize) -> EventRef<'_> {
        EventRef { index: self, i }
    }

    /// The distinct values bare filter words are matched against: every indexed
    /// text field (names, sources, resources, addresses, user agents, error codes,
    /// accounts, regions), the actors, ARNs and access keys, repositories and pipelines.
    pub fn fuzzy_candidates(&self) -> Vec<StrId> {
        let d = self.distinct();
        let mut ids: Vec<StrId> = [
            &d.name,
            &d.source,
            &d.resource,
            &d.source_ip,
            &d.user_agent,
            &d.error,
            &d.account,
            &d.region,
            &d.actor,
            &d.arn,
            &d.access_key,
            &d.set_members,
        ]
        .into_iter()
        .flatten()
        .copied()
        .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// [`Index::fuzzy_candidates`], folded and laid out for substring search.
    pub fn fuzzy_haystack(&self) -> crate::query::fuzzy::Haystack {
        crate::query::fuzzy::Haystack::new(self, self.fuzzy_candidates())
    }

    pub fn identity_of(&self, i: usize) -> Identity {
        self.identities
            .get(self.cols.identity[i] as usize)
            .copied()
            .unwrap_or_default()
    }

    pub fn set(&self, id: u32) -> &[StrId] {
        self.sets.get(id as usize).map(|s| &**s).unwrap_or(&[])
    }
}

/// Read access to one event's indexed fields.
#[derive(Clone, Copy)]
pub struct EventRef<'a> {
    pub index: &'a Index,
    pub i: usize,
}

macro_rules! str_accessors {
    ($($name:ident),*) => {
        $(pub fn $name(&self) -> &'a str {
            self.index.strings.get(self.index.cols.$name[self.i])
        })*
    };
}

impl<'a> EventRef<'a> {
    str_accessors!(
        source, name, region, account, source_ip, user_agent, error, event_type, resource
    );

    pub fn identity_type(&self) -> &'a str {
        self.index.strings.get(self.index.identity_of(self.i).kind)
    }

    pub fn actor(&self) -> &'a str {
        self.index.strings.get(self.index.identity_of(self.i).actor)
    }

    pub fn arn(&self) -> &'a str {
        self.index.strings.get(self.index.identity_of(self.i).arn)
    }

    pub fn access_key(&self) -> &'a str {
        self.index
            .strings
            .get(self.index.identity_of(self.i).access_key)
    }

    pub fn principal(&self) -> &'a str {
        self.index
            .strings
            .get(self.index.identity_of(self.i).principal)
    }

    pub fn time(&self) -> Millis {
        self.index.cols.time[self.i]
    }

    pub fn flags(&self) -> u8 {
        self.index.cols.flags[self.i]
    }

    pub fn read_only(&self) -> Option<bool> {
        flag::decode(self.flags(), flag::READ_ONLY_KNOWN, flag::READ_ONLY)
    }

    pub fn mfa(&self) -> Option<bool> {
        flag::decode(self.flags(), flag::MFA_KNOWN, flag::MFA)
    }

    /// Whether another record has this event's `eventID` and different content.
    pub fn conflicting(&self) -> bool {
        self.flags() & flag::CONFLICT != 0
    }

    /// The other records of a conflicting `eventID`.
    pub fn conflicts_with(&self) -> &'a [u32] {
        self.index
            .conflicts
            .get(&(self.i as u32))
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    pub fn data_transferred(&self) -> Option<bool> {
        flag::decode(self.flags(), flag::DATA_KNOWN, flag::DATA)
    }

    /// The strings of set `set` (one of the event's set columns).
    fn set_strings(&self, set: u32) -> impl Iterator<Item = &'a str> + 'a {
        let index = self.index;
        index.set(set).iter().map(move |&id| index.strings.get(id))
    }

    pub fn repositories(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.set_strings(self.index.cols.repos[self.i])
    }

    /// The whole ARNs of the event's `resources`.
    pub fn resource_arns(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.set_strings(self.index.cols.arns[self.i])
    }

    pub fn pipelines(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.set_strings(self.index.cols.pipelines[self.i])
    }

    pub fn file(&self) -> &'a FileEntry {
        &self.index.files[self.index.cols.file[self.i] as usize]
    }

    pub fn ordinal(&self) -> u32 {
        self.index.cols.ordinal[self.i]
    }

    pub fn git_refs(&self) -> Vec<(&'a str, &'a str)> {
        self.index
            .git_refs
            .get(&(self.i as u32))
            .map(|refs| {
                refs.iter()
                    .map(|&(r, c)| (self.index.strings.get(r), self.index.strings.get(c)))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Heap bytes of a vector's allocation.
fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

impl Index {
    /// Bytes held by each part of the index (allocations, not counting the
    /// allocator's own slack): for `examples/index_memory` and the README's
    /// memory figures.
    pub fn memory_parts(&self) -> Vec<(&'static str, usize)> {
        let c = &self.cols;
        let columns = vec_bytes(&c.time)
            + [
                &c.source,
                &c.name,
                &c.region,
                &c.account,
                &c.source_ip,
                &c.user_agent,
                &c.identity,
                &c.error,
                &c.event_type,
                &c.resource,
                &c.repos,
                &c.pipelines,
                &c.arns,
                &c.file,
                &c.ordinal,
            ]
            .into_iter()
            .map(vec_bytes)
            .sum::<usize>()
            + vec_bytes(&c.flags)
            + vec_bytes(&c.raw_hash)
            + vec_bytes(&c.event_id)
            + vec_bytes(&c.request_id);
        let map_entry = |key: usize, value: usize| key + value + 1;
        vec![
            ("event columns", columns),
            ("strings", self.strings.heap_bytes()),
            ("identities", vec_bytes(&self.identities)),
            (
                "sets",
                vec_bytes(&self.sets) + self.sets.iter().map(|s| s.len() * 4).sum::<usize>(),
            ),
            (
                "git refs",
                self.git_refs.capacity() * map_entry(4, 24)
                    + self.git_refs.values().map(vec_bytes).sum::<usize>(),
            ),
            (
                "pipeline structures",
                self.pipeline_raw.capacity() * map_entry(4, 16)
                    + self.pipeline_raw.values().map(|r| r.len()).sum::<usize>(),
            ),
            (
                "shared ids, conflicts",
                self.shared_ids.capacity() * map_entry(4, 16)
                    + self.conflicts.capacity() * map_entry(4, 24),
            ),
            (
                "files",
                vec_bytes(&self.files)
                    + self
                        .files
                        .iter()
                        .map(|f| f.display.capacity() + f.path.as_os_str().len())
                        .sum::<usize>(),
            ),
        ]
    }
}
