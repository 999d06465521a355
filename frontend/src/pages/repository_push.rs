//! The repository page's "Simulate a push" (local mode only, deployers): the local AWS has no
//! registry to `docker push` to, so Berth puts a new image into its ECR as a push ends (PutImage
//! with a manifest of new layers) — the same as `berth local push`.

use leptos::prelude::*;
use shared::ecr::{Image, LocalPush};
use shared::error::ApiError;

use crate::api;
use crate::components::ErrorBanner;
use crate::format::{short_digest, size};
use crate::load::send;

#[component]
pub fn SimulatePush(env: Memo<String>, name: Memo<String>, on_pushed: Callback<()>) -> impl IntoView {
    let tag = RwSignal::new("v3".to_string());
    let latest = RwSignal::new(true);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let pushed = RwSignal::new(None::<Image>);
    let submit =
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let mut tags = vec![tag.get_untracked().trim().to_string()];
            if latest.get_untracked() && tags[0] != "latest" {
                tags.push("latest".into());
            }
            let (env, name) = (env.get_untracked(), name.get_untracked());
            send(pending, async move { api::local_push(&env, &name, &LocalPush { tags }).await }, move |answer| {
                match answer {
                    Ok(image) => {
                        error.set(None);
                        pushed.set(Some(image));
                        on_pushed.run(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        };
    view! {
        <form class="inline-form" id="simulatePush" on:submit=submit>
            <label>"Tag "<input type="text" id="pushTag" maxlength="128" prop:value=move || tag.get()
                on:input=move |ev| tag.set(event_target_value(&ev))/></label>
            <label class="check"><input type="checkbox" prop:checked=move || latest.get()
                on:change=move |ev| latest.set(event_target_checked(&ev))/>" and latest"</label>
            <button type="submit" disabled=move || pending.get()>"Simulate a push"</button>
            <small class="muted">"Local mode: a new image in the local ECR, as docker push would leave it."</small>
        </form>
        {move || error.get().map(|e| view! { <ErrorBanner error=e/> })}
        {move || pushed.get().map(|i| view! {
            <p class="banner" id="pushed" role="status">{format!(
                "Pushed {}:{} — {} ({}).",
                name.get_untracked(),
                i.image_tags.join(", "),
                short_digest(&i.image_digest),
                size(i.size_bytes)
            )}</p>
        })}
    }
}
