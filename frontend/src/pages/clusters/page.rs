use leptos::prelude::*;
use shared::ecs::cluster::ClusterDetail;
use shared::error::ApiError;

use crate::api::{self, paths};
use crate::components::{ErrorBanner, Modal};
use crate::load::{load, send};
use crate::pages::param;

/// `/e/:env/cluster/:name`: its numbers, container instances, services and Berth's capacity.
#[component]
pub fn ClusterPage() -> impl IntoView {
    let (env, name) = (param("env"), param("name"));
    let detail = load(move || {
        let (env, name) = (env.get(), name.get());
        async move { api::get_cluster(&env, &name).await }
    });
    view! {
        {move || match detail.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(d)) => view! { <ClusterView detail=d/> }.into_any(),
        }}
    }
}

#[component]
fn ClusterView(detail: ClusterDetail) -> impl IntoView {
    let env = param("env");
    let c = detail.cluster.clone();
    let deleting = RwSignal::new(false);
    let admin = move || crate::context::session().role_in(&env.get()) == Some(shared::auth::Role::Admin);
    let instances = detail
        .container_instances
        .iter()
        .map(|i| {
            let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
            view! {
                <tr>
                    <td class="mono">{i.ec2_instance_id.clone()}</td>
                    <td>{opt(&i.instance_type)}</td>
                    <td>{opt(&i.availability_zone)}</td>
                    <td>{i.status.clone()}</td>
                    <td>{if i.agent_connected { "yes" } else { "no" }}</td>
                    <td class="num">{i.running_tasks}</td>
                    <td class="num">{format!("{} / {}", i.remaining_cpu, i.registered_cpu)}</td>
                    <td class="num">{format!("{} / {}", i.remaining_memory, i.registered_memory)}</td>
                    <td class="mono ports">{host_ports(&i.ports_in_use)}</td>
                </tr>
            }
        })
        .collect_view();
    let services = detail
        .services
        .iter()
        .map(|s| {
            let href = paths::service(&env.get_untracked(), &detail.cluster.cluster_name, &s.service_name);
            view! {
                <tr>
                    <td><a href=href rel="external">{s.service_name.clone()}</a></td><td>{s.status.clone()}</td>
                    <td class="num">{format!("{} / {} / {}", s.desired_count, s.running_count, s.pending_count)}</td>
                    <td class="mono">{s.task_definition.clone()}</td>
                    <td>{s.capacity.clone()}</td>
                    <td>{s.scheduling_strategy.clone()}</td>
                    <td>{s.rollout_state.clone().unwrap_or_else(|| "—".into())}</td>
                </tr>
            }
        })
        .collect_view();
    let new_service = paths::new_service(&env.get_untracked(), &c.cluster_name);
    let capacity = detail.berth_capacity.clone();
    let built = [
        ("Capacity provider", capacity.capacity_provider.clone()),
        ("Auto Scaling group", capacity.auto_scaling_group.clone()),
        ("Launch template", capacity.launch_template_id.clone()),
        ("Security group", capacity.security_group_id.clone()),
    ];
    let has_built = built.iter().any(|(_, v)| v.is_some());
    view! {
        <div class="page-head">
            <h1>{c.cluster_name.clone()}</h1>
            <span class="badge ok">{c.status.clone()}</span>
            <div class="spacer"></div>
            <a href=move || paths::clusters(&env.get()) class="button">"All clusters"</a>
            <Show when=admin>
                <button type="button" class="danger" on:click=move |_| deleting.set(true)>"Delete cluster"</button>
            </Show>
        </div>
        <dl class="facts">
            <dt>"ARN"</dt><dd class="mono">{c.cluster_arn.clone()}</dd>
            <dt>"Container instances"</dt><dd>{c.registered_container_instances}</dd>
            <dt>"Tasks"</dt><dd>{format!("{} running, {} pending", c.running_tasks, c.pending_tasks)}</dd>
            <dt>"Capacity providers"</dt><dd>{if c.capacity_providers.is_empty() { "—".into() } else { c.capacity_providers.join(", ") }}</dd>
            <dt>"Container Insights"</dt><dd>{if c.container_insights { "enabled" } else { "disabled" }}</dd>
        </dl>
        <h2>"Container instances"</h2>
        {if detail.container_instances.is_empty() {
            view! { <p class="muted">"No EC2 instances registered (Fargate tasks need none)."</p> }.into_any()
        } else {
            view! {
                <table class="grid" id="instances">
                    <thead><tr><th>"Instance"</th><th>"Type"</th><th>"Availability zone"</th><th>"Status"</th>
                        <th>"Agent connected"</th><th class="num">"Running tasks"</th>
                        <th class="num">"CPU free / registered"</th><th class="num">"Memory free / registered (MiB)"</th><th>"Host ports in use"</th></tr></thead>
                    <tbody>{instances}</tbody>
                </table>
            }.into_any()
        }}
        <div class="section-head">
            <h2>"Services"</h2>
            <Show when=admin>
                <a href=new_service.clone() rel="external" class="button primary" id="createService">"Create service"</a>
            </Show>
        </div>
        {if detail.services.is_empty() {
            view! { <p class="muted">"No services."</p> }.into_any()
        } else {
            view! {
                <table class="grid" id="services">
                    <thead><tr><th>"Service"</th><th>"Status"</th><th class="num">"Desired / running / pending"</th>
                        <th>"Task definition"</th><th>"Launch"</th><th>"Scheduling"</th><th>"Rollout"</th></tr></thead>
                    <tbody>{services}</tbody>
                </table>
            }.into_any()
        }}
        {has_built.then(|| view! {
            <h2>"Capacity created by Berth"</h2>
            <dl class="facts">
                {built.iter().filter_map(|(k, v)| v.clone().map(|v| view! { <dt>{*k}</dt><dd class="mono">{v}</dd> })).collect_view()}
            </dl>
        })}
        <Show when=move || deleting.get()>
            <DeleteDialog name=c.cluster_name.clone() has_built on_close=Callback::new(move |()| deleting.set(false))/>
        </Show>
    }
}

