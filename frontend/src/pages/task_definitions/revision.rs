use crate::router::query_map;
use leptos::prelude::*;
use serde_json::Value;
use shared::ecs::task_definition::ServiceUse;
use shared::error::ApiError;

use super::is_admin;
use crate::api::{self, RevisionDocument, paths};
use crate::components::{CopyButton, ErrorBanner, Modal};
use crate::format::local_time;
use crate::load::{load, send};
use crate::pages::param;

/// `/e/:env/task-definitions/family/:family/:revision`.
#[component]
pub fn TaskRevisionPage() -> impl IntoView {
    let (env, family) = (param("env"), param("family"));
    let number = param("revision");
    let revision = load(move || {
        let (env, family, number) = (env.get(), family.get(), number.get());
        async move {
            let number =
                number.parse().map_err(|_| ApiError::new(shared::error::ErrorCode::NotFound, "No such revision."))?;
            api::get_task_revision_document(&env, &family, number).await
        }
    });
    let registered = Memo::new({
        let query = query_map();
        move |_| query.read().get("registered").is_some()
    });
    view! {
        {move || registered.get().then(|| view! {
            <div class="banner success" role="status">{move || format!("Registered {}:{}.", family.get(), number.get())}</div>
        })}
        {move || match revision.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
            Some(Ok(r)) => view! { <RevisionView revision=r reload=Callback::new(move |()| revision.reload())/> }.into_any(),
        }}
    }
}

