//! Task definitions: check and import a document (no environment needed), register, the families
//! and revisions of an environment, diff, the services using a revision, deregister (never the
//! last known-good revision of a service).

use shared::auth::Role;
use shared::ecs::task_definition::validate as validate_spec;
use shared::ecs::task_definition::{Change, Imported, Revision, ServiceUse, Validation, check_document, diff, import};

use super::{Action, Caller, Needs};
use crate::aws::status_of;
use crate::deploy::records;
use crate::error::AppError;
use crate::extract::parse_json;

/// Parsing and checking a document of up to the body limit is CPU work: it runs off the async
/// workers so it never stalls other requests (the rules refuse an oversized document first).
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(e.into()))?
}

/// Checks a document against AWS's RegisterTaskDefinition rules, without registering it.
pub(crate) async fn check(body: bytes::Bytes) -> Result<Validation, AppError> {
    off_runtime(move || Ok(check_document(&parse_json::<serde_json::Value>(&body)?.to_string()))).await
}

/// Reads a document into a registration: read-only fields dropped and named, unknown keys refused.
pub(crate) async fn read(body: bytes::Bytes) -> Result<Imported, AppError> {
    off_runtime(move || import(&parse_json::<serde_json::Value>(&body)?.to_string()).map_err(AppError::Validation))
        .await
}

/// Registers a document as the next revision of its family, after AWS's rules pass.
pub(crate) async fn register(caller: &Caller, env: &str, body: bytes::Bytes) -> Result<Revision, AppError> {
    let document: serde_json::Value = off_runtime(move || parse_json(&body)).await?;
    let family = document.get("family").and_then(|f| f.as_str()).unwrap_or("?").to_string();
    let action = Action::new("task-definition.register", format!("task definition {family}"), Needs::Role(Role::Admin));
    caller
        .act(env, action, async |aws| {
            let imported = off_runtime(move || {
                let imported = import(&document.to_string()).map_err(AppError::Validation)?;
                let report = validate_spec(&imported.spec);
                if report.is_valid() { Ok(imported) } else { Err(AppError::Validation(report.errors)) }
            })
            .await?;
            aws.register_task_definition(&imported.spec).await
        })
        .await
}

/// Family names with revisions in the given status (`ACTIVE` by default).
pub(crate) async fn families(caller: &Caller, env: &str, status: Option<&str>) -> Result<Vec<String>, AppError> {
    let (aws, status) = (caller.read(env)?, status_of(status)?);
    aws.shared(&format!("families {status:?}"), aws.list_task_definition_families(status)).await
}

/// A family's revision numbers in the given status, newest first.
pub(crate) async fn revisions(
    caller: &Caller,
    env: &str,
    family: &str,
    status: Option<&str>,
) -> Result<Vec<i64>, AppError> {
    let (aws, status) = (caller.read(env)?, status_of(status)?);
    aws.shared(&format!("revisions of {family} {status:?}"), aws.list_revisions(family, status)).await
}

pub(crate) async fn revision(caller: &Caller, env: &str, family: &str, revision: i64) -> Result<Revision, AppError> {
    let aws = caller.read(env)?;
    aws.shared(&format!("revision {family}:{revision}"), aws.describe_revision(family, revision)).await
}

/// Field-by-field changes from one revision of a family to another.
pub(crate) async fn changes(
    caller: &Caller,
    env: &str,
    family: &str,
    from: i64,
    to: i64,
) -> Result<Vec<Change>, AppError> {
    let aws = caller.read(env)?;
    let (from, to) = tokio::try_join!(aws.describe_revision(family, from), aws.describe_revision(family, to))?;
    Ok(diff(&from.spec, &to.spec))
}

/// The services with a deployment on this revision: what deregistering it would affect.
pub(crate) async fn services_using(
    caller: &Caller,
    env: &str,
    family: &str,
    revision: i64,
) -> Result<Vec<ServiceUse>, AppError> {
    let aws = caller.read(env)?;
    let described = aws.describe_revision(family, revision).await?;
    aws.services_using(&described.task_definition_arn).await
}

/// Deregisters a revision (it becomes INACTIVE; running tasks keep running) — never one that is
/// the last known-good revision of a service, so a rollback can always go back to it.
pub(crate) async fn deregister(caller: &Caller, env: &str, family: &str, revision: i64) -> Result<Revision, AppError> {
    let reference = format!("{family}:{revision}");
    let action =
        Action::new("task-definition.deregister", format!("task definition {reference}"), Needs::Role(Role::Admin));
    caller
        .act(env, action, async |aws| {
            let users = records::last_good_users(caller.state.store.pool(), env, &reference).await?;
            if !users.is_empty() {
                return Err(AppError::Conflict {
                    message: format!(
                        "{reference} is the last known-good revision of {}: Berth keeps it so a rollback can always go back to it.",
                        users.join(", ")
                    ),
                    field: None,
                });
            }
            aws.deregister_revision(family, revision).await
        })
        .await
}
