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
mod shell;

use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::path;

use pages::{
    AuditPage, ClusterPage, ClustersPage, CreateClusterPage, CreateRepositoryPage, CreateServicePage, DeploymentPage,
    HistoryPage, Home, NotFound, NotificationsPage, RepositoriesPage, RepositoryPage, ServicePage,
    TaskDefinitionWizard, TaskDiffPage, TaskFamiliesPage, TaskFamilyPage, TaskPage, TaskRevisionPage, TokensPage,
    UsersPage,
};

fn console_routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/") view=Home/>
            <Route path=path!("/e/:env/repositories") view=RepositoriesPage/>
            <Route path=path!("/e/:env/repositories/new") view=CreateRepositoryPage/>
            <Route path=path!("/e/:env/repository/:name") view=RepositoryPage/>
        </Routes>
    }
    .into_any()
}

fn cluster_routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/e/:env/clusters") view=ClustersPage/>
            <Route path=path!("/e/:env/clusters/new") view=CreateClusterPage/>
            <Route path=path!("/e/:env/cluster/:name") view=ClusterPage/>
        </Routes>
    }
    .into_any()
}

fn service_routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/e/:env/services/:cluster/:service") view=ServicePage/>
        </Routes>
    }
    .into_any()
}

fn service_wizard_routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/e/:env/services/new") view=CreateServicePage/>
        </Routes>
    }
    .into_any()
}

fn task_wizard_routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/e/:env/task-definitions/new") view=TaskDefinitionWizard/>
        </Routes>
    }
    .into_any()
}

fn task_definition_routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/e/:env/task-definitions") view=TaskFamiliesPage/>
            <Route path=path!("/e/:env/task-definitions/family/:family") view=TaskFamilyPage/>
            <Route path=path!("/e/:env/task-definitions/family/:family/diff") view=TaskDiffPage/>
            <Route path=path!("/e/:env/task-definitions/family/:family/:revision") view=TaskRevisionPage/>
        </Routes>
    }
    .into_any()
}

fn task_routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/e/:env/tasks/:cluster/:task") view=TaskPage/>
        </Routes>
    }
    .into_any()
}

fn history_routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/deployments") view=HistoryPage/>
            <Route path=path!("/deployments/:id") view=DeploymentPage/>
        </Routes>
    }
    .into_any()
}

fn admin_routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/admin/users") view=UsersPage/>
            <Route path=path!("/admin/tokens") view=TokensPage/>
            <Route path=path!("/admin/audit") view=AuditPage/>
            <Route path=path!("/admin/notifications/:env") view=NotificationsPage/>
        </Routes>
    }
    .into_any()
}

/// The console: `/` and `/e/...`.
pub fn console() {
    shell::mount("console", console_routes);
}

/// The cluster pages: `/e/{env}/clusters`, `/e/{env}/cluster/...`.
pub fn clusters() {
    shell::mount("clusters", cluster_routes);
}

/// The service pages: `/e/{env}/services/...`.
pub fn services() {
    shell::mount("services", service_routes);
}

/// The service wizard: `/e/{env}/services/new`.
pub fn servicewizard() {
    shell::mount("servicewizard", service_wizard_routes);
}

/// The task definition wizard: `/e/{env}/task-definitions/new`.
pub fn taskwizard() {
    shell::mount("taskwizard", task_wizard_routes);
}

/// The task definition pages: `/e/{env}/task-definitions/...`.
pub fn taskdefs() {
    shell::mount("taskdefs", task_definition_routes);
}

/// A task's page: `/e/{env}/tasks/{cluster}/{task}`.
pub fn tasks() {
    shell::mount("tasks", task_routes);
}

/// The deployment history: `/deployments`, `/deployments/{id}`.
pub fn history() {
    shell::mount("history", history_routes);
}

/// The admin area: `/admin/...`.
pub fn admin() {
    shell::mount("admin", admin_routes);
}
