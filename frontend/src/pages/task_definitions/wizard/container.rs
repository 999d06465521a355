//! One container definition: what users set most, grouped as the AWS console groups it; the
//! rarer members are kept and shown read-only.

use leptos::prelude::*;
use shared::ecs::task_definition::{
    ContainerDefinition as C, ContainerDependency, HealthCheck, LogConfiguration, MountPoint, NameValue, PortMapping,
    Secret, TaskDefinitionSpec as Spec, Ulimit, VolumeFrom,
};

use super::fields::{
    Form, Lens, checkbox, int, kept_as_is, kept_view, lines, map_lines, message, number, opt_text, required_lines,
    rows, select, text,
};
use super::image_picker::image_picker;
use crate::pages::param;

/// Members with inputs below; the rest of a container is kept as is.
const EDITED: [&str; 20] = [
    "name",
    "image",
    "cpu",
    "memory",
    "memoryReservation",
    "essential",
    "portMappings",
    "environment",
    "secrets",
    "command",
    "entryPoint",
    "workingDirectory",
    "mountPoints",
    "volumesFrom",
    "links",
    "dependsOn",
    "healthCheck",
    "logConfiguration",
    "ulimits",
    "dockerLabels",
];

pub fn containers(form: Form) -> impl IntoView {
    let list = form.root().field("containerDefinitions", |s: &mut Spec| Some(&mut s.container_definitions));
    let len = Memo::new(move |_| form.spec.with(|s| s.container_definitions.len()));
    let add = move |_| {
        form.spec.update(|s| s.container_definitions.push(C::default()));
    };
    view! {
        <fieldset>
            <legend>"Containers"</legend>
            {message(form, "containerDefinitions")}
            {move || (0..len.get()).map(|i| container(list.clone(), i)).collect_view()}
            <button type="button" class="add" on:click=add>"Add container"</button>
        </fieldset>
    }
}

fn container(list: Lens<Vec<C>>, index: usize) -> impl IntoView {
    let form = list.form;
    let c = list.at(index);
    let title = {
        let c = c.clone();
        move || {
            let name = c.field("name", |c: &mut C| Some(&mut c.name)).get();
            if name.is_empty() {
                format!("Container {}", index + 1)
            } else {
                format!("Container {}: {name}", index + 1)
            }
        }
    };
    let kept = {
        let c = c.clone();
        move || kept_view("Other settings of this container", kept_as_is(&c.get(), &EDITED))
    };
    let remove = move |_| {
        form.spec.update(|s| {
            if index < s.container_definitions.len() {
                s.container_definitions.remove(index);
            }
        })
    };
    let image = c.field("image", |c: &mut C| Some(&mut c.image));
    view! {
        <section class="container-def">
            <div class="section-head">
                <h3>{title}</h3>
                <button type="button" class="link danger" on:click=remove>"Remove container"</button>
            </div>
            {message(form, c.path.clone())}
            <div class="field-pair">
                {text(c.field("name", |c: &mut C| Some(&mut c.name)), "Name", None)}
                <div>
                    {text(image.clone(), "Image", Some("repository-url/image:tag — or pick one from this environment's ECR"))}
                    {image_picker(image)}
                </div>
            </div>
            {checkbox(c.field("essential", |c: &mut C| Some(&mut c.essential)), "Essential: if it stops, the task stops", true)}
            <div class="field-trio">
                {number(c.field("cpu", |c: &mut C| Some(&mut c.cpu)), "CPU units", Some("1024 = 1 vCPU"))}
                {number(c.field("memory", |c: &mut C| Some(&mut c.memory)), "Memory hard limit (MiB)", None)}
                {number(c.field("memoryReservation", |c: &mut C| Some(&mut c.memory_reservation)), "Memory soft limit (MiB)", None)}
            </div>
            {rows(c.field("portMappings", |c: &mut C| Some(&mut c.port_mappings)), "Port mappings", "Add port mapping", port_mapping)}
            {rows(c.field("environment", |c: &mut C| Some(&mut c.environment)), "Environment variables", "Add variable", |v: Lens<NameValue>| view! {
                {text(v.field("name", |v: &mut NameValue| Some(&mut v.name)), "Name", None)}
                {text(v.field("value", |v: &mut NameValue| Some(&mut v.value)), "Value", None)}
            }.into_any())}
            {rows(c.field("secrets", |c: &mut C| Some(&mut c.secrets)), "Secrets", "Add secret", |v: Lens<Secret>| view! {
                {text(v.field("name", |v: &mut Secret| Some(&mut v.name)), "Variable name", None)}
                {text(v.field("valueFrom", |v: &mut Secret| Some(&mut v.value_from)), "Value from (Secrets Manager or SSM ARN)", None)}
            }.into_any())}
            <details>
                <summary>"Command, entry point, working directory"</summary>
                {lines(c.field("command", |c: &mut C| Some(&mut c.command)), "Command", Some("One argument per line"))}
                {lines(c.field("entryPoint", |c: &mut C| Some(&mut c.entry_point)), "Entry point", Some("One argument per line"))}
                {opt_text(c.field("workingDirectory", |c: &mut C| Some(&mut c.working_directory)), "Working directory", "/app")}
            </details>
            <details open=has_storage(&c)>
                <summary>"Storage: mount points, volumes from"</summary>
                {rows(c.field("mountPoints", |c: &mut C| Some(&mut c.mount_points)), "Mount points", "Add mount point", mount_point)}
                {rows(c.field("volumesFrom", |c: &mut C| Some(&mut c.volumes_from)), "Volumes from", "Add container", |v: Lens<VolumeFrom>| view! {
                    {opt_text(v.field("sourceContainer", |v: &mut VolumeFrom| Some(&mut v.source_container)), "Source container", "")}
                    {checkbox(v.field("readOnly", |v: &mut VolumeFrom| Some(&mut v.read_only)), "Read only", false)}
                }.into_any())}
            </details>
            <details>
                <summary>"Links and start-up order"</summary>
                {lines(c.field("links", |c: &mut C| Some(&mut c.links)), "Links (bridge mode)", Some("container or container:alias, one per line"))}
                {rows(c.field("dependsOn", |c: &mut C| Some(&mut c.depends_on)), "Depends on", "Add dependency", |d: Lens<ContainerDependency>| view! {
                    {text(d.field("containerName", |d: &mut ContainerDependency| Some(&mut d.container_name)), "Container", None)}
                    {condition(d.field("condition", |d: &mut ContainerDependency| Some(&mut d.condition)))}
                }.into_any())}
            </details>
            {health_check(c.clone())}
            {logging(c.clone())}
            <details>
                <summary>"Ulimits and Docker labels"</summary>
                {rows(c.field("ulimits", |c: &mut C| Some(&mut c.ulimits)), "Ulimits", "Add ulimit", |u: Lens<Ulimit>| view! {
                    {text(u.field("name", |u: &mut Ulimit| Some(&mut u.name)), "Name", Some("nofile, nproc, core, …"))}
                    {int(u.field("softLimit", |u: &mut Ulimit| Some(&mut u.soft_limit)), "Soft limit")}
                    {int(u.field("hardLimit", |u: &mut Ulimit| Some(&mut u.hard_limit)), "Hard limit")}
                }.into_any())}
                {map_lines(c.field("dockerLabels", |c: &mut C| Some(&mut c.docker_labels)), "Docker labels")}
            </details>
            {kept}
        </section>
    }
}

