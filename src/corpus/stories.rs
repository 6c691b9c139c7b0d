//! CodeCommit and CodePipeline activity with a consistent history: repositories
//! that are created, pushed to (two `GitPush` records per push), pulled and read
//! by pipelines; pipelines that are created, updated (full structure in every
//! `UpdatePipeline`), rejected, executed, deleted and created again.

use super::identity::{self, Actor};
use super::noise::{fail, record};
use super::rng::Rng;
use serde_json::{Value, json};

/// One timed record of a story.
pub type Timed = (i64, Value);

pub struct Stream<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub start: i64,
    pub end: i64,
}

fn developer(rng: &mut Rng, account: &str) -> Actor {
    let i = rng.below(4) as usize;
    identity::iam_user(rng, account, i)
}

fn pipeline_role(rng: &mut Rng, account: &str, region: &str, pipeline: &str) -> Actor {
    let mut a = identity::role_session(
        rng,
        account,
        &format!("AWSCodePipelineServiceRole-{region}-{pipeline}"),
        "1709280000000",
    );
    a.user_agent = "codepipeline.amazonaws.com".into();
    a.source_ip = "codepipeline.amazonaws.com".into();
    a
}

fn repo_resource(account: &str, region: &str, repo: &str) -> Value {
    json!([{"ARN": format!("arn:aws:codecommit:{region}:{account}:{repo}"), "accountId": account, "type": "AWS::CodeCommit::Repository"}])
}

fn git_record(
    s: &Stream,
    t: i64,
    actor: &Actor,
    name: &str,
    repo: &str,
    read_only: bool,
    rng: &mut Rng,
) -> Value {
    let mut a = actor.clone();
    a.user_agent = "git/2.43.0".into();
    let mut ev = record(
        t,
        &a,
        "codecommit.amazonaws.com",
        name,
        s.region,
        s.account,
        read_only,
        Value::Null,
        Value::Null,
        rng,
    );
    ev["resources"] = repo_resource(s.account, s.region, repo);
    ev["apiVersion"] = json!("2015-04-13");
    ev
}

/// Repository activity over the stream's time range.
pub fn repositories(rng: &mut Rng, s: &Stream, repos: &[String], scale: usize) -> Vec<Timed> {
    let mut out = Vec::new();
    let span = (s.end - s.start).max(1) as u64;
    for (ri, repo) in repos.iter().enumerate() {
        let created_in_trail = ri % 2 == 0;
        let first = s.start + (span / 50) as i64 * ri as i64;
        if created_in_trail {
            let actor = developer(rng, s.account);
            let mut ev = record(
                first,
                &actor,
                "codecommit.amazonaws.com",
                "CreateRepository",
                s.region,
                s.account,
                false,
                json!({"repositoryName": repo, "repositoryDescription": format!("{repo} service")}),
                json!({"repositoryMetadata": {
                    "arn": format!("arn:aws:codecommit:{}:{}:{repo}", s.region, s.account),
                    "repositoryName": repo, "repositoryId": rng.uuid(), "accountId": s.account,
                    "cloneUrlHttp": format!("https://git-codecommit.{}.amazonaws.com/v1/repos/{repo}", s.region)}}),
                rng,
            );
            ev["resources"] = repo_resource(s.account, s.region, repo);
            out.push((first, ev));
        }
        let pushes = scale.max(8);
        for p in 0..pushes {
            let t = first
                + 60_000
                + rng.below(span.saturating_sub(span / 50 * ri as u64 + 120_000).max(1)) as i64;
            let actor = developer(rng, s.account);
            let request_id = rng.uuid();
            // A successful push is two records: the negotiation (no data) and the
            // update (references, data transferred).
            let mut negotiate = git_record(s, t, &actor, "GitPush", repo, true, rng);
            negotiate["requestID"] = json!(request_id);
            negotiate["additionalEventData"] = json!({"protocol": "HTTP", "dataTransferred": false, "repositoryName": repo, "repositoryId": "8afe792d-EXAMPLE"});
            let mut update = git_record(s, t, &actor, "GitPush", repo, false, rng);
            update["requestID"] = json!(request_id);
            let mut refs = vec![
                json!({"commit": rng.hex(40), "ref": if p % 5 == 0 { "refs/heads/main".to_string() } else { format!("refs/heads/feature-{}", rng.below(20)) }}),
            ];
            if p % 7 == 3 {
                refs.push(json!({"commit": rng.hex(40), "ref": format!("refs/tags/v1.{p}")}));
            }
            update["requestParameters"] = json!({"references": refs});
            update["additionalEventData"] = json!({"protocol": "HTTP", "capabilities": ["report-status", "side-band-64k"], "dataTransferred": true, "repositoryName": repo, "repositoryId": "8afe792d-EXAMPLE"});
            if p % 13 == 5 {
                // A push whose update record is missing from the loaded logs.
                out.push((t, negotiate));
            } else {
                out.push((t, negotiate));
                out.push((t, update));
            }
            for _ in 0..2 {
                let tp = t + rng.below(3_600_000) as i64;
                let puller = developer(rng, s.account);
                let mut pull = git_record(s, tp, &puller, "GitPull", repo, true, rng);
                pull["additionalEventData"] = json!({"protocol": "HTTP", "dataTransferred": rng.chance(0.6), "repositoryName": repo, "repositoryId": "8afe792d-EXAMPLE", "shallow": false});
                out.push((tp, pull));
            }
            if p % 4 == 1 {
                let tb = t + 1000;
                let mut ev = record(
                    tb,
                    &actor,
                    "codecommit.amazonaws.com",
                    "CreateBranch",
                    s.region,
                    s.account,
                    false,
                    json!({"repositoryName": repo, "branchName": format!("feature-{}", rng.below(20)), "commitId": rng.hex(40)}),
                    Value::Null,
                    rng,
                );
                ev["resources"] = repo_resource(s.account, s.region, repo);
                out.push((tb, ev));
            }
        }
    }
    out
}

