//! Text and JSON renderings shared by the subcommands.

pub mod activity;
pub mod pipelines;
pub mod stats;
pub mod table;

use crate::model::time::format_time;

/// The columns of an event row, for `table` and `csv`.
pub const EVENT_COLUMNS: [&str; 8] = [
    "TIME", "EVENT", "SOURCE", "ACTOR", "RESOURCE", "REGION", "IP", "ERROR",
];
pub const EVENT_WIDTHS: [usize; 8] = [24, 32, 28, 40, 32, 14, 20, 28];

/// The row cells of one event.
#[allow(clippy::too_many_arguments)]
pub fn event_cells(
    time: i64,
    name: &str,
    source: &str,
    actor: &str,
    resource: &str,
    region: &str,
    ip: &str,
    error: &str,
) -> Vec<String> {
    vec![
        format_time(time),
        name.to_string(),
        source.trim_end_matches(".amazonaws.com").to_string(),
        actor.to_string(),
        resource.to_string(),
        region.to_string(),
        ip.to_string(),
        error.to_string(),
    ]
}

/// The CSV header of event rows (the columns of [`EVENT_COLUMNS`], lower case).
pub fn csv_header() -> String {
    EVENT_COLUMNS
        .iter()
        .map(|c| c.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",")
}

/// One CSV row: each cell quoted as needed and neutralised for spreadsheets.
pub fn csv_row(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| table::csv_field(c))
        .collect::<Vec<_>>()
        .join(",")
}

/// [`event_cells`] of event `i` of an index.
pub fn index_event_cells(index: &crate::index::Index, i: usize) -> Vec<String> {
    let e = index.event(i);
    event_cells(
        e.time(),
        e.name(),
        e.source(),
        e.actor(),
        e.resource(),
        e.region(),
        e.source_ip(),
        e.error(),
    )
}

/// For an event whose `eventID` other records share with different content: the
/// other records' files and the fields that differ, on one line. `raw` is the
/// event's JSON when the caller has it already.
pub fn conflict_note(index: &crate::index::Index, i: usize, raw: Option<&str>) -> Option<String> {
    let e = index.event(i);
    let others = e.conflicts_with();
    if others.is_empty() {
        return None;
    }
    let this: Option<serde_json::Value> = match raw {
        Some(r) => serde_json::from_str(r).ok(),
        None => crate::load::fetch::raw_event(index, i)
            .ok()
            .and_then(|r| serde_json::from_str(&r).ok()),
    };
    let mut parts = Vec::new();
    for &o in others {
        let other = index.event(o as usize);
        let place = format!("{} (event {})", other.file().display, other.ordinal() + 1);
        let fields = match (
            &this,
            crate::load::fetch::raw_event(index, o as usize)
                .ok()
                .and_then(|r| serde_json::from_str::<serde_json::Value>(&r).ok()),
        ) {
            (Some(a), Some(b)) => {
                let mut paths: Vec<String> = crate::pipeline::diff::diff(a, &b)
                    .into_iter()
                    .map(|c| c.path)
                    .collect();
                paths.dedup();
                if paths.len() > 8 {
                    let more = paths.len() - 8;
                    paths.truncate(8);
                    paths.push(format!("{more} more"));
                }
                paths.join(", ")
            }
            _ => "(cannot be re-read to compare)".to_string(),
        };
        parts.push(format!("{place} has the same eventID; differs in {fields}"));
    }
    Some(parts.join(" · "))
}
