//! An image from the environment's ECR repositories: a repository, then one of its tags (newest
//! first) or its digest. The image field stays free text for images from elsewhere.

use leptos::prelude::*;
use shared::ecr::Image;

use super::fields::Lens;
use crate::api;
use crate::load::load;
use crate::pages::param;

pub fn image_picker(image: Lens<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button type="button" class="link" on:click=move |_| open.update(|o| *o = !*o)>
            {move || if open.get() { "Close the ECR picker" } else { "Choose from ECR…" }}
        </button>
        {move || open.get().then(|| picker(image.clone(), open))}
    }
}

fn picker(image: Lens<String>, open: RwSignal<bool>) -> impl IntoView {
    let env = param("env");
    let repositories = load(move || {
        let env = env.get();
        async move { api::list_repositories(&env).await }
    });
    let repository = RwSignal::new(None::<(String, String)>);
    let images = load(move || {
        let (env, picked) = (env.get(), repository.get());
        async move {
            match picked {
                Some((name, _)) => api::list_images(&env, &name).await,
                None => Ok(Vec::new()),
            }
        }
    });
    let choices = move || {
        let Some((_, uri)) = repository.get() else { return Vec::new() };
        let mut list: Vec<Image> = images.get().and_then(Result::ok).unwrap_or_default();
        list.sort_by(|a, b| b.pushed_at.cmp(&a.pushed_at));
        list.iter()
            .flat_map(|i| {
                let tagged = i.image_tags.iter().map(|t| {
                    (
                        format!("{uri}:{t}"),
                        format!("{t} (pushed {})", crate::format::local_time(i.pushed_at.as_deref())),
                    )
                });
                tagged.chain(std::iter::once((
                    format!("{uri}@{}", i.image_digest),
                    format!("by digest {}", crate::format::short_digest(&i.image_digest)),
                )))
            })
            .collect::<Vec<_>>()
    };
    view! {
        <div class="picker">
            {move || match repositories.get() {
                None => view! { <p class="muted">"Loading repositories…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error">{e.message}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <select aria-label="Repository" name="pickRepository" on:change=move |ev| {
                        let name = event_target_value(&ev);
                        repository.set(list.iter().find(|r| r.repository_name == name).map(|r| (name, r.repository_uri.clone())));
                    }>
                        <option value="">"Repository…"</option>
                        {list.iter().map(|r| view! { <option value=r.repository_name.clone()>{r.repository_name.clone()}</option> }).collect_view()}
                    </select>
                }.into_any(),
            }}
            <select aria-label="Image" name="pickImage" disabled=move || repository.read().is_none()
                on:change={ let image = image.clone(); move |ev| {
                    let v = event_target_value(&ev);
                    if !v.is_empty() {
                        image.set(v);
                        open.set(false);
                    }
                }}>
                <option value="">"Tag or digest…"</option>
                {move || choices().into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
            </select>
        </div>
    }
}
