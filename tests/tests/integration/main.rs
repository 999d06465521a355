//! Berth's integration tests: the real server on port 0 with a fresh SQLite file, against the
//! local AWS over HTTP (one emulator per test binary, one AWS account per test), and the built
//! front end in headless Chromium.

mod api_basics;
mod approvals;
mod auth;
mod browser;
mod browser_blue_green;
mod browser_clusters;
mod browser_deployments;
mod browser_history_filters;
mod browser_layout;
mod browser_live;
mod browser_local_lab;
mod browser_logs;
mod browser_notifications;
mod browser_roles;
mod browser_rollback_trust;
mod browser_services;
mod browser_task_definitions;
mod clusters;
mod container;
mod crash;
mod deploy_trust;
mod deployments;
mod fixtures;
mod guardrails;
mod helpers;
mod history_filters;
mod live;
mod local_ecs;
mod local_lab;
mod logs;
mod native_deployments;
mod notifications;
mod notifications_crash;
mod placement;
mod promotions;
mod realworld;
mod replicas;
mod repositories;
mod route_scopes;
mod security;
mod services;
mod shared_reads;
mod task_definitions;
mod tasks;
