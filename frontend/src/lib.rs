//! Berth's web console: two apps over this library — the console (repositories, and every
//! resource page to come) and the admin area (users, API tokens, audit log). They are separate
//! WebAssembly bundles so the console's first page load stays within its budget; links between
//! them are full page loads (`rel="external"`), the session cookie carries over.
//! Pages fetch through `api`; components only render what they are given.

mod api;
mod components;
mod format;
mod load;
mod pages;
mod shell;

use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::path;

use pages::{AuditPage, CreateRepositoryPage, Home, NotFound, RepositoriesPage, RepositoryPage, TokensPage, UsersPage};
pub use shell::Area;

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

fn admin_routes() -> AnyView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/admin/users") view=UsersPage/>
            <Route path=path!("/admin/tokens") view=TokensPage/>
            <Route path=path!("/admin/audit") view=AuditPage/>
        </Routes>
    }
    .into_any()
}

/// The console: `/` and `/e/...`.
pub fn console() {
    shell::mount(Area::Console, console_routes);
}

/// The admin area: `/admin/...`.
pub fn admin() {
    shell::mount(Area::Admin, admin_routes);
}
