//! CloudTrail's key layout and what to list of it.
//!
//! CloudTrail writes `[prefix/]AWSLogs/[o-orgid/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/file`,
//! where the date is the day the file was *delivered* (a few minutes after its
//! events). The walk lists one level at a time with a `/` delimiter, so it only
//! ever sees folder names until it reaches a day that matches; only those days'
//! objects are listed. This module decides, for each folder name at each level,
//! whether to go in: the pure part of the walk, tested without a server.

use crate::query::Filter;
use crate::query::parse::{Cond, fold, wildcard_match};
use chrono::{DateTime, Datelike, NaiveDate};

/// What the filter says about which folders can hold matching events. Only
/// top-level terms that are not negated narrow the walk; anything else lists
/// everything under the given prefix (the filter still applies to the events).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prune {
    /// Events at or after this time (ms since the epoch).
    pub since: Option<i64>,
    /// Events before this time (ms, exclusive).
    pub until: Option<i64>,
    /// Events within this span before the newest one (ms).
    pub last: Option<i64>,
    /// Account patterns (any of them); empty: every account.
    pub accounts: Vec<String>,
    /// Region patterns (any of them); empty: every region.
    pub regions: Vec<String>,
}

/// How late a file may be delivered after its newest event. CloudTrail
/// delivers within about 5 minutes (15 at most in practice); an hour of slack
/// means an `--until` near midnight also lists the next day.
pub const DELIVERY_SLACK_MS: i64 = 3_600_000;

impl Prune {
    pub fn from_filter(filter: &Filter) -> Prune {
        let mut p = Prune::default();
        for term in filter.terms.iter().filter(|t| !t.negated) {
            match &term.cond {
                Cond::Since(t) => p.since = Some(p.since.map_or(*t, |s| s.max(*t))),
                Cond::Until(t) => p.until = Some(p.until.map_or(*t, |u| u.min(*t))),
                Cond::Last(ms) => p.last = Some(p.last.map_or(*ms, |l| l.min(*ms))),
                // Two account terms AND together: a folder must pass both; keeping
                // the first list is enough to prune and never drops a match.
                Cond::Account(list) if p.accounts.is_empty() => p.accounts = list.clone(),
                Cond::Region(list) if p.regions.is_empty() => p.regions = list.clone(),
                _ => {}
            }
        }
        p
    }

    pub fn has_time_bound(&self) -> bool {
        self.since.is_some() || self.until.is_some() || self.last.is_some()
    }

    pub fn account_ok(&self, account: &str) -> bool {
        any_matches(&self.accounts, account)
    }

    pub fn region_ok(&self, region: &str) -> bool {
        any_matches(&self.regions, region)
    }

    /// The first and last delivery day that can hold events in `[since, until)`.
    pub fn days(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let first = self.since.and_then(day_of);
        let last = self
            .until
            .and_then(|u| day_of(u.saturating_sub(1).saturating_add(DELIVERY_SLACK_MS)));
        (first, last)
    }

    /// The first day to keep for `last:` given the newest delivery day found.
    pub fn last_first_day(&self, newest: NaiveDate) -> Option<NaiveDate> {
        let span = self.last?;
        let start = newest.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis();
        // The newest event can be up to the slack before its day's first delivery.
        day_of(start - span - DELIVERY_SLACK_MS)
    }
}

fn any_matches(patterns: &[String], value: &str) -> bool {
    if patterns.is_empty() {
        return true;
    }
    let v = fold(value);
    patterns.iter().any(|p| {
        let p = fold(p);
        if crate::query::parse::has_wildcard(&p) {
            wildcard_match(&p, &v)
        } else {
            p == v
        }
    })
}

fn day_of(ms: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp_millis(ms).map(|t| t.date_naive())
}

/// A folder level of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The given prefix, above `AWSLogs/`.
    Root,
    /// Under `AWSLogs/`: an organisation or an account.
    Logs,
    /// Under `o-orgid/`: accounts.
    Org,
    /// Under an account: `CloudTrail/`, `CloudTrail-Digest/`, …
    Account,
    /// Under `CloudTrail/`: regions.
    Service,
    Region,
    Year,
    Month,
    /// A day folder: its objects are listed.
    Day,
}

