//! Berth's web console: the apps of `frontend/apps.txt` over this library, one entry function each.
//! They are separate WebAssembly bundles so no first page load carries pages it does not need;
//! links between them are full page loads (`rel="external"`), the session cookie carries over.
//! Pages fetch through `api`; components only render what they are given.

mod api;
mod components;
mod context;
mod format;
mod load;
mod pages;
mod router;
mod shell;

use leptos::prelude::*;
use router::Route;

use pages::{
    ApprovalsPage, AuditPage, ClusterPage, ClustersPage, CreateClusterPage, CreateRepositoryPage, CreateServicePage,
    DeploymentPage, GuardrailsPage, HistoryPage, Home, LivePage, NotificationsPage, RepositoriesPage, RepositoryPage,
    ServiceLogsPage, ServicePage, TaskDefinitionWizard, TaskDiffPage, TaskFamiliesPage, TaskFamilyPage, TaskPage,
    TaskRevisionPage, TokensPage, UpdateServicePage, UsersPage,
};

/// Each app's pages (`router::routes` tries them in order; a page no route matches is NotFound).
const CONSOLE: &[Route] = &[
    ("/", || view! { <Home/> }.into_any()),
    ("/e/:env/repositories", || view! { <RepositoriesPage/> }.into_any()),
    ("/e/:env/repositories/new", || view! { <CreateRepositoryPage/> }.into_any()),
    ("/e/:env/repository/:name", || view! { <RepositoryPage/> }.into_any()),
];
const CLUSTERS: &[Route] = &[
    ("/e/:env/clusters", || view! { <ClustersPage/> }.into_any()),
    ("/e/:env/clusters/new", || view! { <CreateClusterPage/> }.into_any()),
    ("/e/:env/cluster/:name", || view! { <ClusterPage/> }.into_any()),
];
const SERVICES: &[Route] = &[("/e/:env/services/:cluster/:service", || view! { <ServicePage/> }.into_any())];
const SERVICE_UPDATE: &[Route] =
    &[("/e/:env/services/:cluster/:service/update", || view! { <UpdateServicePage/> }.into_any())];
const SERVICE_WIZARD: &[Route] = &[("/e/:env/services/new", || view! { <CreateServicePage/> }.into_any())];
const TASK_WIZARD: &[Route] = &[("/e/:env/task-definitions/new", || view! { <TaskDefinitionWizard/> }.into_any())];
const TASK_DEFINITIONS: &[Route] = &[
    ("/e/:env/task-definitions", || view! { <TaskFamiliesPage/> }.into_any()),
    ("/e/:env/task-definitions/family/:family", || view! { <TaskFamilyPage/> }.into_any()),
    ("/e/:env/task-definitions/family/:family/diff", || view! { <TaskDiffPage/> }.into_any()),
    ("/e/:env/task-definitions/family/:family/:revision", || view! { <TaskRevisionPage/> }.into_any()),
];
const TASKS: &[Route] = &[
    ("/e/:env/tasks/:cluster/:task", || view! { <TaskPage/> }.into_any()),
    ("/e/:env/services/:cluster/:service/logs", || view! { <ServiceLogsPage/> }.into_any()),
];
const HISTORY: &[Route] = &[
    ("/deployments", || view! { <HistoryPage/> }.into_any()),
    ("/deployments/:id", || view! { <DeploymentPage/> }.into_any()),
    ("/live", || view! { <LivePage/> }.into_any()),
    ("/approvals", || view! { <ApprovalsPage/> }.into_any()),
];
const ADMIN: &[Route] = &[
    ("/admin/users", || view! { <UsersPage/> }.into_any()),
    ("/admin/tokens", || view! { <TokensPage/> }.into_any()),
    ("/admin/audit", || view! { <AuditPage/> }.into_any()),
    ("/admin/notifications/:env", || view! { <NotificationsPage/> }.into_any()),
    ("/admin/guardrails/:env", || view! { <GuardrailsPage/> }.into_any()),
];

/// The console: `/` and `/e/...`.
pub fn console() {
    shell::mount("console", CONSOLE);
}

/// The cluster pages: `/e/{env}/clusters`, `/e/{env}/cluster/...`.
pub fn clusters() {
    shell::mount("clusters", CLUSTERS);
}

/// The service pages: `/e/{env}/services/...`.
pub fn services() {
    shell::mount("services", SERVICES);
}

/// The service wizard: `/e/{env}/services/new`.
pub fn servicewizard() {
    shell::mount("servicewizard", SERVICE_WIZARD);
}

/// "Update service": `/e/{env}/services/{cluster}/{service}/update`.
pub fn serviceupdate() {
    shell::mount("serviceupdate", SERVICE_UPDATE);
}

/// The task definition wizard: `/e/{env}/task-definitions/new`.
pub fn taskwizard() {
    shell::mount("taskwizard", TASK_WIZARD);
}

/// The task definition pages: `/e/{env}/task-definitions/...`.
pub fn taskdefs() {
    shell::mount("taskdefs", TASK_DEFINITIONS);
}

/// A task's page (`/e/{env}/tasks/{cluster}/{task}`) and a service's logs
/// (`/e/{env}/services/{cluster}/{service}/logs`).
pub fn tasks() {
    shell::mount("tasks", TASKS);
}

/// The deployment history: `/deployments`, `/deployments/{id}`.
pub fn history() {
    shell::mount("history", HISTORY);
}

/// The admin area: `/admin/...`.
pub fn admin() {
    shell::mount("admin", ADMIN);
}
