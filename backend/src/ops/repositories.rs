//! ECR repositories: list, create, describe (with its push commands), delete, images.

use shared::auth::Role;
use shared::ecr::{Image, LocalPush, Repository, RepositoryDetail, RepositorySpec, local_push_commands, push_commands};

use super::{Action, Caller, Needs};
use crate::error::AppError;

pub(crate) async fn list(caller: &Caller, env: &str) -> Result<Vec<Repository>, AppError> {
    let aws = caller.read(env)?;
    aws.shared("repositories", aws.list_repositories()).await
}

/// Creates a repository from the `aws ecr create-repository --cli-input-json` document.
pub(crate) async fn create(caller: &Caller, env: &str, spec: &RepositorySpec) -> Result<Repository, AppError> {
    let action =
        Action::new("repository.create", format!("repository {}", spec.repository_name), Needs::Role(Role::Admin));
    caller
        .act(env, action, async |aws| {
            spec.validate()?;
            let repo = aws.create_repository(spec).await?;
            tracing::info!(environment = %env, repository = %repo.repository_name, by = %caller.principal.name, "repository created");
            Ok(repo)
        })
        .await
}

/// A repository's settings, lifecycle policy and push commands.
pub(crate) async fn detail(caller: &Caller, env: &str, name: &str) -> Result<RepositoryDetail, AppError> {
    let aws = caller.read(env)?;
    let (repository, lifecycle_policy) = tokio::try_join!(aws.describe_repository(name), aws.lifecycle_policy(name))?;
    let push_commands = if aws.info.local {
        local_push_commands(&repository.repository_name)
    } else {
        push_commands(&repository.repository_uri, &repository.repository_name, &aws.info.region)
    };
    Ok(RepositoryDetail { repository, lifecycle_policy, push_commands })
}

/// Deletes a repository; with `force`, its images too (else one that holds images is a 409).
pub(crate) async fn delete(caller: &Caller, env: &str, name: &str, force: bool) -> Result<(), AppError> {
    let action_name = if force { "repository.delete-with-images" } else { "repository.delete" };
    let action = Action::new(action_name, format!("repository {name}"), Needs::Role(Role::Admin));
    caller
        .act(env, action, async |aws| {
            aws.delete_repository(name, force).await?;
            tracing::info!(environment = %env, repository = %name, force, by = %caller.principal.name, "repository deleted");
            Ok(())
        })
        .await
}

/// Every image of a repository, newest push first.
pub(crate) async fn images(caller: &Caller, env: &str, name: &str) -> Result<Vec<Image>, AppError> {
    let aws = caller.read(env)?;
    aws.shared(&format!("images of {name}"), aws.list_images(name)).await
}

/// Local mode: a new image in the repository, as a push makes it (deployers may; not a token
/// limited to some services).
pub(crate) async fn local_push(caller: &Caller, env: &str, name: &str, push: &LocalPush) -> Result<Image, AppError> {
    let action = Action::new("image.local-push", format!("repository {name}"), Needs::Unscoped(Role::Deployer));
    caller.act(env, action, async |aws| aws.local_push(name, push).await).await
}
