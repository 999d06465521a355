//! The service page, live while open (the server's watch stream): the latest Berth deployment
//! with its progress, ECS deployments with their rollout, tasks, events newest first; deploy,
//! roll back, scale, export, CI snippets, delete, and the way to the "Update service" page.

use leptos::prelude::*;
use shared::ecs::service::{Deployment, ServiceDetail};
use shared::error::ApiError;

use crate::api::{self, paths};
use crate::components::{ErrorBanner, JsonExport, Modal};
use crate::format::local_time;
use crate::load::{load, send};
use crate::pages::param;

use super::deploy::{CiPanel, DeployDialog, RollbackDialog, RolloutPanel};
use super::native::{NativeRolloutPanel, RolloutUi, TargetsTable};
use super::open::Addresses;

/// `/e/:env/services/:cluster/:service`.
#[component]
pub fn ServicePage() -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let live = super::live::watch(&env.get_untracked(), &cluster.get_untracked(), &service.get_untracked());
    let (detail, deployment, native, targets) = (live.detail, live.deployment, live.rollout, live.targets);
    let (may_deploy, _) = roles();
    provide_context(RolloutUi::default());
    // Who may answer a paused deployment is the environment's to say (deployer by default).
    let may_approve = move || {
        let env = env.get();
        let needed = use_context::<crate::context::Environments>()
            .and_then(|e| e.0.get())
            .and_then(Result::ok)
            .and_then(|list| list.into_iter().find(|e| e.name == env))
            .map_or(shared::auth::Role::Deployer, |e| e.approvals.role.max(shared::auth::Role::Deployer));
        crate::context::session().role_in(&env).is_some_and(|r| r >= needed)
    };
    // After a change made here, show it now rather than at the next poll.
    let reload = Callback::new(move |()| {
        let (env, cluster, service) = (env.get_untracked(), cluster.get_untracked(), service.get_untracked());
        leptos::task::spawn_local(async move {
            if let Ok(found) = api::get_service(&env, &cluster, &service).await {
                detail.set(Some(Ok(found)));
            }
        });
    });
    let ui = DeployUi {
        deploying: RwSignal::new(false),
        rolling_back: RwSignal::new(false),
        promoting: RwSignal::new(false),
        deleting: RwSignal::new(false),
    };
    provide_context(ui);
    let task_definition = Memo::new(move |_| {
        detail.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.task_definition.clone()).unwrap_or_default())
    });
    let known = move || !task_definition.get().is_empty();
    // The forms are rebuilt only when what they start from changes (not at every snapshot of a
    // rollout): a value being typed, an open panel or a message stays while the page is live.
    let loaded = Memo::new(move |_| detail.with(|d| matches!(d, Some(Ok(_)))));
    let settings = Memo::new(move |_| {
        detail.with(|d| {
            d.as_ref().and_then(|r| r.as_ref().ok()).map(|d| (d.desired_count, d.scheduling_strategy.clone()))
        })
    });
    let current = move || detail.get_untracked().and_then(Result::ok);
    view! {
        {move || match detail.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(d)) => {
                let rollout = deployment.get().map(|r| view! { <RolloutPanel deployment=r detail=d.clone()/> });
                // ECS's own record: while it runs, and always for the strategies that move traffic.
                let ecs = native.get().filter(|n| !n.is_over() || n.strategy.as_deref().is_some_and(|s| s != "ROLLING"));
                let ecs = ecs.map(|n| view! { <NativeRolloutPanel rollout=n may_deploy=may_deploy() may_approve=may_approve()/> });
                view! { <ServiceSummary detail=d>{rollout}{ecs}</ServiceSummary> }.into_any()
            }
        }}
        {move || settings.get().and(current()).map(|d| view! { <Controls detail=d reload/> })}
        {move || detail.get().and_then(Result::ok).map(|d| view! { <ServiceTables detail=d/> })}
        {move || { let t = targets.get(); (!t.is_empty()).then(|| view! { <TargetsTable targets=t env=env.get() cluster=cluster.get()/> }) }}
        {move || loaded.get().then(|| view! { <ExportPanel/> })}
        <Show when=known>
            <CiPanel env cluster=cluster.get_untracked() service=service.get_untracked() task_definition/>
        </Show>
        <Show when=move || ui.deploying.get() && known()>
            <DeployDialog env cluster=cluster.get_untracked() service=service.get_untracked() task_definition
                on_close=Callback::new(move |()| ui.deploying.set(false))/>
        </Show>
        <Show when=move || ui.rolling_back.get()>
            <RollbackDialog env cluster=cluster.get_untracked() service=service.get_untracked()
                on_close=Callback::new(move |()| ui.rolling_back.set(false))/>
        </Show>
        <Show when=move || ui.promoting.get()>
            <super::promote::PromoteDialog env cluster=cluster.get_untracked() service=service.get_untracked()
                on_close=Callback::new(move |()| ui.promoting.set(false))/>
        </Show>
        <Show when=move || ui.deleting.get()>
            <DeleteDialog desired=current().map_or(0, |d| d.desired_count) on_close=Callback::new(move |()| ui.deleting.set(false))/>
        </Show>
    }
}

