//! ECS: task definitions and clusters (services follow).

pub mod cluster;
pub mod task_definition;
