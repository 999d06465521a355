//! The engine against scripted ECS answers (`aws-smithy-mocks`), for the sequences the local AWS
//! can't produce on demand: success, a circuit-breaker failure with rollback, a deployment
//! superseded by another, throttling in the middle of a rollout, AccessDenied on register.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_ecs::Client;
use aws_sdk_ecs::error::ErrorMetadata;
use aws_sdk_ecs::operation::describe_services::{DescribeServicesError, DescribeServicesOutput};
use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::operation::register_task_definition::{RegisterTaskDefinitionError, RegisterTaskDefinitionOutput};
use aws_sdk_ecs::operation::update_service::UpdateServiceOutput;
use aws_sdk_ecs::types::{
    ContainerDefinition, Deployment, DeploymentRolloutState, Service, ServiceEvent, TaskDefinition,
    TaskDefinitionStatus,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use shared::auth::{Grant, Role};
use shared::deploy::{DeployRequest, ImageChange, Outcome};

use crate::auth::{Principal, Via};
use crate::aws::{AwsEnv, Environments};
use crate::config::DeploySettings;
use crate::deploy::Deployer;
use crate::error::AppError;
use crate::store::Store;

const TD: &str = "arn:aws:ecs:eu-west-1:111122223333:task-definition/web";

fn deployment(id: &str, status: &str, revision: i32, state: DeploymentRolloutState, running: i32) -> Deployment {
    Deployment::builder()
        .id(id)
        .status(status)
        .task_definition(format!("{TD}:{revision}"))
        .desired_count(2)
        .running_count(running)
        .rollout_state(state.clone())
        .rollout_state_reason(match state {
            DeploymentRolloutState::Failed => "ECS deployment circuit breaker: tasks failed to start.",
            DeploymentRolloutState::Completed => "ECS deployment completed.",
            _ => "ECS deployment in progress.",
        })
        .build()
}

fn service(deployments: Vec<Deployment>, events: &[&str]) -> Service {
    let primary = deployments.iter().find(|d| d.status() == Some("PRIMARY")).and_then(|d| d.task_definition());
    Service::builder()
        .service_name("web")
        .service_arn("arn:aws:ecs:eu-west-1:111122223333:service/prod/web")
        .cluster_arn("arn:aws:ecs:eu-west-1:111122223333:cluster/prod")
        .status("ACTIVE")
        .desired_count(2)
        .task_definition(primary.unwrap_or_default())
        .set_deployments(Some(deployments))
        .set_events(Some(
            events
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    ServiceEvent::builder()
                        .id(format!("event {m}"))
                        .message(format!("(service web) {m}"))
                        .created_at(aws_sdk_ecs::primitives::DateTime::from_secs(4_000_000_000 - i as i64))
                        .build()
                })
                .collect(),
        ))
        .build()
}

fn described(s: Service) -> DescribeServicesOutput {
    DescribeServicesOutput::builder().services(s).build()
}

fn before() -> Service {
    service(
        vec![deployment("ecs-svc/old", "PRIMARY", 1, DeploymentRolloutState::Completed, 2)],
        &["has reached a steady state."],
    )
}

fn task_definition(revision: i32, image: &str) -> TaskDefinition {
    TaskDefinition::builder()
        .task_definition_arn(format!("{TD}:{revision}"))
        .family("web")
        .revision(revision)
        .status(TaskDefinitionStatus::Active)
        .container_definitions(
            ContainerDefinition::builder().name("web").image(image).memory(128).essential(true).build(),
        )
        .build()
}

/// The rules every scenario shares: the current revision, its registration, the update, no tasks.
fn common() -> (Rule, Rule, Rule, Rule) {
    let current = mock!(Client::describe_task_definition).then_output(|| {
        DescribeTaskDefinitionOutput::builder().task_definition(task_definition(1, "nginx:1.26")).build()
    });
    let register = mock!(Client::register_task_definition)
        .match_requests(|r| {
            let tagged = r.tags().iter().any(|t| t.key() == Some("berth:deployment"));
            tagged && r.container_definitions()[0].image() == Some("nginx:1.27")
        })
        .then_output(|| {
            RegisterTaskDefinitionOutput::builder().task_definition(task_definition(2, "nginx:1.27")).build()
        });
    let update = mock!(Client::update_service).then_output(|| {
        UpdateServiceOutput::builder()
            .service(service(
                vec![
                    deployment("ecs-svc/new", "PRIMARY", 2, DeploymentRolloutState::InProgress, 0),
                    deployment("ecs-svc/old", "ACTIVE", 1, DeploymentRolloutState::Completed, 2),
                ],
                &[],
            ))
            .build()
    });
    let tasks = mock!(Client::list_tasks).then_output(|| ListTasksOutput::builder().build());
    (current, register, update, tasks)
}

