use serde::{Deserialize, Serialize};

/// The CreateRepository input, field for field as AWS's JSON. Unknown keys are refused, as the AWS
/// CLI refuses them, so an import never silently drops a setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RepositorySpec {
    /// 2–256 characters: lowercase letters, digits, and `.` `_` `-` between them, `/` between parts.
    pub repository_name: String,
    /// The account that owns the registry; defaults to the caller's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_id: Option<String>,
    #[serde(default)]
    pub image_tag_mutability: ImageTagMutability,
    #[serde(default)]
    pub image_scanning_configuration: ImageScanningConfiguration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_configuration: Option<EncryptionConfiguration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl RepositorySpec {
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            repository_name: name.into(),
            registry_id: None,
            image_tag_mutability: ImageTagMutability::default(),
            image_scanning_configuration: ImageScanningConfiguration::default(),
            encryption_configuration: None,
            tags: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImageTagMutability {
    /// Tags can be moved to another image (AWS's default).
    #[default]
    Mutable,
    /// Once pushed, a tag always names the same image.
    Immutable,
}

impl ImageTagMutability {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mutable => "MUTABLE",
            Self::Immutable => "IMMUTABLE",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageScanningConfiguration {
    #[serde(default)]
    pub scan_on_push: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EncryptionConfiguration {
    pub encryption_type: EncryptionType,
    /// KMS key ID, key ARN, alias name or alias ARN; only with `KMS`/`KMS_DSSE`. Omitted, AWS uses
    /// its managed key `aws/ecr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EncryptionType {
    /// Amazon S3-managed keys (AWS's default).
    #[default]
    Aes256,
    /// An AWS KMS key.
    Kms,
    /// Dual-layer encryption with an AWS KMS key.
    KmsDsse,
}

impl EncryptionType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aes256 => "AES256",
            Self::Kms => "KMS",
            Self::KmsDsse => "KMS_DSSE",
        }
    }

    pub fn uses_kms(self) -> bool {
        !matches!(self, Self::Aes256)
    }
}

/// An AWS resource tag. ECR's JSON spells the members `Key` and `Value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Tag {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value", default)]
    pub value: String,
}
