//! A structural diff of two pipeline structures.
//!
//! Objects are compared by key. Arrays whose elements are named (`stages`,
//! `actions`, `inputArtifacts`, `outputArtifacts`, or any array whose elements all
//! have a string `name`) are matched by name, so inserting a stage is one added
//! stage, not a cascade of shifted indices; an unmatched element that keeps its
//! position under a new name is a rename (a change of `name`); a different order of
//! the same names is one change of the array's order. Other arrays compare by
//! position. The top-level `version` is ignored: it always changes.

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub op: Op,
    /// A readable path: `stages[Build].actions[Build].configuration.ProjectName`.
    pub path: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// The changes from `old` to `new`, in document order.
pub fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    let mut path = Path::default();
    match (old, new) {
        // The top-level `version` is skipped in place: cloning both structures to
        // remove it cost more than the whole comparison on large pipelines.
        (Value::Object(a), Value::Object(b)) => {
            compare_objects(a, b, &mut path, Some("version"), &mut out)
        }
        _ => compare(old, new, &mut path, &mut out),
    }
    out
}

/// One step from a parent to a child.
enum Step<'a> {
    Key(&'a str),
    /// An element of a named array: its name, and which of the elements so
    /// named it is (0 for the first).
    Named(&'a str, u32),
    Position(usize),
}

/// Where the comparison is, as steps: the readable text is written only for a
/// change, so comparing 80k equal stages builds no path strings.
#[derive(Default)]
struct Path<'a>(Vec<Step<'a>>);

impl<'a> Path<'a> {
    fn text(&self) -> String {
        let mut p = String::new();
        for step in &self.0 {
            match step {
                Step::Key(k) => p = child(&p, k),
                Step::Named(n, k) => p = element(&p, &named_label(n, *k)),
                Step::Position(i) => p = element(&p, &i.to_string()),
            }
        }
        p
    }

    /// Runs `f` one step down.
    fn within<T>(&mut self, step: Step<'a>, f: impl FnOnce(&mut Self) -> T) -> T {
        self.0.push(step);
        let out = f(self);
        self.0.pop();
        out
    }
}

pub(crate) fn child(path: &str, key: &str) -> String {
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '@');
    match (path.is_empty(), simple) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", serde_json::to_string(key).unwrap_or_default()),
    }
}

pub(crate) fn element(path: &str, label: &str) -> String {
    format!("{path}[{label}]")
}

pub(crate) fn name_of(v: &Value) -> Option<&str> {
    // A scan, not a lookup: `name` is nearly always the first key, and hashing
    // it (SipHash) for every element of every array was a tenth of the diff.
    v.as_object()?
        .iter()
        .find(|(k, _)| k.as_str() == "name")
        .and_then(|(_, v)| v.as_str())
}

/// Arrays of named elements (`stages`, `actions`, artifacts, …) are matched by name.
fn is_named(a: &[Value], b: &[Value]) -> bool {
    !(a.is_empty() && b.is_empty()) && a.iter().chain(b).all(|v| name_of(v).is_some())
}

fn push(out: &mut Vec<Change>, op: Op, path: String, old: Option<&Value>, new: Option<&Value>) {
    let path = if path.is_empty() {
        "(root)".to_string()
    } else {
        path
    };
    out.push(Change {
        op,
        path,
        old: old.cloned(),
        new: new.cloned(),
    });
}

type Map = serde_json::Map<String, Value>;

fn compare_objects<'a>(
    a: &'a Map,
    b: &'a Map,
    path: &mut Path<'a>,
    skip: Option<&str>,
    out: &mut Vec<Change>,
) {
    let kept = |k: &String| skip != Some(k.as_str());
    // Two versions of a structure almost always list the same keys in the same
    // order: walk both maps in step, and look keys up (a SipHash each) only
    // once they part. On 80,000 stages the lookups were a third of the diff.
    let mut in_step = a.len() == b.len();
    let mut b_keys = b.iter();
    for (k, va) in a.iter() {
        let beside = b_keys.next().filter(|(kb, _)| in_step && *kb == k);
        in_step &= beside.is_some();
        if !kept(k) {
            continue;
        }
        let vb = beside.map(|(_, vb)| vb).or_else(|| b.get(k));
        path.within(Step::Key(k), |path| match vb {
            Some(vb) => compare(va, vb, path, out),
            None => push(out, Op::Removed, path.text(), Some(va), None),
        });
    }
    if in_step {
        return; // every key of `b` was beside the same key of `a`
    }
    for (k, vb) in b.iter().filter(|(k, _)| kept(k)) {
        if !a.contains_key(k) {
            let p = path.within(Step::Key(k), |path| path.text());
            push(out, Op::Added, p, None, Some(vb));
        }
    }
}

