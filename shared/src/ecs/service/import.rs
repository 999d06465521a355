//! Import of an `aws ecs create-service --cli-input-json` document: every member CreateService
//! takes is accepted (those Berth doesn't edit are kept as written and reach CreateService), an
//! unknown key is refused by its path, and a JSON `null` member is dropped with a notice naming it
//! (the AWS CLI refuses nulls; they mean "not set").

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::spec::ServiceSpec;
use crate::error::FieldError;
use crate::validate::{from_value, strip_nulls};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImportedService {
    pub spec: ServiceSpec,
    /// Paths of `null` members, dropped.
    pub nulls: Vec<String>,
}

/// Reads a create-service document (structure only; `validate` checks the rules).
pub fn import(json: &str) -> Result<ImportedService, Vec<FieldError>> {
    let mut value: Value =
        serde_json::from_str(json).map_err(|e| vec![FieldError::new("", format!("Not valid JSON: {e}"))])?;
    if !value.is_object() {
        return Err(vec![FieldError::new("", "A create-service document is a JSON object.")]);
    }
    let nulls = strip_nulls(&mut value);
    let spec = from_value(value).map_err(|e| vec![e])?;
    Ok(ImportedService { spec, nulls })
}
