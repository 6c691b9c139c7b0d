//! Per-repository summaries of CodeCommit activity.
//!
//! A successful push is logged as two `GitPush` records (the negotiation, without
//! references, and the update, with them); here they are one push. Records are
//! paired when they concern the same repository, come from the same actor and IP
//! within a minute, and one carries references the other lacks. A record without
//! its partner is still a push.

use crate::index::Index;
use crate::model::{Millis, NO_TIME};
use crate::pipeline::history::Lifetime;
use serde_json::Value;
use std::collections::BTreeMap;

/// How far apart the two records of one push may be.
const PAIR_WINDOW_MS: i64 = 60_000;
/// Pushes listed in `recent_pushes`.
pub const RECENT: usize = 10;

#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    pub time: Millis,
    pub actor: String,
    pub source_ip: String,
    /// (ref, commit).
    pub refs: Vec<(String, String)>,
    /// The `GitPush` events of this push (one or two).
    pub events: Vec<u32>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepoSummary {
    pub account: String,
    pub region: String,
    pub name: String,
    pub events: u64,
    /// Chronological.
    pub pushes: Vec<Push>,
    pub pulls: u64,
    pub pulls_with_data: u64,
    pub branches_created: u64,
    pub archive_uploads: u64,
    pub created: Option<(Millis, String)>,
    pub deleted: Option<(Millis, String)>,
    pub last_activity: Millis,
    /// Pipelines whose CodeCommit source action reads this repository (same account and region).
    pub pipelines: Vec<String>,
}

/// Every CodeCommit repository in the index, by account, region and name.
pub fn repos(index: &Index, pipelines: &[Lifetime]) -> Vec<RepoSummary> {
    repos_of(index, pipelines, None)
}

/// The CodeCommit repositories of `events` (every event when `None`).
pub fn repos_of(index: &Index, pipelines: &[Lifetime], events: Option<&[u32]>) -> Vec<RepoSummary> {
    let mut map: BTreeMap<(String, String, String), RepoSummary> = BTreeMap::new();
    let n = events.map_or(index.len(), <[u32]>::len);
    for k in 0..n {
        let i = events.map_or(k, |e| e[k] as usize);
        let e = index.event(i);
        if e.source() != "codecommit.amazonaws.com" {
            continue;
        }
        let failed = !e.error().is_empty();
        for name in e.repositories() {
            let key = (
                e.account().to_string(),
                e.region().to_string(),
                name.to_string(),
            );
            let r = map.entry(key.clone()).or_insert_with(|| RepoSummary {
                account: key.0.clone(),
                region: key.1.clone(),
                name: key.2.clone(),
                last_activity: NO_TIME,
                ..RepoSummary::default()
            });
            r.events += 1;
            if e.time() != NO_TIME {
                r.last_activity = if r.last_activity == NO_TIME {
                    e.time()
                } else {
                    r.last_activity.max(e.time())
                };
            }
            if failed {
                continue;
            }
            match e.name() {
                "GitPush" => add_push(r, i as u32, index),
                "GitPull" => {
                    r.pulls += 1;
                    if e.data_transferred() == Some(true) {
                        r.pulls_with_data += 1;
                    }
                }
                "CreateBranch" => r.branches_created += 1,
                "UploadArchive" => r.archive_uploads += 1,
                "CreateRepository" => r.created = Some((e.time(), e.actor().to_string())),
                "DeleteRepository" => r.deleted = Some((e.time(), e.actor().to_string())),
                _ => {}
            }
        }
    }
    let readers = source_readers(pipelines);
    map.into_values()
        .map(|mut r| {
            r.pipelines = readers
                .get(&(r.account.clone(), r.region.clone(), r.name.clone()))
                .cloned()
                .unwrap_or_default();
            r
        })
        .collect()
}

fn add_push(r: &mut RepoSummary, event: u32, index: &Index) {
    let e = index.event(event as usize);
    let refs: Vec<(String, String)> = e
        .git_refs()
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let has_refs = !refs.is_empty();
    let partner = r.pushes.iter_mut().rev().take(8).find(|p| {
        let other_has_refs = !p.refs.is_empty();
        p.events.len() == 1
            && p.actor == e.actor()
            && p.source_ip == e.source_ip()
            && (e.time() - p.time).abs() <= PAIR_WINDOW_MS
            && other_has_refs != has_refs
    });
    match partner {
        Some(p) => {
            p.events.push(event);
            if has_refs {
                p.refs = refs;
            }
        }
        None => r.pushes.push(Push {
            time: e.time(),
            actor: e.actor().to_string(),
            source_ip: e.source_ip().to_string(),
            refs,
            events: vec![event],
        }),
    }
}

/// (account, region, repository) → names of pipelines whose CodeCommit source
/// action reads it, in the latest known version of each pipeline lifetime still alive.
fn source_readers(pipelines: &[Lifetime]) -> BTreeMap<(String, String, String), Vec<String>> {
    let mut out: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    for l in pipelines.iter().filter(|l| l.deleted.is_none()) {
        let Some(latest) = l.latest() else { continue };
        let stages = latest
            .structure
            .get("stages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for stage in &stages {
            for action in stage
                .get("actions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let kind = action.get("actionTypeId").or(action.get("actionType"));
                let provider = kind.and_then(|k| k.get("provider")).and_then(Value::as_str);
                let category = kind.and_then(|k| k.get("category")).and_then(Value::as_str);
                if provider != Some("CodeCommit") || category.is_some_and(|c| c != "Source") {
                    continue;
                }
                if let Some(repo) = action
                    .pointer("/configuration/RepositoryName")
                    .and_then(Value::as_str)
                {
                    let names = out
                        .entry((l.account.clone(), l.region.clone(), repo.to_string()))
                        .or_default();
                    if !names.contains(&l.name) {
                        names.push(l.name.clone());
                    }
                }
            }
        }
    }
    out
}
