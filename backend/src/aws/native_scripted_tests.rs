//! Following a rollout by ECS's own service deployment, against scripted ECS answers
//! (`aws-smithy-mocks`), for sequences the local AWS can't produce on demand: a BLUE_GREEN
//! deployment through every lifecycle stage; a CANARY rolled back by an alarm; a PAUSE hook
//! waited at (`wait` answers `awaitingApproval`) then continued; StopServiceDeployment's request;
//! and an environment without the native API, followed by `deployments[]` alone.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ecs::Client;
use aws_sdk_ecs::operation::describe_service_deployments::DescribeServiceDeploymentsOutput;
use aws_sdk_ecs::operation::describe_service_revisions::DescribeServiceRevisionsOutput;
use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput;
use aws_sdk_ecs::operation::list_service_deployments::ListServiceDeploymentsOutput;
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::operation::register_task_definition::RegisterTaskDefinitionOutput;
use aws_sdk_ecs::operation::stop_service_deployment::StopServiceDeploymentOutput;
use aws_sdk_ecs::operation::update_service::UpdateServiceOutput;
use aws_sdk_ecs::types::builders::ServiceDeploymentBuilder;
use aws_sdk_ecs::types::{
    ContainerDefinition, Deployment, DeploymentLifecycleHookDetail, DeploymentLifecycleHookStatus,
    DeploymentLifecycleHookTargetType, DeploymentRolloutState, Rollback, Service, ServiceDeployment,
    ServiceDeploymentLifecycleStage as Stage, ServiceDeploymentStatus as Status, ServiceRevision,
    ServiceRevisionSummary, TaskDefinition, TaskDefinitionStatus,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use shared::auth::{Grant, Role};
use shared::deploy::{DeployRequest, DeploymentRecord, ImageChange, Outcome};

use crate::auth::{Principal, Via};
use crate::aws::{AwsEnv, Environments};
use crate::config::DeploySettings;
use crate::deploy::Deployer;
use crate::deploy::hub::ServiceKey;

const TD: &str = "arn:aws:ecs:eu-west-1:111122223333:task-definition/web";
const SD: &str = "arn:aws:ecs:eu-west-1:111122223333:service-deployment/prod/web/abc";
const OLD_REV: &str = "arn:aws:ecs:eu-west-1:111122223333:service-revision/prod/web/1";
const NEW_REV: &str = "arn:aws:ecs:eu-west-1:111122223333:service-revision/prod/web/2";

fn deployment(id: &str, status: &str, revision: i32, state: DeploymentRolloutState) -> Deployment {
    Deployment::builder()
        .id(id)
        .status(status)
        .task_definition(format!("{TD}:{revision}"))
        .desired_count(2)
        .running_count(2)
        .rollout_state(state)
        .build()
}

/// The service, with ECS's current service deployment named when `native`.
fn service(deployments: Vec<Deployment>, native: bool) -> DescribeServicesOutput {
    let primary = deployments.iter().find(|d| d.status() == Some("PRIMARY")).and_then(|d| d.task_definition());
    let mut s = Service::builder()
        .service_name("web")
        .service_arn("arn:aws:ecs:eu-west-1:111122223333:service/prod/web")
        .cluster_arn("arn:aws:ecs:eu-west-1:111122223333:cluster/prod")
        .status("ACTIVE")
        .desired_count(2)
        .task_definition(primary.unwrap_or_default())
        .set_deployments(Some(deployments));
    if native {
        s = s.current_service_deployment(SD);
    }
    DescribeServicesOutput::builder().services(s.build()).build()
}

fn rolling_out(native: bool) -> DescribeServicesOutput {
    service(
        vec![
            deployment("ecs-svc/new", "PRIMARY", 2, DeploymentRolloutState::InProgress),
            deployment("ecs-svc/old", "ACTIVE", 1, DeploymentRolloutState::Completed),
        ],
        native,
    )
}

fn revision(arn: &str, production: f64, test: f64) -> ServiceRevisionSummary {
    ServiceRevisionSummary::builder()
        .arn(arn)
        .requested_task_count(2)
        .running_task_count(2)
        .pending_task_count(0)
        .requested_production_traffic_weight(production)
        .requested_test_traffic_weight(test)
        .build()
}

/// ECS's record at `stage` with `status`, the new revision carrying `weight` % of production.
fn native(status: Status, stage: Stage, weight: f64) -> DescribeServiceDeploymentsOutput {
    native_with(status, stage, weight, |b| b)
}

/// [`native`], its record changed by `f` (a rollback, a hook).
fn native_with(
    status: Status,
    stage: Stage,
    weight: f64,
    f: impl FnOnce(ServiceDeploymentBuilder) -> ServiceDeploymentBuilder,
) -> DescribeServiceDeploymentsOutput {
    let d = f(ServiceDeployment::builder()
        .service_deployment_arn(SD)
        .status(status)
        .lifecycle_stage(stage)
        .source_service_revisions(revision(OLD_REV, 100.0 - weight, 0.0))
        .target_service_revision(revision(NEW_REV, weight, 100.0)))
    .build();
    DescribeServiceDeploymentsOutput::builder().service_deployments(d).build()
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

/// The calls every scenario answers the same way.
fn common(native: bool) -> Vec<Rule> {
    vec![
        mock!(Client::describe_task_definition).then_output(|| {
            DescribeTaskDefinitionOutput::builder().task_definition(task_definition(1, "nginx:1.26")).build()
        }),
        mock!(Client::register_task_definition).then_output(|| {
            RegisterTaskDefinitionOutput::builder().task_definition(task_definition(2, "nginx:1.27")).build()
        }),
        mock!(Client::update_service).then_output(move || {
            let s = rolling_out(native).services()[0].clone();
            UpdateServiceOutput::builder().service(s).build()
        }),
        mock!(Client::list_tasks).then_output(|| ListTasksOutput::builder().build()),
        // The service's history in ECS, imported the first time Berth sees it: empty here.
        mock!(Client::list_service_deployments).then_output(|| ListServiceDeploymentsOutput::builder().build()),
        mock!(Client::describe_service_revisions).then_output(|| {
            DescribeServiceRevisionsOutput::builder()
                .service_revisions(
                    ServiceRevision::builder().service_revision_arn(OLD_REV).task_definition(format!("{TD}:1")).build(),
                )
                .service_revisions(
                    ServiceRevision::builder().service_revision_arn(NEW_REV).task_definition(format!("{TD}:2")).build(),
                )
                .build()
        }),
    ]
}

async fn deployer(client: Client) -> Deployer {
    let envs = Arc::new(Environments::from_envs(vec![AwsEnv::scripted("prod", None, Some(client))]));
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::Store::open(&dir.path().join("berth.db")).await.unwrap();
    std::mem::forget(dir); // the store outlives the pollers still running
    let settings = DeploySettings {
        poll_interval: Duration::from_millis(10),
        max_backoff: Duration::from_millis(80),
        timeout: Duration::from_secs(10),
        external_sweep: None,
        ..DeploySettings::default()
    };
    Deployer::new(envs, store, settings, crate::replicas::Replicas::single())
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

/// Deploys; answers what `wait` answered and every lifecycle stage the service's poller saw.
async fn run(rules: &[&Rule]) -> (DeploymentRecord, Vec<String>, Deployer) {
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, rules);
    let deployer = deployer(client).await;
    let key = ServiceKey { environment: "prod".into(), cluster: "prod".into(), service: "web".into() };
    let mut rx = deployer.hub.subscribe(key).unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while rx.changed().await.is_ok() {
            let stage = rx.borrow_and_update().rollout.as_ref().and_then(|r| r.stage.clone());
            let mut log = log.lock().unwrap();
            if let Some(stage) = stage.filter(|s| log.last() != Some(s)) {
                log.push(stage);
            }
        }
    });
    let started = deployer.deploy(&crate::deploy::Actor::of(&ci()), "prod", &request(), None).await.unwrap();
    let record =
        tokio::time::timeout(Duration::from_secs(10), deployer.wait(started.record.id)).await.unwrap().unwrap();
    let stages = seen.lock().unwrap().clone();
    (record, stages, deployer)
}

