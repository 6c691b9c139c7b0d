//! From a decoded [`Record`] to the fields trailscope indexes: the actor, the
//! CodeCommit repositories and CodePipeline pipelines an event concerns, and the
//! envelope unwrapping (EventBridge `detail`, `lookup-events` `CloudTrailEvent`).

use super::record::{Identity, Record};
use super::time::{Millis, NO_TIME, parse_event_time};
use std::borrow::Cow;

/// What one JSON value in an input turned out to be.
pub enum Parsed<'a> {
    /// A CloudTrail record.
    Event(Box<EventFields<'a>>),
    /// An EventBridge envelope: the record is the `detail` object (raw JSON text).
    Envelope(&'a str),
    /// A `lookup-events` item: the record is this JSON string.
    Lookup(Cow<'a, str>),
    /// A JSON object that is not a CloudTrail record.
    NotEvent,
}

/// The indexed fields of one event, borrowing from the decoded file where possible.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct EventFields<'a> {
    pub time: Millis,
    pub source: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub region: Cow<'a, str>,
    pub account: Cow<'a, str>,
    pub source_ip: Cow<'a, str>,
    pub user_agent: Cow<'a, str>,
    pub identity_type: Cow<'a, str>,
    pub actor: Cow<'a, str>,
    pub arn: Cow<'a, str>,
    pub access_key: Cow<'a, str>,
    pub principal: Cow<'a, str>,
    pub error_code: Cow<'a, str>,
    pub event_type: Cow<'a, str>,
    pub event_id: Cow<'a, str>,
    pub request_id: Cow<'a, str>,
    /// Set on the copies of one cross-account event delivered to each account.
    pub shared_event_id: Cow<'a, str>,
    pub read_only: Option<bool>,
    pub mfa: Option<bool>,
    pub data_transferred: Option<bool>,
    pub repositories: Vec<Cow<'a, str>>,
    pub pipelines: Vec<Cow<'a, str>>,
    /// Last segment of the first `resources[].ARN`, for the list's resource column.
    pub first_resource: Cow<'a, str>,
    /// Every `resources[].ARN`, whole, for `resource:`.
    pub resource_arns: Vec<Cow<'a, str>>,
    /// `GitPush` references: (ref, commit).
    pub git_refs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl EventFields<'_> {
    /// The resource shown in one column: a repository, else a pipeline, else the first resource.
    pub fn resource(&self) -> &str {
        self.repositories
            .first()
            .or(self.pipelines.first())
            .map(|c| c.as_ref())
            .unwrap_or(&self.first_resource)
    }

    pub fn into_owned(self) -> EventFields<'static> {
        fn o(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        EventFields {
            time: self.time,
            source: o(self.source),
            name: o(self.name),
            region: o(self.region),
            account: o(self.account),
            source_ip: o(self.source_ip),
            user_agent: o(self.user_agent),
            identity_type: o(self.identity_type),
            actor: o(self.actor),
            arn: o(self.arn),
            access_key: o(self.access_key),
            principal: o(self.principal),
            error_code: o(self.error_code),
            event_type: o(self.event_type),
            event_id: o(self.event_id),
            request_id: o(self.request_id),
            shared_event_id: o(self.shared_event_id),
            read_only: self.read_only,
            mfa: self.mfa,
            data_transferred: self.data_transferred,
            repositories: self.repositories.into_iter().map(o).collect(),
            pipelines: self.pipelines.into_iter().map(o).collect(),
            first_resource: o(self.first_resource),
            resource_arns: self.resource_arns.into_iter().map(o).collect(),
            git_refs: self
                .git_refs
                .into_iter()
                .map(|(a, b)| (o(a), o(b)))
                .collect(),
        }
    }
}

/// Parses one JSON value (an event, an envelope, or something else).
///
/// The fast path borrows from `raw`. Valid JSON that the typed decoder still refuses
/// (a duplicated key among the fields we read) goes through `serde_json::Value`,
/// which keeps the last duplicate, so valid JSON never loses its event.
pub fn parse_value(raw: &str) -> Result<Parsed<'_>, serde_json::Error> {
    match serde_json::from_str::<Record>(raw) {
        Ok(record) => Ok(classify(record)),
        Err(first) => {
            // An unpaired surrogate escape (`\ud800`) is valid JSON text that
            // serde_json refuses to decode into a string: read it as U+FFFD (the
            // raw text, shown by `jsonl`, keeps the escape).
            let fixed = replace_lone_surrogates(raw);
            let source = fixed.as_deref().unwrap_or(raw);
            let value: serde_json::Value = serde_json::from_str(source).map_err(|_| first)?;
            let normalized = value.to_string();
            let record: Record = serde_json::from_str(&normalized)?;
            Ok(match classify(record) {
                Parsed::Event(f) => Parsed::Event(Box::new(f.into_owned())),
                Parsed::Lookup(s) => Parsed::Lookup(Cow::Owned(s.into_owned())),
                // The detail text must be a slice of `raw` for callers; re-find it.
                Parsed::Envelope(_) => match value.get("detail") {
                    Some(d) => Parsed::Lookup(Cow::Owned(d.to_string())),
                    None => Parsed::NotEvent,
                },
                Parsed::NotEvent => Parsed::NotEvent,
            })
        }
    }
}

