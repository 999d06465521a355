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

/// Local mode's push commands: the local AWS has no registry, so an image is put into its ECR
/// without Docker — from the repository's directory with the `berth` binary `scripts/run-local`
/// built (it finds the local AWS by `.local/run/local-aws.url`), or with "Simulate a push" here.
pub fn local_push_commands(repository_name: &str) -> Vec<PushCommand> {
    let step = |title: &str, command: String| PushCommand { title: title.into(), command };
    vec![
        step(
            "Local mode: the local AWS has no registry to docker push to. From Berth's directory, put a new image into its ECR (PutImage with a manifest of layers, as docker push ends with) under a tag, and move latest to it:",
            format!("target/debug/berth local push {repository_name}:v3 --tag latest"),
        ),
        step(
            "In a CI job (BERTH_LOCAL_AWS_URL set to the local AWS's URL), tag it with the commit:",
            format!("berth local push {repository_name}:$CI_COMMIT_SHORT_SHA --tag latest"),
        ),
    ]
}
