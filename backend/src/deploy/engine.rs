//! Starting a deployment: its images checked, the record written before acting (one deployment at
//! a time per service), then the steps, each written to the store as soon as it is done and each
//! resumable: `recorded` -> RegisterTaskDefinition (the revision is tagged with the deployment
//! id, so a resumed step finds it instead of registering twice) -> `registered` -> UpdateService
//! (a resumed step that finds the service already on the revision takes its deployment) ->
//! `updated` -> followed until ECS says how it ended -> `ended`.

use shared::deploy::{
    DeployRequest, DeployStep, DeployedImage, DeploymentKind, ImageChange, Outcome, ecr_reference, validate_deploy,
};
use shared::ecs::service::{ServiceDetail, ServiceUpdate};
use shared::ecs::task_definition::{KeyValueTag, TaskDefinitionSpec, validate};
use shared::error::FieldError;

use super::external::observe;
use super::hub::ServiceKey;
use super::records::{self, Ending, Inserted, NewDeployment, Row};
use super::{Actor, Deployer, Started, Target};
use crate::aws::AwsEnv;
use crate::error::AppError;
use crate::store::StoreError;

/// The tag that marks the revision a deployment registered.
pub(crate) const DEPLOYMENT_TAG: &str = "berth:deployment";

/// Why a step stopped.
pub(crate) enum StepError {
    /// The request can't be done as asked (nothing was changed in AWS): the record is dropped.
    Refused(AppError),
    /// AWS refused or failed a step: the deployment is recorded as FAILED.
    Failed(AppError),
}

fn refused(path: &str, message: String) -> StepError {
    StepError::Refused(AppError::Validation(vec![FieldError::new(path, message)]))
}

impl Deployer {
    /// Deploys new images: records, registers the revision, updates the service, then follows
    /// the rollout in the background. The caller's role and scope are checked (`ops`).
    pub async fn deploy(
        &self,
        actor: &Actor,
        environment: &str,
        request: &DeployRequest,
        idempotency_key: Option<&str>,
    ) -> Result<Started, AppError> {
        validate_deploy(request)?;
        let aws = self.environments.get(environment)?;
        check_images(aws, &request.images).await?;
        let new = NewDeployment {
            environment,
            cluster: &request.cluster,
            service: &request.service,
            kind: DeploymentKind::Deploy,
            actor: &actor.name,
            via: &actor.via,
            note: request.note.as_deref(),
            idempotency_key,
            request: records::Asked { images: Some(request.images.clone()), revision_of: None },
            to_task_definition: None,
            to_spec: None,
            freeze_override: request.freeze_override.as_deref(),
            approved_by: actor.approved_by.as_deref(),
            promoted_from: None,
        };
        self.begin(&new).await
    }

