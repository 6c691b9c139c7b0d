//! Pivots: the filter term that selects the events sharing a value seen in one
//! event (the detail view's `f`/`F`), and adding such a term to a filter
//! without contradicting the term of the same field already there.

use super::parse::{Cond, Filter, Match, Term};
use crate::model::Millis;

/// The term that keeps events with `value` where this event has it, at `path`
/// (object keys and array positions, CloudTrail's names): the field of the
/// filter language that indexes that place, else a raw-text search for the
/// value as it is written in the JSON.
pub fn term_for(path: &[String], value: &str) -> Term {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    let exact = || vec![Match::exact(value)];
    let one = || vec![value.to_string()];
    let cond = match p.as_slice() {
        ["userIdentity", "arn" | "principalId" | "userName"] => Cond::User(exact()),
        ["userIdentity", "accessKeyId"] => Cond::Key(exact()),
        ["userIdentity", "type"] => Cond::Type(exact()),
        ["userIdentity", "accountId"] | ["recipientAccountId"] => Cond::Account(one()),
        // An address is matched whole as typed; a service name as a whole value.
        ["sourceIPAddress"] if value.parse::<std::net::IpAddr>().is_ok() => {
            Cond::Ip(vec![Match::substring(value)])
        }
        ["sourceIPAddress"] => Cond::Ip(exact()),
        ["userAgent"] => Cond::Agent(exact()),
        ["eventName"] => Cond::Event(one()),
        ["eventSource"] => Cond::Source(one()),
        ["awsRegion"] => Cond::Region(one()),
        ["errorCode"] => Cond::ErrorCode(one()),
        ["eventID" | "requestID" | "sharedEventID"] => Cond::Id(one()),
        ["resources", _, "ARN" | "arn"] => Cond::Resource(exact()),
        [.., "repositoryName"] => Cond::Repo(exact()),
        [.., "pipelineName"] | ["requestParameters", "pipeline", "name"] => Cond::Pipeline(exact()),
        _ => Cond::Text(json_text(value)),
    };
    Term {
        negated: false,
        cond,
    }
}

/// `value` as it appears inside a JSON string (escaped, without the quotes),
/// which is what `text:` searches.
fn json_text(value: &str) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(value)
        .to_string()
}

impl Filter {
    /// Adds `term`. A term that keeps a value replaces the terms of the same
    /// field that keep others (`user:alice` then a pivot to bob's ARN gives
    /// `user:=arn…`, not a contradiction that matches nothing); raw-text terms
    /// and exclusions add up. A term already there is not added twice.
    pub fn pivot(&mut self, term: Term) {
        if !term.negated && !matches!(term.cond, Cond::Text(_)) {
            let field = std::mem::discriminant(&term.cond);
            self.terms
                .retain(|t| t.negated || std::mem::discriminant(&t.cond) != field);
        }
        if !self.terms.contains(&term) {
            self.terms.push(term);
        }
    }

    /// The filter's own time bounds: its (not negated, top-level) `since:` and
    /// `until:`, the last of each.
    pub fn time_bounds(&self) -> (Option<Millis>, Option<Millis>) {
        let mut bounds = (None, None);
        for t in self.terms.iter().filter(|t| !t.negated) {
            match t.cond {
                Cond::Since(at) => bounds.0 = Some(at),
                Cond::Until(at) => bounds.1 = Some(at),
                _ => {}
            }
        }
        bounds
    }

