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

/// How many distinct identities, keys, user agents and addresses the corpus has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Cardinality {
    /// A handful of people and roles, 8 user agents, 12 addresses: the bundled demo and the tests' corpus.
    #[default]
    Demo,
    /// Like a busy account: every AssumedRole session (minutes to hours) has its own access key
    /// and a session name from a pool of thousands; thousands of user agents and source addresses.
    Realistic,
    /// Every background event has its own actor, access key, source address, user agent and resource.
    Distinct,
}

/// A well-mixed 64-bit hash of a few numbers (deterministic, platform-independent).
fn mix(parts: &[u64]) -> u64 {
    let mut r = Rng::new(0x7261_6e64);
    for &p in parts {
        r = Rng::new(r.next_u64() ^ p);
    }
    r.next_u64()
}

/// A user agent from a pool of about `n` distinct ones (SDKs, CLIs and browsers at many versions).
pub fn pooled_user_agent(idx: u64) -> String {
    let mut r = Rng::new(mix(&[0x0A6E, idx]));
    let kernel = format!(
        "{}.{}.{}-{}",
        *r.pick(&[5u64, 6]),
        r.below(16),
        r.range(10, 250),
        r.range(100, 999)
    );
    match idx % 6 {
        0 => format!(
            "aws-cli/2.{}.{} Python/3.{}.{} Linux/{kernel}.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off",
            r.below(18),
            r.below(40),
            r.range(9, 13),
            r.below(10)
        ),
        1 => {
            let v = r.range(20, 120);
            format!(
                "Boto3/1.34.{v} md/Botocore#1.34.{v} ua/2.0 os/linux#{kernel} md/arch#x86_64 lang/python#3.{}.{} cfg/retry-mode#{} Botocore/1.34.{v}",
                r.range(9, 13),
                r.below(10),
                r.pick(&["legacy", "standard", "adaptive"])
            )
        }
        2 => format!(
            "aws-sdk-go-v2/1.{}.{} os/linux lang/go#1.2{}.{} md/GOOS#linux md/GOARCH#{} api/{}#1.{}.{}",
            r.range(20, 30),
            r.below(10),
            r.below(3),
            r.below(8),
            r.pick(&["amd64", "arm64"]),
            r.pick(&["ec2", "s3", "sts", "kms", "dynamodb"]),
            r.range(100, 180),
            r.below(5)
        ),
        3 => format!(
            "Mozilla/5.0 ({}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{}.0.{}.{} Safari/537.36",
            r.pick(&[
                "Macintosh; Intel Mac OS X 10_15_7",
                "Windows NT 10.0; Win64; x64",
                "X11; Linux x86_64"
            ]),
            r.range(110, 126),
            r.range(5000, 6500),
            r.below(200)
        ),
        4 => format!(
            "aws-sdk-java/2.{}.{} Linux/{kernel}.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.{}+7-LTS Java/17.0.{}",
            r.range(20, 26),
            r.below(30),
            r.below(12),
            r.below(12)
        ),
        _ => format!(
            "APN/1.0 HashiCorp/1.0 Terraform/1.{}.{} (+https://www.terraform.io) terraform-provider-aws/5.{}.{}",
            r.range(3, 9),
            r.below(8),
            r.range(20, 60),
            r.below(4)
        ),
    }
}

/// A public IPv4 address from a pool (cloud and office ranges).
pub fn pooled_ip(idx: u64) -> String {
    let mut r = Rng::new(mix(&[0x1b, idx]));
    format!(
        "{}.{}.{}.{}",
        r.pick(&[3u64, 13, 18, 34, 35, 44, 52, 54, 81, 91, 185, 203]),
        r.below(256),
        r.below(256),
        r.range(1, 255)
    )
}

/// A kind of role whose sessions come and go.
struct RoleClass {
    role: &'static str,
    /// Share of role events, per mille.
    weight: u64,
    /// Sessions alive at any time, per account and region.
    slots: u64,
    /// Session length bounds, minutes.
    minutes: (u64, u64),
    /// How many distinct session names the role uses.
    names: u64,
    /// Distinct user agents and addresses this kind of caller uses.
    agents: u64,
    ips: u64,
}