    /// Deploys again the revision of an earlier deployment (re-registered if it was deregistered).
    pub(crate) async fn redeploy(
        &self,
        actor: &Actor,
        target: &Target,
        note: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<Started, AppError> {
        let new = NewDeployment {
            environment: &target.environment,
            cluster: &target.cluster,
            service: &target.service,
            kind: target.kind,
            actor: &actor.name,
            via: &actor.via,
            note,
            idempotency_key,
            request: records::Asked { images: None, revision_of: Some(target.source.id) },
            to_task_definition: target.source.to_task_definition.as_deref(),
            to_spec: target.source.to_spec.as_ref().map(|s| &s.0),
            freeze_override: target.freeze_override.as_deref(),
            approved_by: actor.approved_by.as_deref(),
            promoted_from: target.promoted_from.as_ref().map(|(id, env)| (*id, env.as_str())),
        };
        self.begin(&new).await
    }

    async fn begin(&self, new: &NewDeployment<'_>) -> Result<Started, AppError> {
        let pool = self.store.pool();
        let id = match records::insert(pool, new, self.lease()).await? {
            Inserted::Repeated(id) => return Ok(Started { record: self.record(id).await?, repeated: true }),
            Inserted::Locked(holder) => {
                return Err(AppError::Conflict {
                    message: format!(
                        "Service {} is being deployed by {} (deployment #{}, started {}); wait for it to end.",
                        holder.service,
                        holder.actor,
                        holder.id,
                        holder.record().started_at
                    ),
                    field: None,
                });
            }
            Inserted::New(id) => id,
        };
        self.pause_point("recorded");
        match self.advance(id, false).await {
            Ok(()) => {}
            Err(StepError::Refused(e)) => {
                records::delete(pool, id).await?;
                return Err(e);
            }
            Err(StepError::Failed(e)) => return Err(e),
        }
        self.spawn_follow(id);
        Ok(Started { record: self.record(id).await?, repeated: false })
    }

    /// Runs the steps not yet done, up to the service update. A failure is recorded as FAILED.
    pub(super) async fn advance(&self, id: i64, resumed: bool) -> Result<(), StepError> {
        let pool = self.store.pool();
        let result = async {
            let row = self.row(id).await.map_err(StepError::Failed)?;
            let aws = self.environments.get(&row.environment).map_err(StepError::Failed)?;
            if row.step == DeployStep::Recorded {
                register(aws, pool, &row, resumed, &|step| self.pause_point(step)).await?;
                self.pause_point("registered");
            }
            let row = self.row(id).await.map_err(StepError::Failed)?;
            if row.step == DeployStep::Registered {
                update(aws, pool, &row, resumed, &|step| self.pause_point(step)).await?;
                self.pause_point("updated");
            }
            Ok(())
        }
        .await;
        if let Err(StepError::Failed(e)) = &result {
            let message = e.to_api_error().message;
            let verdict = shared::deploy::Verdict { summary: message.clone(), ..Default::default() };
            let _ = records::set_verdict(pool, id, &verdict).await;
            let _ = records::finish(pool, id, &Ending::new(Outcome::Failed, message)).await;
        }
        result
    }
}

/// The service's PRIMARY deployment.
pub(super) fn primary(service: &ServiceDetail) -> Option<&shared::ecs::service::Deployment> {
    service.deployments.iter().find(|d| d.status == "PRIMARY")
}

/// The spec with new images, tagged for this deployment, and what was deployed where.
pub(crate) fn with_images(
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
pub(super) fn tagged(spec: &TaskDefinitionSpec, id: i64) -> TaskDefinitionSpec {
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

/// Tag and digest of ECR images not yet known (best effort: other registries stay as typed).
pub(crate) async fn resolve(aws: &AwsEnv, images: &mut [DeployedImage]) {
    for image in images.iter_mut().filter(|i| i.digest.is_none()) {
        let Some(r) = shared::deploy::ecr_reference(&image.image) else { continue };
        let Ok(Some(hit)) = aws.find_image(&r.account, &r.repository, r.tag.as_deref(), r.digest.as_deref()).await
        else {
            continue;
        };
        image.digest = Some(hit.image_digest.clone());
        image.tag = r.tag.or_else(|| hit.image_tags.first().cloned());
    }
}

/// Each image of this environment's ECR named by a tag is registered by the digest the tag names
/// now (`REPO@sha256:…`): the revision runs those bytes whatever the tag names later (a moved
/// `latest`, a tag pushed again, a rollback that registers the revision again). The deployment
/// keeps the image as asked, with its tag and digest. Images Berth can't look up stay as asked.
async fn pin(aws: &AwsEnv, spec: &mut TaskDefinitionSpec, images: &mut [DeployedImage]) {
    for image in images.iter_mut() {
        let Some(r) = ecr_reference(&image.image) else { continue };
        if r.digest.is_some() || r.region != aws.info.region {
            continue;
        }
        let Ok(Some(hit)) = aws.find_image(&r.account, &r.repository, r.tag.as_deref(), None).await else {
            continue;
        };
        if let Some(container) = spec.container_definitions.iter_mut().find(|c| c.name == image.container) {
            container.image = shared::deploy::pinned_to(&image.image, &hit.image_digest);
        }
        image.digest = Some(hit.image_digest.clone());
        image.tag = r.tag;
    }
}

/// `recorded` -> `registered`: the revision to deploy exists in ECS.
/// `pause` is the crash test's hook, called between the AWS call and its record.
pub(super) async fn register(
    aws: &AwsEnv,
    pool: &crate::store::Db,
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
        let (mut spec, mut images) = with_images(&from.spec, changes, row.id)?;
        pin(aws, &mut spec, &mut images).await;
        (spec, images, None)
    } else {
        // A revision deployed before: itself while ACTIVE, else its content registered again.
        // A promotion's revision is new: only its content is known (no revision to look up).
        let target = row.to_task_definition.clone().unwrap_or_default();
        let known = match &row.to_task_definition {
            Some(_) => aws.describe_task_definition_ref(&target).await,
            None => Err(AppError::NotFound("no revision yet".into())),
        };
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
    for image in images.iter_mut().filter(|i| i.digest.is_none()) {
        // Pinned in another registry (a promotion's cross-account reference): the digest is its own.
        image.digest = image.image.split_once('@').map(|(_, d)| d.to_string()).filter(|d| d.starts_with("sha256:"));
    }
    records::set_registered(pool, row.id, &task_definition, &registered, &images).await.map_err(db)
}

/// `registered` -> `updated`: the service rolls out the revision; returns ECS's deployment id.
pub(super) async fn update(
    aws: &AwsEnv,
    pool: &crate::store::Db,
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

fn db(e: StoreError) -> StepError {
    StepError::Failed(e.into())
}

/// The warnings, or a 422 naming `images[i].image` for each image ECR does not have.
pub(crate) async fn check_images(aws: &AwsEnv, images: &[ImageChange]) -> Result<Vec<FieldError>, AppError> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for (i, change) in images.iter().enumerate() {
        let path = format!("images[{i}].image");
        let Some(reference) = ecr_reference(&change.image) else {
            warnings.push(FieldError::new(
                &path,
                "Not in an ECR registry: Berth can't check that this image exists; ECS will pull it when tasks start.",
            ));
            continue;
        };
        if reference.region != aws.info.region {
            warnings.push(FieldError::new(
                &path,
                format!(
                    "In ECR of {}, not of this environment's region ({}): Berth can't check that it exists.",
                    reference.region, aws.info.region
                ),
            ));
            continue;
        }
        let found = aws
            .find_image(
                &reference.account,
                &reference.repository,
                reference.tag.as_deref(),
                reference.digest.as_deref(),
            )
            .await;
        match found {
            Ok(Some(_)) => {}
            Ok(None) => errors.push(FieldError::new(
                &path,
                match (&reference.tag, &reference.digest) {
                    (_, Some(digest)) => format!(
                        "Repository {} has no image with digest {digest} (ECR DescribeImages).",
                        reference.repository
                    ),
                    (tag, None) => format!(
                        "Repository {} has no image tagged {} (ECR DescribeImages): push it first.",
                        reference.repository,
                        tag.as_deref().unwrap_or("latest")
                    ),
                },
            )),
            Err(AppError::NotFound(message)) => errors.push(FieldError::new(&path, message)),
            Err(AppError::Forbidden(_)) | Err(AppError::AccessDenied { .. }) => warnings.push(FieldError::new(
                &path,
                format!(
                    "Registry {} did not let Berth look this image up (another account?): it can't be checked.",
                    reference.account
                ),
            )),
            Err(e) => return Err(e),
        }
    }
    if errors.is_empty() { Ok(warnings) } else { Err(AppError::Validation(errors)) }
}
