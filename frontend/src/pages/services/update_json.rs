//! "Apply an update-service JSON": what the lab's pipeline ran with `aws ecs update-service
//! --cli-input-json`, pasted on the service's page. The server checks the document (unknown keys
//! and rules named by path); the page first checks that it names this service, so a document
//! pasted on the wrong page changes nothing.

use leptos::prelude::*;
use shared::error::ApiError;

use crate::api;
use crate::components::ErrorBanner;
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

#[component]
pub fn UpdateJsonPanel(reload: Callback<()>) -> impl IntoView {
    let (env, cluster, service) = (param("env"), param("cluster"), param("service"));
    let text = RwSignal::new(String::new());
    let mismatch = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let applied = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let apply = move |_| {
        let document = text.get_untracked();
        let here = (cluster.get_untracked(), service.get_untracked());
        match target(&document) {
            Err(problem) => return mismatch.set(Some(problem)),
            Ok(named) if named != here => {
                return mismatch.set(Some(format!(
                    "This document updates service {} in cluster {}, not this one ({} in {}).",
                    named.1, named.0, here.1, here.0
                )));
            }
            Ok(_) => mismatch.set(None),
        }
        let env = env.get_untracked();
        applied.set(false);
        send(pending, async move { api::apply_update_document(&env, document).await }, move |answer| match answer {
            Ok(_) => {
                error.set(None);
                applied.set(true);
                reload.run(());
            }
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <details class="json-panel" id="updateJson">
            <summary>"Apply an update-service JSON"</summary>
            <p class="hint">"What "<code>"aws ecs update-service --cli-input-json"</code>" takes, e.g. the lab pipeline's template. It must name this service."</p>
            <textarea id="updateServiceJson" rows="8" spellcheck="false" prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            {move || mismatch.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
            {move || applied.get().then(|| view! { <p class="ok-note" id="updateApplied">"Applied."</p> })}
            <div class="actions">
                <button type="button" class="primary" id="applyUpdateJson" on:click=apply disabled=move || pending.get()>"Apply"</button>
            </div>
        </details>
    }
}
