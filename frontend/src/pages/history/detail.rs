use leptos::prelude::*;
use shared::auth::Role;
use shared::deploy::{Outcome, RedeployRequest, Verdict};
use shared::error::ApiError;
use shared::guardrails::{AcknowledgeRequest, Acknowledgement};

use crate::api::{self, paths};
use crate::components::{ChangeTable, ErrorBanner, ImageTable, Modal, PlanView, outcome_badge};
use crate::format::local_time;
use crate::load::{load, send};
use crate::pages::logs::{LogLines, RolloutLogs};
use crate::pages::param;

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
                let can_deploy = crate::context::session().role_in(&d.environment).is_some_and(|r| r >= Role::Deployer);
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
                    {d.awaiting_approval.clone().map(|hook| view! {
                        <div class="banner warning" id="awaitingApproval" role="status">
                            <strong>"Awaiting approval"</strong>
                            <p>{format!("The rollout waits at a PAUSE hook until someone continues or rolls it back on the service's page; at {} ECS will {} it.",
                                crate::format::local_time(hook.expires_at.as_deref()),
                                if hook.timeout_action.as_deref() == Some("CONTINUE") { "continue" } else { "roll back" })}</p>
                        </div>
                    })}
                    {d.verdict.clone().map(|v| view! { <VerdictPanel verdict=v env=d.environment.clone() cluster=d.cluster.clone()/> })}
                    {(d.outcome == Outcome::InProgress).then(|| d.to_task_definition.clone()).flatten().map(|revision| view! {
                        <RolloutLogs env=d.environment.clone() cluster=d.cluster.clone() service=d.service.clone() revision/>
                    })}
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
                        {d.freeze_override.clone().map(|o| view! { <dt>"Freeze override"</dt><dd id="freezeOverride">{o}</dd> })}
                        {d.approved_by.clone().map(|by| view! { <dt>"Approved by"</dt><dd id="approvedBy">{by}</dd> })}
                        {d.promoted_from.clone().map(|from| view! { <dt>"Promoted from"</dt><dd id="promotedFrom">
                            <a href=paths::deployment(from.id)>{format!("deployment #{} in {}", from.id, from.environment)}</a></dd> })}
                        <dt>"ECS deployment"</dt><dd class="mono">{d.ecs_deployment_id.clone().unwrap_or_else(|| "—".into())}</dd>
                    </dl>
                    <Acknowledgements id=d.id given=found.acknowledgements can=can_deploy && found.counts_as_failed/>
                    <h2>"Images"</h2>
                    <ImageTable images=d.images.clone() id="images"/>
                    <h2>"Task definition changes"</h2>
                    <ChangeTable changes=found.changes id="changes" before="Before" after="After"/>
                    <h2>"Rollout events"</h2>
                    <ul class="events" id="events">{found.events.into_iter().map(|e| view! {
                        <li><time>{local_time(e.created_at.as_deref())}</time>" "{e.message}</li>
                    }).collect_view()}</ul>
                }.into_any()
            }
        }}
    }
}

/// The failed-image guard's acknowledgements of this failure, and (for a deployer, when it failed)
/// the form that adds one: with the guard on, its images go out to the service again only after.
#[component]
fn Acknowledgements(id: i64, given: Vec<Acknowledgement>, can: bool) -> impl IntoView {
    let given = RwSignal::new(given);
    let reason = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = AcknowledgeRequest { reason: reason.get_untracked() };
        send(pending, async move { api::acknowledge(id, &request).await }, move |answer| match answer {
            Ok(a) => {
                given.update(|g| g.push(a));
                reason.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        {move || (!given.get().is_empty()).then(|| view! {
            <h2>"Failure acknowledged"</h2>
            <ul class="events" id="acknowledgements">{given.get().into_iter().map(|a| view! {
                <li><time>{local_time(Some(&a.at))}</time>{format!(" {}: {}", a.actor, a.reason)}</li>
            }).collect_view()}</ul>
        })}
        {can.then(|| view! {
            <form class="inline-form" id="acknowledgeForm" on:submit=submit>
                <label>"Acknowledge that this deployment failed or was rolled back (the failed-image guard then lets its images go out again): why"
                    <input type="text" name="reason" maxlength="500" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))/></label>
                <button type="submit" disabled=move || pending.get()>"Acknowledge"</button>
            </form>
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
        })}
    }
}

