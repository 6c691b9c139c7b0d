//! `trailscope pipelines` and `trailscope diff`: histories and diffs as tables,
//! coloured text or JSON.

use crate::model::time::format_time;
use crate::pipeline::diff::{Change, Op};
use crate::pipeline::history::{Lifetime, Version};
use crate::sanitize::{escape, escape_keep_lines};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub struct VersionJson<'a> {
    pub version: u64,
    pub time: String,
    pub actor: &'a str,
    pub event_id: &'a str,
    pub summary: &'a str,
}

#[derive(Serialize)]
pub struct LifetimeJson<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub name: &'a str,
    pub lifetime: u32,
    pub created: Option<String>,
    pub deleted: Option<String>,
    pub versions: Vec<VersionJson<'a>>,
    /// Inclusive ranges `[from, to]`, never expanded.
    pub missing_versions: Vec<(u64, u64)>,
    pub anomalies: Vec<AnomalyJson<'a>>,
    pub rejected: usize,
    pub executions: usize,
}

#[derive(Serialize)]
pub struct AnomalyJson<'a> {
    pub time: String,
    pub actor: &'a str,
    pub event_id: &'a str,
    pub claimed_version: u64,
    pub note: &'a str,
}

/// A version number for a column `width` characters wide: `v` and the whole
/// number, or cut with `…` — never silently cut.
pub fn version_label(text: &str, width: usize) -> String {
    super::table::truncate(text, width)
}

pub fn lifetime_json(l: &Lifetime) -> LifetimeJson<'_> {
    LifetimeJson {
        account: &l.account,
        region: &l.region,
        name: &l.name,
        lifetime: l.lifetime,
        created: l.created.as_ref().map(|(t, _)| format_time(*t)),
        deleted: l.deleted.as_ref().map(|(t, _)| format_time(*t)),
        versions: l
            .versions
            .iter()
            .map(|v| VersionJson {
                version: v.number,
                time: format_time(v.time),
                actor: &v.actor,
                event_id: &v.event_id,
                summary: &v.summary,
            })
            .collect(),
        missing_versions: l.missing(),
        anomalies: l
            .anomalies
            .iter()
            .map(|a| AnomalyJson {
                time: format_time(a.time),
                actor: &a.actor,
                event_id: &a.event_id,
                claimed_version: a.claimed,
                note: &a.note,
            })
            .collect(),
        rejected: l.rejected.len(),
        executions: l.executions,
    }
}

/// The table of `trailscope pipelines`.
pub fn lifetimes_table(all: &[Lifetime]) -> String {
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|l| {
            let (last, who) = l
                .last_change()
                .map(|(t, a)| (format_time(t), a))
                .unwrap_or_else(|| ("-".into(), "-".into()));
            vec![
                l.account.clone(),
                l.region.clone(),
                l.name.clone(),
                l.lifetime.to_string(),
                match (l.versions.is_empty(), l.anomalies.len()) {
                    (true, 0) => "-".into(),
                    (false, 0) => l.loaded_ranges(),
                    (_, n) => format!("{} ({n} anomalous)", l.loaded_ranges()),
                },
                l.rejected.len().to_string(),
                l.executions.to_string(),
                last,
                who,
                l.deleted
                    .as_ref()
                    .map(|(t, _)| format_time(*t))
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    super::table::render(
        &[
            "ACCOUNT",
            "REGION",
            "PIPELINE",
            "LIFE",
            "VERSIONS",
            "REJECTED",
            "RUNS",
            "LAST CHANGE",
            "BY",
            "DELETED",
        ],
        &rows,
        &[14, 16, 40, 4, 20, 8, 6, 22, 30, 22],
    )
}

#[derive(Serialize)]
pub struct DiffJson<'a> {
    pub pipeline: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    pub lifetime: u32,
    pub from: u64,
    pub to: u64,
    /// When, by whom and by which event each side was made.
    pub from_version: Option<VersionRef<'a>>,
    pub to_version: Option<VersionRef<'a>>,
    pub changes: &'a [Change],
}

/// A version as the diff names it.
#[derive(Serialize)]
pub struct VersionRef<'a> {
    pub version: u64,
    pub time: String,
    pub actor: &'a str,
    pub event_id: &'a str,
    pub event_name: &'a str,
}

pub fn version_ref(v: &Version) -> VersionRef<'_> {
    VersionRef {
        version: v.number,
        time: format_time(v.time),
        actor: &v.actor,
        event_id: &v.event_id,
        event_name: &v.event_name,
    }
}

