use leptos::prelude::*;
use shared::auth::Role;
use shared::error::ApiError;

use crate::api::{self, paths};
use crate::components::ErrorBanner;
use crate::format::local_time;
use crate::load::{load, send};
use crate::pages::param;
use crate::pages::services::outcome_badge;

/// `/deployments/:id`: who, when, how it ended, from -> to, images, the diff and the events.
#[component]
pub fn DeploymentPage() -> impl IntoView {
    let id = param("id");
    let detail = load(move || {
        let id = id.get().parse::<i64>().unwrap_or(0);
        async move { api::deployment(id).await }
    });
    view! {
        {move || match detail.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(found)) => {
                let d = found.deployment;
                let can_deploy = crate::shell::session().role_in(&d.environment).is_some_and(|r| r >= Role::Deployer);
                let revision_link = |td: &Option<String>| td.as_ref().map(|td| {
                    let (family, rev) = td.rsplit_once(':').unwrap_or((td, "0"));
                    view! { <a class="mono" rel="external" href=paths::task_revision(&d.environment, family, rev.parse().unwrap_or(0))>{td.clone()}</a> }
                });
                view! {
                    <div class="page-head">
                        <h1>{format!("Deployment #{}", d.id)}</h1>
                        {outcome_badge(d.outcome)}
                        <div class="spacer"></div>
                        {can_deploy.then(|| view! { <RedeployButton id=d.id env=d.environment.clone() cluster=d.cluster.clone() service=d.service.clone()/> })}
                        <a class="button" rel="external" href=paths::service(&d.environment, &d.cluster, &d.service)>{format!("Service {}", d.service)}</a>
                    </div>
                    <dl class="facts" id="deploymentFacts">
                        <dt>"Service"</dt><dd>{format!("{} / {} / {}", d.environment, d.cluster, d.service)}</dd>
                        <dt>"Kind"</dt><dd>{d.kind_label()}</dd>
                        <dt>"Who"</dt><dd>{d.made_by()}</dd>
                        <dt>"Started"</dt><dd>{local_time(Some(&d.started_at))}</dd>
                        <dt>"Ended"</dt><dd>{local_time(d.ended_at.as_deref())}</dd>
                        <dt>"Duration"</dt><dd>{d.duration_ms.map(crate::format::seconds).unwrap_or_else(|| "—".into())}</dd>
                        <dt>"From"</dt><dd>{revision_link(&d.from_task_definition)}</dd>
                        <dt>"To"</dt><dd>{revision_link(&d.to_task_definition)}</dd>
                        <dt>"Outcome"</dt><dd id="outcomeReason">{d.reason.clone().unwrap_or_default()}</dd>
                        <dt>"Note"</dt><dd>{d.note.clone().unwrap_or_else(|| "—".into())}</dd>
                        <dt>"ECS deployment"</dt><dd class="mono">{d.ecs_deployment_id.clone().unwrap_or_else(|| "—".into())}</dd>
                    </dl>
                    <h2>"Images"</h2>
                    <table class="grid" id="images">
                        <thead><tr><th>"Container"</th><th>"Image"</th><th>"Tag"</th><th>"Digest"</th></tr></thead>
                        <tbody>{d.images.iter().map(|i| view! {
                            <tr><td>{i.container.clone()}</td><td class="mono">{i.image.clone()}</td>
                                <td>{i.tag.clone().unwrap_or_else(|| "—".into())}</td><td class="mono">{i.digest.clone().unwrap_or_else(|| "—".into())}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                    <h2>"Task definition changes"</h2>
                    <table class="grid" id="changes">
                        <thead><tr><th>"Field"</th><th>"Before"</th><th>"After"</th></tr></thead>
                        <tbody>{found.changes.into_iter().map(|c| view! {
                            <tr><td class="mono">{c.path}</td><td class="mono">{c.before.map(|v| v.to_string()).unwrap_or_default()}</td>
                                <td class="mono">{c.after.map(|v| v.to_string()).unwrap_or_default()}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                    <h2>"Rollout events"</h2>
                    <ul class="events" id="events">{found.events.into_iter().map(|e| view! {
                        <li><time>{local_time(e.created_at.as_deref())}</time>" "{e.message}</li>
                    }).collect_view()}</ul>
                }.into_any()
            }
        }}
    }
}

#[component]
fn RedeployButton(id: i64, env: String, cluster: String, service: String) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let target = paths::service(&env, &cluster, &service);
    let click = move |_| {
        let target = target.clone();
        send(pending, async move { api::redeploy(id, None).await }, move |answer| match answer {
            Ok(_) => crate::shell::go(&target),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <button type="button" id="redeploy" disabled=move || pending.get() on:click=click>"Deploy this revision again"</button>
        {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
    }
}
