//! Everyday API traffic: the bulk of any trail, around the CodeCommit and
//! CodePipeline stories.

use super::identity::{self, Actor, Cardinality};
use super::rng::Rng;
use crate::model::time::format_time;
use serde_json::{Value, json};

/// A CloudTrail record with the common fields filled in.
#[allow(clippy::too_many_arguments)]
pub fn record(
    time: i64,
    actor: &Actor,
    source: &str,
    name: &str,
    region: &str,
    account: &str,
    read_only: bool,
    request: Value,
    response: Value,
    rng: &mut Rng,
) -> Value {
    let mut ev = json!({
        "eventVersion": "1.09",
        "userIdentity": actor.identity,
        "eventTime": format_time(time - time % 1000),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": actor.source_ip,
        "userAgent": actor.user_agent,
        "requestParameters": request,
        "responseElements": response,
        "requestID": rng.uuid(),
        "eventID": rng.uuid(),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management",
    });
    if !actor.source_ip.ends_with(".amazonaws.com") {
        ev["tlsDetails"] = json!({
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": format!("{}.{region}.amazonaws.com", source.trim_end_matches(".amazonaws.com"))
        });
    }
    ev
}

/// Marks a record as failed.
pub fn fail(ev: &mut Value, code: &str, message: &str) {
    ev["errorCode"] = json!(code);
    ev["errorMessage"] = json!(message);
    ev["responseElements"] = Value::Null;
}

