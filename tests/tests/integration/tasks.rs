//! A page per task and where a service answers ("Open"), against the local AWS: the lab's service
//! on its two instances' public IPs (the lab's final test), a running task's host, containers and
//! port bindings, a failed deployment's stopped task, and an unknown task.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with_status};

const SERVICE: &str = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";

async fn running_task(app: &TestApp) -> Value {
    let page = json_with_status(app.get(SERVICE).await, 200).await;
    let id = page["tasks"].as_array().unwrap().iter().find(|t| t["lastStatus"] == "RUNNING").unwrap()["taskId"].clone();
    json_with_status(
        app.get(&format!("/api/envs/local/clusters/itflex-nginx/tasks/{}", id.as_str().unwrap())).await,
        200,
    )
    .await
}

/// On AWS the lab's service answers on its instances' public IPs (`onAws`); in local mode each of
/// those is stood in for by the local AWS on this machine (`url`), said in a note.
#[tokio::test]
async fn the_lab_s_service_answers_on_its_instances_public_ips_over_http_and_https() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let open = json_with_status(app.get(&format!("{SERVICE}/addresses")).await, 200).await;
    let addresses = open["addresses"].as_array().unwrap();
    let notes = open["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{open}");
    assert!(notes[0].as_str().unwrap().starts_with("Local mode: each address is the local AWS's stand-in"), "{open}");
    let task = running_task(&app).await;
    let ip = task["host"]["publicIp"].as_str().unwrap();
    let on_aws: Vec<&str> = addresses.iter().map(|a| a["onAws"].as_str().unwrap()).collect();
    assert!(on_aws.contains(&format!("http://{ip}").as_str()), "{on_aws:?}");
    assert!(on_aws.contains(&format!("https://{ip}").as_str()), "{on_aws:?}");
    assert!(addresses.iter().all(|a| a["url"].as_str().unwrap().starts_with("http://127.0.0.1:")), "{open}");
    // The lab's two instances, each with its own public IP.
    let instances: std::collections::BTreeSet<&str> =
        addresses.iter().map(|a| a["ec2InstanceId"].as_str().unwrap()).collect();
    assert_eq!(instances.len(), 2, "{open}");
    assert!(addresses.iter().all(|a| a["public"] == true && a["container"] == "nginx-web"), "{open}");
}

#[tokio::test]
async fn a_running_task_s_page_shows_its_instance_zone_containers_and_port_bindings() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let task = running_task(&app).await;
    assert_eq!(task["lastStatus"], "RUNNING");
    assert_eq!(task["kept"], false);
    assert!(task["taskDefinition"].as_str().unwrap().starts_with("nginx-web:"), "{task}");
    assert_eq!(task["group"], "service:nginx-web-access");
    assert!(task["startedBy"].as_str().unwrap().starts_with("ecs-svc/"), "{task}");
    let host = &task["host"];
    assert!(host["ec2InstanceId"].as_str().unwrap().starts_with("i-"), "{task}");
    assert_eq!(host["instanceType"], "t2.micro");
    assert_eq!(task["availabilityZone"], host["availabilityZone"], "{task}");
    assert!(host["privateIp"].as_str().is_some() && host["publicIp"].as_str().is_some(), "{task}");
    let container = &task["containers"][0];
    assert_eq!(container["name"], "nginx-web");
    assert!(container["image"].as_str().unwrap().contains("nginxweb"), "{task}");
    assert_eq!(
        container["networkBindings"],
        json!([{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}, {"containerPort": 443, "hostPort": 443, "protocol": "tcp"}])
    );
}

#[tokio::test]
async fn a_failed_deployment_s_stopped_task_has_a_page_with_its_cause_and_an_unknown_task_is_a_404() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    let request = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:v3-cannot-start")}]});
    let failed = json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request).await, 424).await;
    let id = failed["verdict"]["stoppedTasks"][0]["taskId"].as_str().unwrap().to_string();
    let task = json_with_status(app.get(&format!("/api/envs/local/clusters/itflex-nginx/tasks/{id}")).await, 200).await;
    assert_eq!(
        (task["lastStatus"].as_str(), task["stopCode"].as_str()),
        (Some("STOPPED"), Some("EssentialContainerExited"))
    );
    assert_eq!(task["taskDefinition"], failed["toTaskDefinition"]);
    assert_eq!(
        (&task["containers"][0]["exitCode"], task["stoppedReason"].as_str()),
        (&json!(1), Some("Essential container in task exited")),
        "{task}"
    );
    assert_eq!(task["containers"][0]["networkBindings"], json!([]), "a stopped task binds no port");

    let missing =
        json_with_status(app.get("/api/envs/local/clusters/itflex-nginx/tasks/0123456789abcdef").await, 404).await;
    assert!(missing["message"].as_str().unwrap().contains("ECS forgets stopped tasks"), "{missing}");
}

