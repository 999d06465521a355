//! An ECS that answers at once from scripted responses (`aws-smithy-mocks`), for the benchmarks
//! (`backend/examples/`): their figures are then Berth's own time. Built only with the `bench`
//! feature; the SDK stays in this module as everywhere else.

use std::sync::Arc;

use aws_sdk_ecs::Client;
use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::operation::register_task_definition::RegisterTaskDefinitionOutput;
use aws_sdk_ecs::operation::update_service::UpdateServiceOutput;
use aws_sdk_ecs::types::{
    ContainerDefinition, Deployment, DeploymentRolloutState, Service, TaskDefinition, TaskDefinitionStatus,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

use super::{AwsEnv, Environments};

/// The environment `prod`, whose ECS answers every call at once, and a count of its calls.
pub struct InstantEcs {
    pub environments: Arc<Environments>,
    rules: Vec<Rule>,
}

const TD: &str = "arn:aws:ecs:eu-west-1:111122223333:task-definition/web";

fn service(id: &str, revision: i32) -> Service {
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
        .container_definitions(
            ContainerDefinition::builder().name("web").image("nginx:1.27").memory(128).essential(true).build(),
        )
        .build()
}

/// The rules: every service is steady on ECS deployment `ecs-svc/new` (so a deploy ends at its
/// first poll); describe, register and update answer at once.
fn rules() -> Vec<Rule> {
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

impl InstantEcs {
    /// The environment `prod` over this ECS.
    pub fn new() -> Self {
        let rules = rules();
        let refs: Vec<&Rule> = rules.iter().collect();
        let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, &refs);
        let environments = Arc::new(Environments::from_envs(vec![AwsEnv::scripted("prod", None, Some(client))]));
        InstantEcs { environments, rules }
    }

    /// How many DescribeServices calls ECS has answered so far.
    pub fn describe_services_calls(&self) -> usize {
        self.rules[0].num_calls()
    }
}

impl Default for InstantEcs {
    fn default() -> Self {
        Self::new()
    }
}
