//! Import a `--cli-input-json` document or `describe-task-definition` output into the wizard.
//! The server reads it (with the shared importer; doing it here would add ~25 KB to the bundle):
//! read-only fields are dropped with a notice naming them; an unknown key is an error naming it.

use leptos::prelude::*;
use shared::error::{ApiError, FieldError};

use super::fields::Form;
use crate::api;
use crate::components::{ImportOutcome, ImportPanel};
use crate::load::send;

pub fn import_panel(form: Form, open: bool) -> impl IntoView {
    let outcome = RwSignal::new(ImportOutcome::None);
    let pending = RwSignal::new(false);
    let run = Callback::new(move |document: String| {
        send(pending, async move { api::import_task_definition(&document).await }, move |answer| match answer {
            Ok(imported) => {
                outcome.set(Some(Ok(if imported.dropped.is_empty() {
                    "Imported.".to_string()
                } else {
                    format!(
                        "Imported. Dropped read-only fields a registration does not take: {}.",
                        imported.dropped.join(", ")
                    )
                })));
                form.spec.set(imported.spec);
                form.submitted.set(true);
            }
            Err(ApiError { fields, message, .. }) => {
                outcome.set(Some(Err(if fields.is_empty() { vec![FieldError::new("", message)] } else { fields })));
            }
        });
    });
    view! {
        <ImportPanel summary="Import JSON" text_id="importJson" button_id="importButton" open outcome pending on_import=run
            hint=view! { "Paste a "<code>"--cli-input-json"</code>" document or "<code>"aws ecs describe-task-definition"</code>
                " output. It replaces what the form holds; review it below, then register." }.into_any()/>
    }
}
