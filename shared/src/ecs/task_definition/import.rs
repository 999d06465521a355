//! Import: a `--cli-input-json` document, or `aws ecs describe-task-definition` output (whole, or
//! its `taskDefinition`). Read-only fields are dropped with a notice naming them; an unknown key
//! is an error naming it, as the AWS CLI does.
//!
//! A JSON `null` member: the AWS CLI refuses it ("Invalid type for parameter
//! containerDefinitions[0].privileged, value: None", aws/aws-cli#3622), but it means "not set" and
//! tools write it (console exports, Terraform). Import drops it with a notice naming its path
//! (`nulls`); `berth validate` warns, and refuses it with `--strict`, as the CLI would.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::model::TaskDefinitionSpec;
use crate::error::FieldError;
use crate::validate::{from_value, strip_nulls};

/// Fields AWS returns but RegisterTaskDefinition does not take.
pub const READ_ONLY_FIELDS: [&str; 8] = [
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Imported {
    pub spec: TaskDefinitionSpec,
    /// Read-only fields that were in the document and are not part of a registration.
    pub dropped: Vec<String>,
    /// Paths of `null` members, dropped (the AWS CLI refuses them).
    #[serde(default)]
    pub nulls: Vec<String>,
}

pub fn import(json: &str) -> Result<Imported, Vec<FieldError>> {
    let one = |path: &str, message: String| vec![FieldError::new(path, message)];
    let value: Value = serde_json::from_str(json).map_err(|e| one("", format!("Not valid JSON: {e}")))?;
    let Value::Object(mut doc) = value else {
        return Err(one("", "A task definition is a JSON object.".into()));
    };
    // describe-task-definition output: {"taskDefinition": {...}, "tags": [...]}.
    if let Some(inner) = doc.remove("taskDefinition") {
        let Value::Object(mut inner) = inner else {
            return Err(one("taskDefinition", "Expected an object.".into()));
        };
        if let Some(tags) = doc.remove("tags") {
            inner.entry("tags").or_insert(tags);
        }
        if let Some(key) = doc.keys().next() {
            return Err(one(key, format!("Unknown key '{key}' beside taskDefinition.")));
        }
        doc = inner;
    }
    let dropped = drop_read_only(&mut doc);
    let mut doc = Value::Object(doc);
    let nulls = strip_nulls(&mut doc);
    let spec = from_value(doc).map_err(|e| vec![e])?;
    Ok(Imported { spec, dropped, nulls })
}

fn drop_read_only(doc: &mut Map<String, Value>) -> Vec<String> {
    READ_ONLY_FIELDS.iter().filter(|f| doc.remove(**f).is_some()).map(|f| f.to_string()).collect()
}
