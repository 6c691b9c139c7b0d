//! The timeline's histogram: the matching events counted in buckets of a round
//! duration (1 min, 15 min, 1 h, 1 day…) aligned on UTC, over the span the
//! matching events cover. Round buckets give readable tick labels, and zooming
//! into one (`since:`/`until:` at its bounds) keeps exactly its events.

use crate::index::Index;
use crate::model::time::format_time_short;
use crate::model::{Millis, NO_TIME};
use rayon::prelude::*;

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Bucket durations tried, shortest first; past the last, whole multiples of it.
const STEPS: &[i64] = &[
    SECOND,
    2 * SECOND,
    5 * SECOND,
    10 * SECOND,
    15 * SECOND,
    30 * SECOND,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    30 * DAY,
    91 * DAY,
    365 * DAY,
];

/// See the module documentation. Empty when no matching event has a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    /// The first bucket's start (a multiple of `step` since the epoch).
    pub start: Millis,
    /// Each bucket's duration.
    pub step: i64,
    /// Matching events per bucket.
    pub counts: Vec<u64>,
    /// Matching events with an error code per bucket.
    pub errors: Vec<u64>,
}

impl Timeline {
    /// The timeline of `events` (in time order, the `timed` first ones with a
    /// time) in at most `width` buckets.
    pub fn of(index: &Index, events: &[u32], timed: usize, width: usize) -> Timeline {
        let times = &index.cols.time;
        let timed = &events[..timed.min(events.len())];
        let (Some(&first), Some(&last)) = (timed.first(), timed.last()) else {
            return Timeline::default();
        };
        let (lo, hi) = (times[first as usize], times[last as usize]);
        if lo == NO_TIME || hi < lo || width == 0 {
            return Timeline::default();
        }
        let (start, step, len) = buckets(lo, hi, width);
        let empty = || (vec![0u64; len], vec![0u64; len]);
        let (counts, errors) = timed
            .par_chunks(1 << 17)
            .map(|part| {
                let (mut counts, mut errors) = empty();
                // Events come in time order: a bucket pointer walks forward
                // instead of a division per event.
                let mut b = 0;
                let mut next = start.saturating_add(step);
                for &i in part {
                    let t = times[i as usize];
                    if t < next.saturating_sub(step) || b >= len {
                        // Not in order (never, but cheap to check): divide.
                        b = bucket_index(start, step, len, t);
                        next = start.saturating_add((b as i64 + 1).saturating_mul(step));
                    }
                    while t >= next && b + 1 < len {
                        b += 1;
                        next = next.saturating_add(step);
                    }
                    counts[b] += 1;
                    errors[b] += u64::from(index.cols.error[i as usize] != 0);
                }
                (counts, errors)
            })
            .reduce(empty, |(mut c, mut e), (c2, e2)| {
                c.iter_mut().zip(c2).for_each(|(x, y)| *x += y);
                e.iter_mut().zip(e2).for_each(|(x, y)| *x += y);
                (c, e)
            });
        Timeline {
            start,
            step,
            counts,
            errors,
        }
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Bucket `b`'s start and end (exclusive), as `since:`/`until:` take them.
    pub fn span(&self, b: usize) -> (Millis, Millis) {
        let from = self
            .start
            .saturating_add((b as i64).saturating_mul(self.step));
        (from, from.saturating_add(self.step))
    }

    /// The bucket that holds time `t`, the nearest one when `t` is outside.
    pub fn bucket_of(&self, t: Millis) -> usize {
        bucket_index(self.start, self.step, self.len().max(1), t)
    }

    /// Columns each bucket is drawn on, of `width`: the same for every bucket
    /// (equal counts look equal); what is left over stays empty at the right.
    fn per_bucket(&self, width: usize) -> usize {
        (width / self.len().max(1)).max(1)
    }

    /// The bucket drawn at column `x` of `width`.
    pub fn bucket_at(&self, x: usize, width: usize) -> usize {
        (x / self.per_bucket(width)).min(self.len().saturating_sub(1))
    }

    /// The columns bucket `b` is drawn on, of `width`.
    pub fn columns_of(&self, b: usize, width: usize) -> std::ops::Range<usize> {
        let per = self.per_bucket(width);
        (b * per).min(width)..((b + 1) * per).min(width)
    }

    /// Tick labels for an axis `width` columns wide: (column, label) at round
    /// bucket starts, spaced so labels do not touch. A label is the time of day
    /// (`10:00`), or the date (`03-02`) at midnight and for buckets of a day or more.
    pub fn ticks(&self, width: usize) -> Vec<(usize, String)> {
        if self.is_empty() || width == 0 {
            return Vec::new();
        }
        // Labels are five characters (`10:00`, `03-02`), four (`2024`), or
        // eight for buckets under a minute (`10:00:15`).
        let label_width = match self.step {
            s if s < MINUTE => 8,
            s if (30 * DAY..365 * DAY).contains(&s) => 7,
            _ => 5,
        };
        let per_bucket = self.per_bucket(width) as f64;
        // Every k-th bucket, k the smallest of a round series giving room; under
        // a day, one whose span divides a day or is whole days (no labels 18 h
        // apart, which skip dates).
        let room = (label_width + 2) as f64;
        let fits_days = |k: i64| {
            let span = k.saturating_mul(self.step);
            self.step >= DAY || DAY % span == 0 || span % DAY == 0
        };
        let every: usize = [1usize, 2, 3, 4, 6, 8, 12, 24, 48, 96, 192, 384]
            .into_iter()
            .find(|&k| k as f64 * per_bucket >= room && fits_days(k as i64))
            .unwrap_or_else(|| (room / per_bucket).ceil() as usize);
        let mut ticks = Vec::new();
        let mut next_free = 0;
        for b in 0..self.len() {
            let (from, _) = self.span(b);
            // Round positions: multiples of `every` buckets since the epoch.
            let nth = from.div_euclid(self.step);
            if nth.rem_euclid(every as i64) != 0 {
                continue;
            }
            let x = self.columns_of(b, width).start;
            let label = label(from, self.step);
            if x >= next_free && x + label.len() <= width {
                next_free = x + label.len() + 2;
                ticks.push((x, label));
            }
        }
        ticks
    }
}

/// A bucket's span for the title: `2024-03-01 10:00:00–11:00:00` within a
/// day, both ends whole otherwise.
pub fn span_text(from: Millis, to: Millis) -> String {
    let (a, b) = (format_time_short(from), format_time_short(to));
    match (a.split_once(' '), b.split_once(' ')) {
        (Some((day_a, _)), Some((day_b, time_b))) if day_a == day_b => format!("{a}–{time_b}"),
        _ => format!("{a} – {b}"),
    }
}

/// A bucket size for the title: `15 min`, `1 h`, `7 days`.
pub fn step_name(step: i64) -> String {
    let (n, unit) = match step {
        s if s >= DAY && s % DAY == 0 => (s / DAY, "day"),
        s if s >= HOUR && s % HOUR == 0 => (s / HOUR, "h"),
        s if s >= MINUTE && s % MINUTE == 0 => (s / MINUTE, "min"),
        s => (s / SECOND, "s"),
    };
    if unit == "day" && n != 1 {
        format!("{n} days")
    } else {
        format!("{n} {unit}")
    }
}

/// `10:00` within a day (`10:00:15` for buckets under a minute), `03-02` at
/// midnight or for buckets of a day or more, `2024-03` for buckets of a month
/// or more, the year for buckets of a year.
fn label(t: Millis, step: i64) -> String {
    let Some(time) = chrono::DateTime::from_timestamp_millis(t) else {
        return "?".into();
    };
    if step >= 365 * DAY {
        time.format("%Y").to_string()
    } else if step >= 30 * DAY {
        time.format("%Y-%m").to_string()
    } else if step >= DAY || (t.rem_euclid(DAY) == 0 && step >= MINUTE) {
        time.format("%m-%d").to_string()
    } else if step < MINUTE {
        time.format("%H:%M:%S").to_string()
    } else {
        time.format("%H:%M").to_string()
    }
}

/// The bucket of `t`, clamped to the `len` buckets from `start`.
fn bucket_index(start: Millis, step: i64, len: usize, t: Millis) -> usize {
    let k = t.saturating_sub(start).div_euclid(step.max(1));
    k.clamp(0, len as i64 - 1) as usize
}

/// (first bucket's start, step, number of buckets) covering `lo..=hi` in at
/// most `width` buckets with the shortest round step.
fn buckets(lo: Millis, hi: Millis, width: usize) -> (Millis, i64, usize) {
    let fits = |step: i64| {
        let start = lo.div_euclid(step).saturating_mul(step);
        let len = hi.saturating_sub(start) / step + 1;
        (len as u128 <= width as u128).then_some((start, step, len as usize))
    };
    STEPS
        .iter()
        .find_map(|&step| fits(step))
        .unwrap_or_else(|| {
            // Centuries of (attacker-made) times: whole years enough to fit.
            let year = 365 * DAY;
            let years = (hi.saturating_sub(lo) / year) as u64 / width as u64 + 1;
            let step = year.saturating_mul(years as i64 + 1);
            fits(step).unwrap_or((lo, i64::MAX, 1))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::ColumnValues;
    use proptest::prelude::*;

    fn index(times: &[Millis], errors: &[bool]) -> Index {
        let mut index = Index::default();
        let code = index.strings.intern("AccessDenied");
        for (k, &time) in times.iter().enumerate() {
            let error = if errors.get(k).copied().unwrap_or(false) {
                code
            } else {
                0
            };
            index.cols.push(ColumnValues {
                time,
                error,
                ..ColumnValues::default()
            });
        }
        index
    }

    const T0: Millis = 1_709_287_200_000; // 2024-03-01T10:00:00Z

    #[test]
    fn three_days_in_hours_with_day_labels() {
        let times = [T0 + 5 * MINUTE, T0 + 30 * HOUR, T0 + 71 * HOUR];
        let ix = index(&times, &[false, true, false]);
        let t = Timeline::of(&ix, &[0, 1, 2], 3, 100);
        assert_eq!(t.step, HOUR);
        assert_eq!(t.start, T0);
        assert_eq!(t.len(), 72);
        assert_eq!(t.counts.iter().sum::<u64>(), 3);
        assert_eq!(t.counts[30], 1);
        assert_eq!(t.errors, {
            let mut e = vec![0; 72];
            e[30] = 1;
            e
        });
        assert_eq!(t.span(30), (T0 + 30 * HOUR, T0 + 31 * HOUR));
        assert_eq!(step_name(t.step), "1 h");
        assert_eq!(span_text(T0, T0 + HOUR), "2024-03-01 10:00:00–11:00:00");
        assert_eq!(
            span_text(T0 + 14 * HOUR, T0 + 38 * HOUR),
            "2024-03-02 00:00:00 – 2024-03-03 00:00:00"
        );
        assert_eq!(step_name(7 * DAY), "7 days");
        assert_eq!(step_name(15 * MINUTE), "15 min");
        let ticks = t.ticks(100);
        assert!(ticks.iter().any(|(_, l)| l == "03-02"), "{ticks:?}");
        assert!(ticks.iter().any(|(_, l)| l == "08:00"), "{ticks:?}");
        // Labels a span apart that divides a day: every date shows.
        assert!(ticks.iter().any(|(_, l)| l == "03-03"), "{ticks:?}");
        assert!(
            ticks
                .windows(2)
                .all(|w| w[0].0 + w[0].1.len() + 2 <= w[1].0)
        );
    }

    #[test]
    fn years_of_events_are_labelled_by_month() {
        let times = [T0 - 4000 * DAY, T0];
        let t = Timeline::of(&index(&times, &[]), &[0, 1], 2, 100);
        assert_eq!(t.step, 91 * DAY);
        let ticks = t.ticks(100);
        assert!(ticks.len() >= 3, "{ticks:?}");
        assert!(
            ticks
                .iter()
                .all(|(_, l)| l.len() == 7 && l.starts_with("20")),
            "{ticks:?}"
        );
    }

    #[test]
    fn no_timed_event_means_no_buckets() {
        let ix = index(&[NO_TIME], &[]);
        assert!(Timeline::of(&ix, &[0], 0, 80).is_empty());
        assert!(Timeline::of(&ix, &[], 0, 80).is_empty());
    }

    #[test]
    fn times_of_any_age_fit() {
        let ix = index(&[i64::MIN / 4, 0, i64::MAX / 4], &[]);
        let t = Timeline::of(&ix, &[0, 1, 2], 3, 50);
        assert!(t.len() <= 50 && !t.is_empty());
        assert_eq!(t.counts.iter().sum::<u64>(), 3);
    }

    proptest! {
        /// Every event lands in the bucket whose span holds its time, the
        /// buckets never outnumber the columns, and the step is the shortest
        /// round one that fits.
        #[test]
        fn each_event_in_the_bucket_of_its_time(
            mut times in proptest::collection::vec(-5_000_000_000i64..5_000_000_000, 1..400),
            width in 1usize..200,
        ) {
            times.sort_unstable();
            let ix = index(&times, &[]);
            let events: Vec<u32> = (0..times.len() as u32).collect();
            let t = Timeline::of(&ix, &events, events.len(), width);
            prop_assert!(t.len() <= width && !t.is_empty());
            let mut want = vec![0u64; t.len()];
            for &time in &times {
                let b = (0..t.len()).find(|&b| {
                    let (from, to) = t.span(b);
                    from <= time && time < to
                });
                prop_assert!(b.is_some(), "{time} outside every bucket");
                want[b.unwrap_or(0)] += 1;
            }
            prop_assert_eq!(&t.counts, &want);
            if let Some(k) = STEPS.iter().position(|&s| s == t.step).filter(|&k| k > 0) {
                let shorter = STEPS[k - 1];
                let start = times[0].div_euclid(shorter) * shorter;
                prop_assert!((times[times.len() - 1] - start) / shorter + 1 > width as i64);
            }
        }
    }
}
