use crate::router::{navigate, query_map};
use leptos::prelude::*;
use shared::deploy::Outcome;

use super::charts::{Figures, Timeline};
use super::service_filter::{ServiceFilter, one_service, partial};
use crate::api::{self, enc, paths};
use crate::components::ErrorBanner;
use crate::components::outcome_badge;
use crate::format::local_time;
use crate::load::load;

const FILTERS: [&str; 7] = ["environment", "cluster", "service", "actor", "outcome", "from", "to"];

/// `/deployments?environment=&cluster=&service=&actor=&outcome=&from=&to=&after=`.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let query = query_map();
    let value = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    // The filters as a query string (without the page cursor).
    let filters = Memo::new(move |_| {
        FILTERS
            .iter()
            .filter_map(|k| Some(value(k)).filter(|v| !v.is_empty()).map(|v| format!("{k}={}", enc(&v))))
            .collect::<Vec<_>>()
            .join("&")
    });
    let after = Memo::new(move |_| value("after"));
    let page = load(move || {
        let (filters, after) = (filters.get(), after.get());
        async move {
            let cursor = if after.is_empty() { String::new() } else { format!("after={}", enc(&after)) };
            let query = [filters, cursor].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("&");
            api::history(&query).await
        }
    });
    let stats = load(move || {
        let filters = filters.get();
        async move { api::history_stats(&filters).await }
    });
    let fields: Vec<(&'static str, RwSignal<String>)> = FILTERS.iter().map(|k| (*k, RwSignal::new(value(k)))).collect();
    let for_submit = fields.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q: Vec<String> = for_submit
            .iter()
            .map(|(k, v)| (k, v.get_untracked()))
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", enc(v.trim())))
            .collect();
        navigate(&paths::history(&q.join("&")), false);
    };
    let field = |key: &str| fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).expect("a filter");
    let text = move |key: &'static str, label: &'static str, kind: &'static str| {
        let v = field(key);
        view! { <label>{label}<input type=kind name=key prop:value=move || v.get() on:input=move |ev| v.set(event_target_value(&ev))/></label> }
    };
    let outcome = field("outcome");
    // The figures and the timeline are of one service only when all three name it.
    let service = Memo::new(move |_| one_service(&value("environment"), &value("cluster"), &value("service")));
    let ambiguous = Memo::new(move |_| partial(&value("environment"), &value("cluster"), &value("service")));
    view! {
        <super::PipelineTabs/>
        <div class="page-head"><h1>{move || service.get().map_or_else(|| "Deployments".to_string(), |s| format!("Deployments of {s}"))}</h1></div>
        <form class="filters" id="historyFilters" on:submit=submit>
            <ServiceFilter environment=field("environment") cluster=field("cluster") service=field("service")/>
            {text("actor", "Who", "text")}
            <label>"Outcome"<select name="outcome" prop:value=move || outcome.get() on:change=move |ev| outcome.set(event_target_value(&ev))>
                <option value="">"any"</option>
                {Outcome::ALL.iter().map(|o| view! { <option value=o.as_str()>{o.as_str()}</option> }).collect_view()}
            </select></label>
            {text("from", "From", "date")}
            {text("to", "To", "date")}
            <button type="submit" class="primary">"Filter"</button>
        </form>
        {move || if ambiguous.get() {
            Some(view! {
                <p class="hint" id="pickService">"Choose the environment and cluster too: services of one name in other clusters are not the same service, so no figures are drawn."</p>
            }.into_any())
        } else {
            stats.get().map(|s| match s {
                Ok(s) => view! { <Figures stats=s/> }.into_any(),
                Err(e) => view! { <ErrorBanner error=e/> }.into_any(),
            })
        }}
        {move || match page.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(p)) => {
                let timeline = service.get_untracked().is_some().then(|| {
                    let mut items = p.items.clone();
                    items.reverse();
                    view! { <Timeline items/> }
                });
                let next = p.next.clone().map(|n| {
                    let base = filters.get_untracked();
                    let q = if base.is_empty() { format!("after={}", enc(&n)) } else { format!("{base}&after={}", enc(&n)) };
                    view! { <a class="button" id="olderPage" href=paths::history(&q)>"Older →"</a> }
                });
                let rows = p.items.into_iter().map(|d| {
                    let service_link = paths::service(&d.environment, &d.cluster, &d.service);
                    view! {
                        <tr data-id=d.id.to_string() data-outcome=d.outcome.as_str() data-kind=d.kind.as_str()>
                            <td><a href=paths::deployment(d.id)>{format!("#{}", d.id)}</a></td>
                            <td>{local_time(Some(&d.started_at))}</td>
                            <td>{d.environment.clone()}</td>
                            <td><a href=service_link rel="external">{format!("{}/{}", d.cluster, d.service)}</a></td>
                            <td>{d.kind_label()}</td>
                            <td>{d.actor.clone()}</td>
                            <td class="mono">{format!("{} → {}", d.from_task_definition.clone().unwrap_or_else(|| "?".into()), d.to_task_definition.clone().unwrap_or_else(|| "…".into()))}</td>
                            <td>{outcome_badge(d.outcome)}
                                {d.awaiting_approval.is_some().then(|| view! { " " <span class="badge warn awaiting">"awaiting approval"</span> })}
                                {d.freeze_override.clone().map(|o| view! { " " <span class="badge warn freeze-override" title=o>"freeze override"</span> })}
                                {d.verdict.as_ref().map(|v| view! { <small class="verdict-line" title=v.summary.clone()>{v.summary.clone()}</small> })}</td>
                            <td>{d.duration_ms.map(crate::format::seconds).unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    {timeline}
                    <table class="grid" id="history">
                        <thead><tr><th>"#"</th><th>"Started"</th><th>"Environment"</th><th>"Service"</th><th>"Kind"</th>
                            <th>"Who"</th><th>"Revision"</th><th>"Outcome"</th><th>"Duration"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    {next}
                }.into_any()
            }
        }}
    }
}
