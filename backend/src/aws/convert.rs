//! The conversions every adapter needs between AWS's shapes and Berth's: an ARN's name, a
//! timestamp, an integer into the SDK's 32-bit `Integer` and back, a list AWS leaves empty.

use aws_sdk_ecs::primitives::{DateTime, DateTimeFormat};
use shared::error::FieldError;

use crate::error::AppError;

/// The last segment of an ARN: `…:cluster/prod` -> `prod`, `…:task-definition/web:3` -> `web:3`.
pub(crate) fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// An SDK timestamp as Berth's models carry it: RFC 3339 in UTC (such strings sort as times).
pub(crate) fn timestamp(t: Option<&DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
}

/// A model's integer into the 32-bit `Integer` ECS and EC2 take, refused at `path` when it does
/// not fit: a clamped value would send AWS a number nobody wrote. The validators in shared/
/// refuse such values first; this keeps the adapters honest for callers that skip them.
pub(crate) fn narrow(value: i64, path: &str) -> Result<i32, FieldError> {
    i32::try_from(value).map_err(|_| {
        FieldError::new(
            path,
            format!("{value} is beyond the 32-bit integer AWS takes here ({} to {}).", i32::MIN, i32::MAX),
        )
    })
}

/// A refused member as the API answers it (400 naming the field).
pub(crate) fn invalid(e: FieldError) -> AppError {
    AppError::Validation(vec![e])
}

/// [`narrow`] for an optional member.
pub(crate) fn narrow_opt(value: Option<i64>, path: &str) -> Result<Option<i32>, FieldError> {
    value.map(|v| narrow(v, path)).transpose()
}

/// An SDK `Integer` back into the model's `i64`.
pub(crate) fn widen(value: Option<i32>) -> Option<i64> {
    value.map(i64::from)
}

/// The SDK reads an absent list as empty; the model keeps it absent.
pub(crate) fn none_if_empty<T: Clone>(list: &[T]) -> Option<Vec<T>> {
    (!list.is_empty()).then(|| list.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_segment_of_arns_and_names() {
        assert_eq!(last_segment("arn:aws:ecs:eu-west-1:1:cluster/prod"), "prod");
        assert_eq!(last_segment("arn:aws:ecs:eu-west-1:1:task-definition/web:3"), "web:3");
        assert_eq!(last_segment("arn:aws:ecs:eu-west-1:1:task/prod/0123abcd"), "0123abcd");
        assert_eq!(last_segment("prod"), "prod");
        assert_eq!(last_segment(""), "");
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let t = DateTime::from_secs(1_700_000_000);
        assert_eq!(timestamp(Some(&t)).as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(timestamp(None), None);
    }

    #[test]
    fn narrowing_keeps_what_fits() {
        assert_eq!(narrow(i64::from(i32::MAX), "memory"), Ok(i32::MAX));
        assert_eq!(narrow(i64::from(i32::MIN), "memory"), Ok(i32::MIN));
        assert_eq!(narrow(-1, "x"), Ok(-1));
        assert_eq!(narrow_opt(None, "memory"), Ok(None));
        assert_eq!(narrow_opt(Some(512), "memory"), Ok(Some(512)));
    }

    #[test]
    fn narrowing_refuses_out_of_range_naming_the_field() {
        for value in [i64::from(i32::MAX) + 1, i64::from(i32::MIN) - 1, i64::MAX, i64::MIN] {
            let err = narrow(value, "containerDefinitions[0].memory").unwrap_err();
            assert_eq!(err.path, "containerDefinitions[0].memory");
            assert!(err.message.contains(&value.to_string()), "{}", err.message);
            assert!(err.message.contains("32-bit"), "{}", err.message);
        }
        let err = narrow_opt(Some(1 << 40), "desiredCount").unwrap_err();
        assert_eq!(err.path, "desiredCount");
    }
}

#[cfg(test)]
#[path = "narrowing_scripted_tests.rs"]
mod scripted_tests;

/// A free-form SDK document (a hook's Lambda parameters) as JSON.
pub(crate) fn document_to_json(d: &aws_smithy_types::Document) -> serde_json::Value {
    use aws_smithy_types::{Document, Number};
    match d {
        Document::Object(map) => map.iter().map(|(k, v)| (k.clone(), document_to_json(v))).collect(),
        Document::Array(items) => items.iter().map(document_to_json).collect(),
        Document::Number(Number::PosInt(n)) => (*n).into(),
        Document::Number(Number::NegInt(n)) => (*n).into(),
        Document::Number(Number::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        Document::String(s) => s.clone().into(),
        Document::Bool(b) => (*b).into(),
        Document::Null => serde_json::Value::Null,
    }
}
