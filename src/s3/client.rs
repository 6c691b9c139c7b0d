//! The SDK client: configuration by the AWS conventions (aws-config's default
//! chain), the bucket's region found with `HeadBucket`, and S3 errors turned into
//! one line a person can act on.

use super::S3Options;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::collections::HashMap;
use std::sync::Mutex;

/// What went wrong talking to S3, sorted by what the user should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    AccessDenied,
    NoSuchBucket,
    /// Missing, invalid or expired credentials.
    Credentials,
    Other,
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: FailureKind,
    /// The SDK's account of it (error code, message, source chain).
    pub detail: String,
}

/// The configuration every bucket's client starts from, and the clients made.
pub struct Clients {
    config: aws_config::SdkConfig,
    path_style: bool,
    by_bucket: Mutex<HashMap<String, Client>>,
    /// The profile, as messages name it.
    pub profile: String,
    pub endpoint: Option<String>,
}

impl Clients {
    pub async fn new(opts: &S3Options) -> Clients {
        // rustls with ring: no C toolchain beyond what ring needs, no aws-lc build.
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            // Transient errors (throttling, 5xx, timeouts, dropped connections) are
            // retried with exponential backoff and jitter.
            .retry_config(RetryConfig::standard().with_max_attempts(5));
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(e) = &opts.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        if opts.no_sign_request {
            loader = loader.no_credentials();
        }
        let config = loader.load().await;
        let env_endpoint = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
        let endpoint = opts.endpoint_url.clone().or(env_endpoint);
        Clients {
            config,
            // S3-compatible servers (MinIO, moto, Ceph) are addressed by path:
            // their buckets have no DNS names.
            path_style: endpoint.is_some(),
            by_bucket: Mutex::new(HashMap::new()),
            profile: opts
                .profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
                .unwrap_or_else(|| "default".into()),
            endpoint,
        }
    }

    fn make(&self, region: &str) -> Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.config)
            .region(aws_sdk_s3::config::Region::new(region.to_string()))
            .force_path_style(self.path_style)
            .build();
        Client::from_conf(conf)
    }

    /// The client for `bucket`, in the bucket's own region.
    pub async fn for_bucket(&self, bucket: &str) -> Result<Client, Failure> {
        if let Some(c) = self
            .by_bucket
            .lock()
            .ok()
            .and_then(|m| m.get(bucket).cloned())
        {
            return Ok(c);
        }
        let configured = self
            .config
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".into());
        let mut client = self.make(&configured);
        // HeadBucket answers with the bucket's region (x-amz-bucket-region), even
        // when it refuses or redirects.
        let region = match client.head_bucket().bucket(bucket).send().await {
            Ok(out) => out.bucket_region().map(str::to_string),
            Err(e) => {
                let header = e
                    .raw_response()
                    .and_then(|r| r.headers().get("x-amz-bucket-region"))
                    .map(str::to_string);
                if header.is_none() || header.as_deref() == Some(configured.as_str()) {
                    // HEAD has no body to say why: a one-key listing does.
                    client
                        .list_objects_v2()
                        .bucket(bucket)
                        .max_keys(1)
                        .send()
                        .await
                        .map_err(|e| classify(&e))?;
                }
                header
            }
        };
        if let Some(r) = region.filter(|r| *r != configured && !r.is_empty()) {
            client = self.make(&r);
        }
        if let Ok(mut m) = self.by_bucket.lock() {
            m.insert(bucket.to_string(), client.clone());
        }
        Ok(client)
    }

    /// One line for the user: what failed, on which bucket, with which profile,
    /// and what to do.
    pub fn message(&self, bucket: &str, what: &str, f: &Failure) -> String {
        let profile = &self.profile;
        match f.kind {
            FailureKind::AccessDenied => format!(
                "access denied to bucket `{bucket}` (profile `{profile}`): the credentials need s3:ListBucket and s3:GetObject on it; pick other credentials with --profile or AWS_PROFILE, or use --no-sign-request for a public bucket"
            ),
            FailureKind::NoSuchBucket => format!(
                "no such bucket `{bucket}` (profile `{profile}`{}): check the bucket name{}",
                self.endpoint
                    .as_ref()
                    .map(|e| format!(", endpoint {e}"))
                    .unwrap_or_default(),
                if self.endpoint.is_some() {
                    " and --endpoint-url"
                } else {
                    ""
                }
            ),
            FailureKind::Credentials => format!(
                "no valid AWS credentials for bucket `{bucket}` (profile `{profile}`): {}; sign in again (`aws sso login --profile {profile}`), set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --no-sign-request for a public bucket",
                credential_cause(&f.detail)
            ),
            FailureKind::Other => format!("{what}: {}", short(&f.detail)),
        }
    }
}

/// Why credentials failed, shortly: the provider chain's full account lists
/// every provider it tried.
fn credential_cause(detail: &str) -> String {
    if detail.contains("no credentials found in chain") {
        "none found (environment, profile, web identity, ECS or EC2 metadata)".into()
    } else if detail.contains("ExpiredToken") || detail.to_ascii_lowercase().contains("expired") {
        format!("they have expired ({})", short(detail))
    } else {
        short(detail)
    }
}

/// The SDK's error text, on one line and not endless.
fn short(detail: &str) -> String {
    let one: String = detail.split_whitespace().collect::<Vec<_>>().join(" ");
    match one.char_indices().nth(400) {
        Some((i, _)) => format!("{}…", &one[..i]),
        None => one,
    }
}

const CREDENTIAL_CODES: [&str; 6] = [
    "ExpiredToken",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "TokenRefreshRequired",
    "ExpiredTokenException",
];

/// Sorts an SDK error by what the user should do about it.
pub fn classify<E>(e: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = e.code().unwrap_or_default();
    let status = e.raw_response().map(|r| r.status().as_u16());
    let detail = match (code, e.message(), status) {
        // An answer without an S3 error body (a HEAD, a proxy, a 5xx page): its
        // status says it; the SDK's dump of the response would not.
        ("", _, Some(s)) => format!("HTTP {s} {}", http_reason(s)),
        ("", _, None) => DisplayErrorContext(e).to_string(),
        (c, Some(m), _) => format!("{c}: {m}"),
        (c, None, _) => c.to_string(),
    };
    let kind = if CREDENTIAL_CODES.contains(&code) {
        FailureKind::Credentials
    } else if code == "AccessDenied" || code == "AllAccessDisabled" {
        FailureKind::AccessDenied
    } else if code == "NoSuchBucket" || (status == Some(404) && code.is_empty()) {
        FailureKind::NoSuchBucket
    } else if status == Some(403) {
        FailureKind::AccessDenied
    } else if status.is_none() && mentions_credentials(&detail) {
        // Nothing was sent: the credential chain found nothing, or a profile's
        // SSO token or role could not be had.
        FailureKind::Credentials
    } else {
        FailureKind::Other
    };
    Failure { kind, detail }
}

/// The reason phrase of the statuses S3 answers with.
fn http_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

fn mentions_credentials(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    ["credential", "identity", "token", "expired", "sso"]
        .iter()
        .any(|w| d.contains(w))
}
