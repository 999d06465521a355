use leptos::prelude::*;

use crate::api::{self, paths};
use crate::components::ErrorBanner;
use crate::load::load;
use crate::pages::param;

/// `/e/:env/clusters`.
#[component]
pub fn ClustersPage() -> impl IntoView {
    let env = param("env");
    let clusters = load(move || {
        let env = env.get();
        async move { api::list_clusters(&env).await }
    });
    let admin = move || crate::context::session().role_in(&env.get()) == Some(shared::auth::Role::Admin);
    view! {
        <div class="page-head">
            <h1>"Clusters"</h1>
            <Show when=admin>
                <a href=move || paths::new_cluster(&env.get()) class="button primary">"Create cluster"</a>
            </Show>
        </div>
        {move || match clusters.get() {
            None => view! { <p class="muted">"Loading clusters…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <section class="empty"><p>"No clusters in this environment yet."</p></section>
            }.into_any(),
            Some(Ok(list)) => view! {
                <table class="grid" id="clusters">
                    <thead><tr>
                        <th>"Cluster"</th><th>"Status"</th><th class="num">"Container instances"</th>
                        <th class="num">"Running tasks"</th><th class="num">"Pending tasks"</th>
                        <th class="num">"Services"</th><th>"Capacity providers"</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|c| view! {
                            <tr>
                                <td><a href=paths::cluster(&env.get_untracked(), &c.cluster_name)>{c.cluster_name.clone()}</a></td>
                                <td>{c.status.clone()}</td>
                                <td class="num">{c.registered_container_instances}</td>
                                <td class="num">{c.running_tasks}</td>
                                <td class="num">{c.pending_tasks}</td>
                                <td class="num">{c.active_services}</td>
                                <td>{if c.capacity_providers.is_empty() { "—".to_string() } else { c.capacity_providers.join(", ") }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
    }
}
