//! What CreateService receives on the wire for a create-service document with the members Berth
//! keeps as written: a one-shot HTTP server stands in for ECS and records the request body.

use aws_sdk_ecs::config::{BehaviorVersion, Credentials, Region};
use serde_json::{Value, json};
use std::io::{Read, Write};

use crate::aws::AwsEnv;

/// Answers one request with a minimal CreateService output and hands back the request's body.
fn one_request_server() -> (String, std::thread::JoinHandle<Value>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let mut received = Vec::new();
        let mut buffer = [0u8; 8192];
        let body = loop {
            let n = socket.read(&mut buffer).unwrap();
            assert!(n > 0, "the client closed before its body was read");
            received.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&received).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if received.len() >= end + 4 + length {
                    break received[end + 4..end + 4 + length].to_vec();
                }
            }
        };
        let answer = r#"{"service":{"serviceName":"web","clusterArn":"arn:aws:ecs:eu-west-1:111122223333:cluster/prod","status":"ACTIVE"}}"#;
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        );
        socket.write_all(response.as_bytes()).unwrap();
        serde_json::from_slice(&body).unwrap()
    });
    (url, handle)
}

#[tokio::test]
async fn every_create_service_member_reaches_ecs() {
    let document = json!({
        "cluster": "prod",
        "serviceName": "web",
        "taskDefinition": "web:3",
        "desiredCount": 2,
        "availabilityZoneRebalancing": "ENABLED",
        "loadBalancers": [{
            "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/blue/1",
            "containerName": "web",
            "containerPort": 80,
            "advancedConfiguration": {
                "alternateTargetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/green/2",
                "productionListenerRule": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/a/1/2/3",
                "roleArn": "arn:aws:iam::111122223333:role/elb"
            }
        }],
        "serviceRegistries": [{"registryArn": "arn:aws:servicediscovery:eu-west-1:111122223333:service/srv-1", "containerName": "web", "containerPort": 80}],
        "deploymentConfiguration": {
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "strategy": "BLUE_GREEN",
            "bakeTimeInMinutes": 5,
            "lifecycleHooks": [{"hookTargetArn": "arn:aws:lambda:eu-west-1:111122223333:function:check", "roleArn": "arn:aws:iam::111122223333:role/hook", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}]
        },
        "serviceConnectConfiguration": {"enabled": true, "namespace": "prod", "services": [{"portName": "web", "clientAliases": [{"port": 80}]}]},
        "volumeConfigurations": [{"name": "data", "managedEBSVolume": {"roleArn": "arn:aws:iam::111122223333:role/ebs", "sizeInGiB": 20}}],
        "vpcLatticeConfigurations": [{"roleArn": "arn:aws:iam::111122223333:role/lattice", "targetGroupArn": "arn:aws:vpc-lattice:eu-west-1:111122223333:targetgroup/tg-1", "portName": "web"}],
        "deploymentController": {"type": "ECS"},
        "propagateTags": "SERVICE",
        "enableECSManagedTags": true,
        "tags": [{"key": "team", "value": "web"}]
    });
    let spec = shared::ecs::service::import(&document.to_string()).unwrap().spec;
    let (url, server) = one_request_server();
    let config = aws_sdk_ecs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"))
        .build();
    let env = AwsEnv::scripted("prod", None, Some(aws_sdk_ecs::Client::from_conf(config)));
    env.create_service(&spec).await.unwrap();
    let sent = server.join().unwrap();
    for (key, value) in document.as_object().unwrap() {
        assert_eq!(&sent[key], value, "{key} as sent to CreateService");
    }
}