/// `raw` with every `\uXXXX` escape of an unpaired surrogate replaced by
/// `\ufffd`; `None` when there is none.
pub fn replace_lone_surrogates(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    let hex = |at: usize| -> Option<u32> {
        let digits = b.get(at..at + 4)?;
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    // `\uXXXX` at `at`, as a code unit.
    let unit = |at: usize| -> Option<u32> {
        (b.get(at) == Some(&b'\\') && b.get(at + 1) == Some(&b'u'))
            .then(|| hex(at + 2))
            .flatten()
    };
    let mut lone: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit(i) {
            Some(0xD800..=0xDBFF) if matches!(unit(i + 6), Some(0xDC00..=0xDFFF)) => i += 12,
            Some(0xD800..=0xDFFF) => {
                lone.push(i);
                i += 6;
            }
            Some(_) => i += 6,
            None => i += 2,
        }
    }
    if lone.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    let mut from = 0;
    for at in lone {
        out.push_str(&raw[from..at]);
        out.push_str("\\ufffd");
        from = at + 6;
    }
    out.push_str(&raw[from..]);
    Some(out)
}

/// What a decoded record is: an event, an envelope around one, or neither.
pub fn classify(record: Record<'_>) -> Parsed<'_> {
    if let Some(detail) = record.detail {
        let text = detail.get();
        if text.starts_with('{')
            && (record.detail_type.get().is_some() || !record.looks_like_event())
        {
            return Parsed::Envelope(text);
        }
    }
    if !record.looks_like_event() {
        return match record.cloudtrail_event.0 {
            Some(s) if !s.is_empty() => Parsed::Lookup(s),
            _ => Parsed::NotEvent,
        };
    }
    Parsed::Event(Box::new(extract(record)))
}

fn take(t: super::lenient::Text<'_>) -> Cow<'_, str> {
    t.0.unwrap_or(Cow::Borrowed(""))
}

/// Applies the indexing rules to a decoded record.
pub fn extract(r: Record<'_>) -> EventFields<'_> {
    let time = r
        .event_time
        .get()
        .or(r.at_timestamp.get())
        .and_then(parse_event_time)
        .unwrap_or(NO_TIME);
    let mut source = take(r.event_source);
    let mut name = take(r.event_name);
    if let Some(insight) = r.insight.0 {
        if source.is_empty() {
            source = take(insight.event_source);
        }
        if name.is_empty() {
            name = take(insight.event_name);
        }
    }
    let mut fields = EventFields {
        time,
        source,
        name,
        region: take(r.aws_region),
        source_ip: take(r.source_ip),
        user_agent: take(r.user_agent),
        error_code: take(r.error_code),
        event_type: take(r.event_type),
        event_id: take(r.event_id),
        request_id: take(r.request_id),
        shared_event_id: take(r.shared_event_id),
        read_only: r.read_only.0,
        ..EventFields::default()
    };
    let recipient = take(r.recipient_account_id);
    if let Some(identity) = r.user_identity.0 {
        let Identity {
            kind,
            user_name,
            arn,
            principal_id,
            account_id,
            access_key_id,
            invoked_by,
            on_behalf_of,
            session_context,
        } = identity;
        fields.mfa = session_context
            .get()
            .and_then(|c| c.attributes.get())
            .and_then(|a| a.mfa_authenticated.0);
        let kind = take(kind);
        let arn_s = arn.as_str();
        let from_arn = |marker: &str| -> Option<Cow<'_, str>> {
            arn_s
                .find(marker)
                .map(|i| &arn_s[i + marker.len()..])
                .filter(|s| !s.is_empty())
                .map(|s| Cow::Owned(s.to_string()))
        };
        let actor: Option<Cow<'_, str>> = match kind.as_ref() {
            "IAMUser" => user_name.0.clone(),
            "AssumedRole" => from_arn("assumed-role/"),
            "Root" => Some(Cow::Borrowed("root")),
            "FederatedUser" => from_arn("federated-user/"),
            "AWSService" => invoked_by.0.clone(),
            "IdentityCenterUser" => on_behalf_of.0.and_then(|o| o.user_id.0),
            "AWSAccount" => principal_id
                .get()
                .or(account_id.get())
                .map(|s| Cow::Owned(s.to_string())),
            _ => None,
        };
        let actor = actor
            .filter(|a| !a.is_empty())
            .or_else(|| user_name.get().map(|s| Cow::Owned(s.to_string())))
            .or_else(|| arn.get().map(|s| Cow::Owned(s.to_string())))
            .or_else(|| principal_id.get().map(|s| Cow::Owned(s.to_string())))
            .or_else(|| invoked_by.get().map(|s| Cow::Owned(s.to_string())));
        fields.actor = actor.unwrap_or(Cow::Borrowed(""));
        fields.identity_type = kind;
        fields.account = if recipient.is_empty() {
            take(account_id)
        } else {
            recipient
        };
        fields.arn = take(arn);
        fields.access_key = take(access_key_id);
        fields.principal = take(principal_id);
    } else {
        fields.account = recipient;
    }

    let is_codecommit = fields.source == "codecommit.amazonaws.com";
    let is_codepipeline = fields.source == "codepipeline.amazonaws.com";
    let mut repos: Vec<Cow<'_, str>> = Vec::new();
    let mut pipelines: Vec<Cow<'_, str>> = Vec::new();
    fn push_unique<'x>(list: &mut Vec<Cow<'x, str>>, item: Option<Cow<'x, str>>) {
        if let Some(item) = item.filter(|s| !s.is_empty())
            && !list.contains(&item)
        {
            list.push(item);
        }
    }
    if let Some(req) = r.request.0 {
        push_unique(&mut repos, req.repository_name.0);
        for n in req.repository_names.0 {
            push_unique(&mut repos, n.0);
        }
        if is_codepipeline {
            push_unique(&mut pipelines, req.pipeline.0.and_then(|p| p.name.0));
            push_unique(&mut pipelines, req.name.0);
            push_unique(&mut pipelines, req.pipeline_name.0);
        }
        if is_codecommit {
            fields.git_refs = req
                .references
                .0
                .into_iter()
                .filter_map(|o| o.0)
                .map(|g| (take(g.reference), take(g.commit)))
                .collect();
        }
    }
    if let Some(add) = r.additional.0 {
        push_unique(&mut repos, add.repository_name.0);
        fields.data_transferred = add.data_transferred.0;
    }
    if let Some(resp) = r.response.0 {
        push_unique(
            &mut repos,
            resp.repository_metadata.0.and_then(|m| m.repository_name.0),
        );
        if is_codepipeline {
            push_unique(&mut pipelines, resp.pipeline.0.and_then(|p| p.name.0));
        }
    }
    for res in r.resources.0.into_iter().filter_map(|o| o.0) {
        let arn = take(res.arn);
        let last = last_segment(&arn);
        if fields.first_resource.is_empty() && !last.is_empty() {
            fields.first_resource = Cow::Owned(last.to_string());
        }
        if arn.contains(":codecommit:") {
            push_unique(&mut repos, Some(Cow::Owned(last.to_string())));
        } else if arn.contains(":codepipeline:") && is_codepipeline {
            push_unique(&mut pipelines, Some(Cow::Owned(last.to_string())));
        }
        if !arn.is_empty() {
            push_unique(&mut fields.resource_arns, Some(arn));
        }
    }
    fields.repositories = repos;
    fields.pipelines = pipelines;
    fields
}