fn compare<'a>(old: &'a Value, new: &'a Value, path: &mut Path<'a>, out: &mut Vec<Change>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => compare_objects(a, b, path, None, out),
        (Value::Array(a), Value::Array(b)) if is_named(a, b) => compare_named(a, b, path, out),
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                path.within(Step::Position(i), |path| match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => compare(x, y, path, out),
                    (Some(x), None) => push(out, Op::Removed, path.text(), Some(x), None),
                    (None, Some(y)) => push(out, Op::Added, path.text(), None, Some(y)),
                    (None, None) => {}
                });
            }
        }
        _ if old == new => {}
        _ => push(out, Op::Changed, path.text(), Some(old), Some(new)),
    }
}

fn without_name(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("name");
    }
    v
}

/// How an element of a named array is written in a path: its name, and for
/// a second element of the same name `#2` (and so on).
pub(crate) fn named_label(name: &str, nth: u32) -> String {
    if nth == 0 {
        name.to_string()
    } else {
        format!("{name}#{}", nth + 1)
    }
}

/// Each element's name and which of the elements of that name it is: two
/// actions both named `DeployProd` are the first and the second `DeployProd`,
/// matched with the first and the second of the other side, not both with the
/// first (which listed changes that never happened).
pub(crate) fn occurrences<'a>(names: &[&'a str]) -> Vec<(&'a str, u32)> {
    let mut seen: FxHashMap<&str, u32> = FxHashMap::default();
    names
        .iter()
        .map(|&n| {
            let k = seen.entry(n).or_insert(0);
            *k += 1;
            (n, *k - 1)
        })
        .collect()
}

/// Each (name, occurrence)'s position (the keys are unique: see [`occurrences`]).
fn positions<'a>(keys: &[(&'a str, u32)]) -> FxHashMap<(&'a str, u32), usize> {
    keys.iter().copied().zip(0..).collect()
}