/// The structure of a new pipeline reading `repo`.
pub fn initial_structure(account: &str, region: &str, name: &str, repo: &str) -> Value {
    json!({
        "name": name,
        "roleArn": format!("arn:aws:iam::{account}:role/AWSCodePipelineServiceRole-{region}-{name}"),
        "artifactStore": {"type": "S3", "location": format!("codepipeline-{region}-{account}")},
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Source",
                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
                "runOrder": 1,
                "configuration": {"RepositoryName": repo, "BranchName": "main", "PollForSourceChanges": "false"},
                "outputArtifacts": [{"name": "SourceArtifact"}],
                "inputArtifacts": []
            }]},
            {"name": "Build", "actions": [{
                "name": "Build",
                "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                "runOrder": 1,
                "configuration": {"ProjectName": format!("{name}-build")},
                "inputArtifacts": [{"name": "SourceArtifact"}],
                "outputArtifacts": [{"name": "BuildArtifact"}]
            }]},
            {"name": "Deploy", "actions": [{
                "name": "Deploy",
                "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CloudFormation", "version": "1"},
                "runOrder": 1,
                "configuration": {"ActionMode": "CREATE_UPDATE", "StackName": format!("{name}-prod"), "TemplatePath": "BuildArtifact::template.yaml"},
                "inputArtifacts": [{"name": "BuildArtifact"}],
                "outputArtifacts": []
            }]}
        ],
        "version": 1
    })
}

fn stage_index(p: &Value, name: &str) -> Option<usize> {
    p["stages"]
        .as_array()?
        .iter()
        .position(|s| s["name"] == name)
}

