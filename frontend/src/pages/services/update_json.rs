//! "Apply an update-service JSON": what the lab's pipeline ran with `aws ecs update-service
//! --cli-input-json`, pasted on the "Update service" page. The server checks the document (unknown keys
//! and rules named by path); the page first checks that it names this service, so a document
//! pasted on the wrong page changes nothing.

use leptos::prelude::*;
use shared::ecs::service::UpdateOutcome;
use shared::error::ApiError;

use crate::api;
use crate::components::{ChangeTable, ErrorBanner};
use crate::load::send;
use crate::pages::param;

/// The cluster and service a document names, if it is JSON (`cluster` defaults to `default`, as
/// for the AWS CLI; either may be an ARN).
fn target(text: &str) -> Result<(String, String), String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("Not JSON: {e}"))?;
    let last =
        |key: &str| value.get(key).and_then(|v| v.as_str()).map(|s| s.rsplit('/').next().unwrap_or(s).to_string());
    let service = last("service").ok_or("service: the document must name the service to update")?;
    Ok((last("cluster").unwrap_or_else(|| "default".into()), service))
}

/// Paste, "Preview" (the server resolves the document: the exact revision a bare family name
/// means, the diff against what runs, warnings such as the circuit breaker turned off), then
/// "Apply" sends that exact revision.
#[component]
pub fn UpdateJsonPanel(on_applied: Callback<()>) -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let text = RwSignal::new(String::new());
    let mismatch = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let preview = RwSignal::new(None::<UpdateOutcome>);
    let applied = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let checked = move || {
        let document = text.get_untracked();
        let here = (cluster.get_untracked(), service.get_untracked());
        match target(&document) {
            Err(problem) => {
                mismatch.set(Some(problem));
                None
            }
            Ok(named) if named != here => {
                mismatch.set(Some(format!(
                    "This document updates service {} in cluster {}, not this one ({} in {}).",
                    named.1, named.0, here.1, here.0
                )));
                None
            }
            Ok(_) => {
                mismatch.set(None);
                Some(document)
            }
        }
    };
    let run = move |dry_run: bool| {
        let Some(document) = checked() else { return };
        let env = env.get_untracked();
        applied.set(None);
        send(pending, async move { api::apply_update_document(&env, document, dry_run).await }, move |answer| {
            match answer {
                Ok(outcome) if outcome.dry_run => {
                    error.set(None);
                    preview.set(Some(outcome));
                }
                Ok(outcome) => {
                    error.set(None);
                    preview.set(None);
                    let revision = outcome.service.map(|s| s.task_definition).unwrap_or_default();
                    applied.set(Some(format!("Applied: the service now deploys {revision}.")));
                    on_applied.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="json-panel" id="updateJson">
            <h2>"Apply an update-service JSON"</h2>
            <p class="hint">"What "<code>"aws ecs update-service --cli-input-json"</code>" takes, e.g. the lab pipeline's template. It must name this service."</p>
            <textarea id="updateServiceJson" rows="8" spellcheck="false" prop:value=move || text.get()
                on:input=move |ev| { text.set(event_target_value(&ev)); preview.set(None); }></textarea>
            {move || mismatch.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            {move || preview.get().map(|p| view! {
                <div class="plan" id="updatePreview">
                    <p id="resolvedRevision">{match &p.resolved_task_definition {
                        Some(r) if *r != p.current_task_definition => format!("Deploys {r} (runs {} now).", p.current_task_definition),
                        Some(r) => format!("Keeps {r}."),
                        None => format!("Keeps {}.", p.current_task_definition),
                    }}</p>
                    {p.warnings.into_iter().map(|w| view! { <p class="field-warning" data-path=w.path.clone()>{w.message}</p> }).collect_view()}
                    {(!p.changes.is_empty()).then(|| view! { <ChangeTable changes=p.changes id="updateChanges" before="Now" after="After"/> })}
                </div>
            })}
            {move || applied.get().map(|m| view! { <p class="ok-note" id="updateApplied">{m}</p> })}
            <div class="actions">
                <button type="button" id="previewUpdateJson" on:click=move |_| run(true) disabled=move || pending.get()>"Preview"</button>
                <button type="button" class="primary" id="applyUpdateJson" on:click=move |_| run(false)
                    disabled=move || pending.get() || preview.get().is_none()>"Apply"</button>
            </div>
        </section>
    }
}
