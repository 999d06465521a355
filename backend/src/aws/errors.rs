//! SDK errors -> [`AppError`]. The full error goes to the log; the client gets a sentence naming
//! the environment, the IAM action and AWS's own message, never credentials or endpoints. Every
//! call maps its result through [`AwsResult`], so the mapping is written once.

use aws_sdk_ecr::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use shared::error::FieldError;

use crate::error::AppError;

/// What to know of a failed call to map it: the environment and the IAM action (`ecr:ListImages`).
#[derive(Clone, Copy)]
pub(crate) struct CallContext<'a> {
    pub environment: &'a str,
    pub action: &'static str,
}

/// What AWS said when it refused a call: its error code and message (either may be absent, e.g.
/// when the call never reached AWS).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refusal<'a> {
    pub code: Option<&'a str>,
    pub message: Option<&'a str>,
}

impl Refusal<'_> {
    pub(crate) fn is(&self, code: &str) -> bool {
        self.code == Some(code)
    }
}

/// An SDK call's result into Berth's: `.or_aws(self.cx("ecs:DescribeServices"))?`.
pub(crate) trait AwsResult<T> {
    /// Any failure mapped by the shared rules (not found, conflict, invalid, access denied
    /// naming the IAM action, throttled, unavailable).
    fn or_aws(self, cx: CallContext<'_>) -> Result<T, AppError>;

    /// The failure with AWS error code `code` becomes `error()`; any other is [`or_aws`](Self::or_aws)'s.
    fn or_aws_on(self, cx: CallContext<'_>, code: &str, error: impl FnOnce() -> AppError) -> Result<T, AppError>;

    /// `special` answers first for the refusals it knows: `Some(Ok(..))` when one means success
    /// (deleting what is already gone), `Some(Err(..))` for Berth's own error; `None` leaves the
    /// failure to [`or_aws`](Self::or_aws).
    fn or_aws_unless(
        self,
        cx: CallContext<'_>,
        special: impl FnOnce(Refusal<'_>) -> Option<Result<T, AppError>>,
    ) -> Result<T, AppError>;
}

impl<T, E, R> AwsResult<T> for Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    fn or_aws(self, cx: CallContext<'_>) -> Result<T, AppError> {
        self.map_err(|e| map_sdk_error(&cx, e))
    }

    fn or_aws_on(self, cx: CallContext<'_>, code: &str, error: impl FnOnce() -> AppError) -> Result<T, AppError> {
        self.or_aws_unless(cx, |refusal| refusal.is(code).then(|| Err(error())))
    }

    fn or_aws_unless(
        self,
        cx: CallContext<'_>,
        special: impl FnOnce(Refusal<'_>) -> Option<Result<T, AppError>>,
    ) -> Result<T, AppError> {
        match self {
            Ok(value) => Ok(value),
            Err(e) => {
                let refusal = Refusal { code: e.code(), message: e.message() };
                match special(refusal) {
                    Some(answer) => answer,
                    None => Err(map_sdk_error(&cx, e)),
                }
            }
        }
    }
}

fn map_sdk_error<E, R>(cx: &CallContext<'_>, err: SdkError<E, R>) -> AppError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let environment = cx.environment.to_string();
    tracing::warn!(environment = %environment, action = cx.action, error = %DisplayErrorContext(&err), "AWS call failed");
    match &err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("Unknown").to_string();
            let message = err.message().unwrap_or("no message").to_string();
            classify(cx, &code, &message)
        }
        SdkError::TimeoutError(_) => AppError::Unavailable {
            environment: environment.clone(),
            message: format!("AWS did not answer {} in time (environment '{environment}').", cx.action),
        },
        SdkError::DispatchFailure(failure) => {
            let detail = DisplayErrorContext(&err).to_string();
            let cause = if detail.contains("credentials") || detail.contains("Credentials") {
                "no AWS credentials could be loaded"
            } else if failure.is_timeout() {
                "the connection timed out"
            } else if failure.is_io() {
                "AWS could not be reached"
            } else {
                "the request could not be sent"
            };
            AppError::Unavailable {
                environment: environment.clone(),
                message: format!("Environment '{environment}': {cause} ({}).", cx.action),
            }
        }
        SdkError::ResponseError(_) => AppError::Unavailable {
            environment: environment.clone(),
            message: format!(
                "Environment '{environment}': AWS sent a response to {} that could not be read.",
                cx.action
            ),
        },
        _ => AppError::Internal(anyhow::anyhow!("{} failed: {}", cx.action, DisplayErrorContext(&err))),
    }
}

fn classify(cx: &CallContext<'_>, code: &str, message: &str) -> AppError {
    let environment = cx.environment.to_string();
    match code {
        "AccessDeniedException"
        | "AccessDenied"
        | "UnauthorizedOperation"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "ExpiredTokenException"
        | "ExpiredToken" => AppError::AccessDenied {
            message: format!("AWS denied {} in environment '{environment}': {message}", cx.action),
            environment,
        },
        "ThrottlingException" | "Throttling" | "TooManyRequestsException" | "RequestLimitExceeded" => {
            AppError::Throttled {
                message: format!("AWS is throttling {} in environment '{environment}'; try again shortly.", cx.action),
                environment,
            }
        }
        "ServerException"
        | "InternalFailure"
        | "InternalError"
        | "ServiceUnavailable"
        | "ServiceUnavailableException" => AppError::Unavailable {
            message: format!("AWS failed {} in environment '{environment}': {message}", cx.action),
            environment,
        },
        c if c.ends_with("NotFoundException") => AppError::NotFound(message.to_string()),
        c if c.ends_with("AlreadyExistsException")
            || c.ends_with("InUseException")
            || c.ends_with("NotEmptyException") =>
        {
            AppError::Conflict { message: message.to_string(), field: None }
        }
        // Everything else is AWS refusing the input: say which field when AWS does.
        _ => AppError::Validation(vec![FieldError::new(invalid_parameter_path(message), message)]),
    }
}

/// AWS says "Invalid parameter at 'repositoryName' failed to satisfy constraint: ...".
fn invalid_parameter_path(message: &str) -> String {
    message
        .split_once("parameter at '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(path, _)| path.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CX: CallContext<'static> = CallContext { environment: "prod", action: "ecr:CreateRepository" };

    #[test]
    fn access_denied_names_environment_and_action() {
        let err = classify(&CX, "AccessDeniedException", "User: arn:aws:iam::1:user/b is not authorized");
        let AppError::AccessDenied { environment, message } = err else { panic!("{err:?}") };
        assert_eq!(environment, "prod");
        assert_eq!(
            message,
            "AWS denied ecr:CreateRepository in environment 'prod': User: arn:aws:iam::1:user/b is not authorized"
        );
    }

    #[test]
    fn invalid_parameter_lands_on_the_named_field() {
        let err = classify(
            &CX,
            "InvalidParameterException",
            "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'x'",
        );
        let AppError::Validation(fields) = err else { panic!() };
        assert_eq!(fields[0].path, "repositoryName");
    }

    #[test]
    fn codes_map_to_kinds() {
        assert!(matches!(classify(&CX, "ThrottlingException", ""), AppError::Throttled { .. }));
        assert!(matches!(classify(&CX, "RepositoryNotFoundException", "x"), AppError::NotFound(_)));
        assert!(matches!(classify(&CX, "RepositoryNotEmptyException", "x"), AppError::Conflict { .. }));
        assert!(matches!(classify(&CX, "ServerException", "x"), AppError::Unavailable { .. }));
        assert!(matches!(classify(&CX, "ExpiredTokenException", "x"), AppError::AccessDenied { .. }));
    }
}

#[cfg(test)]
#[path = "errors_scripted_tests.rs"]
mod scripted_tests;
