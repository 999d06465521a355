//! ECR: the CreateRepository input (as `aws ecr create-repository --cli-input-json` takes it), its
//! rules, and what the API returns about repositories and images.

mod local_push;
mod push;
pub(crate) mod rules;
mod spec;
mod views;

pub use local_push::{LocalPush, tag_error, validate_local_push};
pub use push::{PushCommand, local_push_commands, push_commands, registry_of};
pub use rules::{validate_kms_key, validate_repository_name, validate_tag};
pub use spec::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability, RepositorySpec, Tag,
};
pub use views::{Image, Repository, RepositoryDetail};

#[cfg(test)]
mod tests;
