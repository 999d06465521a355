//! "Import JSON": a textarea for a document as an AWS CLI command takes it, an Import button, and
//! what the import said (a notice, or the errors by path). The page reads the document (on the
//! server or here) and reports through `outcome`.

use leptos::prelude::*;
use shared::error::FieldError;

/// What the last import said: a notice, or why nothing was imported.
pub type ImportOutcome = Option<Result<String, Vec<FieldError>>>;

/// `text_id`/`button_id` name the textarea and the button; `open` unfolds it on arrival.
#[component]
pub fn ImportPanel(
    summary: &'static str,
    hint: AnyView,
    text_id: &'static str,
    button_id: &'static str,
    #[prop(optional)] open: bool,
    outcome: RwSignal<ImportOutcome>,
    #[prop(optional, into)] pending: Signal<bool>,
    on_import: Callback<String>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    view! {
        <details class="import" open=open>
            <summary>{summary}</summary>
            <p class="hint">{hint}</p>
            <textarea id=text_id rows="8" spellcheck="false" prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button type="button" id=button_id on:click=move |_| on_import.run(text.get_untracked())
                disabled=move || pending.get()>"Import"</button>
            {move || outcome.get().map(|answer| match answer {
                Ok(note) => view! { <div class="banner success" role="status" id="importNotice">{note}</div> }.into_any(),
                Err(errors) => view! {
                    <div class="banner error" role="alert" id="importErrors">
                        <strong>"Not imported"</strong>
                        <ul>{errors.into_iter().map(|e| view! {
                            <li>{if e.path.is_empty() { String::new() } else { format!("{}: ", e.path) }}{e.message}</li>
                        }).collect_view()}</ul>
                    </div>
                }.into_any(),
            })}
        </details>
    }
}
