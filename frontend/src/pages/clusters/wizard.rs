//! The create-cluster wizard, as the lab's "EC2 Linux + Networking" (with today's launch template,
//! Auto Scaling group and capacity provider). Checked as you type with the shared rules; once
//! submitted, the steps show live.

use leptos::prelude::*;
use shared::auth::Role;
use shared::ecs::cluster::{
    ClusterSpec, Creation, DEFAULT_INSTANCE_ROLE, Ec2Capacity, InstanceTypeInfo, check_instance_type, validate,
};
use shared::ecs::task_definition::KeyValueTag;
use shared::error::ApiError;

use super::key_pair::key_pair_maker;
use super::steps::CreationSteps;
use crate::api::{self, paths};
use crate::components::form::{
    Choice, Input, checklist, errors_only, flag, int_input, opt_text_input, parsed_text, radio, select_by,
    select_input, text_input, toggle,
};
use crate::components::{ErrorBanner, TagsEditor, role_gate};
use crate::load::{load, send};
use crate::pages::param;

type Form = crate::components::form::Form<ClusterSpec>;

const INFRASTRUCTURE: &[Choice] = &[
    ("fargate", "AWS Fargate only", "Serverless: no instances to manage."),
    ("ec2", "EC2 instances", "An Auto Scaling group of ECS-optimized instances."),
];

/// The lab's: EC2 instances, and a new security group opening 80 and 443.
fn initial() -> ClusterSpec {
    ClusterSpec {
        ec2: Some(Ec2Capacity { open_ports: Some(vec![80, 443]), ..Ec2Capacity::default() }),
        ..ClusterSpec::default()
    }
}

/// `/e/:env/clusters/new` (admins of the environment).
#[component]
pub fn CreateClusterPage() -> impl IntoView {
    role_gate(param("env"), Role::Admin, "Create cluster", "Creating a cluster", || {
        view! { <ClusterWizard/> }.into_any()
    })
}

#[component]
fn ClusterWizard() -> impl IntoView {
    let env = param("env");
    // The instance types EC2 offers in the region: the field's list, and its check once known.
    let types = load(move || {
        let env = env.get();
        async move { api::instance_types(&env).await }
    });
    let offered = RwSignal::new(Vec::<InstanceTypeInfo>::new());
    Effect::new(move |_| {
        if let Some(Ok(list)) = types.get() {
            offered.set(list);
        }
    });
    let form = Form::checked(initial(), move |s: &ClusterSpec| {
        let mut errors = validate(s).err().unwrap_or_default();
        if let Some(ec2) = &s.ec2 {
            offered.with(|list| {
                if !list.is_empty() && !ec2.instance_type.is_empty() {
                    errors.extend(
                        check_instance_type(&ec2.instance_type, list, ec2.image_id.is_some()).err().unwrap_or_default(),
                    );
                }
            });
        }
        errors_only(if errors.is_empty() { Ok(()) } else { Err(errors) })
    });
    let root = form.root();
    let creation = RwSignal::new(None::<Creation>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.fields.submit() {
            return;
        }
        let (env, spec) = (env.get_untracked(), form.spec.get_untracked());
        send(pending, async move { api::create_cluster(&env, &spec).await }, move |answer| match answer {
            Ok(started) => creation.set(Some(started)),
            Err(e) => form.fields.server.set(Some(e)),
        });
    };
    // The EC2 settings are kept while Fargate is chosen, in case the user comes back.
    let kept = StoredValue::new(Ec2Capacity::default());
    let infrastructure = move || {
        radio(
            form.root().field("ec2", |s: &mut ClusterSpec| Some(&mut s.ec2)),
            "infrastructure",
            INFRASTRUCTURE,
            true,
            |ec2| if ec2.is_some() { "ec2" } else { "fargate" },
            move |v| {
                if v == "ec2" {
                    Some(Some(kept.get_value()))
                } else {
                    if let Some(ec2) = form.spec.with_untracked(|s| s.ec2.clone()) {
                        kept.set_value(ec2);
                    }
                    Some(None)
                }
            },
        )
    };
    let use_ec2 = Memo::new(move |_| form.spec.with(|s| s.ec2.is_some()));
    let tags = root.field("tags", |s: &mut ClusterSpec| Some(&mut s.tags));
    let (read_tags, write_tags) = (tags.clone(), tags);
    let tag_pairs = Signal::derive(move || read_tags.get().into_iter().map(|t| (t.key, t.value)).collect::<Vec<_>>());
    let set_tags = Callback::new(move |list: Vec<(String, String)>| {
        write_tags.set(list.into_iter().map(|(key, value)| KeyValueTag { key, value }).collect())
    });
    view! {
        <div class="page-head">
            <h1>"Create cluster"</h1>
            <a href=move || paths::clusters(&env.get()) class="button">"Cancel"</a>
        </div>
        {move || form.fields.server.get().map(|e| view! { <ErrorBanner error=e/> })}
        <Show when=move || creation.read().is_none() fallback=move || view! { <CreationSteps creation/> }>
            <form class="wizard" on:submit=submit novalidate>
                <fieldset>
                    <legend>"Cluster configuration"</legend>
                    {text_input(root.field("clusterName", |s: &mut ClusterSpec| Some(&mut s.cluster_name)),
                        Input::new("Cluster name").id("clusterName").hint("Up to 255 letters, digits, hyphens and underscores."))}
                    {flag(root.field("containerInsights", |s: &mut ClusterSpec| Some(&mut s.container_insights)),
                        Input::new("Container Insights: CloudWatch metrics for the cluster's tasks and services (billed by CloudWatch)."))}
                </fieldset>
                <fieldset>
                    <legend>"Infrastructure"</legend>
                    {infrastructure()}
                </fieldset>
                <Show when=move || use_ec2.get()>
                    {ec2_fields(form, offered)}
                </Show>
                <TagsEditor path="tags" members=("key", "value") fields=form.fields tags=tag_pairs set=set_tags/>
                <div class="actions">
                    <button type="submit" class="primary" id="createCluster" disabled=move || pending.get()>
                        {move || if pending.get() { "Starting…" } else { "Create" }}
                    </button>
                </div>
            </form>
        </Show>
    }
}

