//! One component per route.

mod audit;
mod clusters;
mod create_repository;
mod guardrails;
mod history;
mod home;
mod login;
pub(crate) mod logs;
mod not_found;
mod notifications;
mod repositories;
mod repository;
mod repository_push;
mod services;
mod task_definitions;
mod tasks;
mod tokens;
mod users;

pub use audit::AuditPage;
pub use clusters::{ClusterPage, ClustersPage, CreateClusterPage};
pub use create_repository::CreateRepositoryPage;
pub use guardrails::GuardrailsPage;
pub use history::{ApprovalsPage, DeploymentPage, HistoryPage, LivePage};
pub use home::Home;
pub use login::LoginPage;
pub use logs::ServiceLogsPage;
pub use not_found::NotFound;
pub use notifications::NotificationsPage;
pub use repositories::RepositoriesPage;
pub use repository::RepositoryPage;
pub use services::{CreateServicePage, ServicePage, UpdateServicePage};
pub use task_definitions::{TaskDefinitionWizard, TaskDiffPage, TaskFamiliesPage, TaskFamilyPage, TaskRevisionPage};
pub use tasks::TaskPage;
pub use tokens::TokensPage;
pub use users::UsersPage;

use leptos::prelude::*;

/// A route parameter, percent-decoded (repository names carry `/` as `%2F`).
pub(crate) fn param(key: &'static str) -> Memo<String> {
    let raw = crate::router::raw_param(key);
    Memo::new(move |_| {
        let raw = raw.get().unwrap_or_default();
        js_sys::decode_uri_component(&raw).map(String::from).unwrap_or(raw)
    })
}

/// After a deploy, rollback, redeploy or promotion was sent: a request waiting for approval opens
/// the Approvals page (where it shows, pending); a deployment started does `started`.
pub fn after_submit(submitted: &shared::approvals::Submitted, started: impl FnOnce()) {
    match submitted {
        shared::approvals::Submitted::Approval(_) => crate::context::go(crate::api::paths::APPROVALS),
        shared::approvals::Submitted::Deployment(_) => started(),
    }
}
