use leptos::prelude::*;

/// Copies `text` to the clipboard and says so for a moment.
#[component]
pub fn CopyButton(#[prop(into)] text: Signal<String>, #[prop(optional, into)] label: Option<String>) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let label = label.unwrap_or_else(|| "Copy".into());
    let on_click = move |_| {
        let text = text.get_untracked();
        leptos::task::spawn_local(async move {
            let Some(window) = web_sys::window() else { return };
            let promise = window.navigator().clipboard().write_text(&text);
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            set_copied.set(ok);
            set_timeout(move || set_copied.set(false), std::time::Duration::from_millis(1500));
        });
    };
    view! {
        <button type="button" class="copy" on:click=on_click>
            {move || if copied.get() { "Copied ✓".to_string() } else { label.clone() }}
        </button>
    }
}