/// One lifetime's version history as text: a line per version, rejected change
/// and gap, oldest first (what `pipelines --pipeline NAME` prints).
pub fn history_text(l: &Lifetime) -> String {
    let mut rows: Vec<(i64, u8, Vec<String>)> = Vec::new();
    let mut expected = 1u64;
    for v in &l.versions {
        if v.number > expected {
            let gap = if v.number - 1 == expected {
                format!("v{expected}")
            } else {
                format!("v{expected}–v{}", v.number - 1)
            };
            rows.push((
                v.time,
                0,
                vec![
                    gap,
                    String::new(),
                    String::new(),
                    "not in the loaded logs".into(),
                ],
            ));
        }
        rows.push((
            v.time,
            1,
            vec![
                format!("v{}", v.number),
                format_time(v.time),
                v.actor.clone(),
                v.summary.clone(),
            ],
        ));
        expected = v.number.saturating_add(1);
    }
    for r in &l.rejected {
        rows.push((
            r.time,
            2,
            vec![
                "rejected".into(),
                format_time(r.time),
                r.actor.clone(),
                format!("{} ({})", r.event_name, r.error),
            ],
        ));
    }
    rows.sort_by_key(|(t, order, _)| (*t, *order));
    let head = format!(
        "{} · account {} · {} · lifetime {}{}\n",
        l.name,
        l.account,
        l.region,
        l.lifetime,
        if l.deleted.is_some() {
            " (deleted)"
        } else {
            ""
        }
    );
    let rows: Vec<Vec<String>> = rows.into_iter().map(|(_, _, r)| r).collect();
    let body = if rows.is_empty() {
        "no versions in the loaded logs (only reads and runs)\n".to_string()
    } else {
        super::table::render(
            &["VERSION", "TIME", "ACTOR", "WHAT CHANGED"],
            &rows,
            &[22, 22, 40, 80],
        )
    };
    escape_keep_lines(&(head + &body)).into_owned()
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

fn short(v: &Option<Value>) -> String {
    match v {
        None => String::new(),
        Some(v) => {
            let text = v.to_string();
            escape(&crate::output::table::truncate(&text, 120)).into_owned()
        }
    }
}

/// The text of `trailscope diff`: the semantic changes, then a unified diff of the
/// pretty-printed structures. `color` adds ANSI colours (only our own escapes:
/// every value is escaped first).
pub fn diff_text(l: &Lifetime, from: u64, to: u64, changes: &[Change], color: bool) -> String {
    let c = |code: &'static str| if color { code } else { "" };
    let mut out = String::new();
    let head = |v: u64| {
        l.version(v)
            .map(|v| {
                format!(
                    "v{} {} by {}",
                    v.number,
                    format_time(v.time),
                    escape(&v.actor)
                )
            })
            .unwrap_or_else(|| format!("v{v}"))
    };
    out.push_str(&format!(
        "{}{} ({} {}){}: {} → {}\n",
        c(BOLD),
        escape(&l.name),
        escape(&l.account),
        escape(&l.region),
        c(RESET),
        head(from),
        head(to)
    ));
    if changes.is_empty() {
        out.push_str("no structural change\n");
    }
    for ch in changes {
        let (mark, color_code) = match ch.op {
            Op::Added => ("+", GREEN),
            Op::Removed => ("-", RED),
            Op::Changed => ("~", YELLOW),
        };
        let detail = match ch.op {
            Op::Added => short(&ch.new),
            Op::Removed => short(&ch.old),
            Op::Changed => format!("{} → {}", short(&ch.old), short(&ch.new)),
        };
        out.push_str(&format!(
            "{}{mark} {}{}: {detail}\n",
            c(color_code),
            escape(&ch.path),
            c(RESET)
        ));
    }
    if let (Some(a), Some(b)) = (l.version(from), l.version(to)) {
        out.push('\n');
        let (old, new) = crate::pipeline::lines::pretty_pair(&a.structure, &b.structure);
        let (old, new): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
        for line in crate::pipeline::lines::unified(&old, &new, 3) {
            match line.chars().next() {
                Some('+') => out.push_str(&format!("{}{}{}\n", c(GREEN), escape(&line), c(RESET))),
                Some('-') => out.push_str(&format!("{}{}{}\n", c(RED), escape(&line), c(RESET))),
                Some('@') => out.push_str(&format!("{}{}{}\n", c(DIM), escape(&line), c(RESET))),
                _ => out.push_str(&format!("{}\n", escape(&line))),
            }
        }
    }
    out
}
