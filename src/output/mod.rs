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

/// Thousands separators: 1234567 → "1,234,567".
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}
