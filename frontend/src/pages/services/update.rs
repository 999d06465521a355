//! "Update service" (`/e/:env/services/:cluster/:service/update`, its own bundle as in the AWS
//! console): the deployment settings and ECS Exec as a form, and an update-service JSON to preview
//! and apply. Either applied, the service page follows the deployment it starts.

use leptos::prelude::*;
use shared::auth::Role;
use shared::ecs::service::{CircuitBreaker, DeploymentConfiguration, LoadBalancer, ServiceDetail, ServiceUpdate};

use crate::api::{self, paths};
use crate::components::form::{Form, Input, Report, number_input, toggle};
use crate::components::{ErrorBanner, role_gate};
use crate::load::{load, send};
use crate::pages::param;

use super::strategy_fields::{advanced_fields, strategy_fields};
use super::update_json::UpdateJsonPanel;

#[component]
pub fn UpdateServicePage() -> impl IntoView {
    role_gate(param("env"), Role::Admin, "Update service", "Updating a service", || view! { <Update/> }.into_any())
}

/// Back to the service's page, where the deployment an update started rolls out live.
fn back_to_service() {
    crate::context::go(location().pathname().unwrap_or_default().trim_end_matches("/update"));
}

#[component]
fn Update() -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let detail = load(move || {
        let (env, cluster, service) = (env.get(), cluster.get(), service.get());
        async move { api::get_service(&env, &cluster, &service).await }
    });
    let back = move || paths::service(&env.get(), &cluster.get(), &service.get());
    view! {
        <div class="page-head">
            <h1>{move || format!("Update service {}", service.get())}</h1>
            <div class="spacer"></div>
            <a href=back rel="external" class="button" id="backToService">"Cancel"</a>
        </div>
        {move || match detail.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(d)) => view! {
                <SettingsForm detail=d/>
                <UpdateJsonPanel on_applied=Callback::new(|()| back_to_service())/>
            }.into_any(),
        }}
    }
}

/// Deployment settings and ECS Exec, applied with UpdateService (optionally forcing a new
/// deployment): the console's form over the UpdateService document. The rules that need the whole
/// service are the server's; its refusal shows at the fields it names.
#[component]
fn SettingsForm(detail: ServiceDetail) -> impl IntoView {
    let env = param("env");
    let config = detail.deployment_configuration.clone().unwrap_or_default();
    let breaker = config.deployment_circuit_breaker.clone().unwrap_or_default();
    let initial = ServiceUpdate {
        cluster: Some(detail.cluster.clone()),
        service: detail.service_name.clone(),
        // Everything else the service has (strategy, hooks, alarms) is kept as it is.
        deployment_configuration: Some(DeploymentConfiguration {
            deployment_circuit_breaker: Some(CircuitBreaker { enable: breaker.enable, rollback: breaker.enable }),
            maximum_percent: Some(config.maximum_percent.unwrap_or(200)),
            minimum_healthy_percent: Some(config.minimum_healthy_percent.unwrap_or(100)),
            ..config.clone()
        }),
        enable_execute_command: Some(detail.enable_execute_command),
        force_new_deployment: Some(false),
        load_balancers: (!detail.load_balancers.is_empty()).then(|| detail.load_balancers.clone()),
        ..ServiceUpdate::default()
    };
    let form = Form::checked(initial, |_: &ServiceUpdate| Report::default());
    let root = form.root();
    let deployment = root.field("deploymentConfiguration", |u: &mut ServiceUpdate| u.deployment_configuration.as_mut());
    let balancers = detail.load_balancers.clone();
    let had_hooks = config.lifecycle_hooks.as_ref().is_some_and(|h| !h.is_empty());
    let balancer = balancer_fields(form, &detail.load_balancers);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.fields.submit();
        let (env, mut update) = (env.get_untracked(), form.spec.get_untracked());
        tidy(&mut update, &balancers, had_hooks);
        send(pending, async move { api::update_service(&env, &update).await }, move |answer| match answer {
            Ok(_) => back_to_service(),
            Err(e) => form.fields.server.set(Some(e)),
        });
    };
    let flag = |on: Option<bool>| on == Some(true);
    view! {
        <section class="json-panel" id="settings">
            <h2>"Settings"</h2>
            <form class="wizard" on:submit=submit>
                <div class="field-pair">
                    {number_input(deployment.field("minimumHealthyPercent", |c: &mut DeploymentConfiguration| Some(&mut c.minimum_healthy_percent)),
                        Input::new("Minimum healthy %").name("minimumHealthyPercent"))}
                    {number_input(deployment.field("maximumPercent", |c: &mut DeploymentConfiguration| Some(&mut c.maximum_percent)),
                        Input::new("Maximum %").name("maximumPercent"))}
                </div>
                {toggle(deployment.field("deploymentCircuitBreaker", |c: &mut DeploymentConfiguration| Some(&mut c.deployment_circuit_breaker)),
                    Input::new("Deployment circuit breaker, with rollback").name("circuitBreaker"),
                    |b| b.is_some_and(|b| b.enable), |on| Some(CircuitBreaker { enable: on, rollback: on }))}
                {strategy_fields(deployment.clone())}
                {balancer}
                {toggle(root.field("enableExecuteCommand", |u: &mut ServiceUpdate| Some(&mut u.enable_execute_command)),
                    Input::new("ECS Exec").name("executeCommand"), flag, Some)}
                {toggle(root.field("forceNewDeployment", |u: &mut ServiceUpdate| Some(&mut u.force_new_deployment)),
                    Input::new("Force a new deployment (replace every task)").name("forceNewDeployment"), flag, Some)}
                {move || form.fields.server.get().map(|e| view! { <ErrorBanner error=e/> })}
                <div class="actions"><button type="submit" class="primary" id="applySettings" disabled=move || pending.get()>"Apply"</button></div>
            </form>
        </section>
    }
}

