//! Deploying from the service page: the Deploy dialog (per container, an image from the
//! environment's ECR repositories, pinned by digest or tag, or typed; a note; the task definition
//! diff it would make), Roll back, the latest deployment's live progress, and CI snippets.

use leptos::prelude::*;
use shared::deploy::snippets::{CiContext, SnippetContainer, github, gitlab, repository_of};
use shared::deploy::{DeployPreview, DeployRequest, DeploymentRecord, ImageChange, Outcome, RedeployRequest};
use shared::ecs::service::ServiceDetail;
use shared::error::ApiError;

use crate::api::{self, paths};
use crate::components::{ChangeTable, CopyButton, EcrPicker, ErrorBanner, Modal, PlanView, outcome_badge};
use crate::format::local_time;
use crate::load::{load, send};

/// `family:revision` -> its containers' names and images.
fn containers_of(env: Memo<String>, task_definition: Memo<String>) -> crate::load::Loaded<Vec<(String, String)>> {
    load(move || {
        let (env, td) = (env.get(), task_definition.get());
        async move {
            let (family, revision) = td.rsplit_once(':').unwrap_or((&td, "0"));
            // Read as plain JSON: the typed task definition model would add most of its size to this bundle.
            let doc = api::get_task_revision_document(&env, family, revision.parse().unwrap_or(0)).await?;
            let spec: serde_json::Value = serde_json::from_str(doc.spec.get()).unwrap_or_default();
            let containers = spec["containerDefinitions"].as_array().cloned().unwrap_or_default();
            let text = |c: &serde_json::Value, key: &str| c[key].as_str().unwrap_or_default().to_string();
            Ok(containers.iter().map(|c| (text(c, "name"), text(c, "image"))).collect())
        }
    })
}

