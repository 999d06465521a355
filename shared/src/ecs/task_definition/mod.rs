//! The RegisterTaskDefinition input, field for field as `aws ecs register-task-definition
//! --cli-input-json` takes it, its rules, and import from AWS CLI output.
//!
//! Every member is typed, those the wizard edits (model.rs) and those it only shows (advanced.rs:
//! Linux parameters, FireLens, proxy configuration, ...), so a document round-trips without losing
//! anything and an unknown key is refused by name anywhere, as the AWS CLI refuses it.

mod advanced;
mod diff;
mod fargate;
mod import;
mod model;
mod pairs;
mod rules;

pub use advanced::*;
pub use diff::{Change, diff};
pub use fargate::{FARGATE_CPU_MEMORY, fargate_memory_options, parse_task_cpu, parse_task_memory};
pub use import::{Imported, READ_ONLY_FIELDS, import};
pub use model::*;
pub use rules::{
    MAX_CONTAINERS, MAX_DOCUMENT_BYTES, Report, Validation, check_document, check_document_strict, validate,
};

#[cfg(test)]
mod tests;
