//! The error extension over scripted ECS answers: each kind of refusal AWS sends becomes the
//! AppError the API answers with, naming the environment and the IAM action.

use aws_sdk_ecs::Client;
use aws_sdk_ecs::error::ErrorMetadata;
use aws_sdk_ecs::operation::delete_service::DeleteServiceError;
use aws_sdk_ecs::operation::describe_services::DescribeServicesError;
use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionError;
use aws_smithy_mocks::{RuleMode, mock, mock_client};

use super::{AwsResult, CallContext};
use crate::aws::AwsEnv;
use crate::error::AppError;

const CX: CallContext<'static> = CallContext { environment: "prod", action: "ecs:DescribeServices" };

fn refusal(code: &str, message: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).message(message).build()
}

/// A client whose DescribeServices answers `code`, and one call's result through `or_aws`.
async fn describe_refused(code: &'static str, message: &'static str) -> AppError {
    let rule =
        mock!(Client::describe_services).then_error(move || DescribeServicesError::generic(refusal(code, message)));
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&rule]);
    client.describe_services().cluster("prod").services("web").send().await.or_aws(CX).unwrap_err()
}

#[tokio::test]
async fn access_denied_names_the_environment_and_the_iam_action() {
    let err = describe_refused("AccessDeniedException", "User: arn:aws:iam::1:user/ci is not authorized").await;
    let AppError::AccessDenied { environment, message } = &err else { panic!("{err:?}") };
    assert_eq!(environment, "prod");
    assert_eq!(
        message,
        "AWS denied ecs:DescribeServices in environment 'prod': User: arn:aws:iam::1:user/ci is not authorized"
    );
    assert_eq!(err.status(), 403);
}

#[tokio::test]
async fn throttling_names_the_action_and_says_to_retry() {
    let err = describe_refused("ThrottlingException", "Rate exceeded").await;
    let AppError::Throttled { environment, message } = &err else { panic!("{err:?}") };
    assert_eq!(environment, "prod");
    assert_eq!(message, "AWS is throttling ecs:DescribeServices in environment 'prod'; try again shortly.");
    assert_eq!(err.status(), 429);
}

#[tokio::test]
async fn not_found_carries_aws_message() {
    let err = describe_refused("ClusterNotFoundException", "Cluster not found.").await;
    let AppError::NotFound(message) = &err else { panic!("{err:?}") };
    assert_eq!(message, "Cluster not found.");
    assert_eq!(err.status(), 404);
}

#[tokio::test]
async fn invalid_parameter_lands_on_the_field_aws_names() {
    let err = describe_refused("InvalidParameterException", "Invalid parameter at 'cluster' failed to satisfy").await;
    let AppError::Validation(fields) = &err else { panic!("{err:?}") };
    assert_eq!(fields[0].path, "cluster");
}

#[tokio::test]
async fn a_special_case_answers_first_and_others_fall_through() {
    let rule = mock!(Client::describe_services)
        .then_error(|| DescribeServicesError::generic(refusal("ClusterNotFoundException", "Cluster not found.")));
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&rule]);
    let recovered = client
        .describe_services()
        .send()
        .await
        .map(|_| 1)
        .or_aws_unless(CX, |r| r.is("ClusterNotFoundException").then_some(Ok(0)));
    assert_eq!(recovered.unwrap(), 0);
    let passed_on = client
        .describe_services()
        .send()
        .await
        .map(|_| 1)
        .or_aws_unless(CX, |r| r.is("ServiceNotFoundException").then_some(Ok(0)));
    assert!(matches!(passed_on, Err(AppError::NotFound(ref m)) if m == "Cluster not found."), "{passed_on:?}");
}

#[tokio::test]
async fn adapters_answer_their_own_not_found_and_keep_the_action_on_others() {
    let missing = mock!(Client::describe_services)
        .then_error(|| DescribeServicesError::generic(refusal("ClusterNotFoundException", "Cluster not found.")));
    let no_revision = mock!(Client::describe_task_definition)
        .then_error(|| DescribeTaskDefinitionError::generic(refusal("ClientException", "Unable to describe.")));
    let denied = mock!(Client::delete_service)
        .then_error(|| DeleteServiceError::generic(refusal("AccessDeniedException", "not authorized")));
    let client = mock_client!(aws_sdk_ecs, RuleMode::MatchAny, [&missing, &no_revision, &denied]);
    let env = AwsEnv::scripted("prod", None, Some(client));

    let err = env.describe_service("prod", "web").await.unwrap_err();
    assert!(
        matches!(&err, AppError::NotFound(m) if m == "No service web in cluster prod (environment 'prod')."),
        "{err:?}"
    );
    let err = env.describe_revision("web", 7).await.unwrap_err();
    assert!(matches!(&err, AppError::NotFound(m) if m == "No task definition web:7 in environment 'prod'."), "{err:?}");
    let err = env.delete_service("prod", "web", false).await.unwrap_err();
    assert!(
        matches!(&err, AppError::AccessDenied { message, .. } if message.starts_with("AWS denied ecs:DeleteService in environment 'prod'")),
        "{err:?}"
    );
}
