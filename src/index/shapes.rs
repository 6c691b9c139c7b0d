//! Event shapes: the combination of an event's five single-column facet values
//! (source, event name, account, region, error code). A real trail has a few
//! hundred of them (a million events of a realistic archive: 554), so one small
//! number per event stands for five columns. A bare filter word looked for in
//! those five fields is decided per shape and then looked up once per event,
//! and facet counts add one counter per event instead of five.

use super::{Columns, StrId};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// More shapes than this and there are none: the per-event number is 16 bits
/// (2 bytes an event), and a trail with so many combinations gains nothing from them.
const MOST: usize = u16::MAX as usize + 1;

const CHUNK: usize = 1 << 16;

/// One chunk's shapes in its own numbering, and its events' numbers.
type LocalShapes = (Vec<[StrId; 5]>, Vec<u16>);

/// See the module documentation.
#[derive(Debug, Default)]
pub struct Shapes {
    /// Per event, its shape: an index into `values`.
    pub of_event: Vec<u16>,
    /// Per shape, its five values in [`Shapes::columns`] order, as string ids.
    pub values: Vec<[StrId; 5]>,
}

impl Shapes {
    /// The columns a shape combines, in the order of [`Shapes::values`] (the
    /// order of the facet counters: source, event name, account, region, error).
    pub fn columns(c: &Columns) -> [&[StrId]; 5] {
        [&c.source, &c.name, &c.account, &c.region, &c.error]
    }

    /// The shapes of `c`'s events, or `None` when there are more than 65,536.
    /// Chunks of events are numbered locally in parallel, then the local
    /// numbers are mapped onto one shared numbering.
    pub fn of(c: &Columns) -> Option<Shapes> {
        let columns = Shapes::columns(c);
        let n = columns[0].len();
        let tuple = |i: usize| columns.map(|col| col.get(i).copied().unwrap_or(0));
        let parts: Vec<Option<LocalShapes>> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let range = chunk * CHUNK..((chunk + 1) * CHUNK).min(n);
                let mut seen: FxHashMap<[StrId; 5], u16> = FxHashMap::default();
                let mut values = Vec::new();
                let mut ids = Vec::with_capacity(range.len());
                for i in range {
                    let t = tuple(i);
                    let id = match seen.get(&t) {
                        Some(&id) => id,
                        None => {
                            let id = u16::try_from(values.len()).ok()?;
                            seen.insert(t, id);
                            values.push(t);
                            id
                        }
                    };
                    ids.push(id);
                }
                Some((values, ids))
            })
            .collect();
        let mut shared: FxHashMap<[StrId; 5], u16> = FxHashMap::default();
        let mut values = Vec::new();
        let mut of_event = Vec::with_capacity(n);
        for part in parts {
            let (local, ids) = part?;
            let mut to_shared = Vec::with_capacity(local.len());
            for t in local {
                let id = match shared.get(&t) {
                    Some(&id) => id,
                    None => {
                        if values.len() >= MOST {
                            return None;
                        }
                        let id = values.len() as u16;
                        shared.insert(t, id);
                        values.push(t);
                        id
                    }
                };
                to_shared.push(id);
            }
            of_event.extend(ids.iter().map(|&l| to_shared[l as usize]));
        }
        Some(Shapes { of_event, values })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(rows: &[[StrId; 5]]) -> Columns {
        let mut c = Columns::default();
        for r in rows {
            c.source.push(r[0]);
            c.name.push(r[1]);
            c.account.push(r[2]);
            c.region.push(r[3]);
            c.error.push(r[4]);
        }
        c
    }

    #[test]
    fn every_event_gets_the_shape_of_its_five_values() {
        // Three chunks' worth, so local numberings are merged.
        let rows: Vec<[StrId; 5]> = (0..3 * CHUNK as u32 + 17)
            .map(|i| [i % 7, i % 11, 1, i % 3, (i / 1000) % 5])
            .collect();
        let c = columns(&rows);
        let shapes = Shapes::of(&c).expect("few shapes");
        assert_eq!(shapes.of_event.len(), rows.len());
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(
                &shapes.values[shapes.of_event[i] as usize], row,
                "event {i}"
            );
        }
        let mut distinct = rows.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(shapes.values.len(), distinct.len());
    }

    #[test]
    fn too_many_shapes_means_none() {
        let rows: Vec<[StrId; 5]> = (0..MOST as u32 + 1).map(|i| [i, 0, 0, 0, 0]).collect();
        assert!(Shapes::of(&columns(&rows)).is_none());
        let rows: Vec<[StrId; 5]> = (0..MOST as u32).map(|i| [i, 0, 0, 0, 0]).collect();
        assert_eq!(
            Shapes::of(&columns(&rows)).map(|s| s.values.len()),
            Some(MOST)
        );
    }
}
