//! The filter language against a brute-force reference: every field, OR, NOT,
//! wildcards and times, evaluated three ways on a generated trail — the index
//! (`Compiled`), the streaming CLI (`matches_fields`) and a naive reading of the
//! rules written here — must select the same events. Plus round trips of the
//! text form over generated filters.

mod common;
use proptest::prelude::*;
use std::net::IpAddr;
use trailscope::load::shapes::decode_events;
use trailscope::load::{LoadOptions, Progress, load};
use trailscope::model::EventFields;
use trailscope::query::{Compiled, Cond, Filter, Match, Term};

/// Lower case, accents dropped.
fn norm(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// Naive wildcard match (exponential in the worst case; fine for short test patterns).
fn glob(p: &[char], v: &[char]) -> bool {
    match p.split_first() {
        None => v.is_empty(),
        Some(('*', rest)) => (0..=v.len()).any(|k| glob(rest, &v[k..])),
        Some(('?', rest)) => !v.is_empty() && glob(rest, &v[1..]),
        Some((c, rest)) => v.first() == Some(c) && glob(rest, &v[1..]),
    }
}

fn text_match(m: &Match, value: &str, prefix: bool) -> bool {
    if value.is_empty() {
        return false;
    }
    let (v, t) = (norm(value), norm(&m.text));
    let pattern: String = if m.exact {
        t
    } else if prefix {
        format!("{t}*")
    } else {
        format!("*{t}*")
    };
    let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), v.chars().collect());
    glob(&p, &v)
}

fn ip_match(m: &Match, value: &str) -> bool {
    if let Some((net, bits)) = m.text.split_once('/')
        && !m.exact
        && let (Ok(net), Ok(bits), Ok(ip)) = (
            net.parse::<IpAddr>(),
            bits.parse::<u32>(),
            value.parse::<IpAddr>(),
        )
    {
        return match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                bits == 0 || (u32::from(n) >> (32 - bits)) == (u32::from(i) >> (32 - bits))
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                bits == 0 || (u128::from(n) >> (128 - bits)) == (u128::from(i) >> (128 - bits))
            }
            _ => false,
        };
    }
    let whole = m.exact || m.text.parse::<IpAddr>().is_ok();
    text_match(
        &Match {
            text: m.text.clone(),
            exact: whole,
        },
        value,
        false,
    )
}

fn any_exact(list: &[String], value: &str) -> bool {
    list.iter()
        .any(|x| text_match(&Match::exact(x), value, false))
}

/// Ids are exact, but a UUID is the same id in any case.
fn same_id(a: &str, b: &str) -> bool {
    let uuid = |s: &str| {
        s.len() == 36
            && s.char_indices().all(|(i, c)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            })
    };
    a == b || (uuid(a) && uuid(b) && a.eq_ignore_ascii_case(b))
}