/// A folder to go into, with the date it fixes so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub prefix: String,
    pub level: Level,
    pub year: i32,
    pub month: u32,
    /// The day, at `Level::Day`.
    pub date: Option<NaiveDate>,
}

impl Folder {
    pub fn root(prefix: &str) -> Folder {
        Folder {
            prefix: prefix.to_string(),
            level: Level::Root,
            year: 0,
            month: 0,
            date: None,
        }
    }
}

/// Where a prefix given by the user sits in the layout: the folder to start the
/// walk from. A prefix that stops inside a layout (`…/CloudTrail/us-east-1/2024/`)
/// starts at that level, with the date parts it fixes.
pub fn start(prefix: &str) -> Folder {
    let segs: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
    let Some(logs) = segs.iter().position(|s| *s == "AWSLogs") else {
        return Folder::root(prefix);
    };
    let mut f = Folder::root(prefix);
    f.level = Level::Logs;
    let mut rest = &segs[logs + 1..];
    if rest.first().is_some_and(|s| s.starts_with("o-")) {
        f.level = Level::Org;
        rest = &rest[1..];
    }
    let steps = [
        Level::Account,
        Level::Service,
        Level::Region,
        Level::Year,
        Level::Month,
        Level::Day,
    ];
    for (i, seg) in rest.iter().enumerate() {
        match steps.get(i) {
            Some(Level::Account) => f.level = Level::Account,
            Some(Level::Service) => f.level = Level::Service,
            Some(Level::Region) => f.level = Level::Region,
            Some(Level::Year) => match seg.parse() {
                Ok(y) => {
                    f.level = Level::Year;
                    f.year = y;
                }
                Err(_) => return f,
            },
            Some(Level::Month) => match seg.parse() {
                Ok(m) => {
                    f.level = Level::Month;
                    f.month = m;
                }
                Err(_) => return f,
            },
            Some(Level::Day) => match seg
                .parse()
                .ok()
                .and_then(|d| NaiveDate::from_ymd_opt(f.year, f.month, d))
            {
                Some(date) => {
                    f.level = Level::Day;
                    f.date = Some(date);
                }
                None => return f,
            },
            _ => return f,
        }
    }
    f
}

/// The folder `child` (a common prefix returned when listing `parent`) if the
/// walk should go into it.
pub fn descend(parent: &Folder, child: &str, prune: &Prune) -> Option<Folder> {
    let name = child
        .strip_prefix(parent.prefix.as_str())?
        .trim_end_matches('/');
    let mut f = Folder {
        prefix: child.to_string(),
        level: parent.level,
        year: parent.year,
        month: parent.month,
        date: None,
    };
    let (first, last) = prune.days();
    match parent.level {
        Level::Root => {
            f.level = Level::Logs;
            (name == "AWSLogs").then_some(f)
        }
        Level::Logs if name.starts_with("o-") => {
            f.level = Level::Org;
            Some(f)
        }
        Level::Logs | Level::Org => {
            f.level = Level::Account;
            prune.account_ok(name).then_some(f)
        }
        Level::Account => {
            f.level = Level::Service;
            // Events and Insights events; never digests.
            matches!(name, "CloudTrail" | "CloudTrail-Insight").then_some(f)
        }
        Level::Service => {
            f.level = Level::Region;
            prune.region_ok(name).then_some(f)
        }
        Level::Region => {
            f.level = Level::Year;
            f.year = name.parse().ok().filter(|y| (1970..=9999).contains(y))?;
            let ok =
                first.is_none_or(|d| f.year >= d.year()) && last.is_none_or(|d| f.year <= d.year());
            ok.then_some(f)
        }
        Level::Year => {
            f.level = Level::Month;
            f.month = name.parse().ok().filter(|m| (1..=12).contains(m))?;
            let ym = (f.year, f.month);
            let ok = first.is_none_or(|d| ym >= (d.year(), d.month()))
                && last.is_none_or(|d| ym <= (d.year(), d.month()));
            ok.then_some(f)
        }
        Level::Month => {
            f.level = Level::Day;
            let date = NaiveDate::from_ymd_opt(f.year, f.month, name.parse().ok()?)?;
            f.date = Some(date);
            let ok = first.is_none_or(|d| date >= d) && last.is_none_or(|d| date <= d);
            ok.then_some(f)
        }
        Level::Day => None,
    }
}

