//! ECR: repositories and images. Every list uses the SDK's paginators: all pages, never the first.

use aws_sdk_ecr::types as sdk;
use futures::StreamExt;
use shared::ecr::{Image, Repository, RepositorySpec};

use super::AwsEnv;
use super::convert::timestamp;
use super::errors::AwsResult;
use crate::error::AppError;

/// How many repositories' images are counted at once when listing.
const COUNT_CONCURRENCY: usize = 8;

fn to_repository(r: &sdk::Repository) -> Repository {
    let encryption = r.encryption_configuration();
    Repository {
        repository_name: r.repository_name().unwrap_or_default().to_string(),
        repository_uri: r.repository_uri().unwrap_or_default().to_string(),
        repository_arn: r.repository_arn().unwrap_or_default().to_string(),
        registry_id: r.registry_id().unwrap_or_default().to_string(),
        created_at: timestamp(r.created_at()),
        image_tag_mutability: r.image_tag_mutability().map_or("MUTABLE", |m| m.as_str()).to_string(),
        scan_on_push: r.image_scanning_configuration().is_some_and(|c| c.scan_on_push()),
        encryption_type: encryption.map_or("AES256", |e| e.encryption_type().as_str()).to_string(),
        kms_key: encryption.and_then(|e| e.kms_key()).map(str::to_string),
        image_count: None,
    }
}

fn to_image(d: &sdk::ImageDetail) -> Image {
    Image {
        image_digest: d.image_digest().unwrap_or_default().to_string(),
        image_tags: d.image_tags().to_vec(),
        pushed_at: timestamp(d.image_pushed_at()),
        size_bytes: d.image_size_in_bytes(),
        manifest_media_type: d.image_manifest_media_type().map(str::to_string),
    }
}

/// A demo image: a manifest pushed under a tag (local mode's seed data).
pub(crate) struct DemoImage {
    pub tag: &'static str,
    pub manifest: String,
}

impl AwsEnv {
    fn not_found(&self, name: &str) -> AppError {
        AppError::NotFound(format!("No repository named '{name}' in environment '{}'.", self.name()))
    }

    /// Every repository, with its image count.
    pub(crate) async fn list_repositories(&self) -> Result<Vec<Repository>, AppError> {
        let repos: Vec<sdk::Repository> = self
            .ecr
            .describe_repositories()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws(self.cx("ecr:DescribeRepositories"))?;
        let counted = futures::stream::iter(repos.iter().map(to_repository))
            .map(|mut repo| async move {
                // A count that fails (e.g. no ecr:ListImages) leaves the repository listed, uncounted.
                repo.image_count = self.count_images(&repo.repository_name).await.ok();
                repo
            })
            .buffered(COUNT_CONCURRENCY)
            .collect()
            .await;
        Ok(counted)
    }

    async fn count_images(&self, name: &str) -> Result<u64, AppError> {
        let ids: Vec<sdk::ImageIdentifier> = self
            .ecr
            .list_images()
            .repository_name(name)
            .into_paginator()
            .page_size(1000)
            .items()
            .send()
            .try_collect()
            .await
            .or_aws(self.cx("ecr:ListImages"))?;
        // ListImages names an image once per tag: count digests.
        let mut digests: Vec<&str> = ids.iter().filter_map(|i| i.image_digest()).collect();
        digests.sort_unstable();
        digests.dedup();
        Ok(digests.len() as u64)
    }

    pub(crate) async fn describe_repository(&self, name: &str) -> Result<Repository, AppError> {
        let out = self.ecr.describe_repositories().repository_names(name).send().await.or_aws_on(
            self.cx("ecr:DescribeRepositories"),
            "RepositoryNotFoundException",
            || self.not_found(name),
        )?;
        let repo = out.repositories().first().ok_or_else(|| self.not_found(name))?;
        let mut repo = to_repository(repo);
        repo.image_count = self.count_images(name).await.ok();
        Ok(repo)
    }

    /// The lifecycle policy's JSON, pretty-printed; `None` when the repository has none.
    pub(crate) async fn lifecycle_policy(&self, name: &str) -> Result<Option<String>, AppError> {
        self.ecr
            .get_lifecycle_policy()
            .repository_name(name)
            .send()
            .await
            .map(|out| out.lifecycle_policy_text().map(pretty_json))
            .or_aws_unless(self.cx("ecr:GetLifecyclePolicy"), |r| match r.code? {
                "LifecyclePolicyNotFoundException" => Some(Ok(None)),
                "RepositoryNotFoundException" => Some(Err(self.not_found(name))),
                _ => None,
            })
    }

