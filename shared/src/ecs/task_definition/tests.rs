use serde_json::{Value, json};

use super::*;

const SEED: &str = include_str!("../../../../tests/fixtures/seed/task-definition-template.json");

fn spec(v: Value) -> TaskDefinitionSpec {
    serde_json::from_value(v).expect("a well-formed document")
}

/// A minimal valid EC2 task definition with `patch` merged in (top level).
fn base(patch: Value) -> TaskDefinitionSpec {
    let mut doc = json!({
        "family": "web",
        "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 256, "essential": true}],
        "requiresCompatibilities": ["EC2"]
    });
    for (k, v) in patch.as_object().unwrap() {
        doc[k] = v.clone();
    }
    spec(doc)
}

/// Same, with `patch` merged into the first container.
fn container(patch: Value) -> TaskDefinitionSpec {
    let mut c = json!({"name": "web", "image": "nginx:1.27", "memory": 256});
    for (k, v) in patch.as_object().unwrap() {
        c[k] = v.clone();
    }
    base(json!({"containerDefinitions": [c]}))
}

fn paths(s: &TaskDefinitionSpec) -> Vec<String> {
    validate(s).errors.into_iter().map(|e| e.path).collect()
}

/// AWS accepts `ok`; it rejects `bad`, at `path`.
fn rule(ok: TaskDefinitionSpec, bad: TaskDefinitionSpec, path: &str) {
    assert_eq!(paths(&ok), Vec::<String>::new(), "accepted: {ok:?}");
    assert!(paths(&bad).contains(&path.to_string()), "expected {path} in {:?}", validate(&bad).errors);
}

#[test]
fn the_seed_fixture_imports_validates_and_round_trips() {
    let imported = import(SEED).unwrap();
    assert!(imported.dropped.is_empty());
    let report = validate(&imported.spec);
    assert_eq!(report.errors, vec![]);
    assert_eq!(report.warnings[0].path, "containerDefinitions[0].image", "the seed deploys :latest");
    let again: Value = serde_json::to_value(&imported.spec).unwrap();
    assert_eq!(again, serde_json::from_str::<Value>(SEED).unwrap(), "export gives the document back");
}

#[test]
fn family_charset_and_length() {
    rule(base(json!({"family": "a-b_C9"})), base(json!({"family": "web app"})), "family");
    rule(base(json!({"family": "x".repeat(255)})), base(json!({"family": "x".repeat(256)})), "family");
    rule(base(json!({})), base(json!({"family": ""})), "family");
}

#[test]
fn one_to_ten_containers() {
    let many = |n: usize| {
        let list: Vec<Value> =
            (0..n).map(|i| json!({"name": format!("c{i}"), "image": "nginx:1", "memory": 16})).collect();
        base(json!({"containerDefinitions": list}))
    };
    rule(many(10), many(11), "containerDefinitions");
    rule(many(1), many(0), "containerDefinitions");
}

#[test]
fn container_names_are_unique() {
    let two = |second: &str| {
        base(json!({"containerDefinitions": [
            {"name": "web", "image": "nginx:1", "memory": 64},
            {"name": second, "image": "nginx:1", "memory": 64}]}))
    };
    rule(two("sidecar"), two("web"), "containerDefinitions[1].name");
}

#[test]
fn image_is_required() {
    rule(container(json!({"image": "nginx:1"})), container(json!({"image": " "})), "containerDefinitions[0].image");
}

#[test]
fn at_least_one_essential_container() {
    rule(container(json!({})), container(json!({"essential": false})), "containerDefinitions");
}

#[test]
fn network_mode_is_one_of_four() {
    rule(base(json!({"networkMode": "host"})), base(json!({"networkMode": "nat"})), "networkMode");
}

#[test]
fn fargate_needs_awsvpc_and_a_valid_size() {
    let fargate = |mode: &str, cpu: &str, memory: &str| {
        base(json!({"requiresCompatibilities": ["FARGATE"], "networkMode": mode, "cpu": cpu, "memory": memory}))
    };
    rule(fargate("awsvpc", "256", "512"), fargate("bridge", "256", "512"), "networkMode");
    rule(fargate("awsvpc", "1 vCPU", "2 GB"), fargate("awsvpc", "1024", "1024"), "memory");
    rule(fargate("awsvpc", "512", "4096"), fargate("awsvpc", "300", "1024"), "cpu");
    rule(
        fargate("awsvpc", "256", "2048"),
        base(json!({"requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc"})),
        "cpu",
    );
}