#[component]
fn RevisionView(revision: RevisionDocument, reload: Callback<()>) -> impl IntoView {
    let env = param("env");
    let r = revision.clone();
    let (family, number) = (r.family.clone(), r.revision);
    let active = r.status == "ACTIVE";
    let json = crate::format::pretty_text(r.spec.get());
    let document: Value = serde_json::from_str(r.spec.get()).unwrap_or_default();
    let spec = &document;
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let int = |v: &Value, key: &str| v.get(key).and_then(Value::as_i64).map_or("—".to_string(), |n| n.to_string());
    let list = |v: &Value, key: &str| v.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    let compat = list(spec, "requiresCompatibilities").iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ");
    let compat = if compat.is_empty() { "EC2 (default)".to_string() } else { compat };
    let confirming = RwSignal::new(false);
    let new_from = paths::new_task_definition(&env.get_untracked(), Some((&family, number)));
    let family_link = paths::task_family(&env.get_untracked(), &family);
    let containers = list(spec, "containerDefinitions")
        .iter()
        .map(|c| {
            let ports = list(c, "portMappings")
                .iter()
                .map(|p| {
                    let host = p.get("hostPort").and_then(Value::as_i64).map_or(String::new(), |h| format!("{h}:"));
                    let port = p.get("containerPort").and_then(Value::as_i64).unwrap_or(0);
                    format!("{host}{port}/{}", text(p, "protocol").unwrap_or_else(|| "tcp".into()))
                })
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <tr>
                    <td>{text(c, "name")}</td>
                    <td class="mono">{text(c, "image")}</td>
                    <td class="num">{int(c, "cpu")}</td>
                    <td class="num">{int(c, "memory")}</td>
                    <td class="num">{int(c, "memoryReservation")}</td>
                    <td>{ports}</td>
                    <td>{if c.get("essential") == Some(&Value::Bool(false)) { "no" } else { "yes" }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="page-head">
            <h1>{format!("{family}:{number}")}</h1>
            <span class=if active { "badge ok" } else { "badge muted" } id="revisionStatus">{r.status.clone()}</span>
            <div class="spacer"></div>
            <a href=family_link class="button">"All revisions"</a>
            <Show when=move || is_admin(&env.get())>
                <a href=new_from.clone() rel="external" class="button primary" id="newRevision">"New revision from this one"</a>
                {active.then(|| view! {
                    <button type="button" class="danger" on:click=move |_| confirming.set(true)>"Deregister"</button>
                })}
            </Show>
        </div>
        <dl class="facts">
            <dt>"ARN"</dt><dd class="mono">{r.task_definition_arn.clone()}</dd>
            <dt>"Registered"</dt><dd>{local_time(r.registered_at.as_deref())}</dd>
            <dt>"Launch types"</dt><dd>{compat}</dd>
            <dt>"Network mode"</dt><dd>{text(spec, "networkMode").unwrap_or_else(|| "bridge (default)".into())}</dd>
            <dt>"Task CPU / memory"</dt>
            <dd>{format!("{} / {}", text(spec, "cpu").unwrap_or_else(|| "—".into()), text(spec, "memory").unwrap_or_else(|| "—".into()))}</dd>
            <dt>"Task role"</dt><dd class="mono">{text(spec, "taskRoleArn").unwrap_or_else(|| "—".into())}</dd>
            <dt>"Execution role"</dt><dd class="mono">{text(spec, "executionRoleArn").unwrap_or_else(|| "—".into())}</dd>
        </dl>
        <table class="grid">
            <caption>"Containers"</caption>
            <thead><tr><th>"Name"</th><th>"Image"</th><th class="num">"CPU"</th><th class="num">"Memory"</th>
                <th class="num">"Reservation"</th><th>"Ports"</th><th>"Essential"</th></tr></thead>
            <tbody>{containers}</tbody>
        </table>
        <section class="json-panel">
            <h2>"Export"</h2>
            <p class="hint">"This revision as "<code>"aws ecs register-task-definition --cli-input-json"</code>" takes it (read-only fields left out)."</p>
            <div class="code-block"><pre id="exportJson">{json.clone()}</pre><CopyButton text=json/></div>
        </section>
        <Show when=move || confirming.get()>
            <DeregisterDialog revision=revision.clone() on_close=Callback::new(move |()| confirming.set(false)) on_done=reload/>
        </Show>
    }
}

/// Confirms a deregistration, naming the services that still run the revision.
#[component]
fn DeregisterDialog(revision: RevisionDocument, on_close: Callback<()>, on_done: Callback<()>) -> impl IntoView {
    let env = param("env");
    let (family, number) = (revision.family.clone(), revision.revision);
    let users = load({
        let family = family.clone();
        move || {
            let (env, family) = (env.get(), family.clone());
            async move { api::services_using(&env, &family, number).await }
        }
    });
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let confirm = {
        let family = family.clone();
        move |_| {
            let (env, family) = (env.get_untracked(), family.clone());
            send(pending, async move { api::deregister_task_revision(&env, &family, number).await }, move |answer| {
                match answer {
                    Ok(()) => {
                        on_close.run(());
                        on_done.run(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let warning = move |list: Vec<ServiceUse>| {
        if list.is_empty() {
            return view! { <p>"No service runs this revision."</p> }.into_any();
        }
        view! {
            <div class="banner warning" role="alert" id="inUseWarning">
                <strong>"Services still use this revision"</strong>
                <ul>{list.into_iter().map(|u| view! {
                    <li>{format!("{} in cluster {} ({} deployment)", u.service, u.cluster, u.deployment_status)}</li>
                }).collect_view()}</ul>
                <p>"Their running tasks keep running, but ECS starts no new task from an INACTIVE revision: scaling out and replacing failed tasks stop working until they are updated to another revision."</p>
            </div>
        }
        .into_any()
    };
    view! {
        <Modal title=format!("Deregister {family}:{number}?") on_close>
            <p>"The revision becomes INACTIVE. It stays visible under Inactive and can still be exported; it can't be made active again (register its content as a new revision instead)."</p>
            {move || match users.get() {
                None => view! { <p class="muted">"Checking which services use it…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner error=e/> }.into_any(),
                Some(Ok(list)) => warning(list),
            }}
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="danger" id="confirmDeregister" disabled=move || pending.get() || users.get().is_none()
                    on:click=confirm.clone()>"Deregister"</button>
            </div>
        </Modal>
    }
}
