use leptos::prelude::*;

use super::{is_admin, status_filter, status_tabs};
use crate::api::{self, paths};
use crate::components::ErrorBanner;
use crate::load::load;
use crate::pages::param;

/// `/e/:env/task-definitions`: the families with ACTIVE (or INACTIVE) revisions.
#[component]
pub fn TaskFamiliesPage() -> impl IntoView {
    let env = param("env");
    let status = status_filter();
    let families = load(move || {
        let (env, status) = (env.get(), status.get());
        async move { api::list_task_families(&env, &status).await }
    });
    let (filter, set_filter) = signal(String::new());
    let rows = move |list: Vec<String>| {
        let needle = filter.get().to_ascii_lowercase();
        list.into_iter()
            .filter(|f| f.to_ascii_lowercase().contains(&needle))
            .map(|f| {
                let href = format!("{}?status={}", paths::task_family(&env.get(), &f), status.get());
                view! { <tr><td><a href=href>{f}</a></td></tr> }
            })
            .collect_view()
    };
    view! {
        <div class="page-head">
            <h1>"Task definitions"</h1>
            <Show when=move || is_admin(&env.get())>
                <div class="actions">
                    <a href=move || format!("{}?import=1", paths::new_task_definition(&env.get(), None)) rel="external" class="button">"Import JSON"</a>
                    <a href=move || paths::new_task_definition(&env.get(), None) rel="external" class="button primary">"Create new task definition"</a>
                </div>
            </Show>
        </div>
        {status_tabs(Signal::derive(move || paths::task_definitions(&env.get())), status)}
        <input class="filter" type="search" placeholder="Filter by family"
            on:input=move |ev| set_filter.set(event_target_value(&ev))/>
        {move || match families.get() {
            None => view! { <p class="muted">"Loading task definitions…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <section class="empty"><p>{move || format!("No families with {} revisions.", status.get())}</p></section>
            }.into_any(),
            Some(Ok(list)) => view! {
                <table class="grid" id="families">
                    <caption>{format!("{} families", list.len())}</caption>
                    <thead><tr><th>"Family"</th></tr></thead>
                    <tbody>{move || rows(list.clone())}</tbody>
                </table>
            }.into_any(),
        }}
    }
}