#[test]
fn ec2_needs_memory_somewhere() {
    let ok = base(json!({"memory": "512", "containerDefinitions": [{"name": "web", "image": "nginx:1"}]}));
    let bad = base(json!({"containerDefinitions": [{"name": "web", "image": "nginx:1"}]}));
    rule(ok, bad, "containerDefinitions[0].memory");
    // Without requiresCompatibilities a registration is checked for EC2 too.
    let mut unsaid = base(json!({"containerDefinitions": [{"name": "web", "image": "nginx:1"}]}));
    unsaid.requires_compatibilities = None;
    let mut said = unsaid.clone();
    said.container_definitions[0].memory_reservation = Some(128);
    rule(said, unsaid, "containerDefinitions[0].memory");
}

#[test]
fn memory_reservation_is_at_most_memory() {
    // Equal is valid (developer guide: memory "greater than or equal to" the reservation).
    rule(
        container(json!({"memoryReservation": 256})),
        container(json!({"memoryReservation": 257})),
        "containerDefinitions[0].memoryReservation",
    );
}

/// What AWS accepts but Berth may only warn about: the rule has no known AWS source.
fn warns(s: &TaskDefinitionSpec, path: &str) {
    let report = validate(s);
    assert!(report.errors.is_empty(), "no error: {:?}", report.errors);
    assert!(report.warnings.iter().any(|w| w.path == path), "a warning at {path}: {:?}", report.warnings);
}

#[test]
fn containers_fit_in_the_task() {
    rule(base(json!({"memory": "256"})), base(json!({"memory": "128"})), "containerDefinitions[0].memory");
    let two = base(json!({"memory": "300", "containerDefinitions": [
        {"name": "a", "image": "nginx:1", "memoryReservation": 200},
        {"name": "b", "image": "nginx:1", "memoryReservation": 200}]}));
    assert!(paths(&two).contains(&"memory".to_string()), "reservations add up");
    rule(base(json!({"cpu": "1024"})), container(json!({"cpu": 2048})).tap_cpu("1024"), "cpu");
}

trait TapCpu {
    fn tap_cpu(self, cpu: &str) -> Self;
}

impl TapCpu for TaskDefinitionSpec {
    fn tap_cpu(mut self, cpu: &str) -> Self {
        self.cpu = Some(cpu.into());
        self
    }
}

#[test]
fn awsvpc_host_ports_equal_container_ports() {
    let ports = |host: Value| {
        let mut s = container(json!({"portMappings": [{"containerPort": 80, "hostPort": host}]}));
        s.network_mode = Some("awsvpc".into());
        s
    };
    rule(ports(json!(80)), ports(json!(8080)), "containerDefinitions[0].portMappings[0].hostPort");
    let bridge = container(json!({"portMappings": [{"containerPort": 80, "hostPort": 0}]}));
    assert!(paths(&bridge).is_empty(), "dynamic host ports in bridge mode");
}

#[test]
fn ports_are_in_range_and_protocols_known() {
    let port = |p: Value| container(json!({"portMappings": [p]}));
    rule(
        port(json!({"containerPort": 65535})),
        port(json!({"containerPort": 0})),
        "containerDefinitions[0].portMappings[0].containerPort",
    );
    rule(
        port(json!({"containerPort": 80, "hostPort": 65535})),
        port(json!({"containerPort": 80, "hostPort": 70000})),
        "containerDefinitions[0].portMappings[0].hostPort",
    );
    rule(
        port(json!({"containerPort": 53, "protocol": "udp"})),
        port(json!({"containerPort": 53, "protocol": "sctp"})),
        "containerDefinitions[0].portMappings[0].protocol",
    );
}

#[test]
fn links_are_not_allowed_with_awsvpc() {
    let linked = |mode: &str| {
        let mut s = base(json!({"containerDefinitions": [
            {"name": "web", "image": "nginx:1", "memory": 64, "links": ["db"]},
            {"name": "db", "image": "postgres:17", "memory": 64}]}));
        s.network_mode = Some(mode.into());
        s
    };
    rule(linked("bridge"), linked("awsvpc"), "containerDefinitions[0].links");
}