#[tokio::test]
async fn a_failed_task_ecs_has_forgotten_still_has_its_page_cause_and_lines() {
    // This local AWS forgets stopped tasks after 3 s (ECS: about an hour).
    let forgetful = crate::helpers::forgetful_local_aws_url();
    let app = TestApp::spawn_demo_with(|s| s.environments[0].endpoint_url = Some(forgetful.to_string())).await;
    let uri = app.repository_uri("nginxweb").await;
    let request = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:v3-cannot-start")}]});
    let failed = json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request).await, 424).await;
    let id = failed["verdict"]["stoppedTasks"][0]["taskId"].as_str().unwrap().to_string();
    let path = format!("/api/envs/local/clusters/itflex-nginx/tasks/{id}");
    let mut task = Value::Null;
    for _ in 0..60 {
        task = json_with_status(app.get(&path).await, 200).await;
        if task["kept"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(task["kept"], true, "ECS forgot the task; Berth answers what it kept: {task}");
    assert_eq!(
        (task["stopCode"].as_str(), task["stoppedReason"].as_str(), &task["containers"][0]["exitCode"]),
        (Some("EssentialContainerExited"), Some("Essential container in task exited"), &json!(1)),
        "{task}"
    );
    assert_eq!(task["taskDefinition"], failed["toTaskDefinition"]);
    // Its lines are still in CloudWatch Logs (retention outlives ECS's memory): the crash's own words.
    let logs = json_with_status(app.get(&format!("{path}/logs")).await, 200).await;
    let last = logs["lines"].as_array().unwrap().last().unwrap()["message"].as_str().unwrap();
    assert!(last.starts_with("nginx: [emerg]"), "{logs}");
}

/// The text of the first `<tag>…</tag>` in `xml`.
fn xml_value<'a>(xml: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xml.find(&open).unwrap_or_else(|| panic!("no <{tag}> in {xml}")) + open.len();
    let end = xml[start..].find(&format!("</{tag}>")).unwrap() + start;
    &xml[start..end]
}

#[tokio::test]
async fn a_service_behind_a_load_balancer_opens_on_its_dns_name_and_listener_port() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    // An Application Load Balancer, a target group and a listener forwarding to it, as the EC2
    // console's wizard makes them.
    let subnets = app.aws_query("ec2", &[("Action", "DescribeSubnets"), ("Version", "2016-11-15")]).await;
    let ids: Vec<&str> = subnets.split("<subnetId>").skip(1).map(|s| &s[..s.find('<').unwrap()]).take(2).collect();
    let elb = |params: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let mut all: Vec<(&str, &str)> = vec![("Version", "2015-12-01")];
            all.extend(params.iter().map(|(k, v)| (*k, v.as_str())));
            app.aws_query("elasticloadbalancing", &all).await
        }
    };
    let lb = elb(vec![
        ("Action", "CreateLoadBalancer".into()),
        ("Name", "web".into()),
        ("Subnets.member.1", ids[0].into()),
        ("Subnets.member.2", ids[1].into()),
    ])
    .await;
    let (dns, lb_arn) = (xml_value(&lb, "DNSName").to_string(), xml_value(&lb, "LoadBalancerArn").to_string());
    let tg = elb(vec![
        ("Action", "CreateTargetGroup".into()),
        ("Name", "web".into()),
        ("Protocol", "HTTP".into()),
        ("Port", "80".into()),
        ("VpcId", xml_value(&subnets, "vpcId").into()),
    ])
    .await;
    let tg_arn = xml_value(&tg, "TargetGroupArn").to_string();
    elb(vec![
        ("Action", "CreateListener".into()),
        ("LoadBalancerArn", lb_arn),
        ("Protocol", "HTTP".into()),
        ("Port", "8080".into()),
        ("DefaultActions.member.1.Type", "forward".into()),
        ("DefaultActions.member.1.TargetGroupArn", tg_arn.clone()),
    ])
    .await;
    app.ecs(
        "CreateService",
        json!({"cluster": "itflex-nginx", "serviceName": "web-behind-lb", "taskDefinition": "nginx-web", "desiredCount": 1,
            "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "nginx-web", "containerPort": 80}]}),
    )
    .await;
    let open =
        json_with_status(app.get("/api/envs/local/clusters/itflex-nginx/services/web-behind-lb/addresses").await, 200)
            .await;
    let lb = &open["loadBalancers"][0];
    assert_eq!(lb["url"], format!("http://{dns}:8080"), "{open}");
    assert_eq!(
        (&lb["scheme"], &lb["port"], &lb["protocol"]),
        (&json!("internet-facing"), &json!(8080), &json!("HTTP"))
    );
    assert_eq!(lb["targetGroupArn"], tg_arn.as_str());
    let notes = open["notes"].as_array().unwrap();
    assert!(!notes.iter().any(|n| n.as_str().unwrap().contains("load balancer")), "read, not a note: {open}");
}