/// Applies one kind of edit a person makes in the console; returns what it did.
pub fn mutate(rng: &mut Rng, p: &mut Value, step: usize) -> &'static str {
    let kind = step % 7;
    let stages = p["stages"].as_array().map(|a| a.len()).unwrap_or(0);
    match kind {
        0 => {
            // A fresh tag, so the edit always changes the structure.
            let tag = rng.hex(6);
            let name = p["name"].as_str().unwrap_or("p").to_string();
            if let Some(i) = stage_index(p, "Build") {
                p["stages"][i]["actions"][0]["configuration"]["ProjectName"] =
                    json!(format!("{name}-build-{tag}"));
            }
            "changed the build project"
        }
        1 if stage_index(p, "Test").is_none() && stages >= 2 => {
            let test = json!({"name": "Test", "actions": [{
                "name": "UnitTests",
                "actionTypeId": {"category": "Test", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                "runOrder": 1,
                "configuration": {"ProjectName": "unit-tests"},
                "inputArtifacts": [{"name": "BuildArtifact"}],
                "outputArtifacts": []
            }]});
            if let Some(a) = p["stages"].as_array_mut() {
                a.insert(stages - 1, test);
            }
            "inserted a Test stage"
        }
        2 if stage_index(p, "Test").is_some() => {
            if let Some(i) = stage_index(p, "Test")
                && let Some(a) = p["stages"].as_array_mut()
            {
                a.remove(i);
            }
            "removed the Test stage"
        }
        3 => {
            if let Some(i) = stage_index(p, "Deploy") {
                let action = &mut p["stages"][i]["actions"][0]["name"];
                let next = if action == "Deploy" {
                    "DeployProd"
                } else {
                    "Deploy"
                };
                *action = json!(next);
            }
            "renamed the deploy action"
        }
        4 => {
            if let Some(i) = stage_index(p, "Deploy") {
                let actions = &mut p["stages"][i]["actions"];
                let has_approval = actions
                    .as_array()
                    .map(|a| a.iter().any(|x| x["name"] == "Approve"))
                    .unwrap_or(false);
                if let Some(list) = actions.as_array_mut() {
                    if has_approval {
                        list.retain(|x| x["name"] != "Approve");
                        for a in list.iter_mut() {
                            a["runOrder"] = json!(1);
                        }
                    } else {
                        for a in list.iter_mut() {
                            a["runOrder"] = json!(2);
                        }
                        list.insert(0, json!({
                            "name": "Approve",
                            "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"},
                            "runOrder": 1,
                            "configuration": {"CustomData": "Check the change set before it reaches prod"},
                            "inputArtifacts": [],
                            "outputArtifacts": []
                        }));
                    }
                }
            }
            "toggled a manual approval"
        }
        5 => {
            if let Some(i) = stage_index(p, "Source") {
                let branch = &mut p["stages"][i]["actions"][0]["configuration"]["BranchName"];
                let next = if branch == "main" { "release" } else { "main" };
                *branch = json!(next);
            }
            "switched the source branch"
        }
        _ => {
            if let Some(i) = stage_index(p, "Deploy")
                && let Some(list) = p["stages"][i]["actions"].as_array_mut()
            {
                list.reverse();
            }
            p["artifactStore"]["location"] =
                json!(format!("codepipeline-artifacts-{}", rng.hex(6)));
            "moved the artifact store"
        }
    }
}

pub struct PipelinePlan<'a> {
    pub name: &'a str,
    pub repo: &'a str,
    /// Pre-existing before the trail starts at this version (a gap), or created in it.
    pub starts_at: Option<u64>,
    pub delete_and_recreate: bool,
}

fn pipeline_arn(s: &Stream, name: &str) -> Value {
    json!([{"ARN": format!("arn:aws:codepipeline:{}:{}:{name}", s.region, s.account)}])
}

