//! `trailscope stats`: what was loaded, what failed, and the busiest sources,
//! events and actors.

use crate::format::thousands;
use crate::index::Index;
use crate::load::{LoadReport, Problem};
use crate::model::time::{NO_TIME, format_time};
use crate::sanitize::escape;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct FileCounts {
    pub read: usize,
    pub skipped: usize,
    pub failed: usize,
}

#[derive(Debug, Serialize)]
pub struct Stats {
    pub events: usize,
    pub duplicates: usize,
    /// Events whose `eventID` is shared by a record with different content.
    pub conflicts: usize,
    pub files: FileCounts,
    pub failures: Vec<Problem>,
    pub warnings: Vec<Problem>,
    pub first_event: Option<String>,
    pub last_event: Option<String>,
    pub by_source: BTreeMap<String, usize>,
    pub by_event: BTreeMap<String, usize>,
    pub by_actor: BTreeMap<String, usize>,
    #[serde(skip)]
    top: [Vec<(String, usize)>; 3],
}

const TOP: usize = 20;

fn top(counts: Vec<u32>, index: &Index) -> Vec<(String, usize)> {
    // Ranked by id and count, and only the top few made into strings: an
    // all-distinct trail has as many actors as events.
    let mut pairs: Vec<(u32, u32)> = counts
        .into_iter()
        .enumerate()
        .filter(|&(_, n)| n > 0)
        .map(|(id, n)| (id as u32, n))
        .collect();
    let ranked = |a: &(u32, u32), b: &(u32, u32)| index.strings.by_count_then_text(a, b);
    if pairs.len() > TOP {
        pairs.select_nth_unstable_by(TOP, ranked);
        pairs.truncate(TOP);
    }
    pairs.sort_by(ranked);
    pairs
        .into_iter()
        .map(|(id, n)| (index.strings.get(id).to_string(), n as usize))
        .collect()
}

/// Stats over `selected` events of the index (all of them when unfiltered).
pub fn compute(index: &Index, report: &LoadReport, selected: &[u32]) -> Stats {
    let n = index.strings.len();
    let (mut src, mut ev, mut actor) = (vec![0u32; n], vec![0u32; n], vec![0u32; n]);
    let (mut first, mut last) = (NO_TIME, i64::MIN);
    let mut conflicts = 0;
    for &i in selected {
        let i = i as usize;
        if index.cols.flags[i] & crate::index::flag::CONFLICT != 0 {
            conflicts += 1;
        }
        src[index.cols.source[i] as usize] += 1;
        ev[index.cols.name[i] as usize] += 1;
        actor[index.identity_of(i).actor as usize] += 1;
        let t = index.cols.time[i];
        if t != NO_TIME {
            first = first.min(t);
            last = last.max(t);
        }
    }
    let top = [top(src, index), top(ev, index), top(actor, index)];
    let map = |v: &Vec<(String, usize)>| v.iter().cloned().collect::<BTreeMap<_, _>>();
    Stats {
        events: selected.len(),
        duplicates: index.duplicates,
        conflicts,
        files: FileCounts {
            read: report.files_read,
            skipped: report.files_skipped,
            failed: report.files_failed,
        },
        failures: report.failures.clone(),
        warnings: report.warnings.clone(),
        first_event: (first != NO_TIME).then(|| format_time(first)),
        last_event: (last != i64::MIN).then(|| format_time(last)),
        by_source: map(&top[0]),
        by_event: map(&top[1]),
        by_actor: map(&top[2]),
        top,
    }
}

impl Stats {
    /// The text report: counts, time range, failures, and the top lists by count.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "events      {} ({} duplicate deliveries dropped)\n",
            thousands(self.events),
            thousands(self.duplicates)
        ));
        if self.conflicts > 0 {
            out.push_str(&format!(
                "conflicts   {} events share their eventID with a record of different content (filter: conflict)\n",
                thousands(self.conflicts)
            ));
        }
        out.push_str(&format!(
            "files       {} read, {} skipped, {} failed\n",
            thousands(self.files.read),
            thousands(self.files.skipped),
            thousands(self.files.failed)
        ));
        out.push_str(&format!(
            "time range  {} .. {}\n",
            self.first_event.as_deref().unwrap_or("-"),
            self.last_event.as_deref().unwrap_or("-")
        ));
        for p in &self.failures {
            out.push_str(&format!(
                "failed      {}: {}\n",
                escape(&p.path),
                escape(&p.message)
            ));
        }
        for p in &self.warnings {
            out.push_str(&format!(
                "warning     {}: {}\n",
                escape(&p.path),
                escape(&p.message)
            ));
        }
        for (title, list) in [
            ("sources", &self.top[0]),
            ("events", &self.top[1]),
            ("actors", &self.top[2]),
        ] {
            out.push_str(&format!("\ntop {title}\n"));
            let width = list
                .iter()
                .map(|(_, n)| thousands(*n).len())
                .max()
                .unwrap_or(1);
            for (name, n) in list {
                let shown = if name.is_empty() {
                    "(none)".into()
                } else {
                    escape(name)
                };
                out.push_str(&format!("  {:>width$}  {}\n", thousands(*n), shown));
            }
        }
        out
    }
}
