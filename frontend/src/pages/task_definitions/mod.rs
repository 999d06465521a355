//! Task definitions: families, a family's revisions, one revision (export, new revision from it,
//! deregister), the diff of two revisions, and the wizard.

mod diff;
mod families;
mod family;
mod revision;
mod wizard;

pub use diff::TaskDiffPage;
pub use families::TaskFamiliesPage;
pub use family::TaskFamilyPage;
pub use revision::TaskRevisionPage;
pub use wizard::TaskDefinitionWizard;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The `status` filter of a listing (`?status=INACTIVE`), ACTIVE by default.
fn status_filter() -> Memo<String> {
    let query = use_query_map();
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

/// A JSON value, indented by the browser (a second, pretty serializer would cost bundle size).
fn pretty_json<T: serde::Serialize>(value: &T) -> String {
    let compact = serde_json::to_string(value).unwrap_or_default();
    js_sys::JSON::parse(&compact)
        .and_then(|v| js_sys::JSON::stringify_with_replacer_and_space(&v, &wasm_bindgen::JsValue::NULL, &2.into()))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or(compact)
}

fn is_admin(env: &str) -> bool {
    crate::shell::session().role_in(env) == Some(shared::auth::Role::Admin)
}
