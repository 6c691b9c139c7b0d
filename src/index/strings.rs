//! Interned strings: every distinct value (actor, event name, user agent, …) is
//! stored once and events hold 4-byte ids. Id 0 is the empty string.

/// An id into [`Strings`].
pub type StrId = u32;

/// The global string table of an index: every distinct string once, back to
/// back in pages of text, found by a hash table of ids that hashes the text
/// itself. A string costs its bytes plus about 12 (a 4-byte end offset and the
/// table's slot, whose table is at most half empty), where a `Box<str>` per string
/// in a list and again as a map key cost about 100.
#[derive(Debug, Clone)]
pub struct Strings {
    /// Text pages, each under 4 GiB so offsets fit in 32 bits.
    pages: Vec<String>,
    /// The first id of each page after the first.
    page_starts: Vec<StrId>,
    /// End offset of each string within its page.
    ends: Vec<u32>,
    table: hashbrown::HashTable<StrId>,
    /// Largest page (4 GiB - 1; smaller in tests).
    page_limit: usize,
}

impl Default for Strings {
    fn default() -> Self {
        Strings::with_room(0, 0)
    }
}

fn hash(s: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(s)
}

/// The string `id` in `pages`/`ends` (a free function so the hash table can be
/// borrowed mutably meanwhile).
fn text_of<'a>(pages: &'a [String], page_starts: &[StrId], ends: &[u32], id: StrId) -> &'a str {
    let page = page_starts.partition_point(|&start| start <= id);
    let first_of_page = if page == 0 { 0 } else { page_starts[page - 1] };
    let Some(&end) = ends.get(id as usize) else {
        return "";
    };
    let start = if id == first_of_page {
        0
    } else {
        ends[id as usize - 1]
    };
    pages
        .get(page)
        .and_then(|p| p.get(start as usize..end as usize))
        .unwrap_or("")
}

impl Strings {
    /// An empty table with room for `bytes` of text and `count` strings before
    /// it grows (a file's table: its few hundred strings without a regrowth).
    pub fn with_room(bytes: usize, count: usize) -> Strings {
        let mut s = Strings {
            pages: vec![String::with_capacity(bytes)],
            page_starts: Vec::new(),
            ends: Vec::with_capacity(count),
            table: hashbrown::HashTable::with_capacity(count),
            page_limit: u32::MAX as usize,
        };
        s.intern("");
        s
    }

    /// A table whose pages hold at most `limit` bytes (tests of the paging).
    pub fn with_page_limit(limit: usize) -> Strings {
        let mut s = Strings {
            page_limit: limit.min(u32::MAX as usize),
            ..Strings::default()
        };
        s.table.clear();
        s.ends.clear();
        s.intern("");
        s
    }

    pub fn intern(&mut self, s: &str) -> StrId {
        let Strings {
            pages,
            page_starts,
            ends,
            table,
            page_limit,
        } = self;
        // A single value longer than a page (4 GiB) keeps its first 4 GiB.
        let mut cut = s.len().min(*page_limit);
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        let s = &s[..cut];
        let h = hash(s);
        if let Some(&id) = table.find(h, |&id| text_of(pages, page_starts, ends, id) == s) {
            return id;
        }
        let id = ends.len() as StrId;
        let last = pages.len() - 1;
        if pages[last].len() + s.len() > *page_limit {
            pages.push(String::new());
            page_starts.push(id);
        }
        let page = pages.len() - 1;
        pages[page].push_str(s);
        ends.push(pages[page].len() as u32);
        table.insert_unique(h, id, |&id| hash(text_of(pages, page_starts, ends, id)));
        id
    }

    pub fn get(&self, id: StrId) -> &str {
        text_of(&self.pages, &self.page_starts, &self.ends, id)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The order of every "most frequent first" list of values with counts
    /// (facets, a user's fields, `stats`): count descending, then text.
    pub fn by_count_then_text(&self, a: &(StrId, u32), b: &(StrId, u32)) -> std::cmp::Ordering {
        b.1.cmp(&a.1).then_with(|| self.get(a.0).cmp(self.get(b.0)))
    }

    pub fn is_empty(&self) -> bool {
        self.ends.len() <= 1
    }

    /// Every id whose string satisfies `pred`, as a membership table indexed by id.
    pub fn matching(&self, pred: impl Fn(&str) -> bool + Sync) -> Vec<bool> {
        use rayon::prelude::*;
        (0..self.len() as StrId)
            .into_par_iter()
            .map(|id| pred(self.get(id)))
            .collect()
    }

    /// Bytes held: the text, the offsets and the hash table (for the README's
    /// memory figures and the tests that keep them).
    pub fn heap_bytes(&self) -> usize {
        // hashbrown keeps buckets at most 7/8 full, a power of two of them, each
        // a 4-byte id and a control byte.
        let buckets = (self.table.capacity() * 8 / 7).next_power_of_two();
        self.pages.iter().map(String::capacity).sum::<usize>()
            + self.ends.capacity() * 4
            + buckets * 5
    }

    /// Drops the room kept for more strings (once a load is complete): the
    /// offsets' doubled capacity, the text page's unused tail and an over-grown
    /// hash table. (One page grown by doubling, not pages of a fixed size: every
    /// `get` would search the pages, and that was a twentieth of a fuzzy keystroke.)
    pub fn shrink_to_fit(&mut self) {
        let Strings {
            pages,
            page_starts,
            ends,
            table,
            ..
        } = self;
        ends.shrink_to_fit();
        if let Some(last) = pages.last_mut() {
            last.shrink_to_fit();
        }
        table.shrink_to_fit(|&id| hash(text_of(pages, page_starts, ends, id)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_gives_one_id_per_distinct_string() {
        let mut s = Strings::default();
        assert_eq!(s.intern(""), 0);
        let words: Vec<String> = (0..10_000).map(|i| format!("value-{i}-é")).collect();
        let ids: Vec<StrId> = words.iter().map(|w| s.intern(w)).collect();
        for (w, &id) in words.iter().zip(&ids) {
            assert_eq!(s.intern(w), id, "same string, same id");
            assert_eq!(s.get(id), w);
        }
        assert_eq!(s.len(), 10_001);
        assert_eq!(s.get(0), "");
        assert_eq!(s.get(99_999), "", "an unknown id reads as empty");
        // Memory: the text plus at most 16 bytes per string (issue 11's budget),
        // not a box per string twice, nor a doubled text buffer.
        let text: usize = words.iter().map(String::len).sum();
        s.shrink_to_fit();
        assert!(
            s.heap_bytes() <= text + 16 * words.len(),
            "{} for {text}",
            s.heap_bytes()
        );
    }

    #[test]
    fn text_spills_into_new_pages_without_losing_a_string() {
        let mut s = Strings::with_page_limit(64);
        let words: Vec<String> = (0..500).map(|i| format!("w{i:05}")).collect();
        let ids: Vec<StrId> = words.iter().map(|w| s.intern(w)).collect();
        assert!(s.pages.len() > 10, "{} pages", s.pages.len());
        for (w, &id) in words.iter().zip(&ids) {
            assert_eq!(s.get(id), w);
            assert_eq!(s.intern(w), id);
        }
        // A value longer than a page keeps what fits, cut at a character boundary.
        let long = "é".repeat(100);
        let id = s.intern(&long);
        assert_eq!(s.get(id), "é".repeat(32));
    }
}
