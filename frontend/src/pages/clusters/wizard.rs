//! The create-cluster wizard, as the lab's "EC2 Linux + Networking" (with today's launch template,
//! Auto Scaling group and capacity provider). Checked as you type with the shared rules; once
//! submitted, the steps show live.

use leptos::prelude::*;
use shared::auth::Role;
use shared::ecs::cluster::{Choice, ClusterSpec, Creation, DEFAULT_INSTANCE_ROLE, Ec2Capacity, validate};
use shared::ecs::task_definition::KeyValueTag;
use shared::error::{ApiError, FieldError};

use super::steps::CreationSteps;
use crate::api::{self, paths};
use crate::components::{ErrorBanner, TagsEditor, role_gate};
use crate::load::{load, send};
use crate::pages::param;

const INSTANCE_TYPES: [&str; 10] = [
    "t2.micro",
    "t2.small",
    "t2.medium",
    "t3.micro",
    "t3.small",
    "t3.medium",
    "t3.large",
    "m5.large",
    "c5.large",
    "r5.large",
];

/// What the user typed, as signals; `spec()` reads them into the document the rules check.
#[derive(Clone, Copy)]
struct Input {
    name: RwSignal<String>,
    insights: RwSignal<bool>,
    tags: RwSignal<Vec<KeyValueTag>>,
    use_ec2: RwSignal<bool>,
    ec2: RwSignal<Ec2Capacity>,
    new_group: RwSignal<bool>,
    ports: RwSignal<String>,
}

impl Input {
    fn spec(&self) -> ClusterSpec {
        let ec2 = self.use_ec2.get().then(|| {
            let mut capacity = self.ec2.get();
            capacity.open_ports = self.new_group.get().then(|| {
                // What is not a number becomes 0, which the port rule refuses at its index.
                self.ports.get().split([',', ' ']).filter(|p| !p.is_empty()).map(|p| p.parse().unwrap_or(0)).collect()
            });
            capacity
        });
        ClusterSpec {
            cluster_name: self.name.get(),
            container_insights: self.insights.get(),
            tags: self.tags.get(),
            ec2,
        }
    }
}

#[derive(Clone, Copy)]
struct Form {
    input: Input,
    errors: Memo<Vec<FieldError>>,
    touched: RwSignal<Vec<String>>,
    submitted: RwSignal<bool>,
}

impl Form {
    fn new() -> Self {
        let input = Input {
            name: RwSignal::new(String::new()),
            insights: RwSignal::new(false),
            tags: RwSignal::new(Vec::new()),
            use_ec2: RwSignal::new(true),
            ec2: RwSignal::new(Ec2Capacity::default()),
            new_group: RwSignal::new(true),
            ports: RwSignal::new("80, 443".to_string()),
        };
        Self {
            input,
            errors: Memo::new(move |_| validate(&input.spec()).err().unwrap_or_default()),
            touched: RwSignal::new(Vec::new()),
            submitted: RwSignal::new(false),
        }
    }

    fn spec(&self) -> ClusterSpec {
        self.input.spec()
    }

    fn touch(&self, path: &str) {
        if !self.touched.read_untracked().iter().any(|p| p == path) {
            self.touched.update(|t| t.push(path.into()));
        }
    }

    fn message(&self, path: &str) -> Option<String> {
        if !self.submitted.get() && !self.touched.read().iter().any(|p| p == path) {
            return None;
        }
        self.errors.read().iter().find(|e| e.path == path).map(|e| e.message.clone())
    }
}