fn idempotency_key() -> String {
    format!("ui-{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e15) as u64)
}

#[component]
pub fn DeployDialog(
    env: Memo<String>,
    cluster: String,
    service: String,
    task_definition: Memo<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let containers = containers_of(env, task_definition);
    let choices = RwSignal::new(Vec::<(String, RwSignal<String>)>::new());
    let note = RwSignal::new(String::new());
    let changes = RwSignal::new(None::<DeployPreview>);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    // A freeze window refused the deploy: an admin of the environment may override it with a reason.
    let freeze_reason = RwSignal::new(String::new());
    let may_override = move || {
        let frozen = error.with(|e| e.as_ref().is_some_and(|e| e.fields.iter().any(|f| f.path == "freezeOverride")));
        let admin = crate::context::session().role_in(&env.get()) == Some(shared::auth::Role::Admin);
        admin && (frozen || !freeze_reason.get().is_empty())
    };
    // One key per dialog: a double click on Deploy makes one deployment.
    let key = idempotency_key();
    let request = move || DeployRequest {
        cluster: cluster.clone(),
        service: service.clone(),
        images: choices
            .get_untracked()
            .into_iter()
            .map(|(container, image)| (container, image.get_untracked()))
            .filter(|(_, image)| !image.trim().is_empty())
            .map(|(container, image)| ImageChange { container, image })
            .collect(),
        note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
        freeze_override: Some(freeze_reason.get_untracked()).filter(|r| !r.trim().is_empty()),
    };
    let for_preview = request.clone();
    let preview = move |_| {
        let (env, request) = (env.get_untracked(), for_preview());
        send(pending, async move { api::preview_deploy(&env, &request).await }, move |answer| match answer {
            Ok(found) => {
                error.set(None);
                changes.set(Some(found));
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let deploy = move |_| {
        let (env, request, key) = (env.get_untracked(), request(), key.clone());
        send(pending, async move { api::deploy(&env, &request, &key).await }, move |answer| match answer {
            Ok(submitted) => crate::pages::after_submit(&submitted, || on_close.run(())),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <Modal title="Deploy a new image" on_close>
            <super::page::PlacementWarnings id="deployPlacement" desired=Signal::stored(None) rollout=true/>
            {move || match containers.get() {
                None => view! { <p class="muted">"Loading the task definition…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok(list)) => {
                    let rows: Vec<(String, RwSignal<String>)> = list.iter().map(|(n, _)| (n.clone(), RwSignal::new(String::new()))).collect();
                    choices.set(rows.clone());
                    list.into_iter().zip(rows).map(|((name, current), (_, value))| view! {
                        <ContainerImage env name current value/>
                    }).collect_view().into_any()
                }
            }}
            <label>"Note (optional)"<input type="text" name="note" maxlength="500" placeholder="Why, in a few words"
                prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))/></label>
            {move || changes.get().map(|found| view! {
                {found.warnings.into_iter().map(|w| view! { <p class="field-warning" data-path=w.path.clone()>{w.message}</p> }).collect_view()}
                <h3>"Task definition changes"</h3>
                <ChangeTable changes=found.changes id="deployPreview" before="Now" after="After the deploy"/>
            })}
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            {move || may_override().then(|| view! {
                <label>"Override the freeze window (admins): why" <input type="text" name="freezeOverride" maxlength="500"
                    placeholder="Kept on the deployment and in the audit log"
                    prop:value=move || freeze_reason.get() on:input=move |ev| freeze_reason.set(event_target_value(&ev))/></label>
            })}
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" id="previewDeploy" disabled=move || pending.get() on:click=preview>"Preview changes"</button>
                <button type="button" class="primary" id="confirmDeploy" disabled=move || pending.get() on:click=deploy>"Deploy"</button>
            </div>
        </Modal>
    }
}

/// One container: its current image, and the new one typed or picked from ECR.
#[component]
fn ContainerImage(env: Memo<String>, name: String, current: String, value: RwSignal<String>) -> impl IntoView {
    view! {
        <fieldset class="container-image" data-container=name.clone()>
            <legend>{format!("Container {name}")}</legend>
            <p class="hint">"Now: "<span class="mono">{current.clone()}</span></p>
            <EcrPicker env current pick=Callback::new(move |reference| value.set(reference))/>
            <label>"New image"<input type="text" name="newImage" class="mono" placeholder="Keep the current one"
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/></label>
        </fieldset>
    }
}

/// Roll back, with what it would deploy shown first. When ECS already rolled the latest
/// deployment back, the dialog says so and the earlier release is a choice to tick, not the default.
#[component]
pub fn RollbackDialog(env: Memo<String>, cluster: String, service: String, on_close: Callback<()>) -> impl IntoView {
    let (c, s) = (cluster.clone(), service.clone());
    let plan = load(move || {
        let (env, cluster, service) = (env.get(), c.clone(), s.clone());
        async move { api::rollback_plan(&env, &cluster, &service).await }
    });
    let note = RwSignal::new(String::new());
    let acknowledged = RwSignal::new(false);
    let further = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let ready = move || match plan.get() {
        Some(Ok(p)) => {
            p.target.is_some()
                && (p.already_rolled_back.is_none() || further.get())
                && (p.failed_before.is_none() || acknowledged.get())
        }
        _ => false,
    };
    let confirm =
        move |_| {
            let Some(Ok(found)) = plan.value.get_untracked() else { return };
            let (env, cluster, service) = (env.get_untracked(), cluster.clone(), service.clone());
            let request = RedeployRequest {
                note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
                deployment: found.already_rolled_back.as_ref().and(found.target.as_ref()).map(|t| t.id),
                acknowledge_failure: found.failed_before.is_some().then_some(true),
                ..Default::default()
            };
            send(pending, async move { api::rollback(&env, &cluster, &service, &request).await }, move |answer| {
                match answer {
                    Ok(submitted) => crate::pages::after_submit(&submitted, || on_close.run(())),
                    Err(e) => error.set(Some(e)),
                }
            });
        };
    view! {
        <Modal title="Roll back" on_close>
            {move || match plan.get() {
                None => view! { <p class="muted">"Finding the release to go back to…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok(p)) => {
                    let offer = p.already_rolled_back.is_some() && p.target.is_some();
                    view! {
                        <PlanView plan=p acknowledged/>
                        {offer.then(|| view! {
                            <label class="check"><input type="checkbox" id="rollBackFurther" prop:checked=move || further.get()
                                on:change=move |ev| further.set(event_target_checked(&ev))/>
                                "Go back further, to this earlier release"</label>
                        })}
                    }.into_any()
                }
            }}
            <label>"Note (optional)"<input type="text" name="note" maxlength="500"
                prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))/></label>
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="danger" id="confirmRollback" disabled=move || pending.get() || !ready() on:click=confirm>"Roll back"</button>
            </div>
        </Modal>
    }
}

/// The latest deployment: its progress while it rolls out, its outcome once it has ended.
#[component]
pub fn RolloutPanel(deployment: DeploymentRecord, detail: ServiceDetail) -> impl IntoView {
    let d = deployment;
    let ours = d.ecs_deployment_id.as_ref().and_then(|id| detail.deployments.iter().find(|x| &x.id == id)).cloned();
    let draining: Vec<_> = detail
        .deployments
        .iter()
        .filter(|x| Some(&x.id) != d.ecs_deployment_id.as_ref() && x.running_count > 0)
        .cloned()
        .collect();
    let live = d.outcome == Outcome::InProgress;
    view! {
        <section class="rollout" id="rollout" data-outcome=d.outcome.as_str() data-kind=d.kind.as_str() data-id=d.id.to_string()>
            <h2>"Latest deployment " <a href=paths::deployment(d.id) rel="external">{format!("#{}", d.id)}</a>" "{outcome_badge(d.outcome)}</h2>
            <p>{format!("{} · {} → {} · started {}",
                d.made_by(),
                d.from_task_definition.clone().unwrap_or_else(|| "?".into()),
                d.to_task_definition.clone().unwrap_or_else(|| "…".into()),
                local_time(Some(&d.started_at)))}</p>
            {live.then(|| ours.map(|n| view! {
                <div class="progress-line">
                    <span>"New "<span class="mono">{n.task_definition.clone()}</span></span>
                    <progress id="rolloutProgress" max=n.desired_count.max(1).to_string() value=n.running_count.to_string()></progress>
                    <small>{format!("{} / {} running", n.running_count, n.desired_count)}</small>
                </div>
            }))}
            {live.then(|| draining.into_iter().map(|o| view! {
                <div class="progress-line old">
                    <span>"Draining "<span class="mono">{o.task_definition.clone()}</span></span>
                    <small>{format!("{} running", o.running_count)}</small>
                </div>
            }).collect_view())}
            {(!live).then(|| view! {
                <p class="muted">{d.reason.clone().unwrap_or_default()}
                    {d.duration_ms.map(|ms| format!(" · took {}", crate::format::seconds(ms)))}</p>
            })}
            {d.verdict.clone().map(|v| view! { <p class="verdict" id="verdict">{v.summary}</p> })}
            {live.then(|| stuck(&detail, d.ecs_deployment_id.as_deref()))}
        </section>
    }
}

/// A rollout that keeps failing with the circuit breaker off never ends by itself: how many
/// tasks failed, how fast, the latest stop reason, and "Stop this rollout".
fn stuck(detail: &ServiceDetail, ecs_id: Option<&str>) -> Option<impl IntoView + use<>> {
    let breaker = detail
        .deployment_configuration
        .as_ref()
        .and_then(|c| c.deployment_circuit_breaker.as_ref())
        .is_some_and(|b| b.enable);
    let primary = detail.deployments.iter().find(|d| d.status == "PRIMARY")?;
    if breaker || primary.failed_tasks == 0 || ecs_id.is_some_and(|id| id != primary.id) {
        return None;
    }
    let started = primary.created_at.as_deref().map(js_sys::Date::parse).filter(|t| t.is_finite());
    let minutes = started.map(|t| ((js_sys::Date::now() - t) / 60_000.0).max(1.0 / 60.0));
    // In tenths with integers: formatting an f64 would add its formatter (~4 KB gzipped) to the bundle.
    let rate = minutes
        .map(|m| {
            let tenths = (primary.failed_tasks as f64 / m * 10.0).round() as i64;
            format!(", {}.{} per minute", tenths / 10, tenths % 10)
        })
        .unwrap_or_default();
    let reason = detail
        .tasks
        .iter()
        .filter(|t| t.task_definition == primary.task_definition && t.last_status == "STOPPED")
        .find_map(|t| t.stopped_reason.clone())
        .unwrap_or_else(|| "no stop reason yet".into());
    let (cluster, service) = (detail.cluster.clone(), detail.service_name.clone());
    let env = crate::pages::param("env");
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let stop = move |_| {
        let (env, cluster, service) = (env.get_untracked(), cluster.clone(), service.clone());
        send(pending, async move { api::stop_rollout(&env, &cluster, &service).await }, move |answer| {
            if let Err(e) = answer {
                error.set(Some(e));
            }
        });
    };
    Some(view! {
        <div class="banner bad" id="stuckRollout">
            <p><strong>"This rollout keeps failing"</strong>" and the circuit breaker is off, so ECS retries for ever: "
                {format!("{} tasks failed{rate}. Latest: {reason}", primary.failed_tasks)}</p>
            <button type="button" class="danger" id="stopRollout" disabled=move || pending.get() on:click=stop>"Stop this rollout"</button>
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
        </div>
    })
}

/// Ready-to-paste CI jobs deploying through Berth with a token.
#[component]
pub fn CiPanel(env: Memo<String>, cluster: String, service: String, task_definition: Memo<String>) -> impl IntoView {
    let containers = containers_of(env, task_definition);
    // Berth's public URL (`--public-url`, else its listen address): what CI reaches, not
    // necessarily what this browser uses; the browser's origin when Berth listens on a wildcard.
    let origin = move || {
        crate::context::session()
            .0
            .with(|me| me.as_ref().and_then(|m| m.public_url.clone()))
            .or_else(|| web_sys::window().and_then(|w| w.location().origin().ok()))
            .unwrap_or_default()
    };
    let snippets = Memo::new(move |_| {
        let list: Vec<SnippetContainer> = containers
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|(name, image)| SnippetContainer { name, repository: repository_of(&image) })
            .collect();
        let env = env.get();
        let info = crate::context::environment_info(&env);
        let berth_url = origin();
        let ci = CiContext {
            berth_url: &berth_url,
            environment: &env,
            region: info.as_ref().map_or("us-east-1", |i| i.region.as_str()),
            local: info.as_ref().is_some_and(|i| i.local),
            cluster: &cluster,
            service: &service,
            containers: &list,
        };
        (gitlab(&ci), github(&ci))
    });
    let gitlab_text = Signal::derive(move || snippets.get().0);
    let github_text = Signal::derive(move || snippets.get().1);
    view! {
        <details class="json-panel" id="ci">
            <summary>"Deploy from CI"</summary>
            <p class="hint">"Create a deployer token (Admin → API tokens, limited to this service) and store it as "
                <code>"BERTH_TOKEN"</code>". The job waits for the rollout and fails when it fails."</p>
            <h3>"GitLab CI — replaces the lab's two jobs (build and push, then register-task-definition + update-service)"</h3>
            <div class="code-block"><pre id="gitlabSnippet">{gitlab_text}</pre><CopyButton text=gitlab_text/></div>
            <h3>"GitHub Actions steps"</h3>
            <div class="code-block"><pre id="githubSnippet">{github_text}</pre><CopyButton text=github_text/></div>
        </details>
    }
}
