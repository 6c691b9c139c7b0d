//! Fuzzy matching of bare filter words against names (fuzzy-matcher's skim algorithm).
//!
//! Words are matched against distinct values (actors, event names, sources,
//! repositories, pipelines, resources), never against every event: the index maps
//! the matching values back to events.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

pub struct FuzzyWord {
    word: String,
    matcher: SkimMatcherV2,
    min_score: i64,
}

impl FuzzyWord {
    pub fn new(word: &str) -> FuzzyWord {
        let chars = word.chars().count() as i64;
        FuzzyWord {
            word: word.to_string(),
            matcher: SkimMatcherV2::default().ignore_case(),
            // A scattered subsequence scores low; demand most of a contiguous match so
            // short words do not match half the trail.
            min_score: chars * 12,
        }
    }

    /// The word as typed.
    pub fn text(&self) -> &str {
        &self.word
    }

    /// Whether every character of the word appears in `candidate`, in order
    /// (ASCII case-insensitive): a cheap test that rules out most values before
    /// the scoring algorithm runs.
    fn may_match(&self, candidate: &str) -> bool {
        if !candidate.is_ascii() || !self.word.is_ascii() {
            return true;
        }
        let mut rest = candidate.bytes();
        self.word
            .bytes()
            .all(|w| rest.any(|c| c.eq_ignore_ascii_case(&w)))
    }

    pub fn score(&self, candidate: &str) -> Option<i64> {
        if candidate.is_empty() || !self.may_match(candidate) {
            return None;
        }
        self.matcher
            .fuzzy_match(candidate, &self.word)
            .filter(|&s| s >= self.min_score)
    }

    /// Score and the matched character positions, for highlighting.
    pub fn indices(&self, candidate: &str) -> Option<(i64, Vec<usize>)> {
        self.matcher
            .fuzzy_indices(candidate, &self.word)
            .filter(|(s, _)| *s >= self.min_score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_matches_score() {
        let w = FuzzyWord::new("gitpsh");
        assert!(w.score("GitPush").is_some());
        assert!(w.score("DescribeInstances").is_none());
        let w = FuzzyWord::new("deploy");
        assert!(w.score("Deployer/ci-42").is_some());
        assert!(w.score("DescribeLoadBalancerPolicy").is_none());
        assert!(w.score("").is_none());
    }

    #[test]
    fn indices_for_highlighting() {
        let (_, idx) = FuzzyWord::new("push").indices("GitPush").unwrap();
        assert_eq!(idx, vec![3, 4, 5, 6]);
    }
}
