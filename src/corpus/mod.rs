//! A deterministic generator of realistic CloudTrail archives.
//!
//! It writes the S3 delivery tree (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
//! <account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json.gz`), one file per
//! account, region and 5-minute window, events in delivery (not time) order.
//! Around everyday traffic it tells stories trailscope must understand: CodeCommit
//! pushes (as pairs), pulls and branches; CodePipeline lifetimes with full
//! structures, rejected updates, gaps, a deleted and re-created pipeline, the same
//! pipeline name in two regions. A few files are delivered twice (duplicates).
//! Same seed, same bytes.

pub mod identity;
pub mod noise;
pub mod rng;
pub mod stories;

use crate::model::time::parse_event_time;
use flate2::{Compression, write::GzEncoder};
pub use identity::Cardinality;
use rayon::prelude::*;
use rng::Rng;
use serde_json::Value;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use stories::{PipelinePlan, Stream, Timed};

#[derive(Debug, Clone)]
pub struct Spec {
    pub events: usize,
    pub seed: u64,
    /// Mean events per delivery file.
    pub events_per_file: usize,
    /// Write one file of JSON lines (for the bundled demo) instead of the S3 tree.
    pub single_file: bool,
    /// How many distinct identities, keys, user agents and addresses the background traffic has.
    pub cardinality: Cardinality,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            events: 10_000,
            seed: 1,
            events_per_file: 100,
            single_file: false,
            cardinality: Cardinality::Demo,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    pub files: usize,
    /// Distinct events written (re-delivered copies not counted).
    pub events: usize,
    /// Events written a second time in re-delivered files.
    pub duplicate_events: usize,
    pub bytes: u64,
}

pub const ACCOUNTS: [&str; 2] = ["111122223333", "444455556666"];
pub const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "us-east-2"];
const WINDOW_MS: i64 = 5 * 60 * 1000;
/// Every file with `index % REDELIVER_EVERY == 7` is delivered twice.
const REDELIVER_EVERY: usize = 200;

struct FilePlan {
    cardinality: Cardinality,
    account: &'static str,
    region: &'static str,
    window: i64,
    story: Vec<Timed>,
    noise: usize,
    seed: u64,
}

fn streams() -> Vec<(&'static str, &'static str)> {
    ACCOUNTS
        .iter()
        .flat_map(|a| REGIONS.iter().map(move |r| (*a, *r)))
        .collect()
}

/// The stories of one (account, region) stream.
fn stream_stories(rng: &mut Rng, s: &Stream, per_stream: usize, stream_no: usize) -> Vec<Timed> {
    let repos: Vec<String> = match stream_no % 3 {
        0 => vec!["infra".into(), "web-app".into(), "payments-service".into()],
        1 => vec!["web-app".into(), "data-pipeline".into()],
        _ => vec!["docs".into(), "infra".into()],
    };
    let push_scale = per_stream / 600;
    let mut out = stories::repositories(rng, s, &repos, push_scale);
    let updates = (per_stream / 2000).max(9);
    let plans = [
        PipelinePlan {
            name: "Deploy",
            repo: &repos[0],
            starts_at: if stream_no == 1 { Some(7) } else { None },
            delete_and_recreate: false,
        },
        PipelinePlan {
            name: if stream_no % 3 == 1 {
                "data-etl"
            } else {
                "web-release"
            },
            repo: &repos[1],
            starts_at: None,
            delete_and_recreate: stream_no == 0,
        },
    ];
    for plan in &plans {
        // "Deploy" lives in every region of the first account (same name, separate pipelines).
        if plan.name == "Deploy" && stream_no >= REGIONS.len() {
            continue;
        }
        out.extend(stories::pipeline(rng, s, plan, updates));
    }
    out
}

