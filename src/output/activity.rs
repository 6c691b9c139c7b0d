//! `trailscope users` and `trailscope repos`: tables and JSON.

use crate::activity::repos::{RECENT, RepoSummary};
use crate::activity::users::{Field, UserSummary};
use crate::format::thousands;
use crate::index::Index;
use crate::model::NO_TIME;
use crate::model::time::format_time;
use serde::Serialize;

fn time(t: i64) -> Option<String> {
    (t != NO_TIME).then(|| format_time(t))
}

#[derive(Serialize)]
pub struct UserJson<'a> {
    pub actor: &'a str,
    #[serde(rename = "type")]
    pub kind: String,
    pub accounts: Vec<&'a str>,
    pub events: u64,
    pub errors: u64,
    pub access_denied: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub source_ips: Vec<&'a str>,
    pub access_keys: Vec<&'a str>,
    pub arns: Vec<&'a str>,
    pub top_events: Vec<TopEvent<'a>>,
}

#[derive(Serialize)]
pub struct TopEvent<'a> {
    pub event: &'a str,
    pub count: u64,
}

pub fn user_json<'a>(u: &UserSummary, index: &'a Index) -> UserJson<'a> {
    UserJson {
        actor: u.actor_text(index),
        kind: u.texts(Field::Type, index).join(","),
        accounts: u.texts(Field::Account, index),
        events: u.events,
        errors: u.errors,
        access_denied: u.access_denied,
        first: time(u.first),
        last: time(u.last),
        source_ips: u.texts(Field::Ip, index),
        access_keys: u.texts(Field::Key, index),
        arns: u.texts(Field::Arn, index),
        top_events: u
            .counted(Field::Name, index)
            .into_iter()
            .map(|(event, count)| TopEvent { event, count })
            .collect(),
    }
}

/// The `users` table, written row by row.
pub fn write_users_table(
    all: &[UserSummary],
    index: &Index,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let row = |u: &UserSummary| {
        let actor = u.actor_text(index);
        vec![
            if actor.is_empty() {
                "(none)".into()
            } else {
                actor.to_string()
            },
            u.texts(Field::Type, index).join(","),
            u.texts(Field::Account, index).join(","),
            thousands(u.events as usize),
            format!(
                "{} ({:.0}% denied)",
                thousands(u.errors as usize),
                u.denied_share() * 100.0
            ),
            time(u.first).unwrap_or_else(|| "-".into()),
            time(u.last).unwrap_or_else(|| "-".into()),
            u.field(Field::Ip).len().to_string(),
            u.counted(Field::Name, index)
                .iter()
                .take(3)
                .map(|(e, n)| format!("{e} {n}"))
                .collect::<Vec<_>>()
                .join(", "),
        ]
    };
    super::table::write(
        &[
            "ACTOR",
            "TYPE",
            "ACCOUNTS",
            "EVENTS",
            "ERRORS",
            "FIRST",
            "LAST",
            "IPS",
            "TOP EVENTS",
        ],
        &[40, 20, 28, 9, 18, 20, 20, 5, 60],
        || all.iter().map(row),
        out,
    )
}

#[derive(Serialize)]
pub struct WhoWhen<'a> {
    pub time: String,
    pub actor: &'a str,
}

#[derive(Serialize)]
pub struct RefJson<'a> {
    #[serde(rename = "ref")]
    pub reference: &'a str,
    pub commit: &'a str,
}

#[derive(Serialize)]
pub struct PushJson<'a> {
    pub time: Option<String>,
    pub actor: &'a str,
    pub refs: Vec<RefJson<'a>>,
}

#[derive(Serialize)]
pub struct RepoJson<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub name: &'a str,
    pub events: u64,
    pub pushes: usize,
    pub pulls: u64,
    pub pulls_with_data: u64,
    pub branches_created: u64,
    pub archive_uploads: u64,
    pub created: Option<WhoWhen<'a>>,
    pub deleted: Option<WhoWhen<'a>>,
    pub last_activity: Option<String>,
    pub pipelines: &'a [String],
    pub recent_pushes: Vec<PushJson<'a>>,
}

pub fn repo_json(r: &RepoSummary) -> RepoJson<'_> {
    RepoJson {
        account: &r.account,
        region: &r.region,
        name: &r.name,
        events: r.events,
        pushes: r.pushes.len(),
        pulls: r.pulls,
        pulls_with_data: r.pulls_with_data,
        branches_created: r.branches_created,
        archive_uploads: r.archive_uploads,
        created: r.created.as_ref().map(|(t, a)| WhoWhen {
            time: format_time(*t),
            actor: a,
        }),
        deleted: r.deleted.as_ref().map(|(t, a)| WhoWhen {
            time: format_time(*t),
            actor: a,
        }),
        last_activity: time(r.last_activity),
        pipelines: &r.pipelines,
        recent_pushes: r
            .pushes
            .iter()
            .rev()
            .take(RECENT)
            .map(|p| PushJson {
                time: time(p.time),
                actor: &p.actor,
                refs: p
                    .refs
                    .iter()
                    .map(|(r, c)| RefJson {
                        reference: r,
                        commit: c,
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub fn repos_table(all: &[RepoSummary]) -> String {
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|r| {
            vec![
                r.account.clone(),
                r.region.clone(),
                r.name.clone(),
                r.pushes.len().to_string(),
                format!("{} ({} with data)", r.pulls, r.pulls_with_data),
                r.branches_created.to_string(),
                r.archive_uploads.to_string(),
                r.created
                    .as_ref()
                    .map(|(t, a)| format!("{} by {a}", format_time(*t)))
                    .unwrap_or_else(|| "-".into()),
                r.deleted
                    .as_ref()
                    .map(|(t, a)| format!("{} by {a}", format_time(*t)))
                    .unwrap_or_else(|| "-".into()),
                time(r.last_activity).unwrap_or_else(|| "-".into()),
                r.pipelines.join(","),
            ]
        })
        .collect();
    super::table::render(
        &[
            "ACCOUNT",
            "REGION",
            "REPOSITORY",
            "PUSHES",
            "PULLS",
            "BRANCHES",
            "UPLOADS",
            "CREATED",
            "DELETED",
            "LAST ACTIVITY",
            "PIPELINES",
        ],
        &rows,
        &[14, 16, 40, 7, 22, 9, 8, 40, 40, 22, 40],
    )
}
