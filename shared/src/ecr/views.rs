//! What the API returns about repositories and images.

use serde::{Deserialize, Serialize};

use super::push::PushCommand;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Repository {
    pub repository_name: String,
    pub repository_uri: String,
    pub repository_arn: String,
    pub registry_id: String,
    /// RFC 3339.
    pub created_at: Option<String>,
    /// As AWS reports it, e.g. `MUTABLE`, `IMMUTABLE_WITH_EXCLUSION`.
    pub image_tag_mutability: String,
    pub scan_on_push: bool,
    /// `AES256`, `KMS` or `KMS_DSSE`.
    pub encryption_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    /// Images in the repository (tagged and untagged); absent when it could not be counted.
    pub image_count: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// `sha256:...`
    pub image_digest: String,
    /// Empty for an untagged image.
    pub image_tags: Vec<String>,
    /// RFC 3339.
    pub pushed_at: Option<String>,
    pub size_bytes: Option<i64>,
    pub manifest_media_type: Option<String>,
}

/// A repository's page: its settings, lifecycle policy and push commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RepositoryDetail {
    pub repository: Repository,
    /// The lifecycle policy's JSON text, when one is set.
    pub lifecycle_policy: Option<String>,
    pub push_commands: Vec<PushCommand>,
}
