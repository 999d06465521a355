//! The list against the code that calls AWS, the README and the policy file.

use std::path::Path;

use super::*;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

/// `"service:Action"` literals in `text`.
fn named_actions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices('"') {
        let rest = &text[i + 1..];
        let Some(end) = rest.find('"') else { break };
        let candidate = &rest[..end];
        if let Some((service, action)) = candidate.split_once(':')
            && !service.is_empty()
            && service.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && action.starts_with(|c: char| c.is_ascii_uppercase())
            && action.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            found.push(candidate.to_string());
        }
    }
    found
}

/// Each SDK call of the AWS adapters (`.send()`) names its IAM action within the lines that
/// handle its answer (the `cx("ecs:…")` every error carries), and that action is in the list —
/// or is called only against the local AWS.
#[test]
fn every_aws_call_in_the_code_names_an_action_the_policy_grants() {
    let listed = actions();
    let mut problems = Vec::new();
    let dir = repo().join("backend/src/aws");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        // Tests, the scripted clients, and what talks only to the local AWS.
        if !name.ends_with(".rs")
            || name.contains("tests")
            || ["instant.rs", "local_push.rs", "elb_demo.rs", "loopback.rs"].contains(&name.as_str())
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if !line.contains(".send()") {
                continue;
            }
            let window = lines[n..(n + 10).min(lines.len())].join("\n");
            let named = named_actions(&window);
            match named.first() {
                None => problems.push(format!("{name}:{}: an AWS call that names no IAM action", n + 1)),
                Some(action) if !listed.contains(&action.as_str()) && !LOCAL_ONLY.contains(&action.as_str()) => {
                    problems.push(format!("{name}:{}: {action} is not in aws::permissions", n + 1))
                }
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The actions the code never names are there for a reason (AWS checks them around a call).
#[test]
fn every_listed_action_is_called_or_implied() {
    let mut named = Vec::new();
    for entry in std::fs::read_dir(repo().join("backend/src/aws")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            named.extend(named_actions(&std::fs::read_to_string(path).unwrap()));
        }
    }
    let unused: Vec<&str> = actions()
        .into_iter()
        .filter(|a| !named.iter().any(|n| n == a) && !IMPLIED.iter().any(|(i, _)| i == a))
        .collect();
    assert!(unused.is_empty(), "listed but never called nor implied: {unused:?}");
}

#[test]
fn the_readme_table_and_the_policy_file_are_made_from_the_list() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains(&markdown()), "README's IAM table differs: paste `berth iam-policy --markdown`");
    let file = std::fs::read_to_string(repo().join("deploy/ecs/iam-policy.json")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(file, policy(), "deploy/ecs/iam-policy.json differs: write `berth iam-policy` to it");
}