fn has_storage(c: &Lens<C>) -> bool {
    let c = c.get_untracked();
    c.mount_points.is_some() || c.volumes_from.is_some()
}

fn port_mapping(p: Lens<PortMapping>) -> AnyView {
    view! {
        {number(p.field("containerPort", |p: &mut PortMapping| Some(&mut p.container_port)), "Container port", None)}
        {number(p.field("hostPort", |p: &mut PortMapping| Some(&mut p.host_port)), "Host port", None)}
        {select(p.field("protocol", |p: &mut PortMapping| Some(&mut p.protocol)), "Protocol", &[("", "tcp (default)"), ("tcp", "tcp"), ("udp", "udp")])}
        {opt_text(p.field("name", |p: &mut PortMapping| Some(&mut p.name)), "Name", "for Service Connect")}
    }
    .into_any()
}

fn mount_point(m: Lens<MountPoint>) -> AnyView {
    let form = m.form;
    let source = m.field("sourceVolume", |m: &mut MountPoint| Some(&mut m.source_volume));
    let (read, write, path) = (source.clone(), source.clone(), source.path.clone());
    let names =
        Memo::new(move |_| form.spec.with(|s| s.volumes.iter().flatten().map(|v| v.name.clone()).collect::<Vec<_>>()));
    view! {
        <div class="field">
            <label>
                <span class="label">"Source volume"</span>
                <select name=path.clone() prop:value=move || { names.track(); read.get().unwrap_or_default() }
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        write.set(if v.is_empty() { None } else { Some(v) })
                    }>
                    <option value="">"Choose…"</option>
                    {move || names.get().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                </select>
            </label>
            {message(form, path)}
        </div>
        {opt_text(m.field("containerPath", |m: &mut MountPoint| Some(&mut m.container_path)), "Container path", "/var/www")}
        {checkbox(m.field("readOnly", |m: &mut MountPoint| Some(&mut m.read_only)), "Read only", false)}
    }
    .into_any()
}