/// Whether the person may deploy and scale, and whether they may change settings and delete, in
/// this page's environment.
fn roles() -> (impl Fn() -> bool + Copy, impl Fn() -> bool + Copy) {
    use shared::auth::Role;
    let env = param("env");
    let role = move || crate::context::session().role_in(&env.get());
    (move || role().is_some_and(|r| r >= Role::Deployer), move || role() == Some(Role::Admin))
}

/// Opens the deploy, rollback and delete dialogs (they live outside the view the stream re-renders).
#[derive(Clone, Copy)]
struct DeployUi {
    deploying: RwSignal<bool>,
    rolling_back: RwSignal<bool>,
    promoting: RwSignal<bool>,
    deleting: RwSignal<bool>,
}

fn progress(d: Deployment) -> impl IntoView {
    let state = d.rollout_state.clone().unwrap_or_default();
    view! {
        <tr class=format!("deployment {}", d.status.to_ascii_lowercase()) data-status=d.status.clone() data-rollout=state.clone()>
            <td>{d.status.clone()}</td>
            <td><span class=format!("rollout {}", state.to_ascii_lowercase())>{state.clone()}</span>
                {d.rollout_state_reason.clone().map(|r| view! { <small class="muted">{r}</small> })}</td>
            <td class="mono">{d.task_definition.clone()}</td>
            <td>
                <progress max=d.desired_count.max(1).to_string() value=d.running_count.min(d.desired_count.max(1)).to_string()></progress>
                <small>{format!("{} running / {} desired, {} pending, {} failed", d.running_count, d.desired_count, d.pending_count, d.failed_tasks)}</small>
            </td>
            <td>{local_time(d.created_at.as_deref())}</td>
            <td>{local_time(d.updated_at.as_deref())}</td>
        </tr>
    }
}