async fn deployer(client: Client) -> (Deployer, tempfile::TempDir) {
    let envs = Arc::new(Environments::from_envs(vec![AwsEnv::scripted("prod", None, Some(client))]));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("berth.db")).await.unwrap();
    let settings = DeploySettings {
        poll_interval: Duration::from_millis(10),
        max_backoff: Duration::from_millis(80),
        timeout: Duration::from_secs(10),
        external_sweep: None,
        ..DeploySettings::default()
    };
    (Deployer::new(envs, store, settings, crate::replicas::Replicas::single()), dir)
}

fn ci() -> Principal {
    Principal {
        name: "ci".into(),
        grants: vec![Grant { environment: "*".into(), role: Role::Deployer }],
        via: Via::Cli,
        services: None,
    }
}

fn request() -> DeployRequest {
    DeployRequest {
        cluster: "prod".into(),
        service: "web".into(),
        images: vec![ImageChange { container: "web".into(), image: "nginx:1.27".into() }],
        note: None,
        freeze_override: None,
    }
}

/// Deploys and waits for the outcome.
async fn run(rules: &[&Rule]) -> Result<(shared::deploy::DeploymentRecord, Deployer), AppError> {
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, rules);
    let (deployer, dir) = deployer(client).await;
    let started = deployer.deploy(&crate::deploy::Actor::of(&ci()), "prod", &request(), None).await?;
    let record = tokio::time::timeout(Duration::from_secs(10), deployer.wait(started.record.id)).await.unwrap()?;
    std::mem::forget(dir); // the store outlives the pollers still running
    Ok((record, deployer))
}

#[tokio::test]
async fn a_rollout_that_completes_succeeds_with_its_events() {
    let (current, register, update, tasks) = common();
    let polls = mock!(Client::describe_services)
        .sequence()
        .output(|| described(before()))
        .output(|| {
            described(service(
                vec![
                    deployment("ecs-svc/new", "PRIMARY", 2, DeploymentRolloutState::InProgress, 1),
                    deployment("ecs-svc/old", "ACTIVE", 1, DeploymentRolloutState::Completed, 1),
                ],
                &["has started 2 tasks: (task a) (task b)."],
            ))
        })
        .times(2)
        .output(|| {
            described(service(
                vec![deployment("ecs-svc/new", "PRIMARY", 2, DeploymentRolloutState::Completed, 2)],
                &["has reached a steady state.", "(deployment ecs-svc/new) deployment completed."],
            ))
        })
        .repeatedly()
        .build();
    let (record, deployer) = run(&[&polls, &current, &register, &update, &tasks]).await.unwrap();
    assert_eq!(record.outcome, Outcome::Succeeded, "{record:?}");
    assert_eq!(record.from_task_definition.as_deref(), Some("web:1"));
    assert_eq!(record.to_task_definition.as_deref(), Some("web:2"));
    assert_eq!(record.ecs_deployment_id.as_deref(), Some("ecs-svc/new"));
    assert_eq!(register.num_calls(), 1);
    let events = crate::deploy::records::events(deployer.store().pool(), record.id).await.unwrap();
    let messages: Vec<&str> = events.iter().map(|e| e.message.as_str()).collect();
    assert!(messages.contains(&"(service web) has started 2 tasks: (task a) (task b)."), "{messages:?}");
    assert!(messages.contains(&"(service web) has reached a steady state."), "{messages:?}");
}

#[tokio::test]
async fn a_circuit_breaker_rollback_is_failed_naming_the_revision_rolled_back_to() {
    let (current, register, update, tasks) = common();
    let polls = mock!(Client::describe_services)
        .sequence()
        .output(|| described(before()))
        .output(|| {
            described(service(
                vec![
                    deployment("ecs-svc/back", "PRIMARY", 1, DeploymentRolloutState::InProgress, 1),
                    deployment("ecs-svc/new", "ACTIVE", 2, DeploymentRolloutState::Failed, 0),
                ],
                &["(deployment ecs-svc/new) deployment failed: tasks failed to start."],
            ))
        })
        .repeatedly()
        .build();
    let (record, deployer) = run(&[&polls, &current, &register, &update, &tasks]).await.unwrap();
    assert_eq!(record.outcome, Outcome::Failed);
    assert_eq!(record.rolled_back_to.as_deref(), Some("web:1"));
    assert_eq!(
        record.reason.as_deref(),
        Some("ECS deployment circuit breaker: tasks failed to start. Rolled back to web:1.")
    );
    // The rollback ECS started is not mistaken for a deployment made outside Berth.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let row =
        crate::deploy::records::by_ecs_deployment(deployer.store().pool(), "ecs-svc/back").await.unwrap().unwrap();
    let all: Vec<(i64, String, Option<String>)> = sqlx::query_as("SELECT id, kind, ecs_deployment_id FROM deployments")
        .fetch_all(deployer.store().pool())
        .await
        .unwrap();
    assert_eq!(row.id, record.id, "{all:?}");
}

