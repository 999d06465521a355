//! The create-service wizard, mirroring the lab: cluster, task definition (latest revision by
//! default), launch type or capacity provider strategy, REPLICA with a count or DAEMON, deployment
//! settings (circuit breaker with rollback on by default), network for awsvpc, placement, tags,
//! load balancer, grace period. Checked with the shared rules against the chosen revision.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::auth::Role;
use shared::ecs::service::{
    AwsVpcConfiguration, CapacityProviderStrategyItem, CircuitBreaker, DeploymentConfiguration, LoadBalancer,
    NetworkConfiguration, PlacementStrategy, ServiceSpec, validate,
};
use shared::ecs::task_definition::TaskDefinitionSpec;
use shared::error::{ApiError, FieldError};

use crate::api::{self, paths};
use crate::components::{ErrorBanner, role_gate};
use crate::load::{load, send};
use crate::pages::param;

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

#[component]
fn ServiceWizard() -> impl IntoView {
    let env = param("env");
    let query = use_query_map();
    let spec = RwSignal::new(initial(query.read_untracked().get("cluster").unwrap_or_default()));
    let family = RwSignal::new(String::new());
    let revision = RwSignal::new(None::<i64>);
    let submitted = RwSignal::new(false);
    let server_error = RwSignal::new(None::<ApiError>);
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
                Some(r) if !family.is_empty() => api::get_task_revision(&env, &family, r).await.map(|r| Some(r.spec)),
                _ => Ok(None),
            }
        }
    });
    let task_spec = Memo::new(move |_| task.get().and_then(Result::ok).flatten());
    Effect::new(move |_| {
        let reference = chosen.get().map(|r| format!("{}:{r}", family.get()));
        spec.update(|s| s.task_definition = reference);
    });
    let awsvpc =
        Memo::new(move |_| task_spec.with(|t| t.as_ref().is_some_and(|t| t.network_mode.as_deref() == Some("awsvpc"))));
    let errors = Memo::new(move |_| {
        let td: Option<TaskDefinitionSpec> = task_spec.get();
        validate(&spec.get(), td.as_ref()).err().unwrap_or_default()
    });
    let msg = move |path: &'static str| {
        move || {
            submitted
                .get()
                .then(|| errors.read().iter().find(|e| e.path == path).map(|e| e.message.clone()))
                .flatten()
                .map(|m| {
                    view! { <p class="field-error" data-for=path role="alert">{m}</p> }
                })
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if !errors.read_untracked().is_empty() {
            return;
        }
        let (env, body) = (env.get_untracked(), spec.get_untracked());
        let request = {
            let env = env.clone();
            async move { api::create_service(&env, &body).await }
        };
        send(pending, request, move |answer| match answer {
            Ok(created) => crate::context::go(&paths::service(&env, &created.cluster, &created.service_name)),
            Err(e) => server_error.set(Some(e)),
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
    let set_daemon = move |on: bool| {
        spec.update(|s| {
            s.scheduling_strategy = Some(if on { "DAEMON" } else { "REPLICA" }.into());
            s.desired_count = if on { None } else { Some(1) };
            if let Some(c) = s.deployment_configuration.as_mut() {
                c.maximum_percent = Some(if on { 100 } else { 200 });
                c.minimum_healthy_percent = Some(if on { 0 } else { 100 });
            }
        })
    };
    let config = move |f: fn(&DeploymentConfiguration) -> i64| {
        spec.with(|s| s.deployment_configuration.as_ref().map_or(0, f)).to_string()
    };
    let breaker = move |f: fn(&CircuitBreaker) -> bool| {
        spec.with(|s| {
            s.deployment_configuration.as_ref().and_then(|c| c.deployment_circuit_breaker.as_ref()).is_some_and(f)
        })
    };
    let set_breaker = move |enable: bool, rollback: bool| {
        spec.update(|s| {
            if let Some(c) = s.deployment_configuration.as_mut() {
                c.deployment_circuit_breaker = Some(CircuitBreaker { enable, rollback: rollback && enable });
            }
        })
    };
    let problems = move || {
        let list: Vec<FieldError> = errors.get();
        (submitted.get() && !list.is_empty()).then(|| view! {
            <div class="problems" id="problems"><ul>{list.into_iter().map(|e| view! { <li><code>{e.path}</code>": "{e.message}</li> }).collect_view()}</ul></div>
        })
    };
    view! {
        <div class="page-head">
            <h1>"Create service"</h1>
            <a href=move || paths::cluster(&env.get(), &cluster_name()) rel="external" class="button">"Cancel"</a>
        </div>
        {move || server_error.get().map(|e| view! { <ErrorBanner error=e/> })}
        <ImportPanel spec family revision/>
        <form class="wizard" on:submit=submit novalidate>
            <fieldset>
                <legend>"Service"</legend>
                <label>"Cluster"
                    <select name="cluster" prop:value=cluster_name on:change=move |ev| { let v = event_target_value(&ev); spec.update(|s| s.cluster = Some(v)) }>
                        {move || clusters.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|c| view! { <option value=c.cluster_name.clone()>{c.cluster_name.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Service name"
                    <input name="serviceName" autocomplete="off" prop:value=move || spec.with(|s| s.service_name.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); spec.update(|s| s.service_name = v) }/>
                </label>
                {msg("serviceName")}
                <div class="field-pair">
                    <label>"Task definition family"
                        <select name="family" on:change=move |ev| { family.set(event_target_value(&ev)); revision.set(None) }>
                            <option value="">"Choose…"</option>
                            {move || families.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|f| view! { <option value=f.clone()>{f.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>"Revision"
                        <select name="revision" prop:value=move || chosen.get().map(|r| r.to_string()).unwrap_or_default()
                            on:change=move |ev| revision.set(event_target_value(&ev).parse().ok())>
                            {move || revisions.get().and_then(Result::ok).unwrap_or_default().into_iter().enumerate().map(|(i, r)| {
                                let label = if i == 0 { format!("{r} (latest)") } else { r.to_string() };
                                view! { <option value=r.to_string()>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                {msg("taskDefinition")}
            </fieldset>
            <fieldset>
                <legend>"Compute"</legend>
                <select name="compute" prop:value=mode on:change=move |ev| { switched.set(None); set_mode(event_target_value(&ev)) }>
                    <option value="EC2">"Launch type: EC2"</option>
                    <option value="FARGATE">"Launch type: Fargate"</option>
                    <option value="strategy">"Capacity provider strategy (the cluster's EC2 capacity)"</option>
                </select>
                {move || switched.get().map(|why| view! { <p class="hint" id="launchTypeSwitched">{why}</p> })}
                {msg("launchType")}{msg("capacityProviderStrategy")}
                <div class="choices-inline">
                    <label class="check"><input type="radio" name="scheduling" value="REPLICA" prop:checked=move || !daemon() on:change=move |_| set_daemon(false)/>"REPLICA: keep a number of tasks running"</label>
                    <label class="check"><input type="radio" name="scheduling" value="DAEMON" prop:checked=daemon on:change=move |_| set_daemon(true)/>"DAEMON: one task on every container instance"</label>
                </div>
                {msg("schedulingStrategy")}
                <Show when=move || !daemon()>
                    <label>"Desired tasks"
                        <input type="number" min="0" name="desiredCount" prop:value=move || spec.with(|s| s.desired_count.unwrap_or(0).to_string())
                            on:input=move |ev| if let Ok(n) = event_target_value(&ev).parse() { spec.update(|s| s.desired_count = Some(n)) }/>
                    </label>
                    {msg("desiredCount")}
                </Show>
            </fieldset>
            <fieldset>
                <legend>"Deployment"</legend>
                <div class="field-pair">
                    <label>"Minimum healthy %"
                        <input type="number" name="minimumHealthyPercent" prop:value=move || config(|c| c.minimum_healthy_percent.unwrap_or(100))
                            on:input=move |ev| if let Ok(n) = event_target_value(&ev).parse() { spec.update(|s| if let Some(c) = s.deployment_configuration.as_mut() { c.minimum_healthy_percent = Some(n) }) }/>
                    </label>
                    <label>"Maximum %"
                        <input type="number" name="maximumPercent" prop:value=move || config(|c| c.maximum_percent.unwrap_or(200))
                            on:input=move |ev| if let Ok(n) = event_target_value(&ev).parse() { spec.update(|s| if let Some(c) = s.deployment_configuration.as_mut() { c.maximum_percent = Some(n) }) }/>
                    </label>
                </div>
                {msg("deploymentConfiguration.minimumHealthyPercent")}{msg("deploymentConfiguration.maximumPercent")}
                <label class="check">
                    <input type="checkbox" name="circuitBreaker" prop:checked=move || breaker(|b| b.enable)
                        on:change=move |ev| { let on = event_target_checked(&ev); set_breaker(on, on) }/>
                    "Deployment circuit breaker, with rollback"
                </label>
                <p class="hint">"On by default: without it, a deployment whose tasks cannot start retries for ever and never reports FAILED; with it, ECS stops such a deployment and puts the last working revision back."</p>
            </fieldset>
            <Show when=move || awsvpc.get()>
                <NetworkFields spec/>
                {msg("networkConfiguration")}
            </Show>
            <fieldset>
                <legend>"Placement, tags, access"</legend>
                <Show when=move || mode() != "FARGATE">
                    <label class="check">
                        <input type="checkbox" name="spreadAz" prop:checked=move || spec.with(|s| s.placement_strategy.is_some())
                            on:change=move |ev| { let on = event_target_checked(&ev); spec.update(|s| s.placement_strategy = on.then(|| vec![PlacementStrategy::spread_across_zones()])) }/>
                        "Spread tasks across availability zones"
                    </label>
                </Show>
                <label class="check">
                    <input type="checkbox" name="managedTags" prop:checked=move || spec.with(|s| s.enable_ecs_managed_tags == Some(true))
                        on:change=move |ev| { let on = event_target_checked(&ev); spec.update(|s| s.enable_ecs_managed_tags = Some(on)) }/>
                    "ECS managed tags (cluster and service names on each task)"
                </label>
                <label>"Propagate tags from"
                    <select name="propagateTags" prop:value=move || spec.with(|s| s.propagate_tags.clone().unwrap_or_default())
                        on:change=move |ev| { let v = event_target_value(&ev); spec.update(|s| s.propagate_tags = Some(v)) }>
                        <option value="SERVICE">"the service"</option><option value="TASK_DEFINITION">"the task definition"</option><option value="NONE">"nowhere"</option>
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" name="executeCommand" prop:checked=move || spec.with(|s| s.enable_execute_command == Some(true))
                        on:change=move |ev| { let on = event_target_checked(&ev); spec.update(|s| s.enable_execute_command = Some(on)) }/>
                    "ECS Exec (aws ecs execute-command into running containers)"
                </label>
            </fieldset>
            <LoadBalancerFields spec task=task_spec.into()/>
            {msg("loadBalancers[0].containerName")}{msg("loadBalancers[0].containerPort")}{msg("healthCheckGracePeriodSeconds")}
            {problems}
            <div class="actions">
                <button type="submit" class="primary" id="createService" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create service" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn NetworkFields(spec: RwSignal<ServiceSpec>) -> impl IntoView {
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
    let vpc_config = move |f: fn(&mut AwsVpcConfiguration)| {
        spec.update(|s| {
            let n = s.network_configuration.get_or_insert_with(NetworkConfiguration::default);
            f(n.awsvpc_configuration.get_or_insert_with(AwsVpcConfiguration::default));
        })
    };
    let has = move |kind: &'static str, id: &str| {
        spec.with(|s| {
            let c = s.network_configuration.as_ref().and_then(|n| n.awsvpc_configuration.as_ref());
            c.is_some_and(|c| {
                if kind == "subnet" {
                    c.subnets.iter().any(|x| x == id)
                } else {
                    c.security_groups.iter().flatten().any(|x| x == id)
                }
            })
        })
    };
    let toggle = move |kind: &'static str, id: String, on: bool| {
        spec.update(|s| {
            let n = s.network_configuration.get_or_insert_with(NetworkConfiguration::default);
            let c = n.awsvpc_configuration.get_or_insert_with(AwsVpcConfiguration::default);
            let list = if kind == "subnet" { &mut c.subnets } else { c.security_groups.get_or_insert_with(Vec::new) };
            list.retain(|x| *x != id);
            if on {
                list.push(id);
            }
        })
    };
    let boxes = move |kind: &'static str, items: Vec<shared::ecs::cluster::Choice>| {
        items
            .into_iter()
            .map(|item| {
                let id = item.id.clone();
                let checked = {
                    let id = id.clone();
                    move || has(kind, &id)
                };
                view! {
                    <label class="check"><input type="checkbox" name=kind value=id.clone() prop:checked=checked
                        on:change=move |ev| toggle(kind, id.clone(), event_target_checked(&ev))/>
                        <span class="mono">{item.id.clone()}</span>" "<small>{item.label.clone()}</small></label>
                }
            })
            .collect_view()
    };
    view! {
        <fieldset>
            <legend>"Networking (awsvpc)"</legend>
            {move || match vpc.get() {
                None => view! { <p class="muted">"Loading the VPC…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok((subnets, groups))) => view! {
                    <span class="label">"Subnets"</span>{boxes("subnet", subnets)}
                    <span class="label">"Security groups"</span>{boxes("securityGroup", groups)}
                }.into_any(),
            }}
            <label class="check">
                <input type="checkbox" name="assignPublicIp" on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    vpc_config(if on { |c| c.assign_public_ip = Some("ENABLED".into()) } else { |c| c.assign_public_ip = Some("DISABLED".into()) })
                }/>
                "Assign a public IP (needed in public subnets without a NAT gateway to pull images)"
            </label>
        </fieldset>
    }
}

#[component]
fn LoadBalancerFields(spec: RwSignal<ServiceSpec>, task: Signal<Option<TaskDefinitionSpec>>) -> impl IntoView {
    let lb = move |f: fn(&LoadBalancer) -> String| {
        spec.with(|s| s.load_balancers.as_ref().and_then(|l| l.first()).map(f).unwrap_or_default())
    };
    let edit = move |f: Box<dyn FnOnce(&mut LoadBalancer)>| {
        spec.update(|s| {
            let list = s.load_balancers.get_or_insert_with(|| vec![LoadBalancer::default()]);
            f(&mut list[0]);
            if list[0] == LoadBalancer::default() {
                s.load_balancers = None;
            }
        })
    };
    let containers = move || task.get().map(|t| t.container_definitions).unwrap_or_default();
    view! {
        <details class="json-panel">
            <summary>"Load balancer and health check grace period (optional)"</summary>
            <label>"Target group ARN"
                <input name="targetGroupArn" placeholder="arn:aws:elasticloadbalancing:…:targetgroup/…" prop:value=move || lb(|l| l.target_group_arn.clone().unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |l| l.target_group_arn = (!v.is_empty()).then_some(v))) }/>
            </label>
            <div class="field-pair">
                <label>"Container"
                    <select name="lbContainer" on:change=move |ev| { let v = event_target_value(&ev); edit(Box::new(move |l| l.container_name = (!v.is_empty()).then_some(v))) }>
                        <option value="">"—"</option>
                        {move || containers().into_iter().map(|c| view! { <option value=c.name.clone()>{c.name.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Container port"
                    <input type="number" name="lbPort" prop:value=move || lb(|l| l.container_port.map(|p| p.to_string()).unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev).parse().ok(); edit(Box::new(move |l| l.container_port = v)) }/>
                </label>
            </div>
            <label>"Health check grace period (seconds)"
                <input type="number" name="healthCheckGracePeriodSeconds" prop:value=move || spec.with(|s| s.health_check_grace_period_seconds.map(|g| g.to_string()).unwrap_or_default())
                    on:input=move |ev| { let v = event_target_value(&ev).parse().ok(); spec.update(|s| s.health_check_grace_period_seconds = v) }/>
            </label>
        </details>
    }
}

/// Fills the wizard from an `aws ecs create-service --cli-input-json` document (the seed's, as is).
#[component]
fn ImportPanel(
    spec: RwSignal<ServiceSpec>,
    family: RwSignal<String>,
    revision: RwSignal<Option<i64>>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let run = move |_| match shared::ecs::service::import(&text.get_untracked()) {
        Ok(shared::ecs::service::ImportedService { spec: imported, nulls }) => {
            let reference = imported.task_definition.clone().unwrap_or_default();
            let name = reference.rsplit('/').next().unwrap_or_default().to_string();
            let (f, r) = name.split_once(':').map_or((name.clone(), None), |(f, r)| (f.to_string(), r.parse().ok()));
            family.set(f);
            revision.set(r);
            spec.set(imported);
            // The AWS CLI refuses a null member; the import drops it and says which.
            error.set((!nulls.is_empty()).then(|| format!("Imported; null members dropped: {}.", nulls.join(", "))));
        }
        Err(errors) => {
            let found: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.path, e.message)).collect();
            error.set(Some(format!("Not a create-service document: {}", found.join("; "))))
        }
    };
    view! {
        <details class="import">
            <summary>"Import create-service JSON"</summary>
            <textarea id="importService" rows="8" spellcheck="false" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button type="button" id="importServiceButton" on:click=run>"Import"</button>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </details>
    }
}