    /// Replaces the filter's time bounds (the timeline's zoom): its `since:`
    /// and `until:` terms go, these come at the end.
    pub fn set_time_bounds(&mut self, since: Option<Millis>, until: Option<Millis>) {
        self.terms
            .retain(|t| t.negated || !matches!(t.cond, Cond::Since(_) | Cond::Until(_)));
        let term = |cond| Term {
            negated: false,
            cond,
        };
        self.terms.extend(since.map(|at| term(Cond::Since(at))));
        self.terms.extend(until.map(|at| term(Cond::Until(at))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_bounds_are_replaced_not_added() {
        let mut f =
            Filter::parse("user:bob since:2024-03-01 -until:2024-01-01 until:2024-03-05").unwrap();
        let (since, until) = f.time_bounds();
        assert!(since.is_some() && until.is_some());
        let t = |s: &str| {
            Filter::parse(&format!("since:{s}"))
                .unwrap()
                .time_bounds()
                .0
        };
        f.set_time_bounds(t("2024-03-02T10:00"), t("2024-03-02T11:00"));
        assert_eq!(
            f.to_text(),
            "user:bob -until:2024-01-01T00:00:00Z since:2024-03-02T10:00:00Z until:2024-03-02T11:00:00Z"
        );
        f.set_time_bounds(since, until);
        assert_eq!(f.time_bounds(), (since, until));
        f.set_time_bounds(None, None);
        assert_eq!(f.to_text(), "user:bob -until:2024-01-01T00:00:00Z");
    }

    fn text(path: &str, value: &str) -> String {
        let path: Vec<String> = path.split('.').map(str::to_string).collect();
        term_for(&path, value).to_string()
    }

    #[test]
    fn each_place_pivots_to_its_field() {
        let arn = "arn:aws:sts::1:assumed-role/Admin/alice@example.com";
        assert_eq!(text("userIdentity.arn", arn), format!("user:=\"{arn}\""));
        assert_eq!(text("sourceIPAddress", "203.0.113.9"), "ip:203.0.113.9");
        assert_eq!(
            text("sourceIPAddress", "codepipeline.amazonaws.com"),
            "ip:=codepipeline.amazonaws.com"
        );
        assert_eq!(text("userIdentity.accessKeyId", "ASIAXYZ"), "key:=ASIAXYZ");
        assert_eq!(text("eventName", "GitPush"), "event:GitPush");
        assert_eq!(
            text("requestParameters.repositoryName", "infra"),
            "repo:=infra"
        );
        assert_eq!(
            text("resources.0.ARN", "arn:aws:s3:::logs"),
            "resource:=\"arn:aws:s3:::logs\""
        );
        assert_eq!(text("requestParameters.bucketName", "logs"), "text:logs");
        // Quotes and spaces survive the round trip through the filter's text.
        let odd = text("requestParameters.note", "say \"hi\" now");
        let back = Filter::parse(&odd).unwrap();
        assert_eq!(
            back.terms[0].cond,
            Cond::Text(r#"say \"hi\" now"#.to_string())
        );
    }

    #[test]
    fn every_pivot_parses_back_to_itself() {
        let places = [
            "userIdentity.arn",
            "userIdentity.accessKeyId",
            "sourceIPAddress",
            "userAgent",
            "eventName",
            "eventSource",
            "awsRegion",
            "errorCode",
            "eventID",
            "requestParameters.repositoryName",
            "requestParameters.x",
        ];
        for place in places {
            for value in ["a b", "x,y", "(p|q)", "-lead", "=eq", "k:v", "é"] {
                let path: Vec<String> = place.split('.').map(str::to_string).collect();
                // Event sources are host names (a bare word would be expanded).
                let value = if place == "eventSource" {
                    format!("{value}.amazonaws.com")
                } else {
                    value.to_string()
                };
                let term = term_for(&path, &value);
                let parsed = Filter::parse(&term.to_string()).unwrap();
                assert_eq!(parsed.terms, vec![term.clone()], "{place} = {value:?}");
            }
        }
    }

    #[test]
    fn a_pivot_replaces_its_field_and_keeps_the_rest() {
        let mut f = Filter::parse("user:alice event:GitPush -user:=bot").unwrap();
        f.pivot(term_for(&["userIdentity".into(), "arn".into()], "arn-x"));
        assert_eq!(f.to_text(), "event:GitPush -user:=bot user:=arn-x");
        let mut excluded = term_for(&["eventName".into()], "GitPull");
        excluded.negated = true;
        f.pivot(excluded.clone());
        f.pivot(excluded);
        assert_eq!(
            f.to_text(),
            "event:GitPush -user:=bot user:=arn-x -event:GitPull"
        );
        f.pivot(term_for(&["x".into()], "one"));
        f.pivot(term_for(&["y".into()], "two"));
        assert_eq!(
            f.to_text(),
            "event:GitPush -user:=bot user:=arn-x -event:GitPull text:one text:two"
        );
    }
}
