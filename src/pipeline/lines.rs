//! Line diffs of pretty-printed pipeline structures, for the diff views and
//! `diff --format text`: the edit script comes from `similar` (Myers, with a
//! deadline so a huge structure still answers promptly).

use serde_json::Value;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// How long a line diff may search for the shortest edit script before it
/// settles for a longer, still correct one.
const DEADLINE: Duration = Duration::from_millis(500);

/// Pretty JSON lines without the top-level `version` field (it always differs),
/// written straight from the structure: no copy of it is made.
pub fn pretty(v: &Value) -> Vec<String> {
    pretty_text(v).lines().map(str::to_string).collect()
}

/// [`pretty`] as one text (its lines are borrowed from it, not a string each:
/// an 80,000-stage structure is 720,000 lines).
pub fn pretty_text(v: &Value) -> String {
    struct WithoutVersion<'a>(&'a serde_json::Map<String, Value>);
    impl serde::Serialize for WithoutVersion<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = s.serialize_map(None)?;
            for (k, v) in self.0.iter().filter(|(k, _)| k.as_str() != "version") {
                map.serialize_entry(k, v)?;
            }
            map.end()
        }
    }
    let text = match v {
        Value::Object(m) => serde_json::to_string_pretty(&WithoutVersion(m)),
        other => serde_json::to_string_pretty(other),
    };
    text.unwrap_or_default()
}

/// For each line of [`pretty`]`(v)`, the path of the value it starts (a
/// closing bracket: its container's), written as [`super::diff::Change`]
/// paths are (`stages[Build].actions[Compile].configuration`): the diff view
/// finds where each structural change is in the line diff with it.
pub fn line_paths(v: &Value) -> Vec<String> {
    use super::diff::{child, element, name_of, named_label, occurrences};
    fn walk(v: &Value, path: &str, skip: Option<&str>, out: &mut Vec<String>) {
        out.push(path.to_string());
        let before = out.len();
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter().filter(|(k, _)| Some(k.as_str()) != skip) {
                    walk(x, &child(path, k), None, out);
                }
            }
            Value::Array(items) => {
                let names: Option<Vec<&str>> = items.iter().map(name_of).collect();
                let named = names.as_deref().map(occurrences);
                for (i, x) in items.iter().enumerate() {
                    let label = match named.as_ref().and_then(|n| n.get(i)) {
                        Some(&(name, nth)) => named_label(name, nth),
                        None => i.to_string(),
                    };
                    walk(x, &element(path, &label), None, out);
                }
            }
            _ => return,
        }
        if out.len() > before {
            out.push(path.to_string()); // the closing bracket
        }
    }
    let mut out = Vec::new();
    walk(v, "", Some("version"), &mut out);
    out
}

/// [`pretty_text`] of both sides of a diff, side by side on two threads.
pub fn pretty_pair(a: &Value, b: &Value) -> (String, String) {
    rayon::join(|| pretty_text(a), || pretty_text(b))
}

/// A line diff as unified-diff lines with `context` lines around each change.
pub fn unified<S: AsRef<str> + Hash + Ord>(a: &[S], b: &[S], context: usize) -> Vec<String> {
    let ops = line_ops(a, b);
    let mut out = Vec::new();
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| !matches!(o, LineOp::Same(..)))
        .map(|(k, _)| k)
        .collect();
    if changed.is_empty() {
        return out;
    }
    let mut k = 0;
    // Line numbers at `counted` in `ops`, advanced hunk by hunk (linear, however many hunks).
    let (mut counted, mut a_line, mut b_line) = (0, 1, 1);
    while k < changed.len() {
        let start = changed[k].saturating_sub(context);
        let mut end = (changed[k] + context + 1).min(ops.len());
        while k + 1 < changed.len() && changed[k + 1] <= end + context {
            k += 1;
            end = (changed[k] + context + 1).min(ops.len());
        }
        for o in &ops[counted..start.max(counted)] {
            match o {
                LineOp::Same(..) => (a_line, b_line) = (a_line + 1, b_line + 1),
                LineOp::Del(_) => a_line += 1,
                LineOp::Ins(_) => b_line += 1,
            }
        }
        counted = start.max(counted);
        out.push(format!("@@ -{a_line} +{b_line} @@"));
        for o in &ops[start..end] {
            out.push(match o {
                LineOp::Same(i, _) => format!(" {}", a[*i].as_ref()),
                LineOp::Del(i) => format!("-{}", a[*i].as_ref()),
                LineOp::Ins(j) => format!("+{}", b[*j].as_ref()),
            });
        }
        k += 1;
    }
    out
}

