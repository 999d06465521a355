//! Scripted SDK responses for what the local AWS can't produce: AWS's access-denied and throttling
//! errors, and a lifecycle policy (the adapter only reads them).

use aws_sdk_ecr::Client;
use aws_sdk_ecr::error::ErrorMetadata;
use aws_sdk_ecr::operation::describe_repositories::{DescribeRepositoriesError, DescribeRepositoriesOutput};
use aws_sdk_ecr::operation::get_lifecycle_policy::GetLifecyclePolicyOutput;
use aws_sdk_ecr::operation::list_images::ListImagesOutput;
use aws_sdk_ecr::types::{ImageIdentifier, Repository as SdkRepository};
use aws_smithy_mocks::{RuleMode, mock, mock_client};

use crate::aws::AwsEnv;
use crate::error::AppError;

fn env(client: Client) -> AwsEnv {
    AwsEnv::scripted("prod", Some(client), None)
}

fn repo(name: &str) -> SdkRepository {
    SdkRepository::builder()
        .repository_name(name)
        .repository_uri(format!("111122223333.dkr.ecr.eu-west-1.amazonaws.com/{name}"))
        .build()
}

fn aws_error(code: &str, message: &str) -> DescribeRepositoriesError {
    DescribeRepositoriesError::generic(ErrorMetadata::builder().code(code).message(message).build())
}

#[tokio::test]
async fn every_page_of_repositories_is_read() {
    let first = mock!(Client::describe_repositories)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| DescribeRepositoriesOutput::builder().repositories(repo("a1")).next_token("p2").build());
    let second = mock!(Client::describe_repositories)
        .match_requests(|r| r.next_token() == Some("p2"))
        .then_output(|| DescribeRepositoriesOutput::builder().repositories(repo("b2")).build());
    let images = mock!(Client::list_images).then_output(|| {
        ListImagesOutput::builder()
            .image_ids(ImageIdentifier::builder().image_digest("sha256:1").image_tag("v1").build())
            .image_ids(ImageIdentifier::builder().image_digest("sha256:1").image_tag("latest").build())
            .build()
    });
    let client = mock_client!(aws_sdk_ecr, RuleMode::MatchAny, [&first, &second, &images]);
    let repos = env(client).list_repositories().await.unwrap();
    let names: Vec<_> = repos.iter().map(|r| r.repository_name.as_str()).collect();
    assert_eq!(names, ["a1", "b2"]);
    assert_eq!(repos[0].image_count, Some(1), "one image under two tags counts once");
}

#[tokio::test]
async fn access_denied_names_the_environment_and_the_iam_action() {
    let denied = mock!(Client::describe_repositories).then_error(|| {
        aws_error(
            "AccessDeniedException",
            "User: arn:aws:iam::111122223333:user/ci is not authorized to perform: ecr:DescribeRepositories",
        )
    });
    let client = mock_client!(aws_sdk_ecr, [&denied]);
    let err = env(client).list_repositories().await.unwrap_err();
    let AppError::AccessDenied { environment, message } = &err else { panic!("{err:?}") };
    assert_eq!(environment, "prod");
    assert!(message.starts_with("AWS denied ecr:DescribeRepositories in environment 'prod': User:"), "{message}");
    assert_eq!(err.status(), 403);
}

#[tokio::test]
async fn throttling_is_a_429_that_says_to_retry() {
    let throttled =
        mock!(Client::describe_repositories).then_error(|| aws_error("ThrottlingException", "Rate exceeded"));
    let client = mock_client!(aws_sdk_ecr, [&throttled]);
    let err = env(client).list_repositories().await.unwrap_err();
    assert!(matches!(err, AppError::Throttled { .. }), "{err:?}");
    assert_eq!(err.status(), 429);
}

#[tokio::test]
async fn a_lifecycle_policy_is_shown_pretty_printed() {
    let policy = mock!(Client::get_lifecycle_policy).then_output(|| {
        GetLifecyclePolicyOutput::builder()
            .lifecycle_policy_text(r#"{"rules":[{"rulePriority":1,"action":{"type":"expire"}}]}"#)
            .build()
    });
    let client = mock_client!(aws_sdk_ecr, [&policy]);
    let text = env(client).lifecycle_policy("app").await.unwrap().unwrap();
    assert!(text.starts_with("{\n  \"rules\": ["), "{text}");
}
