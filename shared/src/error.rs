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
    /// The AWS rule broken, by its id in `sources::RULES`; in-process only (the corpus tests
    /// check it), not part of the API's answer.
    #[serde(skip)]
    pub rule: Option<&'static str>,
}

impl FieldError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: shorten(&path.into()), message: shorten(&message.into()), rule: None }
    }

    /// The same error, tagged with the rule it breaks.
    pub fn breaking(mut self, rule: &'static str) -> Self {
        self.rule = Some(rule);
        self
    }
}

/// Longest run of non-blank characters an error repeats (an image reference with its digest
/// fits), and longest message.
pub const ECHO_MAX_CHARS: usize = 200;
pub const MESSAGE_MAX_CHARS: usize = 1000;

/// Errors quote what was sent (a name, a key, a path segment): a 10,000-character input must not
/// come back in full. Each run of non-blank characters past [`ECHO_MAX_CHARS`], and the whole
/// text past [`MESSAGE_MAX_CHARS`], is cut with an ellipsis. Applying it twice changes nothing.
pub fn shorten(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MESSAGE_MAX_CHARS + 4));
    let (mut run, mut total) = (0usize, 0usize);
    for c in text.chars() {
        if total >= MESSAGE_MAX_CHARS {
            out.push('…');
            break;
        }
        run = if c.is_whitespace() { 0 } else { run + 1 };
        if run > ECHO_MAX_CHARS {
            if run == ECHO_MAX_CHARS + 1 {
                out.push('…');
                total += 1;
            }
            continue;
        }
        out.push(c);
        total += 1;
    }
    out
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
        Self { code, message: shorten(&message.into()), fields: Vec::new(), environment: None }
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [one] => shorten(&format!("{}: {}", one.path, one.message)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_echoes_are_cut_with_an_ellipsis_and_short_text_is_kept() {
        assert_eq!(shorten("No environment named 'prod'."), "No environment named 'prod'.");
        let long = format!("unknown field `{}`, expected one of `a`", "x".repeat(10_000));
        let short = shorten(&long);
        assert_eq!(short, format!("unknown field `{}… expected one of `a`", "x".repeat(ECHO_MAX_CHARS - 1)));
        assert_eq!(shorten(&short), short, "idempotent");
        let spaced = "ab ".repeat(5_000);
        assert_eq!(shorten(&spaced).chars().count(), MESSAGE_MAX_CHARS + 1);
        assert_eq!(shorten(&shorten(&spaced)), shorten(&spaced));
        assert!(FieldError::new("x".repeat(500), "y".repeat(500)).path.ends_with('…'));
    }
}