fn plan_files(spec: &Spec) -> Vec<FilePlan> {
    let root = Rng::new(spec.seed);
    let streams = streams();
    let per_stream = spec.events.div_ceil(streams.len()).max(1);
    let windows = per_stream.div_ceil(spec.events_per_file.max(1)).max(1) as i64;
    let start = parse_event_time("2024-03-01T00:00:00Z").unwrap_or(0);
    let end = start + windows * WINDOW_MS;
    let mut plans = Vec::new();
    let mut story_total = 0usize;
    let mut per_stream_files: Vec<Vec<FilePlan>> = Vec::new();
    for (n, (account, region)) in streams.iter().enumerate() {
        let mut rng = root.fork(n as u64 + 1);
        let s = Stream {
            account,
            region,
            start,
            end,
        };
        let mut story = stream_stories(&mut rng, &s, per_stream, n);
        story.retain(|(t, _)| *t >= start && *t < end);
        story.sort_by_key(|(t, _)| *t);
        story_total += story.len();
        let mut files: Vec<FilePlan> = (0..windows)
            .map(|w| FilePlan {
                cardinality: spec.cardinality,
                account,
                region,
                window: start + w * WINDOW_MS,
                story: Vec::new(),
                noise: 0,
                seed: rng.next_u64(),
            })
            .collect();
        for (t, ev) in story {
            let w = ((t - start) / WINDOW_MS).clamp(0, windows - 1) as usize;
            files[w].story.push((t, ev));
        }
        per_stream_files.push(files);
    }
    // Spread the remaining events over all files with a varied but exact count.
    let total_files: usize = per_stream_files.iter().map(|f| f.len()).sum();
    let noise_total = spec.events.saturating_sub(story_total);
    let mut rng = root.fork(0xF11E);
    let weights: Vec<u64> = (0..total_files).map(|_| rng.range(30, 170)).collect();
    let sum: u64 = weights.iter().sum::<u64>().max(1);
    let mut assigned = 0usize;
    let mut k = 0;
    // Interleave streams so the output is in time order across the tree.
    for files in &mut per_stream_files {
        for f in files.iter_mut() {
            f.noise = (noise_total as u128 * weights[k] as u128 / sum as u128) as usize;
            assigned += f.noise;
            k += 1;
        }
    }
    let mut leftover = noise_total - assigned.min(noise_total);
    let mut i = 0;
    while leftover > 0 {
        let s = i % per_stream_files.len();
        let w = (i / per_stream_files.len()) % per_stream_files[s].len();
        per_stream_files[s][w].noise += 1;
        leftover -= 1;
        i += 1;
    }
    for files in per_stream_files {
        plans.extend(files);
    }
    plans
}

/// The events of one file, in delivery order.
fn file_events(plan: &FilePlan) -> Vec<Value> {
    let mut rng = Rng::new(plan.seed);
    let mut timed: Vec<Timed> = plan.story.clone();
    for _ in 0..plan.noise {
        let t = plan.window + rng.below(WINDOW_MS as u64) as i64;
        timed.push((
            t,
            noise::event(&mut rng, t, plan.account, plan.region, plan.cardinality),
        ));
    }
    timed.sort_by_key(|(t, _)| *t);
    // Delivery order is roughly, not strictly, time order.
    for i in 1..timed.len() {
        if rng.chance(0.2) {
            timed.swap(i - 1, i);
        }
    }
    timed.into_iter().map(|(_, ev)| ev).collect()
}

fn delivery_path(plan: &FilePlan, rng: &mut Rng, copy: bool) -> PathBuf {
    let stamp =
        chrono::DateTime::from_timestamp_millis(plan.window + WINDOW_MS).unwrap_or_default();
    let prefix = if copy {
        format!("AWSLogs/o-exampleorg1/{}", plan.account)
    } else {
        format!("AWSLogs/{}", plan.account)
    };
    PathBuf::from(format!(
        "{prefix}/CloudTrail/{}/{}/{}_CloudTrail_{}_{}_{}.json.gz",
        plan.region,
        stamp.format("%Y/%m/%d"),
        plan.account,
        plan.region,
        stamp.format("%Y%m%dT%H%MZ"),
        rng.alnum(16)
    ))
}

fn gzip(bytes: &[u8]) -> io::Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 8), Compression::new(6));
    enc.write_all(bytes)?;
    enc.finish()
}

