//! The parts of a CloudTrail record the index reads, as lenient serde types.
//!
//! Only these fields are decoded; everything else in an event is skipped by the
//! parser without allocation. Every field is optional and type-tolerant (see
//! [`super::lenient`]), so a record that is valid JSON always deserializes.

use super::lenient::{Flag, List, Obj, Text};
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Record<'a> {
    #[serde(borrow, rename = "eventTime")]
    pub event_time: Text<'a>,
    #[serde(borrow, rename = "@timestamp")]
    pub at_timestamp: Text<'a>,
    #[serde(borrow, rename = "eventSource")]
    pub event_source: Text<'a>,
    #[serde(borrow, rename = "eventName")]
    pub event_name: Text<'a>,
    #[serde(borrow, rename = "awsRegion")]
    pub aws_region: Text<'a>,
    #[serde(borrow, rename = "recipientAccountId")]
    pub recipient_account_id: Text<'a>,
    #[serde(borrow, rename = "sourceIPAddress")]
    pub source_ip: Text<'a>,
    #[serde(borrow, rename = "userAgent")]
    pub user_agent: Text<'a>,
    #[serde(borrow, rename = "errorCode")]
    pub error_code: Text<'a>,
    #[serde(borrow, rename = "eventType")]
    pub event_type: Text<'a>,
    #[serde(borrow, rename = "eventID")]
    pub event_id: Text<'a>,
    #[serde(borrow, rename = "requestID")]
    pub request_id: Text<'a>,
    #[serde(borrow, rename = "sharedEventID")]
    pub shared_event_id: Text<'a>,
    #[serde(rename = "readOnly")]
    pub read_only: Flag,
    #[serde(borrow, rename = "userIdentity")]
    pub user_identity: Obj<Identity<'a>>,
    #[serde(borrow, rename = "requestParameters")]
    pub request: Obj<Request<'a>>,
    #[serde(borrow, rename = "responseElements")]
    pub response: Obj<Response<'a>>,
    #[serde(borrow, rename = "additionalEventData")]
    pub additional: Obj<Additional<'a>>,
    #[serde(borrow)]
    pub resources: List<Obj<Resource<'a>>>,
    #[serde(borrow, rename = "insightDetails")]
    pub insight: Obj<InsightDetails<'a>>,
    // Envelope markers: an EventBridge event carries the record in `detail`,
    // a `lookup-events` item carries it as a JSON string in `CloudTrailEvent`.
    #[serde(borrow, rename = "detail-type")]
    pub detail_type: Text<'a>,
    #[serde(borrow)]
    pub detail: Option<&'a RawValue>,
    #[serde(borrow, rename = "CloudTrailEvent")]
    pub cloudtrail_event: Text<'a>,
    #[serde(borrow, rename = "eventVersion")]
    pub event_version: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Identity<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Text<'a>,
    #[serde(borrow, rename = "userName")]
    pub user_name: Text<'a>,
    #[serde(borrow)]
    pub arn: Text<'a>,
    #[serde(borrow, rename = "principalId")]
    pub principal_id: Text<'a>,
    #[serde(borrow, rename = "accountId")]
    pub account_id: Text<'a>,
    #[serde(borrow, rename = "accessKeyId")]
    pub access_key_id: Text<'a>,
    #[serde(borrow, rename = "invokedBy")]
    pub invoked_by: Text<'a>,
    #[serde(borrow, rename = "onBehalfOf")]
    pub on_behalf_of: Obj<OnBehalfOf<'a>>,
    #[serde(rename = "sessionContext")]
    pub session_context: Obj<SessionContext>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OnBehalfOf<'a> {
    #[serde(borrow, rename = "userId")]
    pub user_id: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SessionContext {
    pub attributes: Obj<SessionAttributes>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SessionAttributes {
    #[serde(rename = "mfaAuthenticated")]
    pub mfa_authenticated: Flag,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Request<'a> {
    #[serde(borrow, rename = "repositoryName")]
    pub repository_name: Text<'a>,
    #[serde(borrow, rename = "repositoryNames")]
    pub repository_names: List<Text<'a>>,
    #[serde(borrow)]
    pub pipeline: Obj<NamedVersion<'a>>,
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow, rename = "pipelineName")]
    pub pipeline_name: Text<'a>,
    #[serde(borrow)]
    pub references: List<Obj<GitRef<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Response<'a> {
    #[serde(borrow, rename = "repositoryMetadata")]
    pub repository_metadata: Obj<RepositoryMetadata<'a>>,
    #[serde(borrow)]
    pub pipeline: Obj<NamedVersion<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RepositoryMetadata<'a> {
    #[serde(borrow, rename = "repositoryName")]
    pub repository_name: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NamedVersion<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow)]
    pub version: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GitRef<'a> {
    #[serde(borrow, rename = "ref")]
    pub reference: Text<'a>,
    #[serde(borrow)]
    pub commit: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Additional<'a> {
    #[serde(borrow, rename = "repositoryName")]
    pub repository_name: Text<'a>,
    #[serde(rename = "dataTransferred")]
    pub data_transferred: Flag,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Resource<'a> {
    #[serde(borrow, rename = "ARN")]
    pub arn: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InsightDetails<'a> {
    #[serde(borrow, rename = "eventSource")]
    pub event_source: Text<'a>,
    #[serde(borrow, rename = "eventName")]
    pub event_name: Text<'a>,
}

impl Record<'_> {
    /// The rule for what a CloudTrail record is (README, "What an event is"). A
    /// JSON object (after unwrapping EventBridge and `lookup-events` envelopes) is
    /// a record when
    /// 1. it has a key that names the call — `eventName`, `eventSource`,
    ///    `eventType` or `insightDetails` — whatever its value (even null or an
    ///    array: the record loads with that field empty), and
    /// 2. it has a key of the record itself — `eventTime`, `eventID`,
    ///    `eventVersion`, `userIdentity`, `awsRegion` or `recipientAccountId`, and
    /// 3. its `eventSource` is not an `aws:…` name (S3 and SNS notifications and
    ///    CodeCommit triggers use `{"Records":[…]}` with such sources).
    ///
    /// Every other object is counted in its file's warning ("N JSON objects are
    /// not CloudTrail records"), so objects read = events + not records.
    pub fn looks_like_event(&self) -> bool {
        if self.event_source.as_str().starts_with("aws:") {
            return false;
        }
        let names_a_call = self.event_name.0.is_some()
            || self.event_source.0.is_some()
            || self.event_type.0.is_some()
            || self.insight.0.is_some();
        let is_a_record = self.event_time.0.is_some()
            || self.event_id.0.is_some()
            || self.event_version.0.is_some()
            || self.user_identity.0.is_some()
            || self.aws_region.0.is_some()
            || self.recipient_account_id.0.is_some();
        names_a_call && is_a_record
    }
}
