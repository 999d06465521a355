//! `/live?cluster=&service=&differsOnly=`: what's live where, a row per service and a column per
//! environment; a cell that differs from the one to its left is marked; a click opens the service.

use leptos::prelude::*;
use shared::live::{LiveCell, LiveRow};

use crate::api::{self, enc, paths};
use crate::components::{ErrorBanner, outcome_badge};
use crate::format::local_time;
use crate::load::load;
use crate::router::{navigate, query_map};

#[component]
pub fn LivePage() -> impl IntoView {
    let query = query_map();
    let value = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let filters = Memo::new(move |_| {
        ["cluster", "service", "differsOnly"]
            .iter()
            .filter_map(|k| Some(value(k)).filter(|v| !v.is_empty()).map(|v| format!("{k}={}", enc(&v))))
            .collect::<Vec<_>>()
            .join("&")
    });
    let live = load(move || {
        let filters = filters.get();
        async move { api::live(&filters).await }
    });
    let (cluster, service) = (RwSignal::new(value("cluster")), RwSignal::new(value("service")));
    let differs_only = RwSignal::new(value("differsOnly") == "true");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut q = Vec::new();
        for (k, v) in [("cluster", cluster.get_untracked()), ("service", service.get_untracked())] {
            if !v.trim().is_empty() {
                q.push(format!("{k}={}", enc(v.trim())));
            }
        }
        if differs_only.get_untracked() {
            q.push("differsOnly=true".into());
        }
        navigate(&paths::live(&q.join("&")), false);
    };
    view! {
        <super::PipelineTabs/>
        <div class="page-head"><h1>"What's live where"</h1></div>
        <form class="filters" id="liveFilters" on:submit=submit>
            <label>"Cluster"<input type="text" name="cluster" prop:value=move || cluster.get() on:input=move |ev| cluster.set(event_target_value(&ev))/></label>
            <label>"Service"<input type="text" name="service" prop:value=move || service.get() on:input=move |ev| service.set(event_target_value(&ev))/></label>
            <label class="check"><input type="checkbox" name="differsOnly" prop:checked=move || differs_only.get() on:change=move |ev| differs_only.set(event_target_checked(&ev))/>"Differs only"</label>
            <button type="submit" class="primary">"Filter"</button>
        </form>
        {move || match live.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(v)) => {
                let unreadable = v.unreadable.iter().map(|u| view! {
                    <p class="banner error unreadable">{format!("{}: {}", u.environment, u.message)}</p>
                }).collect_view();
                let heads = v.environments.iter().map(|e| view! { <th>{e.clone()}</th> }).collect_view();
                let empty = v.rows.is_empty().then(|| view! { <p class="muted" id="noLive">"No services match."</p> });
                let rows = v.rows.into_iter().map(row_view).collect_view();
                view! {
                    {unreadable}
                    <table class="grid live" id="live">
                        <thead><tr><th>"Service"</th>{heads}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    {empty}
                }.into_any()
            }
        }}
        <p class="hint">"A marked cell runs other images than the environment to its left (compared by digest). Revision numbers differ between accounts and are not compared."</p>
        <Show when=move || crate::context::session().is_global_admin()>
            <super::links::LinksEditor on_saved=Callback::new(move |()| crate::context::go(&paths::live(&filters.get_untracked())))/>
        </Show>
    }
}

fn row_view(row: LiveRow) -> impl IntoView {
    let name = format!("{}/{}", row.cluster, row.service);
    let cells = row
        .cells
        .into_iter()
        .map(|cell| match cell {
            None => view! { <td class="absent">"—"</td> }.into_any(),
            Some(cell) => cell_view(cell).into_any(),
        })
        .collect_view();
    // A link lines up services named differently: its name heads the row.
    let label = match &row.link {
        Some(link) => {
            view! { <span title="Linked by an admin: each cell names its service">{link.clone()}" "<span class="badge info">"linked"</span></span> }
                .into_any()
        }
        None => view! { <span>{name.clone()}</span> }.into_any(),
    };
    view! {
        <tr data-service=name data-link=row.link.clone() data-differs=row.differs.to_string()>
            <th scope="row" class="mono">{label}</th>
            {cells}
        </tr>
    }
}

fn cell_view(cell: LiveCell) -> impl IntoView {
    let href = paths::service(&cell.environment, &cell.cluster, &cell.service);
    let images = cell.images.iter().map(|i| {
        let label = format!("{}: {}", i.container, i.tag.clone().unwrap_or_else(|| "(no tag)".into()));
        view! { <div class="image"><span>{label}</span>" "<small class="mono digest">{i.short_digest().unwrap_or_default()}</small></div> }
    }).collect_view();
    let last = cell.last.map(|d| {
        view! {
            <div class="last">
                <a href=paths::deployment(d.id)>{format!("#{}", d.id)}</a>" "{outcome_badge(d.outcome)}
                <small>{format!(" {} by {}, ", d.kind.as_str(), d.actor)}{local_time(Some(&d.started_at))}</small>
            </div>
        }
    });
    view! {
        <td class:differs=cell.differs data-environment=cell.environment.clone() data-differs=cell.differs.to_string()>
            {cell.differs.then(|| view! { <span class="badge warn">"differs"</span>" " })}
            <a href=href rel="external" class="mono" title=format!("{}/{}", cell.cluster, cell.service)>{cell.task_definition.clone()}</a>
            <small>{format!(" {}/{} running", cell.running_count, cell.desired_count)}</small>
            {images}
            {last}
        </td>
    }
}