/// A time bound spanning at most this many days lists its day folders directly
/// instead of listing years and months first.
pub const DIRECT_DAYS: i64 = 31;

/// The folders under `parent` known without listing it: `CloudTrail/` and
/// `CloudTrail-Insight/` under an account (digests are never entered), and each
/// day of a short time bound under a region. `None`: list `parent`. A folder
/// that does not exist simply lists as empty.
pub fn known_children(parent: &Folder, prune: &Prune) -> Option<Vec<Folder>> {
    let child = |name: &str, level: Level| Folder {
        prefix: format!("{}{name}/", parent.prefix),
        level,
        year: parent.year,
        month: parent.month,
        date: None,
    };
    match parent.level {
        Level::Account => Some(vec![
            child("CloudTrail", Level::Service),
            child("CloudTrail-Insight", Level::Service),
        ]),
        Level::Region if prune.last.is_none() => {
            let (Some(first), Some(last)) = prune.days() else {
                return None;
            };
            if (last - first).num_days() > DIRECT_DAYS {
                return None;
            }
            Some(
                first
                    .iter_days()
                    .take_while(|d| *d <= last)
                    .map(|d| Folder {
                        prefix: format!("{}{}/", parent.prefix, d.format("%Y/%m/%d")),
                        level: Level::Day,
                        year: d.year(),
                        month: d.month(),
                        date: Some(d),
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

/// A digest file (never fetched): a `CloudTrail-Digest` segment in its key.
pub fn is_digest_key(key: &str) -> bool {
    key.split('/').any(|s| s == "CloudTrail-Digest")
}

/// Whether a key names a file trailscope reads in a walk (`.json`, `.jsonl`, `.gz`).
pub fn has_trail_extension(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.ends_with(".json") || k.ends_with(".jsonl") || k.ends_with(".gz")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prune(filter: &str) -> Prune {
        Prune::from_filter(&Filter::parse(filter).unwrap())
    }

    fn walk_names(parent: &Folder, names: &[&str], p: &Prune) -> Vec<String> {
        names
            .iter()
            .filter_map(|n| descend(parent, &format!("{}{n}/", parent.prefix), p))
            .map(|f| f.prefix)
            .collect()
    }

    #[test]
    fn filter_terms_become_bounds() {
        let p = prune("since:2024-03-02 until:2024-03-04 account:111122223333 region:eu-*");
        assert_eq!(
            p.days(),
            (
                NaiveDate::from_ymd_opt(2024, 3, 2),
                NaiveDate::from_ymd_opt(2024, 3, 4)
            )
        );
        assert!(p.account_ok("111122223333") && !p.account_ok("444455556666"));
        assert!(p.region_ok("eu-west-1") && !p.region_ok("us-east-1"));
        // Negated or nested terms never prune.
        assert_eq!(
            prune("-region:us-east-1 (account:1 | user:x)"),
            Prune::default()
        );
        // Until just after midnight reaches the next day's deliveries.
        let late = prune("until:2024-03-04T00:30");
        assert_eq!(late.days().1, NaiveDate::from_ymd_opt(2024, 3, 4));
        let midnight = prune("until:2024-03-04");
        assert_eq!(midnight.days().1, NaiveDate::from_ymd_opt(2024, 3, 4));
        let noon = prune("until:2024-03-04T12:00");
        assert_eq!(noon.days().1, NaiveDate::from_ymd_opt(2024, 3, 4));
    }

    #[test]
    fn walk_keeps_only_matching_folders() {
        let p =
            prune("since:2024-03-02 until:2024-03-03T12:00 account:111122223333 region:us-east-1");
        let root = Folder::root("");
        assert_eq!(walk_names(&root, &["AWSLogs", "other"], &p), ["AWSLogs/"]);
        let logs = descend(&root, "AWSLogs/", &p).unwrap();
        assert_eq!(
            walk_names(&logs, &["o-abc123", "111122223333", "444455556666"], &p),
            ["AWSLogs/o-abc123/", "AWSLogs/111122223333/"]
        );
        let acct = descend(&logs, "AWSLogs/111122223333/", &p).unwrap();
        assert_eq!(
            walk_names(
                &acct,
                &["CloudTrail", "CloudTrail-Digest", "CloudTrail-Insight"],
                &p
            ),
            [
                "AWSLogs/111122223333/CloudTrail/",
                "AWSLogs/111122223333/CloudTrail-Insight/"
            ]
        );
        let svc = descend(&acct, "AWSLogs/111122223333/CloudTrail/", &p).unwrap();
        let region = descend(&svc, &format!("{}us-east-1/", svc.prefix), &p).unwrap();
        assert!(descend(&svc, &format!("{}eu-west-1/", svc.prefix), &p).is_none());
        let years = walk_names(&region, &["2023", "2024", "2025", "junk"], &p);
        assert_eq!(years.len(), 1);
        let year = descend(&region, &years[0], &p).unwrap();
        let months = walk_names(&year, &["01", "02", "03", "04"], &p);
        assert_eq!(months.len(), 1);
        let month = descend(&year, &months[0], &p).unwrap();
        let days: Vec<String> = walk_names(&month, &["01", "02", "03", "04", "32"], &p)
            .iter()
            .map(|d| d.rsplit('/').nth(1).unwrap().to_string())
            .collect();
        assert_eq!(days, ["02", "03"]);
    }

    #[test]
    fn short_bounds_name_their_days_and_accounts_their_services() {
        let region = start("AWSLogs/1/CloudTrail/us-east-1/");
        assert_eq!(region.level, Level::Region);
        let p = prune("since:2024-02-28 until:2024-03-01T12:00");
        let days: Vec<String> = known_children(&region, &p)
            .unwrap()
            .into_iter()
            .map(|f| f.prefix)
            .collect();
        assert_eq!(
            days,
            [
                "AWSLogs/1/CloudTrail/us-east-1/2024/02/28/",
                "AWSLogs/1/CloudTrail/us-east-1/2024/02/29/",
                "AWSLogs/1/CloudTrail/us-east-1/2024/03/01/"
            ]
        );
        // Long, open or relative bounds list years and months instead.
        assert!(known_children(&region, &prune("since:2023-01-01 until:2024-01-01")).is_none());
        assert!(known_children(&region, &prune("since:2024-01-01")).is_none());
        assert!(known_children(&region, &prune("last:2h")).is_none());
        let account = start("AWSLogs/1/");
        let services: Vec<String> = known_children(&account, &Prune::default())
            .unwrap()
            .into_iter()
            .map(|f| f.prefix)
            .collect();
        assert_eq!(
            services,
            ["AWSLogs/1/CloudTrail/", "AWSLogs/1/CloudTrail-Insight/"]
        );
    }

    #[test]
    fn a_given_prefix_starts_at_its_level() {
        assert_eq!(start("").level, Level::Root);
        assert_eq!(start("trails/").level, Level::Root);
        assert_eq!(start("AWSLogs/").level, Level::Logs);
        assert_eq!(start("x/AWSLogs/o-1/").level, Level::Org);
        assert_eq!(start("AWSLogs/o-1/123/").level, Level::Account);
        assert_eq!(start("AWSLogs/123/CloudTrail/").level, Level::Service);
        let d = start("AWSLogs/123/CloudTrail/us-east-1/2024/03/02/");
        assert_eq!(d.level, Level::Day);
        assert_eq!(d.date, NaiveDate::from_ymd_opt(2024, 3, 2));
        assert_eq!(
            start("AWSLogs/123/CloudTrail/us-east-1/2024/").level,
            Level::Year
        );
    }

    #[test]
    fn last_reaches_back_from_the_newest_day() {
        let p = prune("last:2h");
        let newest = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        assert_eq!(
            p.last_first_day(newest),
            NaiveDate::from_ymd_opt(2024, 3, 4)
        );
        let week = prune("last:7d");
        assert_eq!(
            week.last_first_day(newest),
            NaiveDate::from_ymd_opt(2024, 2, 26)
        );
    }

    #[test]
    fn digests_are_known_by_key() {
        assert!(is_digest_key(
            "AWSLogs/1/CloudTrail-Digest/us-east-1/2024/03/01/x.json.gz"
        ));
        assert!(!is_digest_key(
            "AWSLogs/1/CloudTrail/us-east-1/2024/03/01/x.json.gz"
        ));
    }
}