fn compare_named<'a>(a: &'a [Value], b: &'a [Value], path: &mut Path<'a>, out: &mut Vec<Change>) {
    let names_a: Vec<&str> = a.iter().filter_map(name_of).collect();
    let names_b: Vec<&str> = b.iter().filter_map(name_of).collect();
    // Elements are matched by (name, occurrence), each key's position found in
    // O(1), so the whole comparison is linear in the number of elements (80k
    // stages diff in milliseconds).
    let (names_a, names_b) = (occurrences(&names_a), occurrences(&names_b));
    let (first_a, first_b) = (positions(&names_a), positions(&names_b));
    let in_b = |n: &(&str, u32)| first_b.contains_key(n);
    let in_a = |n: &(&str, u32)| first_a.contains_key(n);
    // Renames: an unmatched old element and an unmatched new one at the same position.
    let renamed: Vec<bool> = (0..a.len())
        .map(|i| !in_b(&names_a[i]) && names_b.get(i).is_some_and(|nb| !in_a(nb)))
        .collect();
    // Order of the elements present on both sides.
    let common_a: Vec<(&str, u32)> = names_a.iter().copied().filter(|n| in_b(n)).collect();
    let common_b: Vec<(&str, u32)> = names_b.iter().copied().filter(|n| in_a(n)).collect();
    if common_a != common_b {
        let order = |l: &[(&str, u32)]| {
            Value::Array(
                l.iter()
                    .map(|&(n, k)| Value::String(named_label(n, k)))
                    .collect(),
            )
        };
        push(
            out,
            Op::Changed,
            format!("{} (order)", path.text()),
            Some(&order(&common_a)),
            Some(&order(&common_b)),
        );
    }
    for (i, va) in a.iter().enumerate() {
        let na = names_a[i];
        if let Some(&j) = first_b.get(&na) {
            path.within(Step::Named(na.0, na.1), |path| {
                compare(va, &b[j], path, out)
            });
        } else if renamed[i] {
            let vb = &b[i];
            let nb = names_b[i];
            let renamed_path = path.within(Step::Named(na.0, na.1), |path| path.text());
            push(
                out,
                Op::Changed,
                format!("{renamed_path}.name"),
                va.get("name"),
                vb.get("name"),
            );
            let (va, vb) = (without_name(va), without_name(vb));
            // The rest compares under the new name; the copies live only here.
            let mut inner = Vec::new();
            let mut under = Path(Vec::new());
            compare(&va, &vb, &mut under, &mut inner);
            let base = path.within(Step::Named(nb.0, nb.1), |path| path.text());
            for mut c in inner {
                c.path = if c.path == "(root)" {
                    base.clone()
                } else if c.path.starts_with('[') {
                    format!("{base}{}", c.path)
                } else {
                    format!("{base}.{}", c.path)
                };
                out.push(c);
            }
        } else {
            let p = path.within(Step::Named(na.0, na.1), |path| path.text());
            push(out, Op::Removed, p, Some(va), None);
        }
    }
    for (j, vb) in b.iter().enumerate() {
        let nb = names_b[j];
        if !in_a(&nb) && !renamed.get(j).copied().unwrap_or(false) {
            let p = path.within(Step::Named(nb.0, nb.1), |path| path.text());
            push(out, Op::Added, p, None, Some(vb));
        }
    }
}

