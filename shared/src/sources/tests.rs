use std::collections::BTreeSet;
use std::path::Path;

use super::*;

/// The rule ids named in shared/'s code: every `rule("id"` (the call may wrap after the paren).
fn ids_used() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("sources/tests.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("rule(") {
                    let rest = text[at + 5..].trim_start();
                    if let Some(quoted) = rest.strip_prefix('"') {
                        found.insert(quoted[..quoted.find('"').unwrap()].to_string());
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_rule_used_is_listed_and_every_listed_rule_is_used() {
    let used = ids_used();
    let listed: BTreeSet<String> = RULES.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(listed.len(), RULES.len(), "a rule id is listed twice");
    let unlisted: Vec<_> = used.difference(&listed).collect();
    let unused: Vec<_> = listed.difference(&used).collect();
    assert!(unlisted.is_empty(), "rules used without an entry in RULES: {unlisted:?}");
    assert!(unused.is_empty(), "entries of RULES no validator uses: {unused:?}");
}

#[test]
fn every_rule_with_a_source_names_a_document_or_quotes_aws() {
    for rule in RULES.iter().filter(|r| !r.source.is_empty()) {
        assert!(
            rule.source.contains("https://docs.aws.amazon.com/") || rule.source.starts_with('"'),
            "{}: a source is an AWS documentation URL or a quoted AWS error: {}",
            rule.id,
            rule.source
        );
    }
}

/// The table, printed: `cargo test -p berth-shared sources -- --nocapture` lists every rule.
#[test]
fn list_every_rule_with_its_source() {
    for rule in RULES {
        let source = if rule.source.is_empty() { "(no source found: reported as a warning)" } else { rule.source };
        println!("{:<34} {source}", rule.id);
    }
    assert!(RULES.iter().filter(|r| r.source.is_empty()).count() < RULES.len() / 4);
}
