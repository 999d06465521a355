//! Local mode's push (`berth local push`, the repository page's "Simulate a push"): a new image
//! put into the local AWS's ECR the way `docker push` ends — PutImage with an image manifest
//! (Docker's v2 schema 2) whose config and layers are new — so ECR gives it a digest of its own,
//! a size (its layers') and a push time. No layer is uploaded: the local AWS runs no container,
//! and its stand-in for one (the loopback page) needs none.

use sha2::{Digest, Sha256};
use shared::ecr::{Image, LocalPush, validate_local_push};

use super::AwsEnv;
use crate::error::AppError;

/// A manifest of a new image: an nginx-sized set of layers, digests derived from `seed`.
fn stand_in_manifest(seed: &str) -> String {
    let digest = |part: &str| format!("sha256:{:x}", Sha256::digest(format!("{seed}/{part}").as_bytes()));
    // The official nginx image's layers are about these sizes; the last one changes per push.
    let sizes = [29_126_484_u64, 41_868_290, 628, 956, 1_209, 1_402, 2_048 + (seed.len() as u64 % 1_000)];
    let layers: Vec<serde_json::Value> = sizes
        .iter()
        .enumerate()
        .map(|(i, size)| {
            serde_json::json!({
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "size": size,
                "digest": digest(&format!("layer{i}")),
            })
        })
        .collect();
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 8_583, "digest": digest("config")},
        "layers": layers,
    })
    .to_string()
}

impl AwsEnv {
    /// Pushes a new image to `repository` with `push.tags` (only into the local AWS: on AWS, images
    /// come from `docker push`); answers it as ECR describes it.
    pub(crate) async fn local_push(&self, repository: &str, push: &LocalPush) -> Result<Image, AppError> {
        if !self.info.local {
            return Err(AppError::Conflict {
                message: format!(
                    "Environment '{}' is an AWS account: push images there with docker (the repository's push commands).",
                    self.name()
                ),
                field: None,
            });
        }
        validate_local_push(push)?;
        // The repository first: its registry, and a clear 404 when there is none.
        let registry = self.describe_repository(repository).await?.registry_id;
        let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
        let manifest = stand_in_manifest(&format!("{repository}:{}@{now}", push.tags.join(",")));
        for tag in &push.tags {
            self.push_image(repository, Some(tag), &manifest).await?;
        }
        self.find_image(&registry, repository, Some(&push.tags[0]), None).await?.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("the pushed image {repository}:{} is not in ECR", push.tags[0]))
        })
    }
}

/// `berth local push`: the same push, straight to the local AWS at `url` as `account` (no Berth
/// server needed, as `docker push` needs none). `reference` is `repository:tag`; `more` are
/// further tags for the same image.
pub async fn push_to_local_aws(url: &str, account: &str, reference: &str, more: &[String]) -> anyhow::Result<Image> {
    let (repository, tag) = reference
        .rsplit_once(':')
        .filter(|(r, t)| !r.is_empty() && !t.is_empty())
        .ok_or_else(|| anyhow::anyhow!("{reference:?}: give REPOSITORY:TAG, e.g. nginxweb:v3"))?;
    let tags: Vec<String> = std::iter::once(tag.to_string()).chain(more.iter().cloned()).collect();
    let config = crate::config::local_environment(url, account);
    let aws = AwsEnv::connect(&config, 1, std::time::Duration::from_secs(20)).await;
    aws.local_push(repository, &LocalPush { tags }).await.map_err(|e| match e {
        AppError::Validation(fields) => {
            anyhow::anyhow!(fields.iter().map(|f| format!("{}: {}", f.path, f.message)).collect::<Vec<_>>().join("; "))
        }
        e => anyhow::anyhow!("{e}"),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_push_is_a_new_image_with_layers() {
        let a = super::stand_in_manifest("web:v3@1");
        let b = super::stand_in_manifest("web:v3@2");
        assert_ne!(a, b, "a new push is a new image");
        let m: serde_json::Value = serde_json::from_str(&a).unwrap();
        assert_eq!(m["layers"].as_array().unwrap().len(), 7);
        assert!(m["config"]["digest"].as_str().unwrap().starts_with("sha256:"));
    }
}
