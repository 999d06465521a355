//! ECS's own deployment of the service, live (the watch stream's `rollout`): its lifecycle stages
//! as a track, the production (and test) traffic split between the source and target revisions,
//! the bake timer, the circuit breaker and alarms, and — when it waits at a PAUSE hook — "Awaiting
//! approval" with Continue and Roll back for those the environment lets answer; "Stop deployment"
//! (roll back, or abort where it stands) while it runs. And the load balancer targets' health.

use leptos::prelude::*;
use shared::deploy::{HookState, NativeRollout, RevisionCounts, TargetHealth};
use shared::error::ApiError;

use crate::api;
use crate::components::ErrorBanner;
use crate::format::local_time;
use crate::load::send;
use crate::pages::param;

/// The answer (approval or stop) in flight and its error, kept by the page: the panel is drawn
/// again at every change of ECS's record, and an error (four eyes' 403) must stay readable.
#[derive(Clone, Copy)]
pub struct RolloutUi {
    pub pending: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
}

impl Default for RolloutUi {
    fn default() -> Self {
        Self { pending: RwSignal::new(false), error: RwSignal::new(None) }
    }
}

impl RolloutUi {
    fn send(self, answer: impl std::future::Future<Output = Result<(), ApiError>> + 'static) {
        self.error.set(None);
        send(self.pending, answer, move |r| self.error.set(r.err()));
    }
}

/// The stages a strategy goes through, in order (ROLLING: scale up, clean up).
fn stages(strategy: &str) -> &'static [&'static str] {
    match strategy {
        "BLUE_GREEN" | "LINEAR" | "CANARY" => &[
            "PRE_SCALE_UP",
            "SCALE_UP",
            "POST_SCALE_UP",
            "TEST_TRAFFIC_SHIFT",
            "POST_TEST_TRAFFIC_SHIFT",
            "PRODUCTION_TRAFFIC_SHIFT",
            "POST_PRODUCTION_TRAFFIC_SHIFT",
            "BAKE_TIME",
            "CLEAN_UP",
        ],
        _ => &["SCALE_UP", "CLEAN_UP"],
    }
}

/// `PRODUCTION_TRAFFIC_SHIFT` -> `Production traffic shift` (ASCII only: Unicode case tables would
/// add ~25 KB to the bundle).
fn words(stage: &str) -> String {
    let mut text = stage.replace('_', " ").to_ascii_lowercase();
    if let Some(first) = text.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    text
}

fn track(r: &NativeRollout) -> impl IntoView + use<> {
    let strategy = r.strategy.clone().unwrap_or_else(|| "ROLLING".into());
    let list = stages(&strategy);
    let at = r.stage.as_deref().and_then(|s| list.iter().position(|x| *x == s));
    let over = r.is_over();
    let succeeded = r.status == "SUCCESSFUL";
    let items = list
        .iter()
        .enumerate()
        .map(|(i, stage)| {
            let state = match at {
                _ if over && succeeded => "done",
                Some(a) if i < a => "done",
                Some(a) if i == a => {
                    if over {
                        "ended"
                    } else {
                        "now"
                    }
                }
                _ => "later",
            };
            view! { <li class=format!("stage {state}") data-stage=*stage>{words(stage)}</li> }
        })
        .collect_view();
    view! { <ol class="stage-track" id="stageTrack">{items}</ol> }
}

/// A traffic weight as a whole percent (integers only: formatting floats would add ~20 KB of
/// float printing to the bundle).
fn weight(c: Option<&RevisionCounts>, production: bool) -> i64 {
    let w = c.and_then(|c| if production { c.production_traffic_weight } else { c.test_traffic_weight });
    w.unwrap_or(0.0).round().clamp(0.0, 100.0) as i64
}