fn reference(terms: &[Term], f: &EventFields<'_>, raw: &str, newest: i64) -> bool {
    terms.iter().all(|t| {
        let any = |m: &[Match], values: &[&str]| {
            m.iter()
                .any(|m| values.iter().any(|v| text_match(m, v, false)))
        };
        let hit = match &t.cond {
            Cond::User(m) => {
                any(m, &[&f.actor, &f.arn, &f.principal])
                    || m.iter()
                        .any(|m| m.exact && text_match(m, &f.access_key, false))
            }
            Cond::Key(m) => m.iter().any(|m| text_match(m, &f.access_key, true)),
            Cond::Ip(m) => m.iter().any(|m| ip_match(m, &f.source_ip)),
            Cond::Agent(m) => any(m, &[&f.user_agent]),
            Cond::Type(m) => any(m, &[&f.identity_type]),
            Cond::Repo(m) => f.repositories.iter().any(|r| any(m, &[r])),
            Cond::Pipeline(m) => f.pipelines.iter().any(|p| any(m, &[p])),
            Cond::Resource(m) => {
                // The ARNs straight from the raw JSON, not from the decoder.
                let v: serde_json::Value = serde_json::from_str(raw).unwrap_or_default();
                let arns: Vec<&str> = v["resources"]
                    .as_array()
                    .map(|l| l.iter().filter_map(|r| r["ARN"].as_str()).collect())
                    .unwrap_or_default();
                f.repositories
                    .iter()
                    .chain(f.pipelines.iter())
                    .any(|r| any(m, &[r]))
                    || any(m, &[f.resource()])
                    || arns.iter().any(|a| any(m, &[a]))
            }
            Cond::Id(l) => l.iter().any(|id| {
                [&f.event_id, &f.request_id, &f.shared_event_id]
                    .iter()
                    .any(|v| !v.is_empty() && same_id(v, id))
            }),
            Cond::Event(l) => any_exact(l, &f.name),
            Cond::Source(l) => any_exact(l, &f.source),
            Cond::Account(l) => any_exact(l, &f.account),
            Cond::Region(l) => any_exact(l, &f.region),
            Cond::ErrorCode(l) => any_exact(l, &f.error_code),
            Cond::Since(s) => f.time >= *s && f.time != i64::MAX,
            Cond::Until(u) => f.time < *u,
            Cond::Last(ms) => f.time >= newest - ms && f.time != i64::MAX,
            Cond::Errors => !f.error_code.is_empty(),
            Cond::ReadOnly => f.read_only == Some(true),
            Cond::Mutating => f.read_only == Some(false),
            Cond::Text(s) if s.contains(['*', '?']) => {
                let p: Vec<char> = format!("*{}*", norm(s)).chars().collect();
                glob(&p, &norm(raw).chars().collect::<Vec<_>>())
            }
            Cond::Text(s) => norm(raw).contains(&norm(s)),
            Cond::Group(alts) => alts.iter().any(|a| reference(a, f, raw, newest)),
            Cond::Fuzzy(_) | Cond::Conflict => {
                unreachable!("no naive reference for fuzzy words and conflicts")
            }
        };
        hit != t.negated
    })
}

const FILTERS: &[&str] = &[
    "user:alice",
    "user:ALICE",
    "user:jose",
    "user:=alice",
    "user:*@example.com",
    "user:=*Admin*",
    "user:bob | user:carol",
    "(user:bob | user:carol) event:GitPush",
    "user:bob | user:carol event:GitPush",
    "-(source:s3 readonly)",
    "-(user:alice | errors) region:us-*",
    "key:ASIA",
    "key:AKIA",
    "key:=ASIAIOSFODNN7ALICE05",
    "ip:203.0.113.0/24",
    "ip:198.51.100.7",
    "ip:203.0.113.1",
    "ip:amazonaws",
    "ip:0.0.0.0/0 -ip:10.0.0.0/8",
    "agent:aws-cli",
    "agent:*Boto3*",
    "type:AssumedRole",
    "type:=Root | type:AWSService",
    "repo:infra",
    "repo:=infra",
    "repo:web*",
    "pipeline:Deploy",
    "resource:infra",
    "resource:deploy | resource:payments",
    "resource:arn:aws:s3",
    "resource:\"arn:aws:codecommit:*:infra\"",
    "resource:=arn:aws:s3:::*",
    "event:Git*",
    "event:GitPu?h,GetObject",
    "event:*Pipeline*",
    "source:code*",
    "source:codecommit",
    "account:1111*",
    "region:eu-*",
    "error:AccessDenied*",
    "error:*",
    "errors -error:AccessDenied",
    "readonly | mutating",
    "since:2024-03-01T06 until:2024-03-01T07:30",
    "since:2024-03-01T06:00+01:00",
    "last:2h",
    "last:30m errors",
    "text:GitPush",
    "text:\"us-east-1\" -text:alice",
    "text:assumed*alice",
    "text:\"GitPu?h\"",
    "(((event:GitPush)))",
    "event:GitPush | event:GitPull | event:GetObject | errors",
];

