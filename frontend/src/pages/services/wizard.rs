//! The create-service wizard, mirroring the lab: cluster, task definition (latest revision by
//! default), launch type or capacity provider strategy, REPLICA with a count or DAEMON, deployment
//! settings (circuit breaker with rollback on by default), network for awsvpc, placement, tags,
//! load balancer, grace period. The console's form over the CreateService document, checked with the
//! shared rules against the chosen revision.

use crate::router::query_map;
use leptos::prelude::*;
use shared::auth::Role;
use shared::ecs::placement;
use shared::ecs::service::{
    AwsVpcConfiguration, CapacityProviderStrategyItem, CircuitBreaker, DeploymentConfiguration, LoadBalancer,
    NetworkConfiguration, PlacementStrategy, ServiceSpec, validate,
};
use shared::ecs::task_definition::TaskDefinitionSpec;

use crate::api::{self, paths};
use crate::components::form::{
    Choice, Input, checklist, errors_only, message, number_input, opt_checklist, opt_text_input, options, problems,
    radio, select_input, text_input, toggle,
};
use crate::components::{ErrorBanner, ImportOutcome, ImportPanel, role_gate};
use crate::load::{load, send};
use crate::pages::param;

use super::strategy_fields::{advanced_fields, strategy_fields};

fn initial(cluster: String) -> ServiceSpec {
    ServiceSpec {
        cluster: Some(cluster),
        desired_count: Some(1),
        launch_type: Some("EC2".into()),
        scheduling_strategy: Some("REPLICA".into()),
        deployment_configuration: Some(DeploymentConfiguration::rolling_with_rollback()),
        placement_strategy: Some(vec![PlacementStrategy::spread_across_zones()]),
        enable_ecs_managed_tags: Some(true),
        propagate_tags: Some("SERVICE".into()),
        ..ServiceSpec::default()
    }
}

/// `/e/:env/services/new?cluster=NAME`.
#[component]
pub fn CreateServicePage() -> impl IntoView {
    role_gate(param("env"), Role::Admin, "Create service", "Creating a service", || {
        view! { <ServiceWizard/> }.into_any()
    })
}

type Form = crate::components::form::Form<ServiceSpec>;

const SCHEDULING: &[Choice] = &[
    ("REPLICA", "REPLICA: keep a number of tasks running", ""),
    ("DAEMON", "DAEMON: one task on every container instance", ""),
];

const PROPAGATE_TAGS: &[(&str, &str)] =
    &[("SERVICE", "the service"), ("TASK_DEFINITION", "the task definition"), ("NONE", "nowhere")];

/// DAEMON runs one task per instance: no count, and a deployment stops the old task first.
fn set_daemon(s: &mut ServiceSpec, on: bool) {
    s.scheduling_strategy = Some(if on { "DAEMON" } else { "REPLICA" }.into());
    s.desired_count = if on { None } else { Some(1) };
    if let Some(c) = s.deployment_configuration.as_mut() {
        c.maximum_percent = Some(if on { 100 } else { 200 });
        c.minimum_healthy_percent = Some(if on { 0 } else { 100 });
    }
}

fn names(list: Vec<String>) -> Vec<(String, String)> {
    list.into_iter().map(|n| (n.clone(), n)).collect()
}