/// The production split as a bar: source (blue) and target (green) shares.
fn traffic(r: &NativeRollout) -> Option<impl IntoView + use<>> {
    let target = r.target.as_ref();
    target.and_then(|t| t.production_traffic_weight)?;
    let to = weight(target, true);
    let test = weight(target, false);
    Some(view! {
        <div class="traffic" id="trafficSplit" data-target-weight=to.to_string()>
            <span class="label">"Production traffic"</span>
            // A progress bar, not styled spans: the Content-Security-Policy refuses inline styles.
            <progress class="split-bar" max="100" value=to.to_string()
                aria-label=format!("{to}% of production traffic on the new revision")></progress>
            <small>{format!("{}% old · {to}% new · test traffic {test}% new", 100 - to)}</small>
        </div>
    })
}

fn revision_line(label: &'static str, c: &RevisionCounts) -> impl IntoView + use<> {
    view! {
        <div class="progress-line">
            <span>{label}" "<span class="mono">{c.task_definition.clone().unwrap_or_else(|| "?".into())}</span></span>
            <progress max=c.requested.max(1).to_string() value=c.running.to_string()></progress>
            <small>{format!("{} / {} running, {} pending", c.running, c.requested, c.pending)}</small>
        </div>
    }
}

/// Minutes of bake left, counted from when Berth first saw the stage.
fn bake_left(r: &NativeRollout) -> Option<String> {
    if r.stage.as_deref() != Some("BAKE_TIME") || r.is_over() {
        return None;
    }
    let minutes = r.bake_time_in_minutes?;
    let since = r.stage_seen_at_ms?;
    let left_ms = since + minutes * 60_000 - js_sys::Date::now() as i64;
    Some(format!("Baking: {minutes} min, about {} min left", (left_ms.max(0) + 59_999) / 60_000))
}

/// The bake timer, counting down between two snapshots too (ECS's record doesn't change while
/// it bakes).
fn bake_timer(r: &NativeRollout) -> Option<impl IntoView + use<>> {
    bake_left(r)?;
    let tick = RwSignal::new(0u32);
    if let Ok(handle) = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(10)) {
        on_cleanup(move || handle.clear());
    }
    let r = r.clone();
    Some(view! { <p id="bakeTimer">{move || { tick.track(); bake_left(&r) }}</p> })
}

fn monitors(r: &NativeRollout) -> impl IntoView + use<> {
    let breaker = r.circuit_breaker.clone().filter(|b| b.status != "DISABLED").map(|b| {
        format!(
            "Circuit breaker {}: {} of {} failed tasks",
            words(&b.status).to_ascii_lowercase(),
            b.failure_count,
            b.threshold
        )
    });
    let alarms = r.alarms.clone().filter(|a| a.status != "DISABLED").map(|a| {
        let fired =
            if a.triggered.is_empty() { String::new() } else { format!(" — triggered: {}", a.triggered.join(", ")) };
        format!("Alarms {} ({}){fired}", words(&a.status).to_ascii_lowercase(), a.alarm_names.join(", "))
    });
    view! {
        {breaker.map(|b| view! { <p class="muted" id="breakerStatus">{b}</p> })}
        {alarms.map(|a| view! { <p class="muted" id="alarmStatus">{a}</p> })}
    }
}

#[component]
fn Approval(hook: HookState, stage: String, may_answer: bool) -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let ui = expect_context::<RolloutUi>();
    let pending = ui.pending;
    let answer = move |action: &'static str| {
        let (env, cluster, service) = (env.get_untracked(), cluster.get_untracked(), service.get_untracked());
        ui.send(async move { api::answer_rollout(&env, &cluster, &service, action).await });
    };
    let timeout = hook.timeout_action.clone().unwrap_or_else(|| "ROLLBACK".into());
    view! {
        <div class="banner warning approval" id="awaitingApproval" role="status">
            <strong>"Awaiting approval"</strong>
            <p>{format!("Paused at {} until someone continues or rolls it back; at {} ECS will {} it.",
                words(&stage), local_time(hook.expires_at.as_deref()),
                if timeout == "CONTINUE" { "continue" } else { "roll back" })}</p>
            {may_answer.then(|| view! {
                <div class="actions">
                    <button class="primary" id="approveContinue" disabled=move || pending.get() on:click=move |_| answer("CONTINUE")>"Continue"</button>
                    <button class="danger" id="approveRollback" disabled=move || pending.get() on:click=move |_| answer("ROLLBACK")>"Roll back"</button>
                </div>
            })}
        </div>
    }
}

