//! The steps of one deployment. Each step is written to the store as soon as it is done, and each
//! can be resumed: `recorded` -> RegisterTaskDefinition (the revision is tagged with the deployment
//! id, so a resumed step finds it instead of registering twice) -> `registered` -> UpdateService
//! (a resumed step that finds the service already on the revision takes its deployment) ->
//! `updated` -> followed until ECS says how it ended -> `ended`.

use shared::deploy::{DeployedImage, DeploymentKind, ImageChange, Outcome};
use shared::ecs::service::{ServiceDetail, ServiceUpdate};
use shared::ecs::task_definition::{KeyValueTag, TaskDefinitionSpec, validate};
use shared::error::FieldError;

use super::external::observe;
use super::hub::ServiceKey;
use super::records::{self, Ending, Row};
use crate::aws::AwsEnv;
use crate::error::AppError;

/// The tag that marks the revision a deployment registered.
pub const DEPLOYMENT_TAG: &str = "berth:deployment";

/// Why a step stopped.
pub enum StepError {
    /// The request can't be done as asked (nothing was changed in AWS): the record is dropped.
    Refused(AppError),
    /// AWS refused or failed a step: the deployment is recorded as FAILED.
    Failed(AppError),
}

fn refused(path: &str, message: String) -> StepError {
    StepError::Refused(AppError::Validation(vec![FieldError::new(path, message)]))
}

/// The service's PRIMARY deployment.
pub fn primary(service: &ServiceDetail) -> Option<&shared::ecs::service::Deployment> {
    service.deployments.iter().find(|d| d.status == "PRIMARY")
}

/// The spec with new images, tagged for this deployment, and what was deployed where.
pub fn with_images(
    spec: &TaskDefinitionSpec,
    changes: &[ImageChange],
    id: i64,
) -> Result<(TaskDefinitionSpec, Vec<DeployedImage>), StepError> {
    let mut next = tagged(spec, id);
    let mut images = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        let Some(container) = next.container_definitions.iter_mut().find(|c| c.name == change.container) else {
            let names: Vec<&str> = spec.container_definitions.iter().map(|c| c.name.as_str()).collect();
            return Err(refused(
                &format!("images[{i}].container"),
                format!(
                    "The task definition {} has no container {}; it has {}.",
                    spec.family,
                    change.container,
                    names.join(", ")
                ),
            ));
        };
        container.image = change.image.trim().to_string();
        images.push(DeployedImage {
            container: change.container.clone(),
            image: container.image.clone(),
            ..Default::default()
        });
    }
    Ok((next, images))
}

/// The spec with `berth:deployment = id` (replacing the tag a previous deployment left).
pub fn tagged(spec: &TaskDefinitionSpec, id: i64) -> TaskDefinitionSpec {
    let mut next = spec.clone();
    let mut tags: Vec<KeyValueTag> =
        next.tags.take().unwrap_or_default().into_iter().filter(|t| t.key != DEPLOYMENT_TAG).collect();
    tags.push(KeyValueTag { key: DEPLOYMENT_TAG.into(), value: id.to_string() });
    next.tags = Some(tags);
    next
}

fn deployment_of(spec: &TaskDefinitionSpec) -> Option<&str> {
    spec.tags.as_ref()?.iter().find(|t| t.key == DEPLOYMENT_TAG).map(|t| t.value.as_str())
}

/// The revision this deployment registered before a crash, if it got that far: the newest
/// revisions of the family are searched for its tag.
async fn registered_before(
    aws: &AwsEnv,
    family: &str,
    id: i64,
) -> Result<Option<(String, TaskDefinitionSpec)>, AppError> {
    let revisions = aws.list_revisions(family, crate::aws::status_of(None)?).await?;
    for revision in revisions.into_iter().take(5) {
        let found = aws.describe_revision(family, revision).await?;
        if deployment_of(&found.spec) == Some(id.to_string().as_str()) {
            return Ok(Some((format!("{family}:{revision}"), found.spec)));
        }
    }
    Ok(None)
}

/// Tag and digest of ECR images (best effort: other registries stay as typed).
pub async fn resolve(aws: &AwsEnv, images: &mut [DeployedImage]) {
    for image in images.iter_mut() {
        let Some(r) = shared::deploy::ecr_reference(&image.image) else { continue };
        let Ok(Some(hit)) = aws.find_image(&r.account, &r.repository, r.tag.as_deref(), r.digest.as_deref()).await
        else {
            continue;
        };
        image.digest = Some(hit.image_digest.clone());
        image.tag = r.tag.or_else(|| hit.image_tags.first().cloned());
    }
}

