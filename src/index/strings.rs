//! Interned strings: every distinct value (actor, event name, user agent, …) is
//! stored once and events hold 4-byte ids. Id 0 is the empty string.

use rustc_hash::FxHashMap;

/// An id into [`Strings`].
pub type StrId = u32;

/// The global string table of an index.
#[derive(Debug, Clone)]
pub struct Strings {
    list: Vec<Box<str>>,
    map: FxHashMap<Box<str>, StrId>,
}

impl Default for Strings {
    fn default() -> Self {
        let mut s = Strings {
            list: Vec::new(),
            map: FxHashMap::default(),
        };
        s.intern("");
        s
    }
}

impl Strings {
    pub fn intern(&mut self, s: &str) -> StrId {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = self.list.len() as StrId;
        self.list.push(s.into());
        self.map.insert(s.into(), id);
        id
    }

    pub fn get(&self, id: StrId) -> &str {
        self.list.get(id as usize).map(|s| &**s).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.len() <= 1
    }

    /// Every id whose string satisfies `pred`, as a membership table indexed by id.
    pub fn matching(&self, pred: impl Fn(&str) -> bool + Sync) -> Vec<bool> {
        use rayon::prelude::*;
        self.list.par_iter().map(|s| pred(s)).collect()
    }
}

/// A per-file string table, merged into [`Strings`] once per file, so worker
/// threads never share a lock. Only the first occurrence of a string in a file
/// allocates.
pub struct LocalStrings {
    map: FxHashMap<Box<str>, StrId>,
}

impl Default for LocalStrings {
    fn default() -> Self {
        let mut s = LocalStrings {
            map: FxHashMap::default(),
        };
        s.intern("");
        s
    }
}

impl LocalStrings {
    pub fn intern(&mut self, s: &str) -> StrId {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = self.map.len() as StrId;
        self.map.insert(s.into(), id);
        id
    }

    /// The strings in id order.
    pub fn into_list(self) -> Vec<Box<str>> {
        let mut pairs: Vec<(StrId, Box<str>)> =
            self.map.into_iter().map(|(s, id)| (id, s)).collect();
        pairs.sort_unstable_by_key(|p| p.0);
        pairs.into_iter().map(|p| p.1).collect()
    }
}