const ROLE_CLASSES: [RoleClass; 4] = [
    RoleClass {
        role: "Deployer",
        weight: 300,
        slots: 400,
        minutes: (5, 60),
        names: 1500,
        agents: 400,
        ips: 900,
    },
    RoleClass {
        role: "app-server-instance",
        weight: 300,
        slots: 330,
        minutes: (60, 360),
        names: 2400,
        agents: 1200,
        ips: 2400,
    },
    RoleClass {
        role: "worker-lambda",
        weight: 250,
        slots: 450,
        minutes: (5, 15),
        names: 400,
        agents: 600,
        ips: 3000,
    },
    RoleClass {
        role: "AWSReservedSSO_AdministratorAccess_3b7e2c1a9f",
        weight: 150,
        slots: 60,
        minutes: (30, 480),
        names: 300,
        agents: 2000,
        ips: 1500,
    },
];

fn session_name(class: usize, n: u64) -> String {
    match class {
        0 => format!("ci-{n}"),
        1 => format!("i-0{:016x}", mix(&[0x1ce, n]) & 0x00ff_ffff_ffff_ffff),
        2 => format!("worker-fn-{n}"),
        _ => format!("user{n}@example.com"),
    }
}

/// An AssumedRole caller of a busy account: which session is alive in a slot at `time`
/// decides the session name, access key, user agent and address, so a session keeps
/// them for its minutes or hours, whichever file its events land in.
pub fn realistic_role_session(rng: &mut Rng, account: &str, time: i64) -> Actor {
    let mut pick = rng.below(1000);
    let mut class = 0;
    for (i, c) in ROLE_CLASSES.iter().enumerate() {
        if pick < c.weight {
            class = i;
            break;
        }
        pick -= c.weight;
        class = i;
    }
    let c = &ROLE_CLASSES[class];
    let acct: u64 = account.parse().unwrap_or(0);
    let slot = rng.below(c.slots);
    let slot_hash = mix(&[acct, class as u64, slot]);
    let (lo, hi) = c.minutes;
    let length = (lo + slot_hash % (hi - lo + 1)) as i64 * 60_000;
    let phase = (slot_hash >> 20) as i64 % length;
    let epoch = (time.max(0) + phase) / length;
    let session = mix(&[slot_hash, epoch as u64]);
    let mut s = Rng::new(session);
    let name = session_name(class, s.below(c.names));
    let agent = pooled_user_agent(class as u64 * 10_000 + s.below(c.agents));
    let ip = pooled_ip(class as u64 * 10_000 + s.below(c.ips));
    let created = crate::model::time::format_time(time - (time + phase) % length);
    let role_id = Rng::new(mix(&[acct, class as u64])).upper(17);
    Actor {
        identity: json!({
            "type": "AssumedRole",
            "principalId": format!("AROA{role_id}:{name}"),
            "arn": format!("arn:aws:sts::{account}:assumed-role/{}/{name}", c.role),
            "accountId": account,
            "accessKeyId": format!("ASIA{}", s.upper(16)),
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": format!("AROA{role_id}"),
                    "arn": format!("arn:aws:iam::{account}:role/{}", c.role),
                    "accountId": account,
                    "userName": c.role
                },
                "webIdFederationData": {},
                "attributes": {"creationDate": created, "mfaAuthenticated": if class == 3 { "true" } else { "false" }}
            }
        }),
        user_agent: agent,
        source_ip: ip,
    }
}

/// A caller seen once: its own session name, key, address and user agent.
pub fn distinct_role_session(rng: &mut Rng, account: &str) -> Actor {
    let name = format!("s-{}", rng.alnum(14));
    let role = *rng.pick(&["Deployer", "app-server-instance", "worker-lambda"]);
    let ip = format!(
        "2600:1f18:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
        rng.below(0x10000),
        rng.below(0x10000),
        rng.below(0x10000),
        rng.below(0x10000),
        rng.below(0x10000),
        rng.below(0x10000)
    );
    Actor {
        identity: json!({
            "type": "AssumedRole",
            "principalId": format!("AROA{}:{name}", rng.upper(17)),
            "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{name}"),
            "accountId": account,
            "accessKeyId": format!("ASIA{}", rng.upper(16)),
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{account}:role/{role}"), "accountId": account, "userName": role},
                "attributes": {"mfaAuthenticated": "false"}
            }
        }),
        user_agent: format!(
            "app/{} {}",
            rng.alnum(12),
            pooled_user_agent(rng.below(1000))
        ),
        source_ip: ip,
    }
}

/// Any actor at `time`, with the corpus's cardinality.
pub fn any_at(rng: &mut Rng, account: &str, time: i64, card: Cardinality) -> Actor {
    match card {
        Cardinality::Demo => any(rng, account),
        Cardinality::Distinct => distinct_role_session(rng, account),
        Cardinality::Realistic => match rng.below(1000) {
            // Most of a busy account's calls come from role sessions.
            0..=599 => realistic_role_session(rng, account, time),
            _ => any(rng, account),
        },
    }
}
