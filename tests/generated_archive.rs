//! End to end on a generated S3 delivery tree: counts add up, and the streaming
//! `query` path agrees with the index and the filter evaluated on it.

mod common;
use common::*;
use trailscope::load::{LoadOptions, Progress, load};
use trailscope::query::{Compiled, Filter};

#[test]
fn counts_add_up() {
    let (dir, summary) = corpus(6_000, 7);
    let (v, r) = stats_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert_eq!(v["events"].as_u64().unwrap() as usize, summary.events);
    assert_eq!(
        v["duplicates"].as_u64().unwrap() as usize,
        summary.duplicate_events
    );
    assert_eq!(v["files"]["read"].as_u64().unwrap() as usize, summary.files);
    assert_eq!(v["files"]["failed"], 0);
    assert!(v["by_source"]["codecommit.amazonaws.com"].as_u64().unwrap() > 0);
    let updates = run(&[
        "query",
        "--format",
        "csv",
        "--event",
        "UpdatePipeline",
        dir.path().to_str().unwrap(),
    ]);
    assert!(updates.stdout.lines().count() > 10, "{}", updates.stdout);
}

#[test]
fn the_generator_is_deterministic() {
    let (a, sa) = corpus(2_000, 3);
    let (b, sb) = corpus(2_000, 3);
    assert_eq!(sa, sb);
    let list = |d: &std::path::Path| {
        let mut v: Vec<(String, Vec<u8>)> = walk(d)
            .into_iter()
            .map(|p| {
                (
                    p.strip_prefix(d).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(list(a.path()), list(b.path()));
    let (c, _) = corpus(2_000, 4);
    assert_ne!(list(a.path()), list(c.path()));
}

fn walk(d: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}

#[test]
fn query_matches_the_index_for_every_kind_of_term() {
    let (dir, _) = corpus(8_000, 11);
    let opts = LoadOptions::default();
    let (index, _) = load(&[dir.path().to_path_buf()], &opts, &Progress::default());
    let filters = [
        "user:alice",
        "user:Deployer errors",
        "repo:infra event:GitPush,GitPull",
        "pipeline:Deploy -event:GetPipeline",
        "source:codecommit region:eu-west-1",
        "account:444455556666 mutating",
        "readonly since:2024-03-01T01:00:00Z until:2024-03-01T03:00:00Z",
        "error:AccessDenied,ThrottlingException",
        "gitpsh",
        "user:=\"José García\"",
    ];
    for text in filters {
        let filter = Filter::parse(text).unwrap();
        let compiled = Compiled::new(&filter, &index);
        let expected: Vec<String> = compiled
            .select()
            .into_iter()
            .map(|i| {
                let e = index.event(i as usize);
                format!(
                    "{},{}",
                    trailscope::model::time::format_time(e.time()),
                    e.name()
                )
            })
            .collect();
        let r = run(&[
            "query",
            "--format",
            "csv",
            "--filter",
            text,
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{text}: {}", r.stderr);
        let got: Vec<String> = r
            .stdout
            .lines()
            .skip(1)
            .map(|l| l.splitn(3, ',').take(2).collect::<Vec<_>>().join(","))
            .collect();
        assert!(
            !expected.is_empty(),
            "{text} should match something in the corpus"
        );
        assert_eq!(got, expected, "{text}");
    }
}

#[test]
fn cli_flags_mean_the_same_as_tokens() {
    let (dir, _) = corpus(3_000, 5);
    let p = dir.path().to_str().unwrap();
    let flags = run(&[
        "query",
        "--format",
        "jsonl",
        "--user",
        "bob",
        "--event",
        "GitPush,GitPull",
        "--source",
        "codecommit",
        p,
    ]);
    let tokens = run(&[
        "query",
        "--format",
        "jsonl",
        "--filter",
        "user:bob event:GitPush,GitPull source:codecommit",
        p,
    ]);
    assert!(!flags.stdout.is_empty());
    assert_eq!(flags.stdout, tokens.stdout);
    for line in flags.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["eventSource"], "codecommit.amazonaws.com");
        assert!(
            v["userIdentity"]["userName"]
                .as_str()
                .unwrap()
                .contains("bob")
        );
    }
}

#[test]
fn text_search_reads_raw_events() {
    let (dir, _) = corpus(3_000, 9);
    let p = dir.path().to_str().unwrap();
    let r = run(&["query", "--format", "jsonl", "--text", "CLOUDFORMATION", p]);
    assert!(!r.stdout.is_empty());
    assert!(
        r.stdout
            .lines()
            .all(|l| l.to_lowercase().contains("cloudformation"))
    );
    let (v, _) = stats_json(&["--text", "CLOUDFORMATION", p]);
    assert_eq!(
        v["events"].as_u64().unwrap() as usize,
        r.stdout.lines().count()
    );
}