/// The service's first load balancer's advanced configuration (what BLUE_GREEN, LINEAR and CANARY
/// shift traffic with); the load balancers are sent only when changed.
fn balancer_fields(form: Form<ServiceUpdate>, current: &[LoadBalancer]) -> Option<AnyView> {
    let target_group = current.first()?.target_group_arn.clone().unwrap_or_default();
    let lb =
        form.lens("loadBalancers[0]", |u: &mut ServiceUpdate, _| u.load_balancers.as_mut().and_then(|l| l.first_mut()));
    let advanced = lb.field("advancedConfiguration", |l: &mut LoadBalancer| Some(&mut l.advanced_configuration)).made();
    Some(
        view! {
            <details class="json-panel" id="balancerSettings">
                <summary>"Load balancer: traffic shifting"</summary>
                <p class="muted mono">{target_group}</p>
                {advanced_fields(advanced)}
            </details>
        }
        .into_any(),
    )
}

/// What the form leaves behind made right for UpdateService: unchanged load balancers are not sent
/// (a changed one starts a new deployment); members emptied in the form are absent, not `{}`
/// (ECS would refuse them); hooks all removed are an empty list (absent, ECS keeps them).
fn tidy(update: &mut ServiceUpdate, balancers: &[LoadBalancer], had_hooks: bool) {
    for lb in update.load_balancers.iter_mut().flatten() {
        if lb.advanced_configuration == Some(Default::default()) {
            lb.advanced_configuration = None;
        }
    }
    if update.load_balancers.as_deref() == Some(balancers) {
        update.load_balancers = None;
    }
    if let Some(config) = update.deployment_configuration.as_mut() {
        for hook in config.lifecycle_hooks.iter_mut().flatten() {
            if hook.timeout_configuration == Some(Default::default()) {
                hook.timeout_configuration = None;
            }
        }
        if had_hooks && config.lifecycle_hooks.is_none() {
            config.lifecycle_hooks = Some(Vec::new());
        }
    }
}
