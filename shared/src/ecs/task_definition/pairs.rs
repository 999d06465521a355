//! The name/value pair both the edited members (model.rs: environment) and the shown-only ones
//! (advanced.rs: proxy properties) use; its own module so model and advanced don't import each
//! other.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NameValue {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
}