    /// Every image, newest push first.
    pub(crate) async fn list_images(&self, name: &str) -> Result<Vec<Image>, AppError> {
        let details: Vec<sdk::ImageDetail> = self
            .ecr
            .describe_images()
            .repository_name(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws_on(self.cx("ecr:DescribeImages"), "RepositoryNotFoundException", || self.not_found(name))?;
        // ECR lists in push order; reversed, then a stable sort on the time (RFC 3339 UTC strings
        // sort as times) keeps the later push first when two share a second.
        let mut images: Vec<Image> = details.iter().rev().map(to_image).collect();
        images.sort_by(|a, b| b.pushed_at.cmp(&a.pushed_at));
        Ok(images)
    }

    /// One image of a repository of `registry` (an account id) by tag or digest: `Ok(None)` when
    /// ECR has no such image, `Err(NotFound)` when it has no such repository.
    pub(crate) async fn find_image(
        &self,
        registry: &str,
        repository: &str,
        tag: Option<&str>,
        digest: Option<&str>,
    ) -> Result<Option<Image>, AppError> {
        let id = sdk::ImageIdentifier::builder()
            .set_image_tag(tag.map(str::to_string))
            .set_image_digest(digest.map(str::to_string))
            .build();
        let found =
            self.ecr.describe_images().registry_id(registry).repository_name(repository).image_ids(id).send().await;
        found.map(|out| out.image_details().first().map(to_image)).or_aws_unless(self.cx("ecr:DescribeImages"), |r| {
            match r.code? {
                "ImageNotFoundException" => Some(Ok(None)),
                "RepositoryNotFoundException" => Some(Err(AppError::NotFound(format!(
                    "ECR has no repository {repository} in registry {registry} (environment '{}').",
                    self.name()
                )))),
                _ => None,
            }
        })
    }

    pub async fn create_repository(&self, spec: &RepositorySpec) -> Result<Repository, AppError> {
        let tags = spec
            .tags
            .iter()
            .map(|t| sdk::Tag::builder().key(&t.key).value(&t.value).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AppError::Internal(e.into()))?;
        let encryption = spec
            .encryption_configuration
            .as_ref()
            .map(|e| {
                sdk::EncryptionConfiguration::builder()
                    .encryption_type(sdk::EncryptionType::from(e.encryption_type.as_str()))
                    .set_kms_key(e.kms_key.clone())
                    .build()
            })
            .transpose()
            .map_err(|e| AppError::Internal(e.into()))?;
        let out = self
            .ecr
            .create_repository()
            .repository_name(&spec.repository_name)
            .set_registry_id(spec.registry_id.clone())
            .image_tag_mutability(sdk::ImageTagMutability::from(spec.image_tag_mutability.as_str()))
            .image_scanning_configuration(
                sdk::ImageScanningConfiguration::builder()
                    .scan_on_push(spec.image_scanning_configuration.scan_on_push)
                    .build(),
            )
            .set_encryption_configuration(encryption)
            .set_tags(Some(tags).filter(|t| !t.is_empty()))
            .send()
            .await
            .or_aws_on(self.cx("ecr:CreateRepository"), "RepositoryAlreadyExistsException", || AppError::Conflict {
                message: format!(
                    "A repository named '{}' already exists in environment '{}'.",
                    spec.repository_name,
                    self.name()
                ),
                field: Some("repositoryName".into()),
            })?;
        let repo = out
            .repository()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("CreateRepository returned no repository")))?;
        Ok(Repository { image_count: Some(0), ..to_repository(repo) })
    }

    /// Deletes a repository; one that still holds images needs `force` (which deletes them too).
    pub(crate) async fn delete_repository(&self, name: &str, force: bool) -> Result<(), AppError> {
        self.ecr.delete_repository().repository_name(name).force(force).send().await.map(|_| ()).or_aws_unless(
            self.cx("ecr:DeleteRepository"),
            |r| match r.code? {
                "RepositoryNotFoundException" => Some(Err(self.not_found(name))),
                "RepositoryNotEmptyException" => Some(Err(AppError::Conflict {
                    message: format!("Repository '{name}' still holds images: delete the images too to remove it."),
                    field: Some("force".into()),
                })),
                _ => None,
            },
        )
    }

    /// Pushes an image manifest (as `docker push` ends with), tagged or untagged. A tag that is
    /// already on this very manifest is not an error.
    pub async fn push_image(&self, repository: &str, tag: Option<&str>, manifest: &str) -> Result<(), AppError> {
        let pushed = self
            .ecr
            .put_image()
            .repository_name(repository)
            .set_image_tag(tag.map(str::to_string))
            .image_manifest(manifest)
            .send()
            .await;
        pushed.map(|_| ()).or_aws_unless(self.cx("ecr:PutImage"), |r| match r.code? {
            "ImageAlreadyExistsException" => Some(Ok(())),
            "RepositoryNotFoundException" => Some(Err(self.not_found(repository))),
            _ => None,
        })
    }

    /// Creates the repository unless it exists and pushes the images: safe to run on every start.
    pub(crate) async fn ensure_demo_repository(&self, name: &str, images: &[DemoImage]) -> Result<(), AppError> {
        match self.create_repository(&RepositorySpec::named(name)).await {
            Ok(_) | Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
        for image in images {
            self.push_image(name, Some(image.tag), &image.manifest).await?;
        }
        Ok(())
    }
}

fn pretty_json(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
#[path = "ecr_scripted_tests.rs"]
mod scripted_tests;
