//! The vendored seed fixtures are the lab's own, byte for byte.

use crate::helpers::repo_root;

#[test]
fn vendored_seed_fixtures_equal_the_originals_when_present() {
    let originals = repo_root().join("../shared/seed/fixtures");
    let vendored = repo_root().join("tests/fixtures/seed");
    for name in
        ["task-definition-template.json", "ecs-create-service-template.json", "ecs-update-service-template.json"]
    {
        let copy = std::fs::read(vendored.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        match std::fs::read(originals.join(name)) {
            Ok(original) => assert_eq!(copy, original, "{name} differs from the seed lab's"),
            Err(_) => eprintln!("{} not present: compared nothing", originals.display()),
        }
    }
}

#[test]
fn the_demo_data_runs_the_labs_own_task_definition() {
    let demo = std::fs::read(repo_root().join("backend/assets/lab-task-definition.json")).unwrap();
    let seed = std::fs::read(repo_root().join("tests/fixtures/seed/task-definition-template.json")).unwrap();
    assert_eq!(demo, seed, "backend/assets/lab-task-definition.json is no longer the lab's task definition");
}