/// One line of a line diff, by index into the old (`Del`, `Same`) or new (`Ins`) side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LineOp {
    Same(usize, usize),
    Del(usize),
    Ins(usize),
}

/// The edit script between two line lists: deletions before insertions within
/// a replaced run, as a unified diff shows them.
pub fn line_ops<S: Hash + Ord>(a: &[S], b: &[S]) -> Vec<LineOp> {
    use similar::DiffOp;
    let deadline = Instant::now() + DEADLINE;
    let script =
        similar::capture_diff_slices_deadline(similar::Algorithm::Myers, a, b, Some(deadline));
    let mut ops = Vec::with_capacity(a.len().max(b.len()));
    for op in script {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => ops.extend((0..len).map(|k| LineOp::Same(old_index + k, new_index + k))),
            DiffOp::Delete {
                old_index, old_len, ..
            } => ops.extend((old_index..old_index + old_len).map(LineOp::Del)),
            DiffOp::Insert {
                new_index, new_len, ..
            } => ops.extend((new_index..new_index + new_len).map(LineOp::Ins)),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                ops.extend((old_index..old_index + old_len).map(LineOp::Del));
                ops.extend((new_index..new_index + new_len).map(LineOp::Ins));
            }
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pretty_line_has_its_path() {
        let v: Value = serde_json::from_str(
            r#"{"name":"p","version":3,"roleArn":"r","stages":[{"name":"Source","actions":[{"name":"Get","configuration":{"RepositoryName":"infra","BranchName":"main"}}]},{"name":"Build","actions":[]}],"tags":[1,{"a":{}}],"empty":{}}"#,
        )
        .unwrap();
        let lines = pretty(&v);
        let paths = line_paths(&v);
        assert_eq!(paths.len(), lines.len(), "{lines:#?}\n{paths:#?}");
        let at =
            |needle: &str| paths[lines.iter().position(|l| l.contains(needle)).unwrap()].clone();
        assert_eq!(
            at("\"BranchName\""),
            "stages[Source].actions[Get].configuration.BranchName"
        );
        assert_eq!(at("\"actions\": []"), "stages[Build].actions");
        assert_eq!(at("\"a\": {}"), "tags[1].a");
        assert_eq!(at("\"roleArn\""), "roleArn");
        assert_eq!(paths[0], "");
    }

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn unified_diff_with_context() {
        let a = lines("a\nb\nc\nd\ne\nf\ng\nh");
        let b = lines("a\nb\nc\nD\ne\nf\ng\nh\ni");
        let u = unified(&a, &b, 1);
        assert_eq!(
            u,
            [
                "@@ -3 +3 @@",
                " c",
                "-d",
                "+D",
                " e",
                "@@ -8 +8 @@",
                " h",
                "+i"
            ]
        );
        assert!(unified(&a, &a, 3).is_empty());
    }

    #[test]
    fn large_inputs_still_diff_line_by_line() {
        // Past the old 4,000-line limit the diff used to show both sides whole.
        let a: Vec<String> = (0..20_000).map(|k| format!("line {k}")).collect();
        let mut b = a.clone();
        b[10_000] = "changed".into();
        let ops = line_ops(&a, &b);
        let changed = ops
            .iter()
            .filter(|o| !matches!(o, LineOp::Same(..)))
            .count();
        assert_eq!(changed, 2);
        assert_eq!(
            unified(&a, &b, 0),
            ["@@ -10001 +10001 @@", "-line 10000", "+changed"]
        );
    }

    #[test]
    fn ops_cover_both_sides_in_order() {
        let a = lines("x\na\nb\nc");
        let b = lines("a\nB\nc\nd");
        let ops = line_ops(&a, &b);
        let old: Vec<usize> = ops
            .iter()
            .filter_map(|o| match o {
                LineOp::Same(i, _) | LineOp::Del(i) => Some(*i),
                LineOp::Ins(_) => None,
            })
            .collect();
        let new: Vec<usize> = ops
            .iter()
            .filter_map(|o| match o {
                LineOp::Same(_, j) | LineOp::Ins(j) => Some(*j),
                LineOp::Del(_) => None,
            })
            .collect();
        assert_eq!(old, [0, 1, 2, 3]);
        assert_eq!(new, [0, 1, 2, 3]);
        assert_eq!(
            ops.iter().filter(|o| matches!(o, LineOp::Same(..))).count(),
            2
        );
    }
}