fn all<'a>(common: &'a [Rule], more: &[&'a Rule]) -> Vec<&'a Rule> {
    common.iter().chain(more.iter().copied()).collect()
}

fn completed() -> DescribeServicesOutput {
    service(vec![deployment("ecs-svc/new", "PRIMARY", 2, DeploymentRolloutState::Completed)], true)
}

#[tokio::test]
async fn a_blue_green_deployment_is_followed_through_every_stage_to_success() {
    let stages = [
        (Stage::PreScaleUp, 0.0),
        (Stage::ScaleUp, 0.0),
        (Stage::PostScaleUp, 0.0),
        (Stage::TestTrafficShift, 0.0),
        (Stage::PostTestTrafficShift, 0.0),
        (Stage::ProductionTrafficShift, 100.0),
        (Stage::PostProductionTrafficShift, 100.0),
        (Stage::BakeTime, 100.0),
        (Stage::CleanUp, 100.0),
    ];
    let mut described = mock!(Client::describe_service_deployments).sequence();
    for (stage, weight) in stages.clone() {
        described = described.output(move || native(Status::InProgress, stage.clone(), weight)).times(3);
    }
    let described = described.output(|| native(Status::Successful, Stage::CleanUp, 100.0)).repeatedly().build();
    let services = mock!(Client::describe_services)
        .sequence()
        .output(|| rolling_out(true))
        .times(30)
        .output(completed)
        .repeatedly()
        .build();
    let rules = common(true);
    let (record, seen, _) = run(&all(&rules, &[&described, &services])).await;
    assert_eq!(record.outcome, Outcome::Succeeded, "{record:?}");
    let expected: Vec<String> = stages.iter().map(|(s, _)| s.as_str().to_string()).collect();
    assert_eq!(seen, expected, "every stage, in order");
}

#[tokio::test]
async fn a_canary_rolled_back_by_an_alarm_fails_with_the_alarm_as_its_reason() {
    let rolled_back = |status: Status| rolled_back_for("CloudWatch alarm web-5xx is in ALARM", status);
    let described = mock!(Client::describe_service_deployments)
        .sequence()
        .output(|| native(Status::InProgress, Stage::ProductionTrafficShift, 5.0))
        .times(2)
        .output(move || rolled_back(Status::RollbackInProgress))
        .repeatedly()
        .build();
    // `deployments[]` says FAILED only after ECS's own record has the rollback's reason.
    let services = mock!(Client::describe_services)
        .sequence()
        .output(|| rolling_out(true))
        .times(8)
        .output(|| failed_back_to(DeploymentRolloutState::InProgress))
        .repeatedly()
        .build();
    let rules = common(true);
    let (record, _, _) = run(&all(&rules, &[&described, &services])).await;
    assert_eq!(record.outcome, Outcome::Failed, "{record:?}");
    let reason = record.reason.unwrap_or_default();
    assert!(
        reason.contains("CloudWatch alarm web-5xx is in ALARM") && reason.contains("Rolled back to web:1"),
        "{reason}"
    );
}

/// ECS's record once it rolled the deployment back at the production traffic shift, for `reason`.
fn rolled_back_for(reason: &str, status: Status) -> DescribeServiceDeploymentsOutput {
    native_with(status, Stage::ProductionTrafficShift, 0.0, |b| {
        b.rollback(Rollback::builder().reason(reason).service_revision_arn(OLD_REV).build())
    })
}

/// `deployments[]` once the new deployment FAILED and the old one, in `old`, is PRIMARY again.
fn failed_back_to(old: DeploymentRolloutState) -> DescribeServicesOutput {
    service(
        vec![
            deployment("ecs-svc/old", "PRIMARY", 1, old),
            deployment("ecs-svc/new", "ACTIVE", 2, DeploymentRolloutState::Failed),
        ],
        true,
    )
}

/// ECS's record while a PAUSE hook waits before production traffic moves.
fn paused() -> DescribeServiceDeploymentsOutput {
    native_with(Status::InProgress, Stage::ProductionTrafficShift, 0.0, |b| {
        b.lifecycle_hook_details(
            DeploymentLifecycleHookDetail::builder()
                .hook_id("ecs-pause-1")
                .target_type(DeploymentLifecycleHookTargetType::Pause)
                .status(DeploymentLifecycleHookStatus::AwaitingAction)
                .timeout_action(aws_sdk_ecs::types::DeploymentLifecycleHookAction::Rollback)
                .build(),
        )
    })
}

/// Polls the record until its deployment has ended.
async fn ended(deployer: &Deployer, id: i64) -> DeploymentRecord {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let r = deployer.record(id).await.unwrap();
            if r.outcome.ended() {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_pause_hook_answered_with_roll_back_fails_the_deployment_with_ecs_reason() {
    let rolled_back =
        |status: Status| rolled_back_for("Service deployment rolled back by lifecycle hook ecs-pause-1", status);
    let described = mock!(Client::describe_service_deployments)
        .sequence()
        .output(paused)
        .times(40)
        .output(move || rolled_back(Status::RollbackInProgress))
        .times(3)
        .output(move || rolled_back(Status::RollbackSuccessful))
        .repeatedly()
        .build();
    let services = mock!(Client::describe_services)
        .sequence()
        .output(|| rolling_out(true))
        .times(46)
        .output(|| failed_back_to(DeploymentRolloutState::Completed))
        .repeatedly()
        .build();
    let rules = common(true);
    let (waited, _, deployer) = run(&all(&rules, &[&described, &services])).await;
    assert!(waited.awaiting_approval.is_some(), "{waited:?}");
    let ended = ended(&deployer, waited.id).await;
    assert_eq!(ended.outcome, Outcome::Failed, "{ended:?}");
    assert!(ended.awaiting_approval.is_none(), "no longer awaiting approval once it ended: {ended:?}");
    let reason = ended.reason.unwrap_or_default();
    assert!(
        reason.contains("rolled back by lifecycle hook ecs-pause-1") && reason.contains("Rolled back to web:1"),
        "{reason}"
    );
}

#[tokio::test]
async fn wait_answers_awaiting_approval_at_a_pause_hook_and_the_deployment_succeeds_once_continued() {
    // Paused for the first calls (wait answers then), then continued by someone: it goes on.
    let described = mock!(Client::describe_service_deployments)
        .sequence()
        .output(paused)
        .times(40)
        .output(|| native(Status::InProgress, Stage::BakeTime, 100.0))
        .times(3)
        .output(|| native(Status::Successful, Stage::CleanUp, 100.0))
        .repeatedly()
        .build();
    let services = mock!(Client::describe_services)
        .sequence()
        .output(|| rolling_out(true))
        .times(46)
        .output(completed)
        .repeatedly()
        .build();
    let rules = common(true);
    let (waited, _, deployer) = run(&all(&rules, &[&described, &services])).await;
    assert_eq!(waited.outcome, Outcome::InProgress, "{waited:?}");
    let hook = waited.awaiting_approval.expect("wait answers the hook it waits at");
    assert_eq!((hook.hook_id.as_str(), hook.timeout_action.as_deref()), ("ecs-pause-1", Some("ROLLBACK")));
    let ended = ended(&deployer, waited.id).await;
    assert_eq!(ended.outcome, Outcome::Succeeded, "{ended:?}");
}

#[tokio::test]
async fn an_environment_without_the_native_api_is_followed_by_its_deployments_alone() {
    let described =
        mock!(Client::describe_service_deployments).then_output(|| native(Status::InProgress, Stage::ScaleUp, 0.0));
    let services = mock!(Client::describe_services)
        .sequence()
        .output(|| rolling_out(false))
        .times(4)
        .output(|| service(vec![deployment("ecs-svc/new", "PRIMARY", 2, DeploymentRolloutState::Completed)], false))
        .repeatedly()
        .build();
    let rules = common(false);
    let (record, seen, _) = run(&all(&rules, &[&described, &services])).await;
    assert_eq!(record.outcome, Outcome::Succeeded, "{record:?}");
    assert!(seen.is_empty(), "{seen:?}");
    assert_eq!(described.num_calls(), 0, "no service deployment is described where the service names none");
}

#[tokio::test]
async fn stop_sends_the_deployment_and_the_stop_type() {
    let stop = mock!(Client::stop_service_deployment)
        .match_requests(|r| {
            r.service_deployment_arn() == Some(SD) && r.stop_type().map(|t| t.as_str()) == Some("ABORT")
        })
        .then_output(|| StopServiceDeploymentOutput::builder().service_deployment_arn(SD).build());
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, &[&stop]);
    let aws = AwsEnv::scripted("prod", None, Some(client));
    aws.stop_rollout(SD, "ABORT").await.unwrap();
    assert_eq!(stop.num_calls(), 1);
}
