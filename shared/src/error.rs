//! The body of every non-2xx API response.

use serde::{Deserialize, Serialize};

/// What went wrong, in a form a program can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request could not be read (malformed JSON, bad query string).
    BadRequest,
    /// Not logged in, or the session or token is expired, revoked or unknown.
    Unauthorized,
    /// Logged in, but the role (or the CSRF token) does not allow this.
    Forbidden,
    /// Too many failed logins; retry later.
    RateLimited,
    /// The input was read but breaks a rule; see `fields`.
    Validation,
    /// The environment or resource does not exist.
    NotFound,
    /// The resource already exists or is in a state that forbids the action.
    Conflict,
    /// AWS refused the call for lack of permission.
    AccessDenied,
    /// AWS is throttling this account; retry later.
    Throttled,
    /// AWS (or the local emulator) could not be reached or failed.
    Unavailable,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// The request body is not JSON.
    UnsupportedMediaType,
    /// No such route or method.
    MethodNotAllowed,
    /// Something failed inside Berth; details are in the server log only.
    Internal,
}

/// One rule broken by one field of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// JSON path of the offending field, e.g. `tags[1].Key` or `repositoryName`.
    pub path: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl FieldError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

/// The error body of every non-2xx response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub code: ErrorCode,
    /// A sentence for a person.
    pub message: String,
    /// The fields at fault, when the error is about the input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// The environment the failing AWS call was made in, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: Vec::new(), environment: None }
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => format!("{}: {}", one.path, one.message),
            _ => format!("{} fields are invalid", fields.len()),
        };
        Self { code: ErrorCode::Validation, message, fields, environment: None }
    }

    /// The message for one field, if this error names it.
    pub fn field(&self, path: &str) -> Option<&str> {
        self.fields.iter().find(|f| f.path == path).map(|f| f.message.as_str())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
