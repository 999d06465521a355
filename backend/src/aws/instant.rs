//! An ECS that answers at once from scripted responses (`aws-smithy-mocks`), for the benchmarks
//! (`backend/examples/`): their figures are then Berth's own time. Built with the `bench` feature
//! (and for the unit tests); the SDK stays in this module as everywhere else.

use std::sync::Arc;

use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;
use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;
use aws_sdk_ecs::Client;
use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput;
use aws_sdk_ecs::operation::describe_tasks::DescribeTasksOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::operation::register_task_definition::RegisterTaskDefinitionOutput;
use aws_sdk_ecs::operation::update_service::UpdateServiceOutput;
use aws_sdk_ecs::types::{
    ContainerDefinition, Deployment, DeploymentRolloutState, LogConfiguration, LogDriver, Service, Task,
    TaskDefinition, TaskDefinitionStatus,
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
            ContainerDefinition::builder()
                .name("web")
                .image("nginx:1.27")
                .memory(128)
                .essential(true)
                .log_configuration(
                    LogConfiguration::builder()
                        .log_driver(LogDriver::Awslogs)
                        .options("awslogs-group", "/ecs/web")
                        .options("awslogs-stream-prefix", "ecs")
                        .build()
                        .expect("a log driver is set"),
                )
                .build(),
        )
        .build()
}

/// The rules: every service is steady on ECS deployment `ecs-svc/new` (so a deploy ends at its
/// first poll); describe, register and update answer at once; with `task`, the service has one
/// RUNNING task, `0123abcd` (else none).
fn rules(task: bool) -> Vec<Rule> {
    let tasks = move || {
        let arn = "arn:aws:ecs:eu-west-1:111122223333:task/prod/0123abcd";
        if task { ListTasksOutput::builder().task_arns(arn).build() } else { ListTasksOutput::builder().build() }
    };
    vec![
        mock!(Client::describe_services)
            .then_output(|| DescribeServicesOutput::builder().services(service("ecs-svc/new", 2)).build()),
        mock!(Client::describe_task_definition)
            .then_output(|| DescribeTaskDefinitionOutput::builder().task_definition(task_definition(1)).build()),
        mock!(Client::register_task_definition)
            .then_output(|| RegisterTaskDefinitionOutput::builder().task_definition(task_definition(2)).build()),
        mock!(Client::update_service)
            .then_output(|| UpdateServiceOutput::builder().service(service("ecs-svc/new", 2)).build()),
        mock!(Client::list_tasks)
            .match_requests(|r| r.desired_status() != Some(&aws_sdk_ecs::types::DesiredStatus::Stopped))
            .then_output(tasks),
        mock!(Client::list_tasks).then_output(|| ListTasksOutput::builder().build()),
        mock!(Client::describe_tasks).then_output(|| {
            let task = Task::builder()
                .task_arn("arn:aws:ecs:eu-west-1:111122223333:task/prod/0123abcd")
                .task_definition_arn(format!("{TD}:1"))
                .last_status("RUNNING")
                .desired_status("RUNNING")
                .build();
            DescribeTasksOutput::builder().tasks(task).build()
        }),
        // No ECS deployment history beyond the service's own deployments (the poller asks each round).
        mock!(Client::list_service_deployments).then_output(|| {
            aws_sdk_ecs::operation::list_service_deployments::ListServiceDeploymentsOutput::builder().build()
        }),
        mock!(Client::list_services).then_output(|| {
            aws_sdk_ecs::operation::list_services::ListServicesOutput::builder()
                .service_arns("arn:aws:ecs:eu-west-1:111122223333:service/prod/web")
                .build()
        }),
    ]
}

impl InstantEcs {
    /// The environment `prod` over this ECS.
    pub fn new() -> Self {
        Self::build(false, None)
    }