/// The name at the end of an ARN: after the last `/`, else after the last `:`.
fn last_segment(arn: &str) -> &str {
    let after_colon = arn.rsplit(':').next().unwrap_or(arn);
    after_colon.rsplit('/').next().unwrap_or(after_colon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> EventFields<'static> {
        match parse_value(json).unwrap() {
            Parsed::Event(f) => f.into_owned(),
            _ => panic!("not an event: {json}"),
        }
    }

    fn actor_of(identity: &str) -> String {
        event(&format!(r#"{{"eventName":"X","userIdentity":{identity}}}"#))
            .actor
            .to_string()
    }

    #[test]
    fn actor_rules_by_identity_type() {
        let cases = [
            (
                r#"{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::1:user/alice"}"#,
                "alice",
            ),
            (
                r#"{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/Deployer/ci-42","principalId":"AROA:ci-42"}"#,
                "Deployer/ci-42",
            ),
            (
                r#"{"type":"Root","arn":"arn:aws:iam::1:root","principalId":"1"}"#,
                "root",
            ),
            (
                r#"{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/bob"}"#,
                "bob",
            ),
            (
                r#"{"type":"AWSService","invokedBy":"codepipeline.amazonaws.com"}"#,
                "codepipeline.amazonaws.com",
            ),
            (
                r#"{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-123"}}"#,
                "u-123",
            ),
            (
                r#"{"type":"AWSAccount","principalId":"AIDAX","accountId":"2"}"#,
                "AIDAX",
            ),
            (r#"{"type":"AWSAccount","accountId":"222"}"#, "222"),
            (r#"{"type":"SAMLUser","userName":"carol"}"#, "carol"),
            (r#"{"type":"Unknown","arn":"arn:x"}"#, "arn:x"),
            (r#"{"type":"Unknown","principalId":"P1"}"#, "P1"),
            (
                r#"{"type":"AssumedRole","arn":"weird","principalId":"AROA:s"}"#,
                "weird",
            ),
        ];
        for (identity, want) in cases {
            assert_eq!(actor_of(identity), want, "{identity}");
        }
    }

    #[test]
    fn account_prefers_recipient() {
        let e = event(
            r#"{"eventName":"X","recipientAccountId":"111","userIdentity":{"accountId":"222"}}"#,
        );
        assert_eq!(e.account, "111");
        let e = event(r#"{"eventName":"X","userIdentity":{"accountId":"222"}}"#);
        assert_eq!(e.account, "222");
    }

    #[test]
    fn repositories_from_every_place() {
        let e = event(
            r#"{"eventID":"1","eventSource":"codecommit.amazonaws.com","eventName":"X",
            "requestParameters":{"repositoryName":"a","repositoryNames":["b","a"]},
            "additionalEventData":{"repositoryName":"c","dataTransferred":true},
            "responseElements":{"repositoryMetadata":{"repositoryName":"d"}},
            "resources":[{"ARN":"arn:aws:codecommit:us-east-2:1:e"},{"ARN":"arn:aws:s3:::bucket"}]}"#,
        );
        assert_eq!(e.repositories, vec!["a", "b", "c", "d", "e"]);
        assert_eq!(e.data_transferred, Some(true));
        assert_eq!(e.first_resource, "e");
    }

    #[test]
    fn pipelines_only_from_codepipeline_events() {
        let e = event(
            r#"{"eventID":"1","eventSource":"codepipeline.amazonaws.com","eventName":"UpdatePipeline",
            "requestParameters":{"pipeline":{"name":"P1","version":3},"name":"P2","pipelineName":"P3"},
            "responseElements":{"pipeline":{"name":"P1","version":4}},
            "resources":[{"ARN":"arn:aws:codepipeline:us-east-1:1:P4"}]}"#,
        );
        assert_eq!(e.pipelines, vec!["P1", "P2", "P3", "P4"]);
        let e = event(
            r#"{"eventID":"1","eventSource":"s3.amazonaws.com","eventName":"X","requestParameters":{"name":"P2"}}"#,
        );
        assert!(e.pipelines.is_empty());
    }

    #[test]
    fn git_push_references() {
        let e = event(
            r#"{"eventID":"1","eventSource":"codecommit.amazonaws.com","eventName":"GitPush",
            "requestParameters":{"references":[{"commit":"abc","ref":"refs/heads/main"},"junk"]}}"#,
        );
        assert_eq!(e.git_refs, vec![("refs/heads/main".into(), "abc".into())]);
    }

    #[test]
    fn odd_types_keep_the_event() {
        let e = event(
            r#"{"eventName":"X","eventTime":"not a time","readOnly":"true","userIdentity":"oops",
            "requestParameters":"a string","resources":{"not":"a list"},"recipientAccountId":123}"#,
        );
        assert_eq!(e.name, "X");
        assert_eq!(e.time, NO_TIME);
        assert_eq!(e.read_only, Some(true));
        assert_eq!(e.account, "123");
    }

    #[test]
    fn unpaired_surrogates_keep_the_event() {
        let e = event(
            r#"{"eventID":"1","eventName":"X","userAgent":"x\ud800y","eventSource":"s\udc00"}"#,
        );
        assert_eq!(e.user_agent, "x\u{fffd}y");
        assert_eq!(e.source, "s\u{fffd}");
        // A pair stays a pair.
        let e = event(r#"{"eventID":"1","eventName":"X","userAgent":"\ud83d\ude80\ud800"}"#);
        assert_eq!(e.user_agent, "🚀\u{fffd}");
        // Inside a lookup-events item.
        let item = r#"{"EventId":"1","CloudTrailEvent":"{\"eventID\":\"1\",\"eventName\":\"X\",\"userAgent\":\"x\\ud800y\"}"}"#;
        let Parsed::Lookup(inner) = parse_value(item).unwrap() else {
            panic!("not a lookup item")
        };
        assert_eq!(event(&inner).user_agent, "x\u{fffd}y");
    }

    #[test]
    fn duplicate_keys_fall_back_to_last_value() {
        let e = event(r#"{"eventID":"1","eventName":"A","eventName":"B","eventSource":"s"}"#);
        assert_eq!(e.name, "B");
    }

    #[test]
    fn envelopes_and_lookup_items() {
        assert!(matches!(
            parse_value(r#"{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"X"}}"#).unwrap(),
            Parsed::Envelope(d) if d == r#"{"eventName":"X"}"#
        ));
        assert!(matches!(
            parse_value(r#"{"EventId":"1","CloudTrailEvent":"{\"eventName\":\"X\"}"}"#).unwrap(),
            Parsed::Lookup(s) if s == r#"{"eventName":"X"}"#
        ));
        assert!(matches!(
            parse_value(r#"{"Type":"Notification"}"#).unwrap(),
            Parsed::NotEvent
        ));
    }

    #[test]
    fn insight_events_take_source_from_details() {
        let e = event(
            r#"{"eventVersion":"1.07","eventTime":"2024-01-01T00:00:00Z","eventType":"AwsCloudTrailInsight",
            "insightDetails":{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances"}}"#,
        );
        assert_eq!(e.source, "ec2.amazonaws.com");
        assert_eq!(e.name, "RunInstances");
        assert_eq!(e.actor, "");
    }
}