fn message(form: Form, path: &'static str) -> impl IntoView {
    move || form.message(path).map(|m| view! { <p class="field-error" data-for=path role="alert">{m}</p> })
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
    let form = Form::new();
    let creation = RwSignal::new(None::<Creation>);
    let server_error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submitted.set(true);
        if !form.errors.read_untracked().is_empty() {
            return;
        }
        let (env, spec) = (env.get_untracked(), form.spec());
        send(pending, async move { api::create_cluster(&env, &spec).await }, move |answer| match answer {
            Ok(started) => creation.set(Some(started)),
            Err(e) => server_error.set(Some(e)),
        });
    };
    view! {
        <div class="page-head">
            <h1>"Create cluster"</h1>
            <a href=move || paths::clusters(&env.get()) class="button">"Cancel"</a>
        </div>
        {move || server_error.get().map(|e| view! { <ErrorBanner error=e/> })}
        <Show when=move || creation.read().is_none() fallback=move || view! { <CreationSteps creation/> }>
            <form class="wizard" on:submit=submit novalidate>
                <fieldset>
                    <legend>"Cluster configuration"</legend>
                    <label for="clusterName">"Cluster name"</label>
                    <p class="hint">"Up to 255 letters, digits, hyphens and underscores."</p>
                    <input id="clusterName" name="clusterName" autocomplete="off" prop:value=move || form.input.name.get()
                        on:input=move |ev| form.input.name.set(event_target_value(&ev)) on:blur=move |_| form.touch("clusterName")/>
                    {message(form, "clusterName")}
                    <label class="check">
                        <input type="checkbox" name="containerInsights" prop:checked=move || form.input.insights.get()
                            on:change=move |ev| form.input.insights.set(event_target_checked(&ev))/>
                        "Container Insights: CloudWatch metrics for the cluster's tasks and services (billed by CloudWatch)."
                    </label>
                </fieldset>
                <fieldset>
                    <legend>"Infrastructure"</legend>
                    <div class="choices">
                        <label class="choice" class:selected=move || !form.input.use_ec2.get()>
                            <input type="radio" name="infrastructure" value="fargate" prop:checked=move || !form.input.use_ec2.get()
                                on:change=move |_| form.input.use_ec2.set(false)/>
                            <span><strong>"AWS Fargate only"</strong><small>"Serverless: no instances to manage."</small></span>
                        </label>
                        <label class="choice" class:selected=move || form.input.use_ec2.get()>
                            <input type="radio" name="infrastructure" value="ec2" prop:checked=move || form.input.use_ec2.get()
                                on:change=move |_| form.input.use_ec2.set(true)/>
                            <span><strong>"EC2 instances"</strong><small>"An Auto Scaling group of ECS-optimized instances."</small></span>
                        </label>
                    </div>
                </fieldset>
                <Show when=move || form.input.use_ec2.get()>
                    <Ec2Fields form/>
                </Show>
                <TagsEditor path="tags" members=("key", "value") errors=form.errors
                    tags=Signal::derive(move || form.input.tags.get().into_iter().map(|t| (t.key, t.value)).collect::<Vec<_>>())
                    set=Callback::new(move |list: Vec<(String, String)>| {
                        form.input.tags.set(list.into_iter().map(|(key, value)| KeyValueTag { key, value }).collect())
                    })/>
                <div class="actions">
                    <button type="submit" class="primary" id="createCluster" disabled=move || pending.get()>
                        {move || if pending.get() { "Starting…" } else { "Create" }}
                    </button>
                </div>
            </form>
        </Show>
    }
}

fn set_ec2(form: Form, f: impl FnOnce(&mut Ec2Capacity)) {
    form.input.ec2.update(f);
}

fn number_input(
    form: Form,
    path: &'static str,
    label: &'static str,
    get: fn(&Ec2Capacity) -> i64,
    set: fn(&mut Ec2Capacity, i64),
) -> impl IntoView {
    view! {
        <div class="field">
            <label>
                <span class="label">{label}</span>
                <input type="number" name=path prop:value=move || form.input.ec2.with(get).to_string()
                    on:input=move |ev| if let Ok(n) = event_target_value(&ev).parse() { set_ec2(form, |e| set(e, n)) }
                    on:blur=move |_| form.touch(path)/>
            </label>
            {message(form, path)}
        </div>
    }
}

