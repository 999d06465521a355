use crate::router::navigate;
use leptos::prelude::*;

use super::{status_filter, status_tabs};
use crate::api::{self, paths};
use crate::components::ErrorBanner;
use crate::load::load;
use crate::pages::param;

/// `/e/:env/task-definitions/family/:family`: its revisions, and two of them to compare.
#[component]
pub fn TaskFamilyPage() -> impl IntoView {
    let (env, family) = (param("env"), param("family"));
    let status = status_filter();
    let revisions = load(move || {
        let (env, family, status) = (env.get(), family.get(), status.get());
        async move { api::list_task_revisions(&env, &family, &status).await }
    });
    let list = move || revisions.get().and_then(Result::ok).unwrap_or_default();
    view! {
        <div class="page-head">
            <h1>{move || format!("Task definition family {}", family.get())}</h1>
            <a href=move || paths::task_definitions(&env.get()) class="button">"All families"</a>
        </div>
        {status_tabs(Signal::derive(move || paths::task_family(&env.get(), &family.get())), status)}
        {move || match revisions.get() {
            None => view! { <p class="muted">"Loading revisions…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <section class="empty"><p>{move || format!("No {} revisions.", status.get())}</p></section>
            }.into_any(),
            Some(Ok(list)) => view! {
                <table class="grid" id="revisions">
                    <thead><tr><th>"Revision"</th></tr></thead>
                    <tbody>
                        {list.into_iter().map(|r| view! {
                            <tr><td><a href=paths::task_revision(&env.get_untracked(), &family.get_untracked(), r)>
                                {format!("{}:{r}", family.get_untracked())}
                            </a></td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
        <Show when=move || { list().len() >= 2 }>
            <ComparePicker revisions=Signal::derive(list)/>
        </Show>
    }
}

/// Two revisions (older, newer) and a button to their diff.
#[component]
fn ComparePicker(revisions: Signal<Vec<i64>>) -> impl IntoView {
    let (env, family) = (param("env"), param("family"));
    let newest = move || revisions.get().first().copied().unwrap_or(1);
    let older = move || revisions.get().get(1).copied().unwrap_or(1);
    let from = RwSignal::new(None::<i64>);
    let to = RwSignal::new(None::<i64>);
    let options = move |selected: i64| {
        revisions
            .get()
            .into_iter()
            .map(|r| view! { <option value=r.to_string() selected=r == selected>{r.to_string()}</option> })
            .collect_view()
    };
    view! {
        <form class="inline-form" on:submit=move |ev| {
            ev.prevent_default();
            let (a, b) = (from.get().unwrap_or_else(older), to.get().unwrap_or_else(newest));
            navigate(&paths::task_diff(&env.get(), &family.get(), a, b), false);
        }>
            <strong>"Compare revisions"</strong>
            <label>"from "<select id="diffFrom" on:change=move |ev| from.set(event_target_value(&ev).parse().ok())>
                {move || options(from.get().unwrap_or_else(older))}
            </select></label>
            <label>" to "<select id="diffTo" on:change=move |ev| to.set(event_target_value(&ev).parse().ok())>
                {move || options(to.get().unwrap_or_else(newest))}
            </select></label>
            <button type="submit">"Compare"</button>
        </form>
    }
}
