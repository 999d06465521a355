//! Integers beyond ECS's 32-bit `Integer` are refused at their JSON path by the adapters, before
//! any call: nothing is clamped to a number nobody wrote.

use aws_sdk_ecs::Client;
use aws_sdk_ecs::operation::create_service::CreateServiceOutput;
use aws_sdk_ecs::operation::update_service::UpdateServiceOutput;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use serde_json::json;
use shared::ecs::service::{ServiceSpec, ServiceUpdate};
use shared::ecs::task_definition::TaskDefinitionSpec;

use crate::aws::AwsEnv;
use crate::aws::task_definition_to_sdk::to_sdk;
use crate::error::AppError;

const TOO_BIG: i64 = 1 << 40;

fn refused_at(document: serde_json::Value) -> String {
    let spec: TaskDefinitionSpec = serde_json::from_value(document).unwrap();
    let Err(errors) = to_sdk(&spec) else { panic!("{spec:?} was converted") };
    assert!(errors[0].message.contains(&TOO_BIG.to_string()), "{errors:?}");
    errors[0].path.clone()
}

fn with_container(container: serde_json::Value) -> serde_json::Value {
    let mut c = json!({"name": "web", "image": "nginx:1.27"});
    c.as_object_mut().unwrap().extend(container.as_object().unwrap().clone());
    json!({"family": "web", "containerDefinitions": [{"name": "init", "image": "busybox"}, c]})
}

#[test]
fn task_definition_integers_are_refused_at_their_path() {
    let cases = [
        (json!({"memory": TOO_BIG}), "containerDefinitions[1].memory"),
        (
            json!({"portMappings": [{"containerPort": 80}, {"containerPort": 81, "hostPort": TOO_BIG}]}),
            "containerDefinitions[1].portMappings[1].hostPort",
        ),
        (
            json!({"ulimits": [{"name": "nofile", "softLimit": TOO_BIG, "hardLimit": 1}]}),
            "containerDefinitions[1].ulimits[0].softLimit",
        ),
        (
            json!({"healthCheck": {"command": ["CMD", "true"], "startPeriod": TOO_BIG}}),
            "containerDefinitions[1].healthCheck.startPeriod",
        ),
        (
            json!({"linuxParameters": {"tmpfs": [{"containerPath": "/tmp", "size": TOO_BIG}]}}),
            "containerDefinitions[1].linuxParameters.tmpfs[0].size",
        ),
        (
            json!({"restartPolicy": {"enabled": true, "ignoredExitCodes": [0, TOO_BIG]}}),
            "containerDefinitions[1].restartPolicy.ignoredExitCodes[1]",
        ),
    ];
    for (container, path) in cases {
        assert_eq!(refused_at(with_container(container)), path);
    }
    let storage = json!({"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx"}],
        "ephemeralStorage": {"sizeInGiB": TOO_BIG}});
    assert_eq!(refused_at(storage), "ephemeralStorage.sizeInGiB");
}

#[test]
fn task_definition_integers_that_fit_are_sent_as_written() {
    let spec: TaskDefinitionSpec = serde_json::from_value(with_container(
        json!({"memory": i64::from(i32::MAX), "cpu": 0, "healthCheck": {"command": ["CMD", "true"], "retries": -1}}),
    ))
    .unwrap();
    let parts = to_sdk(&spec).unwrap();
    assert_eq!(parts.containers[1].memory(), Some(i32::MAX));
    assert_eq!(parts.containers[1].cpu(), 0);
    assert_eq!(parts.containers[1].health_check().unwrap().retries(), Some(-1));
}

#[tokio::test]
async fn service_integers_are_refused_before_any_call() {
    let create = mock!(Client::create_service).then_output(|| CreateServiceOutput::builder().build());
    let update = mock!(Client::update_service).then_output(|| UpdateServiceOutput::builder().build());
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&create, &update]);
    let env = AwsEnv::scripted("prod", None, Some(client));

    let spec: ServiceSpec = serde_json::from_value(json!({
        "serviceName": "web", "taskDefinition": "web:3", "desiredCount": 2,
        "loadBalancers": [{"targetGroupArn": "arn:tg", "containerName": "web", "containerPort": TOO_BIG}]
    }))
    .unwrap();
    let err = env.create_service(&spec).await.unwrap_err();
    let AppError::Validation(fields) = &err else { panic!("{err:?}") };
    assert_eq!(fields[0].path, "loadBalancers[0].containerPort");

    let update_doc: ServiceUpdate = serde_json::from_value(json!({
        "service": "web", "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": TOO_BIG}]
    }))
    .unwrap();
    let err = env.update_service(&update_doc).await.unwrap_err();
    let AppError::Validation(fields) = &err else { panic!("{err:?}") };
    assert_eq!(fields[0].path, "capacityProviderStrategy[0].base");

    assert_eq!(create.num_calls() + update.num_calls(), 0, "nothing was sent to ECS");
}
