//! The distinct values of each field, computed once per index: filters test a
//! field's own values (4.6k actors) instead of every distinct string (300k+ on a
//! real trail, mostly access keys), and facet counts use arrays of the facets'
//! own sizes.

use super::{Index, StrId};

/// Distinct string ids per field, ascending; the empty string (id 0) left out.
#[derive(Debug, Default)]
pub struct Distinct {
    pub name: Vec<StrId>,
    pub source: Vec<StrId>,
    pub region: Vec<StrId>,
    pub account: Vec<StrId>,
    pub error: Vec<StrId>,
    pub user_agent: Vec<StrId>,
    pub source_ip: Vec<StrId>,
    pub resource: Vec<StrId>,
    pub kind: Vec<StrId>,
    pub actor: Vec<StrId>,
    pub arn: Vec<StrId>,
    pub principal: Vec<StrId>,
    pub access_key: Vec<StrId>,
    /// Members of the repository and pipeline sets.
    pub set_members: Vec<StrId>,
    /// Dense numbering of the values of the single-column facets (source, event
    /// name, account, region, error), so facet counts need arrays of their size:
    /// string id → dense id (`u32::MAX`: not such a value), and back.
    pub column_dense: Vec<u32>,
    pub column_values: Vec<StrId>,
    /// Identity id → position of its actor in [`Distinct::actor`] (`u32::MAX`: none).
    pub identity_actor: Vec<u32>,
    /// The facet counts of the whole index (no filter), computed on first use:
    /// clearing the filter shows them without counting a million events again.
    pub unfiltered_facets: std::sync::OnceLock<Vec<Vec<(StrId, u32)>>>,
    /// The same counts as dense arrays (the five columns, actors, repository
    /// sets, pipeline sets): a filter that keeps most events is counted as these
    /// minus the events it drops.
    pub unfiltered_counts: std::sync::OnceLock<Vec<Vec<u32>>>,
    /// The events' shapes (2 bytes an event), unless there are too many.
    pub shapes: Option<super::Shapes>,
}

/// The distinct ids among `ids`, ascending, without 0.
fn distinct(strings: usize, ids: impl Iterator<Item = StrId>) -> Vec<StrId> {
    let mut seen = vec![false; strings];
    for id in ids {
        if let Some(s) = seen.get_mut(id as usize) {
            *s = true;
        }
    }
    if let Some(s) = seen.get_mut(0) {
        *s = false;
    }
    seen.iter()
        .enumerate()
        .filter(|(_, s)| **s)
        .map(|(i, _)| i as StrId)
        .collect()
}

impl Distinct {
    pub fn of(index: &Index) -> Distinct {
        let n = index.strings.len();
        let c = &index.cols;
        let column = |col: &Vec<StrId>| distinct(n, col.iter().copied());
        let ids = &index.identities;
        let part = |f: fn(&super::Identity) -> StrId| distinct(n, ids.iter().map(f));
        let mut d = Distinct::default();
        rayon::scope(|s| {
            s.spawn(|_| d.shapes = super::Shapes::of(c));
            s.spawn(|_| d.name = column(&c.name));
            s.spawn(|_| d.source = column(&c.source));
            s.spawn(|_| d.region = column(&c.region));
            s.spawn(|_| d.account = column(&c.account));
            s.spawn(|_| d.error = column(&c.error));
            s.spawn(|_| d.user_agent = column(&c.user_agent));
            s.spawn(|_| d.source_ip = column(&c.source_ip));
            s.spawn(|_| d.resource = column(&c.resource));
            s.spawn(|_| {
                d.kind = part(|p| p.kind);
                d.actor = part(|p| p.actor);
                d.arn = part(|p| p.arn);
                d.principal = part(|p| p.principal);
                d.access_key = part(|p| p.access_key);
                d.set_members = distinct(n, index.sets.iter().flat_map(|s| s.iter().copied()));
            });
        });
        let mut dense = vec![u32::MAX; n];
        for &id in [&d.source, &d.name, &d.account, &d.region, &d.error]
            .into_iter()
            .flatten()
        {
            if dense[id as usize] == u32::MAX {
                dense[id as usize] = d.column_values.len() as u32;
                d.column_values.push(id);
            }
        }
        d.column_dense = dense;
        d.identity_actor = ids
            .iter()
            .map(|p| {
                d.actor
                    .binary_search(&p.actor)
                    .map_or(u32::MAX, |k| k as u32)
            })
            .collect();
        d
    }
}
