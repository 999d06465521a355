//! One error type for every handler, turned into the shared [`ApiError`] body. Internal errors are
//! logged with their context and never echoed to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::error::{ApiError, ErrorCode, FieldError, shorten};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid session or token.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the principal's role (or a missing CSRF token) forbids this.
    #[error("{0}")]
    Forbidden(String),
    /// 429: too many failed logins from this address or for this user; `Retry-After` says when.
    #[error("{message}")]
    RateLimited { message: String, retry_after_secs: u64 },
    /// 422: the input breaks rules; each error names its field.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// 404: no such environment or resource.
    #[error("{0}")]
    NotFound(String),
    /// 409: already exists, or in a state that forbids the action; `field` when one field is to blame.
    #[error("{message}")]
    Conflict { message: String, field: Option<String> },
    /// 403: AWS refused the call with this environment's credentials; the message names the IAM action.
    #[error("{message}")]
    AccessDenied { environment: String, message: String },
    /// 429: AWS throttled the call even after retries.
    #[error("{message}")]
    Throttled { environment: String, message: String },
    /// 503: AWS could not be reached, had no credentials, or failed.
    #[error("{message}")]
    Unavailable { environment: String, message: String },
    /// 413: the body is over the limit.
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 415: the body is not declared as JSON.
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// 405: the route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 500: a bug or a failure inside Berth; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The same error again, for each caller that shared one failed AWS read.
    pub(crate) fn duplicate(&self) -> AppError {
        match self {
            Self::BadRequest(m) => Self::BadRequest(m.clone()),
            Self::Unauthorized(m) => Self::Unauthorized(m.clone()),
            Self::Forbidden(m) => Self::Forbidden(m.clone()),
            Self::RateLimited { message, retry_after_secs } => {
                Self::RateLimited { message: message.clone(), retry_after_secs: *retry_after_secs }
            }
            Self::Validation(errors) => Self::Validation(errors.clone()),
            Self::NotFound(m) => Self::NotFound(m.clone()),
            Self::Conflict { message, field } => Self::Conflict { message: message.clone(), field: field.clone() },
            Self::AccessDenied { environment, message } => {
                Self::AccessDenied { environment: environment.clone(), message: message.clone() }
            }
            Self::Throttled { environment, message } => {
                Self::Throttled { environment: environment.clone(), message: message.clone() }
            }
            Self::Unavailable { environment, message } => {
                Self::Unavailable { environment: environment.clone(), message: message.clone() }
            }
            Self::PayloadTooLarge(n) => Self::PayloadTooLarge(*n),
            Self::UnsupportedMediaType => Self::UnsupportedMediaType,
            Self::MethodNotAllowed => Self::MethodNotAllowed,
            Self::Internal(e) => Self::Internal(anyhow::anyhow!("{e:#}")),
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::AccessDenied { .. } => StatusCode::FORBIDDEN,
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The body sent to the client; whatever of the input it quotes is cut short.
    pub(crate) fn to_api_error(&self) -> ApiError {
        let mut body = self.body();
        body.message = shorten(&body.message);
        for field in &mut body.fields {
            field.path = shorten(&field.path);
            field.message = shorten(&field.message);
        }
        body
    }

    fn body(&self) -> ApiError {
        let simple = |code, message: &str| ApiError::new(code, message);
        match self {
            Self::BadRequest(m) => simple(ErrorCode::BadRequest, m),
            Self::Validation(fields) => ApiError::validation(fields.clone()),
            Self::Unauthorized(m) => simple(ErrorCode::Unauthorized, m),
            Self::Forbidden(m) => simple(ErrorCode::Forbidden, m),
            Self::RateLimited { message, .. } => simple(ErrorCode::RateLimited, message),
            Self::NotFound(m) => simple(ErrorCode::NotFound, m),
            Self::Conflict { message, field } => ApiError {
                fields: field.iter().map(|f| FieldError::new(f, message)).collect(),
                ..simple(ErrorCode::Conflict, message)
            },
            Self::AccessDenied { environment, message } => {
                ApiError { environment: Some(environment.clone()), ..simple(ErrorCode::AccessDenied, message) }
            }
            Self::Throttled { environment, message } => {
                ApiError { environment: Some(environment.clone()), ..simple(ErrorCode::Throttled, message) }
            }
            Self::Unavailable { environment, message } => ApiError {
                environment: Some(environment.clone()).filter(|e| !e.is_empty()),
                ..simple(ErrorCode::Unavailable, message)
            },
            Self::PayloadTooLarge(_) => simple(ErrorCode::PayloadTooLarge, &self.to_string()),
            Self::UnsupportedMediaType => {
                simple(ErrorCode::UnsupportedMediaType, "Send the body as JSON (Content-Type: application/json).")
            }
            Self::MethodNotAllowed => simple(ErrorCode::MethodNotAllowed, "This route does not accept that method."),
            Self::Internal(_) => simple(ErrorCode::Internal, "Something went wrong inside Berth; it has been logged."),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(err) = &self {
            tracing::error!(error = ?err, "internal error");
        }
        let mut response = (self.status(), Json(self.to_api_error())).into_response();
        if let Self::RateLimited { retry_after_secs, .. } = &self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, (*retry_after_secs).into());
        }
        response
    }
}

/// `shared` validation results as an [`AppError`].
impl From<Vec<FieldError>> for AppError {
    fn from(fields: Vec<FieldError>) -> Self {
        Self::Validation(fields)
    }
}

/// A store call that failed: a 500, logged with what failed (the use case adds what it was doing).
impl From<crate::store::StoreError> for AppError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Internal(anyhow::Error::new(e))
    }
}