#[component]
fn ServiceWizard() -> impl IntoView {
    let env = param("env");
    let query = query_map();
    let family = RwSignal::new(String::new());
    let revision = RwSignal::new(None::<i64>);
    let pending = RwSignal::new(false);

    let clusters = load(move || {
        let env = env.get();
        async move { api::list_clusters(&env).await }
    });
    let families = load(move || {
        let env = env.get();
        async move { api::list_task_families(&env, "ACTIVE").await }
    });
    let revisions = load(move || {
        let (env, family) = (env.get(), family.get());
        async move {
            if family.is_empty() { Ok(Vec::new()) } else { api::list_task_revisions(&env, &family, "ACTIVE").await }
        }
    });
    // The latest revision unless one is picked.
    let chosen = Memo::new(move |_| {
        revision.get().or_else(|| revisions.get().and_then(Result::ok).and_then(|l| l.first().copied()))
    });
    let task = load(move || {
        let (env, family, chosen) = (env.get(), family.get(), chosen.get());
        async move {
            match chosen {
                Some(r) if !family.is_empty() => api::task_revision_basics(&env, &family, r).await.map(Some),
                _ => Ok(None),
            }
        }
    });
    let task_spec = Memo::new(move |_| task.get().and_then(Result::ok).flatten());
    let form =
        Form::checked(initial(query.read_untracked().get("cluster").unwrap_or_default()), move |s: &ServiceSpec| {
            task_spec.with(|td: &Option<TaskDefinitionSpec>| errors_only(validate(s, td.as_ref())))
        });
    let spec = form.spec;
    let root = form.root();
    Effect::new(move |_| {
        let reference = chosen.get().map(|r| format!("{}:{r}", family.get()));
        spec.update(|s| s.task_definition = reference);
    });
    let awsvpc =
        Memo::new(move |_| task_spec.with(|t| t.as_ref().is_some_and(|t| t.network_mode.as_deref() == Some("awsvpc"))));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.fields.submit() {
            return;
        }
        let (env, body) = (env.get_untracked(), spec.get_untracked());
        let request = {
            let env = env.clone();
            async move { api::create_service(&env, &body).await }
        };
        send(pending, request, move |answer| match answer {
            Ok(created) => crate::context::go(&paths::service(&env, &created.cluster, &created.service_name)),
            Err(e) => form.fields.server.set(Some(e)),
        });
    };
    let cluster_name = move || spec.with(|s| s.cluster.clone().unwrap_or_default());
    let providers = move || {
        clusters
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .find(|c| c.cluster_name == cluster_name())
            .map(|c| c.capacity_providers)
            .unwrap_or_default()
    };
    let mode = move || {
        spec.with(|s| match (&s.launch_type, &s.capacity_provider_strategy) {
            (Some(l), _) => l.clone(),
            (None, Some(_)) => "strategy".into(),
            _ => "EC2".into(),
        })
    };
    let set_mode = move |m: String| {
        let default_provider = providers().into_iter().find(|p| !p.starts_with("FARGATE"));
        spec.update(|s| match m.as_str() {
            "strategy" => {
                s.launch_type = None;
                s.capacity_provider_strategy = Some(vec![CapacityProviderStrategyItem {
                    capacity_provider: default_provider.unwrap_or_else(|| "FARGATE".into()),
                    weight: Some(1),
                    base: None,
                }]);
            }
            other => {
                s.launch_type = Some(other.into());
                s.capacity_provider_strategy = None;
                if other == "FARGATE" {
                    s.placement_strategy = None;
                }
            }
        })
    };
    // A revision that runs on one launch type only picks that launch type, and the page says so.
    let switched = RwSignal::new(None::<&'static str>);
    Effect::new(move |_| {
        let only = task_spec.with(|t| {
            t.as_ref()
                .and_then(|t| t.requires_compatibilities.clone())
                .filter(|c| c.len() == 1)
                .map(|mut c| c.remove(0))
        });
        untrack(|| {
            let now = mode();
            let needed = match only.as_deref() {
                Some("FARGATE") if now != "FARGATE" => {
                    Some(("FARGATE", "Launch type set to Fargate: this revision runs on Fargate only."))
                }
                Some("EC2") if now == "FARGATE" => {
                    Some(("EC2", "Launch type set to EC2: this revision runs on EC2 only."))
                }
                _ => None,
            };
            switched.set(needed.map(|(m, why)| {
                set_mode(m.into());
                why
            }));
        });
    });
    let daemon = move || spec.with(ServiceSpec::is_daemon);
    let deployment = root.field("deploymentConfiguration", |s: &mut ServiceSpec| s.deployment_configuration.as_mut());
    let cluster_options = Signal::derive(move || {
        names(clusters.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|c| c.cluster_name).collect())
    });
    let scheduling = move || {
        radio(
            form.root().reported_at("schedulingStrategy"),
            "scheduling",
            SCHEDULING,
            false,
            |s| if s.is_daemon() { "DAEMON" } else { "REPLICA" },
            move |v| {
                let mut s = spec.get_untracked();
                set_daemon(&mut s, v == "DAEMON");
                Some(s)
            },
        )
    };
    let desired = move || {
        number_input(
            form.root().field("desiredCount", |s: &mut ServiceSpec| Some(&mut s.desired_count)),
            Input::new("Desired tasks"),
        )
    };
    let spread = move || {
        toggle(
            form.root().field("placementStrategy", |s: &mut ServiceSpec| Some(&mut s.placement_strategy)),
            Input::new("Spread tasks across availability zones").name("spreadAz"),
            |p| p.is_some(),
            |on| on.then(|| vec![PlacementStrategy::spread_across_zones()]),
        )
    };
    let outcome = RwSignal::new(ImportOutcome::None);
    let import = Callback::new(move |text: String| match shared::ecs::service::import(&text) {
        Ok(shared::ecs::service::ImportedService { spec: imported, nulls }) => {
            let reference = imported.task_definition.clone().unwrap_or_default();
            let name = reference.rsplit('/').next().unwrap_or_default().to_string();
            let (f, r) = name.split_once(':').map_or((name.clone(), None), |(f, r)| (f.to_string(), r.parse().ok()));
            family.set(f);
            revision.set(r);
            spec.set(imported);
            // The AWS CLI refuses a null member; the import drops it and says which.
            outcome.set(Some(Ok(if nulls.is_empty() {
                "Imported.".to_string()
            } else {
                format!("Imported; null members dropped: {}.", nulls.join(", "))
            })));
        }
        Err(errors) => outcome.set(Some(Err(errors))),
    });
    view! {
        <div class="page-head">
            <h1>"Create service"</h1>
            <a href=move || paths::cluster(&env.get(), &cluster_name()) rel="external" class="button">"Cancel"</a>
        </div>
        {move || form.fields.server.get().map(|e| view! { <ErrorBanner error=e/> })}
        <ImportPanel summary="Import create-service JSON" text_id="importService" button_id="importServiceButton" outcome on_import=import
            hint=view! { "Paste what "<code>"aws ecs create-service --cli-input-json"</code>" takes (the lab's template imports as is). It replaces what the form holds." }.into_any()/>
        <form class="wizard" on:submit=submit novalidate>
            <fieldset>
                <legend>"Service"</legend>
                {select_input(root.field("cluster", |s: &mut ServiceSpec| Some(&mut s.cluster)), Input::new("Cluster"), cluster_options)}
                {text_input(root.field("serviceName", |s: &mut ServiceSpec| Some(&mut s.service_name)), Input::new("Service name"))}
                <div class="field-pair">
                    <label>"Task definition family"
                        <select name="family" prop:value=move || { families.get(); family.get() }
                            on:change=move |ev| { family.set(event_target_value(&ev)); revision.set(None) }>
                            <option value="">"Choose…"</option>
                            {move || families.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|f| view! { <option value=f.clone()>{f.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>"Revision"
                        <select name="revision" prop:value=move || { revisions.get(); chosen.get().map(|r| r.to_string()).unwrap_or_default() }
                            on:change=move |ev| revision.set(event_target_value(&ev).parse().ok())>
                            {move || revisions.get().and_then(Result::ok).unwrap_or_default().into_iter().enumerate().map(|(i, r)| {
                                let label = if i == 0 { format!("{r} (latest)") } else { r.to_string() };
                                view! { <option value=r.to_string()>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                {message(form, "taskDefinition")}
            </fieldset>
            <fieldset>
                <legend>"Compute"</legend>
                <select name="compute" prop:value=mode on:change=move |ev| { switched.set(None); set_mode(event_target_value(&ev)) }>
                    <option value="EC2">"Launch type: EC2"</option>
                    <option value="FARGATE">"Launch type: Fargate"</option>
                    <option value="strategy">"Capacity provider strategy (the cluster's EC2 capacity)"</option>
                </select>
                {move || switched.get().map(|why| view! { <p class="hint" id="launchTypeSwitched">{why}</p> })}
                {message(form, "launchType")}{crate::components::form::message_under(form, "capacityProviderStrategy")}
                {scheduling}
                <Show when=move || !daemon()>{desired}</Show>
                {placement_warning(form, task_spec.into())}
            </fieldset>
            <fieldset>
                <legend>"Deployment"</legend>
                <div class="field-pair">
                    {number_input(deployment.field("minimumHealthyPercent", |c: &mut DeploymentConfiguration| Some(&mut c.minimum_healthy_percent)),
                        Input::new("Minimum healthy %").name("minimumHealthyPercent"))}
                    {number_input(deployment.field("maximumPercent", |c: &mut DeploymentConfiguration| Some(&mut c.maximum_percent)),
                        Input::new("Maximum %").name("maximumPercent"))}
                </div>
                {toggle(deployment.field("deploymentCircuitBreaker", |c: &mut DeploymentConfiguration| Some(&mut c.deployment_circuit_breaker)),
                    Input::new("Deployment circuit breaker, with rollback").name("circuitBreaker"),
                    |b| b.is_some_and(|b| b.enable), |on| Some(CircuitBreaker { enable: on, rollback: on }))}
                <p class="hint">"On by default: without it, a deployment whose tasks cannot start retries for ever and never reports FAILED; with it, ECS stops such a deployment and puts the last working revision back."</p>
                {strategy_fields(deployment.clone())}
            </fieldset>
            <Show when=move || awsvpc.get()>
                {network_fields(form)}
                {message(form, "networkConfiguration")}
            </Show>
            <fieldset>
                <legend>"Placement, tags, access"</legend>
                <Show when=move || mode() != "FARGATE">{spread}</Show>
                {toggle(root.field("enableECSManagedTags", |s: &mut ServiceSpec| Some(&mut s.enable_ecs_managed_tags)),
                    Input::new("ECS managed tags (cluster and service names on each task)").name("managedTags"),
                    |v| v == Some(true), Some)}
                {select_input(root.field("propagateTags", |s: &mut ServiceSpec| Some(&mut s.propagate_tags)),
                    Input::new("Propagate tags from"), options(PROPAGATE_TAGS))}
                {toggle(root.field("enableExecuteCommand", |s: &mut ServiceSpec| Some(&mut s.enable_execute_command)),
                    Input::new("ECS Exec (aws ecs execute-command into running containers)").name("executeCommand"),
                    |v| v == Some(true), Some)}
            </fieldset>
            {load_balancer_fields(form, task_spec.into())}
            {problems(form, "creating")}
            <div class="actions">
                <button type="submit" class="primary" id="createService" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create service" }}
                </button>
            </div>
        </form>
    }
}

/// Subnets and security groups of the environment's default VPC (else its first), for awsvpc.
fn network_fields(form: Form) -> impl IntoView {
    let env = param("env");
    let vpc = load(move || {
        let env = env.get();
        async move {
            let vpcs = api::network(&env, "vpcs").await?;
            let Some(vpc) = vpcs.iter().find(|v| v.is_default).or(vpcs.first()).map(|v| v.id.clone()) else {
                return Ok((Vec::new(), Vec::new()));
            };
            let subnets = api::network(&env, &format!("vpcs/{vpc}/subnets")).await?;
            let groups = api::network(&env, &format!("vpcs/{vpc}/security-groups")).await?;
            Ok((subnets, groups))
        }
    });
    let awsvpc = form
        .root()
        .field("networkConfiguration", |s: &mut ServiceSpec| Some(&mut s.network_configuration))
        .made()
        .field("awsvpcConfiguration", |n: &mut NetworkConfiguration| Some(&mut n.awsvpc_configuration))
        .made();
    let items = |list: Vec<shared::ecs::cluster::Choice>| {
        Signal::stored(list.into_iter().map(|c| (c.id, c.label)).collect::<Vec<_>>())
    };
    let public_ip = awsvpc.field("assignPublicIp", |c: &mut AwsVpcConfiguration| Some(&mut c.assign_public_ip));
    view! {
        <fieldset>
            <legend>"Networking (awsvpc)"</legend>
            {move || match vpc.get() {
                None => view! { <p class="muted">"Loading the VPC…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok((subnets, groups))) => view! {
                    {checklist(awsvpc.field("subnets", |c: &mut AwsVpcConfiguration| Some(&mut c.subnets)), "subnet", "Subnets", "", items(subnets))}
                    {opt_checklist(awsvpc.field("securityGroups", |c: &mut AwsVpcConfiguration| Some(&mut c.security_groups)),
                        "securityGroup", "Security groups", items(groups))}
                }.into_any(),
            }}
            {toggle(public_ip, Input::new("Assign a public IP (needed in public subnets without a NAT gateway to pull images)").name("assignPublicIp"),
                |v| v.as_deref() == Some("ENABLED"), |on| Some(if on { "ENABLED" } else { "DISABLED" }.to_string()))}
        </fieldset>
    }
}

/// The first load balancer (absent while all its inputs are empty) and the grace period.
fn load_balancer_fields(form: Form, task: Signal<Option<TaskDefinitionSpec>>) -> impl IntoView {
    let lb = form.lens("loadBalancers[0]", |s: &mut ServiceSpec, create| {
        if create && s.load_balancers.as_ref().is_none_or(Vec::is_empty) {
            s.load_balancers = Some(vec![LoadBalancer::default()]);
        }
        s.load_balancers.as_mut().and_then(|l| l.first_mut())
    });
    // Emptied, it is no load balancer at all.
    Effect::new(move |_| {
        if form
            .spec
            .with(|s| s.load_balancers.as_ref().is_some_and(|l| l.len() == 1 && l[0] == LoadBalancer::default()))
        {
            form.spec.update(|s| s.load_balancers = None);
        }
    });
    let containers = Signal::derive(move || {
        let mut list = vec![(String::new(), "—".to_string())];
        list.extend(names(
            task.get().map(|t| t.container_definitions).unwrap_or_default().into_iter().map(|c| c.name).collect(),
        ));
        list
    });
    view! {
        <details class="json-panel">
            <summary>"Load balancer and health check grace period (optional)"</summary>
            {opt_text_input(lb.field("targetGroupArn", |l: &mut LoadBalancer| Some(&mut l.target_group_arn)),
                Input::new("Target group ARN").name("targetGroupArn").placeholder("arn:aws:elasticloadbalancing:…:targetgroup/…"))}
            <div class="field-pair">
                {select_input(lb.field("containerName", |l: &mut LoadBalancer| Some(&mut l.container_name)), Input::new("Container").name("lbContainer"), containers)}
                {number_input(lb.field("containerPort", |l: &mut LoadBalancer| Some(&mut l.container_port)), Input::new("Container port").name("lbPort"))}
            </div>
            {advanced_fields(lb.field("advancedConfiguration", |l: &mut LoadBalancer| Some(&mut l.advanced_configuration)).made())}
            {number_input(form.root().field("healthCheckGracePeriodSeconds", |s: &mut ServiceSpec| Some(&mut s.health_check_grace_period_seconds)),
                Input::new("Health check grace period (seconds)"))}
        </details>
    }
}

/// Before Create: how many of the tasks the cluster's instances can take, as ECS would place them
/// (CPU, memory and host ports left; one per instance for DAEMON). Nothing for Fargate.
fn placement_warning(form: Form, task: Signal<Option<TaskDefinitionSpec>>) -> impl IntoView {
    let env = param("env");
    let cluster = Memo::new(move |_| form.spec.with(|s| s.cluster.clone().unwrap_or_default()));
    let detail = load(move || {
        let (env, cluster) = (env.get(), cluster.get());
        async move { if cluster.is_empty() { Ok(None) } else { api::get_cluster(&env, &cluster).await.map(Some) } }
    });
    move || {
        let td = task.get()?;
        let instances = detail.get()?.ok()??.container_instances;
        let text = form.spec.with(|s| {
            let fargate = placement::fargate_only(
                s.launch_type.as_deref(),
                s.capacity_provider_strategy.as_deref().unwrap_or_default(),
            );
            if fargate {
                return None;
            }
            let daemon = s.scheduling_strategy.as_deref() == Some("DAEMON");
            let distinct =
                s.placement_constraints.iter().flatten().any(|c| c.kind.as_deref() == Some("distinctInstance"));
            let rooms: Vec<_> = instances.iter().filter_map(|i| i.room()).collect();
            let needs = placement::needs(&td);
            placement::check(&needs, s.desired_count.unwrap_or(0), daemon, distinct, &rooms).warning(&needs)
        })?;
        Some(view! { <p class="banner warning" id="placementWarning" role="status">{text}</p> })
    }
}