#[tokio::test]
async fn a_deployment_replaced_by_another_is_superseded_and_the_other_recorded_as_external() {
    let (current, register, update, tasks) = common();
    let polls = mock!(Client::describe_services)
        .sequence()
        .output(|| described(before()))
        .output(|| {
            described(service(
                vec![
                    deployment("ecs-svc/cli", "PRIMARY", 3, DeploymentRolloutState::InProgress, 0),
                    deployment("ecs-svc/new", "ACTIVE", 2, DeploymentRolloutState::InProgress, 1),
                ],
                &[],
            ))
        })
        .repeatedly()
        .build();
    let (record, deployer) = run(&[&polls, &current, &register, &update, &tasks]).await.unwrap();
    assert_eq!(record.outcome, Outcome::Superseded);
    assert_eq!(record.reason.as_deref(), Some("Deployment ecs-svc/cli (web:3) replaced it before its rollout ended."));
    let pool = deployer.store().pool().clone();
    // Recorded by the service's poller after the deployment ended: patience for a busy machine.
    for _ in 0..500 {
        if let Some(row) = crate::deploy::records::by_ecs_deployment(&pool, "ecs-svc/cli").await.unwrap() {
            assert_eq!((row.kind.as_str(), row.to_task_definition.as_deref()), ("external", Some("web:3")));
            assert_eq!(row.from_task_definition.as_deref(), Some("web:2"));
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the replacing deployment was never recorded");
}

#[tokio::test]
async fn throttling_in_the_middle_of_a_rollout_backs_off_and_the_rollout_is_still_followed() {
    let (current, register, update, tasks) = common();
    let throttled = || {
        DescribeServicesError::generic(
            ErrorMetadata::builder().code("ThrottlingException").message("Rate exceeded").build(),
        )
    };
    let polls = mock!(Client::describe_services)
        .sequence()
        .output(|| described(before()))
        .error(throttled)
        .times(4)
        .output(|| {
            described(service(vec![deployment("ecs-svc/new", "PRIMARY", 2, DeploymentRolloutState::Completed, 2)], &[]))
        })
        .repeatedly()
        .build();
    let started = std::time::Instant::now();
    let (record, _) = run(&[&polls, &current, &register, &update, &tasks]).await.unwrap();
    assert_eq!(record.outcome, Outcome::Succeeded);
    assert!(polls.num_calls() >= 6, "the throttled polls were retried: {}", polls.num_calls());
    // Backing off doubles the 10 ms interval: 20 + 40 + 80 + 80 ms at least.
    assert!(started.elapsed() >= Duration::from_millis(220), "{:?}", started.elapsed());
}

#[tokio::test]
async fn access_denied_on_register_fails_the_deployment_naming_the_action_and_never_updates() {
    let (current, _, update, tasks) = common();
    let polls = mock!(Client::describe_services).then_output(|| described(before()));
    let denied = mock!(Client::register_task_definition).then_error(|| {
        RegisterTaskDefinitionError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message(
                    "User: arn:aws:iam::111122223333:user/ci is not authorized to perform: ecs:RegisterTaskDefinition",
                )
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&polls, &current, &denied, &update, &tasks]);
    let (deployer, _dir) = deployer(client).await;
    let err = deployer.deploy(&crate::deploy::Actor::of(&ci()), "prod", &request(), None).await.err().expect("refused");
    assert!(matches!(err, AppError::AccessDenied { .. }), "{err:?}");
    assert_eq!(update.num_calls(), 0);
    let row = crate::deploy::records::get(deployer.store().pool(), 1).await.unwrap().unwrap().record();
    assert_eq!(row.outcome, Outcome::Failed);
    assert!(row.reason.unwrap().contains("ecs:RegisterTaskDefinition"));
    // The lock is released: the next deploy is not a 409.
    assert!(!matches!(
        deployer.deploy(&crate::deploy::Actor::of(&ci()), "prod", &request(), None).await,
        Err(AppError::Conflict { .. })
    ));
}
