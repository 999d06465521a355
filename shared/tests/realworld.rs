//! The real-world corpus (tests/fixtures/realworld/, sources in SOURCES.tsv): task definitions and
//! create-service documents other people published. Each file under `valid/` passes with no
//! error; each file under `invalid/<rule>/` is refused, with an error at that rule. Task
//! definitions go through what `berth validate` runs (`check_document`), services through the
//! service import and CreateService's rules (what the import route runs before AWS is called).

use std::path::{Path, PathBuf};

use shared::ecs::{service, task_definition};
use shared::error::FieldError;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/realworld")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// `(rule, file)` for every file under `invalid/<rule>/`.
fn invalid_files(kind: &str) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    for dir in std::fs::read_dir(corpus().join(kind).join("invalid")).unwrap() {
        let dir = dir.unwrap().path();
        let rule = dir.file_name().unwrap().to_string_lossy().to_string();
        found.extend(json_files(&dir).into_iter().map(|f| (rule.clone(), f)));
    }
    found.sort();
    found
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn describe(errors: &[FieldError]) -> Vec<String> {
    errors.iter().map(|e| format!("{} [{}]: {}", e.path, e.rule.unwrap_or("-"), e.message)).collect()
}

fn service_errors(json: &str) -> Vec<FieldError> {
    match service::import(json) {
        Err(errors) => errors,
        Ok(imported) => service::validate(&imported.spec, None).err().unwrap_or_default(),
    }
}

#[test]
fn the_corpus_holds_at_least_60_task_definitions_and_15_services_each_with_its_source() {
    let sources = read(&corpus().join("SOURCES.tsv"));
    let listed: Vec<&str> = sources.lines().skip(1).map(|l| l.split('\t').next().unwrap()).collect();
    let mut files = Vec::new();
    for kind in ["task-definitions", "services"] {
        let valid = json_files(&corpus().join(kind).join("valid"));
        let invalid: Vec<PathBuf> = invalid_files(kind).into_iter().map(|(_, f)| f).collect();
        let count = valid.len() + invalid.len();
        assert!(count >= if kind == "services" { 15 } else { 60 }, "{kind}: {count} files");
        files.extend(valid.into_iter().chain(invalid));
    }
    for file in &files {
        let relative = file.strip_prefix(corpus()).unwrap().to_string_lossy().to_string();
        assert!(listed.contains(&relative.as_str()), "{relative} is not in SOURCES.tsv");
    }
    for line in sources.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        assert!(columns.len() >= 4 && columns[1..4].iter().all(|c| !c.is_empty()), "incomplete source: {line}");
        assert_eq!(columns[3].len(), 40, "a commit is a full hash: {line}");
        assert!(corpus().join(columns[0]).exists(), "SOURCES.tsv lists a missing file: {line}");
    }
}

#[test]
fn every_valid_real_world_task_definition_passes() {
    let mut refused = Vec::new();
    for file in json_files(&corpus().join("task-definitions/valid")) {
        let report = task_definition::check_document(&read(&file));
        if !report.valid {
            refused.push(format!("{}: {:?}", file.display(), describe(&report.errors)));
        }
    }
    assert!(refused.is_empty(), "refused:\n{}", refused.join("\n"));
}

#[test]
fn every_invalid_real_world_task_definition_is_refused_at_its_rule() {
    let mut missed = Vec::new();
    for (rule, file) in invalid_files("task-definitions") {
        let report = task_definition::check_document(&read(&file));
        if !report.errors.iter().any(|e| e.rule == Some(rule.as_str())) {
            missed.push(format!("{} (expected {rule}): {:?}", file.display(), describe(&report.errors)));
        }
    }
    assert!(missed.is_empty(), "not refused at their rule:\n{}", missed.join("\n"));
}

#[test]
fn every_valid_real_world_create_service_document_imports() {
    let mut refused = Vec::new();
    for file in json_files(&corpus().join("services/valid")) {
        let errors = service_errors(&read(&file));
        if !errors.is_empty() {
            refused.push(format!("{}: {:?}", file.display(), describe(&errors)));
        }
    }
    assert!(refused.is_empty(), "refused:\n{}", refused.join("\n"));
}

#[test]
fn every_invalid_real_world_create_service_document_is_refused_at_its_rule() {
    let mut missed = Vec::new();
    for (rule, file) in invalid_files("services") {
        let errors = service_errors(&read(&file));
        if !errors.iter().any(|e| e.rule == Some(rule.as_str())) {
            missed.push(format!("{} (expected {rule}): {:?}", file.display(), describe(&errors)));
        }
    }
    assert!(missed.is_empty(), "not refused at their rule:\n{}", missed.join("\n"));
}