    /// The environment `prod` whose service `web` has a running task logging to CloudWatch Logs
    /// (`/ecs/web`), and a CloudWatch Logs that answers each FilterLogEvents at once with one new
    /// line stamped with the moment it answered.
    pub fn with_logs() -> Self {
        let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let log_rules = vec![mock!(aws_sdk_cloudwatchlogs::Client::filter_log_events).then_output(move || {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            let event = FilteredLogEvent::builder()
                .log_stream_name("ecs/web/0123abcd")
                .timestamp(now.as_millis() as i64)
                .event_id(format!("{n:020}"))
                .message(format!("10.0.0.12 - - \"GET / HTTP/1.1\" 200 615 line {n}"))
                .build();
            FilterLogEventsOutput::builder().events(event).build()
        })];
        Self::build(true, Some(log_rules))
    }

    /// The environment of [`Self::with_logs`] over the given CloudWatch Logs rules (the last one
    /// counts as FilterLogEvents).
    #[cfg(test)]
    pub(crate) fn with_log_rules(rules: Vec<Rule>) -> Self {
        Self::build(true, Some(rules))
    }

    /// The environment `prod` over an ECS that takes `latency` to answer each call (as AWS does:
    /// tens of milliseconds), without holding a thread meanwhile.
    pub fn with_latency(latency: std::time::Duration) -> Self {
        Self::build_with(false, None, latency)
    }

    fn build(task: bool, log_rules: Option<Vec<Rule>>) -> Self {
        Self::build_with(task, log_rules, std::time::Duration::ZERO)
    }

    fn build_with(task: bool, log_rules: Option<Vec<Rule>>, latency: std::time::Duration) -> Self {
        let mut rules = rules(task);
        let refs: Vec<&Rule> = rules.iter().collect();
        let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, &refs, |c| {
            if latency.is_zero() {
                c
            } else {
                c.http_client(slow::Slow::new(aws_smithy_mocks::create_mock_http_client(), latency))
            }
        });
        let mut env = AwsEnv::scripted("prod", None, Some(client));
        if let Some(log_rules) = log_rules {
            let refs: Vec<&Rule> = log_rules.iter().collect();
            // Without the SDK's own retries (a random backoff of up to seconds): Berth's backoff
            // is what the tests measure.
            let client = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &refs, |c| {
                c.retry_config(aws_smithy_types::retry::RetryConfig::disabled())
            });
            env = env.with_logs_client(client);
            rules.extend(log_rules);
        }
        let environments = Arc::new(Environments::from_envs(vec![env]));
        InstantEcs { environments, rules }
    }

    /// How many DescribeServices calls ECS has answered so far.
    pub fn describe_services_calls(&self) -> usize {
        self.rules[0].num_calls()
    }

    /// How many ListServices calls ECS has answered so far.
    pub fn list_services_calls(&self) -> usize {
        self.rules[7].num_calls()
    }

    /// How many FilterLogEvents calls CloudWatch Logs has answered so far (with [`Self::with_logs`]).
    pub fn filter_log_events_calls(&self) -> usize {
        self.rules.last().map_or(0, Rule::num_calls)
    }
}

impl Default for InstantEcs {
    fn default() -> Self {
        Self::new()
    }
}

/// An HTTP client that answers after a delay (an async sleep, as a network wait is).
mod slow {
    use std::time::Duration;

    use aws_smithy_runtime_api::client::http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
    };
    use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

    #[derive(Debug, Clone)]
    pub(super) struct Slow {
        inner: SharedHttpClient,
        delay: Duration,
    }

    impl Slow {
        pub(super) fn new(inner: SharedHttpClient, delay: Duration) -> SharedHttpClient {
            SharedHttpClient::new(Self { inner, delay })
        }
    }

    impl HttpClient for Slow {
        fn http_connector(
            &self,
            settings: &HttpConnectorSettings,
            components: &RuntimeComponents,
        ) -> SharedHttpConnector {
            let inner = self.inner.http_connector(settings, components);
            SharedHttpConnector::new(SlowConnector { inner, delay: self.delay })
        }
    }

    #[derive(Debug)]
    struct SlowConnector {
        inner: SharedHttpConnector,
        delay: Duration,
    }

    impl HttpConnector for SlowConnector {
        fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
            let (inner, delay) = (self.inner.clone(), self.delay);
            HttpConnectorFuture::new(async move {
                tokio::time::sleep(delay).await;
                inner.call(request).await
            })
        }
    }
}
