//! ECS: task definitions (more resources follow).

pub mod task_definition;