/// A required string member offered as a fixed choice.
fn condition(lens: Lens<String>) -> impl IntoView {
    let (read, write, path) = (lens.clone(), lens.clone(), lens.path.clone());
    view! {
        <div class="field">
            <label>
                <span class="label">"Condition"</span>
                <select name=path.clone() prop:value=move || read.get() on:change=move |ev| write.set(event_target_value(&ev))>
                    <option value="">"Choose…"</option>
                    <option value="START">"START — it has started"</option>
                    <option value="COMPLETE">"COMPLETE — it has run to completion"</option>
                    <option value="SUCCESS">"SUCCESS — it exited with 0"</option>
                    <option value="HEALTHY">"HEALTHY — its health check passes"</option>
                </select>
            </label>
            {message(lens.form, path)}
        </div>
    }
}

fn health_check(c: Lens<C>) -> impl IntoView {
    let hc = c.field("healthCheck", |c: &mut C| Some(&mut c.health_check));
    let on = {
        let hc = hc.clone();
        Memo::new(move |_| hc.get().is_some())
    };
    let toggle = hc.clone();
    let set = hc.some();
    view! {
        <details open=on.get_untracked()>
            <summary>"Health check"</summary>
            <label class="check">
                <input type="checkbox" name=format!("{}.enabled", hc.path) prop:checked=move || on.get()
                    on:change=move |ev| toggle.set(event_target_checked(&ev).then(|| HealthCheck {
                        command: vec!["CMD-SHELL".into(), "curl -f http://localhost/ || exit 1".into()],
                        ..HealthCheck::default()
                    }))/>
                "Check the container's health"
            </label>
            {move || on.get().then(|| view! {
                {required_lines(set.field("command", |h: &mut HealthCheck| Some(&mut h.command)), "Command",
                    Some("First line CMD-SHELL (then a shell command) or CMD (then the program and its arguments)"))}
                <div class="field-quad">
                    {number(set.field("interval", |h: &mut HealthCheck| Some(&mut h.interval)), "Interval (s)", Some("5-300, default 30"))}
                    {number(set.field("timeout", |h: &mut HealthCheck| Some(&mut h.timeout)), "Timeout (s)", Some("2-120, default 5"))}
                    {number(set.field("retries", |h: &mut HealthCheck| Some(&mut h.retries)), "Retries", Some("1-10, default 3"))}
                    {number(set.field("startPeriod", |h: &mut HealthCheck| Some(&mut h.start_period)), "Start period (s)", Some("0-300"))}
                </div>
            }.into_any())}
        </details>
    }
}

const LOG_DRIVERS: &[(&str, &str)] = &[
    ("", "No log configuration"),
    ("awslogs", "awslogs — CloudWatch Logs"),
    ("awsfirelens", "awsfirelens — FireLens"),
    ("json-file", "json-file"),
    ("syslog", "syslog"),
    ("journald", "journald"),
    ("gelf", "gelf"),
    ("fluentd", "fluentd"),
    ("splunk", "splunk"),
];

fn logging(c: Lens<C>) -> impl IntoView {
    let form = c.form;
    let log = c.field("logConfiguration", |c: &mut C| Some(&mut c.log_configuration));
    let driver = {
        let log = log.clone();
        Memo::new(move |_| log.get().map(|l| l.log_driver).unwrap_or_default())
    };
    let env = param("env");
    let environments = expect_context::<crate::context::Environments>().0;
    let (write, inner) = (log.clone(), log.some());
    // CloudWatch Logs as the AWS console fills it in: a group per family, this region, prefix "ecs".
    let awslogs = move || {
        let region = environments
            .value
            .get_untracked()
            .and_then(Result::ok)
            .and_then(|l| l.into_iter().find(|e| e.name == env.get_untracked()).map(|e| e.region))
            .unwrap_or_else(|| "us-east-1".into());
        shared::logs::awslogs_default(&form.spec.with_untracked(|s| s.family.clone()), &region)
    };
    view! {
        <details open=driver.get_untracked() != "">
            <summary>"Logging"</summary>
            <div class="field">
                <label>
                    <span class="label">"Log driver"</span>
                    <select name=format!("{}.logDriver", log.path) prop:value=move || driver.get()
                        on:change=move |ev| {
                            let picked = event_target_value(&ev);
                            write.set(match picked.as_str() {
                                "" => None,
                                "awslogs" => Some(awslogs()),
                                other => Some(LogConfiguration { log_driver: other.to_string(), ..LogConfiguration::default() }),
                            })
                        }>
                        {LOG_DRIVERS.iter().map(|(v, l)| view! { <option value=*v>{*l}</option> }).collect_view()}
                    </select>
                </label>
                {message(form, format!("{}.logDriver", log.path))}
            </div>
            {move || (!driver.get().is_empty()).then(|| {
                map_lines(inner.field("options", |l: &mut LogConfiguration| Some(&mut l.options)), "Options")
            })}
        </details>
    }
}
