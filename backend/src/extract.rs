//! Request extractors whose rejections are [`AppError`]s, so malformed input gets the shared error
//! shape with the JSON path of the offending field.

use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Largest request body the server reads.
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;

/// Like `axum::Json`, but type errors name the field (`tags[0].Key: invalid type ...`).
pub(crate) struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body, read (within [`BODY_LIMIT`]) but not parsed: for handlers that parse a large
/// document off the async workers with [`parse_json`].
pub(crate) struct JsonBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json =
            req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(_) => AppError::PayloadTooLarge(BODY_LIMIT),
            other => AppError::BadRequest(other.body_text()),
        })?;
        Ok(JsonBytes(bytes))
    }
}

/// Parses JSON, telling a syntax error (400) from a shape error on a named field (422).
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            AppError::BadRequest(format!("The body is not valid JSON: {inner}"))
        } else {
            let message = strip_position(&inner.to_string());
            let path = if path == "." { String::new() } else { path };
            AppError::Validation(vec![shared::validate::located(&path, &message)])
        }
    })
}

/// serde_json appends " at line L column C": useful for syntax errors, noise for field errors.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Like `axum::extract::Query`, with a 400 in the shared shape.
pub(crate) struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e: QueryRejection| AppError::BadRequest(e.body_text()))
    }
}

/// Like `axum::extract::Path`, with a 400 in the shared shape (e.g. for `%FF` in a segment).
pub(crate) struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e: PathRejection| AppError::BadRequest(e.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::ecr::RepositorySpec;

    #[test]
    fn a_wrong_type_names_the_field() {
        let err = parse_json::<RepositorySpec>(br#"{"repositoryName":"ab","tags":[{"Key":1}]}"#).unwrap_err();
        let AppError::Validation(fields) = err else { panic!("{err:?}") };
        assert_eq!(fields[0].path, "tags[0].Key");
        assert_eq!(fields[0].message, "invalid type: integer `1`, expected a string");
    }

    #[test]
    fn broken_json_is_a_bad_request() {
        assert!(matches!(parse_json::<RepositorySpec>(b"{\"repositoryName\":"), Err(AppError::BadRequest(_))));
    }

    #[test]
    fn an_unknown_key_is_named() {
        let err = parse_json::<RepositorySpec>(br#"{"repositoryName":"ab","nmae":"x"}"#).unwrap_err();
        let AppError::Validation(fields) = err else { panic!() };
        assert!(fields[0].message.starts_with("unknown field `nmae`"), "{}", fields[0].message);
    }
}