#[component]
fn StopDeployment() -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let ui = expect_context::<RolloutUi>();
    let pending = ui.pending;
    let stop = move |stop_type: &'static str| {
        let (env, cluster, service) = (env.get_untracked(), cluster.get_untracked(), service.get_untracked());
        ui.send(async move { api::stop_native_rollout(&env, &cluster, &service, stop_type).await });
    };
    view! {
        <details class="stop-deployment">
            <summary>"Stop deployment"</summary>
            <p class="hint">"Roll back returns every task and all traffic to the previous revision; abort leaves things where they are now."</p>
            <div class="actions">
                <button class="danger" id="stopRollback" disabled=move || pending.get() on:click=move |_| stop("ROLLBACK")>"Stop and roll back"</button>
                <button id="stopAbort" disabled=move || pending.get() on:click=move |_| stop("ABORT")>"Abort"</button>
            </div>
        </details>
    }
}

/// ECS's deployment of the service: stages, traffic, counts, bake, monitors, approval and stop.
#[component]
pub fn NativeRolloutPanel(rollout: NativeRollout, may_deploy: bool, may_approve: bool) -> impl IntoView {
    let r = rollout;
    let strategy = r.strategy.clone().unwrap_or_else(|| "ROLLING".into());
    let awaiting = r.awaiting_approval().cloned();
    let live = !r.is_over();
    // ECS stops a deployment that runs; one already stopping or rolling back can't be stopped again.
    let stoppable = matches!(r.status.as_str(), "PENDING" | "IN_PROGRESS");
    let stage = r.stage.clone().unwrap_or_default();
    let error = expect_context::<RolloutUi>().error;
    view! {
        <section class="native-rollout" id="nativeRollout" data-status=r.status.clone() data-stage=stage.clone()>
            <h3>{format!("ECS deployment · {strategy} · {}", words(&r.status))}
                {awaiting.is_some().then(|| view! { " " <span class="badge warn">"awaiting approval"</span> })}</h3>
            {track(&r)}
            {traffic(&r)}
            {r.source.first().map(|c| revision_line("From", c))}
            {r.target.as_ref().map(|c| revision_line("To", c))}
            {bake_timer(&r)}
            {monitors(&r)}
            {r.rollback.is_some().then(|| r.why().map(|why| view! { <p class="verdict">{format!("Rolled back: {why}.")}</p> })).flatten()}
            {(!live && r.rollback.is_none()).then(|| r.status_reason.clone().map(|why| view! { <p class="muted">{why}</p> }))}
            {awaiting.map(|hook| view! { <Approval hook stage=stage.clone() may_answer=may_approve/> })}
            {(stoppable && may_deploy).then(|| view! { <StopDeployment/> })}
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
        </section>
    }
}

/// The load balancer's view of the service's tasks: each target of its target groups, with the task
/// behind it.
#[component]
pub fn TargetsTable(targets: Vec<TargetHealth>, env: String, cluster: String) -> impl IntoView {
    let rows = targets
        .into_iter()
        .map(|t| {
            let state = t.state.clone();
            let task = t.task.map(|id| view! {
                <a class="mono" href=crate::api::paths::task(&env, &cluster, &id) rel="external">{id.chars().take(12).collect::<String>()}</a>
            });
            view! {
                <tr data-state=state.clone()>
                    <td class="mono">{t.target_group}<small>{format!(" ({})", t.role)}</small></td>
                    <td class="mono">{t.target}</td>
                    <td>{task}</td>
                    <td><span class=format!("badge {}", if state == "healthy" { "ok" } else if state == "unhealthy" { "bad" } else { "info" })>{state.clone()}</span></td>
                    <td>{t.reason.unwrap_or_default()}<small>{t.description.map(|d| format!(" {d}"))}</small></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section id="targets">
            <h2>"Load balancer targets"</h2>
            <table class="grid">
                <thead><tr><th>"Target group"</th><th>"Target"</th><th>"Task"</th><th>"Health"</th><th>"Reason"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
