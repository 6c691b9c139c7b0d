//! Every field of the filter language, once: the parser, the unknown-field
//! suggestion, the help popup, README's table (a test checks it) and the CLI's
//! flags all read this table.

/// How a field's values are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Case- and accent-insensitive substring; `=value` matches the whole value.
    Text,
    /// The whole value (case-insensitive), one of a comma-separated list.
    Exact,
    /// A time: RFC 3339, a date, a partial timestamp, or `-2h` (relative to now).
    Time,
    /// A span back from the newest loaded event (`2h`, `30m`, `7d`).
    Span,
    /// Raw JSON text.
    Raw,
    /// A word with no value (`errors`).
    Word,
}

pub struct Field {
    /// The token before `:` (or the whole word for [`Kind::Word`]).
    pub name: &'static str,
    /// The CLI flag that sets the same term, if any.
    pub flag: Option<&'static str>,
    pub kind: Kind,
    pub help: &'static str,
    pub example: &'static str,
}

const fn f(
    name: &'static str,
    flag: Option<&'static str>,
    kind: Kind,
    help: &'static str,
    example: &'static str,
) -> Field {
    Field {
        name,
        flag,
        kind,
        help,
        example,
    }
}

#[rustfmt::skip]
pub const FIELDS: &[Field] = &[
    f("user", Some("--user"), Kind::Text, "the actor, userIdentity.arn or principalId; the access key only with = (exact)", "user:carol  user:=alice  user:*@example.com"),
    f("key", Some("--key"), Kind::Text, "access key id: exact, or a prefix of 4 or more characters", "key:ASIAYH0G  key:=AKIAIOSFODNN7EXAMPLE"),
    f("ip", Some("--ip"), Kind::Text, "sourceIPAddress: exact, a CIDR (IPv4 or IPv6), else a substring", "ip:203.0.113.12  ip:10.0.0.0/8  ip:2001:db8::/32"),
    f("agent", Some("--agent"), Kind::Text, "userAgent contains", "agent:aws-cli  agent:\"Boto3/1.34\""),
    f("type", Some("--type"), Kind::Text, "userIdentity.type contains (IAMUser, AssumedRole, Root, AWSService…)", "type:AssumedRole"),
    f("repo", Some("--repo"), Kind::Text, "a CodeCommit repository the event names", "repo:infra  repo:=web-app"),
    f("pipeline", Some("--pipeline"), Kind::Text, "a CodePipeline pipeline the event names", "pipeline:Deploy"),
    f("id", Some("--id"), Kind::Exact, "eventID, requestID or sharedEventID: exact (no wildcards; a UUID in any case)", "id:3b7c1d2e-0f4a-4b5c-9d6e-7f8091a2b3c4  id:3E59EE4F8D5A1C2B"),
    f("resource", Some("--resource"), Kind::Text, "any resource the event names: repositories, pipelines, the resource column, each resources[].ARN whole", "resource:arn:aws:s3:::logs"),
    f("event", Some("--event"), Kind::Exact, "event name is one of the list", "event:GitPush,GitPull  event:Git*"),
    f("source", Some("--source"), Kind::Exact, "event source (codecommit means codecommit.amazonaws.com)", "source:codecommit"),
    f("account", Some("--account"), Kind::Exact, "account (recipientAccountId, else userIdentity.accountId)", "account:111122223333"),
    f("region", Some("--region"), Kind::Exact, "region", "region:us-east-1,eu-*"),
    f("error", Some("--error"), Kind::Exact, "error code", "error:AccessDenied*"),
    f("since", Some("--since"), Kind::Time, "at or after a time (UTC unless an offset is given; -2h is relative to now)", "since:2024-03-02T10:00  since:-2h"),
    f("until", Some("--until"), Kind::Time, "before a time", "until:2024-03-03  until:-30m"),
    f("last", Some("--last"), Kind::Span, "within this span before the newest loaded event", "last:2h  last:7d"),
    f("text", None, Kind::Raw, "the raw event JSON contains it (* and ? are wildcards; searched in the background)", "text:\"Deny *\""),
    f("errors", Some("--errors"), Kind::Word, "has an error code", "errors"),
    f("readonly", Some("--read-only"), Kind::Word, "read-only events", "readonly"),
    f("mutating", Some("--mutating"), Kind::Word, "events that change something", "mutating"),
    f("conflict", Some("--conflicts"), Kind::Word, "another record has the event's eventID and different content", "conflict"),
];

/// The field named `name` (case-insensitive; `repository` is `repo`).
pub fn field(name: &str) -> Option<&'static Field> {
    let name = name.to_ascii_lowercase();
    let name = if name == "repository" { "repo" } else { &name };
    FIELDS.iter().find(|f| f.name == name)
}

/// The field whose name is closest to `typed`, for "did you mean".
pub fn closest(typed: &str) -> Option<&'static str> {
    let typed = typed.to_ascii_lowercase();
    FIELDS
        .iter()
        .filter(|f| f.kind != Kind::Word)
        .map(|f| (strsim::damerau_levenshtein(&typed, f.name), f.name))
        .filter(|(d, name)| *d <= 2.max(name.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(closest("usr"), Some("user"));
        assert_eq!(closest("evnt"), Some("event"));
        assert_eq!(closest("regoin"), Some("region"));
        assert_eq!(closest("agnet"), Some("agent"));
        assert_eq!(closest("zzzzzz"), None);
        assert_eq!(field("REPOSITORY").map(|f| f.name), Some("repo"));
    }

    #[test]
    fn readme_documents_every_field() {
        let readme = include_str!("../../README.md");
        for f in FIELDS {
            let token = match f.kind {
                Kind::Word => format!("`{}`", f.name),
                _ => format!("`{}:", f.name),
            };
            assert!(
                readme.contains(&token),
                "README's filter table misses {token}"
            );
        }
    }
}