#[test]
fn mount_points_name_declared_volumes() {
    let mounted = |volume: &str| {
        base(json!({
            "volumes": [{"name": "web"}],
            "containerDefinitions": [{"name": "web", "image": "nginx:1", "memory": 64,
                "mountPoints": [{"sourceVolume": volume, "containerPath": "/data"}]}]}))
    };
    rule(mounted("web"), mounted("www"), "containerDefinitions[0].mountPoints[0].sourceVolume");
}

#[test]
fn a_volume_name_used_twice_is_a_warning_until_aws_is_seen_refusing_it() {
    assert_eq!(paths(&base(json!({"volumes": [{"name": "a"}, {"name": "b"}]}))), Vec::<String>::new());
    warns(&base(json!({"volumes": [{"name": "a"}, {"name": "a"}]})), "volumes[1].name");
}

#[test]
fn docker_volume_scope_and_autoprovision() {
    let docker = |cfg: Value| base(json!({"volumes": [{"name": "v", "dockerVolumeConfiguration": cfg}]}));
    rule(
        docker(json!({"scope": "shared", "autoprovision": true})),
        docker(json!({"scope": "global"})),
        "volumes[0].dockerVolumeConfiguration.scope",
    );
    // AWS only says autoprovision "is only used if the scope is shared".
    warns(
        &docker(json!({"scope": "task", "autoprovision": true})),
        "volumes[0].dockerVolumeConfiguration.autoprovision",
    );
}

#[test]
fn depends_on_names_other_containers_with_valid_conditions() {
    let dep = |name: &str, condition: &str, health: bool| {
        let mut db = json!({"name": "db", "image": "postgres:17", "memory": 64});
        if health {
            db["healthCheck"] = json!({"command": ["CMD", "pg_isready"]});
        }
        base(json!({"containerDefinitions": [
            {"name": "web", "image": "nginx:1", "memory": 64, "dependsOn": [{"containerName": name, "condition": condition}]}, db]}))
    };
    rule(dep("db", "START", false), dep("cache", "START", false), "containerDefinitions[0].dependsOn[0].containerName");
    rule(dep("db", "SUCCESS", false), dep("db", "READY", false), "containerDefinitions[0].dependsOn[0].condition");
    // HEALTHY is confirmed at task start, not at registration.
    assert_eq!(paths(&dep("db", "HEALTHY", true)), Vec::<String>::new());
    warns(&dep("db", "HEALTHY", false), "containerDefinitions[0].dependsOn[0].condition");
}

