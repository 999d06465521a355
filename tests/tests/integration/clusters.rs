//! Clusters through the API against the local AWS: Fargate-only and with EC2 capacity (launch
//! template + Auto Scaling group + capacity provider, instances registering as the ECS agent
//! would), deletion with teardown, and a creation that fails midway and is cleaned up.

use std::time::Duration;

use serde_json::{Value, json};
use shared::auth::Role;

use crate::helpers::{TestApp, json_with_status};

/// Polls a creation until it ends (`succeeded`, `failed`, `removed`).
async fn finished(app: &TestApp, creation: &Value) -> Value {
    let path = format!("/api/envs/local/cluster-creations/{}", creation["id"].as_str().unwrap());
    for _ in 0..200 {
        let now = json_with_status(app.get(&path).await, 200).await;
        if !matches!(now["state"].as_str(), Some("running" | "removing")) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the creation did not end: {path}");
}

fn states(creation: &Value) -> Vec<(String, String)> {
    creation["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s["state"].as_str().unwrap().to_string()))
        .collect()
}

async fn default_network(app: &TestApp) -> (String, Vec<String>) {
    let vpcs = json_with_status(app.get("/api/envs/local/network/vpcs").await, 200).await;
    let vpc = vpcs.as_array().unwrap().iter().find(|v| v["isDefault"] == true).expect("a default VPC")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let subnets = json_with_status(app.get(&format!("/api/envs/local/network/vpcs/{vpc}/subnets")).await, 200).await;
    let subnets: Vec<String> =
        subnets.as_array().unwrap().iter().take(2).map(|s| s["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(subnets.len(), 2);
    (vpc, subnets)
}

#[tokio::test]
async fn a_fargate_only_cluster_is_created_described_and_deleted() {
    let app = TestApp::spawn().await;
    let spec =
        json!({"clusterName": "web-fargate", "containerInsights": true, "tags": [{"key": "team", "value": "web"}]});
    let started = json_with_status(app.post_json("/api/envs/local/clusters", &spec).await, 202).await;
    let done = finished(&app, &started).await;
    assert_eq!(done["state"], "succeeded");
    assert_eq!(states(&done), [("cluster".to_string(), "done".to_string())]);

    let page = json_with_status(app.get("/api/envs/local/clusters/web-fargate").await, 200).await;
    assert_eq!(page["cluster"]["status"], "ACTIVE");
    assert_eq!(page["cluster"]["containerInsights"], true);
    assert_eq!(page["containerInstances"], json!([]));
    assert_eq!(page["cluster"]["capacityProviders"], json!(["FARGATE", "FARGATE_SPOT"]));
    let list = json_with_status(app.get("/api/envs/local/clusters").await, 200).await;
    assert_eq!(list[0]["clusterName"], "web-fargate");

    let again = json_with_status(app.post_json("/api/envs/local/clusters", &spec).await, 409).await;
    assert_eq!(again["fields"][0]["path"], "clusterName");

    assert_eq!(app.delete("/api/envs/local/clusters/web-fargate").await.status(), 204);
    assert_eq!(json_with_status(app.get("/api/envs/local/clusters/web-fargate").await, 404).await["code"], "not_found");
}

#[tokio::test]
async fn an_ec2_cluster_gets_its_capacity_and_instances_and_is_torn_down_on_delete() {
    let app = TestApp::spawn().await;
    let (vpc, subnets) = default_network(&app).await;
    let defaults = json_with_status(app.get("/api/envs/local/network/ec2-defaults").await, 200).await;
    assert!(defaults["recommendedImageId"].as_str().unwrap().starts_with("ami-"), "{defaults}");
    assert_eq!(defaults["instanceRoleExists"], false);

    let spec = json!({"clusterName": "itflex-nginx", "ec2": {
        "instanceType": "t2.micro", "desiredCapacity": 2, "minSize": 2, "maxSize": 2,
        "vpcId": vpc, "subnetIds": subnets, "openPorts": [80, 443], "createInstanceRole": true
    }});
    let started = json_with_status(app.post_json("/api/envs/local/clusters", &spec).await, 202).await;
    let done = finished(&app, &started).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    let ids: Vec<String> = states(&done).into_iter().map(|(id, state)| format!("{id}:{state}")).collect();
    assert_eq!(
        ids,
        [
            "cluster:done",
            "instance-role:done",
            "security-group:done",
            "launch-template:done",
            "auto-scaling-group:done",
            "capacity-provider:done",
            "default-strategy:done",
            "instances:done"
        ]
    );

    let page = json_with_status(app.get("/api/envs/local/clusters/itflex-nginx").await, 200).await;
    assert_eq!(page["cluster"]["registeredContainerInstances"], 2);
    assert_eq!(page["cluster"]["capacityProviders"], json!(["FARGATE", "FARGATE_SPOT", "berth-itflex-nginx"]));
    let instances = page["containerInstances"].as_array().unwrap();
    assert_eq!(instances.len(), 2);
    let mut zones: Vec<&str> = instances.iter().map(|i| i["availabilityZone"].as_str().unwrap()).collect();
    zones.dedup();
    assert_eq!(zones.len(), 2, "spread over the two subnets' zones, as Auto Scaling balances them");
    for instance in instances {
        assert_eq!(instance["instanceType"], "t2.micro");
        assert_eq!(
            (instance["registeredCpu"].as_i64(), instance["registeredMemory"].as_i64()),
            (Some(1024), Some(982))
        );
        assert!(instance["availabilityZone"].as_str().unwrap().starts_with("us-east-1"));
        assert_eq!(instance["agentConnected"], true);
    }
    let capacity = &page["berthCapacity"];
    assert_eq!(capacity["capacityProvider"], "berth-itflex-nginx");
    assert_eq!(capacity["autoScalingGroup"], "berth-itflex-nginx");
    assert!(capacity["launchTemplateId"].as_str().unwrap().starts_with("lt-"));
    let group = capacity["securityGroupId"].as_str().unwrap().to_string();
    let defaults = json_with_status(app.get("/api/envs/local/network/ec2-defaults").await, 200).await;
    assert_eq!(defaults["instanceRoleExists"], true, "the role was created");

    assert_eq!(app.delete("/api/envs/local/clusters/itflex-nginx?removeCapacity=true").await.status(), 204);
    assert_eq!(app.get("/api/envs/local/clusters/itflex-nginx").await.status(), 404);
    let groups =
        json_with_status(app.get(&format!("/api/envs/local/network/vpcs/{vpc}/security-groups")).await, 200).await;
    assert!(groups.as_array().unwrap().iter().all(|g| g["id"] != group.as_str()), "the security group is gone");
    let leftovers = app.ecs("DescribeCapacityProviders", json!({"capacityProviders": ["berth-itflex-nginx"]})).await;
    assert!(leftovers["capacityProviders"].as_array().unwrap().iter().all(|p| p["status"] != "ACTIVE"), "{leftovers}");
}

#[tokio::test]
async fn a_creation_that_fails_midway_says_where_and_leaves_nothing_after_removal() {
    let app = TestApp::spawn().await;
    let (vpc, _) = default_network(&app).await;
    let spec = json!({"clusterName": "broken", "ec2": {
        "instanceType": "t2.micro", "desiredCapacity": 1, "minSize": 1, "maxSize": 1,
        "vpcId": vpc, "subnetIds": ["subnet-00000000000000000"], "openPorts": [80], "createInstanceRole": true
    }});
    let started = json_with_status(app.post_json("/api/envs/local/clusters", &spec).await, 202).await;
    let failed = finished(&app, &started).await;
    assert_eq!(failed["state"], "failed");
    let steps = states(&failed);
    let broken = steps.iter().find(|(_, state)| state == "failed").expect("a failed step");
    assert_eq!(broken.0, "auto-scaling-group");
    let reason = failed["steps"].as_array().unwrap().iter().find(|s| s["state"] == "failed").unwrap()["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reason.contains("subnet-00000000000000000"), "AWS's reason names the subnet: {reason}");

    let path = format!("/api/envs/local/cluster-creations/{}", failed["id"].as_str().unwrap());
    let removing = json_with_status(app.delete(&path).await, 202).await;
    assert_eq!(removing["state"], "removing");
    let removed = finished(&app, &removing).await;
    assert_eq!(removed["state"], "removed", "{removed}");
    let undone: Vec<String> = states(&removed).into_iter().filter(|(_, s)| s == "removed").map(|(id, _)| id).collect();
    assert_eq!(undone, ["cluster", "instance-role", "security-group", "launch-template"]);

    assert_eq!(app.get("/api/envs/local/clusters/broken").await.status(), 404);
    let groups =
        json_with_status(app.get(&format!("/api/envs/local/network/vpcs/{vpc}/security-groups")).await, 200).await;
    assert!(groups.as_array().unwrap().iter().all(|g| !g["label"].as_str().unwrap().starts_with("berth-broken")));
    let defaults = json_with_status(app.get("/api/envs/local/network/ec2-defaults").await, 200).await;
    assert_eq!(defaults["instanceRoleExists"], false, "the role Berth created is removed too");
}

#[tokio::test]
async fn deleting_a_cluster_with_services_is_refused_naming_them_and_rules_and_roles_apply() {
    let app = TestApp::spawn().await;
    let started =
        json_with_status(app.post_json("/api/envs/local/clusters", &json!({"clusterName": "busy"})).await, 202).await;
    finished(&app, &started).await;
    let seed: Value = serde_json::from_str(include_str!("../../fixtures/seed/task-definition-template.json")).unwrap();
    json_with_status(app.post_json("/api/envs/local/task-definitions", &seed).await, 201).await;
    app.ecs(
        "CreateService",
        json!({"cluster": "busy", "serviceName": "web", "taskDefinition": "nginx-web", "desiredCount": 0}),
    )
    .await;
    let refused = json_with_status(app.delete("/api/envs/local/clusters/busy").await, 409).await;
    assert!(refused["message"].as_str().unwrap().contains("web"), "{refused}");

    let bad = json!({"clusterName": "bad name", "ec2": {"instanceType": "t2.micro", "desiredCapacity": 1, "minSize": 2,
        "maxSize": 3, "vpcId": "vpc-0a1b2c3d", "subnetIds": []}});
    let body = json_with_status(app.post_json("/api/envs/local/clusters", &bad).await, 422).await;
    let paths: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["clusterName", "ec2.desiredCapacity", "ec2.subnetIds", "ec2.securityGroupIds"]);

    let viewer = app.user("vc", "local", Role::Viewer).await;
    assert_eq!(viewer.post_json("/api/envs/local/clusters", &json!({"clusterName": "x"})).await.status(), 403);
    assert_eq!(viewer.get("/api/envs/local/clusters/busy").await.status(), 200);
}

#[tokio::test]
async fn local_modes_demo_data_has_the_labs_cluster_with_two_t2_micro_instances_and_its_service() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let page = json_with_status(app.get("/api/envs/local/clusters/itflex-nginx").await, 200).await;
    let types: Vec<&str> =
        page["containerInstances"].as_array().unwrap().iter().map(|i| i["instanceType"].as_str().unwrap()).collect();
    assert_eq!(types, ["t2.micro", "t2.micro"]);
    assert_eq!(page["cluster"]["capacityProviders"], json!(["FARGATE", "FARGATE_SPOT", "berth-itflex-nginx"]));
    let service = &page["services"][0];
    assert_eq!(service["serviceName"], "nginx-web-access");
    assert_eq!((service["desiredCount"].as_i64(), service["schedulingStrategy"].as_str()), (Some(4), Some("REPLICA")));
    assert_eq!((service["taskDefinition"].as_str(), service["capacity"].as_str()), (Some("nginx-web:1"), Some("EC2")));
}

/// The cluster list and page count the tasks that exist: moto's own counters (which take a
/// service's desired count as pending and never follow a rollout) are not what Berth shows.
#[tokio::test]
async fn cluster_figures_count_the_tasks_running_on_its_instances() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let mut page = Value::Null;
    for _ in 0..100 {
        page = json_with_status(app.get("/api/envs/local/clusters/itflex-nginx").await, 200).await;
        // The demo's two services: the lab's (4 wanted, 2 placed: each needs a whole t2.micro's CPU
        // and its ports 80 and 443) and the blue/green one (2, no CPU reserved, dynamic ports).
        let services = page["services"].as_array().unwrap();
        let running: i64 = services.iter().map(|s| s["runningCount"].as_i64().unwrap()).sum();
        let pending: i64 = services.iter().map(|s| s["pendingCount"].as_i64().unwrap()).sum();
        if running == 4 && pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let lab = page["services"].as_array().unwrap().iter().find(|s| s["serviceName"] == "nginx-web-access").unwrap();
    assert_eq!((&lab["runningCount"], &lab["desiredCount"]), (&json!(2), &json!(4)), "{page}");
    let service =
        json_with_status(app.get("/api/envs/local/clusters/itflex-nginx/services/nginx-web-access").await, 200).await;
    let events = service["events"].to_string();
    assert!(
        events.contains("was unable to place a task because no container instance met all of its requirements"),
        "{events}"
    );
    let list = json_with_status(app.get("/api/envs/local/clusters").await, 200).await;
    let row = list.as_array().unwrap().iter().find(|c| c["clusterName"] == "itflex-nginx").unwrap();
    assert_eq!(
        (&row["runningTasks"], &row["pendingTasks"], &row["activeServices"], &row["registeredContainerInstances"]),
        (&json!(4), &json!(0), &json!(2), &json!(2)),
        "{row}"
    );
    // 2 + 2 tasks over the two t2.micro (1024 CPU units, 982 MiB each): one lab task on each (all
    // its 1024 units) and 256 MiB per task: memory left 982 - n x 256.
    let mut placed = 0;
    for instance in page["containerInstances"].as_array().unwrap() {
        let n = instance["runningTasks"].as_i64().unwrap();
        placed += n;
        assert_eq!((&instance["registeredCpu"], &instance["registeredMemory"]), (&json!(1024), &json!(982)));
        assert_eq!(
            (&instance["remainingCpu"], &instance["remainingMemory"]),
            (&json!(0), &json!(982 - n * 256)),
            "{instance}"
        );
        // The lab's task holds its host ports (the blue/green one's are dynamic: none).
        let ports = instance["portsInUse"].to_string();
        assert!(
            ports.contains("\"80/tcp\"") && ports.contains("\"443/tcp\"") && ports.contains("\"22/tcp\""),
            "{instance}"
        );
    }
    assert_eq!(placed, 4, "{page}");

    // Deleted, the services' tasks stop: the figures go back to an empty cluster.
    for service in ["nginx-web-access", "nginx-web-bluegreen"] {
        let path = format!("/api/envs/local/clusters/itflex-nginx/services/{service}?force=true");
        assert!(app.delete(&path).await.status().is_success());
    }
    let list = json_with_status(app.get("/api/envs/local/clusters").await, 200).await;
    let row = list.as_array().unwrap().iter().find(|c| c["clusterName"] == "itflex-nginx").unwrap();
    assert_eq!((&row["runningTasks"], &row["pendingTasks"], &row["activeServices"]), (&json!(0), &json!(0), &json!(0)));
    let page = json_with_status(app.get("/api/envs/local/clusters/itflex-nginx").await, 200).await;
    for instance in page["containerInstances"].as_array().unwrap() {
        assert_eq!((&instance["runningTasks"], &instance["remainingCpu"]), (&json!(0), &json!(1024)), "{instance}");
    }
}

/// The lab's SSH step: a key pair made in the wizard's environment, its private key answered once
/// (not cached, not in the audit log), a name in use refused at the field.
#[tokio::test]
async fn a_key_pair_is_created_once_with_its_private_key_answered_and_kept_nowhere() {
    let app = TestApp::spawn().await;
    let answer = app.post_json("/api/envs/local/network/key-pairs", &json!({"keyName": "lab-key"})).await;
    assert_eq!(answer.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let created = json_with_status(answer, 201).await;
    let private_key = created["privateKey"].as_str().unwrap().to_string();
    assert!(private_key.starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{created}");
    assert_eq!(created["keyName"], "lab-key");
    assert!(!created["keyFingerprint"].as_str().unwrap().is_empty());
    let listed = json_with_status(app.get("/api/envs/local/network/key-pairs").await, 200).await;
    assert!(listed.as_array().unwrap().iter().any(|k| k["id"] == "lab-key"), "{listed}");

    let again =
        json_with_status(app.post_json("/api/envs/local/network/key-pairs", &json!({"keyName": "lab-key"})).await, 409)
            .await;
    assert_eq!(again["fields"][0]["path"], "keyName", "{again}");
    let bad =
        json_with_status(app.post_json("/api/envs/local/network/key-pairs", &json!({"keyName": " "})).await, 422).await;
    assert_eq!(bad["fields"][0]["path"], "keyName", "{bad}");

    let audit = json_with_status(app.get("/api/audit").await, 200).await.to_string();
    assert!(audit.contains("keypair.create") && audit.contains("key pair lab-key"), "{audit}");
    let body = private_key.lines().nth(1).unwrap();
    assert!(!audit.contains(body), "the private key is not in the audit log");
}

/// The instance type comes from the types EC2 offers in the region; one it doesn't offer, or one
/// the x86_64 ECS-optimized AMI can't run, is refused at the field before anything is created.
#[tokio::test]
async fn instance_types_are_offered_from_ec2_and_one_that_does_not_exist_is_refused_at_the_field() {
    let app = TestApp::spawn().await;
    let types = json_with_status(app.get("/api/envs/local/network/instance-types").await, 200).await;
    let find = |name: &str| types.as_array().unwrap().iter().find(|t| t["name"] == name).cloned();
    let micro = find("t2.micro").expect("t2.micro is offered");
    assert_eq!((micro["vcpus"].as_i64(), micro["memoryMib"].as_i64()), (Some(1), Some(1024)), "{micro}");
    assert!(micro["architectures"].as_array().unwrap().contains(&json!("x86_64")));
    assert!(types.as_array().unwrap().len() > 100, "the region's list, not a handful");

    let (vpc, subnets) = default_network(&app).await;
    for (instance_type, said) in
        [("t9.huge", "EC2 offers no instance type t9.huge"), ("t4g.micro", "t4g.micro runs arm64 only")]
    {
        let spec = json!({"clusterName": "typed", "ec2": {"instanceType": instance_type, "desiredCapacity": 1, "minSize": 1,
            "maxSize": 1, "vpcId": vpc, "subnetIds": subnets, "openPorts": [80], "createInstanceRole": true}});
        let refused = json_with_status(app.post_json("/api/envs/local/clusters", &spec).await, 422).await;
        assert_eq!(refused["fields"][0]["path"], "ec2.instanceType", "{refused}");
        assert!(refused["fields"][0]["message"].as_str().unwrap().starts_with(said), "{refused}");
    }
    let clusters = json_with_status(app.get("/api/envs/local/clusters").await, 200).await;
    assert!(!clusters.to_string().contains("\"typed\""), "nothing was created: {clusters}");
}
