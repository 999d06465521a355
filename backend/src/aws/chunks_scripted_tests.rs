//! The adapters' "list, then describe" against scripted ECS: every listed id is described, in
//! the listed order, never more per call than the Describe call takes.

use std::sync::{Arc, Mutex};

use aws_sdk_ecs::Client;
use aws_sdk_ecs::operation::describe_container_instances::DescribeContainerInstancesOutput;
use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
use aws_sdk_ecs::operation::list_container_instances::ListContainerInstancesOutput;
use aws_sdk_ecs::operation::list_services::ListServicesOutput;
use aws_sdk_ecs::types::{ContainerInstance, Service};
use aws_smithy_mocks::{RuleMode, mock, mock_client};

use crate::aws::AwsEnv;

const CLUSTER: &str = "arn:aws:ecs:eu-west-1:111122223333:cluster/prod";

fn arns(kind: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("arn:aws:ecs:eu-west-1:111122223333:{kind}/prod/{kind}{i:03}")).collect()
}

#[tokio::test]
async fn services_are_described_ten_at_a_time_in_listed_order() {
    // Listed in two pages, and not in name order: the order kept must be ECS's.
    let mut listed = arns("service", 23);
    listed.reverse();
    let (first, second) = (listed[..15].to_vec(), listed[15..].to_vec());
    let list = mock!(Client::list_services).then_compute_output(move |r| match r.next_token() {
        None => ListServicesOutput::builder().set_service_arns(Some(first.clone())).next_token("p2").build(),
        Some(_) => ListServicesOutput::builder().set_service_arns(Some(second.clone())).build(),
    });
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let describe = mock!(Client::describe_services).then_compute_output(move |r| {
        seen.lock().unwrap().push(r.services().len());
        let services = r.services().iter().map(|arn| {
            Service::builder()
                .service_name(arn.rsplit('/').next().unwrap())
                .service_arn(arn)
                .status("ACTIVE")
                .task_definition("arn:aws:ecs:eu-west-1:111122223333:task-definition/web:3")
                .build()
        });
        DescribeServicesOutput::builder().set_services(Some(services.collect())).build()
    });
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&list, &describe]);
    let env = AwsEnv::scripted("prod", None, Some(client));

    let services = env.services_of(CLUSTER).await.unwrap();
    assert_eq!(*calls.lock().unwrap(), [10, 10, 3]);
    let names: Vec<&str> = services.iter().map(|s| s.service_name.as_str()).collect();
    let expected: Vec<&str> = listed.iter().map(|a| a.rsplit('/').next().unwrap()).collect();
    assert_eq!(names, expected);
    assert!(services.iter().all(|s| s.task_definition == "web:3"));
}

#[tokio::test]
async fn container_instances_are_described_a_hundred_at_a_time() {
    let listed = arns("container-instance", 150);
    let all = listed.clone();
    let list = mock!(Client::list_container_instances).then_output(move || {
        ListContainerInstancesOutput::builder().set_container_instance_arns(Some(all.clone())).build()
    });
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = calls.clone();
    let describe = mock!(Client::describe_container_instances).then_compute_output(move |r| {
        let ids = r.container_instances();
        seen.lock().unwrap().push(ids.len());
        let instances =
            ids.iter().map(|arn| ContainerInstance::builder().container_instance_arn(arn).status("ACTIVE").build());
        DescribeContainerInstancesOutput::builder().set_container_instances(Some(instances.collect())).build()
    });
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&list, &describe]);
    let env = AwsEnv::scripted("prod", None, Some(client));

    let instances = env.container_instances(CLUSTER).await.unwrap();
    assert_eq!(*calls.lock().unwrap(), [100, 50]);
    let ids: Vec<&str> = instances.iter().map(|i| i.container_instance_id.as_str()).collect();
    let expected: Vec<&str> = listed.iter().map(|a| a.rsplit('/').next().unwrap()).collect();
    assert_eq!(ids, expected);
}