/// Why it failed, first: the summary, then each stopped task's stop code, reason and containers.
#[component]
fn VerdictPanel(verdict: Verdict, env: String, cluster: String) -> impl IntoView {
    let breaker = match (verdict.failed_tasks, verdict.threshold) {
        (Some(n), Some(t)) => format!("Circuit breaker: {n} failed tasks, threshold {t}."),
        (Some(n), None) => format!("{n} failed tasks (no circuit breaker)."),
        _ => String::new(),
    };
    view! {
        <section class="banner bad verdict" id="verdict">
            <p><strong>{verdict.summary.clone()}</strong></p>
            {(!breaker.is_empty()).then(|| view! { <p>{breaker}</p> })}
            {(!verdict.stopped_tasks.is_empty()).then(|| view! {
                <div class="table-scroll"><table class="grid" id="stoppedTasks">
                    <thead><tr><th>"Task"</th><th>"Stop code"</th><th>"Reason"</th><th>"Containers"</th></tr></thead>
                    <tbody>{verdict.stopped_tasks.iter().map(|t| view! {
                        <tr><td class="mono">{t.task_id.clone()}</td><td>{t.stop_code.clone().unwrap_or_default()}</td>
                            <td class="mono">{t.stopped_reason.clone().unwrap_or_default()}</td>
                            <td>{containers(t)}</td></tr>
                    }).collect_view()}</tbody>
                </table></div>
            })}
            {verdict.stopped_tasks.iter().flat_map(|t| t.containers.iter().filter(|c| !c.last_lines.is_empty()).map(move |c| (t, c))).take(3).map(|(t, c)| view! {
                <h3 class="kept-lines">{format!("Last lines of {} in task {}", c.name, t.task_id)}</h3>
                <LogLines lines=Signal::stored(c.last_lines.clone()) tasks_in=(env.clone(), cluster.clone())/>
            }).collect_view()}
        </section>
    }
}

/// Each container's exit code, and its reason when it says more than the task's.
fn containers(task: &shared::deploy::StoppedTask) -> String {
    task.containers
        .iter()
        .map(|c| {
            let exit = c.exit_code.map(|e| format!(" exit {e}")).unwrap_or_default();
            let reason = c.reason.as_ref().filter(|r| Some(*r) != task.stopped_reason.as_ref());
            format!("{}{exit}{}", c.name, reason.map(|r| format!(": {r}")).unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "Deploy this revision again": the plan first (what, who, how it ended, the diff); a revision
/// whose latest deployment failed needs the box ticked.
#[component]
fn RedeployButton(id: i64, env: String, cluster: String, service: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let target = paths::service(&env, &cluster, &service);
    view! {
        <button type="button" id="redeploy" on:click=move |_| open.set(true)>"Deploy this revision again"</button>
        <Show when=move || open.get()>
            <RedeployDialog id target=target.clone() on_close=Callback::new(move |()| open.set(false))/>
        </Show>
    }
}

#[component]
fn RedeployDialog(id: i64, target: String, on_close: Callback<()>) -> impl IntoView {
    let plan = load(move || async move { api::redeploy_plan(id).await });
    let acknowledged = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let ready = move || matches!(plan.get(), Some(Ok(p)) if p.failed_before.is_none() || acknowledged.get());
    let confirm = move |_| {
        let target = target.clone();
        let request =
            RedeployRequest { acknowledge_failure: acknowledged.get_untracked().then_some(true), ..Default::default() };
        send(pending, async move { api::redeploy(id, &request).await }, move |answer| match answer {
            Ok(submitted) => crate::pages::after_submit(&submitted, || crate::context::go(&target)),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <Modal title="Deploy this revision again" on_close>
            {move || match plan.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok(p)) => view! { <PlanView plan=p acknowledged/> }.into_any(),
            }}
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="primary" id="confirmRedeploy" disabled=move || pending.get() || !ready() on:click=confirm>"Deploy"</button>
            </div>
        </Modal>
    }
}