/// The service's head, facts and latest Berth deployment: re-rendered with each snapshot.
#[component]
fn ServiceSummary(detail: ServiceDetail, children: Children) -> impl IntoView {
    let ui = expect_context::<DeployUi>();
    let env = param("env");
    let (can_deploy, is_admin) = roles();
    let d = detail;
    let capacity = d.launch_type.clone().unwrap_or_else(|| {
        d.capacity_provider_strategy
            .iter()
            .map(|c| format!("{}:{}", c.capacity_provider, c.weight.unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", ")
    });
    let breaker = d.deployment_configuration.as_ref().and_then(|c| c.deployment_circuit_breaker.clone());
    let family = d.task_definition.split(':').next().unwrap_or_default().to_string();
    let revision: i64 = d.task_definition.rsplit(':').next().and_then(|r| r.parse().ok()).unwrap_or(0);
    let td_link = paths::task_revision(&env.get_untracked(), &family, revision);
    let update_link = paths::service_update(&env.get_untracked(), &d.cluster, &d.service_name);
    let history_link = paths::history(&format!(
        "environment={}&cluster={}&service={}",
        api::enc(&env.get_untracked()),
        api::enc(&d.cluster),
        api::enc(&d.service_name)
    ));
    view! {
        <div class="page-head">
            <h1>{d.service_name.clone()}</h1>
            <span class="badge ok" id="serviceStatus">{d.status.clone()}</span>
            <div class="spacer"></div>
            <Show when=can_deploy>
                <button type="button" class="primary" id="deployButton" on:click=move |_| ui.deploying.set(true)>"Deploy"</button>
                <button type="button" id="rollbackButton" on:click=move |_| ui.rolling_back.set(true)>"Roll back"</button>
            </Show>
            {move || (!super::promote::targets(&env.get()).is_empty()).then(|| view! {
                <button type="button" id="promoteButton" title="Promote this release to another environment"
                    on:click=move |_| ui.promoting.set(true)>"Promote…"</button>
            })}
            <a href=paths::service_logs(&env.get_untracked(), &d.cluster, &d.service_name) rel="external" class="button" id="logsLink">"Logs"</a>
            <a href=history_link rel="external" class="button" id="historyLink">"History"</a>
            <a href=paths::cluster(&env.get_untracked(), &d.cluster) rel="external" class="button">{format!("Cluster {}", d.cluster)}</a>
            <Show when=is_admin>
                <a href=update_link.clone() rel="external" class="button"
                    id="updateService">"Update service"</a>
                <button type="button" class="danger" id="deleteService" on:click=move |_| ui.deleting.set(true)>"Delete service"</button>
            </Show>
        </div>
        <dl class="facts">
            <dt>"Task definition"</dt><dd><a href=td_link rel="external" class="mono">{d.task_definition.clone()}</a></dd>
            <dt>"Tasks"</dt><dd id="counts">{format!("{} desired, {} running, {} pending", d.desired_count, d.running_count, d.pending_count)}</dd>
            <dt>"Scheduling"</dt><dd>{d.scheduling_strategy.clone()}</dd>
            <dt>"Launch"</dt><dd>{capacity}</dd>
            <dt>"Circuit breaker"</dt><dd id="breaker">{match breaker {
                Some(b) if b.enable && b.rollback => "on, rolls back a failed deployment",
                Some(b) if b.enable => "on, no rollback",
                _ => "off",
            }}</dd>
        </dl>
        <Addresses cluster=d.cluster.clone() service=d.service_name.clone()/>
        {children()}
    }
}

/// Scale, built from the service as it was when it was last rebuilt (settings and the
/// update-service JSON are on the "Update service" page).
#[component]
fn Controls(detail: ServiceDetail, reload: Callback<()>) -> impl IntoView {
    let (can_deploy, _) = roles();
    let daemon = detail.scheduling_strategy == "DAEMON";
    (!daemon).then(|| view! { <Show when=can_deploy><ScaleForm current=detail.desired_count reload/></Show> })
}

/// ECS's deployments, the tasks and the events: re-rendered with each snapshot.
#[component]
fn ServiceTables(detail: ServiceDetail) -> impl IntoView {
    let d = detail;
    let deployments = d.deployments.iter().cloned().map(progress).collect_view();
    let events = d
        .events
        .iter()
        .take(50)
        .map(|e| view! { <li><time>{local_time(e.created_at.as_deref())}</time>" "{e.message.clone()}</li> })
        .collect_view();
    let env = param("env").get_untracked();
    let tasks = d.tasks.iter().map(|t| view! {
                    <tr data-status=t.last_status.clone()>
                        <td class="mono"><a href=paths::task(&env, &d.cluster, &t.task_id) rel="external">{t.task_id.chars().take(12).collect::<String>()}</a></td>
                        <td>{t.last_status.clone()}</td>
                        <td>{t.health_status.clone().unwrap_or_else(|| "—".into())}</td>
                        <td class="mono">{t.task_definition.clone()}</td>
                        <td class="mono">{t.container_instance_id.clone().map(|c| c.chars().take(12).collect::<String>()).unwrap_or_else(|| "—".into())}</td>
                        <td>{local_time(t.started_at.as_deref())}</td>
                        <td>{t.stopped_reason.clone().map(|r| format!("{} {r}", t.stop_code.clone().unwrap_or_default())).unwrap_or_default()}</td>
                    </tr>
                }).collect_view();
    view! {
        <h2>"Deployments"</h2>
        <table class="grid" id="deployments">
            <thead><tr><th>"Status"</th><th>"Rollout"</th><th>"Task definition"</th><th>"Tasks"</th><th>"Created"</th><th>"Updated"</th></tr></thead>
            <tbody>{deployments}</tbody>
        </table>
        <h2>"Tasks"</h2>
        <table class="grid" id="tasks">
            <thead><tr><th>"Task"</th><th>"Last status"</th><th>"Health"</th><th>"Task definition"</th>
                <th>"Container instance"</th><th>"Started"</th><th>"Stopped reason"</th></tr></thead>
            <tbody>
                {tasks}
            </tbody>
        </table>
        <h2>"Events"</h2>
        <ul class="events" id="events">
            {events}
        </ul>
    }
}

#[component]
fn ScaleForm(current: i64, reload: Callback<()>) -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let wanted = RwSignal::new(current.to_string());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(count) = wanted.get_untracked().trim().parse::<i64>() else {
            error.set(Some(ApiError::new(shared::error::ErrorCode::Validation, "Desired count is a whole number.")));
            return;
        };
        let (env, cluster, service) = (env.get_untracked(), cluster.get_untracked(), service.get_untracked());
        send(pending, async move { api::scale_service(&env, &cluster, &service, count).await }, move |answer| {
            match answer {
                Ok(_) => {
                    error.set(None);
                    reload.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="inline-form" id="scaleForm" on:submit=submit>
            <label>"Desired tasks "<input type="number" min="0" id="desiredCount" prop:value=move || wanted.get()
                on:input=move |ev| wanted.set(event_target_value(&ev))/></label>
            <button type="submit" disabled=move || pending.get()>"Scale"</button>
        </form>
        <PlacementWarnings id="scaleWarning" desired=Signal::derive(move || wanted.get().trim().parse::<i64>().ok().filter(|n| *n >= 0)) rollout=false/>
        {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
    }
}

/// Before a scale or a deploy: what ECS can't place, as the server's placement check says (nothing
/// while it answers, or when everything fits).
#[component]
pub(super) fn PlacementWarnings(
    id: &'static str,
    #[prop(into)] desired: Signal<Option<i64>>,
    rollout: bool,
) -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let found = load(move || {
        let (env, cluster, service, desired) = (env.get(), cluster.get(), service.get(), desired.get());
        async move { api::service_placement(&env, &cluster, &service, desired, rollout).await }
    });
    move || {
        let warnings = found.get()?.ok().filter(|w| !w.is_empty())?;
        Some(view! {
            <div id=id role="status">
                {warnings.into_iter().map(|w| view! { <p class="banner warning" data-path=w.path>{w.message}</p> }).collect_view()}
            </div>
        })
    }
}

#[component]
fn ExportPanel() -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let json = load(move || {
        let (env, cluster, service) = (env.get(), cluster.get(), service.get());
        async move { api::export_service(&env, &cluster, &service).await }
    });
    let text = move || json.get().and_then(Result::ok).unwrap_or_default();
    view! {
        <JsonExport summary="Export as create-service JSON" id="exportJson" json=Signal::derive(text)
            hint=view! { <code>"aws ecs create-service --cli-input-json"</code>" takes it as is." }.into_any()/>
    }
}

#[component]
fn DeleteDialog(desired: i64, on_close: Callback<()>) -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    // `force`: ECS stops the tasks itself; otherwise scale to 0 first (tasks drain as in a scale-in).
    let delete = move |force: bool| {
        let (env, cluster, service) = (env.get_untracked(), cluster.get_untracked(), service.get_untracked());
        let back = paths::cluster(&env, &cluster);
        let work = async move {
            if !force && desired > 0 {
                api::scale_service(&env, &cluster, &service, 0).await?;
            }
            api::delete_service(&env, &cluster, &service, force).await
        };
        send(pending, work, move |answer| match answer {
            Ok(()) => crate::context::go(&back),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <Modal title=format!("Delete service {}?", service.get_untracked()) on_close>
            {if desired > 0 {
                view! { <p>{format!("It runs {desired} task{}. ECS deletes a service once it is scaled to 0; forcing stops its tasks at once.", if desired == 1 { "" } else { "s" })}</p> }.into_any()
            } else {
                view! { <p>"It runs no task."</p> }.into_any()
            }}
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                {(desired > 0).then(|| view! {
                    <button type="button" class="danger" id="forceDelete" disabled=move || pending.get() on:click=move |_| delete(true)>"Force delete"</button>
                })}
                <button type="button" class="danger" id="confirmDelete" disabled=move || pending.get() on:click=move |_| delete(false)>
                    {if desired > 0 { "Scale to 0 and delete" } else { "Delete" }}
                </button>
            </div>
        </Modal>
    }
}