#[component]
fn DeleteDialog(name: String, has_built: bool, on_close: Callback<()>) -> impl IntoView {
    let env = param("env");
    let typed = RwSignal::new(String::new());
    let remove_capacity = RwSignal::new(has_built);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let confirm = {
        let name = name.clone();
        move |_| {
            let (env, name) = (env.get_untracked(), name.clone());
            let list = paths::clusters(&env);
            let remove = remove_capacity.get_untracked();
            send(pending, async move { api::delete_cluster(&env, &name, remove).await }, move |answer| match answer {
                Ok(()) => crate::context::go(&list),
                Err(e) => error.set(Some(e)),
            });
        }
    };
    let matches = {
        let name = name.clone();
        move || typed.get() == name
    };
    view! {
        <Modal title=format!("Delete cluster {name}?") on_close>
            <p>"A cluster with services can't be deleted: delete them first."</p>
            {has_built.then(|| view! {
                <label class="check">
                    <input type="checkbox" id="removeCapacity" prop:checked=move || remove_capacity.get()
                        on:change=move |ev| remove_capacity.set(event_target_checked(&ev))/>
                    "Also remove the capacity Berth created for it: capacity provider, Auto Scaling group (its instances terminate), launch template, security group."
                </label>
            })}
            <label for="confirmName">{format!("Type {name} to confirm")}</label>
            <input id="confirmName" autocomplete="off" on:input=move |ev| typed.set(event_target_value(&ev))/>
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="danger" id="confirmDelete" disabled=move || !matches() || pending.get() on:click=confirm.clone()>
                    {move || if pending.get() { "Deleting…" } else { "Delete" }}
                </button>
            </div>
        </Modal>
    }
}

/// The host ports tasks hold, without those the ECS agent reserves on every instance.
fn host_ports(ports: &[String]) -> String {
    const AGENT: [&str; 5] = ["22/tcp", "2375/tcp", "2376/tcp", "51678/tcp", "51679/tcp"];
    let used: Vec<&str> = ports.iter().map(String::as_str).filter(|p| !AGENT.contains(p)).collect();
    if used.is_empty() { "—".into() } else { used.join(", ") }
}
