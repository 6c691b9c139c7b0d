//! Random and mutated inputs never panic the loader's decoding or the filter
//! parser (a bounded proptest run, part of every `cargo test`).

use proptest::prelude::*;
use trailscope::load::read::decode_bytes;
use trailscope::load::shapes::decode_events;
use trailscope::query::Filter;

const SEEDS: [&str; 6] = [
    r#"{"Records":[{"eventName":"A","eventTime":"2024-03-01T10:00:00Z","userIdentity":{"type":"IAMUser","userName":"u"},"requestParameters":{"repositoryName":"r","pipeline":{"name":"p","version":1}},"resources":[{"ARN":"arn:aws:codecommit:us-east-1:1:r"}]}]}"#,
    r#"{"Events":[{"CloudTrailEvent":"{\"eventName\":\"B\"}"}]}"#,
    "{\"eventName\":\"C\"}\n{\"eventName\":\"D\"}\n",
    r#"[{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"E"}}]"#,
    r#"{"eventName":"F","x":[1,2,],}, {"eventName":"G"}"#,
    r#"{"QueryResultRows":[[{"eventName":"H"}]]}"#,
];

fn mutate(seed: &str, edits: &[(usize, u8)]) -> Vec<u8> {
    let mut bytes = seed.as_bytes().to_vec();
    for &(at, b) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at % bytes.len();
        match b % 3 {
            0 => bytes[at] = b,
            1 => {
                bytes.remove(at);
            }
            _ => bytes.insert(at, b),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let mut n = 0;
        let outcome = decode_events(&text, &mut |_, _| n += 1);
        prop_assert_eq!(outcome.events, n);
        let _ = decode_bytes(&bytes, 1 << 20);
    }

    #[test]
    fn decoding_mutated_trails_never_panics(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..12),
    ) {
        let bytes = mutate(SEEDS[seed], &edits);
        let text = String::from_utf8_lossy(&bytes);
        let mut n = 0;
        let outcome = decode_events(&text, &mut |raw, f| {
            n += 1;
            // Fields are always usable, whatever the input.
            let _ = (f.actor.len(), f.resource().len(), raw.len());
        });
        prop_assert_eq!(outcome.events, n);
    }

    #[test]
    fn the_filter_parser_never_panics(text in "\\PC{0,40}") {
        if let Ok(f) = Filter::parse(&text) {
            // What parses prints back to something that parses to the same filter.
            prop_assert_eq!(Filter::parse(&f.to_text()).ok(), Some(f));
        }
    }

    #[test]
    fn filter_tokens_with_odd_values(
        field in prop::sample::select(vec!["user", "repo", "pipeline", "event", "source", "account", "region", "error", "since", "until", "text"]),
        value in "[ -~é\"\\\\,:=]{0,12}",
        negate in any::<bool>(),
    ) {
        let text = format!("{}{field}:{value}", if negate { "-" } else { "" });
        match Filter::parse(&text) {
            Ok(f) => prop_assert_eq!(Filter::parse(&f.to_text()).ok(), Some(f)),
            Err(e) => prop_assert!(e.column >= 1 && e.column <= text.chars().count() + 1, "{e} for {text:?}"),
        }
    }
}
