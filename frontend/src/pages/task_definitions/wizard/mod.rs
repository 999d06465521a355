//! The task definition wizard. It edits the whole RegisterTaskDefinition document: inputs for
//! what users set most, the rest kept as imported. Every change is checked with the shared rules
//! (the server applies the same ones); errors show at their field, warnings beside them.

mod container;
mod fields;
mod image_picker;
mod import;
mod task;
mod volumes;

use crate::router::query_map;
use leptos::prelude::*;
use shared::auth::Role;
use shared::ecs::task_definition::{ContainerDefinition, TaskDefinitionSpec, validate};
use shared::error::ApiError;

use super::pretty_json;
use crate::api::{self, paths};
use crate::components::{ErrorBanner, JsonExport, form, role_gate};
use crate::load::send;
use crate::pages::param;
use fields::{Form, kept_as_is, kept_view};

/// Task-level members with inputs; the rest is kept as is.
const EDITED: [&str; 10] = [
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "tags",
];

/// `/e/:env/task-definitions/new` (`?from=family:revision` to start from a revision, `?import=1`
/// to open the JSON import).
#[component]
pub fn TaskDefinitionWizard() -> impl IntoView {
    role_gate(param("env"), Role::Admin, "Create task definition", "Registering a task definition", || {
        view! { <Wizard/> }.into_any()
    })
}

#[component]
fn Wizard() -> impl IntoView {
    let env = param("env");
    let query = query_map();
    let form = Form::new(validate);
    form.spec.set(TaskDefinitionSpec {
        container_definitions: vec![ContainerDefinition::default()],
        ..TaskDefinitionSpec::default()
    });
    let from = query.read_untracked().get("from");
    let import_open = query.read_untracked().get("import").is_some();
    let load_error = RwSignal::new(None::<ApiError>);
    if let Some((family, revision)) = from.as_deref().and_then(|f| f.rsplit_once(':')) {
        let (family, revision) = (family.to_string(), revision.parse().unwrap_or(0));
        leptos::task::spawn_local(async move {
            match api::get_task_revision(&env.get_untracked(), &family, revision).await {
                Ok(r) => form.spec.set(r.spec),
                Err(e) => load_error.set(Some(e)),
            }
        });
    }
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.fields.submit() {
            return;
        }
        let (env, spec) = (env.get_untracked(), form.spec.get_untracked());
        let request = {
            let env = env.clone();
            async move { api::register_task_definition(&env, &spec).await }
        };
        send(pending, request, move |answer| match answer {
            Ok(r) => {
                let page = paths::task_revision(&env, &r.family, r.revision);
                crate::context::go(&format!("{page}?registered=1"));
            }
            Err(e) => form.fields.server.set(Some(e)),
        });
    };
    let title = move || match &from {
        Some(f) => format!("New revision from {f}"),
        None => "Create task definition".to_string(),
    };
    let kept = move || kept_view("Other task settings", kept_as_is(&form.spec.get(), &EDITED));
    view! {
        <div class="page-head">
            <h1>{title}</h1>
            <a href=move || paths::task_definitions(&env.get()) rel="external" class="button">"Cancel"</a>
        </div>
        {move || load_error.get().map(|e| view! { <ErrorBanner error=e/> })}
        {import::import_panel(form, import_open)}
        <form class="wizard wide" on:submit=submit novalidate>
            {task::task_settings(form)}
            {volumes::volumes(form)}
            {container::containers(form)}
            {task::tags(form)}
            {kept}
            {problems(form)}
            <div class="actions">
                <button type="submit" class="primary" id="register" disabled=move || pending.get()>
                    {move || if pending.get() { "Registering…" } else { "Register" }}
                </button>
            </div>
        </form>
        <JsonExport summary="CLI JSON" json=Signal::derive(move || pretty_json(&form.spec.get()))
            hint=view! { "What this form registers, as "<code>"aws ecs register-task-definition --cli-input-json"</code>" takes it." }.into_any()/>
    }
}

/// The server's refusal (its fields listed with their paths), and every error and warning once a
/// submit was tried.
fn problems(form: Form) -> impl IntoView {
    let server = move || {
        form.fields.server.get().map(|e| {
            let fields = e.fields.clone();
            view! {
                <ErrorBanner error=e/>
                <ul class="problems">{fields.into_iter().map(|f| view! { <li><code>{f.path}</code>": "{f.message}</li> }).collect_view()}</ul>
            }
        })
    };
    view! { {server} {form::problems(form, "registering")} }
}
