//! What the benchmarks share: an environment whose ECS answers instantly from scripted responses
//! (`aws-smithy-mocks`), so the figures are Berth's own time, and a store in a temp directory.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ecs::Client;
use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::operation::register_task_definition::RegisterTaskDefinitionOutput;
use aws_sdk_ecs::operation::update_service::UpdateServiceOutput;
use aws_sdk_ecs::types::{ContainerDefinition, Deployment, DeploymentRolloutState, Service, TaskDefinition, TaskDefinitionStatus};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use berth::aws::{AwsEnv, Environments};
use berth::config::DeploySettings;
use berth::store::Store;

const TD: &str = "arn:aws:ecs:eu-west-1:111122223333:task-definition/web";

pub fn service(id: &str, revision: i32) -> Service {
    Service::builder()
        .service_name("web")
        .service_arn("arn:aws:ecs:eu-west-1:111122223333:service/prod/web")
        .cluster_arn("arn:aws:ecs:eu-west-1:111122223333:cluster/prod")
        .status("ACTIVE")
        .desired_count(2)
        .running_count(2)
        .task_definition(format!("{TD}:{revision}"))
        .deployments(
            Deployment::builder()
                .id(id)
                .status("PRIMARY")
                .task_definition(format!("{TD}:{revision}"))
                .desired_count(2)
                .running_count(2)
                .rollout_state(DeploymentRolloutState::Completed)
                .build(),
        )
        .build()
}

fn task_definition(revision: i32) -> TaskDefinition {
    TaskDefinition::builder()
        .task_definition_arn(format!("{TD}:{revision}"))
        .family("web")
        .revision(revision)
        .status(TaskDefinitionStatus::Active)
        .container_definitions(ContainerDefinition::builder().name("web").image("nginx:1.27").memory(128).essential(true).build())
        .build()
}

/// The rules: every service is steady on ECS deployment `ecs-svc/new` (so a deploy ends at its
/// first poll); describe, register and update answer at once.
pub fn rules() -> Vec<Rule> {
    vec![
        mock!(Client::describe_services)
            .then_output(|| DescribeServicesOutput::builder().services(service("ecs-svc/new", 2)).build()),
        mock!(Client::describe_task_definition)
            .then_output(|| DescribeTaskDefinitionOutput::builder().task_definition(task_definition(1)).build()),
        mock!(Client::register_task_definition)
            .then_output(|| RegisterTaskDefinitionOutput::builder().task_definition(task_definition(2)).build()),
        mock!(Client::update_service)
            .then_output(|| UpdateServiceOutput::builder().service(service("ecs-svc/new", 2)).build()),
        mock!(Client::list_tasks).then_output(|| ListTasksOutput::builder().build()),
    ]
}

pub fn environments(rules: &[Rule]) -> Arc<Environments> {
    let refs: Vec<&Rule> = rules.iter().collect();
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, &refs);
    Arc::new(Environments::from_envs(vec![AwsEnv::scripted("prod", None, Some(client))]))
}

pub fn settings(poll_interval: Duration) -> DeploySettings {
    DeploySettings { poll_interval, max_backoff: Duration::from_secs(30), timeout: Duration::from_secs(600), external_sweep: None, pause_after_step: None }
}

pub async fn store(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("berth.db")).await.expect("the store opens")
}

/// p50 / p99 / max of durations in milliseconds.
pub fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).saturating_sub(1).min(ms.len() - 1)];
    (at(0.50), at(0.99), ms[ms.len() - 1])
}
