//! A document as an AWS CLI command takes it (`--cli-input-json`), shown folded, with a copy button.

use leptos::prelude::*;

use super::CopyButton;

/// `summary` folds it; `hint` says which command takes it; `id` names the `<pre>` for tests.
#[component]
pub fn JsonExport(
    summary: &'static str,
    hint: AnyView,
    #[prop(into)] json: Signal<String>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    view! {
        <details class="json-panel">
            <summary>{summary}</summary>
            <p class="hint">{hint}</p>
            <div class="code-block"><pre id=id>{move || json.get()}</pre><CopyButton text=json/></div>
        </details>
    }
}