/// One line about a set of changes: "added stages[Test]; changed …ProjectName (+2 more)".
pub fn summary(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no structural change".into();
    }
    let describe = |c: &Change| {
        let verb = match (c.op, c.path.ends_with(".name"), c.path.ends_with("(order)")) {
            (Op::Changed, true, _) => "renamed",
            (Op::Changed, _, true) => "reordered",
            (Op::Added, ..) => "added",
            (Op::Removed, ..) => "removed",
            (Op::Changed, ..) => "changed",
        };
        match (c.op, c.path.ends_with(".name")) {
            (Op::Changed, true) => format!(
                "renamed {} → {}",
                c.path.trim_end_matches(".name"),
                c.new.as_ref().and_then(Value::as_str).unwrap_or("?")
            ),
            _ => format!("{verb} {}", c.path.trim_end_matches(" (order)")),
        }
    };
    let mut parts: Vec<String> = changes.iter().take(2).map(describe).collect();
    if changes.len() > 2 {
        parts.push(format!("+{} more", changes.len() - 2));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two elements of one name are the first and the second of that name: an
    /// unchanged list with a repeated name has no change (it used to compare
    /// both with the first, and list changes that never happened).
    #[test]
    fn repeated_names_match_in_order() {
        let v: Value = serde_json::from_str(
            r#"{"actions":[{"name":"DeployProd","category":"Approval"},{"name":"Deploy","category":"Deploy"},{"name":"DeployProd","category":"Deploy","runOrder":2}]}"#,
        )
        .unwrap();
        assert!(diff(&v, &v).is_empty(), "{:?}", diff(&v, &v));
        let mut w = v.clone();
        w["actions"][2]["runOrder"] = serde_json::json!(3);
        let changes = diff(&v, &w);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].path, "actions[DeployProd#2].runOrder");
        // The line paths name it the same way.
        let lines = crate::pipeline::lines::pretty(&w);
        let paths = crate::pipeline::lines::line_paths(&w);
        let at = lines
            .iter()
            .position(|l| l.contains("\"runOrder\""))
            .unwrap();
        assert_eq!(paths[at], "actions[DeployProd#2].runOrder");
    }
    use serde_json::json;

    fn pipeline(stages: Value) -> Value {
        json!({"name": "P", "version": 1, "roleArn": "r", "stages": stages})
    }

    fn stage(name: &str, action: &str, project: &str) -> Value {
        json!({"name": name, "actions": [{"name": action, "runOrder": 1, "configuration": {"ProjectName": project},
               "inputArtifacts": [{"name": "Src"}], "outputArtifacts": []}]})
    }

    fn ops(changes: &[Change]) -> Vec<(Op, &str)> {
        changes.iter().map(|c| (c.op, c.path.as_str())).collect()
    }

    #[test]
    fn version_alone_is_no_change() {
        let a = pipeline(json!([stage("Build", "B", "x")]));
        let mut b = a.clone();
        b["version"] = json!(2);
        assert!(diff(&a, &b).is_empty());
        assert_eq!(summary(&diff(&a, &b)), "no structural change");
    }

    #[test]
    fn inserting_a_stage_is_one_addition() {
        let a = pipeline(json!([
            stage("Source", "S", "s"),
            stage("Build", "B", "b"),
            stage("Deploy", "D", "d")
        ]));
        let b = pipeline(json!([
            stage("Source", "S", "s"),
            stage("Build", "B", "b"),
            stage("Test", "T", "t"),
            stage("Deploy", "D", "d")
        ]));
        let c = diff(&a, &b);
        assert_eq!(ops(&c), [(Op::Added, "stages[Test]")]);
        assert_eq!(c[0].new.as_ref().unwrap()["name"], "Test");
        assert_eq!(ops(&diff(&b, &a)), [(Op::Removed, "stages[Test]")]);
    }

    #[test]
    fn nested_configuration_value_change() {
        let a = pipeline(json!([stage("Build", "Build", "old")]));
        let b = pipeline(json!([stage("Build", "Build", "new")]));
        let c = diff(&a, &b);
        assert_eq!(
            ops(&c),
            [(
                Op::Changed,
                "stages[Build].actions[Build].configuration.ProjectName"
            )]
        );
        assert_eq!(
            (c[0].old.clone().unwrap(), c[0].new.clone().unwrap()),
            (json!("old"), json!("new"))
        );
    }

    #[test]
    fn a_rename_in_place_is_one_change_of_name() {
        let a = pipeline(json!([stage("Source", "S", "s"), stage("Build", "B", "b")]));
        let b = pipeline(json!([
            stage("MySourceStage", "S", "s"),
            stage("Build", "B", "b")
        ]));
        let c = diff(&a, &b);
        assert_eq!(ops(&c), [(Op::Changed, "stages[Source].name")]);
        assert_eq!(c[0].new, Some(json!("MySourceStage")));
        assert_eq!(summary(&c), "renamed stages[Source] → MySourceStage");
    }

    #[test]
    fn changes_inside_a_renamed_element_are_under_its_new_name() {
        let a = pipeline(json!([stage("Source", "S", "s"), stage("Build", "B", "b")]));
        let b = pipeline(json!([
            stage("Source", "S", "s"),
            stage("Compile", "B", "c")
        ]));
        let c = diff(&a, &b);
        assert_eq!(
            ops(&c),
            [
                (Op::Changed, "stages[Build].name"),
                (
                    Op::Changed,
                    "stages[Compile].actions[B].configuration.ProjectName"
                )
            ]
        );
        // A key that needs quoting keeps its brackets under the new name.
        let a = json!({"stages": [{"name": "X", "odd key": 1}]});
        let b = json!({"stages": [{"name": "Y", "odd key": 2}]});
        assert_eq!(
            ops(&diff(&a, &b)),
            [
                (Op::Changed, "stages[X].name"),
                (Op::Changed, "stages[Y][\"odd key\"]")
            ]
        );
    }

    #[test]
    fn reorder_is_one_change_of_order() {
        let a = pipeline(json!([stage("A", "a", "1"), stage("B", "b", "2")]));
        let b = pipeline(json!([stage("B", "b", "2"), stage("A", "a", "1")]));
        let c = diff(&a, &b);
        assert_eq!(ops(&c), [(Op::Changed, "stages (order)")]);
        assert_eq!(c[0].new, Some(json!(["B", "A"])));
    }

    #[test]
    fn positional_arrays_and_keys() {
        let a = json!({"tags": [1, 2, 3], "x": {"a b": 1}, "gone": true});
        let b = json!({"tags": [1, 5], "x": {"a b": 2}, "new": null});
        assert_eq!(
            ops(&diff(&a, &b)),
            [
                (Op::Changed, "tags[1]"),
                (Op::Removed, "tags[2]"),
                (Op::Changed, "x[\"a b\"]"),
                (Op::Removed, "gone"),
                (Op::Added, "new")
            ]
        );
    }

    #[test]
    fn non_object_inputs() {
        assert_eq!(
            ops(&diff(&json!(1), &json!("1"))),
            [(Op::Changed, "(root)")]
        );
        assert!(diff(&json!(null), &json!(null)).is_empty());
        assert_eq!(
            ops(&diff(&json!([1]), &json!({"a": 1}))),
            [(Op::Changed, "(root)")]
        );
        // Named elements and a type change of a member.
        let a = json!({"stages": [{"name": "A", "x": [1]}]});
        let b = json!({"stages": [{"name": "A", "x": {"k": 1}}]});
        assert_eq!(ops(&diff(&a, &b)), [(Op::Changed, "stages[A].x")]);
    }

    #[test]
    fn actions_inside_a_stage_are_matched_by_name() {
        let a =
            json!({"stages": [{"name": "Deploy", "actions": [{"name": "Deploy", "runOrder": 1}]}]});
        let b = json!({"stages": [{"name": "Deploy", "actions": [{"name": "Approve", "runOrder": 1}, {"name": "Deploy", "runOrder": 2}]}]});
        assert_eq!(
            ops(&diff(&a, &b)),
            [
                (Op::Changed, "stages[Deploy].actions[Deploy].runOrder"),
                (Op::Added, "stages[Deploy].actions[Approve]")
            ]
        );
    }

    fn many_stages(n: usize) -> Vec<Value> {
        (0..n).map(|k| stage(&format!("S{k}"), "A", "p")).collect()
    }

    /// 80,000 named stages: a quadratic match took minutes; a linear one answers at once.
    #[test]
    fn large_named_arrays_diff_in_linear_time() {
        let n = 80_000;
        let a = pipeline(Value::Array(many_stages(n)));
        let started = std::time::Instant::now();

        // No change.
        assert!(diff(&a, &a.clone()).is_empty());

        // One insertion in the middle.
        let mut stages = many_stages(n);
        stages.insert(n / 2, stage("Inserted", "I", "i"));
        let b = pipeline(Value::Array(stages));
        assert_eq!(ops(&diff(&a, &b)), [(Op::Added, "stages[Inserted]")]);
        assert_eq!(ops(&diff(&b, &a)), [(Op::Removed, "stages[Inserted]")]);

        // A reorder (the last stage moved first) and a change deep inside one stage.
        let mut stages = many_stages(n);
        let last = stages.pop().unwrap();
        stages.insert(0, last);
        stages[n / 3] = stage(&format!("S{}", n / 3 - 1), "A", "changed");
        let c = diff(&a, &pipeline(Value::Array(stages)));
        let expected_change = format!(
            "stages[S{}].actions[A].configuration.ProjectName",
            n / 3 - 1
        );
        assert_eq!(
            ops(&c),
            [
                (Op::Changed, "stages (order)"),
                (Op::Changed, expected_change.as_str())
            ]
        );
        assert_eq!(c[0].new.as_ref().unwrap()[0], json!(format!("S{}", n - 1)));

        // Debug build, shared machine: generous, yet far below what a quadratic match needs.
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
    }

    /// A second element of a name is its own element: dropping it is a
    /// removal (it was compared with the first of the name, giving a changed
    /// value and an order change that never happened).
    #[test]
    fn a_second_element_of_a_name_is_its_own() {
        let a = json!({"stages": [{"name": "A", "x": 1}, {"name": "A", "x": 2}]});
        let b = json!({"stages": [{"name": "A", "x": 1}]});
        assert_eq!(ops(&diff(&a, &b)), [(Op::Removed, "stages[A#2]")]);
    }
}
