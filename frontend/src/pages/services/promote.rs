//! "Promote to…": this service's release (the one that succeeded here) goes to the matching
//! service of another environment: exactly its image digests, and of every other difference
//! between the two task definitions, the other environment keeps its value unless the field is
//! ticked to take this one's. The plan is the server's (`POST …/promotions/preview`), refreshed as
//! fields are ticked.

use leptos::prelude::*;
use shared::auth::Role;
use shared::deploy::promotion::{FieldDifference, PromotionPlan, PromotionRequest};
use shared::error::ApiError;

use crate::api::{self, paths};
use crate::components::{ChangeTable, ErrorBanner, Modal};
use crate::load::send;

/// The other environments where the person may deploy: where a promotion can go.
pub fn targets(here: &str) -> Vec<String> {
    let session = crate::context::session();
    let envs = use_context::<crate::context::Environments>().and_then(|e| e.0.get()).and_then(Result::ok);
    envs.unwrap_or_default()
        .into_iter()
        .map(|e| e.name)
        .filter(|e| e != here && session.role_in(e).is_some_and(|r| r >= Role::Deployer))
        .collect()
}

/// A value as a person reads it: an environment variable's `value`, a secret's `valueFrom`, a
/// string as itself, anything else as JSON.
fn shown(value: &Option<serde_json::Value>) -> String {
    let named = value.as_ref().and_then(|v| v.get("value").or_else(|| v.get("valueFrom")));
    match named.or(value.as_ref()) {
        None => "(none)".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// `containerDefinitions["web"].environment["API_URL"]` as `web: environment API_URL`.
fn label(path: &str) -> String {
    let Some(rest) = path.strip_prefix("containerDefinitions[\"") else { return path.to_string() };
    let (container, field) = rest.split_once("\"]").unwrap_or((rest, ""));
    let field = field.trim_start_matches('.').replace("[\"", " ").replace("\"]", "");
    if field.is_empty() { format!("container {container}") } else { format!("{container}: {field}") }
}

#[component]
pub fn PromoteDialog(env: Memo<String>, cluster: String, service: String, on_close: Callback<()>) -> impl IntoView {
    let choices = targets(&env.get_untracked());
    let target = RwSignal::new(choices.first().cloned().unwrap_or_default());
    let take = RwSignal::new(Vec::<String>::new());
    let note = RwSignal::new(String::new());
    let plan = RwSignal::new(None::<PromotionPlan>);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let key = format!("ui-promote-{}-{}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e15) as u64);
    let request = move || PromotionRequest {
        from: env.get_untracked(),
        cluster: cluster.clone(),
        service: service.clone(),
        take: take.get_untracked(),
        note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
        ..Default::default()
    };
    let for_preview = request.clone();
    let refresh = Callback::new(move |()| {
        let (to, request) = (target.get_untracked(), for_preview());
        if to.is_empty() {
            return;
        }
        send(pending, async move { api::promotion_preview(&to, &request).await }, move |answer| match answer {
            Ok(found) => {
                error.set(None);
                plan.set(Some(found));
            }
            Err(e) => {
                plan.set(None);
                error.set(Some(e));
            }
        });
    });
    // The plan of the chosen environment, as soon as the dialog opens and whenever it changes.
    Effect::new(move |_| {
        target.track();
        take.set(Vec::new());
        refresh.run(());
    });
    let toggle = Callback::new(move |(path, taken): (String, bool)| {
        take.update(|list| {
            list.retain(|p| *p != path);
            if taken {
                list.push(path);
            }
        });
        refresh.run(());
    });
    let promote = move |_| {
        // One key per dialog and target: a double click makes one promotion.
        let (to, request) = (target.get_untracked(), request());
        let key = format!("{key}-{to}");
        send(pending, async move { api::promote(&to, &request, &key).await }, move |answer| match answer {
            Ok(submitted) => crate::pages::after_submit(&submitted, || {
                if let shared::approvals::Submitted::Deployment(d) = &submitted {
                    crate::context::go(&paths::deployment(d.id));
                }
            }),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <Modal title="Promote to another environment" on_close>
            {choices.is_empty().then(|| view! { <p class="muted">"You may deploy in no other environment."</p> })}
            <label>"To"<select name="promoteTo" prop:value=move || target.get() on:change=move |ev| target.set(event_target_value(&ev))>
                {choices.iter().map(|e| view! { <option value=e.clone()>{e.clone()}</option> }).collect_view()}
            </select></label>
            {move || plan.get().map(|p| view! { <PlanOf plan=p toggle/> })}
            <label>"Note (optional)"<input type="text" name="note" maxlength="500"
                prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))/></label>
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            <div class="actions">
                <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                <button type="button" class="primary" id="confirmPromote" disabled=move || pending.get() || plan.get().is_none()
                    on:click=promote>"Promote"</button>
            </div>
        </Modal>
    }
}

#[component]
fn PlanOf(plan: PromotionPlan, toggle: Callback<(String, bool)>) -> impl IntoView {
    let p = plan;
    let source = &p.source;
    view! {
        <p id="promotionSource">{format!("Deployment #{} ({}, {} by {}) → {} / {} / {} (now {})",
            source.id, p.source_task_definition, source.outcome.as_str(), source.actor,
            p.target_environment, p.target_cluster, p.target_service, p.target_task_definition)}</p>
        <h3>"Images: exactly these digests"</h3>
        <table class="grid" id="promotionImages"><thead><tr><th>"Container"</th><th>"Now"</th><th>"Promoted"</th></tr></thead>
            <tbody>{p.images.iter().map(|i| view! {
                <tr><td>{i.container.clone()}</td><td class="mono">{i.now.clone().unwrap_or_else(|| "(none)".into())}</td>
                    <td class="mono">{i.promoted.clone()}</td></tr>
            }).collect_view()}</tbody></table>
        <h3>"Other differences: keep the target's, or take this one's"</h3>
        {p.fields.is_empty().then(|| view! { <p class="muted" id="noDifferences">"None: the task definitions differ only in images."</p> })}
        {(!p.fields.is_empty()).then(|| view! {
            <table class="grid promotion-fields" id="promotionFields"><thead><tr><th>"Field"</th><th>"Target keeps"</th><th>"This one has"</th><th>"Take"</th></tr></thead>
                <tbody>{p.fields.clone().into_iter().map(|f| field_row(f, toggle)).collect_view()}</tbody></table>
        })}
        <details><summary>"Target's task definition changes"</summary>
            <ChangeTable changes=p.changes.clone() id="promotionChanges" before="Now" after="Once promoted"/></details>
    }
}

fn field_row(f: FieldDifference, toggle: Callback<(String, bool)>) -> impl IntoView {
    let path = f.path.clone();
    view! {
        <tr data-path=f.path.clone()>
            <td class="mono" title=f.path.clone()>{label(&f.path)}</td>
            <td class="mono">{shown(&f.target)}</td>
            <td class="mono">{shown(&f.source)}</td>
            <td><input type="checkbox" name="take" aria-label=format!("Take {}", f.path) prop:checked=f.taken
                on:change=move |ev| toggle.run((path.clone(), event_target_checked(&ev)))/></td>
        </tr>
    }
}
