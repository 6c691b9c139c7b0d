//! The browser's `text:` searches: the answers so far (one flag per event and
//! needle), and the search running, which a newer filter cancels.

use super::jobs::Effect;
use crate::query::eval::TextHits;
use crate::query::text::TextProgress;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, Default)]
pub struct TextSearch {
    pub hits: TextHits,
    /// Needles being searched, with the generation of the request.
    pub running: Option<(u64, Vec<String>)>,
    pub progress: Arc<TextProgress>,
    cancel: Option<Arc<AtomicBool>>,
    generation: u64,
}

impl TextSearch {
    /// The filter's needles are `needles`: the search to start for those not
    /// answered yet, if it is not already running. An older search is cancelled.
    pub fn start<'a>(&mut self, needles: impl Iterator<Item = &'a str>) -> Option<Effect> {
        let missing: Vec<String> = needles
            .filter(|n| !self.hits.contains_key(*n))
            .map(str::to_string)
            .collect();
        if missing.is_empty() {
            self.cancel_running();
            return None;
        }
        if self.running.as_ref().is_some_and(|(_, n)| *n == missing) {
            return None;
        }
        self.cancel_running();
        let cancel = Arc::new(AtomicBool::new(false));
        self.generation += 1;
        self.running = Some((self.generation, missing.clone()));
        self.cancel = Some(cancel.clone());
        Some(Effect::TextSearch {
            generation: self.generation,
            needles: missing,
            cancel,
        })
    }

    fn cancel_running(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            cancel.store(true, Ordering::Relaxed);
        }
        self.running = None;
    }

    /// A search's answer; false (and dropped) when it is not the one running.
    pub fn finish(&mut self, generation: u64, hits: Vec<(String, Vec<bool>)>) -> bool {
        if self.running.as_ref().map(|(g, _)| *g) != Some(generation) {
            return false;
        }
        self.running = None;
        self.cancel = None;
        for (needle, h) in hits {
            self.hits.insert(needle, Arc::new(h));
        }
        true
    }

    /// Forgets every answer (the index changed).
    pub fn clear(&mut self) {
        self.cancel_running();
        self.hits.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_search_cancels_the_older_and_stale_answers_are_dropped() {
        let mut s = TextSearch::default();
        let Some(Effect::TextSearch {
            generation: first,
            cancel: first_cancel,
            ..
        }) = s.start(["a"].into_iter())
        else {
            panic!("no search")
        };
        assert!(
            s.start(["a"].into_iter()).is_none(),
            "the same needles are not searched twice"
        );
        let Some(Effect::TextSearch {
            generation: second,
            needles,
            ..
        }) = s.start(["a", "b"].into_iter())
        else {
            panic!("no search")
        };
        assert!(
            first_cancel.load(Ordering::Relaxed),
            "the older search is cancelled"
        );
        assert_eq!(needles, ["a", "b"]);
        assert!(!s.finish(first, vec![("a".into(), vec![true])]));
        assert!(s.finish(
            second,
            vec![("a".into(), vec![true]), ("b".into(), vec![false])]
        ));
        assert!(
            s.start(["b", "a"].into_iter()).is_none(),
            "answered needles need no search"
        );
    }
}