/// A pipeline's lifetime(s): creation, updates (some rejected), runs and reads.
pub fn pipeline(rng: &mut Rng, s: &Stream, plan: &PipelinePlan, updates: usize) -> Vec<Timed> {
    let mut out = Vec::new();
    let span = (s.end - s.start).max(1);
    let lifetimes = if plan.delete_and_recreate { 2 } else { 1 };
    for life in 0..lifetimes {
        let from = s.start + span * life as i64 / lifetimes as i64 + 120_000;
        let to = s.start + span * (life as i64 + 1) / lifetimes as i64 - 600_000;
        let mut structure = initial_structure(s.account, s.region, plan.name, plan.repo);
        let mut version = 1u64;
        let mut times: Vec<i64> = (0..updates)
            .map(|_| from + 60_000 + rng.below((to - from - 120_000).max(1) as u64) as i64)
            .collect();
        times.sort_unstable();
        match (life, plan.starts_at) {
            (0, Some(v)) => {
                version = v;
                // Make the pre-existing structure differ from a fresh one.
                mutate(rng, &mut structure, 1);
            }
            _ => {
                let actor = developer(rng, s.account);
                let mut request = structure.clone();
                if let Some(o) = request.as_object_mut() {
                    o.remove("version");
                }
                let ev = record(
                    from,
                    &actor,
                    "codepipeline.amazonaws.com",
                    "CreatePipeline",
                    s.region,
                    s.account,
                    false,
                    json!({"pipeline": request}),
                    json!({"pipeline": structure}),
                    rng,
                );
                out.push((from, ev));
            }
        }
        for (step, &t) in times.iter().enumerate() {
            let actor = developer(rng, s.account);
            let mut next = structure.clone();
            mutate(rng, &mut next, step + life);
            next["version"] = json!(version);
            let rejected = step % 9 == 4;
            let response = if step % 6 == 2 {
                Value::Null
            } else {
                let mut r = next.clone();
                r["version"] = json!(version + 1);
                json!({"pipeline": r})
            };
            let mut ev = record(
                t,
                &actor,
                "codepipeline.amazonaws.com",
                "UpdatePipeline",
                s.region,
                s.account,
                false,
                json!({"pipeline": next}),
                response,
                rng,
            );
            if rejected {
                fail(
                    &mut ev,
                    "InvalidStructureException",
                    "ActionConfiguration Map value must satisfy constraint",
                );
            } else {
                version += 1;
                next["version"] = json!(version);
                structure = next;
            }
            out.push((t, ev));
            // Runs and reads while at this version.
            let runs = rng.below(4);
            for r in 0..runs {
                let tr = t + 5_000 + r as i64 * 60_000;
                let trigger = if r % 2 == 0 {
                    pipeline_role(rng, s.account, s.region, plan.name)
                } else {
                    developer(rng, s.account)
                };
                let mut ev = record(
                    tr,
                    &trigger,
                    "codepipeline.amazonaws.com",
                    "StartPipelineExecution",
                    s.region,
                    s.account,
                    false,
                    json!({"name": plan.name, "clientRequestToken": rng.uuid()}),
                    json!({"pipelineExecutionId": rng.uuid()}),
                    rng,
                );
                ev["resources"] = pipeline_arn(s, plan.name);
                out.push((tr, ev));
                let role = pipeline_role(rng, s.account, s.region, plan.name);
                let mut upload = record(
                    tr + 2_000,
                    &role,
                    "codecommit.amazonaws.com",
                    "UploadArchive",
                    s.region,
                    s.account,
                    true,
                    json!({"repositoryName": plan.repo, "commitId": rng.hex(40)}),
                    Value::Null,
                    rng,
                );
                upload["resources"] = repo_resource(s.account, s.region, plan.repo);
                out.push((tr + 2_000, upload));
            }
            let reader = developer(rng, s.account);
            let get = record(
                t + 30_000,
                &reader,
                "codepipeline.amazonaws.com",
                "GetPipeline",
                s.region,
                s.account,
                true,
                json!({"name": plan.name}),
                Value::Null,
                rng,
            );
            out.push((t + 30_000, get));
            if step % 5 == 1 {
                let approver = developer(rng, s.account);
                let ev = record(
                    t + 90_000,
                    &approver,
                    "codepipeline.amazonaws.com",
                    "PutApprovalResult",
                    s.region,
                    s.account,
                    false,
                    json!({"pipelineName": plan.name, "stageName": "Deploy", "actionName": "Approve", "result": {"summary": "LGTM", "status": "Approved"}, "token": rng.uuid()}),
                    json!({"approvedAt": "Mar 1, 2024, 10:00:00 AM"}),
                    rng,
                );
                out.push((t + 90_000, ev));
            }
        }
        if plan.delete_and_recreate && life == 0 {
            let actor = developer(rng, s.account);
            let ev = record(
                to + 300_000,
                &actor,
                "codepipeline.amazonaws.com",
                "DeletePipeline",
                s.region,
                s.account,
                false,
                json!({"name": plan.name}),
                Value::Null,
                rng,
            );
            out.push((to + 300_000, ev));
        }
    }
    out
}