#[test]
fn health_check_ranges() {
    let hc = |h: Value| container(json!({"healthCheck": h}));
    rule(
        hc(
            json!({"command": ["CMD-SHELL", "curl -f localhost"], "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0}),
        ),
        hc(json!({"command": ["CMD-SHELL", "curl -f localhost"], "interval": 4})),
        "containerDefinitions[0].healthCheck.interval",
    );
    rule(
        hc(json!({"command": ["CMD", "true"], "retries": 10})),
        hc(json!({"command": ["CMD", "true"], "retries": 11})),
        "containerDefinitions[0].healthCheck.retries",
    );
}

#[test]
fn a_health_check_timeout_may_equal_or_exceed_its_interval() {
    let hc = container(json!({"healthCheck": {"command": ["CMD", "true"], "interval": 5, "timeout": 10}}));
    assert_eq!(paths(&hc), Vec::<String>::new());
}

#[test]
fn a_health_check_command_without_cmd_registers_with_a_warning() {
    // RegisterTaskDefinition takes ["/healthcheck"] (aws/aws-cdk#34389); Docker won't run it as meant.
    warns(
        &container(json!({"healthCheck": {"command": ["curl", "-f", "localhost"]}})),
        "containerDefinitions[0].healthCheck.command",
    );
}

#[test]
fn pid_and_ipc_modes_are_enums_and_an_empty_string_is_refused() {
    rule(base(json!({"pidMode": "task"})), base(json!({"pidMode": ""})), "pidMode");
    rule(base(json!({"pidMode": "host"})), base(json!({"pidMode": "none"})), "pidMode");
    rule(base(json!({"ipcMode": "none"})), base(json!({"ipcMode": ""})), "ipcMode");
    rule(base(json!({"ipcMode": "host"})), base(json!({"ipcMode": "shareable"})), "ipcMode");
}

#[test]
fn a_missing_required_member_is_named_at_its_own_path() {
    let missing = |doc: Value| import(&doc.to_string()).unwrap_err();
    let errors = missing(json!({"family": "web", "containerDefinitions": [{"name": "web"}]}));
    assert_eq!((errors[0].path.as_str(), errors[0].message.as_str()), ("containerDefinitions[0].image", "required"));
    let errors = missing(json!({"containerDefinitions": []}));
    assert_eq!((errors[0].path.as_str(), errors[0].message.as_str()), ("family", "required"));
}

#[test]
fn null_members_are_dropped_on_import_with_their_paths_warned_and_refused_when_strict() {
    let doc = json!({"family": "web", "cpu": null, "containerDefinitions": [
        {"name": "web", "image": "nginx:1.27", "memory": 256, "privileged": null, "environment": null}]});
    let imported = import(&doc.to_string()).unwrap();
    assert_eq!(imported.nulls, ["containerDefinitions[0].environment", "containerDefinitions[0].privileged", "cpu"]);
    assert_eq!(imported.spec.cpu, None);
    let lenient = check_document(&doc.to_string());
    assert!(lenient.valid, "{:?}", lenient.errors);
    assert!(lenient.warnings.iter().any(|w| w.path == "cpu" && w.message.starts_with("null")));
    let strict = check_document_strict(&doc.to_string());
    assert!(!strict.valid);
    let refused: Vec<&str> = strict.errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(refused, ["containerDefinitions[0].environment", "containerDefinitions[0].privileged", "cpu"]);
}

#[test]
fn the_containers_reservations_and_cpu_together_fit_the_task() {
    let two = |reservation: i64, cpu: i64| {
        base(json!({"memory": "512", "cpu": "256", "containerDefinitions": [
            {"name": "a", "image": "nginx:1.27", "memoryReservation": reservation, "cpu": cpu},
            {"name": "b", "image": "nginx:1.27", "memoryReservation": 256, "cpu": 128}]}))
    };
    rule(two(256, 128), two(257, 128), "memory");
    rule(two(256, 128), two(256, 129), "cpu");
    let errors = validate(&two(257, 129)).errors;
    assert!(errors.iter().any(|e| e.rule == Some("td.sum.memoryReservation")));
    assert!(errors.iter().any(|e| e.rule == Some("td.sum.cpu")));
}

#[test]
fn the_document_size_is_limited() {
    let env = |n: usize| {
        container(
            json!({"environment": (0..n).map(|i| json!({"name": format!("V{i}"), "value": "x".repeat(100)})).collect::<Vec<_>>()}),
        )
    };
    rule(env(10), env(700), "");
}

#[test]
fn untagged_and_latest_images_warn_but_pass() {
    for image in ["nginx", "nginx:latest", "registry:5000/team/nginx"] {
        let report = validate(&container(json!({"image": image})));
        assert!(report.is_valid(), "{image}");
        assert_eq!(report.warnings.len(), 1, "{image}");
    }
    assert!(validate(&container(json!({"image": "nginx@sha256:abc"}))).warnings.is_empty());
}

#[test]
fn describe_output_imports_with_read_only_fields_dropped_and_named() {
    let described = json!({
        "taskDefinition": {
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/web:3", "revision": 3, "status": "ACTIVE",
            "family": "web", "containerDefinitions": [{"name": "web", "image": "nginx:1", "memory": 64}],
            "compatibilities": ["EC2"], "registeredAt": "2026-01-01T00:00:00Z", "requiresAttributes": []
        },
        "tags": [{"key": "team", "value": "web"}]
    });
    let imported = import(&described.to_string()).unwrap();
    assert_eq!(
        imported.dropped,
        ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt"]
    );
    assert_eq!(imported.spec.tags.unwrap()[0].key, "team");
    let inner = import(&described["taskDefinition"].to_string()).unwrap();
    assert_eq!(inner.spec.family, "web");
}

#[test]
fn an_unknown_key_is_an_error_naming_it_with_its_path() {
    let err = import(r#"{"family":"web","containerDefinitions":[{"name":"web","image":"nginx:1","memroy":64}]}"#)
        .unwrap_err();
    assert_eq!(err[0].path, "containerDefinitions[0].memroy");
    assert!(err[0].message.starts_with("unknown field `memroy`"), "{}", err[0].message);
    assert_eq!(import("[1]").unwrap_err()[0].message, "A task definition is a JSON object.");
}

#[test]
fn task_sizes_parse_both_spellings() {
    assert_eq!(parse_task_cpu("1024"), Some(1024));
    assert_eq!(parse_task_cpu("0.25 vCPU"), Some(256));
    assert_eq!(parse_task_cpu(".5 vcpu"), Some(512));
    assert_eq!(parse_task_memory("2 GB"), Some(2048));
    assert_eq!(parse_task_memory("0.5GB"), Some(512));
    assert_eq!(parse_task_memory("lots"), None);
    assert_eq!(fargate_memory_options(256), [512, 1024, 2048]);
    assert_eq!(fargate_memory_options(16384).len(), 12);
}

/// Arbitrary JSON, biased towards the model's own keys to reach deep, never panics import or
/// validation. A fixed budget here; `BERTH_FUZZ_CASES=1000000 cargo test -p berth-shared
/// never_panics` runs longer.
#[test]
fn arbitrary_json_never_panics_import_or_validate() {
    let huge = container(json!({"memory": i64::MAX, "memoryReservation": i64::MAX, "cpu": i64::MAX}));
    let mut twice = huge.clone().tap_cpu("1024");
    twice.container_definitions.extend(huge.container_definitions);
    twice.container_definitions[1].name = "other".into();
    assert!(!validate(&twice).is_valid(), "sums saturate instead of overflowing");
    let cases: u64 = std::env::var("BERTH_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let seed: Value = serde_json::from_str(SEED).unwrap();
    for _ in 0..cases {
        let mut doc = seed.clone();
        for _ in 0..rng.below(6) + 1 {
            mutate(&mut doc, &mut rng, 0);
        }
        let text = doc.to_string();
        if let Ok(imported) = import(&text) {
            let _ = validate(&imported.spec);
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const KEYS: [&str; 16] = [
    "family",
    "cpu",
    "memory",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "name",
    "image",
    "portMappings",
    "containerPort",
    "hostPort",
    "healthCheck",
    "dependsOn",
    "mountPoints",
    "dockerVolumeConfiguration",
    "requiresCompatibilities",
];

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 3 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!((rng.next() as i64) >> rng.below(63)),
        3 => {
            json!(["FARGATE", "awsvpc", "", "1 vCPU", "0.5 GB", "HEALTHY", "CMD", "-1", "9e99"][rng.below(9) as usize])
        }
        4 => json!(-(rng.below(100_000) as i64)),
        5 => Value::Array((0..rng.below(4)).map(|_| random_value(rng, depth + 1)).collect()),
        _ => Value::Object(
            (0..rng.below(4))
                .map(|_| (KEYS[rng.below(16) as usize].to_string(), random_value(rng, depth + 1)))
                .collect(),
        ),
    }
}

fn mutate(v: &mut Value, rng: &mut Rng, depth: u32) {
    match v {
        Value::Object(map) if !map.is_empty() && rng.below(3) > 0 => {
            let key = map.keys().nth(rng.below(map.len() as u64) as usize).cloned().unwrap();
            mutate(map.get_mut(&key).unwrap(), rng, depth + 1);
        }
        Value::Object(map) => {
            map.insert(KEYS[rng.below(16) as usize].to_string(), random_value(rng, depth));
        }
        Value::Array(items) if !items.is_empty() && rng.below(3) > 0 => {
            let i = rng.below(items.len() as u64) as usize;
            mutate(&mut items[i], rng, depth + 1);
        }
        other => *other = random_value(rng, depth),
    }
}

#[test]
fn a_document_over_the_container_limit_is_refused_before_any_other_rule() {
    let many: Vec<Value> =
        (0..10_000).map(|i| json!({"name": format!("c{i}"), "image": "bad image", "links": ["x"]})).collect();
    let report = validate(&base(json!({"containerDefinitions": many, "networkMode": "nonsense"})));
    assert_eq!(report.errors.len(), 1, "only the limit: {:?}", &report.errors[..report.errors.len().min(3)]);
    assert_eq!(report.errors[0].path, "containerDefinitions");
    assert_eq!(report.errors[0].message, "A task definition has at most 10 containers (AWS's limit), not 10000.");
    let ten: Vec<Value> =
        (0..10).map(|i| json!({"name": format!("c{i}"), "image": "nginx:1.27", "memory": 16})).collect();
    assert_eq!(paths(&base(json!({"containerDefinitions": ten}))), Vec::<String>::new(), "ten is fine");
}
