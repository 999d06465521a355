//! The RegisterTaskDefinition input, field for field as `aws ecs register-task-definition
//! --cli-input-json` takes it, its rules, and import from AWS CLI output.
//!
//! What the wizard edits is typed; members a console rarely touches (Linux parameters, FireLens,
//! proxy configuration, ...) are kept as JSON so a document round-trips without losing them.
//! Unknown keys are refused everywhere they are typed, as the AWS CLI refuses them.

mod diff;
mod fargate;
mod import;
mod model;
mod rules;

pub use diff::{Change, diff};
pub use fargate::{FARGATE_CPU_MEMORY, fargate_memory_options, parse_task_cpu, parse_task_memory};
pub use import::{Imported, READ_ONLY_FIELDS, import};
pub use model::*;
pub use rules::{MAX_DOCUMENT_BYTES, Report, Validation, check_document, validate};

#[cfg(test)]
mod tests;
