//! Import a `--cli-input-json` document or `describe-task-definition` output into the wizard.
//! The server reads it (with the shared importer; doing it here would add ~25 KB to the bundle):
//! read-only fields are dropped with a notice naming them; an unknown key is an error naming it.

use leptos::prelude::*;
use shared::error::{ApiError, FieldError};

use super::fields::Form;
use crate::api;
use crate::load::send;

pub fn import_panel(form: Form, open: bool) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let dropped = RwSignal::new(None::<Vec<String>>);
    let pending = RwSignal::new(false);
    let run = move |_| {
        let document = text.get_untracked();
        send(pending, async move { api::import_task_definition(&document).await }, move |answer| match answer {
            Ok(imported) => {
                errors.set(Vec::new());
                dropped.set(Some(imported.dropped));
                form.spec.set(imported.spec);
                form.submitted.set(true);
            }
            Err(ApiError { fields, message, .. }) => {
                dropped.set(None);
                errors.set(if fields.is_empty() { vec![FieldError::new("", message)] } else { fields });
            }
        });
    };
    view! {
        <details class="import" open=open>
            <summary>"Import JSON"</summary>
            <p class="hint">"Paste a "<code>"--cli-input-json"</code>" document or "<code>"aws ecs describe-task-definition"</code>
                " output. It replaces what the form holds; review it below, then register."</p>
            <textarea id="importJson" rows="8" spellcheck="false" prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button type="button" id="importButton" on:click=run disabled=move || pending.get()>"Import"</button>
            {move || dropped.get().map(|d| {
                let note = if d.is_empty() {
                    "Imported.".to_string()
                } else {
                    format!("Imported. Dropped read-only fields a registration does not take: {}.", d.join(", "))
                };
                view! { <div class="banner success" role="status" id="importNotice">{note}</div> }
            })}
            {move || (!errors.read().is_empty()).then(|| view! {
                <div class="banner error" role="alert" id="importErrors">
                    <strong>"Not imported"</strong>
                    <ul>{errors.get().into_iter().map(|e| view! {
                        <li>{if e.path.is_empty() { String::new() } else { format!("{}: ", e.path) }}{e.message}</li>
                    }).collect_view()}</ul>
                </div>
            })}
        </details>
    }
}
