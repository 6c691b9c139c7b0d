//! Writes every hostile case into a directory. Nothing here is a committed blob:
//! the cases are generated on each run.

use flate2::{Compression, write::GzEncoder};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

pub const RETITLE: &str = "\u{1b}]0;pwned\u{7}";
pub const CLEAR: &str = "\u{1b}[2J\u{1b}[H";
pub const MOVE: &str = "\u{1b}[10;10H";
pub const BIDI: &str = "\u{202e}";
pub const C1: &str = "\u{9b}31m";

/// Counts the tests assert on.
pub struct Expected {
    pub events: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub read: u64,
    pub skipped: u64,
}

fn event(id: &str, name: &str, time: &str, extra: Value) -> Value {
    let mut e = json!({
        "eventVersion": "1.09", "eventID": id, "eventTime": time, "eventSource": "s3.amazonaws.com",
        "eventName": name, "awsRegion": "us-east-1", "recipientAccountId": "111122223333",
        "sourceIPAddress": "203.0.113.9", "userAgent": "aws-cli/2",
        "userIdentity": {"type": "IAMUser", "userName": "mallory", "arn": "arn:aws:iam::111122223333:user/mallory"}
    });
    if let Value::Object(m) = extra {
        for (k, v) in m {
            e[k] = v;
        }
    }
    e
}

fn write(dir: &Path, name: &str, data: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, data).unwrap();
}

fn gz(data: &[u8], level: u32) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::new(level));
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn pipeline(name: &str, version: u64, project: &str) -> Value {
    json!({"name": name, "version": version, "stages": [{"name": "Build", "actions": [{"name": "B", "configuration": {"ProjectName": project}}]}]})
}

pub fn write_all(dir: &Path) -> Expected {
    let evil = format!("{RETITLE}{CLEAR}{MOVE}x\r\ny\0{BIDI}{C1}");
    let evil_name = format!("evil{RETITLE}repo");
    let evil_pipe = format!("Deploy{CLEAR}");
    // 1. Control sequences in every field that is shown.
    let records = vec![
        event(
            "e1",
            &format!("Get{RETITLE}"),
            "2024-03-01T10:00:00Z",
            json!({
                "userAgent": evil, "sourceIPAddress": format!("1.2.3.4{CLEAR}"),
                "userIdentity": {"type": "IAMUser", "userName": format!("eve{BIDI}gpj.exe"), "accessKeyId": format!("AKIA{MOVE}")},
                "errorCode": format!("AccessDenied{C1}"), "errorMessage": evil,
                "resources": [{"ARN": format!("arn:aws:s3:::bucket{CLEAR}")}]
            }),
        ),
        event(
            "e2",
            "GitPush",
            "2024-03-01T10:00:01Z",
            json!({
                "eventSource": "codecommit.amazonaws.com", "requestParameters": {"references": [{"ref": format!("refs/heads/{RETITLE}"), "commit": "c0ffee"}]},
                "additionalEventData": {"repositoryName": evil_name}
            }),
        ),
        event(
            "e3",
            "CreatePipeline",
            "2024-03-01T10:00:02Z",
            json!({
                "eventSource": "codepipeline.amazonaws.com", "requestParameters": {"pipeline": pipeline(&evil_pipe, 0, "a")},
                "responseElements": {"pipeline": pipeline(&evil_pipe, 1, "a")}
            }),
        ),
        event(
            "e4",
            "UpdatePipeline",
            "2024-03-01T10:00:03Z",
            json!({
                "eventSource": "codepipeline.amazonaws.com", "requestParameters": {"pipeline": pipeline(&evil_pipe, 1, &format!("b{RETITLE}"))},
                "responseElements": {"pipeline": pipeline(&evil_pipe, 2, "b")}
            }),
        ),
        // Wide and combining characters.
        event(
            "e5",
            "PutObject",
            "2024-03-01T10:00:04Z",
            json!({"userIdentity": {"type": "IAMUser", "userName": "山田太郎🚀e\u{301}"}}),
        ),
    ];
    write(
        dir,
        "evil.json",
        serde_json::to_string(&json!({"Records": records})).unwrap(),
    );
    // 2. A 300 KB field and a 20 KB user agent.
    let big = event(
        "big",
        "PutObject",
        "2024-03-01T10:01:00Z",
        json!({
            "requestParameters": {"policy": "A".repeat(300_000)}, "userAgent": format!("ua-{}", "B".repeat(20_000))
        }),
    );
    write(dir, "big.json", serde_json::to_string(&big).unwrap());
    // 3. A gzip bomb: 256 MiB of zeros in a few hundred KB (the tests set a 16 MiB limit).
    write(dir, "bomb.json.gz", gz(&vec![0u8; 256 << 20], 9));
    // 4. Deep nesting: inside an event (it loads), and as a whole file (not an event).
    let deep = format!(
        r#"{{"eventID":"deep","eventName":"Deep","eventTime":"2024-03-01T10:02:00Z","requestParameters":{{"x":{}{}}}}}"#,
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    write(dir, "deep-event.json", deep);
    write(
        dir,
        "deep-file.json",
        format!("{}{}", "[".repeat(200_000), "]".repeat(200_000)),
    );
    // 5. Odd types.
    write(
        dir,
        "odd.json",
        r#"[{"eventID":"o1","eventName":"Odd","eventTime":7,"userIdentity":[1],"readOnly":"yes","requestParameters":"s","resources":"r"}]"#,
    );
    // 6. A duplicate delivery of evil.json.
    write(
        dir,
        "copy/evil.json",
        serde_json::to_string(&json!({"Records": records})).unwrap(),
    );
    // 7. A non-UTF-8 file name with an escape sequence, holding invalid JSON.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"bad\xff\x1b]0;title\x07.json");
        std::fs::write(dir.join(name), b"{\"Records\": [").unwrap();
    }
    // 8. A dangling symlink and a symlink loop.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("nowhere.json"), dir.join("dangling.json")).unwrap();
        std::fs::create_dir_all(dir.join("loop")).unwrap();
        std::os::unix::fs::symlink(dir, dir.join("loop/back")).unwrap();
    }
    // 9. Not CloudTrail at all.
    write(dir, "notes.txt", "skipped");
    Expected {
        // evil (5) + big + deep-event + odd; the copy adds duplicates.
        events: 8,
        duplicates: 5,
        // bomb, bad name, dangling link.
        failed: 3,
        // evil, copy, big, deep-event, deep-file (read, not events), odd.
        read: 6,
        skipped: 1,
    }
}
