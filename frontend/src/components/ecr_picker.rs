//! An image from the environment's ECR repositories — a repository, then one of its images, newest
//! first, by tag or pinned by digest — written into a field that stays free text for images from
//! elsewhere. The one picker of the console (the deploy dialog, the task definition wizard).
//!
//! Each environment's repository list and each repository's images are fetched once per page load
//! and shared by every picker open on it (a deploy dialog has one per container).

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use shared::deploy::snippets::repository_of;
use shared::ecr::{Image, Repository};
use shared::error::ApiError;

use crate::api;
use crate::format::{local_time, short_digest};

type Answer<T> = ArcRwSignal<Option<Result<T, ApiError>>>;

thread_local! {
    // Reference-counted signals, not owned by the picker that asked first: they outlive a closed
    // dialog, so reopening it fetches nothing.
    static REPOSITORIES: RefCell<HashMap<String, Answer<Vec<Repository>>>> = RefCell::default();
    static IMAGES: RefCell<HashMap<(String, String), Answer<Vec<Image>>>> = RefCell::default();
}

/// The cached answer for `key`, fetched with `fetch` the first time it is asked for.
fn cached<K, T, F>(
    cache: &'static std::thread::LocalKey<RefCell<HashMap<K, Answer<T>>>>,
    key: K,
    fetch: impl FnOnce() -> F,
) -> Answer<T>
where
    K: std::hash::Hash + Eq,
    T: Send + Sync + 'static,
    F: std::future::Future<Output = Result<T, ApiError>> + 'static,
{
    cache.with_borrow_mut(|map| {
        map.entry(key)
            .or_insert_with(|| {
                let answer = ArcRwSignal::new(None);
                let (set, future) = (answer.clone(), fetch());
                leptos::task::spawn_local(async move { set.set(Some(future.await)) });
                answer
            })
            .clone()
    })
}

fn repositories(env: &str) -> Answer<Vec<Repository>> {
    let env = env.to_string();
    cached(&REPOSITORIES, env.clone(), || async move { api::list_repositories(&env).await })
}

fn images(env: &str, repository: &str) -> Answer<Vec<Image>> {
    let (env, name) = (env.to_string(), repository.to_string());
    cached(&IMAGES, (env.clone(), name.clone()), || async move {
        let mut found = api::list_images(&env, &name).await?;
        found.sort_by(|a, b| b.pushed_at.cmp(&a.pushed_at));
        Ok(found)
    })
}

/// Every reference an image can be deployed by: one per tag, then its digest.
fn references(uri: &str, image: &Image) -> impl Iterator<Item = (String, String)> {
    let pushed = local_time(image.pushed_at.as_deref());
    let digest = short_digest(&image.image_digest);
    let tags = if image.image_tags.is_empty() { "untagged".to_string() } else { image.image_tags.join(", ") };
    let by_tag: Vec<_> =
        image.image_tags.iter().map(|t| (format!("{uri}:{t}"), format!("{t} · {digest} · pushed {pushed}"))).collect();
    let by_digest = (format!("{uri}@{}", image.image_digest), format!("{tags} · by digest {digest} · pushed {pushed}"));
    by_tag.into_iter().chain(std::iter::once(by_digest))
}

/// `current`: the image the field holds now; its repository is preselected. Picking an image
/// writes its reference through `pick`.
#[component]
pub fn EcrPicker(env: Memo<String>, #[prop(optional, into)] current: String, pick: Callback<String>) -> impl IntoView {
    let repository = RwSignal::new(String::new());
    let list = Signal::derive(move || repositories(&env.get()).get());
    let current = repository_of(&current);
    // The repository the current image comes from, once the list is in.
    Effect::new(move |_| {
        if let Some(Ok(found)) = list.get()
            && let Some(r) = found.iter().find(|r| r.repository_uri == current)
        {
            repository.set(r.repository_name.clone());
        }
    });
    let uri = move || {
        let name = repository.get();
        list.get().and_then(Result::ok)?.into_iter().find(|r| r.repository_name == name).map(|r| r.repository_uri)
    };
    let choices = move || {
        let (Some(uri), name) = (uri(), repository.get()) else { return Vec::new() };
        let found = images(&env.get(), &name).get().and_then(Result::ok).unwrap_or_default();
        found.iter().flat_map(|i| references(&uri, i)).collect::<Vec<_>>()
    };
    view! {
        <div class="field-pair ecr-picker">
            <label>"ECR repository"
                {move || match list.get() {
                    None => view! { <p class="muted">"Loading repositories…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="field-error">{e.message}</p> }.into_any(),
                    Some(Ok(found)) => view! {
                        <select name="pickRepository" prop:value=move || repository.get()
                            on:change=move |ev| repository.set(event_target_value(&ev))>
                            <option value="">"Repository…"</option>
                            {found.into_iter().map(|r| { let label = r.repository_name.clone(); view! { <option value=r.repository_name>{label}</option> } }).collect_view()}
                        </select>
                    }.into_any(),
                }}
            </label>
            <label>"Image (newest first)"
                <select name="pickImage" disabled=move || repository.read().is_empty()
                    on:change=move |ev| {
                        let reference = event_target_value(&ev);
                        if !reference.is_empty() {
                            pick.run(reference);
                        }
                    }>
                    <option value="">"Tag or digest…"</option>
                    {move || choices().into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
            </label>
        </div>
    }
}