#[test]
fn index_streaming_and_reference_agree() {
    let (dir, _) = common::corpus(1_500, 12);
    let (index, _) = load(
        &[dir.path().to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    );
    // Every indexed event's decoded fields and raw JSON, by position in the index.
    let mut decoded: Vec<Vec<(String, EventFields<'static>)>> = Vec::new();
    for file in &index.files {
        let text = String::from_utf8_lossy(
            &trailscope::load::read::read_file(&file.path, u64::MAX)
                .unwrap()
                .text,
        )
        .into_owned();
        let mut events = Vec::new();
        decode_events(&text, &mut |raw, f| {
            events.push((raw.to_string(), f.clone().into_owned()))
        });
        decoded.push(events);
    }
    let newest = index
        .cols
        .time
        .iter()
        .rev()
        .find(|&&t| t != i64::MAX)
        .copied()
        .unwrap();
    // Ids the trail holds: an eventID, a requestID in upper case (a GitPush's
    // two records share theirs), and one of each with a miss.
    let some = |i: usize| &decoded[index.cols.file[i] as usize][index.cols.ordinal[i] as usize].1;
    let pushes: Vec<usize> = (0..index.len())
        .filter(|&i| some(i).name == "GitPush")
        .collect();
    let (a, b) = (some(index.len() / 3), some(pushes[0]));
    let dynamic = [
        format!("id:{}", a.event_id),
        format!("id:{}", b.request_id.to_uppercase()),
        format!("id:{},nope-{}", b.event_id, a.request_id),
        format!("-id:{} event:GitPush", b.request_id),
    ];
    let mut nonempty = 0;
    for text in FILTERS
        .iter()
        .copied()
        .chain(dynamic.iter().map(String::as_str))
    {
        let filter = Filter::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let prepared = filter.prepare_with(&index);
        let by_index = trailscope::cli::select(&index, &filter);
        let mut by_stream = Vec::new();
        let mut by_reference = Vec::new();
        for i in 0..index.len() {
            let (raw, f) = &decoded[index.cols.file[i] as usize][index.cols.ordinal[i] as usize];
            if filter.matches_fields(f, raw, &prepared) {
                by_stream.push(i as u32);
            }
            if reference(&filter.terms, f, raw, newest) {
                by_reference.push(i as u32);
            }
        }
        assert_eq!(by_index, by_reference, "index vs reference for {text}");
        assert_eq!(by_stream, by_reference, "streaming vs reference for {text}");
        // Without the raw search, text: terms are undecided and let events through.
        assert!(Compiled::new(&filter, &index).select().len() >= by_index.len());
        if !by_reference.is_empty() && by_reference.len() < index.len() {
            nonempty += 1;
        }
    }
    assert!(
        nonempty >= FILTERS.len() * 3 / 4,
        "most filters select some but not all events ({nonempty})"
    );
}

#[test]
fn fuzzy_words_agree_between_the_index_and_the_streaming_cli() {
    let (dir, _) = common::corpus(1_500, 13);
    let (index, _) = load(
        &[dir.path().to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    );
    for text in [
        "alice",
        "gitpsh",
        "deploy",
        "203.0.113",
        "qxzqxz",
        "user:bob infra",
    ] {
        let filter = Filter::parse(text).unwrap();
        let by_index = Compiled::new(&filter, &index).select().len();
        let path = dir.path().to_str().unwrap();
        let r = common::run(&["query", "--format", "jsonl", "--filter", text, path]);
        assert_eq!(r.stdout.lines().count(), by_index, "{text}: {}", r.stderr);
        // A word that matches no value says so instead of a silent 0, in the
        // streaming query and in the subcommands that filter the index.
        let unmatched = Compiled::new(&filter, &index).unmatched_words().to_vec();
        assert_eq!(unmatched.is_empty(), text != "qxzqxz", "{text}");
        let stats = common::run(&["stats", "--filter", text, path]);
        for r in [&r, &stats] {
            assert_eq!(
                r.stderr.contains("no value matches `qxzqxz`"),
                !unmatched.is_empty(),
                "{text}: {}",
                r.stderr
            );
        }
    }
}

/// Bare words against the definition: an event matches a word some value holds
/// as typed when one of its searched fields (identity, the eight columns, its
/// repositories and pipelines) holds it, folded. One-letter words are decided by
/// the events' character masks alone, longer ones are prefiltered by them: both
/// must agree with reading the fields, on a trail with a key and session per role
/// session and thousands of agents.
#[test]
fn bare_words_select_the_events_whose_fields_hold_them() {
    let dir = tempfile::tempdir().unwrap();
    let spec = trailscope::corpus::Spec {
        events: 2_000,
        seed: 29,
        events_per_file: 100,
        single_file: false,
        cardinality: trailscope::corpus::Cardinality::Realistic,
    };
    trailscope::corpus::generate(&spec, dir.path()).unwrap();
    let (index, _) = load(
        &[dir.path().to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    );
    let fields = |i: usize| -> Vec<String> {
        let p = index.identity_of(i);
        let c = &index.cols;
        let mut ids = vec![p.actor, p.arn, p.access_key];
        ids.extend([
            c.name[i],
            c.source[i],
            c.resource[i],
            c.source_ip[i],
            c.user_agent[i],
            c.error[i],
            c.account[i],
            c.region[i],
        ]);
        ids.extend(index.set(c.repos[i]));
        ids.extend(index.set(c.pipelines[i]));
        ids.iter().map(|&id| norm(index.strings.get(id))).collect()
    };
    let words: Vec<String> = ('a'..='z')
        .map(String::from)
        .chain(["0", "7", "de", "depl", "push", "203.0", "east-1", "role/"].map(String::from))
        .collect();
    let mut partial = 0;
    for word in &words {
        let want: Vec<u32> = (0..index.len())
            .filter(|&i| fields(i).iter().any(|v| v.contains(word.as_str())))
            .map(|i| i as u32)
            .collect();
        if want.is_empty() {
            continue; // scored as a scattered match instead: not this rule
        }
        let filter = Filter::parse(word).unwrap();
        let got = Compiled::new(&filter, &index).select();
        assert!(
            got == want,
            "`{word}`: {} events, want {}",
            got.len(),
            want.len()
        );
        let sel = trailscope::query::facets::select(&index, &Compiled::new(&filter, &index));
        assert!(
            sel.events == want,
            "`{word}` through the facet counting pass"
        );
        partial += usize::from(want.len() < index.len());
    }
    assert!(
        partial >= 20,
        "most words keep some events, not all ({partial})"
    );
}

fn leaf() -> impl Strategy<Value = Term> {
    let value = "[a-zA-Z0-9é*?@. :,()|\"=-]{1,8}";
    let cond = prop_oneof![
        value.prop_map(|v| Cond::User(vec![Match::substring(&v)])),
        value.prop_map(|v| Cond::Agent(vec![Match::exact(&v)])),
        value.prop_map(|v| Cond::Resource(vec![Match::substring(&v), Match::exact(&v)])),
        value.prop_map(|v| Cond::Region(vec![v])),
        value.prop_map(|v| Cond::ErrorCode(vec![v.clone(), v])),
        value.prop_map(Cond::Text),
        proptest::collection::vec("[a-zA-Z0-9-]{1,12}", 1..3).prop_map(Cond::Id),
        "[a-z]{1,6}"
            .prop_filter("not a keyword", |w| ![
                "or", "errors", "readonly", "mutating"
            ]
            .contains(&w.as_str()))
            .prop_map(Cond::Fuzzy),
        Just(Cond::Errors),
        Just(Cond::ReadOnly),
        (1i64..500).prop_map(|h| Cond::Last(h * 3_600_000)),
        (0i64..2_000_000_000).prop_map(|s| Cond::Since(s * 1000)),
    ];
    (any::<bool>(), cond).prop_map(|(negated, cond)| Term { negated, cond })
}

fn filter() -> impl Strategy<Value = Filter> {
    let alt = proptest::collection::vec(leaf(), 1..3);
    let group =
        (any::<bool>(), proptest::collection::vec(alt, 2..4)).prop_map(|(negated, alts)| Term {
            negated,
            cond: Cond::Group(alts),
        });
    let term = prop_oneof![3 => leaf(), 1 => group];
    proptest::collection::vec(term, 0..5).prop_map(|terms| Filter { terms })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_text_form_round_trips(f in filter()) {
        let text = f.to_text();
        prop_assert_eq!(Filter::parse(&text).ok(), Some(f), "{}", text);
    }
}

#[test]
fn id_finds_an_event_by_event_request_or_shared_event_id() {
    let dir = tempfile::tempdir().unwrap();
    let with = |id: &str, extra: &str| {
        common::event(id, "GetObject", "alice", "2024-03-01T10:00:00Z").replacen(
            '{',
            &format!("{{{extra}"),
            1,
        )
    };
    let lines = [
        with(
            "a1b2c3d4-0000-4000-8000-000000000001",
            r#""requestID":"3E59EE4F8D5A1C2B","#,
        ),
        // A cross-account event: both accounts' copies carry the sharedEventID.
        with(
            "a1b2c3d4-0000-4000-8000-000000000002",
            r#""sharedEventID":"9f8e7d6c-0000-4000-8000-0000000000aa","requestID":"c0ffee00-1111-4222-8333-444455556666","#,
        ),
        with("not-a-uuid-3", ""),
    ];
    let path = common::write(dir.path(), "t.jsonl", lines.join("\n"));
    let path = path.to_str().unwrap();
    let ids = |filter: &str| -> Vec<String> {
        let r = common::run(&["query", "--format", "jsonl", "--filter", filter, path]);
        assert_eq!(r.code, 0, "{filter}: {}", r.stderr);
        r.stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["eventID"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let n = |s: &str| vec![s.to_string()];
    assert_eq!(
        ids("id:A1B2C3D4-0000-4000-8000-000000000001"),
        n("a1b2c3d4-0000-4000-8000-000000000001")
    );
    assert_eq!(
        ids("id:3E59EE4F8D5A1C2B"),
        n("a1b2c3d4-0000-4000-8000-000000000001")
    );
    // Not a UUID: exact, case and all.
    assert!(ids("id:3e59ee4f8d5a1c2b").is_empty());
    assert!(
        ids("id:3E59EE4F8D5A1C2").is_empty(),
        "not a substring match"
    );
    assert_eq!(
        ids("id:9f8e7d6c-0000-4000-8000-0000000000aa"),
        n("a1b2c3d4-0000-4000-8000-000000000002")
    );
    assert_eq!(
        ids("id:c0ffee00-1111-4222-8333-444455556666"),
        n("a1b2c3d4-0000-4000-8000-000000000002")
    );
    assert_eq!(ids("id:not-a-uuid-3"), n("not-a-uuid-3"));
    assert_eq!(
        ids("-id:not-a-uuid-3,3E59EE4F8D5A1C2B"),
        n("a1b2c3d4-0000-4000-8000-000000000002")
    );
    // The index agrees (the browser, and subcommands with fuzzy words).
    let (index, _) = load(
        &[dir.path().to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    );
    for (filter, want) in [
        ("id:9F8E7D6C-0000-4000-8000-0000000000AA", 1),
        ("id:3E59EE4F8D5A1C2B", 1),
        ("id:3e59ee4f8d5a1c2b", 0),
        ("-id:not-a-uuid-3", 2),
    ] {
        let f = Filter::parse(filter).unwrap();
        assert_eq!(Compiled::new(&f, &index).select().len(), want, "{filter}");
    }
    // The flag is the term.
    let r = common::run(&[
        "query",
        "--format",
        "jsonl",
        "--id",
        "9f8e7d6c-0000-4000-8000-0000000000aa",
        path,
    ]);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stderr);
    let bad = common::run(&["query", "--filter", "id:a1b2*", path]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("without wildcards"), "{}", bad.stderr);
}

#[test]
fn every_field_has_its_flag_and_the_flag_means_the_term() {
    use clap::CommandFactory;
    let cmd = trailscope::cli::Cli::command();
    let query = cmd.find_subcommand("query").expect("query subcommand");
    let longs: Vec<String> = query
        .get_arguments()
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    for f in trailscope::query::fields::FIELDS {
        if let Some(flag) = f.flag {
            assert!(longs.contains(&flag.to_string()), "query has no {flag}");
        }
    }
    // A flag and its term select the same events.
    let (dir, _) = common::corpus(600, 5);
    let path = dir.path().to_str().unwrap();
    for (flag, value, term) in [
        ("--user", "alice", "user:alice"),
        ("--ip", "203.0.113.0/24", "ip:203.0.113.0/24"),
        ("--type", "AssumedRole", "type:AssumedRole"),
        ("--event", "GitPush,GitPull", "event:GitPush,GitPull"),
        ("--since", "2024-03-01T00:02", "since:2024-03-01T00:02"),
        ("--last", "1h", "last:1h"),
    ] {
        let a = common::run(&["query", "--format", "jsonl", flag, value, path]);
        let b = common::run(&["query", "--format", "jsonl", "--filter", term, path]);
        assert_eq!(a.code, 0, "{}", a.stderr);
        assert_eq!(a.stdout, b.stdout, "{flag} {value}");
        assert!(!a.stdout.is_empty(), "{flag} {value} selects something");
    }
    let bad = common::run(&["query", "--key", "AS", path]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("--key") && bad.stderr.contains("too short"),
        "{}",
        bad.stderr
    );
}

#[test]
fn subcommands_take_the_same_filters() {
    let (dir, _) = common::corpus(1_500, 12);
    let path = dir.path().to_str().unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        let r = common::run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", r.stdout))
    };
    // users aggregates over the matching events only.
    let all = json(&["users", "--format", "json", path]);
    let pushes = json(&["users", "--format", "json", "--event", "GitPush", path]);
    let total = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|u| u["events"].as_u64().unwrap())
            .sum::<u64>()
    };
    let stats = json(&["stats", "--format", "json", "--event", "GitPush", path]);
    assert_eq!(total(&pushes), stats["events"].as_u64().unwrap());
    assert!(total(&pushes) < total(&all));
    // repos too, and with a text filter.
    let repos = json(&["repos", "--format", "json", "--filter", "user:alice", path]);
    assert!(!repos.as_array().unwrap().is_empty());
    // query --format json is one array of the same events as jsonl.
    let array = json(&[
        "query",
        "--format",
        "json",
        "--filter",
        "event:Git* errors | repo:infra",
        path,
    ]);
    let lines = common::run(&[
        "query",
        "--format",
        "jsonl",
        "--filter",
        "event:Git* errors | repo:infra",
        path,
    ]);
    assert_eq!(
        array.as_array().unwrap().len(),
        lines.stdout.lines().count()
    );
    assert!(!lines.stdout.is_empty());
    // pipelines lists those with matching events; --pipeline NAME prints one history.
    let listed = json(&["pipelines", "--format", "json", "--user", "carol", path]);
    let every = json(&["pipelines", "--format", "json", path]);
    assert!(listed.as_array().unwrap().len() <= every.as_array().unwrap().len());
    let history = common::run(&["pipelines", "--pipeline", "web-release", path]);
    assert_eq!(history.code, 0, "{}", history.stderr);
    assert!(
        history.stdout.contains("lifetime 1") && history.stdout.contains("lifetime 2"),
        "{}",
        history.stdout
    );
    assert!(
        history.stdout.contains("VERSION") && history.stdout.contains("v1"),
        "{}",
        history.stdout
    );
    // `=NAME`, as in a term, names it too; a name no pipeline has says so.
    let exact = common::run(&["pipelines", "--pipeline", "=web-release", path]);
    assert_eq!(exact.stdout, history.stdout);
    let none = common::run(&["pipelines", "--pipeline", "nosuch", path]);
    assert!(
        none.stderr.contains("no pipeline is named like `nosuch`"),
        "{}",
        none.stderr
    );
    // diff reaches an earlier lifetime, and its JSON names both versions.
    let place = ["--account", "111122223333", "--region", "us-east-1"];
    let mut args = vec![
        "diff",
        "--pipeline",
        "web-release",
        "--format",
        "json",
        "--lifetime",
        "1",
    ];
    args.extend(place);
    args.push(path);
    let first = json(&args);
    assert_eq!(first["lifetime"], 1);
    for side in ["from_version", "to_version"] {
        assert!(
            first[side]["event_id"]
                .as_str()
                .is_some_and(|s| !s.is_empty()),
            "{first}"
        );
        assert!(first[side]["actor"].is_string() && first[side]["time"].is_string());
    }
    let mut args = vec!["diff", "--pipeline", "web-release", "--lifetime", "7"];
    args.extend(place);
    args.push(path);
    let missing = common::run(&args);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("no lifetime 7"),
        "{}",
        missing.stderr
    );
}

#[test]
fn named_filters_from_the_config_file_work_on_the_command_line() {
    let (dir, _) = common::corpus(600, 5);
    let config = tempfile::tempdir().unwrap();
    common::write(
        config.path(),
        "trailscope/config.toml",
        "[filters]\npushers = \"event:GitPush (user:alice | user:bob)\"\n",
    );
    let run = |filter: &str| {
        let out = std::process::Command::new(common::bin())
            .args([
                "query",
                "--format",
                "jsonl",
                "--filter",
                filter,
                dir.path().to_str().unwrap(),
            ])
            .env("XDG_CONFIG_HOME", config.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, named, err) = run("@pushers");
    assert_eq!(code, Some(0), "{err}");
    let (_, written, _) = run("event:GitPush (user:alice | user:bob)");
    assert_eq!(named, written);
    assert!(!named.is_empty());
    let (code, _, err) = run("@pullers");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("unknown named filter `@pullers` (named filters: pushers)"),
        "{err}"
    );
}

/// Facet counts (dense per-facet numbering, counted in parallel ranges) against
/// a brute-force count: each facet counts the events that pass every term of the
/// other facets and every non-facet term.
#[test]
fn facet_counts_agree_with_a_brute_force_count() {
    use std::collections::BTreeMap;
    use trailscope::query::eval::Facet;
    let (dir, _) = common::corpus(3_000, 21);
    let (index, _) = load(
        &[dir.path().to_path_buf()],
        &LoadOptions::default(),
        &Progress::default(),
    );
    for text in [
        "",
        "user:alice",
        "event:GitPush,GitPull region:us-*",
        "errors -source:s3",
        "repo:infra | user:bob",
        // Bare words: a first letter keeps most events (counted as the whole
        // less what it drops), longer words are looked up per event shape.
        "e",
        "de",
        "push alice",
    ] {
        let filter = Filter::parse(text).unwrap();
        let compiled = Compiled::new(&filter, &index);
        let selection = trailscope::query::facets::select(&index, &compiled);
        assert_eq!(
            selection.events,
            trailscope::cli::select(&index, &filter),
            "{text}"
        );
        for (k, facet) in Facet::ALL.iter().enumerate() {
            // The filter without this facet's terms.
            let others = Filter {
                terms: filter
                    .terms
                    .iter()
                    .filter(|t| Facet::of(&t.cond) != Some(*facet))
                    .cloned()
                    .collect(),
            };
            let mut want: BTreeMap<String, u32> = BTreeMap::new();
            for i in trailscope::cli::select(&index, &others) {
                let e = index.event(i as usize);
                let values: Vec<String> = match facet {
                    Facet::Source => vec![e.source().to_string()],
                    Facet::Event => vec![e.name().to_string()],
                    Facet::User => vec![e.actor().to_string()],
                    Facet::Repository => e.repositories().map(String::from).collect(),
                    Facet::Pipeline => e.pipelines().map(String::from).collect(),
                    Facet::Account => vec![e.account().to_string()],
                    Facet::Region => vec![e.region().to_string()],
                    Facet::Error => vec![e.error().to_string()],
                };
                for v in values.into_iter().filter(|v| !v.is_empty()) {
                    *want.entry(v).or_default() += 1;
                }
            }
            let got: BTreeMap<String, u32> = selection.facets[k]
                .iter()
                .map(|&(id, n)| (index.strings.get(id).to_string(), n))
                .collect();
            assert_eq!(got, want, "{text}: facet {}", facet.title());
            assert!(
                selection.facets[k].windows(2).all(|w| w[0].1 >= w[1].1),
                "most frequent first"
            );
        }
    }
}
