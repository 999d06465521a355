//! Task definitions: families, a family's revisions, one revision (export, new revision from it,
//! deregister), the diff of two revisions, and the wizard.

mod diff;
mod families;
mod family;
mod revision;
mod wizard;

use crate::format::pretty_json;

pub use diff::TaskDiffPage;
pub use families::TaskFamiliesPage;
pub use family::TaskFamilyPage;
pub use revision::TaskRevisionPage;
pub use wizard::TaskDefinitionWizard;

use crate::router::query_map;
use leptos::prelude::*;

/// The `status` filter of a listing (`?status=INACTIVE`), ACTIVE by default.
fn status_filter() -> Memo<String> {
    let query = query_map();
    Memo::new(move |_| match query.read().get("status").as_deref() {
        Some("INACTIVE") => "INACTIVE".to_string(),
        _ => "ACTIVE".to_string(),
    })
}

/// ACTIVE / INACTIVE tabs linking to `base?status=...`.
fn status_tabs(base: Signal<String>, status: Memo<String>) -> impl IntoView {
    let tab = move |name: &'static str, label: &'static str| {
        view! {
            <a href=move || format!("{}?status={name}", base.get())
                aria-current=move || (status.get() == name).then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="tabs" aria-label="Status">
            {tab("ACTIVE", "Active")}
            {tab("INACTIVE", "Inactive (deregistered)")}
        </nav>
    }
}

fn is_admin(env: &str) -> bool {
    crate::context::session().role_in(env) == Some(shared::auth::Role::Admin)
}
