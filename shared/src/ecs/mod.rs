//! ECS: clusters, task definitions and services.

pub mod cluster;
pub mod placement;
pub mod service;
pub mod task;
pub mod task_definition;
