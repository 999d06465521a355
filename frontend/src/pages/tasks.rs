//! `/e/:env/tasks/:cluster/:task`: one task — its revision, where it runs (EC2 instance, zone,
//! IPs), its containers (image and digest, status, exit code, reason, health, ports) and why it
//! stopped, and its logs; a task ECS has forgotten shows what Berth kept of it with a failed
//! deployment.

use leptos::prelude::*;
use shared::ecs::task::{TaskContainer, TaskDetail};

use crate::api::{self, paths};
use crate::components::ErrorBanner;
use crate::format::local_time;
use crate::load::load;
use crate::pages::logs::TaskLogs;
use crate::pages::param;

#[component]
pub fn TaskPage() -> impl IntoView {
    let (env, cluster, task) = (param("env"), param("cluster"), param("task"));
    let detail = load(move || {
        let (env, cluster, task) = (env.get(), cluster.get(), task.get());
        async move { api::get_task(&env, &cluster, &task).await }
    });
    view! {
        {move || match detail.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(t)) => view! { <TaskView task=t/> }.into_any(),
        }}
    }
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

#[component]
fn TaskView(task: TaskDetail) -> impl IntoView {
    let env = param("env").get_untracked();
    let service = task.group.as_deref().and_then(|g| g.strip_prefix("service:")).map(str::to_string);
    let back = service.as_ref().map(|s| paths::service(&env, &task.cluster, s));
    let status_class = match task.last_status.as_str() {
        "RUNNING" => "badge ok",
        "STOPPED" => "badge bad",
        _ => "badge info",
    };
    let family = task.task_definition.split_once(':').map(|(f, r)| (f.to_string(), r.parse::<i64>().unwrap_or(0)));
    let revision = family.map(|(f, r)| (paths::task_revision(&env, &f, r), task.task_definition.clone()));
    let host = task.host.clone().map(|h| {
        view! {
            <h2>"Instance"</h2>
            <dl class="facts" id="taskHost">
                <dt>"EC2 instance"</dt><dd class="mono">{or_dash(&h.ec2_instance_id)}</dd>
                <dt>"Type"</dt><dd>{or_dash(&h.instance_type)}</dd>
                <dt>"Availability zone"</dt><dd>{or_dash(&h.availability_zone)}</dd>
                <dt>"Public IP"</dt><dd class="mono">{or_dash(&h.public_ip)}</dd>
                <dt>"Private IP"</dt><dd class="mono">{or_dash(&h.private_ip)}</dd>
                <dt>"Container instance"</dt><dd class="mono">{h.container_instance_id.clone()}</dd>
            </dl>
        }
    });
    let public_ip = task.host.as_ref().and_then(|h| h.public_ip.clone().or(h.private_ip.clone()));
    let containers = task.containers.iter().map(|c| container_row(c, public_ip.as_deref())).collect_view();
    view! {
        <div class="page-head">
            <h1>"Task "<span class="mono">{task.task_id.clone()}</span></h1>
            <span class=status_class id="taskStatus">{task.last_status.clone()}</span>
            <div class="spacer"></div>
            {back.map(|href| view! { <a href=href rel="external" class="button">"Service "{service.clone().unwrap_or_default()}</a> })}
        </div>
        {task.kept.then(|| view! {
            <p class="banner warning" id="taskKept">"ECS no longer has this task (it forgets stopped tasks after about an hour): this is what Berth kept of it with the failed deployment."</p>
        })}
        <dl class="facts" id="taskFacts">
            <dt>"Cluster"</dt><dd>{task.cluster.clone()}</dd>
            <dt>"Task definition"</dt>
            <dd class="mono">{match revision {
                Some((href, name)) => view! { <a href=href rel="external">{name}</a> }.into_any(),
                None => task.task_definition.clone().into_any(),
            }}</dd>
            <dt>"Desired status"</dt><dd>{task.desired_status.clone()}</dd>
            <dt>"Health"</dt><dd>{or_dash(&task.health_status)}</dd>
            <dt>"Launch type"</dt><dd>{or_dash(&task.launch_type)}</dd>
            <dt>"Availability zone"</dt><dd>{or_dash(&task.availability_zone)}</dd>
            <dt>"Started by"</dt><dd class="mono">{or_dash(&task.started_by)}</dd>
            <dt>"Created"</dt><dd>{local_time(task.created_at.as_deref())}</dd>
            <dt>"Started"</dt><dd>{local_time(task.started_at.as_deref())}</dd>
            {task.private_ip.clone().map(|ip| view! { <dt>"Task IP (awsvpc)"</dt><dd class="mono">{ip}</dd> })}
            {task.stopped_at.clone().map(|at| view! { <dt>"Stopped"</dt><dd>{local_time(Some(&at))}</dd> })}
            {task.stop_code.clone().map(|code| view! { <dt>"Stop code"</dt><dd class="mono" id="stopCode">{code}</dd> })}
            {task.stopped_reason.clone().map(|why| view! { <dt>"Stopped reason"</dt><dd id="stoppedReason">{why}</dd> })}
        </dl>
        {host}
        <h2>"Containers"</h2>
        <table class="grid" id="taskContainers">
            <thead><tr><th>"Name"</th><th>"Image"</th><th>"Status"</th><th>"Health"</th><th class="num">"Exit code"</th>
                <th>"Reason"</th><th>"Ports (container → host)"</th></tr></thead>
            <tbody>{containers}</tbody>
        </table>
        <TaskLogs cluster=task.cluster.clone() task=task.task_id.clone()/>
    }
}

fn container_row(c: &TaskContainer, ip: Option<&str>) -> impl IntoView {
    let ports = c
        .network_bindings
        .iter()
        .map(|b| {
            let label = format!("{} → {}/{}", b.container_port, b.host_port, b.protocol);
            match ip.filter(|_| b.protocol == "tcp") {
                Some(ip) => {
                    let scheme = if b.container_port == 443 { "https" } else { "http" };
                    let href = format!("{scheme}://{ip}:{}", b.host_port);
                    view! { <a href=href target="_blank" rel="noopener external">{label}</a>" " }.into_any()
                }
                None => view! { <span>{label}" "</span> }.into_any(),
            }
        })
        .collect_view();
    view! {
        <tr>
            <td>{c.name.clone()}</td>
            <td class="mono">{c.image.clone()}{c.image_digest.clone().map(|d| view! { <br/><small class="muted">{d}</small> })}</td>
            <td>{or_dash(&c.last_status)}</td>
            <td>{or_dash(&c.health_status)}</td>
            <td class="num">{c.exit_code.map_or("—".to_string(), |code| code.to_string())}</td>
            <td>{or_dash(&c.reason)}</td>
            <td>{ports}</td>
        </tr>
    }
}