#[component]
fn Ec2Fields(form: Form) -> impl IntoView {
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
    let vpc = Memo::new(move |_| form.input.ec2.with(|e| e.vpc_id.clone()));
    // The default VPC, until the user picks another.
    Effect::new(move |_| {
        if let Some(Ok(list)) = vpcs.get()
            && vpc.get_untracked().is_empty()
            && let Some(default) = list.iter().find(|v| v.is_default).or(list.first())
        {
            let id = default.id.clone();
            set_ec2(form, |e| e.vpc_id = id);
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
    Effect::new(move |_| {
        if let Some(Ok(d)) = defaults.get() {
            set_ec2(form, |e| {
                e.create_instance_role = !d.instance_role_exists && e.instance_role == DEFAULT_INSTANCE_ROLE
            });
        }
    });
    let ami_hint = move || match defaults.get() {
        Some(Ok(d)) => d.recommended_image_id.map_or(
            "The ECS-optimized Amazon Linux 2023 AMI could not be read from SSM: give an AMI ID.".to_string(),
            |id| format!("Empty: the ECS-optimized Amazon Linux 2023 AMI ({id}), from its public SSM parameter."),
        ),
        _ => "Empty: the ECS-optimized Amazon Linux 2023 AMI.".to_string(),
    };
    let role_exists = move || defaults.get().and_then(Result::ok).is_some_and(|d| d.instance_role_exists);
    view! {
        <fieldset>
            <legend>"EC2 instances"</legend>
            <div class="field-pair">
                <div class="field">
                    <label>
                        <span class="label">"Instance type"</span>
                        <input name="ec2.instanceType" list="instanceTypes" prop:value=move || form.input.ec2.with(|e| e.instance_type.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); set_ec2(form, |e| e.instance_type = v) }
                            on:blur=move |_| form.touch("ec2.instanceType")/>
                        <datalist id="instanceTypes">{INSTANCE_TYPES.iter().map(|t| view! { <option value=*t/> }).collect_view()}</datalist>
                    </label>
                    {message(form, "ec2.instanceType")}
                </div>
                {number_input(form, "ec2.rootVolumeGib", "Root volume (GiB, gp3)", |e| e.root_volume_gib, |e, n| e.root_volume_gib = n)}
            </div>
            <div class="field-trio">
                {number_input(form, "ec2.minSize", "Minimum", |e| e.min_size, |e, n| e.min_size = n)}
                {number_input(form, "ec2.desiredCapacity", "Desired", |e| e.desired_capacity, |e, n| e.desired_capacity = n)}
                {number_input(form, "ec2.maxSize", "Maximum", |e| e.max_size, |e, n| e.max_size = n)}
            </div>
            <div class="field">
                <label>
                    <span class="label">"AMI"</span>
                    <small class="hint">{ami_hint}</small>
                    <input name="ec2.imageId" placeholder="ami-…" prop:value=move || form.input.ec2.with(|e| e.image_id.clone().unwrap_or_default())
                        on:input=move |ev| { let v = event_target_value(&ev); set_ec2(form, |e| e.image_id = (!v.is_empty()).then_some(v)) }
                        on:blur=move |_| form.touch("ec2.imageId")/>
                </label>
                {message(form, "ec2.imageId")}
            </div>
            <div class="field">
                <label>
                    <span class="label">"Key pair (for SSH; optional)"</span>
                    <select name="ec2.keyName" on:change=move |ev| { let v = event_target_value(&ev); set_ec2(form, |e| e.key_name = (!v.is_empty()).then_some(v)) }>
                        <option value="">"No key pair"</option>
                        {move || choices(keys.get()).into_iter().map(|k| view! { <option value=k.id.clone()>{k.label}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="field">
                <label>
                    <span class="label">"VPC"</span>
                    <select name="ec2.vpcId" prop:value=move || vpc.get() on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set_ec2(form, |e| { e.vpc_id = v; e.subnet_ids.clear(); e.security_group_ids.clear(); })
                    }>
                        {move || choices(vpcs.get()).into_iter().map(|v| {
                            let label = if v.is_default { format!("{} — {} (default)", v.id, v.label) } else { format!("{} — {}", v.id, v.label) };
                            view! { <option value=v.id.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {message(form, "ec2.vpcId")}
            </div>
            <Checklist form title="Subnets (the Auto Scaling group spreads instances over them)" path="ec2.subnetIds"
                items=Signal::derive(move || choices(subnets.get())) get=|e| &e.subnet_ids set=|e| &mut e.subnet_ids/>
            <Checklist form title="Security groups" path="ec2.securityGroupIds"
                items=Signal::derive(move || choices(groups.get())) get=|e| &e.security_group_ids set=|e| &mut e.security_group_ids/>
            <label class="check">
                <input type="checkbox" name="newSecurityGroup" prop:checked=move || form.input.new_group.get()
                    on:change=move |ev| form.input.new_group.set(event_target_checked(&ev))/>
                "Create a security group opening these TCP ports to the internet:"
            </label>
            <Show when=move || form.input.new_group.get()>
                <input name="ec2.openPorts" prop:value=move || form.input.ports.get() on:input=move |ev| form.input.ports.set(event_target_value(&ev))
                    on:blur=move |_| form.touch("ec2.openPorts[0]")/>
                {move || form.errors.read().iter().find(|e| e.path.starts_with("ec2.openPorts")).map(|e| view! { <p class="field-error">{e.message.clone()}</p> })}
            </Show>
            <div class="field">
                <label>
                    <span class="label">"Instance role"</span>
                    <input name="ec2.instanceRole" prop:value=move || form.input.ec2.with(|e| e.instance_role.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); set_ec2(form, |e| e.instance_role = v) }
                        on:blur=move |_| form.touch("ec2.instanceRole")/>
                </label>
                {message(form, "ec2.instanceRole")}
                {move || (!role_exists()).then(|| view! {
                    <label class="check">
                        <input type="checkbox" name="ec2.createInstanceRole" prop:checked=move || form.input.ec2.with(|e| e.create_instance_role)
                            on:change=move |ev| { let on = event_target_checked(&ev); set_ec2(form, |e| e.create_instance_role = on) }/>
                        "It does not exist yet: create it with AWS's managed policy for ECS container instances (AmazonEC2ContainerServiceforEC2Role)."
                    </label>
                })}
            </div>
            <label class="check">
                <input type="checkbox" name="ec2.managedScaling" prop:checked=move || form.input.ec2.with(|e| e.managed_scaling)
                    on:change=move |ev| { let on = event_target_checked(&ev); set_ec2(form, |e| e.managed_scaling = on) }/>
                "Managed scaling: ECS grows and shrinks the group to fit the tasks (between minimum and maximum)."
            </label>
        </fieldset>
    }
}

fn choices(loaded: Option<Result<Vec<Choice>, ApiError>>) -> Vec<Choice> {
    loaded.and_then(Result::ok).unwrap_or_default()
}

/// Checkboxes over `items`, bound to a list of IDs in the EC2 capacity.
#[component]
fn Checklist(
    form: Form,
    title: &'static str,
    path: &'static str,
    items: Signal<Vec<Choice>>,
    get: fn(&Ec2Capacity) -> &Vec<String>,
    set: fn(&mut Ec2Capacity) -> &mut Vec<String>,
) -> impl IntoView {
    view! {
        <div class="field checklist" data-path=path>
            <span class="label">{title}</span>
            {move || items.get().into_iter().map(|item| {
                let id = item.id.clone();
                let checked = { let id = id.clone(); move || form.input.ec2.with(|e| get(e).contains(&id)) };
                view! {
                    <label class="check">
                        <input type="checkbox" name=path value=id.clone() prop:checked=checked
                            on:change=move |ev| {
                                let (on, id) = (event_target_checked(&ev), id.clone());
                                set_ec2(form, |e| { let list = set(e); list.retain(|x| *x != id); if on { list.push(id) } });
                                form.touch(path);
                            }/>
                        <span class="mono">{item.id.clone()}</span>" "<small>{item.label.clone()}</small>
                    </label>
                }
            }).collect_view()}
            {message(form, path)}
        </div>
    }
}
