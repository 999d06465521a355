use crate::router::query_map;
use leptos::prelude::*;
use shared::ecr::Repository;

use super::param;
use crate::api::{self, paths};
use crate::components::{CopyButton, ErrorBanner};
use crate::format::local_time;
use crate::load::load;

/// `/e/:env/repositories`: every ECR repository of the environment.
#[component]
pub fn RepositoriesPage() -> impl IntoView {
    let env = param("env");
    let created = Memo::new({
        let query = query_map();
        move |_| query.read().get("created")
    });
    let repos = load(move || {
        let env = env.get();
        async move { api::list_repositories(&env).await }
    });
    let (filter, set_filter) = signal(String::new());
    view! {
        <div class="page-head">
            <h1>"Private repositories"</h1>
            <Show when=move || crate::context::session().role_in(&env.get()) == Some(shared::auth::Role::Admin)>
                <a href=move || paths::new_repository(&env.get()) class="button primary">"Create repository"</a>
            </Show>
        </div>
        {move || created.get().map(|name| view! {
            <div class="banner success" role="status">{format!("Repository {name} was created.")}</div>
        })}
        <input class="filter" type="search" placeholder="Filter by name"
            on:input=move |ev| set_filter.set(event_target_value(&ev))/>
        {move || match repos.get() {
            None => view! { <p class="muted">"Loading repositories…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <section class="empty">
                    <p>"No repositories in this environment yet."</p>
                </section>
            }.into_any(),
            Some(Ok(list)) => view! { <RepositoryTable list filter=filter.into()/> }.into_any(),
        }}
    }
}

#[component]
fn RepositoryTable(list: Vec<Repository>, filter: Signal<String>) -> impl IntoView {
    let env = param("env");
    let total = list.len();
    let rows = move || {
        let needle = filter.get().to_ascii_lowercase();
        list.iter()
            .filter(|r| r.repository_name.contains(&needle))
            .map(|r| {
                let href = paths::repository(&env.get(), &r.repository_name);
                view! {
                    <tr>
                        <td><a href=href>{r.repository_name.clone()}</a></td>
                        <td class="mono uri">{r.repository_uri.clone()} " " <CopyButton text=r.repository_uri.clone() label="Copy URI"/></td>
                        <td>{local_time(r.created_at.as_deref())}</td>
                        <td>{title_case(&r.image_tag_mutability)}</td>
                        <td>{if r.scan_on_push { "Enabled" } else { "Disabled" }}</td>
                        <td>{r.encryption_type.clone()}</td>
                        <td class="num">{r.image_count.map_or("—".to_string(), |n| n.to_string())}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <table class="grid">
            <caption>{if total == 1 { "1 repository".to_string() } else { format!("{total} repositories") }}</caption>
            <thead><tr>
                <th>"Repository name"</th><th>"URI"</th><th>"Created at"</th><th>"Tag mutability"</th>
                <th>"Scan on push"</th><th>"Encryption"</th><th class="num">"Images"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// `IMMUTABLE_WITH_EXCLUSION` -> `Immutable with exclusion`.
pub(crate) fn title_case(aws: &str) -> String {
    let mut text = aws.replace('_', " ").to_ascii_lowercase();
    if let Some(first) = text.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    text
}
