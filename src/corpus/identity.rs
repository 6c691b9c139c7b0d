//! Who acts in the generated corpus: users, role sessions, services — each with
//! the `userIdentity` shape CloudTrail writes for that identity type.

use super::rng::Rng;
use serde_json::{Value, json};

pub const USER_AGENTS: [&str; 8] = [
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.11.8 cfg/retry-mode#legacy Botocore/1.34.69",
    "console.amazonaws.com",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.1",
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.41.0",
    "aws-sdk-java/2.25.11 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10",
    "aws-internal/3 aws-sdk-java/1.12.669 Linux/5.10.210-178.855.amzn2int.x86_64",
];

pub const IPS: [&str; 12] = [
    "203.0.113.12",
    "203.0.113.45",
    "198.51.100.7",
    "198.51.100.200",
    "192.0.2.64",
    "192.0.2.10",
    "203.0.113.99",
    "198.51.100.31",
    "192.0.2.150",
    "203.0.113.201",
    "198.51.100.77",
    "192.0.2.33",
];

/// An actor and how it appears in events.
#[derive(Debug, Clone)]
pub struct Actor {
    pub identity: Value,
    pub user_agent: String,
    pub source_ip: String,
}

const USERS: [(&str, &str); 5] = [
    ("alice", "AKIAIOSFODNN7ALICE01"),
    ("bob", "AKIAIOSFODNN7BOB0002"),
    ("carol", "AKIAIOSFODNN7CAROL03"),
    ("José García", "AKIAIOSFODNN7JOSE004"),
    ("svc-backup", "AKIAIOSFODNN7BACKUP5"),
];

pub fn iam_user(rng: &mut Rng, account: &str, index: usize) -> Actor {
    let (name, key) = USERS[index % USERS.len()];
    let console = index.is_multiple_of(4) || index % 4 == 3;
    Actor {
        identity: json!({
            "type": "IAMUser",
            "principalId": format!("AIDA{}", &key[4..].replace('7', "Q")),
            "arn": format!("arn:aws:iam::{account}:user/{name}"),
            "accountId": account,
            // Console sessions get temporary keys; a user has a few sessions, not one per call.
            "accessKeyId": if console { format!("ASIA{}{:02}", &key[4..18], rng.below(6)) } else { key.to_string() },
            "userName": name,
            "sessionContext": {
                "sessionIssuer": {},
                "webIdFederationData": {},
                "attributes": {"creationDate": "2024-03-01T08:00:00Z", "mfaAuthenticated": if console { "true" } else { "false" }}
            }
        }),
        user_agent: if console {
            USER_AGENTS[2].to_string()
        } else {
            rng.pick(&USER_AGENTS[..2]).to_string()
        },
        source_ip: IPS[index % IPS.len()].to_string(),
    }
}

pub fn role_session(rng: &mut Rng, account: &str, role: &str, session: &str) -> Actor {
    let key_seed = session
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let mut key_rng = Rng::new(key_seed);
    Actor {
        identity: json!({
            "type": "AssumedRole",
            "principalId": format!("AROA{}:{session}", key_rng.upper(17)),
            "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
            "accountId": account,
            "accessKeyId": format!("ASIA{}", key_rng.upper(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": format!("AROA{}", key_rng.upper(17)),
                    "arn": format!("arn:aws:iam::{account}:role/{role}"),
                    "accountId": account,
                    "userName": role
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": "2024-03-01T09:00:00Z", "mfaAuthenticated": "false"}
            }
        }),
        user_agent: rng.pick(&USER_AGENTS[3..]).to_string(),
        source_ip: rng.pick(&IPS).to_string(),
    }
}

pub fn service(service: &str) -> Actor {
    Actor {
        identity: json!({"type": "AWSService", "invokedBy": service}),
        user_agent: service.to_string(),
        source_ip: service.to_string(),
    }
}

pub fn root(account: &str) -> Actor {
    Actor {
        identity: json!({
            "type": "Root",
            "principalId": account,
            "arn": format!("arn:aws:iam::{account}:root"),
            "accountId": account,
            "accessKeyId": "ASIAROOTSESSION00001"
        }),
        user_agent: USER_AGENTS[3].to_string(),
        source_ip: "198.51.100.200".to_string(),
    }
}

pub fn federated(account: &str) -> Actor {
    Actor {
        identity: json!({
            "type": "FederatedUser",
            "principalId": format!("{account}:frank"),
            "arn": format!("arn:aws:sts::{account}:federated-user/frank"),
            "accountId": account,
            "accessKeyId": "ASIAFEDERATEDFRANK01",
            "sessionContext": {"attributes": {"creationDate": "2024-03-01T07:00:00Z", "mfaAuthenticated": "false"}}
        }),
        user_agent: USER_AGENTS[1].to_string(),
        source_ip: "192.0.2.150".to_string(),
    }
}

pub fn identity_center(account: &str) -> Actor {
    Actor {
        identity: json!({
            "type": "IdentityCenterUser",
            "accountId": account,
            "onBehalfOf": {"userId": "94482488-3041-7026-18f3-be45837cd0e4", "identityStoreArn": "arn:aws:identitystore::111122223333:identitystore/d-9067642ac7"},
            "credentialId": "EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE"
        }),
        user_agent: USER_AGENTS[3].to_string(),
        source_ip: "203.0.113.201".to_string(),
    }
}

/// Any actor, weighted like a busy account: mostly roles and services.
pub fn any(rng: &mut Rng, account: &str) -> Actor {
    match rng.below(1000) {
        0..=279 => {
            let i = rng.below(USERS.len() as u64) as usize;
            iam_user(rng, account, i)
        }
        280..=619 => {
            let n = rng.range(1, 40);
            role_session(rng, account, "Deployer", &format!("ci-{n}"))
        }
        620..=719 => role_session(
            rng,
            account,
            "AWSReservedSSO_AdministratorAccess_3b7e2c1a9f",
            "dave@example.com",
        ),
        720..=779 => role_session(rng, account, "ReadOnly", "eve-audit"),
        780..=959 => {
            let svc = *rng.pick(&[
                "config.amazonaws.com",
                "autoscaling.amazonaws.com",
                "cloudformation.amazonaws.com",
            ]);
            service(svc)
        }
        960..=979 => federated(account),
        980..=997 => identity_center(account),
        _ => root(account),
    }
}
