use leptos::prelude::*;

/// A dialog over the page; Escape or the close button calls `on_close`.
#[component]
pub fn Modal(#[prop(into)] title: String, on_close: Callback<()>, children: Children) -> impl IntoView {
    view! {
        <div class="modal-backdrop" on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <div class="modal" role="dialog" aria-modal="true" aria-label=title.clone()>
                <div class="modal-head">
                    <h2>{title.clone()}</h2>
                    <button type="button" class="icon" aria-label="Close" on:click=move |_| on_close.run(())>"✕"</button>
                </div>
                {children()}
            </div>
        </div>
    }
}