/// `recorded` -> `registered`: the revision to deploy exists in ECS.
/// `pause` is the crash test's hook, called between the AWS call and its record.
pub async fn register(
    aws: &AwsEnv,
    pool: &sqlx::SqlitePool,
    row: &Row,
    resumed: bool,
    pause: &(dyn Fn(&str) + Sync),
) -> Result<(), StepError> {
    let failed = StepError::Failed;
    let current = aws.describe_service(&row.cluster, &row.service).await.map_err(StepError::Refused)?;
    let key =
        ServiceKey { environment: row.environment.clone(), cluster: row.cluster.clone(), service: row.service.clone() };
    observe(pool, Some(aws), &key, &current, true, None).await.map_err(db)?;
    let from = aws.describe_task_definition_ref(&current.task_definition).await.map_err(StepError::Refused)?;
    records::set_from(pool, row.id, &current.task_definition, &from.spec).await.map_err(db)?;
    let (spec, mut images, reuse) = if row.kind == DeploymentKind::Deploy {
        // A stored deploy without its images would register the running revision again: refuse.
        let Some(changes) = &row.request.images else {
            return Err(StepError::Failed(AppError::Internal(anyhow::anyhow!(
                "deployment #{} is a deploy that stored no images",
                row.id
            ))));
        };
        let (spec, images) = with_images(&from.spec, changes, row.id)?;
        (spec, images, None)
    } else {
        // A revision deployed before: itself while ACTIVE, else its content registered again.
        let target = row.to_task_definition.clone().unwrap_or_default();
        let known = aws.describe_task_definition_ref(&target).await;
        let spec = match (&known, &row.to_spec) {
            (_, Some(spec)) => spec.0.clone(),
            (Ok(r), None) => r.spec.clone(),
            (Err(_), None) => {
                return Err(refused(
                    "deployment",
                    format!("Task definition {target} is gone and Berth has no copy of it."),
                ));
            }
        };
        let images = spec
            .container_definitions
            .iter()
            .map(|c| DeployedImage { container: c.name.clone(), image: c.image.clone(), ..Default::default() })
            .collect();
        let active = known.as_ref().is_ok_and(|r| r.status == "ACTIVE");
        (tagged(&spec, row.id), images, active.then_some(target))
    };
    let report = validate(&spec);
    if !report.errors.is_empty() {
        return Err(StepError::Refused(AppError::Validation(report.errors)));
    }
    let (task_definition, registered) = match reuse {
        Some(target) => (target, spec),
        None => {
            let earlier =
                if resumed { registered_before(aws, &spec.family, row.id).await.map_err(failed)? } else { None };
            match earlier {
                Some(found) => found,
                None => {
                    let r = aws.register_task_definition(&spec).await.map_err(failed)?;
                    pause("registering");
                    (format!("{}:{}", r.family, r.revision), r.spec)
                }
            }
        }
    };
    resolve(aws, &mut images).await;
    records::set_registered(pool, row.id, &task_definition, &registered, &images).await.map_err(db)
}

/// `registered` -> `updated`: the service rolls out the revision; returns ECS's deployment id.
pub async fn update(
    aws: &AwsEnv,
    pool: &sqlx::SqlitePool,
    row: &Row,
    resumed: bool,
    pause: &(dyn Fn(&str) + Sync),
) -> Result<String, StepError> {
    let target = row.to_task_definition.clone().unwrap_or_default();
    if resumed {
        let current = aws.describe_service(&row.cluster, &row.service).await.map_err(StepError::Failed)?;
        if let Some(p) = primary(&current).filter(|p| p.task_definition == target) {
            let id = p.id.clone();
            records::set_updated(pool, row.id, &id).await.map_err(db)?;
            return Ok(id);
        }
    }
    let update = ServiceUpdate {
        cluster: Some(row.cluster.clone()),
        service: row.service.clone(),
        task_definition: Some(target),
        force_new_deployment: Some(true),
        ..ServiceUpdate::default()
    };
    let after = aws.update_service(&update).await.map_err(StepError::Failed)?;
    pause("updating");
    let id = primary(&after).map(|p| p.id.clone()).ok_or_else(|| {
        StepError::Failed(AppError::Internal(anyhow::anyhow!("UpdateService returned no PRIMARY deployment")))
    })?;
    records::set_updated(pool, row.id, &id).await.map_err(db)?;
    Ok(id)
}

fn db(e: sqlx::Error) -> StepError {
    StepError::Failed(AppError::Internal(e.into()))
}

/// How the ECS deployment `ecs_id` stands in a poll of its service: `None` while it rolls out.
pub fn judge(service: &ServiceDetail, ecs_id: &str) -> Option<Ending> {
    let primary = primary(service);
    let other_primary = primary.filter(|p| p.id != ecs_id);
    let ours = service.deployments.iter().find(|d| d.id == ecs_id);
    let failed_event = format!("(deployment {ecs_id}) deployment failed");
    let failed_by_event = service.events.iter().any(|e| e.message.contains(&failed_event));
    match ours.and_then(|d| d.rollout_state.as_deref()) {
        Some("COMPLETED") => {
            let reason = ours.and_then(|d| d.rollout_state_reason.clone()).unwrap_or_else(|| "Completed.".into());
            Some(Ending::new(Outcome::Succeeded, reason))
        }
        Some("FAILED") => Some(failure(ours.and_then(|d| d.rollout_state_reason.clone()), other_primary)),
        _ if ours.is_none() && failed_by_event => Some(failure(None, other_primary)),
        _ => other_primary.map(|p| {
            Ending::new(
                Outcome::Superseded,
                format!("Deployment {} ({}) replaced it before its rollout ended.", p.id, p.task_definition),
            )
        }),
    }
}

fn failure(reason: Option<String>, rollback: Option<&shared::ecs::service::Deployment>) -> Ending {
    let reason = reason.unwrap_or_else(|| "The rollout failed.".into());
    match rollback {
        Some(back) => Ending {
            outcome: Outcome::Failed,
            reason: Some(format!("{reason} Rolled back to {}.", back.task_definition)),
            rolled_back_to: Some((back.task_definition.clone(), back.id.clone())),
            ended_at: None,
        },
        None => Ending { outcome: Outcome::Failed, reason: Some(reason), rolled_back_to: None, ended_at: None },
    }
}
