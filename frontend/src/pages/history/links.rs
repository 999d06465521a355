//! The live view's links (admins of every environment): services named differently across
//! environments, lined up as one row and taken as a promotion's default target. Edited as JSON,
//! as the freeze windows are; the server names a broken rule by its path.

use leptos::prelude::*;
use shared::error::{ApiError, ErrorCode};
use shared::live::ServiceLink;

use crate::api;
use crate::components::ErrorBanner;
use crate::load::{load, send};

const EXAMPLE: &str = r#"[{"name": "web", "services": [
  {"environment": "staging", "cluster": "apps", "service": "web-stg"},
  {"environment": "prod", "cluster": "apps", "service": "web"}]}]"#;

#[component]
pub fn LinksEditor(on_saved: Callback<()>) -> impl IntoView {
    let current = load(api::live_links);
    let text = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(links)) = current.get() {
            text.set(serde_json::to_string_pretty(&links).unwrap_or_else(|_| "[]".into()));
        }
    });
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let links: Vec<ServiceLink> = match serde_json::from_str(&text.get_untracked()) {
            Ok(links) => links,
            Err(e) => {
                error
                    .set(Some(ApiError::new(ErrorCode::Validation, format!("Links: not a JSON list of links ({e})."))));
                return;
            }
        };
        send(pending, async move { api::set_live_links(&links).await }, move |answer| match answer {
            Ok(_) => on_saved.run(()),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <details class="json-panel" id="liveLinks">
            <summary>"Links between services named differently (admins)"</summary>
            <form class="stacked" on:submit=save>
                <label>"One row for services whose names differ across environments; a promotion goes to the linked service."
                    <textarea name="links" rows="8" class="mono" prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))></textarea></label>
                <details><summary>"Example"</summary><pre class="mono">{EXAMPLE}</pre></details>
                {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
                <div class="actions"><button type="submit" class="primary" disabled=move || pending.get()>"Save links"</button></div>
            </form>
        </details>
    }
}