/// `<option>`s of the instance types, escaped (names and summaries come from EC2).
fn datalist_options(list: &[InstanceTypeInfo]) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    list.iter().map(|t| format!("<option value=\"{}\">{}</option>", escape(&t.name), escape(&t.summary()))).collect()
}

fn choices(loaded: Option<Result<Vec<shared::ecs::cluster::Choice>, ApiError>>) -> Vec<(String, String)> {
    loaded.and_then(Result::ok).unwrap_or_default().into_iter().map(|c| (c.id, c.label)).collect()
}

fn ec2_fields(form: Form, offered: RwSignal<Vec<InstanceTypeInfo>>) -> impl IntoView {
    let ec2 = form.root().field("ec2", |s: &mut ClusterSpec| s.ec2.as_mut());
    let env = param("env");
    let defaults = load(move || {
        let env = env.get();
        async move { api::ec2_defaults(&env).await }
    });
    let vpcs = load(move || {
        let env = env.get();
        async move { api::network(&env, "vpcs").await }
    });
    let keys = load(move || {
        let env = env.get();
        async move { api::network(&env, "key-pairs").await }
    });
    let vpc_id = ec2.field("vpcId", |e: &mut Ec2Capacity| Some(&mut e.vpc_id));
    let vpc = Memo::new({
        let vpc_id = vpc_id.clone();
        move |_| vpc_id.get()
    });
    // The default VPC, until the user picks another; another VPC has other subnets and groups.
    Effect::new({
        let vpc_id = vpc_id.clone();
        move |_| {
            if let Some(Ok(list)) = vpcs.get()
                && vpc.get_untracked().is_empty()
                && let Some(default) = list.iter().find(|v| v.is_default).or(list.first())
            {
                vpc_id.set(default.id.clone());
            }
        }
    });
    Effect::new({
        let ec2 = ec2.clone();
        move |before: Option<String>| {
            let now = vpc.get();
            if before.is_some_and(|b| !b.is_empty() && b != now) {
                ec2.update(|e| {
                    e.subnet_ids.clear();
                    e.security_group_ids.clear();
                });
            }
            now
        }
    });
    let subnets = load(move || {
        let (env, vpc) = (env.get(), vpc.get());
        async move { if vpc.is_empty() { Ok(Vec::new()) } else { api::network(&env, &format!("vpcs/{vpc}/subnets")).await } }
    });
    let groups = load(move || {
        let (env, vpc) = (env.get(), vpc.get());
        async move {
            if vpc.is_empty() {
                Ok(Vec::new())
            } else {
                api::network(&env, &format!("vpcs/{vpc}/security-groups")).await
            }
        }
    });
    // Instance role: whether ecsInstanceRole exists decides whether to offer creating it.
    Effect::new({
        let ec2 = ec2.clone();
        move |_| {
            if let Some(Ok(d)) = defaults.get() {
                ec2.update(|e| {
                    e.create_instance_role = !d.instance_role_exists && e.instance_role == DEFAULT_INSTANCE_ROLE
                });
            }
        }
    });
    let ami_hint = Signal::derive(move || match defaults.get() {
        Some(Ok(d)) => d.recommended_image_id.map_or(
            "The ECS-optimized Amazon Linux 2023 AMI could not be read from SSM: give an AMI ID.".to_string(),
            |id| format!("Empty: the ECS-optimized Amazon Linux 2023 AMI ({id}), from its public SSM parameter."),
        ),
        _ => "Empty: the ECS-optimized Amazon Linux 2023 AMI.".to_string(),
    });
    let role_exists = move || defaults.get().and_then(Result::ok).is_some_and(|d| d.instance_role_exists);
    let key_options = Signal::derive(move || {
        let mut list = vec![(String::new(), "No key pair".to_string())];
        list.extend(choices(keys.get()));
        list
    });
    let vpc_options = Signal::derive(move || {
        vpcs.get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|v| {
                let label = if v.is_default {
                    format!("{} — {} (default)", v.id, v.label)
                } else {
                    format!("{} — {}", v.id, v.label)
                };
                (v.id, label)
            })
            .collect::<Vec<_>>()
    });
    // A new security group's ports, kept while none is asked for.
    let kept_ports = StoredValue::new(vec![80, 443]);
    let ports = ec2.field("openPorts", |e: &mut Ec2Capacity| Some(&mut e.open_ports));
    let new_group = Memo::new({
        let ports = ports.clone();
        move |_| ports.get().is_some()
    });
    let instance_type = ec2.field("instanceType", |e: &mut Ec2Capacity| Some(&mut e.instance_type));
    let type_note = Signal::derive({
        let instance_type = instance_type.clone();
        move || {
            let name = instance_type.get();
            offered.with(|list| match list.iter().find(|t| t.name == name) {
                Some(t) => t.summary(),
                None if list.is_empty() => "Loading the types EC2 offers in this region…".to_string(),
                None => format!("Type to search the {} types EC2 offers in this region.", list.len()),
            })
        }
    });
    let key_name = ec2.field("keyName", |e: &mut Ec2Capacity| Some(&mut e.key_name));
    let create_role = ec2.field("createInstanceRole", |e: &mut Ec2Capacity| Some(&mut e.create_instance_role));
    view! {
        <fieldset>
            <legend>"EC2 instances"</legend>
            <div class="field-pair">
                {text_input(instance_type.clone(), Input::new("Instance type").list("instanceTypes").note(type_note))}
                {int_input(ec2.field("rootVolumeGib", |e: &mut Ec2Capacity| Some(&mut e.root_volume_gib)), Input::new("Root volume (GiB, gp3)"))}
            </div>
            // About 1,400 types: one string for the browser to parse, not 1,400 views to build.
            <datalist id="instanceTypes" inner_html=move || offered.with(|list| datalist_options(list))></datalist>
            <div class="field-trio">
                {int_input(ec2.field("minSize", |e: &mut Ec2Capacity| Some(&mut e.min_size)), Input::new("Minimum"))}
                {int_input(ec2.field("desiredCapacity", |e: &mut Ec2Capacity| Some(&mut e.desired_capacity)), Input::new("Desired"))}
                {int_input(ec2.field("maxSize", |e: &mut Ec2Capacity| Some(&mut e.max_size)), Input::new("Maximum"))}
            </div>
            {opt_text_input(ec2.field("imageId", |e: &mut Ec2Capacity| Some(&mut e.image_id)),
                Input::new("AMI").placeholder("ami-…").note(ami_hint))}
            {select_input(key_name.clone(), Input::new("Key pair (for SSH; optional)"), key_options)}
            {key_pair_maker(env, key_name, keys)}
            {select_by(vpc_id, Input::new("VPC"), vpc_options, |v| v, Some)}
            {checklist(ec2.field("subnetIds", |e: &mut Ec2Capacity| Some(&mut e.subnet_ids)), "ec2.subnetIds",
                "Subnets (the Auto Scaling group spreads instances over them)", "", Signal::derive(move || choices(subnets.get())))}
            {checklist(ec2.field("securityGroupIds", |e: &mut Ec2Capacity| Some(&mut e.security_group_ids)), "ec2.securityGroupIds",
                "Security groups", "", Signal::derive(move || choices(groups.get())))}
            {toggle(ports.clone(), Input::new("Create a security group opening these TCP ports to the internet:").name("newSecurityGroup"),
                |p| p.is_some(),
                move |on| if on { Some(kept_ports.get_value()) } else {
                    if let Some(p) = form.spec.with_untracked(|s| s.ec2.as_ref().and_then(|e| e.open_ports.clone())) {
                        kept_ports.set_value(p);
                    }
                    None
                })}
            <Show when=move || new_group.get()>
                {parsed_text(ports.clone(), Input::new("Ports").under(),
                    |p| p.unwrap_or_default().iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
                    // What is not a number becomes 0, which the port rule refuses at its index.
                    |text| Some(text.split([',', ' ']).filter(|p| !p.is_empty()).map(|p| p.parse().unwrap_or(0)).collect()))}
            </Show>
            {text_input(ec2.field("instanceRole", |e: &mut Ec2Capacity| Some(&mut e.instance_role)), Input::new("Instance role"))}
            {move || (!role_exists()).then(|| flag(create_role.clone(),
                Input::new("It does not exist yet: create it with AWS's managed policy for ECS container instances (AmazonEC2ContainerServiceforEC2Role).")))}
            {flag(ec2.field("managedScaling", |e: &mut Ec2Capacity| Some(&mut e.managed_scaling)),
                Input::new("Managed scaling: ECS grows and shrinks the group to fit the tasks (between minimum and maximum)."))}
        </fieldset>
    }
}
