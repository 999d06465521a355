//! Task-level settings: family, launch types, network mode, roles, size, tags.

use leptos::prelude::*;
use shared::ecs::task_definition::{
    FARGATE_CPU_MEMORY, KeyValueTag, TaskDefinitionSpec as Spec, fargate_memory_options, parse_task_cpu,
    parse_task_memory,
};

use super::fields::{Form, Lens, message, opt_text, select, text};
use crate::components::TagsEditor;

const NETWORK_MODES: &[(&str, &str)] = &[
    ("", "Default (bridge on EC2)"),
    ("bridge", "bridge — Docker's bridge network, host ports mapped"),
    ("awsvpc", "awsvpc — each task gets its own network interface"),
    ("host", "host — containers use the instance's network directly"),
    ("none", "none — no external networking"),
];

pub fn task_settings(form: Form) -> impl IntoView {
    let root = form.root();
    view! {
        <fieldset>
            <legend>"Task definition"</legend>
            {text(root.field("family", |s: &mut Spec| Some(&mut s.family)), "Family",
                Some("Up to 255 letters, digits, hyphens and underscores. Each registration adds a revision to it."))}
            {launch_types(form)}
            {select(root.field("networkMode", |s: &mut Spec| Some(&mut s.network_mode)), "Network mode", NETWORK_MODES)}
            {opt_text(root.field("taskRoleArn", |s: &mut Spec| Some(&mut s.task_role_arn)), "Task role (ARN)",
                "arn:aws:iam::123456789012:role/my-app — the role the containers' code assumes")}
            {opt_text(root.field("executionRoleArn", |s: &mut Spec| Some(&mut s.execution_role_arn)), "Task execution role (ARN)",
                "arn:aws:iam::123456789012:role/ecsTaskExecutionRole — pulls images, writes logs, reads secrets")}
            {task_size(form)}
        </fieldset>
    }
}

fn uses(form: Form, compatibility: &'static str) -> Memo<bool> {
    Memo::new(move |_| form.spec.with(|s| s.requires_compatibilities.iter().flatten().any(|c| c == compatibility)))
}

fn launch_types(form: Form) -> impl IntoView {
    let toggle = move |compatibility: &'static str, on: bool| {
        form.spec.update(|s| {
            let list = s.requires_compatibilities.get_or_insert_with(Vec::new);
            list.retain(|c| c != compatibility);
            if on {
                list.push(compatibility.to_string());
            }
            if list.is_empty() {
                s.requires_compatibilities = None;
            }
            // Fargate runs awsvpc only: pick it rather than show an error for an unset mode.
            if on && compatibility == "FARGATE" && s.network_mode.is_none() {
                s.network_mode = Some("awsvpc".into());
            }
        })
    };
    let check = move |compatibility: &'static str, label: &'static str| {
        let on = uses(form, compatibility);
        view! {
            <label class="check">
                <input type="checkbox" name=format!("requiresCompatibilities.{compatibility}") prop:checked=move || on.get()
                    on:change=move |ev| toggle(compatibility, event_target_checked(&ev))/>
                {label}
            </label>
        }
    };
    view! {
        <div class="field">
            <span class="label">"Launch types"</span>
            <small class="hint">"What this task definition must run on; AWS checks it at registration. Neither means EC2."</small>
            <div class="choices-inline">
                {check("EC2", "EC2 instances")}
                {check("FARGATE", "AWS Fargate")}
            </div>
            {message(form, "requiresCompatibilities")}
        </div>
    }
}

/// Fargate: only the valid CPU/memory pairs are offered. Otherwise free sizes (optional on EC2).
fn task_size(form: Form) -> impl IntoView {
    let fargate = uses(form, "FARGATE");
    let root = form.root();
    let cpu = root.field("cpu", |s: &mut Spec| Some(&mut s.cpu));
    let memory = root.field("memory", |s: &mut Spec| Some(&mut s.memory));
    move || {
        if fargate.get() {
            fargate_size(form, cpu.clone(), memory.clone()).into_any()
        } else {
            view! {
                {opt_text(cpu.clone(), "Task CPU (optional on EC2)", "units (1024 = 1 vCPU) or \"1 vCPU\"")}
                {opt_text(memory.clone(), "Task memory (optional on EC2)", "MiB (\"512\") or \"1 GB\"")}
            }
            .into_any()
        }
    }
}

fn vcpu_label(units: i64) -> String {
    let (whole, rest) = (units / 1024, units % 1024);
    let fraction = match rest {
        256 => ".25",
        512 => ".5",
        768 => ".75",
        _ => "",
    };
    format!("{whole}{fraction} vCPU ({units})")
}

fn fargate_size(form: Form, cpu: Lens<Option<String>>, memory: Lens<Option<String>>) -> impl IntoView {
    let units = {
        let cpu = cpu.clone();
        Memo::new(move |_| cpu.get().as_deref().and_then(parse_task_cpu))
    };
    let (cpu_write, memory_read, memory_write) = (cpu.clone(), memory.clone(), memory.clone());
    let memory_options = move || {
        units
            .get()
            .map(fargate_memory_options)
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                let label = if m % 1024 == 0 { format!("{} GB ({m})", m / 1024) } else { format!("{m} MiB") };
                view! { <option value=m.to_string()>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="field-pair">
            <div class="field">
                <label>
                    <span class="label">"Task CPU (Fargate)"</span>
                    <select name="cpu" prop:value=move || units.get().map(|u| u.to_string()).unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            cpu_write.set(if v.is_empty() { None } else { Some(v.clone()) });
                            // Keep the memory only if Fargate offers it with the new CPU.
                            let offered = v.parse().map(fargate_memory_options).unwrap_or_default();
                            let current = memory_write.get_untracked().as_deref().and_then(parse_task_memory);
                            if !current.is_some_and(|m| offered.contains(&m)) {
                                memory_write.set(offered.first().map(|m| m.to_string()));
                            }
                        }>
                        <option value="">"Choose…"</option>
                        {FARGATE_CPU_MEMORY.iter().map(|(c, ..)| view! { <option value=c.to_string()>{vcpu_label(*c)}</option> }).collect_view()}
                    </select>
                </label>
                {message(form, "cpu")}
            </div>
            <div class="field">
                <label>
                    <span class="label">"Task memory (Fargate)"</span>
                    <select name="memory" prop:value=move || {
                            units.track();
                            memory_read.get().as_deref().and_then(parse_task_memory).map(|m| m.to_string()).unwrap_or_default()
                        }
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            memory.set(if v.is_empty() { None } else { Some(v) })
                        }>
                        <option value="">"Choose…"</option>
                        {memory_options}
                    </select>
                </label>
                {message(form, "memory")}
            </div>
        </div>
    }
}

pub fn tags(form: Form) -> impl IntoView {
    let lens = form.root().field("tags", |s: &mut Spec| Some(&mut s.tags));
    let (read, write) = (lens.clone(), lens);
    view! {
        <TagsEditor path="tags" members=("key", "value") fields=form.fields
            tags=Signal::derive(move || read.get().unwrap_or_default().into_iter().map(|t| (t.key, t.value)).collect::<Vec<_>>())
            set=Callback::new(move |list: Vec<(String, String)>| {
                let list: Vec<KeyValueTag> = list.into_iter().map(|(key, value)| KeyValueTag { key, value }).collect();
                write.set((!list.is_empty()).then_some(list));
            })/>
    }
}