/// One background event.
pub fn event(rng: &mut Rng, time: i64, account: &str, region: &str, card: Cardinality) -> Value {
    let actor = identity::any_at(rng, account, time, card);
    let instance = format!("i-0{}", rng.hex(16));
    let bucket = rng
        .pick(&[
            "app-assets-prod",
            "team-logs-archive",
            "ml-training-data",
            "tf-state-backend",
        ])
        .to_string();
    let (source, name, ro, request, response) = match rng.below(100) {
        0..=17 => (
            "ec2.amazonaws.com",
            "DescribeInstances",
            true,
            json!({"instancesSet": {}, "filterSet": {"items": [{"name": "instance-state-name", "valueSet": {"items": [{"value": "running"}]}}]}}),
            Value::Null,
        ),
        18..=21 => (
            "ec2.amazonaws.com",
            "DescribeSecurityGroups",
            true,
            json!({"securityGroupSet": {}, "filterSet": {}}),
            Value::Null,
        ),
        22..=23 => (
            "ec2.amazonaws.com",
            "RunInstances",
            false,
            json!({"instancesSet": {"items": [{"imageId": format!("ami-0{}", rng.hex(16)), "minCount": 1, "maxCount": 1}]}, "instanceType": rng.pick(&["t3.micro", "m6i.large", "c7g.xlarge"])}),
            json!({"instancesSet": {"items": [{"instanceId": instance, "instanceState": {"code": 0, "name": "pending"}}]}}),
        ),
        24 => (
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            false,
            json!({"groupId": format!("sg-0{}", rng.hex(16)), "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
            json!({"_return": true}),
        ),
        25..=36 => (
            "s3.amazonaws.com",
            "GetObject",
            true,
            json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com"), "key": format!("data/{}/part-{}.parquet", rng.hex(6), rng.below(400))}),
            Value::Null,
        ),
        37..=41 => (
            "s3.amazonaws.com",
            "PutObject",
            false,
            json!({"bucketName": bucket, "Host": format!("{bucket}.s3.{region}.amazonaws.com"), "key": format!("uploads/{}.json", rng.hex(12))}),
            Value::Null,
        ),
        42..=43 => (
            "s3.amazonaws.com",
            "ListBuckets",
            true,
            json!({"Host": "s3.amazonaws.com"}),
            Value::Null,
        ),
        44..=52 => (
            "kms.amazonaws.com",
            "Decrypt",
            true,
            json!({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:lambda:FunctionArn": format!("arn:aws:lambda:{region}:{account}:function:worker")}}),
            Value::Null,
        ),
        53..=56 => (
            "kms.amazonaws.com",
            "GenerateDataKey",
            true,
            json!({"keyId": format!("alias/app-{}", rng.below(3)), "keySpec": "AES_256"}),
            Value::Null,
        ),
        57..=64 => (
            "sts.amazonaws.com",
            "AssumeRole",
            true,
            json!({"roleArn": format!("arn:aws:iam::{account}:role/Deployer"), "roleSessionName": format!("ci-{}", rng.below(40)), "durationSeconds": 3600}),
            json!({"credentials": {"accessKeyId": format!("ASIA{}", rng.upper(16)), "expiration": "Mar 1, 2024, 11:00:00 AM", "sessionToken": rng.alnum(64)}}),
        ),
        65..=67 => (
            "sts.amazonaws.com",
            "GetCallerIdentity",
            true,
            Value::Null,
            Value::Null,
        ),
        68..=71 => (
            "iam.amazonaws.com",
            "ListUsers",
            true,
            Value::Null,
            Value::Null,
        ),
        72 => (
            "iam.amazonaws.com",
            "CreateAccessKey",
            false,
            json!({"userName": "svc-backup"}),
            json!({"accessKey": {"accessKeyId": format!("AKIA{}", rng.upper(16)), "status": "Active", "userName": "svc-backup", "createDate": "Mar 1, 2024, 10:00:00 AM"}}),
        ),
        73 => (
            "iam.amazonaws.com",
            "AttachRolePolicy",
            false,
            json!({"roleName": "Deployer", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
            Value::Null,
        ),
        74..=77 => (
            "ssm.amazonaws.com",
            "GetParameter",
            true,
            json!({"name": format!("/app/{}/db-password", rng.pick(&["prod", "staging"])), "withDecryption": true}),
            Value::Null,
        ),
        78..=80 => (
            "lambda.amazonaws.com",
            "ListFunctions20150331",
            true,
            Value::Null,
            Value::Null,
        ),
        81..=83 => (
            "logs.amazonaws.com",
            "DescribeLogGroups",
            true,
            json!({"limit": 50}),
            Value::Null,
        ),
        84..=85 => (
            "cloudtrail.amazonaws.com",
            "LookupEvents",
            true,
            json!({"maxResults": 50}),
            Value::Null,
        ),
        86..=88 => (
            "codebuild.amazonaws.com",
            "BatchGetBuilds",
            true,
            json!({"ids": [format!("build:{}", rng.uuid())]}),
            Value::Null,
        ),
        89..=90 => (
            "signin.amazonaws.com",
            "ConsoleLogin",
            false,
            Value::Null,
            json!({"ConsoleLogin": "Success"}),
        ),
        91..=93 => (
            "dynamodb.amazonaws.com",
            "DescribeTable",
            true,
            json!({"tableName": rng.pick(&["orders", "sessions", "audit"])}),
            Value::Null,
        ),
        94..=96 => (
            "monitoring.amazonaws.com",
            "GetMetricData",
            true,
            json!({"startTime": "Mar 1, 2024, 9:00:00 AM", "endTime": "Mar 1, 2024, 10:00:00 AM"}),
            Value::Null,
        ),
        _ => (
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            true,
            json!({"secretId": format!("prod/{}/api-key", rng.pick(&["payments", "search"]))}),
            Value::Null,
        ),
    };
    let region = if source == "signin.amazonaws.com" || source == "iam.amazonaws.com" {
        "us-east-1"
    } else {
        region
    };
    let mut ev = record(
        time, &actor, source, name, region, account, ro, request, response, rng,
    );
    if source == "signin.amazonaws.com" {
        ev["additionalEventData"] = json!({"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "Yes"});
    }
    if card == Cardinality::Distinct {
        ev["resources"] = json!([{
            "accountId": account,
            "type": "AWS::S3::Object",
            "ARN": format!("arn:aws:s3:::{bucket}/objects/{}", rng.alnum(20))
        }]);
    }
    match rng.below(1000) {
        0..=29 => fail(
            &mut ev,
            "AccessDenied",
            &format!(
                "User is not authorized to perform: {}:{name}",
                source.trim_end_matches(".amazonaws.com")
            ),
        ),
        30..=34 => fail(&mut ev, "ThrottlingException", "Rate exceeded"),
        35..=36 => fail(
            &mut ev,
            "ValidationException",
            "1 validation error detected",
        ),
        _ => {}
    }
    ev
}
