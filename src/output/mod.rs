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
