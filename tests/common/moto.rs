//! A real S3 API on 127.0.0.1 for the tests: moto's server (`pip install
//! 'moto[server]'`), started on a free port and killed when dropped. A test that
//! needs it fails when it cannot start: nothing is skipped.

use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub endpoint: String,
    log: PathBuf,
    /// The cache and home directory the binary runs with.
    pub home: tempfile::TempDir,
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// With extra environment for the server (say `INITIAL_NO_AUTH_ACTION_COUNT`).
    pub fn start_with(env: &[(&str, &str)]) -> Moto {
        let home = tempfile::tempdir().unwrap();
        let log = home.path().join("moto.log");
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start moto_server ({e}): the S3 tests need it: pip install 'moto[server]'")
            });
        let m = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
            home,
        };
        let started = Instant::now();
        loop {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = s.write_all(b"GET /moto-api/ HTTP/1.0\r\n\r\n");
                let mut buf = [0u8; 12];
                if s.read(&mut buf).is_ok_and(|n| n > 0) {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto_server did not answer on port {port}: {}",
                std::fs::read_to_string(&m.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        m
    }

    /// Uploads every file under `dir` to `bucket` (created if needed), keys
    /// prefixed with `prefix`.
    pub fn put_tree(&self, bucket: &str, dir: &Path, prefix: &str) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/s3put.py");
        let out = Command::new("python3")
            .arg(script)
            .args([&self.endpoint, bucket, dir.to_str().unwrap(), prefix])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "upload failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Uploads one object.
    pub fn put(&self, bucket: &str, key: &str, body: &[u8]) {
        let dir = tempfile::tempdir().unwrap();
        super::write(dir.path(), key, body);
        self.put_tree(bucket, dir.path(), "");
    }

    /// Runs Python with boto3 pointed at the server (`s3` and `iam` clients ready).
    pub fn python(&self, code: &str) -> String {
        let prelude = format!(
            "import boto3\nkw=dict(endpoint_url='{}',aws_access_key_id='test',aws_secret_access_key='test',region_name='us-east-1')\ns3=boto3.client('s3',**kw)\niam=boto3.client('iam',**kw)\n",
            self.endpoint
        );
        let out = Command::new("python3")
            .args(["-c", &(prelude + code)])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Every request the server has answered so far: `GET /bucket/key?query`.
    pub fn requests(&self) -> Vec<String> {
        let f = std::fs::File::open(&self.log).unwrap();
        std::io::BufReader::new(f)
            .split(b'\n')
            .filter_map(|l| {
                let l = String::from_utf8_lossy(&l.ok()?).into_owned();
                let start = l.find("] \"")? + 3;
                let end = l[start..].find(" HTTP/")? + start;
                Some(l[start..end].to_string())
            })
            .collect()
    }

    /// Object downloads (GET of a key, not a listing) so far.
    pub fn gets(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| {
                r.starts_with("GET /")
                    && !r.starts_with("GET /moto-api")
                    && !r.contains("list-type=")
                    && r.matches('/').count() > 1
            })
            .map(|r| r.split('?').next().unwrap_or_default().to_string())
            .collect()
    }

    /// Listing prefixes so far: (prefix, with a delimiter).
    pub fn listings(&self) -> Vec<(String, bool)> {
        self.requests()
            .into_iter()
            .filter(|r| r.contains("list-type=2"))
            .map(|r| {
                let prefix = r
                    .split(['?', '&'])
                    .find_map(|p| p.strip_prefix("prefix="))
                    .unwrap_or("")
                    .to_string();
                (prefix, r.contains("delimiter="))
            })
            .collect()
    }

    /// The binary with the environment the SDK needs to reach this server:
    /// dummy credentials, no metadata service, a private cache and home.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(super::bin());
        cmd.args(args)
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", self.home.path().join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home.path().join("no-credentials"),
            )
            .env("HOME", self.home.path())
            .env("XDG_CACHE_HOME", self.home.path().join("cache"))
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> super::Run {
        self.run_env(args, &[])
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> super::Run {
        let out = self
            .command(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        super::Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
