//! ECS's own service deployments, as a deployer answers them: continue or roll back one waiting at
//! a PAUSE hook (with the environment's approval policy: its role, and four eyes — not the person
//! who started it), and stop one (roll back, or abort where it stands). Both act on the service's
//! current service deployment, read again right before the call, and are audited.

use shared::auth::Role;
use shared::deploy::{ApproveRollout, NativeRollout, StopRollout};
use shared::error::FieldError;

use super::{Action, Caller};
use crate::aws::AwsEnv;
use crate::deploy::records;
use crate::error::AppError;

/// The service's current service deployment, as ECS has it now (`None` where the environment
/// has no native deployment history, or ECS no record of it).
async fn current_rollout(aws: &AwsEnv, cluster: &str, service: &str) -> Result<Option<NativeRollout>, AppError> {
    match aws.describe_service(cluster, service).await?.current_service_deployment {
        Some(arn) => aws.service_rollout(&arn).await,
        None => Ok(None),
    }
}

/// [`current_rollout`], for an answer to it: none is a conflict.
async fn current(aws: &AwsEnv, cluster: &str, service: &str) -> Result<NativeRollout, AppError> {
    current_rollout(aws, cluster, service).await?.ok_or_else(|| AppError::Conflict {
        message: format!("ECS has no deployment of {service} to answer: the environment has no native deployment history, or the service was never deployed."),
        field: None,
    })
}

/// After an answer ECS accepted: the service's poller looks again now, and the answer is ECS's
/// record as it is then (the one read before if it can't be read again: the answer stands).
async fn after_answer(
    caller: &Caller,
    aws: &AwsEnv,
    env: &str,
    cluster: &str,
    service: &str,
    before: NativeRollout,
) -> NativeRollout {
    caller.state.deployer.poke(env, cluster, service);
    aws.service_rollout(&before.arn).await.ok().flatten().unwrap_or(before)
}

/// The service's current service deployment as ECS records it (`None` where the environment has
/// no native deployment history).
pub(crate) async fn current_of(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
) -> Result<Option<NativeRollout>, AppError> {
    let aws = caller.read(env)?;
    caller.principal.require_service(env, cluster, service, Role::Viewer)?;
    current_rollout(aws, cluster, service).await
}

/// Continue (`CONTINUE`) or roll back (`ROLLBACK`) the deployment waiting at a PAUSE hook.
pub(crate) async fn answer(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
    answer: &ApproveRollout,
) -> Result<NativeRollout, AppError> {
    let policy = caller.state.environments.get(env)?.info.approvals.clone();
    let name = if answer.action == "ROLLBACK" { "rollout.rollback" } else { "rollout.continue" };
    // Answering changes a deployment: never less than a deployer, whatever the configuration says.
    let action = Action::on_service(name, cluster, service, policy.role.max(Role::Deployer));
    caller
        .act(env, action, async |aws| {
            if answer.action != "CONTINUE" && answer.action != "ROLLBACK" {
                return Err(AppError::Validation(vec![FieldError::new(
                    "action",
                    "The answer to a PAUSE hook is CONTINUE or ROLLBACK (ContinueServiceDeployment's action).",
                )]));
            }
            let rollout = current(aws, cluster, service).await?;
            let Some(hook) = rollout.awaiting_approval() else {
                return Err(AppError::Conflict {
                    message: format!("The deployment of {service} is not waiting for approval (it is {}).", rollout.status),
                    field: None,
                });
            };
            if policy.four_eyes {
                // Who started the deployment of the revision that waits: a Berth deploy, a
                // settings change or update-service document made in Berth, or (outside Berth)
                // nobody Berth knows — then anyone the role allows may answer.
                let target = rollout.target.as_ref().and_then(|t| t.task_definition.clone()).unwrap_or_default();
                let started_by = records::latest_to(caller.state.store.pool(), env, cluster, service, &target)
                    .await?
                    .map(|r| r.actor);
                if started_by.as_deref() == Some(caller.principal.name.as_str()) {
                    return Err(AppError::Forbidden(format!(
                        "This environment wants four eyes: someone other than {} (who started the deployment) answers it.",
                        caller.principal.name
                    )));
                }
            }
            let hook_id = hook.hook_id.clone();
            aws.answer_hook(&rollout.arn, &hook_id, &answer.action).await?;
            Ok(after_answer(caller, aws, env, cluster, service, rollout).await)
        })
        .await
}

/// StopServiceDeployment on the service's deployment in progress: `ROLLBACK` (the default) or
/// `ABORT`.
pub(crate) async fn stop(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
    request: &StopRollout,
) -> Result<NativeRollout, AppError> {
    let action = Action::on_service("rollout.stop", cluster, service, Role::Deployer);
    caller
        .act(env, action, async |aws| {
            let stop_type = request.stop_type.as_deref().unwrap_or("ROLLBACK");
            if stop_type != "ROLLBACK" && stop_type != "ABORT" {
                return Err(AppError::Validation(vec![FieldError::new(
                    "stopType",
                    "A deployment stops with ROLLBACK or ABORT (StopServiceDeployment's stopType).",
                )]));
            }
            let rollout = current(aws, cluster, service).await?;
            if rollout.is_over() {
                return Err(AppError::Conflict {
                    message: format!("The deployment of {service} has already ended ({}).", rollout.status),
                    field: None,
                });
            }
            aws.stop_rollout(&rollout.arn, stop_type).await?;
            Ok(after_answer(caller, aws, env, cluster, service, rollout).await)
        })
        .await
}
