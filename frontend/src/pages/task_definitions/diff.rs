use crate::router::query_map;
use leptos::prelude::*;
use shared::ecs::task_definition::Change;
use shared::error::{ApiError, ErrorCode};

use crate::api::{self, paths};
use crate::components::ErrorBanner;
use crate::load::load;
use crate::pages::param;

/// `/e/:env/task-definitions/family/:family/diff?from=A&to=B`: field by field, side by side.
#[component]
pub fn TaskDiffPage() -> impl IntoView {
    let (env, family) = (param("env"), param("family"));
    let query = query_map();
    let revision =
        move |key: &'static str| Memo::new(move |_| query.read().get(key).and_then(|v| v.parse::<i64>().ok()));
    let (from, to) = (revision("from"), revision("to"));
    let changes = load(move || {
        let (env, family, from, to) = (env.get(), family.get(), from.get(), to.get());
        async move {
            match (from, to) {
                (Some(from), Some(to)) => api::diff_task_revisions(&env, &family, from, to).await,
                _ => Err(ApiError::new(ErrorCode::BadRequest, "Pick two revisions to compare.")),
            }
        }
    });
    let label = move |r: Memo<Option<i64>>| format!("{}:{}", family.get(), r.get().unwrap_or_default());
    let link = move |r: Memo<Option<i64>>| paths::task_revision(&env.get(), &family.get(), r.get().unwrap_or_default());
    view! {
        <div class="page-head">
            <h1>{move || format!("{} → {}", label(from), label(to))}</h1>
            <a href=move || paths::task_family(&env.get(), &family.get()) class="button">"All revisions"</a>
        </div>
        {move || match changes.get() {
            None => view! { <p class="muted">"Comparing…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <section class="empty"><p>"The two revisions are identical."</p></section>
            }.into_any(),
            Some(Ok(list)) => view! {
                <table class="grid diff" id="diff">
                    <caption>{if list.len() == 1 { "1 changed field".to_string() } else { format!("{} changed fields", list.len()) }}</caption>
                    <thead><tr>
                        <th>"Field"</th>
                        <th><a href=move || link(from)>{move || label(from)}</a></th>
                        <th><a href=move || link(to)>{move || label(to)}</a></th>
                    </tr></thead>
                    <tbody>{list.into_iter().map(change_row).collect_view()}</tbody>
                </table>
            }.into_any(),
        }}
    }
}

fn change_row(change: Change) -> impl IntoView {
    let show = |v: &Option<serde_json::Value>| match v {
        None => "(absent)".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let class = match (&change.before, &change.after) {
        (None, _) => "added",
        (_, None) => "removed",
        _ => "changed",
    };
    view! {
        <tr class=class>
            <td class="mono">{change.path.clone()}</td>
            <td class="mono before">{show(&change.before)}</td>
            <td class="mono after">{show(&change.after)}</td>
        </tr>
    }
}
