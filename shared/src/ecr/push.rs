//! The four "View push commands" that the AWS console shows for a repository (Linux/macOS).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushCommand {
    /// What the step does, for a person.
    pub title: String,
    pub command: String,
}

/// The registry host of a repository URI (`123456789012.dkr.ecr.eu-west-1.amazonaws.com`).
pub fn registry_of(repository_uri: &str) -> &str {
    repository_uri.split_once('/').map_or(repository_uri, |(host, _)| host)
}

/// Login, build, tag, push — exactly AWS's four, filled in for this repository.
pub fn push_commands(repository_uri: &str, repository_name: &str, region: &str) -> Vec<PushCommand> {
    let registry = registry_of(repository_uri);
    let step = |title: &str, command: String| PushCommand { title: title.into(), command };
    vec![
        step(
            "Retrieve an authentication token and authenticate your Docker client to your registry.",
            format!(
                "aws ecr get-login-password --region {region} | docker login --username AWS --password-stdin {registry}"
            ),
        ),
        step(
            "Build your Docker image. You can skip this step if your image is already built.",
            format!("docker build -t {repository_name} ."),
        ),
        step(
            "After the build completes, tag your image so you can push the image to this repository.",
            format!("docker tag {repository_name}:latest {repository_uri}:latest"),
        ),
        step("Push this image to your newly created AWS repository.", format!("docker push {repository_uri}:latest")),
    ]
}
