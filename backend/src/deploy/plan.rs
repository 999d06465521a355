//! "Roll back" and "Deploy this revision again", resolved before anything is done: the target,
//! what runs now, the difference, and what must be said or acknowledged first. The dialogs show
//! the plan; the POST routes act on the same resolution.

use shared::deploy::{DeployedImage, DeploymentRecord, RedeployPlan};
use shared::ecs::task_definition::{TaskDefinitionSpec, diff};

use super::records::{self, Row};
use super::rollback;
use crate::aws::AwsEnv;
use crate::error::AppError;

/// A plan and the rows it was made from (the POST routes act on `target`).
pub(crate) struct Resolved {
    pub plan: RedeployPlan,
    pub target: Option<Row>,
}

/// `explicit`: the deployment a rollback was asked to use; `None`: Berth's choice.
pub(crate) async fn for_rollback(
    aws: &AwsEnv,
    pool: &crate::store::Db,
    environment: &str,
    cluster: &str,
    service: &str,
    explicit: Option<i64>,
) -> Result<Resolved, AppError> {
    let current = aws.describe_service(cluster, service).await?.task_definition;
    let rows = records::of_service(pool, environment, cluster, service).await?;
    let choice = rollback::choose(&rows, &current);
    let already = choice.already_rolled_back.map(|failed| rollback::already_message(failed, &current));
    let target = match explicit {
        Some(id) => Some(rows.iter().find(|r| r.id == id).ok_or_else(|| {
            AppError::Validation(vec![shared::error::FieldError::new(
                "deployment",
                format!("Deployment #{id} is not a deployment of {cluster}/{service}."),
            )])
        })?),
        None => choice.target,
    };
    // With `already` set, the message says only what comes next: the dialog shows `already` above it.
    let message = match (target, &already, explicit) {
        (None, Some(_), _) => "Berth knows no earlier successful release to go back to.".to_string(),
        (None, None, _) => format!(
            "Berth knows no successful deployment of {service} before the one running now ({current}): nothing to roll back to."
        ),
        (Some(t), Some(_), None) => format!(
            "The release before it is {} (deployment #{}): roll back to it only if you mean to go further back.",
            t.to_task_definition.as_deref().unwrap_or("?"),
            t.id
        ),
        (Some(t), _, _) => format!(
            "Roll back to {} (deployment #{} by {}).",
            t.to_task_definition.as_deref().unwrap_or("?"),
            t.id,
            t.actor
        ),
    };
    let release_images = choice.release.map(|r| r.record().images).unwrap_or_default();
    resolve(aws, pool, &rows, &current, release_images, target, already, message).await
}

pub(crate) async fn for_redeploy(aws: &AwsEnv, pool: &crate::store::Db, source: &Row) -> Result<Resolved, AppError> {
    let current = aws.describe_service(&source.cluster, &source.service).await?.task_definition;
    let rows = records::of_service(pool, &source.environment, &source.cluster, &source.service).await?;
    let release_images = rollback::choose(&rows, &current).release.map(|r| r.record().images).unwrap_or_default();
    let target = rows.iter().find(|r| r.id == source.id).unwrap_or(source);
    let message = format!(
        "Deploy {} again (deployment #{} by {}).",
        target.to_task_definition.as_deref().unwrap_or("?"),
        target.id,
        target.actor
    );
    resolve(aws, pool, &rows, &current, release_images, Some(target), None, message).await
}

#[allow(clippy::too_many_arguments)]
async fn resolve(
    aws: &AwsEnv,
    pool: &crate::store::Db,
    rows: &[Row],
    current: &str,
    release_images: Vec<DeployedImage>,
    target: Option<&Row>,
    already_rolled_back: Option<String>,
    message: String,
) -> Result<Resolved, AppError> {
    let now = aws.describe_task_definition_ref(current).await.ok().map(|r| r.spec);
    let current_images = if release_images.is_empty() { images_of(now.as_ref()) } else { release_images };
    let Some(target) = target else {
        let plan = RedeployPlan {
            current_task_definition: current.into(),
            current_images,
            target: None,
            changes: Vec::new(),
            already_rolled_back,
            failed_before: None,
            message,
        };
        return Ok(Resolved { plan, target: None });
    };
    // The whole row: its document is the diff's other side (and what a re-registration uses).
    let full = records::get(pool, target.id).await?.unwrap_or_else(|| target.clone());
    let revision = full.to_task_definition.clone().unwrap_or_default();
    let then = match full.to_spec.as_ref() {
        Some(spec) => Some(spec.0.clone()),
        None => aws.describe_task_definition_ref(&revision).await.ok().map(|r| r.spec),
    };
    let changes = match (&now, &then) {
        (Some(a), Some(b)) => diff(a, b).into_iter().filter(|c| !c.path.starts_with("tags")).collect(),
        _ => Vec::new(),
    };
    let mut record: DeploymentRecord = full.record();
    if record.images.is_empty() {
        record.images = images_of(then.as_ref());
    }
    let plan = RedeployPlan {
        current_task_definition: current.into(),
        current_images,
        target: Some(record),
        changes,
        already_rolled_back,
        failed_before: rollback::failed_before(rows, &revision),
        message,
    };
    Ok(Resolved { plan, target: Some(full) })
}

fn images_of(spec: Option<&TaskDefinitionSpec>) -> Vec<DeployedImage> {
    spec.map(|s| {
        s.container_definitions
            .iter()
            .map(|c| DeployedImage { container: c.name.clone(), image: c.image.clone(), ..Default::default() })
            .collect()
    })
    .unwrap_or_default()
}