/// Writes the corpus under `out` and says what it wrote.
pub fn generate(spec: &Spec, out: &Path) -> io::Result<Summary> {
    let plans = plan_files(spec);
    if spec.single_file {
        let mut body = Vec::new();
        let mut events = 0;
        let mut all: Vec<Value> = plans.iter().flat_map(file_events).collect();
        all.sort_by(|a, b| a["eventTime"].as_str().cmp(&b["eventTime"].as_str()));
        for ev in &all {
            serde_json::to_writer(&mut body, ev)?;
            body.push(b'\n');
            events += 1;
        }
        std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))?;
        let z = gzip(&body)?;
        std::fs::write(out, &z)?;
        return Ok(Summary {
            files: 1,
            events,
            duplicate_events: 0,
            bytes: body.len() as u64,
        });
    }
    let results: Vec<io::Result<Summary>> = plans
        .par_iter()
        .enumerate()
        .map(|(i, plan)| {
            let events = file_events(plan);
            let mut body = Vec::with_capacity(events.len() * 1200 + 16);
            body.extend_from_slice(b"{\"Records\":[");
            for (n, ev) in events.iter().enumerate() {
                if n > 0 {
                    body.push(b',');
                }
                serde_json::to_writer(&mut body, ev)?;
            }
            body.extend_from_slice(b"]}");
            let z = gzip(&body)?;
            let mut rng = Rng::new(plan.seed ^ 0xABCD);
            let mut summary = Summary {
                files: 1,
                events: events.len(),
                duplicate_events: 0,
                bytes: body.len() as u64,
            };
            let write = |rel: PathBuf| -> io::Result<()> {
                let path = out.join(rel);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(path, &z)
            };
            write(delivery_path(plan, &mut rng, false))?;
            if i % REDELIVER_EVERY == 7 && !events.is_empty() {
                write(delivery_path(plan, &mut rng, true))?;
                summary.files += 1;
                summary.duplicate_events = events.len();
                summary.bytes += body.len() as u64;
            }
            Ok(summary)
        })
        .collect();
    let mut total = Summary::default();
    for r in results {
        let s = r?;
        total.files += s.files;
        total.events += s.events;
        total.duplicate_events += s.duplicate_events;
        total.bytes += s.bytes;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn events(cardinality: Cardinality) -> Vec<Value> {
        let spec = Spec {
            events: 20_000,
            cardinality,
            ..Spec::default()
        };
        plan_files(&spec).iter().flat_map(file_events).collect()
    }

    fn distinct(evs: &[Value], pointer: &str) -> usize {
        evs.iter()
            .filter_map(|e| e.pointer(pointer).and_then(Value::as_str))
            .collect::<HashSet<_>>()
            .len()
    }

    #[test]
    fn realistic_cardinality_has_a_key_per_session_and_many_agents() {
        let evs = events(Cardinality::Realistic);
        assert_eq!(
            evs,
            events(Cardinality::Realistic),
            "same seed, same events"
        );
        let keys = distinct(&evs, "/userIdentity/accessKeyId");
        let arns = distinct(&evs, "/userIdentity/arn");
        // A session keeps its key for minutes to hours: fewer keys than role events, many more than ARNs.
        let roles = evs
            .iter()
            .filter(|e| e["userIdentity"]["type"] == "AssumedRole")
            .count();
        assert!(
            keys > roles / 3 && keys < roles,
            "{keys} keys, {roles} role events"
        );
        assert!(arns > 500 && arns < keys, "{arns} ARNs, {keys} keys");
        assert!(distinct(&evs, "/userAgent") > 500);
        assert!(distinct(&evs, "/sourceIPAddress") > 1000);
        // The stories stay: pushes and pipeline updates are still there.
        let named = |n: &str| evs.iter().filter(|e| e["eventName"] == n).count();
        assert!(named("GitPush") > 0 && named("UpdatePipeline") > 0);
    }

    #[test]
    fn distinct_cardinality_repeats_no_value_of_background_events() {
        let evs = events(Cardinality::Distinct);
        let noise: Vec<Value> = evs
            .into_iter()
            .filter(|e| e["resources"][0]["type"] == "AWS::S3::Object")
            .collect();
        assert!(noise.len() > 15_000);
        for p in [
            "/userIdentity/accessKeyId",
            "/userIdentity/arn",
            "/sourceIPAddress",
            "/userAgent",
            "/resources/0/ARN",
        ] {
            assert_eq!(distinct(&noise, p), noise.len(), "{p}");
        }
    }
}
